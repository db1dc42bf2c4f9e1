"""Give a restored version its own reason, "restored", instead of "edited".

Versions restored before this were stored as edited and are known only by
their key, which starts "restore:". The prefix is written out here rather
than imported, so that this migration keeps meaning what it meant when the
app's code moves on.
"""

from django.db import migrations, models

RESTORE_KEY = "restore:"


def mark_restored(apps, schema_editor):
    SopVersion = apps.get_model("workflows", "SopVersion")
    SopVersion.objects.filter(key__startswith=RESTORE_KEY, reason="edited").update(
        reason="restored"
    )


def unmark_restored(apps, schema_editor):
    SopVersion = apps.get_model("workflows", "SopVersion")
    SopVersion.objects.filter(reason="restored").update(reason="edited")


class Migration(migrations.Migration):
    dependencies = [("workflows", "0002_run_recorded_steps")]

    operations = [
        migrations.AlterField(
            model_name="sopversion",
            name="reason",
            field=models.CharField(
                choices=[
                    ("generated", "Generated"),
                    ("edited", "Edited"),
                    ("regenerated", "Generated again"),
                    ("reference", "New reference run"),
                    ("restored", "Restored"),
                ],
                max_length=16,
            ),
        ),
        migrations.RunPython(mark_restored, unmark_restored),
    ]
