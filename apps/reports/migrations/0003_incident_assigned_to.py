from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def assignees_backfill(apps, schema_editor):
    """Give each incident the last assignee its final group's updates name."""
    Incident = apps.get_model("reports", "Incident")
    IncidentUpdate = apps.get_model("reports", "IncidentUpdate")
    latest = (
        IncidentUpdate.objects.filter(
            incident=OuterRef("pk"), assignment_group=OuterRef("assignment_group")
        )
        .exclude(assigned_to="")
        .order_by("-sequence")
        .values("assigned_to")[:1]
    )
    Incident.objects.update(assigned_to=Coalesce(Subquery(latest), Value("")))


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_incident_import"),
    ]

    operations = [
        migrations.AddField(
            model_name="incident",
            name="assigned_to",
            field=models.CharField(blank=True, max_length=120),
        ),
        migrations.RunPython(assignees_backfill, migrations.RunPython.noop),
    ]
