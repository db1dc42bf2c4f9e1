import django.db.models.deletion
from django.db import migrations, models


def copy_links(apps, schema_editor):
    """Keep the link each invitation was mailed with working."""
    Invitation = apps.get_model("accounts", "Invitation")
    InvitationLink = apps.get_model("accounts", "InvitationLink")
    InvitationLink.objects.bulk_create(
        InvitationLink(
            organization_id=invitation.organization_id,
            invitation_id=invitation.id,
            token_hash=invitation.token_hash,
            created_at=invitation.created_at,
        )
        for invitation in Invitation.objects.only(
            "id", "organization_id", "token_hash", "created_at"
        ).iterator()
    )


def copy_links_back(apps, schema_editor):
    """Give each invitation back the first link it was mailed with."""
    InvitationLink = apps.get_model("accounts", "InvitationLink")
    Invitation = apps.get_model("accounts", "Invitation")
    first_links = InvitationLink.objects.order_by("invitation_id", "created_at", "id")
    for link in first_links.distinct("invitation_id").iterator():
        Invitation.objects.filter(pk=link.invitation_id).update(
            token_hash=link.token_hash
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0007_api_token_verbose_name")]

    operations = [
        migrations.CreateModel(
            name="InvitationLink",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("token_hash", models.CharField(max_length=64, unique=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "invitation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="links",
                        to="accounts.invitation",
                    ),
                ),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.organization",
                    ),
                ),
            ],
            options={"abstract": False},
        ),
        # Nullable for a moment, so that going back can add the column
        # before it fills it.
        migrations.AlterField(
            model_name="invitation",
            name="token_hash",
            field=models.CharField(max_length=64, null=True, unique=True),
        ),
        migrations.RunPython(copy_links, copy_links_back),
        migrations.RemoveField(model_name="invitation", name="token_hash"),
    ]
