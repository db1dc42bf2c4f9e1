"""The shared page's PDF: the same checks as the page, and the same names.

Builds run here in the request through the task itself, in place of the
worker; ``test_shared_pdf_worker`` runs them on a real one.
"""

import threading
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.db import connections
from django.utils import timezone

from apps.sharing import documents as shared_documents
from apps.sharing import selectors, services
from apps.sharing.models import SharedPdf, ShareLink
from apps.sharing.tasks import shared_pdf_build_task
from apps.workflows.models import State
from apps.workflows.render import RenderError
from apps.workflows.services import workflow_edit
from tests.sharing.helpers import pdf_text, version_next, workflow_built, workflow_in

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


@pytest.fixture
def enqueued(monkeypatch):
    """Record each build the views enqueue, and run it at once."""
    sent = []

    def enqueue(task, args, **options):
        sent.append(tuple(args))
        task.apply(args)

    monkeypatch.setattr(services, "task_enqueue", enqueue)
    return sent


@pytest.fixture
def held(monkeypatch):
    """Record each build the views enqueue, and leave it queued."""
    sent = []
    monkeypatch.setattr(
        services, "task_enqueue", lambda task, args, **options: sent.append(args)
    )
    return sent


@pytest.fixture
def report_builds(monkeypatch):
    """Count the reports the sharing code builds, each still built for real."""
    built = []
    build_report = selectors.build_report

    def counted(traces):
        built.append(len(traces))
        return build_report(traces)

    monkeypatch.setattr(selectors, "build_report", counted)
    return built


def _link(organization, workflow, **options):
    membership = organization.memberships.get(role="owner")
    return services.share_link_create(
        membership=membership, workflow=workflow, **options
    )


def _download(client, raw):
    """Ask for the PDF, follow its progress page, and return the download."""
    asked = client.get(f"/s/{raw}/pdf/")
    assert asked.status_code == HTTPStatus.FOUND
    assert asked["Location"] == f"/s/{raw}/pdf/progress/"
    progress = client.get(asked["Location"]).content.decode()
    assert f'<meta http-equiv="refresh" content="0; url=/s/{raw}/pdf/">' in progress
    return client.get(f"/s/{raw}/pdf/")


@pytest.mark.django_db
def test_shared_pdf_names_nobody_as_the_page_does(
    organization, workflow, client, tmp_path, enqueued
):
    link, raw = _link(organization, workflow)

    page = client.get(f"/s/{raw}/").content.decode()
    response = _download(client, raw)

    assert f'href="/s/{raw}/pdf/" rel="nofollow">' in page
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="')
    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]
    text = pdf_text(response.content, tmp_path)
    for name in (AGENT, OWNER, "Keller", "Wright", "Dana", organization.name):
        assert name not in text
    assert "Assign the owner" in text and "in the recording: Assignee A" in text
    link.refresh_from_db()
    assert link.view_count == 2
    assert len(enqueued) == 1


@pytest.mark.django_db
def test_shared_pdf_shows_names_when_the_link_says_so(
    organization, workflow, client, tmp_path, enqueued
):
    _row, raw = _link(organization, workflow, show_names=True)

    text = pdf_text(_download(client, raw).content, tmp_path)

    assert f"in the recording: {OWNER}" in text
    assert "Assignee A" not in text


@pytest.mark.django_db
def test_shared_pdf_prints_the_report_when_the_link_includes_it(
    organization, workflow, client, tmp_path, enqueued
):
    _plain, plain_raw = _link(organization, workflow)
    _full, full_raw = _link(organization, workflow, include_report=True)

    plain = pdf_text(_download(client, plain_raw).content, tmp_path)
    full_pdf = _download(client, full_raw).content
    full = pdf_text(full_pdf, tmp_path)
    again = client.get(f"/s/{full_raw}/pdf/")

    assert "Workflow intelligence report" not in plain
    sop, report = full.split("Workflow intelligence report")
    assert "Assign the owner" in sop and "Resolution time" not in sop
    assert "Resolution time" in report and "Hand-offs" in report
    assert "the agent" in report and "Assignee A" in report
    for name in (AGENT, OWNER, "Keller", "Wright", "Dana", organization.name):
        assert name not in report
    assert again.status_code == HTTPStatus.OK and again.content == full_pdf
    rows = SharedPdf.objects.filter(sop_version=workflow.current_version)
    assert sorted(rows.values_list("include_report", flat=True)) == [False, True]
    assert len(enqueued) == 2


