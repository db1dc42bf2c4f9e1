"""A shared page names nobody unless its link says to show names."""

import html
import json
import re
import time

import pytest

from apps.accounts.services import user_name_set
from apps.sharing import services
from apps.sharing.names import (
    name_aliases,
    owner_names,
    person_names,
    sop_words,
    without_names,
)
from tests import factories
from tests.sharing.helpers import SAMPLE, workflow_built, workflow_in

AGENT = "Sam Keller"
OWNER = "Dana Wright"


def test_one_agent_is_the_agent_and_several_are_lettered():
    assert name_aliases(["Sam Keller", " ", "Sam Keller"]) == {
        "Sam Keller": "the agent",
        "Sam": "the agent",
        "Keller": "the agent",
    }
    aliases = name_aliases([f"Person {n}" for n in range(28)])
    assert [aliases["Person 0"], aliases["Person 25"], aliases["Person 27"]] == [
        "Agent A",
        "Agent Z",
        "Agent AB",
    ]


def test_assignees_are_called_assignees_not_agents():
    aliases = name_aliases(
        ["Priya Raman", "Tomás Ortega"], ["Marek Novak", "Priya Raman"]
    )

    assert aliases["Priya Raman"] == "Agent A"
    assert aliases["Tomás Ortega"] == "Agent B"
    assert aliases["Marek Novak"] == "Assignee A"
    assert without_names("Assigned to: Marek Novak", aliases) == (
        "Assigned to: Assignee A"
    )


def test_without_names_replaces_whole_names_in_nested_texts():
    aliases = name_aliases(["Dana", "Dana Wright"])

    value = without_names(
        {"a": ["Dana Wright called Dana", ("Danasoft",)], "n": 3}, aliases
    )

    assert value == {"a": ["Agent B called Agent A", ["Danasoft"]], "n": 3}


def test_without_names_hides_first_names_and_emails_in_notes():
    aliases = name_aliases(["Priya Raman"], ["Marek Novak"])

    notes = without_names(
        [
            "Called Marek on the bridge; Priya will write to marek.novak@acme.example.",
            "Raman asked Novak.",
        ],
        aliases,
    )

    assert notes == [
        "Called Assignee A on the bridge; the agent will write to (email withheld).",
        "the agent asked Assignee A.",
    ]


def test_without_names_leaves_ordinary_words_alone():
    aliases = name_aliases(["Will Grant", "Dana Wright"], ["Dana Reyes"])

    text = without_names(
        "Will restart the service; Grant access; Dana called. Dana Reyes, "
        "the Wrights' team, a wrightly fix.",
        aliases,
    )

    assert text == (
        "Will restart the service; Grant access; a colleague called. Assignee A, "
        "the Wrights' team, a wrightly fix."
    )


def test_without_names_matches_names_in_any_case():
    aliases = name_aliases(["Sam Agent"], ["Dana Wright"], ["marek novak"])

    text = without_names(
        "dana confirmed; escalate to WRIGHT, then DANA WRIGHT; Marek and NOVAK too.",
        aliases,
    )

    assert text == (
        "Assignee A confirmed; escalate to Assignee A, then Assignee A; a "
        "colleague and a colleague too."
    )


def test_a_name_found_in_a_case_that_folds_apart_keeps_its_alias():
    """Before, "ilkay" matched "İlkay" and read as a withheld email."""
    aliases = name_aliases(["Sam Agent"], ["İlkay Gündoğan"], ["Ibrahim Kaya"])

    text = without_names("ilkay approved; İBRAHIM and ilkay gündoğan agreed", aliases)

    assert text == "Assignee A approved; a colleague and Assignee A agreed"


def _spelled(index):
    return "".join("abcdefghij"[int(digit)] for digit in str(index))


def test_without_names_stays_quick_for_a_large_organization():
    """One pattern of every member took seconds a page for a thousand members."""
    members = [f"Ann{_spelled(index)} Lee{_spelled(index)}" for index in range(2000)]
    aliases = name_aliases(["Sam Agent"], ["Dana Wright"], members)
    texts = [f"Step {index}: Dana asked Annh, Leebjjj." for index in range(200)]

    started = time.monotonic()
    hidden = without_names(texts, aliases)
    elapsed = time.monotonic() - started

    assert set(hidden) == {
        f"Step {index}: Assignee A asked a colleague, a colleague."
        for index in range(200)
    }
    assert elapsed < 0.5


def test_names_of_everyday_words_match_only_as_written():
    aliases = name_aliases(["Will Grant"], ["Mark"], ["Ludwig van Dijk"])

    text = without_names(
        "We will grant access; mark it done, will. Will Grant asked Mark; "
        "van Dijk and VAN agreed; MARK it.",
        aliases,
    )

    assert text == (
        "We will grant access; mark it done, will. the agent asked Assignee A; "
        "van a colleague and VAN agreed; MARK it."
    )


