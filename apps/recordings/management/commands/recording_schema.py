import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.recordings import format

SCHEMA_FILE = Path(settings.BASE_DIR) / "schema" / "recording.schema.json"


def schema_text():
    """Return the JSON Schema of the recording format as the file holds it."""
    return json.dumps(format.json_schema(), indent=2, sort_keys=True) + "\n"


class Command(BaseCommand):
    help = "Write schema/recording.schema.json from the recording format."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Fail if the file is out of date."
        )

    def handle(self, *args, check, **options):
        text = schema_text()
        if check:
            if not SCHEMA_FILE.exists() or SCHEMA_FILE.read_text() != text:
                raise CommandError(
                    f"{SCHEMA_FILE} is out of date: run manage.py recording_schema."
                )
            return
        SCHEMA_FILE.parent.mkdir(exist_ok=True)
        SCHEMA_FILE.write_text(text)
        self.stdout.write(f"Wrote {SCHEMA_FILE}.")
