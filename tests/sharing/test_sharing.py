import re
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from http import HTTPStatus

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from apps.accounts.models import Role
from apps.core.errors import ApplicationError
from apps.sharing import selectors, services
from apps.sharing.models import ShareLink
from apps.workflows.models import SopVersion, Workflow
from apps.workflows.services import workflow_edit
from tests import factories
from tests.sharing.helpers import version_next, workflow_built, workflow_in

pytestmark = pytest.mark.django_db

HREF = re.compile(r'(?:href|src)="([^"]*)"')


def _membership(organization, role=Role.OWNER):
    if role == Role.OWNER:
        return organization.memberships.get(role=Role.OWNER)
    user = factories.member_add(organization=organization, role=role)
    return organization.memberships.get(user=user)


def _link(organization, **options):
    workflow = options.pop("workflow", None) or workflow_in(organization)
    return services.share_link_create(
        membership=_membership(organization), workflow=workflow, **options
    )


def test_share_link_token_is_long_and_only_its_hash_is_kept(organization):
    link, raw = _link(organization)

    assert len(raw) >= 32  # 24 random bytes in URL-safe base64
    assert link.token_hash == ShareLink.hash(raw)
    assert raw not in str(ShareLink.objects.filter(pk=link.pk).values().get())


def test_shared_page_opens_without_login_and_counts_the_view(organization, client):
    link, raw = _link(organization)

    response = client.get(f"/s/{raw}/")

    assert response.status_code == HTTPStatus.OK
    link.refresh_from_db()
    assert link.view_count == 1
    assert link.last_viewed_at is not None


def test_shared_page_is_never_cached_or_indexed(organization, client):
    _link_row, raw = _link(organization)

    response = client.get(f"/s/{raw}/")

    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]
    assert response["Referrer-Policy"] == "same-origin"
    assert b'<meta name="robots" content="noindex' in response.content


def test_shared_page_links_nowhere_into_the_app(organization, client):
    workflow = workflow_in(organization)
    _link_row, raw = _link(organization, workflow=workflow)

    page = client.get(f"/s/{raw}/").content.decode()

    # Its one list of links is of its own sections.
    assert re.findall(r"<nav[^>]*>", page) == [
        '<nav class="contents" aria-label="On this page">'
    ]
    assert [
        url
        for url in HREF.findall(page)
        if not url.startswith(("/static/", "#")) and url != f"/s/{raw}/pdf/"
    ] == []
    assert "action=" not in page
    assert organization.name not in page
    assert workflow.get_absolute_url() not in page


def test_revoked_link_answers_404_at_once(organization, client):
    link, raw = _link(organization)
    assert client.get(f"/s/{raw}/").status_code == HTTPStatus.OK

    services.share_link_revoke(membership=_membership(organization), link=link)
    response = client.get(f"/s/{raw}/")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "no-store" in response["Cache-Control"]


