from django.db import migrations

PLANS = [
    {
        "slug": "free",
        "name": "Free",
        "monthly_workflow_limit": 5,
        "price_per_month": 0,
        "is_default": True,
        "features": ["5 documented workflows a month", "SOP, map and report", "Share links"],
    },
    {
        "slug": "team",
        "name": "Team",
        "monthly_workflow_limit": 50,
        "price_per_month": 49,
        "is_default": False,
        "features": [
            "50 documented workflows a month",
            "Aggregate reports across agents",
            "Incident-history import",
        ],
    },
    {
        "slug": "business",
        "name": "Business",
        "monthly_workflow_limit": None,
        "price_per_month": 199,
        "is_default": False,
        "features": ["Unlimited workflows", "Everything in Team", "Priority support"],
    },
]


def create_plans(apps, schema_editor):
    Plan = apps.get_model("accounts", "Plan")
    for plan in PLANS:
        Plan.objects.update_or_create(slug=plan["slug"], defaults=plan)


def set_site(apps, schema_editor):
    Site = apps.get_model("sites", "Site")
    Site.objects.update_or_create(
        id=1, defaults={"domain": "127.0.0.1:8000", "name": "Ledgerium"}
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("sites", "0002_alter_domain_unique")]

    operations = [
        migrations.RunPython(create_plans, migrations.RunPython.noop),
        migrations.RunPython(set_site, migrations.RunPython.noop),
    ]
