from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.workflows import selectors, services
from apps.workflows.models import State, Workflow
from apps.workflows.views import export_body

FORMATS = ("pdf", "md", "html", "mermaid", "bpmn", "svg")


class Command(BaseCommand):
    help = "Write one export of a workflow's current SOP version to a file."

    def add_arguments(self, parser):
        parser.add_argument("workflow_id", type=int)
        parser.add_argument("--format", choices=FORMATS, required=True)
        parser.add_argument("--out", required=True, help="The file to write.")
        parser.add_argument(
            "--sop-version",
            type=int,
            dest="sop_version",
            help="A version number; the current one if left out.",
        )

    def handle(self, *args, workflow_id, **options):
        workflow = (
            Workflow.objects.select_related("organization")
            .filter(pk=workflow_id)
            .first()
        )
        if workflow is None:
            raise CommandError(f"No workflow has the id {workflow_id}.")
        version = selectors.version_get(
            workflow=workflow, number=options["sop_version"]
        )
        if version is None:
            raise CommandError(
                "This workflow has no SOP version yet; generate it first."
            )
        if options["format"] in ("pdf", "svg") and version.render_state != State.READY:
            version = services.version_render(version=version)

        body = export_body(version, options["format"], workflow.organization.name)
        data = body if isinstance(body, bytes) else body.encode()
        Path(options["out"]).write_bytes(data)
        self.stdout.write(f"Wrote {len(data)} bytes to {options['out']}")
