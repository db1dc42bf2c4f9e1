"""Keep each run's and each SOP version's words in an indexed column.

Search used to read every step of every run through the views, turning
each into words on every query: its time grew with the organization's
steps. Each run and version now stores the words of all its steps as a
generated column, ``web_search_words``, under a GIN index; search finds the
runs and versions holding the query's words through the index, then reads
only their steps through the views to rank and mark them.

The column is computed by PostgreSQL on every write that touches
``steps``, so nothing can leave it behind; adding it computes it for every
row already stored. It keeps only the words, not their positions: a run may
hold more words than a position can count. The step texts come from the
functions the views now read too, so both see the same text. The views
number each run's steps within its recording, so that a search's list of
recordings is applied before the numbering, as the organization is.

The embedded SQLite database has no text search; this does nothing there.
PostgreSQL keeps the columns tied to ``steps``: a migration that drops or
retypes ``workflows_run.steps`` or ``workflows_sopversion.steps`` must drop
them first, and the views as ``0005`` says.
"""

from importlib import import_module

from django.db import migrations

numbered = import_module("apps.web.migrations.0003_search_numbered_steps")
recorded = import_module("apps.web.migrations.0005_search_recorded_step")

# The text search configuration of ``apps.web.selectors.SEARCH_CONFIG``.
FUNCTIONS = r"""
CREATE FUNCTION web_search_step_text(step jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE
    WHEN coalesce(step ->> 'note', '') = ''
        THEN coalesce(step ->> 'text', '')
    WHEN substr(coalesce(step ->> 'text', ''), 1, 6) = 'Note: '
        THEN 'Note: ' || (step ->> 'note')
    ELSE coalesce(step ->> 'text', '') || ' (' || (step ->> 'note') || ')'
END
$$;

CREATE FUNCTION web_search_recorded_text(step jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE
    WHEN coalesce(step #>> '{decision,value}', '') = ''
        OR coalesce(step ->> 'withheld', '') = 'true'
        OR strpos(coalesce(step ->> 'text', ''), step #>> '{decision,value}') > 0
        THEN coalesce(step ->> 'text', '')
    ELSE coalesce(step ->> 'text', '')
        || ' (' || (step #>> '{decision,value}') || ')'
END
$$;

CREATE FUNCTION web_search_text_words(text text) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    RETURN strip(to_tsvector(
        'pg_catalog.english',
        {unaccent}.unaccent('{unaccent}.unaccent', translate(text, '<>', E'\x04\x05'))
    ));
EXCEPTION WHEN program_limit_exceeded THEN
    -- More distinct words than a tsvector holds: search reads this one's
    -- steps whatever the query, rather than refuse to store it.
    RETURN NULL;
END
$$;

"""

# The words of all the steps but waits, as ``web_search_text_words`` keeps
# them; ``{text}`` names the function giving one step's text.
WORDS_FUNCTION = """
CREATE FUNCTION {name}(steps jsonb) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT {here}.web_search_text_words(coalesce(string_agg(
    {here}.{text}(s.value), E'\\n' ORDER BY s.number), ''))
FROM jsonb_array_elements(
    CASE WHEN jsonb_typeof(steps) = 'array' THEN steps ELSE '[]' END
) WITH ORDINALITY AS s(value, number)
WHERE coalesce(s.value ->> 'kind', '') <> 'wait'
$$;
"""

WORDS_FUNCTIONS = {
    "web_search_run_words": "web_search_recorded_text",
    "web_search_version_words": "web_search_step_text",
}

COLUMNS = """
ALTER TABLE workflows_run ADD COLUMN web_search_words tsvector
    GENERATED ALWAYS AS (web_search_run_words(steps)) STORED;
CREATE INDEX web_search_run_words_gin ON workflows_run
    USING gin (web_search_words);
CREATE INDEX web_search_run_unworded ON workflows_run (organization_id)
    WHERE web_search_words IS NULL;
ALTER TABLE workflows_sopversion ADD COLUMN web_search_words tsvector
    GENERATED ALWAYS AS (web_search_version_words(steps)) STORED;
CREATE INDEX web_search_version_words_gin ON workflows_sopversion
    USING gin (web_search_words);
CREATE INDEX web_search_version_unworded ON workflows_sopversion (organization_id)
    WHERE web_search_words IS NULL;
"""

# One row per step but waits, numbered within ``{partition}``.
VIEW = """
CREATE VIEW {name} AS
SELECT {table}.organization_id,
       {columns},
       (row_number() OVER (PARTITION BY {table}.organization_id, {partition}
                           ORDER BY step.number))::integer AS number,
       {text}(step.value) AS text
FROM {source}
CROSS JOIN LATERAL jsonb_array_elements({table}.steps) WITH ORDINALITY
    AS step(value, number)
WHERE coalesce(step.value ->> 'kind', '') <> 'wait'
"""
STEP_VIEW = VIEW.format(
    name="web_search_step",
    table="v",
    columns="w.id AS workflow_id",
    partition="w.id",
    text="web_search_step_text",
    source="workflows_workflow w\nJOIN workflows_sopversion v ON v.id = w.current_version_id",
)
RECORDED_STEP_VIEW = VIEW.format(
    name="web_search_recorded_step",
    table="r",
    columns="r.recording_id",
    partition="r.recording_id",
    text="web_search_recorded_text",
    source="workflows_run r",
)

DROP = """
DROP VIEW web_search_step;
DROP VIEW web_search_recorded_step;
ALTER TABLE workflows_run DROP COLUMN web_search_words;
ALTER TABLE workflows_sopversion DROP COLUMN web_search_words;
DROP FUNCTION web_search_run_words(jsonb);
DROP FUNCTION web_search_version_words(jsonb);
DROP FUNCTION web_search_text_words(text);
DROP FUNCTION web_search_recorded_text(jsonb);
DROP FUNCTION web_search_step_text(jsonb);
"""


# The schemas the functions name in full, so that a row is given the same
# words whatever the search path of the session writing it, a restore's
# included.
UNACCENT = (
    "SELECT quote_ident(n.nspname) FROM pg_extension e"
    " JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'unaccent'"
)
HERE = "SELECT quote_ident(current_schema())"


def _schema(schema_editor, query):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(query)
        return cursor.fetchone()[0]


def index_words(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    functions = FUNCTIONS.replace("{unaccent}", _schema(schema_editor, UNACCENT))
    here = _schema(schema_editor, HERE)
    functions = functions.replace("{here}", here)
    schema_editor.execute("DROP VIEW web_search_step")
    schema_editor.execute("DROP VIEW web_search_recorded_step")
    schema_editor.execute(functions)
    for name, text in WORDS_FUNCTIONS.items():
        schema_editor.execute(
            WORDS_FUNCTION.replace("{name}", name)
            .replace("{text}", text)
            .replace("{here}", here)
        )
    schema_editor.execute(COLUMNS)
    schema_editor.execute(STEP_VIEW)
    schema_editor.execute(RECORDED_STEP_VIEW)


def read_every_step(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(DROP)
    schema_editor.execute(numbered.POSTGRESQL)
    schema_editor.execute(recorded.POSTGRESQL)


class Migration(migrations.Migration):
    dependencies = [
        ("web", "0005_search_recorded_step"),
        ("workflows", "0003_sopversion_reason_restored"),
    ]

    operations = [migrations.RunPython(index_words, read_every_step)]
