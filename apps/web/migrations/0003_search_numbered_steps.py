"""Number the searched steps as the SOP does: a wait is not a step.

A wait is shown between two steps without a number of its own, so a link
to "#step-12" must count steps only. The view leaves waits out and numbers
the other steps of each version in order; it reads each step's text as
``0002`` does. The window is partitioned by organization too, so that a
search's organization filter is applied before the numbering, not after.
"""

from importlib import import_module

from django.db import migrations

previous = import_module("apps.web.migrations.0002_search_full_notes")


def _numbered(sql, position, numbered, kind):
    """Return ``sql`` numbering its rows by ``numbered`` and leaving waits out."""
    if position not in sql:
        raise ValueError(f"The view no longer numbers by {position!r}.")
    return sql.replace(position, numbered).rstrip() + f"\nWHERE {kind} <> 'wait'\n"


POSTGRESQL = _numbered(
    previous.POSTGRESQL,
    "step.number::integer AS number",
    "(row_number() OVER (PARTITION BY w.organization_id, w.id ORDER BY step.number))"
    "::integer AS number",
    "coalesce(step.value ->> 'kind', '')",
)
SQLITE = _numbered(
    previous.SQLITE,
    "step.key + 1 AS number",
    "row_number() OVER (PARTITION BY w.organization_id, w.id ORDER BY step.key)"
    " AS number",
    "coalesce(json_extract(step.value, '$.kind'), '')",
)


def number_steps_only(apps, schema_editor):
    previous._recreate(schema_editor, POSTGRESQL, SQLITE)


def number_every_step(apps, schema_editor):
    previous._recreate(schema_editor, previous.POSTGRESQL, previous.SQLITE)


class Migration(migrations.Migration):
    dependencies = [("web", "0002_search_full_notes")]

    operations = [migrations.RunPython(number_steps_only, number_every_step)]
