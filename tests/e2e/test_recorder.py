"""Record a scripted incident in Chromium and check what reached the server.

Every field gets a sentinel string typed into it; none may appear in the
browser's storage, the uploaded batches or the stored events.
"""

import json

import pytest

from apps.recordings.models import Event, RawBatch, Recording

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SENTINELS = {
    "caller": "SENTINEL-CALLER-4417",
    "short": "SENTINEL-SHORT-2290",
    "description": "SENTINEL-DESCRIPTION-8163",
    "notes": "SENTINEL-NOTES-3306",
    "password": "SENTINEL-PASSWORD-9931",
    "kb": "SENTINEL-KB-5508",
    "reason": "SENTINEL-REASON-7342",
    "paused": "SENTINEL-PAUSED-6021",
}


def connect_in_panel(recorder, server_url, token):
    panel = recorder.panel
    panel.fill("#server", server_url)
    panel.fill("#token", token)
    panel.click("#connect-form button[type=submit]")
    recorder.wait_for(lambda: recorder.state()["connection"], message="connection")


def start_on(recorder, page, title):
    recorder.send({"type": "start", "tabId": recorder.tab_id(page.url), "title": title})
    recorder.wait_for(
        lambda: any(e["type"] == "navigation" for e in recorder.stored_events()),
        message="the first navigation",
    )


def start_connected(recorder, server, pages_url, api_token, title):
    """Connect, open the ITSM page and record on it; return the page."""
    connect_in_panel(recorder, server.url, api_token)
    page = recorder.context.new_page()
    page.goto(f"{pages_url}/itsm.html")
    start_on(recorder, page, title)
    return page


def summary(events):
    """Return each event as (type, what it names, chosen value)."""
    rows = []
    for event in events:
        named = event.get("name") or event.get("label") or event.get("phase")
        named = named or event.get("note") or event.get("title", "")
        rows.append((event["type"], named, event.get("value", event.get("checked"))))
    return rows


def server_events(recording_id):
    return [
        event.data
        for event in Event.objects.filter(recording_id=recording_id).order_by("seq")
    ]


def wait_finished(recorder, recording_id):
    def finished():
        recording = Recording.objects.filter(id=recording_id).first()
        return recording if recording and recording.status == "finished" else None

    return recorder.wait_for(finished, timeout=60, message="the finished recording")


def record_incident(recorder, page, pages_url):
    """Handle the incident on the test pages; return the monitoring tab."""
    panel = recorder.panel
    panel.click('[data-phase="log"]')
    page.fill("#caller", SENTINELS["caller"])
    page.locator("#short").press_sequentially(SENTINELS["short"])
    page.fill("#description", SENTINELS["description"])
    page.locator("#work-notes").press_sequentially(SENTINELS["notes"])
    page.select_option("#severity", label="2 - High")
    page.select_option("#category", label="Network")
    page.select_option("#team", label="Network Operations")
    page.get_by_label("Whole site").check()
    page.get_by_label("Major incident").check()
    page.click("#service")
    page.click("#svc-vpn")
    page.fill("#admin-password", SENTINELS["password"])
    page.click("#attach")

    panel.click('[data-phase="investigate"]')
    kb = page.frame_locator("#kb")
    kb.locator("#kb-search").fill(SENTINELS["kb"])
    kb.locator("#search-for").click()
    kb.locator("#use-article").click()
    page.locator("alert-widget #reason").fill(SENTINELS["reason"])
    page.locator('alert-widget [role="button"]').click()
    panel.fill("#note", "Called the network team on the bridge")
    panel.click("#note-form button[type=submit]")

    page.click("#save")
    page.wait_for_url("**/incident/INC0010042**")
    with recorder.context.expect_page() as opened:
        page.click("#monitoring-link")
    monitoring = opened.value
    monitoring.wait_for_load_state()
    recorder.wait_for(
        lambda: any(
            e.get("title", "").startswith("VPN gateway")
            for e in recorder.stored_events()
        ),
        message="the monitoring page",
    )
    monitoring.click("#silence")
    page.bring_to_front()
    recorder.wait_for(
        lambda: recorder.stored_events()[-1]["type"] == "tab_switched",
        message="the tab switch",
    )

    panel.click("#pause")
    page.fill("#short", SENTINELS["paused"])
    page.click("#attach")
    page.select_option("#severity", label="1 - Critical")
    panel.click("#resume")
    panel.click('[data-phase="resolve"]')
    return monitoring


