from django.core.management.base import BaseCommand, CommandError

from apps.core.errors import ApplicationError
from apps.recordings.models import Recording
from apps.workflows import selectors, services
from apps.workflows.models import State


class Command(BaseCommand):
    help = "Generate the workflow of a finished recording now; print its id."

    def add_arguments(self, parser):
        parser.add_argument("recording_id")

    def handle(self, *args, recording_id, **options):
        recording = (
            Recording.objects.select_related("organization")
            .filter(pk=_uuid(recording_id))
            .first()
        )
        if recording is None:
            raise CommandError(f"No recording has the id {recording_id}.")
        organization = recording.organization
        try:
            workflow = services.workflow_generate(
                organization=organization, recording=recording, enqueue=False
            )
            run = selectors.run_for_recording(
                organization=organization, recording=recording
            )
            if run.state != State.READY:
                services.run_build(run=run, generation=run.generation)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(str(workflow.pk))


def _uuid(value):
    import uuid

    try:
        return uuid.UUID(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a recording id (a UUID).") from None
