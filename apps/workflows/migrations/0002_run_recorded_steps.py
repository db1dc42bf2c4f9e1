"""Store every built run's steps as recorded, without the SOP editor's edits.

Runs built before this kept the steps with the workflow's edits applied, so
a step deleted from the SOP was missing from the report too. Each ready run
is built again from its recording's events with the organization's current
system rules, as generating the workflow again would.
"""

from django.db import migrations

from apps.recordings.selectors import recording_events
from apps.workflows.pipeline import recorded_steps
from apps.workflows.selectors import system_rules
from apps.workflows.services import run_recorded_fields


def record_steps(apps, schema_editor):
    Run = apps.get_model("workflows", "Run")
    runs = Run.objects.filter(state="ready").select_related("recording")
    for run in runs.iterator(chunk_size=100):
        events = recording_events(recording=run.recording)
        if not events:
            continue
        steps = recorded_steps(
            events,
            rules=system_rules(organization=run.organization_id),
            privacy=run.recording.privacy,
        )
        Run.objects.filter(pk=run.pk).update(**run_recorded_fields(steps))


class Migration(migrations.Migration):
    dependencies = [
        ("recordings", "0002_raw_batch_index"),
        ("workflows", "0001_initial"),
    ]

    operations = [migrations.RunPython(record_steps, migrations.RunPython.noop)]
