"""Drop a stored ``value`` from every event that may not carry one.

Before the format refused it, a client could send typed text as the value
of a ``field_edited`` or any other event, and it was stored as sent. Only a
``choice_made`` on a field that offers options keeps its value: the option
chosen. The kinds are spelled out here so that the migration does not
change with the format module.
"""

from django.db import migrations

CHOICE_KINDS = {"select", "radio", "combobox", "listbox"}
BATCH = 2000


def _typed(data):
    if not data.get("value"):
        return False
    return not (
        data.get("type") == "choice_made" and data.get("field_kind") in CHOICE_KINDS
    )


def drop_typed_values(apps, schema_editor):
    Event = apps.get_model("recordings", "Event")
    events = Event.objects.filter(data__has_key="value").only("id", "data")
    changed = []
    for event in events.iterator(chunk_size=BATCH):
        if _typed(event.data):
            del event.data["value"]
            changed.append(event)
        if len(changed) == BATCH:
            Event.objects.bulk_update(changed, ["data"])
            changed = []
    Event.objects.bulk_update(changed, ["data"])


class Migration(migrations.Migration):
    dependencies = [("recordings", "0002_raw_batch_index")]

    operations = [
        migrations.RunPython(drop_typed_values, migrations.RunPython.noop),
    ]
