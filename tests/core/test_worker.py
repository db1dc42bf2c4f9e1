import pytest
from django.conf import settings

from ledgerium.celery import app


@pytest.mark.worker
def test_celery_worker_consumes_only_this_run_queue(celery_worker):
    queues = app.control.inspect(destination=[celery_worker.hostname]).active_queues()

    assert [queue["name"] for queue in queues[celery_worker.hostname]] == [
        settings.CELERY_TASK_DEFAULT_QUEUE
    ]