def test_names_that_differ_only_in_case_are_one_person():
    aliases = name_aliases(["Dana Wright", "dana wright"], ["DANA WRIGHT"])

    assert without_names("dana wright; Wright", aliases) == "the agent; the agent"


def test_people_chosen_in_person_fields_are_persons():
    aliases = name_aliases(
        ["Sam Agent"], ["Dana Wright"], (), ["Jane Doe", "Sam Agent"]
    )

    text = without_names("Set Caller to Jane Doe; jane called Sam.", aliases)

    assert text == "Set Caller to Person A; Person A called the agent."


def test_person_names_come_from_fields_that_hold_a_person():
    fields = {
        "Caller": "Jane Doe",
        "Opened by": "Ivo Berg",
        "Requested for": "Lena Ruiz",
        "On behalf of": "Omar Haddad",
        "Watch list": "Kai Moreau",
        "Approver": "Mia Kowal",
        "Affected user": "Noor Amini",
        "Notify caller": "ticked",
        "Contact": "(no value shown)",
        "Short description": "Core switch down",
    }
    steps = [
        {"decision": {"field": field, "value": value, "topic": "other"}}
        for field, value in fields.items()
    ]
    steps += [
        {"decision": {"field": "Contact type", "value": "Phone", "topic": "category"}},
        {"decision": {"field": "Assigned to", "value": OWNER, "topic": "owner"}},
        {"decision": None},
    ]

    assert person_names(steps) == list(fields.values())[:7]


def test_members_the_run_never_names_are_colleagues():
    aliases = name_aliases(
        ["Priya Raman"],
        ["Dana Reyes"],
        ["Marek Novak", "Priya Raman", "Service", " ", "Will Ortega"],
    )

    text = without_names(
        "Marek Novak called; Marek and Novak asked Priya. Will Ortega says "
        "Ortega will restart the Service. Dana Reyes agreed.",
        aliases,
    )

    assert text == (
        "a colleague called; a colleague and a colleague asked the agent. a "
        "colleague says a colleague will restart the Service. Assignee A agreed."
    )


def test_without_names_with_names_shown_changes_nothing():
    assert without_names(["Sam a@b.example"], None) == ["Sam a@b.example"]


def test_owner_names_come_from_owner_decisions_only():
    steps = [
        {"decision": {"value": "Network", "topic": "team"}},
        {"decision": {"value": OWNER, "topic": "owner"}},
        {"decision": None},
        {},
    ]

    assert owner_names(steps) == [OWNER]


def _shared(client, organization, workflow, **options):
    membership = organization.memberships.get(role="owner")
    _link, raw = services.share_link_create(
        membership=membership, workflow=workflow, include_report=True, **options
    )
    return client.get(f"/s/{raw}/").content.decode()


@pytest.mark.django_db
def test_shared_sop_map_and_report_name_nobody_by_default(organization, client):
    workflow = workflow_built(organization)

    page = _shared(client, organization, workflow)

    assert "Workflow intelligence report" in page
    for name in (AGENT, OWNER, "Wright", "Dana"):
        assert name not in page
    assert "the agent" in page and "Assignee A" in page
    assert "Agent B" not in page
    mermaid = re.search(r"<pre[^>]*data-mermaid>(.*?)</pre>", page, re.S)[1]
    assert "Assign the owner" in html.unescape(mermaid).replace("<br>", " ")
    assert "in the recording: Assignee A" in page


@pytest.mark.django_db
def test_shared_page_shows_names_when_the_link_says_so(organization, client):
    workflow = workflow_built(organization)

    page = _shared(client, organization, workflow, show_names=True)

    assert AGENT in page and OWNER in page
    assert "Assignee A" not in page


@pytest.mark.django_db
def test_shared_sop_is_numbered_and_marks_decisions_as_in_the_app(organization, client):
    workflow = workflow_in(organization)
    steps = [
        step
        for phase in workflow.current_version.document["phases"]
        for step in phase["steps"]
    ]

    page = _shared(client, organization, workflow)

    numbered = [step for step in steps if step["kind"] != "wait"]
    for number, step in enumerate(numbered, 1):
        assert step["number"] == number
        assert f'<span class="step-number">{number}.</span>' in page
    # A wait is shown between the steps, unnumbered; its ref counts waits.
    assert len(numbered) < len(steps)
    assert '<span class="step-number">None.</span>' not in page
    waits = re.findall(r'<li class="step step-wait" data-ref="([^"]*)">', page)
    assert waits == ["wait-1"]
    decisions = sum(1 for step in steps if step["kind"] == "decision")
    assert decisions and page.count("<strong>Decision:</strong>") == decisions
    assert "recorded event" in page
    links = re.findall(r'href="([^"]*)"', page)
    assert not [link for link in links if link.startswith("/workflows/")]


