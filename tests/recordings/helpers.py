"""Build recording documents and batches the way the extension sends them."""

import json
import uuid

BASE_TS = 1_767_000_000_000


def event(seq, **fields):
    body = {
        "seq": seq,
        "ts": BASE_TS + seq * 1000,
        "type": "click",
        "tab": 1,
        "origin": "https://acme.service-now.com",
        "path": "/incident.do",
        "title": "INC0012345 | ServiceNow",
        "name": f"Button {seq}",
        "role": "button",
    }
    body.update(fields)
    return body


def events(first, last, **fields):
    return [event(seq, **fields) for seq in range(first, last + 1)]


def recording_body(recording_id=None, **fields):
    body = {
        "id": str(recording_id or uuid.uuid4()),
        "format_version": 1,
        "title": "Reset a password",
        "kind": "incident",
        "agent": "Agent A",
        "client": {"name": "ledgerium-extension", "version": "0.1.0"},
        "started_at": BASE_TS,
        "clock_offset_ms": 250,
    }
    body.update(fields)
    return body


def create(api_client, **fields):
    response = api_client.post(
        "/api/v1/recordings/",
        json.dumps(recording_body(**fields)),
        content_type="application/json",
    )
    assert response.status_code in (200, 201), response.content
    return response.json()["id"]


def send(api_client, recording_id, payload):
    """POST ``payload`` (a list of events, a dict or raw bytes) as a batch."""
    if isinstance(payload, list):
        payload = {"events": payload}
    if not isinstance(payload, bytes):
        payload = json.dumps(payload).encode()
    return api_client.post(
        f"/api/v1/recordings/{recording_id}/events/",
        payload,
        content_type="application/json",
    )


def finish(api_client, recording_id, **body):
    return api_client.post(
        f"/api/v1/recordings/{recording_id}/finish/",
        json.dumps(body),
        content_type="application/json",
    )
