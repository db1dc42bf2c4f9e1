"""The recording survives a stopped service worker, an outage and a revoked
token: every event reaches the server, once and in order."""

import time

import pytest

from apps.accounts.models import ApiToken
from apps.accounts.services import api_token_revoke
from apps.recordings.models import Event, Recording
from tests import factories
from tests.e2e.test_recorder import connect_in_panel, start_on, wait_finished

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def server_seqs(recording_id):
    return list(
        Event.objects.filter(recording_id=recording_id)
        .order_by("seq")
        .values_list("seq", flat=True)
    )


def test_recorder_delivers_everything_after_a_stopped_worker_and_an_outage(
    recorder, server, pages_url, api_token
):
    connect_in_panel(recorder, server.url, api_token)
    page = recorder.context.new_page()
    page.goto(f"{pages_url}/itsm.html")
    start_on(recorder, page, "VPN down")
    recording_id = recorder.state()["recording"]["id"]
    recorder.wait_for(lambda: server_seqs(recording_id) == [1], message="first upload")

    server.down()
    page.fill("#caller", "someone")
    recorder.stop_worker(page)
    page.select_option("#severity", label="1 - Critical")
    page.click("#attach")
    recorder.stop_worker(page)
    page.select_option("#team", label="Service Desk")
    recorder.wait_for(
        lambda: recorder.state()["recording"]["upload"]["state"] == "offline",
        message="the upload to notice the outage",
    )
    recorder.stop_worker(page)
    # Long enough for at least one retry alarm to fire and fail.
    time.sleep(5)
    assert server_seqs(recording_id) == [1]

    server.up()
    # Nothing pokes the worker now: the retry alarm alone must wake it.
    expected = [1, 2, 3, 4, 5]
    deadline = time.monotonic() + 60
    while server_seqs(recording_id) != expected and time.monotonic() < deadline:
        time.sleep(0.5)
    assert server_seqs(recording_id) == expected

    recorder.send({"type": "stop"})
    recorder.send({"type": "finish"})
    recording = wait_finished(recorder, recording_id)
    stored = [e.data for e in Event.objects.filter(recording=recording).order_by("seq")]
    assert [(e["type"], e.get("label") or e.get("name", "")) for e in stored] == [
        ("navigation", ""),
        ("field_edited", "Caller"),
        ("choice_made", "Severity"),
        ("click", "paperclip"),
        ("choice_made", "Assignment team"),
    ]
    assert recording.final_gaps == []


def test_recorder_keeps_the_recording_when_the_token_is_revoked(
    recorder, server, pages_url, api_token, organization, owner
):
    connect_in_panel(recorder, server.url, api_token)
    page = recorder.context.new_page()
    page.goto(f"{pages_url}/itsm.html")
    start_on(recorder, page, "Mail down")
    recording_id = recorder.state()["recording"]["id"]
    recorder.wait_for(lambda: server_seqs(recording_id) == [1], message="first upload")

    membership = organization.memberships.get(user=owner)
    api_token_revoke(
        membership=membership,
        token=ApiToken.objects.get(token_hash=ApiToken.hash(api_token)),
    )
    page.select_option("#category", label="Hardware")
    recorder.wait_for(
        lambda: recorder.state()["connection"]["needsReconnect"],
        message="the extension to ask for a new token",
    )
    page.click("#attach")
    state = recorder.state()
    assert state["recording"]["state"] == "recording"
    assert state["recording"]["total"] == 3
    recorder.panel.reload()
    assert recorder.panel.locator("#reconnect-note").is_visible()
    assert server_seqs(recording_id) == [1]

    fresh = factories.api_token_for(organization=organization, user=owner)
    connect_in_panel(recorder, server.url, fresh)
    recorder.wait_for(
        lambda: server_seqs(recording_id) == [1, 2, 3], message="the upload to resume"
    )
    assert Recording.objects.get(id=recording_id).status == "recording"


def test_recorder_uploads_after_a_browser_restart(launch, server, pages_url, api_token):
    recorder = launch()
    connect_in_panel(recorder, server.url, api_token)
    page = recorder.context.new_page()
    page.goto(f"{pages_url}/itsm.html")
    start_on(recorder, page, "Printer queue stuck")
    recording_id = recorder.state()["recording"]["id"]
    recorder.wait_for(lambda: server_seqs(recording_id) == [1], message="first upload")

    server.down()
    page.select_option("#severity", label="3 - Moderate")
    page.click("#attach")
    recorder.wait_for(
        lambda: recorder.state()["recording"]["total"] == 3, message="stored events"
    )
    recorder.context.close()
    server.up()

    recorder = launch()
    recorder.wait_for(
        lambda: server_seqs(recording_id) == [1, 2, 3], message="upload after restart"
    )
    # Tab ids changed with the restart: the tab the agent works in next is
    # the recorded tab.
    page = recorder.context.new_page()
    page.goto(f"{pages_url}/itsm.html")
    page.click("#save")
    recorder.wait_for(
        lambda: len(server_seqs(recording_id)) >= 8, message="the adopted tab"
    )
    stored = [
        e.data for e in Event.objects.filter(recording_id=recording_id).order_by("seq")
    ]
    # The page loaded while recording, so its frame's page is a step too.
    assert {e["path"] for e in stored[3:5]} == {"/itsm.html", "/kb.html"}
    assert [(e["type"], e.get("name", e.get("path"))) for e in stored[5:]] == [
        ("click", "Save incident"),
        ("form_submitted", "Incident form"),
        ("navigation", "/incident/INC0010042"),
    ]
    assert len({e["tab"] for e in stored[3:]}) == 1
