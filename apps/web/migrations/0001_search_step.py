"""The view search reads steps from: one row per step of a current version.

PostgreSQL keeps the view tied to the columns it reads, so a migration that
drops or retypes ``workflows_workflow.current_version_id`` or
``workflows_sopversion.steps`` must drop this view first and create it again.
"""

from django.db import migrations, models

POSTGRESQL = """
CREATE VIEW web_search_step AS
SELECT w.organization_id,
       w.id AS workflow_id,
       step.number::integer AS number,
       coalesce(step.value ->> 'text', '') AS text
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
       coalesce(json_extract(step.value, '$.text'), '') AS text
FROM workflows_workflow w
JOIN workflows_sopversion v ON v.id = w.current_version_id,
     json_each(v.steps) AS step
"""


def create_view(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    schema_editor.execute(POSTGRESQL if vendor == "postgresql" else SQLITE)


def drop_view(apps, schema_editor):
    schema_editor.execute("DROP VIEW web_search_step")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0001_initial"),
        ("workflows", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_view, drop_view),
        migrations.CreateModel(
            name="SearchStep",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "workflow", "number", blank=True, editable=False,
                        primary_key=True, serialize=False,
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
                    "workflow",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=models.deletion.DO_NOTHING,
                        related_name="+",
                        to="workflows.workflow",
                    ),
                ),
            ],
            options={
                "db_table": "web_search_step",
                "ordering": ["workflow", "number"],
                "managed": False,
            },
        ),
    ]
