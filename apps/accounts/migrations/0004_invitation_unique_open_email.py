from django.db import migrations, models
from django.db.models.functions import Lower
from django.utils import timezone


def revoke_older_duplicates(apps, schema_editor):
    """Keep the newest open invitation per address and organization."""
    Invitation = apps.get_model("accounts", "Invitation")
    open_invitations = Invitation.objects.filter(
        accepted_at=None, revoked_at=None
    ).order_by("organization_id", Lower("email"), "-created_at", "-id")
    kept = set()
    older = []
    for invitation in open_invitations.only("id", "organization_id", "email"):
        key = (invitation.organization_id, invitation.email.lower())
        if key in kept:
            older.append(invitation.id)
        kept.add(key)
    Invitation.objects.filter(id__in=older).update(revoked_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_api_token_source")]

    operations = [
        migrations.RunPython(revoke_older_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="invitation",
            constraint=models.UniqueConstraint(
                models.F("organization"),
                Lower("email"),
                condition=models.Q(("accepted_at", None), ("revoked_at", None)),
                name="invitation_unique_open_email",
            ),
        ),
    ]
