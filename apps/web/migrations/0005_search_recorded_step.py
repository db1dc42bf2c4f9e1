"""The view search reads recorded steps from: one row per step of each run.

A run keeps its steps as recorded; the view numbers them as the SOP does
(a wait is left out and takes no number), so the numbers match the
recording page's. A decision's text may not name the value chosen ("Assign
the owner"): the value follows in brackets, unless it was withheld, so that
the person or team chosen is found too.

PostgreSQL keeps the view tied to the columns it reads: a migration that
drops or retypes ``workflows_run.steps`` or ``workflows_run.recording_id``
must drop this view first.
"""

from django.db import migrations, models

POSTGRESQL = """
CREATE VIEW web_search_recorded_step AS
SELECT r.organization_id,
       r.recording_id,
       (row_number() OVER (PARTITION BY r.organization_id, r.id
                           ORDER BY step.number))::integer AS number,
       CASE
           WHEN coalesce(step.value #>> '{decision,value}', '') = ''
               OR coalesce((step.value ->> 'withheld')::boolean, false)
               OR strpos(coalesce(step.value ->> 'text', ''),
                         step.value #>> '{decision,value}') > 0
               THEN coalesce(step.value ->> 'text', '')
           ELSE coalesce(step.value ->> 'text', '')
               || ' (' || (step.value #>> '{decision,value}') || ')'
       END AS text
FROM workflows_run r
CROSS JOIN LATERAL jsonb_array_elements(r.steps) WITH ORDINALITY
    AS step(value, number)
WHERE coalesce(step.value ->> 'kind', '') <> 'wait'
"""

SQLITE = """
CREATE VIEW web_search_recorded_step AS
SELECT r.organization_id,
       r.recording_id,
       row_number() OVER (PARTITION BY r.organization_id, r.id ORDER BY step.key)
           AS number,
       CASE
           WHEN coalesce(json_extract(step.value, '$.decision.value'), '') = ''
               OR coalesce(json_extract(step.value, '$.withheld'), 0)
               OR instr(coalesce(json_extract(step.value, '$.text'), ''),
                        json_extract(step.value, '$.decision.value')) > 0
               THEN coalesce(json_extract(step.value, '$.text'), '')
           ELSE coalesce(json_extract(step.value, '$.text'), '')
               || ' (' || json_extract(step.value, '$.decision.value') || ')'
       END AS text
FROM workflows_run r,
     json_each(r.steps) AS step
WHERE coalesce(json_extract(step.value, '$.kind'), '') <> 'wait'
"""


def create_view(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    schema_editor.execute(POSTGRESQL if vendor == "postgresql" else SQLITE)


def drop_view(apps, schema_editor):
    schema_editor.execute("DROP VIEW web_search_recorded_step")


class Migration(migrations.Migration):
    dependencies = [
        ("web", "0004_unaccent"),
        ("recordings", "0001_initial"),
        ("workflows", "0002_run_recorded_steps"),
    ]

    operations = [
        migrations.RunPython(create_view, drop_view),
        migrations.CreateModel(
            name="SearchRecordedStep",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "recording",
                        "number",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("number", models.PositiveIntegerField()),
                ("text", models.TextField()),
                (
                    "organization",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=models.deletion.DO_NOTHING,
                        related_name="+",
                        to="accounts.organization",
                    ),
                ),
                (
                    "recording",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=models.deletion.DO_NOTHING,
                        related_name="+",
                        to="recordings.recording",
                    ),
                ),
            ],
            options={
                "db_table": "web_search_recorded_step",
                "ordering": ["recording", "number"],
                "managed": False,
            },
        ),
    ]
