import msgspec
from django.core.management.base import BaseCommand, CommandError

from apps.recordings import xes
from apps.recordings.selectors import recording_by_id, recording_document


class Command(BaseCommand):
    help = (
        "Write a recording as its JSON document, or recordings as one XES event "
        "log with a trace each."
    )

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="+", metavar="ID", help="Recording ids.")
        parser.add_argument("--format", choices=["json", "xes"], default="json")
        parser.add_argument("--output", "-o", help="A file to write; stdout if unset.")

    def handle(self, *args, ids, format, output, **options):
        if format == "json" and len(ids) > 1:
            raise CommandError("A JSON export takes one id; use --format xes for many.")
        recordings = [self._recording(recording_id) for recording_id in ids]
        if format == "xes":
            documents = [
                recording_document(recording=recording, corrected=True)
                for recording in recordings
            ]
            body = xes.write(documents)
        else:
            document = recording_document(recording=recordings[0], corrected=False)
            body = msgspec.json.format(msgspec.json.encode(document), indent=2) + b"\n"
        if output:
            with open(output, "wb") as handle:
                handle.write(body)
        else:
            self.stdout.write(body.decode(), ending="")

    def _recording(self, recording_id):
        recording = recording_by_id(recording_id)
        if recording is None:
            raise CommandError(f"No recording has the id {recording_id!r}.")
        return recording
