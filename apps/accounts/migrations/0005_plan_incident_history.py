from django.db import migrations, models

# The plans whose pricing lists incident-history import.
PLANS_WITH_INCIDENT_HISTORY = ["team", "business"]


def grant_incident_history(apps, schema_editor):
    Plan = apps.get_model("accounts", "Plan")
    Plan.objects.filter(slug__in=PLANS_WITH_INCIDENT_HISTORY).update(
        incident_history=True
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_invitation_unique_open_email")]

    operations = [
        migrations.AddField(
            model_name="plan",
            name="incident_history",
            field=models.BooleanField(
                default=False,
                help_text="Whether organizations on the plan may import incident "
                "history.",
                verbose_name="incident-history import",
            ),
        ),
        migrations.RunPython(grant_incident_history, migrations.RunPython.noop),
    ]
