"""Seed the helpdesk with its teams' queues and two staff users.

Run inside the helpdesk's own virtual environment after ``migrate``. The
passwords are arguments so the fixture, not this file, decides them.
"""

import sys

import django

QUEUES = [("Service Desk", "sd"), ("Network", "net"), ("Database", "db")]
USERS = [
    ("alex.agent", "Alex", "Agent"),
    ("nina.network", "Nina", "Network"),
]


def seed(password):
    from django.contrib.auth.models import User
    from django.contrib.sites.models import Site
    from helpdesk.models import Queue

    Site.objects.update_or_create(
        id=1, defaults={"domain": "127.0.0.1", "name": "Helpdesk"}
    )
    for title, slug in QUEUES:
        Queue.objects.get_or_create(
            slug=slug, defaults={"title": title, "allow_public_submission": False}
        )
    for username, first, last in USERS:
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "is_staff": True},
        )
        user.email = f"{username}@example.invalid"
        user.set_password(password)
        user.save()


if __name__ == "__main__":
    django.setup()
    seed(sys.argv[1])