@pytest.mark.django_db
def test_hidden_and_shown_names_never_share_a_stored_pdf(
    organization, workflow, client, tmp_path, enqueued
):
    _shown, shown_raw = _link(organization, workflow, show_names=True)
    _hidden, hidden_raw = _link(organization, workflow)

    shown = pdf_text(_download(client, shown_raw).content, tmp_path)
    hidden = pdf_text(_download(client, hidden_raw).content, tmp_path)

    assert OWNER in shown and OWNER not in hidden
    rows = SharedPdf.objects.filter(sop_version=workflow.current_version)
    assert sorted(rows.values_list("show_names", flat=True)) == [False, True]
    assert len(set(rows.values_list("digest", flat=True))) == 2


@pytest.mark.django_db
def test_links_with_the_same_settings_share_one_build(
    organization, version_only, client, enqueued
):
    _first, first_raw = _link(organization, version_only)
    _second, second_raw = _link(organization, version_only, label="Second")

    first = _download(client, first_raw)
    second = client.get(f"/s/{second_raw}/pdf/")

    assert second.status_code == HTTPStatus.OK
    assert second.content == first.content
    assert len(enqueued) == 1


@pytest.mark.django_db
def test_visitors_while_it_is_made_enqueue_one_build(
    organization, version_only, client, held
):
    _link_row, raw = _link(organization, version_only)

    answers = [client.get(f"/s/{raw}/pdf/") for _visit in range(3)]
    progress = client.get(f"/s/{raw}/pdf/progress/").content.decode()

    assert [answer.status_code for answer in answers] == [HTTPStatus.FOUND] * 3
    assert '<meta http-equiv="refresh" content="2">' in progress
    assert '<progress id="pdf-progress" max="100" value="0">' in progress
    assert len(held) == 1


@pytest.mark.django_db(transaction=True)
def test_visitors_at_the_same_moment_enqueue_one_build(organization, held):
    workflow = workflow_in(organization)
    link, _raw = _link(organization, workflow)
    start = threading.Barrier(6)
    rows = []

    def visit():
        start.wait()
        try:
            found = selectors.share_link_for_token(token=_raw)
            rows.append(services.shared_pdf_request(link=found).pk)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=visit) for _visit in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(rows) == 6 and len(set(rows)) == 1
    assert held == [(link.organization_id, rows[0])]


@pytest.mark.django_db
def test_revoked_link_stops_serving_its_built_pdf_at_once(
    organization, version_only, client, enqueued
):
    link, raw = _link(organization, version_only)
    assert _download(client, raw).status_code == HTTPStatus.OK

    services.share_link_revoke(
        membership=organization.memberships.get(role="owner"), link=link
    )

    for path in (f"/s/{raw}/pdf/", f"/s/{raw}/pdf/progress/"):
        response = client.get(path)
        assert response.status_code == HTTPStatus.NOT_FOUND
        assert b"%PDF" not in response.content


@pytest.mark.django_db
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
        for path in (f"/s/{raw}/pdf/", f"/s/{raw}/pdf/progress/"):
            response = client.get(path)

            assert response.status_code == HTTPStatus.NOT_FOUND
            assert response["Content-Type"].startswith("text/html")
            assert "no-store" in response["Cache-Control"]
    assert not SharedPdf.objects.exists()


@pytest.mark.django_db
def test_a_new_version_never_gets_the_old_pdf(
    organization, version_only, client, tmp_path, enqueued
):
    _row, raw = _link(organization, version_only)
    first = pdf_text(_download(client, raw).content, tmp_path)

    version_next(version_only, title="Restore the core switch")
    again = client.get(f"/s/{raw}/pdf/")
    second = pdf_text(client.get(f"/s/{raw}/pdf/").content, tmp_path)

    assert again.status_code == HTTPStatus.FOUND
    assert "Restore the core switch" in second
    assert "Restore the core switch" not in first
    assert len(enqueued) == 2


@pytest.mark.django_db
def test_a_pinned_link_keeps_its_version_pdf(
    organization, version_only, client, enqueued
):
    _row, raw = _link(organization, version_only, pin_version=True)
    first = _download(client, raw)

    version_next(version_only, title="Restore the core switch")
    again = client.get(f"/s/{raw}/pdf/")

    assert again.status_code == HTTPStatus.OK
    assert again.content == first.content
    assert len(enqueued) == 1


