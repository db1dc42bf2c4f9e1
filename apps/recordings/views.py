"""The recording format, readable in the browser by whoever writes files."""

from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.http import require_GET

FORMAT_DOCUMENT = Path(settings.BASE_DIR) / "docs" / "recording-format.md"
SCHEMA_FILE = Path(settings.BASE_DIR) / "schema" / "recording.schema.json"


@require_GET
def recording_format_document(request):
    return HttpResponse(
        FORMAT_DOCUMENT.read_bytes(), content_type="text/plain; charset=utf-8"
    )


@require_GET
def recording_format_schema(request):
    return HttpResponse(
        SCHEMA_FILE.read_bytes(), content_type="application/schema+json"
    )
