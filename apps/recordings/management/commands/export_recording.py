import msgspec
from django.core.management.base import BaseCommand, CommandError

from apps.recordings import xes
from apps.recordings.selectors import recording_by_id, recording_document


class Command(BaseCommand):
    help = "Write a recording as its JSON document or as an XES event log."

    def add_arguments(self, parser):
        parser.add_argument("id", help="The recording's id (a UUID).")
        parser.add_argument("--format", choices=["json", "xes"], default="json")
        parser.add_argument("--output", "-o", help="A file to write; stdout if unset.")

    def handle(self, *args, id, format, output, **options):
        recording = recording_by_id(id)
        if recording is None:
            raise CommandError(f"No recording has the id {id!r}.")
        if format == "xes":
            document = recording_document(recording=recording, corrected=True)
            body = xes.write([document])
        else:
            document = recording_document(recording=recording, corrected=False)
            body = msgspec.json.format(msgspec.json.encode(document), indent=2) + b"\n"
        if output:
            with open(output, "wb") as handle:
                handle.write(body)
        else:
            self.stdout.write(body.decode(), ending="")
