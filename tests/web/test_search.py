import json
from http import HTTPStatus

import pytest
from django.test import Client

from apps.web.search import Segment, highlight, marked_segments, search_terms
from apps.workflows.models import SopVersion, State, Workflow
from tests.core.test_embedded import _manage

pytestmark = pytest.mark.django_db


def workflow_with_steps(organization, title, steps):
    """Create a ready workflow whose current version has ``steps``.

    A step is its text, or a dict of the stored step's keys.
    """
    workflow = Workflow.objects.create(
        organization=organization, title=title, state=State.READY, progress=100
    )
    version = SopVersion.objects.create(
        organization=organization,
        workflow=workflow,
        number=1,
        key="search-test",
        reason=SopVersion.Reason.GENERATED,
        steps=[step if isinstance(step, dict) else {"text": step} for step in steps],
        markdown="",
        html="",
        mermaid="",
        bpmn="",
    )
    workflow.current_version = version
    workflow.save(update_fields=["current_version"])
    return workflow


def _main(client, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    return page[page.index("<main") : page.index("</main>")]


def test_search_terms_cut_a_long_query_at_a_whole_word():
    terms = search_terms("printer " * 40)

    assert terms.truncated
    assert len(terms.text) <= 200 and terms.text.endswith("printer")
    assert terms.words == ("printer",)


def test_search_terms_keep_words_once_and_drop_punctuation():
    terms = search_terms("  VPN, vpn!  drops\x00 ")

    assert (terms.text, terms.words, terms.truncated) == (
        "VPN, vpn! drops",
        ("vpn", "drops"),
        False,
    )


def test_highlight_marks_every_word_in_any_case():
    assert highlight("Reset the VPN token", ("vpn", "reset")) == [
        Segment("Reset", True),
        Segment(" the ", False),
        Segment("VPN", True),
        Segment(" token", False),
    ]


@pytest.mark.parametrize(
    ("text", "words", "marked"),
    [
        ("Renew the certificate", ("certificat",), ["certificate"]),
        ("Certificates expired", ("certificate",), ["Certificates"]),
        ("Check the proxy_settings page", ("settings",), ["proxy_settings"]),
        ("Call Tome\u0301s now", ("tom",), ["Tome\u0301s"]),
        ("certificate for the cert team", ("cert", "cate"), ["certificate", "cert"]),
    ],
)
def test_highlight_marks_the_whole_word_a_match_falls_in(text, words, marked):
    found = [part.text for part in highlight(text, words) if part.match]

    assert found == marked
    assert "".join(part.text for part in highlight(text, words)) == text


def test_marked_segments_read_the_headline_marks():
    assert marked_segments("Open \x02ticket\x03 now") == [
        Segment("Open ", False),
        Segment("ticket", True),
        Segment(" now", False),
    ]


@pytest.mark.parametrize(
    ("marked", "original", "segments"),
    [
        (
            "Cafe \x02strasse\x03 fix",
            "Cafe\u0301 straße fix",
            [("Cafe\u0301 ", False), ("straße", True), (" fix", False)],
        ),
        (
            "\x02Cafe\x03 strasse",
            "Cafe\u0301 straße",
            [("Cafe\u0301", True), (" straße", False)],
        ),
        (
            "(C) \x02AEsir\x03 \x02SS\x03",
            "© Æsir ẞ",
            [("© ", False), ("Æsir", True), (" ", False), ("ẞ", True)],
        ),
        ("\x02Tomas\x03 Ortega", "Tomás Ortega", [("Tomás", True), (" Ortega", False)]),
        ("\x02Tomas\x03 Ortega", "Tomás", [("Tomas", True), (" Ortega", False)]),
    ],
)
def test_marked_segments_move_each_mark_onto_the_letters_it_came_from(
    marked, original, segments
):
    assert marked_segments(marked, original) == [Segment(*part) for part in segments]


def test_search_marks_a_word_written_with_an_accent_and_a_sharp_s(
    organization, owner_client
):
    workflow_with_steps(organization, "Cafe\u0301 straße fix", [])

    page = _main(owner_client, "strasse")

    assert "Cafe\u0301 <mark>straße</mark> fix" in page


def test_search_matches_words_in_any_order_and_form(organization, owner_client):
    workflow = workflow_with_steps(
        organization, "Printer jam", ["Open the ticket", "Call the reporting user"]
    )

    page = _main(owner_client, "users calling")

    assert "<mark>Call</mark> the reporting <mark>user</mark>" in page
    assert f'href="{workflow.get_absolute_url()}#step-2"' in page
    assert "Printer jam, step 2" in page
    assert "Open the ticket" not in page


def test_search_numbers_steps_as_the_sop_does_across_a_wait(organization, owner_client):
    workflow = workflow_with_steps(
        organization,
        "Printer jam",
        [
            "Open the ticket",
            {"kind": "wait", "text": "Wait for Facilities: 2 h in the recording"},
            "Call the reporting user",
        ],
    )

    page = _main(owner_client, "calling user")
    waits = _main(owner_client, "facilities")

    assert f'href="{workflow.get_absolute_url()}#step-2"' in page
    assert "Printer jam, step 2" in page
    # A wait is no step, so search does not offer one.
    assert "Wait for" not in waits


LONG_NOTE = (
    "The gateway refused the laptop because its user certificate had run out;"
    " renewing it from the self-service portal and reconnecting to the VPN"
    " fixed it"
)


def _note_step(note):
    return {"kind": "note", "text": f"Note: {note[:60]}…", "note": note}


def test_search_finds_words_only_in_the_whole_note(organization, owner_client):
    workflow_with_steps(
        organization, "Remote access", ["Open the ticket", _note_step(LONG_NOTE)]
    )

    page = _main(owner_client, "vpn certificate")

    assert "Remote access, step 2" in page
    assert "<mark>VPN</mark>" in page and "<mark>certificate</mark>" in page
    assert "self-service portal" in page


def test_search_finds_a_reworded_note_by_its_text_and_its_note(
    organization, owner_client
):
    reworded = {"kind": "note", "text": "Check the expiry", "note": LONG_NOTE}
    workflow_with_steps(organization, "Remote access", [reworded])

    by_text = _main(owner_client, "expiry")
    by_note = _main(owner_client, "vpn certificate")

    assert "Check the <mark>expiry</mark>" in by_text
    assert "Remote access, step 1" in by_note


def test_search_needs_every_word(organization, owner_client):
    workflow_with_steps(organization, "Printer jam", ["Open the ticket"])

    page = _main(owner_client, "ticket toner")

    assert "Nothing in Acme IT matches “ticket toner”." in page


def test_search_finds_a_workflow_by_words_in_its_title_and_a_step(
    organization, owner_client
):
    workflow = workflow_with_steps(organization, "Printer jam", ["Open the ticket"])

    page = _main(owner_client, "tickets printer")

    url = workflow.get_absolute_url()
    assert (
        f'<li><a href="{url}"><mark>Printer</mark> jam</a><span class="muted">'
        f'<a href="{url}#step-1">Step 1: Open the <mark>ticket</mark></a></span></li>'
    ) in page
    # A step is found by its own words alone.
    assert 'id="found-steps"' not in page


def test_search_shows_workflows_before_steps(organization, owner_client):
    workflow_with_steps(organization, "VPN outage", ["Restart the VPN gateway"])

    page = _main(owner_client, "vpn")

    assert page.index('id="found-workflows"') < page.index('id="found-steps"')
    assert "<mark>VPN</mark> outage" in page
    assert "Restart the <mark>VPN</mark> gateway" in page


def test_search_ranks_the_closer_match_first(organization, owner_client):
    workflow_with_steps(organization, "Mail delay on the relay", [])
    workflow_with_steps(organization, "Mail relay down, mail queue stuck", [])

    page = _main(owner_client, "mail relay")

    assert page.index("queue stuck") < page.index("delay on the")


def test_search_escapes_titles_and_steps(organization, owner_client):
    workflow_with_steps(
        organization, "<b>Printer</b> jam", ['<img src=x onerror="alert(1)"> printer']
    )

    page = _main(owner_client, "printer")

    assert "<img" not in page and "<b>" not in page
    assert "&lt;b&gt;<mark>Printer</mark>&lt;/b&gt; jam" in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; <mark>printer</mark>" in page


def test_search_never_finds_another_organizations_words(
    organization, other_organization, owner_client
):
    workflow_with_steps(
        other_organization, "Zanzibar uplink", ["Page the Zanzibar carrier"]
    )
    their_client = Client()
    their_client.force_login(other_organization.memberships.get(role="owner").user)

    theirs = _main(their_client, "zanzibar carrier")
    ours = _main(owner_client, "zanzibar carrier")

    assert "Page the <mark>Zanzibar</mark> <mark>carrier</mark>" in theirs
    assert "<mark>" not in ours and "Page the" not in ours
    assert "Nothing in Acme IT matches “zanzibar carrier”." in ours


def test_search_without_a_query_shows_only_the_form(owner_client):
    page = owner_client.get("/search/").content.decode()

    assert 'role="alert"' not in page and "Nothing in" not in page


def test_search_form_names_everything_it_finds(owner_client):
    page = owner_client.get("/search/").content.decode()

    assert (
        '<label for="search-q">Workflows, steps, recordings and incidents</label>'
        in page
    )


def test_search_of_blanks_asks_for_words(owner_client):
    page = _main(owner_client, "   ")

    assert "Type a word or two from a workflow&#x27;s title or steps." in page


def test_search_of_punctuation_says_it_holds_no_words(owner_client):
    page = _main(owner_client, "?!*--")

    assert "“?!*--” holds no words. Type letters or digits." in page
    assert "Nothing in" not in page


def test_search_of_a_long_query_says_it_was_cut(organization, owner_client):
    workflow_with_steps(organization, "Disk full", ["Free the disk"])

    page = _main(owner_client, "disk " * 100)

    assert "Only the first 200 characters were searched" in page
    assert "Free the <mark>disk</mark>" in page


SQLITE_SEARCH = """
import json
from apps.web.search import search_terms
from apps.web.selectors import search
from tests.factories import organization_with_owner
from tests.web.test_search import workflow_with_steps

ours, _ = organization_with_owner(name="Ours")
theirs, _ = organization_with_owner(name="Theirs")
workflow_with_steps(ours, "VPN outage", ["Call the user", "Restart the VPN"])
note = "The VPN certificate had run out on the laptop, so it was renewed"
workflow_with_steps(ours, "Laptop", [{"text": "Note: The laptop", "note": note}])
workflow_with_steps(theirs, "VPN at theirs", ["Restart the VPN gateway"])
found = search(organization=ours, terms=search_terms("vpn restart"))
print(json.dumps({
    "workflows": [
        ["".join(s.text for s in row["title"]), [str(r["label"]) for r in row["reasons"]]]
        for row in found["workflows"]
    ],
    "steps": [
        ["".join(s.text for s in step["text"]), step["number"], step["url"]]
        for step in found["steps"]
    ],
    "marked": [s.text for s in found["steps"][0]["text"] if s.match],
    "notes": [
        step["number"]
        for step in search(
            organization=ours, terms=search_terms("vpn certificate")
        )["steps"]
    ],
}))
"""


def embedded_search(tmp_path, script):
    """Run ``script`` on a fresh embedded database; return the JSON it printed."""
    database, media = tmp_path / "search.sqlite3", tmp_path / "media"
    _manage("migrate", "--noinput", database=database, media=media)
    output = _manage("shell", "-c", script, database=database, media=media)
    return json.loads(output.splitlines()[-1])


@pytest.mark.slow
def test_search_on_the_embedded_database_needs_every_word(tmp_path):
    found = embedded_search(tmp_path, SQLITE_SEARCH)

    # The title holds one word and a step the other.
    assert found["workflows"] == [["VPN outage", ["Step 2"]]]
    assert [step[:2] for step in found["steps"]] == [["Restart the VPN", 2]]
    assert found["steps"][0][2].endswith("#step-2")
    assert found["marked"] == ["Restart", "VPN"]
    assert found["notes"] == [1]
