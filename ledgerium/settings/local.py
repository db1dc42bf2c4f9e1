"""Development settings: the embedded default unless the environment says otherwise."""

from .base import *  # noqa: F403
from .base import EMBEDDED_BROKER, EMBEDDED_DATABASE, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)

# With no broker there is no worker: run builds on a thread of this process,
# after the request that queued them has answered, so its page shows the
# progress. A real broker sends them to the Celery worker as in production.
LEDGERIUM_TASKS_IN_THREAD = EMBEDDED_BROKER

# The demo's own SQLite file under var/: a staff login with a published
# password there opens nothing but the demo (see `manage.py demo_setup`).
LEDGERIUM_DEMO_STAFF = EMBEDDED_DATABASE
