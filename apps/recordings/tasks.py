import logging
from datetime import timedelta

from celery import shared_task

from .services import raw_batches_replay_stale

logger = logging.getLogger(__name__)


@shared_task
def raw_batches_replay_task(older_than_seconds=300):
    """Store the raw batches a crash left unstored; Celery beat runs it."""
    replayed = raw_batches_replay_stale(
        older_than=timedelta(seconds=older_than_seconds)
    )
    if replayed:
        logger.info("Replayed %s raw batches", replayed)
    return replayed
