"""The shared SOP as a PDF, with names hidden as on the shared page.

The PDF is rendered the way the app renders a version's PDF, from the
document and map the shared page shows, followed by the report when the
link includes it, printed as the report's own PDF, so that it names no one
the page does not. A render takes seconds, so a Celery task makes it (see
``services.shared_pdf_build``) and stores it by the version, the link's
settings and a digest of the rows it was read from.
"""

import hashlib
import json
import logging

from django.utils.text import slugify

from apps.workflows import documents
from apps.workflows.render import RenderError

logger = logging.getLogger(__name__)


# Raised when the same inputs come to make a different PDF: a change to how
# names are hidden, say, or to the PDF's layout.
PDF_FORMAT = 2


def pdf_digest(inputs):
    """Return the SHA-256 of ``inputs``, what a shared PDF is made from.

    ``inputs`` are what ``selectors.shared_document_inputs`` reads, not the
    document: a digest is taken on each visit, and the report takes a
    second or more to build.
    """
    encoded = json.dumps([PDF_FORMAT, inputs], sort_keys=True, default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


def pdf_filename(document):
    return f"{slugify(document['sop'].get('title', '')) or 'sop'}.pdf"[:120]


def map_svg(mermaid, *, organization_id):
    """Return the map's SVG, and whether it drew; the PDF reads whole without."""
    if not mermaid:
        return "", True
    try:
        return documents.render_map_svg(mermaid), True
    except RenderError:
        # The app's own PDF waits for a retry instead; a shared PDF goes out
        # without its map, and is made again a little later.
        logger.warning(
            "Shared PDF rendered without its map",
            extra={"organization_id": organization_id},
        )
        return "", False


def pdf_render(document, *, svg, version_number):
    """Return the PDF of the SOP, then of the report when the link includes it."""
    # The shared page names no organization, so neither does its PDF.
    sop = documents.pdf_html(
        document=document["sop"],
        organization_name="",
        version_number=version_number,
        svg=svg,
    )
    pages = [sop, document["report"]] if document["report"] else [sop]
    return documents.html_to_pdf(*pages)
