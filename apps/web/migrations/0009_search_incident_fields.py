"""Keep each incident's searched fields folded beside it, under a trigram index.

Search finds an imported incident by every word of the query in one of its
assignment group, category, subcategory, symptom or configuration item, in
any case and without accents. It used to fold the five fields of every
incident of the organization on each search, so its time grew with the
incidents: about half a second for 50,000.

``reports_incident.web_search_fields`` now holds the five fields, each
without accents, in capitals, on a line of its own in that order (a line
break inside a field becomes a space), computed by PostgreSQL on every
write, so nothing can leave it behind. A pg_trgm GIN index on it finds the
incidents holding every word somewhere; each line is then checked for them
all, without folding anything again. A B-tree index on the number in
capitals finds an incident by its number in any case.

pg_trgm is part of Debian's PostgreSQL and marked trusted, as unaccent is
(``0004``). The embedded SQLite database folds as before; this does nothing
there. PostgreSQL keeps the column tied to the five fields: a migration that
drops or retypes one of them must drop the column first.
"""

from importlib import import_module

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

vectors = import_module("apps.web.migrations.0006_search_vectors")

# The fields as ``apps.web.selectors.INCIDENT_FIELDS`` lists them, a line each.
FIELDS = ("assignment_group", "category", "subcategory", "symptom", "cmdb_ci")
TRIGRAM = (
    "SELECT quote_ident(n.nspname) FROM pg_extension e"
    " JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'"
)

CREATE = """
CREATE FUNCTION {here}.web_search_folded(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT upper({unaccent}.unaccent('{unaccent}.unaccent', $1))
$$;
ALTER TABLE {here}.reports_incident ADD COLUMN web_search_fields text
    GENERATED ALWAYS AS ({here}.web_search_folded({lines})) STORED;
CREATE INDEX web_search_incident_fields ON {here}.reports_incident
    USING gin (web_search_fields {trigram}.gin_trgm_ops);
CREATE INDEX web_search_incident_number
    ON {here}.reports_incident (organization_id, upper(number::text));
"""
# What each line holds, for the planner: without it, it cannot tell how
# many incidents hold a common word on a line, and fetches every incident
# the index gives rather than reading them in order of number until the 50
# shown are found.
LINE_STATISTICS = """
CREATE STATISTICS {here}.web_search_incident_line_{line}
    ON (split_part(web_search_fields, E'\\n', {line})) FROM {here}.reports_incident;
"""
ANALYZE = "ANALYZE {here}.reports_incident;"
DROP_LINE_STATISTICS = "DROP STATISTICS web_search_incident_line_{line};"
DROP = """
DROP INDEX web_search_incident_number;
DROP INDEX web_search_incident_fields;
ALTER TABLE reports_incident DROP COLUMN web_search_fields;
DROP FUNCTION web_search_folded(text);
"""


def fold_fields(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    lines = " || E'\\n' || ".join(
        f"translate({field}, E'\\n', ' ')" for field in FIELDS
    )
    names = {
        "here": vectors._schema(schema_editor, vectors.HERE),
        "unaccent": vectors._schema(schema_editor, vectors.UNACCENT),
        "trigram": vectors._schema(schema_editor, TRIGRAM),
        "lines": lines,
    }
    statistics = (
        LINE_STATISTICS.replace("{line}", str(line))
        for line in range(1, len(FIELDS) + 1)
    )
    sql = "".join([CREATE, *statistics, ANALYZE])
    for name, value in names.items():
        sql = sql.replace(f"{{{name}}}", value)
    schema_editor.execute(sql)


def drop_folded_fields(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for line in range(1, len(FIELDS) + 1):
        schema_editor.execute(DROP_LINE_STATISTICS.replace("{line}", str(line)))
    schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("web", "0008_search_recorded_step_recording"),
        ("reports", "0003_incident_assigned_to"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(fold_fields, drop_folded_fields),
    ]
