"""Keep one indexed row per searched step, written by triggers.

``0006`` indexed the words of each run and version as a whole and read
only the best of them step by step, so a step in a run past that cut was
never found. Each step is now a row of its own: ``web_search_step`` (the
steps of each workflow's current SOP version) and
``web_search_recorded_step`` (the steps of each run) become tables, each
row with its number as the SOP numbers it (waits left out), its text as
shown, and its words with their positions under a GIN index. Search ranks
and limits over those rows alone.

Triggers on the runs, the versions and the workflows (whose
``current_version_id`` picks the version searched) write the rows in the
same statement as the steps, bulk inserts and truncations included, so a
search is never behind an edit. The run- and version-wide words of ``0006``
are dropped; undoing this migration brings them back.

The embedded SQLite database keeps its views and its simpler matching; this
does nothing there.
"""

from importlib import import_module

from django.db import migrations

numbered = import_module("apps.web.migrations.0003_search_numbered_steps")
recorded = import_module("apps.web.migrations.0005_search_recorded_step")
vectors = import_module("apps.web.migrations.0006_search_vectors")

# What ``0006`` undoes but the functions giving a step's text as shown,
# which the rows are made of.
KEPT = """DROP FUNCTION web_search_recorded_text(jsonb);
DROP FUNCTION web_search_step_text(jsonb);
"""
if KEPT not in vectors.DROP:
    raise ValueError("0006 no longer drops the step text functions last.")
UNDO_VECTORS = vectors.DROP.replace(KEPT, "")

# The text search configuration of ``apps.web.selectors.SEARCH_CONFIG``,
# over the text as search reads it: without accents, "<" and ">" swapped
# for the stand-ins of ``apps.web.search.ANGLE_BRACKETS``.
FUNCTIONS = r"""
CREATE FUNCTION {here}.web_search_words(text text) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    -- A text of under 256 kB cannot make a megabyte of words: only a
    -- longer one pays for the exception block.
    IF octet_length(text) < 262144 THEN
        RETURN to_tsvector('pg_catalog.english', {unaccent}.unaccent(
            '{unaccent}.unaccent', translate(text, '<>', E'\x04\x05')));
    END IF;
    BEGIN
        RETURN to_tsvector('pg_catalog.english', {unaccent}.unaccent(
            '{unaccent}.unaccent', translate(text, '<>', E'\x04\x05')));
    EXCEPTION WHEN program_limit_exceeded THEN
        -- More distinct words than a tsvector holds: store the step
        -- unfound rather than refuse the write.
        RETURN NULL;
    END;
END
$$;

CREATE FUNCTION {here}.web_search_numbered(steps jsonb)
RETURNS TABLE (step_number integer, step jsonb)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT (row_number() OVER (ORDER BY s.position))::integer, s.value
FROM jsonb_array_elements(
    CASE WHEN jsonb_typeof(steps) = 'array' THEN steps ELSE '[]' END
) WITH ORDINALITY AS s(value, position)
WHERE coalesce(s.value ->> 'kind', '') <> 'wait'
$$;

CREATE TABLE {here}.web_search_step (
    organization_id bigint NOT NULL,
    workflow_id bigint NOT NULL,
    version_id bigint NOT NULL,
    number integer NOT NULL,
    text text NOT NULL,
    words tsvector,
    PRIMARY KEY (workflow_id, number)
);
CREATE INDEX web_search_step_words ON {here}.web_search_step USING gin (words);
CREATE INDEX web_search_step_organization
    ON {here}.web_search_step (organization_id);

CREATE TABLE {here}.web_search_recorded_step (
    organization_id bigint NOT NULL,
    run_id bigint NOT NULL,
    recording_id uuid NOT NULL,
    number integer NOT NULL,
    text text NOT NULL,
    words tsvector,
    PRIMARY KEY (run_id, number)
);
CREATE INDEX web_search_recorded_step_words
    ON {here}.web_search_recorded_step USING gin (words);
CREATE INDEX web_search_recorded_step_organization
    ON {here}.web_search_recorded_step (organization_id);

-- Write again the rows a run, workflow or version written is part of; on
-- an insert OLD is null, on a delete NEW is. A version's rows are those of
-- each workflow having it as current, which may be set before the version
-- is written.
CREATE FUNCTION {here}.web_search_written() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'workflows_run' THEN
        PERFORM {here}.web_search_index_run(coalesce(NEW.id, OLD.id));
    ELSIF TG_TABLE_NAME = 'workflows_workflow' THEN
        PERFORM {here}.web_search_index_workflow(coalesce(NEW.id, OLD.id));
    ELSE
        PERFORM {here}.web_search_index_workflow(w.id)
        FROM {here}.workflows_workflow w
        WHERE w.current_version_id = coalesce(NEW.id, OLD.id);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION {here}.web_search_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'workflows_run' THEN
        TRUNCATE {here}.web_search_recorded_step;
    ELSE
        TRUNCATE {here}.web_search_step;
    END IF;
    RETURN NULL;
END
$$;
"""

