"""The shared page's PDF: the same checks as the page, and the same names."""

import subprocess
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.utils import timezone

from apps.sharing import documents as shared_documents
from apps.sharing import services
from apps.sharing.models import ShareLink
from apps.workflows.render import RenderError
from tests.sharing.helpers import workflow_built, workflow_in

pytestmark = pytest.mark.django_db

AGENT = "Sam Keller"
OWNER = "Dana Wright"
PASSWORD = "open sesame 42"


@pytest.fixture
def workflow(organization):
    """A workflow with runs, whose agent and owner have names to hide."""
    return workflow_built(organization)


@pytest.fixture
def version_only(organization):
    """A workflow with an SOP version and no run: enough for the checks."""
    return workflow_in(organization)


def _link(organization, workflow, **options):
    membership = organization.memberships.get(role="owner")
    return services.share_link_create(
        membership=membership, workflow=workflow, **options
    )


def _text(pdf, tmp_path):
    path = tmp_path / "shared.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    )
    return " ".join(result.stdout.split())


def test_shared_pdf_names_nobody_as_the_page_does(
    organization, workflow, client, tmp_path
):
    link, raw = _link(organization, workflow)

    page = client.get(f"/s/{raw}/").content.decode()
    response = client.get(f"/s/{raw}/pdf/")

    assert f'href="/s/{raw}/pdf/"' in page
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="')
    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]
    text = _text(response.content, tmp_path)
    for name in (AGENT, OWNER, "Keller", "Wright", "Dana", organization.name):
        assert name not in text
    assert "Assign the owner" in text and "in the recording: Assignee A" in text
    link.refresh_from_db()
    assert link.view_count == 2


def test_shared_pdf_shows_names_when_the_link_says_so(
    organization, workflow, client, tmp_path
):
    _row, raw = _link(organization, workflow, show_names=True)

    text = _text(client.get(f"/s/{raw}/pdf/").content, tmp_path)

    assert f"in the recording: {OWNER}" in text
    assert "Assignee A" not in text


def test_hidden_and_shown_names_never_share_a_cached_pdf(
    organization, workflow, client, tmp_path
):
    _shown, shown_raw = _link(organization, workflow, show_names=True)
    _hidden, hidden_raw = _link(organization, workflow)

    client.get(f"/s/{shown_raw}/pdf/")
    text = _text(client.get(f"/s/{hidden_raw}/pdf/").content, tmp_path)

    assert OWNER not in text


def test_revoked_or_expired_link_gives_no_pdf(organization, version_only, client):
    revoked, revoked_raw = _link(organization, version_only)
    _expiring, expired_raw = _link(
        organization, version_only, expires_at=timezone.now() + timedelta(hours=1)
    )
    services.share_link_revoke(
        membership=organization.memberships.get(role="owner"), link=revoked
    )
    ShareLink.objects.filter(token_hash=ShareLink.hash(expired_raw)).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    for raw in (revoked_raw, expired_raw, "not-a-token"):
        response = client.get(f"/s/{raw}/pdf/")

        assert response.status_code == HTTPStatus.NOT_FOUND
        assert response["Content-Type"].startswith("text/html")
        assert "no-store" in response["Cache-Control"]


def test_password_link_gives_the_pdf_only_once_unlocked(
    organization, version_only, client
):
    _row, raw = _link(organization, version_only, password=PASSWORD)

    locked = client.get(f"/s/{raw}/pdf/")
    client.post(f"/s/{raw}/", {"password": PASSWORD})
    unlocked = client.get(f"/s/{raw}/pdf/")

    assert locked.status_code == HTTPStatus.FOUND
    assert locked["Location"] == f"/s/{raw}/"
    assert locked.content == b""
    assert unlocked.status_code == HTTPStatus.OK
    assert unlocked.content.startswith(b"%PDF")


def test_shared_pdf_refuses_a_post(organization, version_only, client):
    _row, raw = _link(organization, version_only)

    response = client.post(f"/s/{raw}/pdf/")

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


class _KeptPdfs:
    """A cache that remembers how long each PDF was to be kept."""

    def __init__(self):
        self.timeouts = {}

    def get(self, key):
        return None

    def set(self, key, value, timeout):
        self.timeouts[key] = timeout

    def add(self, key, value, timeout):
        # The render lock: always free here.
        return True

    def delete(self, key):
        pass


def test_pdf_without_its_map_is_kept_only_a_short_while(
    organization, version_only, client, monkeypatch
):
    """A later visit gets the map once it draws again, not a day later."""

    def fail(source):
        raise RenderError("Chromium did not start")

    kept = _KeptPdfs()
    monkeypatch.setattr(shared_documents.documents, "render_map_svg", fail)
    monkeypatch.setattr(shared_documents, "cache", kept)
    _row, raw = _link(organization, version_only)

    response = client.get(f"/s/{raw}/pdf/")

    assert response.status_code == HTTPStatus.OK
    assert list(kept.timeouts.values()) == [shared_documents.PDF_WITHOUT_MAP_SECONDS]
