"""The shared SOP as a PDF, with names hidden as on the shared page.

The PDF is rendered the way the app renders a version's PDF, from the
document and map the shared page shows, so that it names no one the page
does not. A render takes seconds; the PDF is kept in the cache by what went
into it, so a new version, a changed name or a revoked link's replacement
never gets another's PDF.
"""

import hashlib
import json
import logging

from django.core.cache import cache
from django.utils.text import slugify

from apps.workflows import documents
from apps.workflows.render import RenderError
from apps.workflows.selectors import version_get

from . import selectors

logger = logging.getLogger(__name__)

PDF_CACHE_SECONDS = 24 * 60 * 60
# A PDF whose map failed to draw is kept only this long, so that a visit a
# little later gets the map: a visitor has no way to ask for another render.
PDF_WITHOUT_MAP_SECONDS = 5 * 60


def shared_pdf(*, link):
    """Return ``(filename, pdf)`` of the link's SOP, or None with none to show."""
    content = selectors.shared_content(link=link)
    sop = content.get("sop")
    if not sop:
        return None
    version = link.sop_version or version_get(workflow=link.workflow)
    key = _cache_key(sop, content.get("mermaid", ""), version.number)
    pdf = cache.get(key)
    if pdf is None:
        pdf, whole = _render(link, sop, content.get("mermaid", ""), version.number)
        cache.set(key, pdf, PDF_CACHE_SECONDS if whole else PDF_WITHOUT_MAP_SECONDS)
    return f"{slugify(sop.get('title', '')) or 'sop'}.pdf", pdf


def _cache_key(sop, mermaid, version_number):
    inputs = json.dumps([sop, mermaid, version_number], sort_keys=True, default=str)
    digest = hashlib.sha256(inputs.encode()).hexdigest()
    return f"sharing:pdf:{digest}"


def _render(link, sop, mermaid, version_number):
    """Return the PDF, and whether it holds the map it should."""
    svg, whole = "", True
    if mermaid:
        try:
            svg = documents.render_map_svg(mermaid)
        except RenderError:
            # The SOP reads whole without its map; the app's own PDF waits
            # for a retry instead, but a visitor cannot ask for one.
            logger.warning(
                "Shared PDF rendered without its map",
                extra={"organization_id": link.organization_id},
            )
            whole = False
    # The shared page names no organization, so neither does its PDF.
    pdf = documents.render_pdf(
        document=sop, organization_name="", version_number=version_number, svg=svg
    )
    return pdf, whole