@pytest.mark.django_db
def test_shared_page_hides_an_assignee_named_in_a_note(organization, client):
    sample = SAMPLE.with_name("vpn-certificate-rotation-second-run.json")
    workflow = workflow_built(organization, sample)

    page = _shared(client, organization, workflow)

    for name in ("Marek", "Novak", "Tomás", "Ortega"):
        assert name not in page
    assert "Assign the owner" in page and "in the recording: Assignee A" in page
    assert "Assignee A replaced the chain on vpn-gw-02" in page
    assert "Agent" not in page.replace("user agent", "")


@pytest.mark.django_db
def test_shared_page_shows_each_note_step_whole(organization, client):
    workflow = workflow_in(organization)

    page = _shared(client, organization, workflow, show_names=True)

    steps = re.findall(
        r'<li class="step step-note".*?<span class="step-text">(.*?)</span>', page, re.S
    )
    assert steps and not [text for text in steps if "…" in text]
    assert "came back with its uplink ports disabled.</span>" in page


@pytest.mark.django_db
def test_shared_page_hides_a_member_the_run_never_names(organization, client):
    colleague = factories.member_add(organization=organization)
    colleague.first_name, colleague.last_name = "Marek", "Novak"
    colleague.save(update_fields=["first_name", "last_name"])
    workflow = workflow_built(
        organization, SAMPLE.with_name("vpn-certificate-rotation.json")
    )
    shown = _shared(client, organization, workflow, show_names=True)

    page = _shared(client, organization, workflow)

    assert "Marek" in shown
    assert "Marek" not in page
    assert "Identity and Access (a colleague) confirmed" in page
    assert "a colleague uploaded the current intermediate CA" in page


def _sample_with_names_in_case_ref_and_caller(tmp_path):
    """Return the sample with a click on the owner's name, a caller and a note.

    The click gives a step ref that spells the name ("dana-wright"); the note
    names the owner in other letter case.
    """
    raw = json.loads(SAMPLE.read_text())
    events = raw["events"]
    assigned = events[29]  # Assigned to: Dana Wright
    where = {key: assigned[key] for key in ("tab", "origin", "path")}
    added = [
        {**where, "type": "click", "name": OWNER, "role": "link"},
        {
            **where,
            "type": "choice_made",
            "name": "caller",
            "label": "Caller",
            "field_kind": "combobox",
            "value": "Jane Doe",
        },
        {
            "tab": assigned["tab"],
            "type": "note_added",
            "note": "dana confirmed; escalate to WRIGHT if it recurs",
        },
    ]
    for offset, event in enumerate(added, 1):
        event["ts"] = assigned["ts"] + offset
    events[30:30] = added
    for seq, event in enumerate(events, 1):
        event["seq"] = seq
    return _written(tmp_path, raw)


def _written(tmp_path, raw):
    path = tmp_path / SAMPLE.name
    path.write_text(json.dumps(raw))
    return path


@pytest.mark.django_db
def test_shared_page_hides_names_in_any_case_in_refs_and_person_fields(
    organization, client, tmp_path
):
    sample = _sample_with_names_in_case_ref_and_caller(tmp_path)
    workflow = workflow_built(organization, sample)
    shown = html.unescape(_shared(client, organization, workflow, show_names=True))

    page = html.unescape(_shared(client, organization, workflow))

    assert "Jane Doe" in shown and 'data-ref="itsm:follow:dana-wright#1"' in shown
    for name in ("Dana", "Wright", "Jane", "Doe", *AGENT.split()):
        assert not re.search(rf"\b{name}\b", page, re.IGNORECASE), name
    assert "Set the caller" in page and "in the recording: Person A" in page
    assert "Assignee A confirmed; escalate to Assignee A if it recurs" in page
    refs = re.findall(r'id="(step-\d+)" data-ref="([^"]*)"', page)
    assert refs and all(ref == number for number, ref in refs)


def _sample_with_note(tmp_path, note):
    raw = json.loads(SAMPLE.read_text())
    for event in raw["events"]:
        if event.get("type") == "note_added":
            event["note"] = note
            break
    return _written(tmp_path, raw)


@pytest.mark.django_db
def test_shared_page_hides_a_members_display_name_in_a_step(
    organization, client, tmp_path
):
    colleague = factories.member_add(organization=organization)
    user_name_set(user=colleague, name="Ines Duarte")
    sample = _sample_with_note(tmp_path, "Ines Duarte restored the uplinks.")
    workflow = workflow_built(organization, sample)
    shown = _shared(client, organization, workflow, show_names=True)

    page = _shared(client, organization, workflow)

    assert "Ines Duarte restored the uplinks." in shown
    assert "a colleague restored the uplinks." in page
    assert "Ines" not in page and "Duarte" not in page