EXPECTED = [
    ("navigation", "New incident | Acme ITSM", None),
    ("phase_marked", "log", None),
    ("field_edited", "Caller", None),
    ("field_edited", "Short description", None),
    ("field_edited", "Description", None),
    ("field_edited", "Work notes", None),
    ("choice_made", "Severity", "2 - High"),
    ("choice_made", "Category", "Network"),
    ("choice_made", "Assignment team", "Network Operations"),
    ("choice_made", "Impact", "Whole site"),
    ("choice_made", "Major incident", True),
    ("choice_made", "Affected service", "VPN gateway"),
    ("click", "paperclip", None),
    ("phase_marked", "investigate", None),
    ("field_edited", "Search knowledge", None),
    ("click", "Search for “[typed text]”", None),
    ("click", "Use this article", None),
    ("field_edited", "Reason", None),
    ("click", "Acknowledge alert", None),
    ("note_added", "Called the network team on the bridge", None),
    ("click", "Save incident", None),
    ("form_submitted", "Incident form", None),
    ("navigation", "INC0010042 | Acme ITSM", None),
    ("click", "Open monitoring", None),
    ("tab_opened", "", None),
    ("navigation", "VPN gateway | Acme monitoring", None),
    ("click", "Silence alert", None),
    ("tab_switched", "INC0010042 | Acme ITSM", None),
    ("recording_paused", "", None),
    ("recording_resumed", "", None),
    ("phase_marked", "resolve", None),
]


def test_recorder_uploads_a_scripted_incident_without_typed_values(
    recorder, server, pages_url, api_token, organization
):
    connect_in_panel(recorder, server.url, api_token)
    page = recorder.context.new_page()
    page.goto(f"{pages_url}/itsm.html")
    start_on(recorder, page, "INC0010042 VPN down for jane.doe@example.com")
    record_incident(recorder, page, pages_url)

    recorder.panel.click("#stop")
    recorder.panel.locator("#steps li").first.wait_for()
    in_browser = json.dumps(recorder.storage())
    recording_id = recorder.state()["recording"]["id"]
    events = recorder.stored_events()
    attach = next(e["seq"] for e in events if e.get("name") == "paperclip")
    recorder.panel.click(f'#steps button[data-seq="{attach}"]')
    recorder.wait_for(
        lambda: recorder.panel.locator("#steps li.dropped").count() == 1,
        message="the dropped step",
    )
    recorder.panel.click("#finish")
    recording = wait_finished(recorder, recording_id)

    assert summary(events) == EXPECTED
    assert [e["seq"] for e in events] == list(range(1, len(EXPECTED) + 1))
    stored = server_events(recording_id)
    assert [e["seq"] for e in stored] == [
        e["seq"] for e in events if e["seq"] != attach
    ]
    assert recording.dropped_seqs == [attach]
    assert recording.title == "INC0010042 VPN down for [email]"
    assert all(e.get("path", "").find("?") < 0 for e in stored)
    navigation = [e for e in stored if e["type"] == "navigation"]
    assert [e["path"] for e in navigation] == [
        "/itsm.html",
        "/incident/INC0010042",
        "/monitoring.html",
    ]
    assert [e["nav"] for e in navigation] == ["load", "push", "load"]
    assert recording.privacy["skipped_fields"] == ["Admin password"]
    assert recording.privacy["redactions"] == {"email": 1}
    assert recording.privacy["uninstrumented"] == [
        {"origin": "data:", "reason": "frame-not-a-web-page"}
    ]

    uploaded = b"".join(bytes(batch.body) for batch in RawBatch.objects.all())
    for where, text in [
        ("browser storage", in_browser),
        ("stored events", json.dumps(stored)),
        ("uploaded batches", uploaded.decode()),
        ("recording", json.dumps(recording.privacy) + recording.title),
    ]:
        for sentinel in SENTINELS.values():
            assert sentinel not in text, f"{sentinel} found in {where}"
    assert "Admin password" not in json.dumps(stored)
    # Finished recordings leave nothing behind in the browser.
    recorder.wait_for(
        lambda: not [key for key in recorder.storage() if key.startswith("event:")],
        message="the browser to forget the finished recording",
    )
    assert recorder.storage()["lastResult"]["outcome"] == "finished"
    recorder.panel.get_by_text("The last recording was uploaded").wait_for()
    assert recorder.panel_errors == []


