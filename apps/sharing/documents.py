"""The shared SOP as a PDF, with names hidden as on the shared page.

The PDF is rendered the way the app renders a version's PDF, from the
document and map the shared page shows, so that it names no one the page
does not. A render takes seconds; the PDF is kept in the cache by what went
into it, so a new version, a changed name or a revoked link's replacement
never gets another's PDF, and a lock in the cache lets one request render it
while others asking for the same PDF wait.
"""

import hashlib
import json
import logging
import time
from http import HTTPStatus

from django.core.cache import cache
from django.utils.text import slugify
from django.utils.translation import gettext as _

from apps.core.errors import ApplicationError
from apps.workflows import documents
from apps.workflows.render import RenderError
from apps.workflows.selectors import version_get

from . import selectors

logger = logging.getLogger(__name__)

PDF_CACHE_SECONDS = 24 * 60 * 60
# A PDF whose map failed to draw is kept only this long, so that a visit a
# little later gets the map: a visitor has no way to ask for another render.
PDF_WITHOUT_MAP_SECONDS = 5 * 60
# One request renders a PDF while the others wait for it. The lock outlives
# the longest render, so a process killed mid-render frees it in time.
RENDER_LOCK_SECONDS = 120
RENDER_WAIT_SECONDS = 30
RENDER_POLL_SECONDS = 0.25


def shared_pdf(*, link):
    """Return ``(filename, pdf)`` of the link's SOP, or None with none to show."""
    content = selectors.shared_content(link=link)
    sop = content.get("sop")
    if not sop:
        return None
    version = link.sop_version or version_get(workflow=link.workflow)
    mermaid = content.get("mermaid", "")
    key = _cache_key(sop, mermaid, version.number)
    pdf = rendered_once(key, lambda: _render(link, sop, mermaid, version.number))
    if pdf is None:
        raise ApplicationError(
            _("The PDF is still being made. Try again in a minute."),
            code="shared_pdf_busy",
            status=HTTPStatus.SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(RENDER_WAIT_SECONDS)},
        )
    return f"{slugify(sop.get('title', '')) or 'sop'}.pdf", pdf


def rendered_once(key, render, *, wait_seconds=RENDER_WAIT_SECONDS):
    """Return the PDF cached under ``key``, made by ``render`` at most once.

    ``render`` returns ``(pdf, whole)``. Of the requests that find no PDF,
    the one that takes the lock renders; the others wait for its PDF, and
    take the lock themselves if it is let go without one (a failed render).
    ``None`` when nothing came within ``wait_seconds``.
    """
    lock = f"{key}:lock"
    deadline = time.monotonic() + wait_seconds
    while True:
        pdf = cache.get(key)
        if pdf is not None:
            return pdf
        if cache.add(lock, 1, RENDER_LOCK_SECONDS):
            return _render_locked(key, lock, render)
        if time.monotonic() >= deadline:
            return None
        time.sleep(RENDER_POLL_SECONDS)


def _render_locked(key, lock, render):
    try:
        pdf, whole = render()
        cache.set(key, pdf, PDF_CACHE_SECONDS if whole else PDF_WITHOUT_MAP_SECONDS)
    finally:
        cache.delete(lock)
    return pdf


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