def test_expired_link_answers_404(organization, client):
    link, raw = _link(organization, expires_at=timezone.now() + timedelta(hours=1))
    ShareLink.objects.filter(pk=link.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    assert client.get(f"/s/{raw}/").status_code == HTTPStatus.NOT_FOUND


def test_unknown_token_answers_404(client):
    assert client.get("/s/" + "A" * 32 + "/").status_code == HTTPStatus.NOT_FOUND


def test_expiry_in_the_past_is_refused(organization):
    with pytest.raises(ApplicationError) as caught:
        _link(organization, expires_at=timezone.now() - timedelta(days=1))

    assert caught.value.code == "expiry_past"


def test_password_link_asks_before_showing(organization, client):
    link, raw = _link(organization, password="open sesame 42")

    asked = client.get(f"/s/{raw}/")
    wrong = client.post(f"/s/{raw}/", {"password": "guess"})
    right = client.post(f"/s/{raw}/", {"password": "open sesame 42"})
    shown = client.get(f"/s/{raw}/")

    assert b"This SOP is protected" in asked.content
    assert wrong.status_code == HTTPStatus.BAD_REQUEST
    assert b"That password is not right." in wrong.content
    assert right.status_code == HTTPStatus.FOUND
    assert shown.status_code == HTTPStatus.OK
    assert b"This SOP is protected" not in shown.content
    link.refresh_from_db()
    assert link.view_count == 1
    assert link.password_hash.startswith(("pbkdf2", "md5", "argon2"))


def test_password_guessing_is_throttled(organization):
    _link_row, raw = _link(organization, password="open sesame 42")
    client = Client(REMOTE_ADDR="198.51.100.9")
    for _attempt in range(services.PASSWORD_ATTEMPTS):
        client.post(f"/s/{raw}/", {"password": "guess"})

    response = client.post(f"/s/{raw}/", {"password": "open sesame 42"})

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert response["Retry-After"] == str(services.PASSWORD_WINDOW_SECONDS)
    assert "no-store" in response["Cache-Control"]


def _guess_in_parallel(link, guesses):
    start = threading.Barrier(guesses)

    def guess(_number):
        start.wait()
        try:
            services.share_link_unlock(
                link=link, password="guess", client_key="198.51.100.0/24"
            )
        except ApplicationError as error:
            return error.code
        return "unlocked"

    with ThreadPoolExecutor(max_workers=guesses) as pool:
        return Counter(pool.map(guess, range(guesses)))


def test_password_guesses_sent_in_parallel_are_throttled_all_the_same(organization):
    link, _raw = _link(organization, password="open sesame 42")

    codes = _guess_in_parallel(link, services.PASSWORD_ATTEMPTS * 4)

    assert codes == {
        "password_wrong": services.PASSWORD_ATTEMPTS,
        "too_many_attempts": services.PASSWORD_ATTEMPTS * 3,
    }


def test_short_password_is_refused(organization):
    with pytest.raises(ApplicationError) as caught:
        _link(organization, password="short")

    assert caught.value.code == "password_short"


def test_viewer_cannot_share(organization):
    viewer = _membership(organization, Role.VIEWER)

    with pytest.raises(ApplicationError) as caught:
        services.share_link_create(
            membership=viewer, workflow=workflow_in(organization)
        )

    assert caught.value.status == HTTPStatus.FORBIDDEN


def test_member_shares_and_revokes_own_link_but_not_others(organization):
    member = _membership(organization, Role.MEMBER)
    own, _raw = services.share_link_create(
        membership=member, workflow=workflow_in(organization)
    )
    others, _raw = _link(organization)

    services.share_link_revoke(membership=member, link=own)
    with pytest.raises(ApplicationError):
        services.share_link_revoke(membership=member, link=others)

    own.refresh_from_db()
    others.refresh_from_db()
    assert own.revoked_at is not None and others.revoked_at is None


def test_admin_sees_every_active_link_and_revokes_all(organization):
    admin = _membership(organization, Role.ADMIN)
    member = _membership(organization, Role.MEMBER)
    services.share_link_create(membership=member, workflow=workflow_in(organization))
    _link(organization, label="for the auditors")
    client = Client()
    client.force_login(admin.user)

    page = client.get("/settings/share-links/").content.decode()
    response = client.post("/settings/share-links/revoke-all/", {"confirmed": "yes"})

    assert page.count("data-share-link=") == 2
    assert "for the auditors" in page
    assert response.status_code == HTTPStatus.FOUND
    assert not ShareLink.objects.filter(revoked_at=None).exists()


def test_revoke_all_counts_the_listed_links_and_the_expired_apart(
    organization, owner_client
):
    for label in ("first", "second", "expired"):
        _link(organization, label=label, expires_at=timezone.now() + timedelta(days=1))
    ShareLink.objects.filter(label="expired").update(
        expires_at=timezone.now() - timedelta(days=1)
    )

    page = owner_client.get("/settings/share-links/").content.decode()
    response = owner_client.post(
        "/settings/share-links/revoke-all/", {"confirmed": "yes"}, follow=True
    )

    assert page.count("data-share-link=") == 2
    assert (
        "2 active links revoked; none of them opens anything now. 1 link that "
        "had already expired was revoked too." in response.content.decode()
    )


def test_revoke_all_of_one_link_says_it_alone(organization, owner_client):
    _link(organization)

    response = owner_client.post(
        "/settings/share-links/revoke-all/", {"confirmed": "yes"}, follow=True
    )

    page = response.content.decode()
    assert "1 active link revoked; it opens nothing now.</li>" in page


def _share_until(owner_client, organization, day):
    workflow = workflow_in(organization)
    return owner_client.post(
        "/share-links/new/",
        {"workflow": str(workflow.pk), "expires_on": day.isoformat()},
        follow=True,
    )


def test_share_link_expiry_reads_as_the_last_day_it_works(organization, owner_client):
    day = timezone.localdate() + timedelta(days=7)

    created = _share_until(owner_client, organization, day).content.decode()
    listed = owner_client.get("/settings/share-links/").content.decode()

    assert f"<li>Works through {day:%-d %B %Y} (UTC).</li>" in created
    assert "Works until" not in created
    assert f"<td>{day:%-d %b %Y}</td>" in listed


def test_share_link_last_day_is_in_the_organizations_zone(organization, owner_client):
    organization.timezone = "America/Los_Angeles"
    organization.save()
    day = timezone.localdate() + timedelta(days=7)

    created = _share_until(owner_client, organization, day).content.decode()

    link = ShareLink.objects.get(organization=organization)
    assert link.expires_at.astimezone(UTC).date() == day + timedelta(days=1)
    assert f"<li>Works through {day:%-d %B %Y} (America/Los_Angeles).</li>" in created


def test_revoke_asks_in_a_dialog_and_without_scripts_on_a_page(
    organization, owner_client
):
    link, _raw = _link(organization)
    question = "Revoke this share link? It stops opening at once."

    page = owner_client.get("/settings/share-links/").content.decode()
    asked = owner_client.post(f"/share-links/{link.pk}/revoke/")

    assert f'data-confirm="{question}"' in page
    assert 'data-confirm="Revoke every active share link?' in page
    assert question in asked.content.decode()
    assert ShareLink.objects.filter(revoked_at=None).count() == 1


def test_member_may_not_revoke_all(organization):
    member = _membership(organization, Role.MEMBER)
    _link(organization)
    client = Client()
    client.force_login(member.user)

    response = client.post("/settings/share-links/revoke-all/")

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert ShareLink.objects.filter(revoked_at=None).count() == 1


def test_share_form_creates_a_link_and_shows_it_once(organization, owner_client):
    workflow = workflow_in(organization)

    response = owner_client.post(
        "/share-links/new/",
        {"workflow": str(workflow.pk), "label": "vendor", "include_report": "on"},
    )

    link = ShareLink.objects.get(organization=organization)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/share-links/{link.pk}/created/"
    assert link.include_report and link.label == "vendor"
    shown = owner_client.get(response["Location"])
    assert shown.status_code == HTTPStatus.OK
    assert "no-store" in shown["Cache-Control"]
    url = shown.context["share_url"]
    assert ShareLink.hash(url.rstrip("/").rsplit("/", 1)[1]) == link.token_hash
    assert (
        '<div class="secret-field"><label for="share-url">Link</label>'
        f'<input id="share-url" class="token" readonly value="{url}" data-token>\n'
        '  <button type="button" class="secondary" data-copy="share-url"'
    ) in shown.content.decode()


def test_share_link_page_shown_again_says_the_address_is_gone(
    organization, owner_client
):
    workflow = workflow_in(organization)
    created = owner_client.post("/share-links/new/", {"workflow": str(workflow.pk)})
    shown = owner_client.get(created["Location"]).context["share_url"]

    again = owner_client.get(created["Location"], follow=True)

    assert again.redirect_chain == [("/settings/share-links/", HTTPStatus.FOUND)]
    page = again.content.decode()
    assert shown not in page
    assert (
        "A share link’s address is shown only once, when the link is made. If it "
        "was not copied, revoke the link and create another." in page
    )
    assert ShareLink.objects.filter(organization=organization).count() == 1


def test_share_link_revoked_before_its_page_shows_no_address(
    organization, owner_client
):
    workflow = workflow_in(organization)
    created = owner_client.post("/share-links/new/", {"workflow": str(workflow.pk)})
    link = ShareLink.objects.get(organization=organization)
    services.share_link_revoke(membership=_membership(organization), link=link)

    shown = owner_client.get(created["Location"], follow=True)

    assert shown.redirect_chain == [("/settings/share-links/", HTTPStatus.FOUND)]
    assert "share_url" not in shown.context
    assert "/s/" not in shown.content.decode()
    assert (
        "This share link no longer opens anything, so its address is not shown."
        in shown.content.decode()
    )
    assert owner_client.session["share_links_created"] == {}


def test_share_links_made_in_two_tabs_each_show_their_own_address(
    organization, owner_client
):
    workflow = workflow_in(organization)
    first = owner_client.post("/share-links/new/", {"workflow": str(workflow.pk)})
    second = owner_client.post("/share-links/new/", {"workflow": str(workflow.pk)})

    urls = [
        owner_client.get(response["Location"]).context["share_url"]
        for response in (second, first)
    ]

    hashes = {ShareLink.hash(url.rstrip("/").rsplit("/", 1)[1]) for url in urls}
    assert hashes == set(ShareLink.objects.values_list("token_hash", flat=True))
    assert len(hashes) == 2


def test_share_link_address_is_shown_only_in_the_browser_that_made_it(
    organization, other_organization
):
    workflow = workflow_in(organization)
    owner = organization.memberships.get(role=Role.OWNER).user
    creator = Client()
    creator.force_login(owner)
    created = creator.post("/share-links/new/", {"workflow": str(workflow.pk)})
    other_browser = Client()
    other_browser.force_login(owner)
    stranger = Client()
    stranger.force_login(other_organization.memberships.get(role=Role.OWNER).user)

    elsewhere = other_browser.get(created["Location"])
    outside = stranger.get(created["Location"])

    assert elsewhere.status_code == HTTPStatus.FOUND
    assert elsewhere["Location"] == "/settings/share-links/"
    assert outside.status_code == HTTPStatus.NOT_FOUND
    assert "share_url" in creator.get(created["Location"]).context


def test_share_form_offers_only_own_workflows(
    organization, other_organization, owner_client
):
    workflow_in(organization, title="Ours")
    theirs = workflow_in(other_organization, title="Theirs")

    response = owner_client.post("/share-links/new/", {"workflow": str(theirs.pk)})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not ShareLink.objects.exists()
    assert b"Select a valid choice" in response.content
    assert b"Theirs" not in response.content


def test_share_form_with_a_short_password_answers_400_beside_the_field(
    organization, owner_client
):
    workflow = workflow_in(organization)

    response = owner_client.post(
        "/share-links/new/", {"workflow": str(workflow.pk), "password": "short"}
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.context["form"].errors == {
        "password": ["Use a password of at least 8 characters, or none."]
    }
    assert not ShareLink.objects.exists()


def test_share_form_with_a_past_expiry_answers_400_beside_the_date(
    organization, owner_client
):
    workflow = workflow_in(organization)
    yesterday = timezone.localdate() - timedelta(days=1)

    response = owner_client.post(
        "/share-links/new/",
        {"workflow": str(workflow.pk), "expires_on": yesterday.isoformat()},
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.context["form"].errors == {
        "expires_on": ["Choose an expiry in the future, or none."]
    }
    assert not ShareLink.objects.exists()


def _shared_without_and_with_report(organization, client):
    """Return a built workflow and its shared page without its report, then with."""
    workflow = workflow_built(organization)
    _plain, plain_raw = _link(organization, workflow=workflow)
    _full, full_raw = _link(organization, workflow=workflow, include_report=True)
    pages = [client.get(f"/s/{raw}/").content.decode() for raw in (plain_raw, full_raw)]
    return workflow, *pages


def test_report_is_shown_only_when_chosen(organization, client):
    workflow, plain, full = _shared_without_and_with_report(organization, client)

    assert "Workflow intelligence report" not in plain
    assert "Workflow intelligence report" in full
    assert "Resolution time" in full
    assert workflow.title in plain and workflow.title in full


def test_shared_page_opens_with_a_list_of_its_sections(organization, client):
    _workflow, plain, full = _shared_without_and_with_report(organization, client)

    def contents(page):
        nav = page.split('aria-label="On this page">')[1].split("</nav>")[0]
        return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', nav)

    assert contents(plain) == [("steps", "Steps"), ("map-heading", "Process map")]
    assert contents(full) == [
        ("steps", "Steps"),
        ("map-heading", "Process map"),
        ("report-heading", "Workflow intelligence report"),
    ]
    # The list comes first, before the SOP, and each link has its target.
    assert full.index('aria-label="On this page"') < full.index('id="sop-title"')
    for target, _text in contents(full):
        assert full.count(f'id="{target}"') == 1
    assert 'aria-label="In this report"' in full


def _report_stored_as_scoring(workflow, score):
    """Put in place of the stored report of ``workflow`` one scoring ``score``.

    Return the score the report as built gives.
    """
    key = selectors.shared_report_key(
        version=workflow.current_version, show_names=False
    )
    stored = cache.get(key)
    cache.set(key, replace(stored, health={**stored.health, "score": score}))
    return stored.health["score"]


def test_shared_report_is_read_as_stored_rather_than_built_again(organization, client):
    workflow = workflow_built(organization)
    _row, raw = _link(organization, workflow=workflow, include_report=True)
    first = client.get(f"/s/{raw}/").content.decode()
    # No build of these runs scores 12: only the stored report can show it.
    built = _report_stored_as_scoring(workflow, 12)

    again = client.get(f"/s/{raw}/").content.decode()

    assert f'<h3 id="report-health">Process health: {built} / 100</h3>' in first
    assert '<h3 id="report-health">Process health: 12 / 100</h3>' in again


def test_shared_report_is_built_again_once_an_edit_changes_it(organization, client):
    workflow = workflow_built(organization)
    _row, raw = _link(organization, workflow=workflow, include_report=True)
    client.get(f"/s/{raw}/")
    built = _report_stored_as_scoring(workflow, 12)
    step = workflow.current_version.document["phases"][0]["steps"][0]

    workflow_edit(
        membership=_membership(organization),
        workflow=workflow,
        edit={"op": "reword", "ref": step["ref"], "text": "Read the alert"},
    )
    page = client.get(f"/s/{raw}/").content.decode()

    report = page[page.index("Workflow intelligence report") :]
    assert f'<h3 id="report-health">Process health: {built} / 100</h3>' in report
    assert "Read the alert" in report


def test_link_follows_edits_unless_pinned(organization, client):
    workflow = workflow_in(organization)
    first_title = workflow.current_version.document["title"].encode()
    _following, following_raw = _link(organization, workflow=workflow)
    _pinned, pinned_raw = _link(organization, workflow=workflow, pin_version=True)

    version_next(workflow, title="Second wording")

    assert b"Second wording" in client.get(f"/s/{following_raw}/").content
    pinned = client.get(f"/s/{pinned_raw}/").content
    assert first_title in pinned and b"Second wording" not in pinned


def test_shared_page_names_the_sop_its_version_and_when_it_was_made(
    organization, client
):
    workflow = workflow_in(organization)
    version = version_next(workflow, title="Second wording")
    SopVersion.objects.filter(pk=version.pk).update(
        created_at=datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    )
    _link_row, raw = _link(organization, workflow=workflow)

    page = client.get(f"/s/{raw}/").content.decode()

    assert '<h2 id="sop-title" class="sop-title">Second wording</h2>' in page
    assert "Version 2, made 20 Nov 2026" in page
    assert organization.name not in page


def test_workflow_without_an_sop_cannot_be_shared(organization):
    workflow = workflow_in(organization)
    Workflow.objects.filter(pk=workflow.pk).update(current_version=None)
    workflow.refresh_from_db()

    with pytest.raises(ApplicationError) as caught:
        _link(organization, workflow=workflow)

    assert caught.value.code == "workflow_not_ready"


def _guess_until_locked(raw, client):
    for _attempt in range(services.PASSWORD_ATTEMPTS):
        client.post(f"/s/{raw}/", {"password": "guess"})


def test_password_lockout_behind_a_proxy_counts_each_client(organization, settings):
    settings.LEDGERIUM_TRUSTED_PROXIES = 1
    _link_row, raw = _link(organization, password="open sesame 42")
    guesser = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.21")
    other = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.22")
    _guess_until_locked(raw, guesser)

    locked = guesser.post(f"/s/{raw}/", {"password": "open sesame 42"})
    unlocked = other.post(f"/s/{raw}/", {"password": "open sesame 42"})

    assert locked.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert unlocked.status_code == HTTPStatus.FOUND


def test_password_lockout_holds_an_ipv6_client_to_its_64(organization, settings):
    settings.LEDGERIUM_TRUSTED_PROXIES = 1
    _link_row, raw = _link(organization, password="open sesame 42")
    guesser = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="2001:db8:7::1")
    _guess_until_locked(raw, guesser)
    guesser.defaults["HTTP_X_FORWARDED_FOR"] = "2001:db8:7::2"
    elsewhere = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="2001:db8:8::1")

    moved = guesser.post(f"/s/{raw}/", {"password": "open sesame 42"})
    other = elsewhere.post(f"/s/{raw}/", {"password": "open sesame 42"})

    assert moved.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert other.status_code == HTTPStatus.FOUND


def test_password_lockout_ignores_a_forged_forwarded_for(organization):
    _link_row, raw = _link(organization, password="open sesame 42")
    guesser = Client(REMOTE_ADDR="198.51.100.23", HTTP_X_FORWARDED_FOR="192.0.2.1")
    _guess_until_locked(raw, guesser)
    guesser.defaults["HTTP_X_FORWARDED_FOR"] = "192.0.2.2"

    response = guesser.post(f"/s/{raw}/", {"password": "open sesame 42"})

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
