"""The recording format, readable in the browser by whoever writes files."""

from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .guide import page_from_markdown

FORMAT_DOCUMENT = Path(settings.BASE_DIR) / "docs" / "recording-format.md"
SCHEMA_FILE = Path(settings.BASE_DIR) / "schema" / "recording.schema.json"


@require_GET
def recording_format_document(request):
    page = page_from_markdown(FORMAT_DOCUMENT.read_text(encoding="utf-8"))
    return render(request, "recordings/format.html", {"page": page})


@require_GET
def recording_format_text(request):
    return HttpResponse(
        FORMAT_DOCUMENT.read_bytes(), content_type="text/plain; charset=utf-8"
    )


@require_GET
def recording_format_schema(request):
    return HttpResponse(
        SCHEMA_FILE.read_bytes(), content_type="application/schema+json"
    )