@pytest.mark.django_db
def test_changed_inputs_make_the_pdf_again(
    organization, version_only, client, enqueued
):
    _row, raw = _link(organization, version_only)
    _download(client, raw)
    row = SharedPdf.objects.get()
    SharedPdf.objects.filter(pk=row.pk).update(digest="0" * 64)

    again = client.get(f"/s/{raw}/pdf/")

    # The build runs inside the request here, so the request serves it.
    assert again.status_code == HTTPStatus.OK
    row.refresh_from_db()
    assert row.digest != "0" * 64 and row.state == State.READY
    assert len(enqueued) == 2


@pytest.mark.django_db
def test_a_lost_build_is_asked_for_again(organization, version_only, client, held):
    _row, raw = _link(organization, version_only)
    client.get(f"/s/{raw}/pdf/")
    long_ago = timezone.now() - timedelta(seconds=services.PDF_STALE_SECONDS + 1)
    SharedPdf.objects.update(state=State.RUNNING, updated_at=long_ago)

    client.get(f"/s/{raw}/pdf/")
    client.get(f"/s/{raw}/pdf/")

    assert len(held) == 2
    assert SharedPdf.objects.get().state == State.QUEUED


@pytest.mark.django_db
def test_password_link_gives_the_pdf_only_once_unlocked(
    organization, version_only, client, enqueued
):
    _row, raw = _link(organization, version_only, password=PASSWORD)

    locked = [client.get(f"/s/{raw}/pdf/{end}") for end in ("", "progress/")]
    client.post(f"/s/{raw}/", {"password": PASSWORD})
    unlocked = _download(client, raw)

    for response in locked:
        assert response.status_code == HTTPStatus.FOUND
        assert response["Location"] == f"/s/{raw}/"
        assert response.content == b""
    assert len(enqueued) == 1
    assert unlocked.status_code == HTTPStatus.OK
    assert unlocked.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_shared_pdf_refuses_a_post(organization, version_only, client):
    _row, raw = _link(organization, version_only)

    for path in (f"/s/{raw}/pdf/", f"/s/{raw}/pdf/progress/"):
        assert client.post(path).status_code == HTTPStatus.METHOD_NOT_ALLOWED


@pytest.mark.django_db
def test_pdf_without_its_map_is_made_again_a_little_later(
    organization, version_only, client, enqueued, monkeypatch
):
    """A later visit gets the map once it draws again, not a day later."""

    def fail(source):
        raise RenderError("Chromium did not start")

    _row, raw = _link(organization, version_only)
    with monkeypatch.context() as patched:
        patched.setattr(shared_documents.documents, "render_map_svg", fail)
        without_map = _download(client, raw)
    soon = client.get(f"/s/{raw}/pdf/")
    later = timezone.now() - timedelta(seconds=services.PDF_RETRY_SECONDS + 1)
    SharedPdf.objects.update(updated_at=later)
    again = client.get(f"/s/{raw}/pdf/")

    assert without_map.status_code == HTTPStatus.OK
    assert soon.status_code == HTTPStatus.OK and soon.content == without_map.content
    assert again.status_code == HTTPStatus.OK
    assert again.content != without_map.content
    assert len(enqueued) == 2
    assert SharedPdf.objects.get().whole is True


@pytest.mark.django_db
def test_a_failed_build_says_so_and_is_retried_later(
    organization, version_only, client, monkeypatch
):
    sent = []
    monkeypatch.setattr(
        services, "task_enqueue", lambda task, args, **o: sent.append(args)
    )
    _row, raw = _link(organization, version_only)
    client.get(f"/s/{raw}/pdf/")
    row = selectors.shared_pdf_get(
        organization_id=organization.pk, shared_pdf_id=sent[0][1]
    )
    services.shared_pdf_build_failed(shared_pdf=row, reason="The PDF broke.")

    page = client.get(f"/s/{raw}/pdf/progress/").content.decode()
    later = timezone.now() - timedelta(seconds=services.PDF_RETRY_SECONDS + 1)
    SharedPdf.objects.update(updated_at=later)
    client.get(f"/s/{raw}/pdf/")

    assert "The PDF could not be made" in page and "The PDF broke." in page
    assert '<meta http-equiv="refresh" content="60">' in page
    assert len(sent) == 2


