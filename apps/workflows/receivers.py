"""Generate a workflow when a recording is finished; forget it when discarded."""

import logging

from django.conf import settings
from django.dispatch import receiver

from apps.core.errors import ApplicationError
from apps.recordings.signals import recording_discarded, recording_finished

from . import services

logger = logging.getLogger(__name__)


@receiver(recording_finished, dispatch_uid="workflows.generate_on_finish")
def generate_on_finish(sender, recording, **kwargs):
    if not settings.WORKFLOWS_GENERATE_ON_FINISH:
        return
    try:
        services.workflow_generate(
            organization=recording.organization,
            recording=recording,
            user=recording.created_by,
        )
    except ApplicationError as error:
        # The recording stays; it can be generated later from its page.
        logger.warning(
            "Recording not generated: %s",
            error.code,
            extra={"organization_id": recording.organization_id},
        )


@receiver(recording_discarded, dispatch_uid="workflows.forget_on_discard")
def forget_on_discard(sender, recording, **kwargs):
    # Nothing made from a discarded recording may stay: not its run, not the
    # SOP versions generated from it, not the links that show them.
    services.workflow_forget_recording(recording=recording)