def test_a_member_named_after_a_word_of_the_page_garbles_nothing():
    aliases = name_aliases(["Priya Raman"], colleagues=["the", "Open", "Network"])
    text = "Open the incident in ServiceNow. Network team restarted the router."

    assert without_names(text, aliases) == text


def test_a_colleagues_name_part_alone_is_hidden_only_with_a_capital():
    aliases = name_aliases(["Priya Raman"], colleagues=["Elm Rivers"])

    text = without_names("Rivers fixed it; the rivers rose; ELM agreed.", aliases)

    assert text == "a colleague fixed it; the rivers rose; a colleague agreed."


def test_hyphenated_and_apostrophe_name_parts_are_hidden_alone():
    aliases = name_aliases(["Anne-Marie Dupont"], ["Jean-Luc Picard"], ["Liam O’Brien"])

    text = without_names(
        "Called Anne-Marie about it. Assigned to Jean-Luc; Luc agreed. "
        "O'Brien and O’Brien were told; a well-known fix.",
        aliases,
    )

    assert text == (
        "Called the agent about it. Assigned to Assignee A; Assignee A agreed. "
        "a colleague and a colleague were told; a well-known fix."
    )


def test_names_are_hidden_written_with_or_without_their_accents():
    aliases = name_aliases(["María José Carreño"], ["Zoë Ng"], ["Soren Holm"])

    text = without_names(
        "Maria Jose Carreno called; CARRENO and Jose agreed. Zoe Ng asked Zoe\u0308; "
        "Søren and Sören replied. Carreño's notes.",
        aliases,
    )

    assert text == (
        "the agent called; the agent and the agent agreed. Assignee A asked "
        "Assignee A; a colleague and a colleague replied. the agent's notes."
    )


def test_two_letter_name_parts_are_hidden_only_as_written():
    aliases = name_aliases(["Bo Li"], ["An Do"], ["Wu Chen"])

    text = without_names(
        "Bo said ok; Li agreed. An Do and Wu are on it; do it in an hour. "
        "The LI sensor, li and WU stay. BO LI called.",
        aliases,
    )

    assert text == (
        "the agent said ok; the agent agreed. Assignee A and a colleague are on "
        "it; do it in an hour. The LI sensor, li and WU stay. the agent called."
    )


def _steps(*texts, system="Helpdesk"):
    return [{"kind": "action", "text": text, "system": system} for text in texts]


def test_sop_words_are_the_step_verbs_systems_and_phases():
    steps = _steps("Enter Summary of the problem", "Open Helpdesk")
    steps += [
        {"kind": "note", "text": "Marek was called", "system": ""},
        {"kind": "action", "text": "Novak restarts it", "edited": True},
    ]

    words = sop_words(steps)

    assert {"Enter", "Open", "Helpdesk", "Triage", "Close"} <= words
    assert not {"Summary", "Marek", "Novak"} & words


def test_a_member_named_after_the_sops_own_words_garbles_none_of_them():
    steps = _steps("Enter Summary of the problem", "Open Helpdesk", "Search in it")
    aliases = name_aliases(
        ["Sam Keller"],
        ["Dana Wright"],
        ["Enter Helpdesk", "Search Triage"],
        vocabulary=sop_words(steps),
    )
    text = (
        "4. Enter Summary of the problem — Helpdesk. Open Helpdesk; Triage. "
        "Search in it."
    )

    assert without_names(text, aliases) == text
    assert without_names("Enter Helpdesk and Search Triage called.", aliases) == (
        "a colleague and a colleague called."
    )


def test_an_agent_named_after_the_sops_own_words_is_hidden_only_whole():
    steps = _steps("Open Slack", system="Slack")
    aliases = name_aliases(["Open Slack"], vocabulary=sop_words(steps))

    assert without_names("Open Slack. Open Slack restarted it.", aliases) == (
        "the agent. the agent restarted it."
    )
    assert without_names("Open the tab in Slack.", aliases) == "Open the tab in Slack."


@pytest.mark.django_db
def test_shared_page_keeps_its_words_when_a_member_is_named_after_them(
    organization, client, tmp_path
):
    colleague = factories.member_add(organization=organization)
    user_name_set(user=colleague, name="Enter Slack")
    note = "Enter Slack restarted the uplinks."
    workflow = workflow_built(organization, _sample_with_note(tmp_path, note))
    shown = _shared(client, organization, workflow, show_names=True)

    page = _shared(client, organization, workflow)

    # The note shows in the SOP, its map and the report: hidden in each.
    named = shown.count("Enter Slack")
    assert named == page.count("a colleague") == 4
    for word in ("Enter", "Slack"):
        found = len(re.findall(rf"\b{word}\b", page))
        assert found == len(re.findall(rf"\b{word}\b", shown)) - named > 0