@pytest.mark.django_db
def test_the_task_marks_a_build_failed_after_its_retries(
    organization, version_only, monkeypatch
):
    from apps.sharing.tasks import shared_pdf_build_task

    def broken(*pages):
        raise OSError("WeasyPrint gone")

    monkeypatch.setattr(shared_documents.documents, "html_to_pdf", broken)
    monkeypatch.setattr(services, "task_enqueue", lambda *args, **options: None)
    link, _raw = _link(organization, version_only)
    row = services.shared_pdf_request(link=link)

    shared_pdf_build_task.apply((organization.pk, row.pk), retries=4)

    row.refresh_from_db()
    assert row.state == State.FAILED
    assert row.failure == "The PDF could not be made. Try again in a few minutes."
    assert row.pdf is None


@pytest.mark.django_db
def test_no_organization_gets_another_organizations_pdf(
    organization, other_organization, client, tmp_path, enqueued
):
    ours, theirs = workflow_in(organization), workflow_in(other_organization)
    version_next(ours, title="Acme outage")
    version_next(theirs, title="Globex outage")
    _our_link, our_raw = _link(organization, ours)
    _their_link, their_raw = _link(other_organization, theirs)

    our_text = pdf_text(_download(client, our_raw).content, tmp_path)
    their_text = pdf_text(_download(client, their_raw).content, tmp_path)

    assert "Acme outage" in our_text and "Globex" not in our_text
    assert "Globex outage" in their_text and "Acme" not in their_text
    their_row = SharedPdf.objects.get(organization=other_organization)
    assert their_row.sop_version == theirs.current_version
    assert (
        selectors.shared_pdf_get(
            organization_id=organization.pk, shared_pdf_id=their_row.pk
        )
        is None
    )


@pytest.mark.django_db
def test_waiting_on_the_pdf_builds_no_report_until_the_task_does(
    organization, workflow, client, held, report_builds
):
    _row, raw = _link(organization, workflow, include_report=True)

    visits = [client.get(f"/s/{raw}/pdf/")]
    for _visit in range(3):
        visits.append(client.get(f"/s/{raw}/pdf/progress/"))
    built_by_visits = list(report_builds)
    shared_pdf_build_task.apply(held[0])
    downloads = [client.get(f"/s/{raw}/pdf/") for _visit in range(2)]

    assert visits[0].status_code == HTTPStatus.FOUND
    assert [visit.status_code for visit in visits[1:]] == [HTTPStatus.OK] * 3
    assert built_by_visits == []
    assert report_builds == [1]
    assert [download.status_code for download in downloads] == [HTTPStatus.OK] * 2
    assert len(held) == 1


def _visit_digest(raw):
    """Return the digest a visit to the link ``raw`` finds its PDF made from."""
    link = selectors.share_link_for_token(token=raw)
    return services.shared_pdf_request(link=link).digest


@pytest.mark.django_db
def test_renaming_a_member_makes_a_pdf_without_names_again(
    organization, workflow, owner, held
):
    _hidden, hidden_raw = _link(organization, workflow)
    _shown, shown_raw = _link(organization, workflow, show_names=True)
    hidden, shown = _visit_digest(hidden_raw), _visit_digest(shown_raw)
    unchanged = _visit_digest(hidden_raw)

    owner.name = "Marek Novak"
    owner.save(update_fields=["name"])

    assert unchanged == hidden
    assert _visit_digest(hidden_raw) != hidden
    assert _visit_digest(shown_raw) == shown
    assert len(held) == 3


@pytest.mark.django_db
def test_an_edit_makes_a_pinned_pdf_with_the_report_again(organization, workflow, held):
    """The pinned version stays, but the report reads the workflow's edits."""
    _row, raw = _link(organization, workflow, include_report=True, pin_version=True)
    before = _visit_digest(raw)
    step = workflow.current_version.document["phases"][0]["steps"][0]

    workflow_edit(
        membership=organization.memberships.get(role="owner"),
        workflow=workflow,
        edit={"op": "reword", "ref": step["ref"], "text": "Read the alert"},
    )

    assert _visit_digest(raw) != before
    assert len(held) == 2


@pytest.mark.django_db
def test_each_link_setting_has_its_own_digest(organization, workflow):
    version = workflow.current_version
    digests = {
        shared_documents.pdf_digest(
            selectors.shared_document_inputs(
                version=version, show_names=show_names, include_report=report
            )
        )
        for show_names in (False, True)
        for report in (False, True)
    }

    assert len(digests) == 4
