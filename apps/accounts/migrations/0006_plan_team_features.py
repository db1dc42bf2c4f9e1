"""Say what the Team plan adds in terms of what is enforced.

Every plan reports across the runs of a workflow, whatever agents recorded
them, so "Aggregate reports across agents" promised nothing that Free lacks.
What Team adds is the incident-history import and what is built from it.
"""

from django.db import migrations

OLD = "Aggregate reports across agents"
NEW = "Suggested severity and team, similar and stalled incidents from that history"


def reword(apps, schema_editor, old, new):
    Plan = apps.get_model("accounts", "Plan")
    for plan in Plan.objects.filter(slug="team"):
        plan.features = [new if feature == old else feature for feature in plan.features]
        if new in plan.features and plan.features[-1] != new:
            plan.features.remove(new)
            plan.features.append(new)
        plan.save(update_fields=["features"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_plan_incident_history")]

    operations = [
        migrations.RunPython(
            lambda apps, editor: reword(apps, editor, OLD, NEW),
            lambda apps, editor: reword(apps, editor, NEW, OLD),
        ),
    ]