# Writes again the rows of the ``{owner}`` whose id is given: none when it
# is gone, or holds no current version.
INDEX_FUNCTION = """
CREATE FUNCTION {here}.{name}(bigint) RETURNS void
LANGUAGE sql AS $$
DELETE FROM {here}.{table} WHERE {owner}_id = $1;
INSERT INTO {here}.{table}
    (organization_id, {owner}_id, {part}_id, number, text, words)
SELECT o.organization_id, o.id, {part_id}, s.step_number, t.shown,
       {here}.web_search_words(t.shown)
FROM {source}
CROSS JOIN LATERAL {here}.web_search_numbered({steps}) s
CROSS JOIN LATERAL {here}.{text}(s.step) t(shown)
WHERE o.id = $1;
$$;
"""
INDEX_FUNCTIONS = (
    {
        "name": "web_search_index_workflow",
        "table": "web_search_step",
        "owner": "workflow",
        "part": "version",
        "part_id": "v.id",
        "source": "{here}.workflows_workflow o\n"
        "JOIN {here}.workflows_sopversion v ON v.id = o.current_version_id",
        "steps": "v.steps",
        "text": "web_search_step_text",
    },
    {
        "name": "web_search_index_run",
        "table": "web_search_recorded_step",
        "owner": "run",
        "part": "recording",
        "part_id": "o.recording_id",
        "source": "{here}.workflows_run o",
        "steps": "o.steps",
        "text": "web_search_recorded_text",
    },
)

# Each table's rows are written again when what they are made of changes.
TRIGGERS = {
    "workflows_run": "OLD.steps IS DISTINCT FROM NEW.steps"
    " OR OLD.organization_id <> NEW.organization_id"
    " OR OLD.recording_id <> NEW.recording_id",
    "workflows_workflow": "OLD.current_version_id IS DISTINCT FROM"
    " NEW.current_version_id OR OLD.organization_id <> NEW.organization_id",
    "workflows_sopversion": "OLD.steps IS DISTINCT FROM NEW.steps",
}
TRIGGER = """
CREATE TRIGGER web_search_written AFTER INSERT OR DELETE ON {here}.{table}
    FOR EACH ROW EXECUTE FUNCTION {here}.web_search_written();
CREATE TRIGGER web_search_changed AFTER UPDATE ON {here}.{table}
    FOR EACH ROW WHEN ({changed})
    EXECUTE FUNCTION {here}.web_search_written();
CREATE TRIGGER web_search_truncated AFTER TRUNCATE ON {here}.{table}
    FOR EACH STATEMENT EXECUTE FUNCTION {here}.web_search_truncated();
"""

FILL = """
SELECT {here}.web_search_index_run(id) FROM {here}.workflows_run;
SELECT {here}.web_search_index_workflow(id) FROM {here}.workflows_workflow
WHERE current_version_id IS NOT NULL;
ANALYZE {here}.web_search_step;
ANALYZE {here}.web_search_recorded_step;
"""

DROP_TRIGGERS = """
DROP TRIGGER web_search_written ON {table};
DROP TRIGGER web_search_changed ON {table};
DROP TRIGGER web_search_truncated ON {table};
"""
DROP = (
    """
DROP FUNCTION web_search_truncated();
DROP FUNCTION web_search_written();
DROP FUNCTION web_search_index_run(bigint);
DROP FUNCTION web_search_index_workflow(bigint);
DROP TABLE web_search_recorded_step;
DROP TABLE web_search_step;
DROP FUNCTION web_search_numbered(jsonb);
DROP FUNCTION web_search_words(text);
"""
    + KEPT
)


def _filled(sql, names):
    """Return ``sql`` with each ``{name}`` of ``names`` replaced in turn.

    A value may hold a name that comes after its own, such as ``{here}``.
    """
    for name, value in names.items():
        sql = sql.replace(f"{{{name}}}", value)
    return sql


def index_each_step(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    here = vectors._schema(schema_editor, vectors.HERE)
    unaccent = vectors._schema(schema_editor, vectors.UNACCENT)
    schema_editor.execute(UNDO_VECTORS)
    schema_editor.execute(
        FUNCTIONS.replace("{here}", here).replace("{unaccent}", unaccent)
    )
    for names in INDEX_FUNCTIONS:
        schema_editor.execute(_filled(INDEX_FUNCTION, {**names, "here": here}))
    for table, changed in TRIGGERS.items():
        names = {"here": here, "table": table, "changed": changed}
        schema_editor.execute(_filled(TRIGGER, names))
    schema_editor.execute(FILL.replace("{here}", here))


def index_whole_runs(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # Back to the views ``0006`` started from, then ``0006`` once more.
    for table in TRIGGERS:
        schema_editor.execute(DROP_TRIGGERS.replace("{table}", table))
    schema_editor.execute(DROP)
    schema_editor.execute(numbered.POSTGRESQL)
    schema_editor.execute(recorded.POSTGRESQL)
    vectors.index_words(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("web", "0006_search_vectors")]

    operations = [migrations.RunPython(index_each_step, index_whole_runs)]
