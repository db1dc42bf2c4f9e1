import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ledgerium.settings.local")

app = Celery("ledgerium")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