def test_recorder_discard_deletes_what_the_server_holds(
    recorder, server, pages_url, api_token
):
    page = start_connected(recorder, server, pages_url, api_token, "Wrong incident")
    page.click("#attach")
    recording_id = recorder.state()["recording"]["id"]
    recorder.wait_for(
        lambda: Event.objects.filter(recording_id=recording_id).count() == 2,
        message="the upload",
    )

    recorder.panel.click("#stop")
    recorder.panel.once("dialog", lambda dialog: dialog.accept())
    recorder.panel.click("#discard")
    recorder.panel.get_by_text("The last recording was discarded.").wait_for()

    recording = Recording.objects.get(id=recording_id)
    assert recording.status == "discarded"
    assert not Event.objects.filter(recording_id=recording_id).exists()
    stored = recorder.storage()
    assert "recording" not in stored
    assert not [key for key in stored if key.startswith("event:")]
    assert stored["status"] == {"state": "idle", "id": None}


def test_recorder_finishing_with_every_step_dropped_keeps_nothing(
    recorder, server, pages_url, api_token
):
    start_connected(recorder, server, pages_url, api_token, "Opened by mistake")
    recording_id = recorder.state()["recording"]["id"]

    recorder.panel.click("#stop")
    steps = recorder.panel.locator("#steps li")
    steps.first.wait_for()
    for index in range(steps.count()):
        steps.nth(index).get_by_role("button", name="Drop").click()
    recorder.wait_for(
        lambda: recorder.panel.locator("#steps li.dropped").count() == steps.count(),
        message="every step dropped",
    )
    recorder.panel.click("#finish")
    recorder.panel.get_by_text(
        "The last recording held no steps, so there was nothing to upload."
    ).wait_for()

    recording = Recording.objects.get(id=recording_id)
    assert recording.status == "discarded"
    assert not Event.objects.filter(recording_id=recording_id).exists()
    assert recorder.storage()["lastResult"]["outcome"] == "empty"
    assert recorder.panel_errors == []


def test_recorder_records_clicks_in_a_cross_origin_frame(recorder, pages_url):
    page = recorder.context.new_page()
    page.goto(f"{pages_url}/frames.html")
    page.frame_locator("#widget").locator("#silence").wait_for()
    start_on(recorder, page, "Widget")
    page.frame_locator("#widget").locator("#silence").click()
    events = recorder.wait_for(
        lambda: [e for e in recorder.stored_events() if e["type"] == "click"],
        message="the click in the frame",
    )
    port = pages_url.rsplit(":", 1)[1]
    assert events[0]["name"] == "Silence alert"
    assert events[0]["origin"] == f"http://localhost:{port}"
    assert events[0]["frame"] > 0


def test_recorder_keeps_only_the_option_arrow_keys_settle_on(recorder, pages_url):
    page = recorder.context.new_page()
    page.goto(f"{pages_url}/itsm.html")
    start_on(recorder, page, "Keyboard choice")
    page.focus("#severity")
    # A closed select changes at every arrow press, as a person steps down.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    page.click("#major")
    recorder.wait_for(
        lambda: any(
            e.get("label") == "Major incident" for e in recorder.stored_events()
        ),
        message="the checkbox after the choice",
    )

    choices = [
        (e["label"], e.get("value", e.get("checked")))
        for e in recorder.stored_events()
        if e["type"] == "choice_made"
    ]
    assert choices == [("Severity", "2 - High"), ("Major incident", True)]
