"""Search a note step by its whole note, not the shortened text it shows.

A note step's text is its note cut to one line (``Note: ...``); the note as
written stays in its ``note`` key. The view reads the whole note: as
``Note: <note>`` while the text is the note's own, and after the text where
an editor reworded the step into something else.
"""

from importlib import import_module

from django.db import migrations

first = import_module("apps.web.migrations.0001_search_step")

POSTGRESQL = """
CREATE VIEW web_search_step AS
SELECT w.organization_id,
       w.id AS workflow_id,
       step.number::integer AS number,
       CASE
           WHEN coalesce(step.value ->> 'note', '') = ''
               THEN coalesce(step.value ->> 'text', '')
           WHEN substr(coalesce(step.value ->> 'text', ''), 1, 6) = 'Note: '
               THEN 'Note: ' || (step.value ->> 'note')
           ELSE (step.value ->> 'text') || ' (' || (step.value ->> 'note') || ')'
       END AS text
FROM workflows_workflow w
JOIN workflows_sopversion v ON v.id = w.current_version_id
CROSS JOIN LATERAL jsonb_array_elements(v.steps) WITH ORDINALITY
    AS step(value, number)
"""

SQLITE = """
CREATE VIEW web_search_step AS
SELECT w.organization_id,
       w.id AS workflow_id,
       step.key + 1 AS number,
       CASE
           WHEN coalesce(json_extract(step.value, '$.note'), '') = ''
               THEN coalesce(json_extract(step.value, '$.text'), '')
           WHEN substr(coalesce(json_extract(step.value, '$.text'), ''), 1, 6)
               = 'Note: '
               THEN 'Note: ' || json_extract(step.value, '$.note')
           ELSE json_extract(step.value, '$.text')
               || ' (' || json_extract(step.value, '$.note') || ')'
       END AS text
FROM workflows_workflow w
JOIN workflows_sopversion v ON v.id = w.current_version_id,
     json_each(v.steps) AS step
"""


def _recreate(schema_editor, postgresql, sqlite):
    vendor = schema_editor.connection.vendor
    schema_editor.execute("DROP VIEW web_search_step")
    schema_editor.execute(postgresql if vendor == "postgresql" else sqlite)


def read_whole_notes(apps, schema_editor):
    _recreate(schema_editor, POSTGRESQL, SQLITE)


def read_shortened_notes(apps, schema_editor):
    _recreate(schema_editor, first.POSTGRESQL, first.SQLITE)


class Migration(migrations.Migration):
    dependencies = [("web", "0001_search_step")]

    operations = [migrations.RunPython(read_whole_notes, read_shortened_notes)]
