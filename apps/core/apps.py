import logging
import os
import sys

from django.apps import AppConfig
from django.conf import settings

logger = logging.getLogger(__name__)


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"

    def ready(self):
        announce = "runserver" in sys.argv and os.environ.get("RUN_MAIN") == "true"
        if announce and (settings.EMBEDDED_DATABASE or settings.EMBEDDED_BROKER):
            engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
            logger.warning(
                "Running on the embedded default: %s database, %s, mail to the "
                "console. Set DATABASE_URL and CELERY_BROKER_URL for PostgreSQL "
                "and Redis.",
                "SQLite under var/" if settings.EMBEDDED_DATABASE else engine,
                "tasks run in-process" if settings.EMBEDDED_BROKER else "Celery",
            )
