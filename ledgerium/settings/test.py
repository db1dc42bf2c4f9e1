"""Test settings: real PostgreSQL and Redis, never the embedded default.

Each test process gets its own database name and Celery queue so that
several runs on one machine cannot read each other's rows or tasks.
"""

import os

from .base import *  # noqa: F403
from .base import env

RUN_ID = env("LEDGERIUM_TEST_RUN_ID", default=str(os.getpid()))

DATABASES = {
    "default": env.db(
        "DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/ledgerium"
    )
}
DATABASES["default"]["TEST"] = {"NAME": f"test_ledgerium_{RUN_ID}"}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/15")
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_DEFAULT_QUEUE = env(
    "CELERY_TASK_DEFAULT_QUEUE", default=f"ledgerium-test-{RUN_ID}"
)
EMBEDDED_BROKER = False
EMBEDDED_DATABASE = False

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("REDIS_URL", default="redis://127.0.0.1:6379/14"),
        "KEY_PREFIX": f"test-{RUN_ID}",
    }
}
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
