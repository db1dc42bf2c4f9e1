import json
import time
import uuid
from html import unescape
from http import HTTPStatus
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from apps.accounts.models import Role
from apps.accounts.selectors import usage_current
from apps.recordings.models import Event, Recording, RecordingStatus
from apps.workflows.models import Run, SopVersion, State, Workflow
from tests import factories

pytestmark = pytest.mark.django_db

SAMPLE = Path(settings.BASE_DIR, "apps/recordings/samples/network-outage.json")


def _upload(client, content, name="recording.json"):
    return client.post(
        "/upload/", {"file": SimpleUploadedFile(name, content, "application/json")}
    )


def test_upload_imports_and_finishes_the_sample(organization, owner_client):
    response = _upload(owner_client, SAMPLE.read_bytes())

    assert response.status_code == HTTPStatus.FOUND
    recording = Recording.objects.get(organization=organization)
    assert recording.title == "Berlin office lost network access"
    assert recording.status == RecordingStatus.FINISHED
    assert recording.event_count > 0


def test_upload_names_the_field_at_fault(organization, owner_client):
    bad = SAMPLE.read_bytes().replace(b'"seq": 1,', b'"seq": "one",', 1)

    response = _upload(owner_client, bad)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert b"seq" in response.content
    assert not Recording.objects.filter(organization=organization).exists()


def test_upload_refuses_a_file_over_the_limit(owner_client, monkeypatch):
    monkeypatch.setattr("apps.recordings.format.MAX_DOCUMENT_BYTES", 100)

    response = _upload(owner_client, SAMPLE.read_bytes())

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert b"the limit is 100" in response.content


def test_upload_states_a_file_over_the_limit_in_the_limit_s_unit(
    organization, owner_client
):
    response = _upload(owner_client, b" " * 34_600_000)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert (
        "The file is 33.0 MiB (34,600,000 bytes); the limit is 32 MiB "
        "(33,554,432 bytes)." in response.content.decode()
    )
    assert not Recording.objects.filter(organization=organization).exists()


def test_upload_refuses_not_json_in_plain_words_then_in_detail(owner_client):
    response = _upload(owner_client, b"\x89PNG not a recording", name="x.png")

    page = response.content.decode()
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert (
        '<p class="error-message">This file is not a Ledgerium recording '
        "(it is not JSON)." in page
    )
    plain = page.index("it is not JSON")
    detail = page.index("In detail: The file is not text in UTF-8 (line 1, column 1).")
    assert plain < detail
    assert "The body" not in page


def test_upload_says_where_the_file_stops_being_json(owner_client):
    text = '{\n  "id": "2b1c",\n  "title": "Café printer",,\n  "events": []\n}\n'

    response = _upload(owner_client, text.encode())

    page = response.content.decode()
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert (
        "In detail: The file is not valid JSON: object keys must be strings "
        "(line 3, column 27).</p>" in page
    )
    assert "body" not in page.lower().replace("<body", "").replace("</body", "")


def test_upload_of_broken_json_with_a_wrong_value_before_says_it_is_not_json(
    owner_client,
):
    """The first event is of the wrong kind, but the file is not JSON at all."""
    text = '{"id": "x",\n "title": "t",\n "events": [1,2,,3]}'

    response = _upload(owner_client, text.encode())

    page = response.content.decode()
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "This file is not a Ledgerium recording (it is not JSON)." in page
    assert (
        "In detail: The file is not valid JSON: invalid character "
        "(line 3, column 17).</p>" in page
    )
    assert "must be an object" not in page


def _without_events(events):
    document = json.loads(SAMPLE.read_bytes())
    del document["events"]
    if events is not None:
        document["events"] = events
    return json.dumps(document).encode()


@pytest.mark.parametrize("events", [None, []], ids=["missing", "empty"])
def test_upload_refuses_a_recording_without_events_and_counts_nothing(
    organization, owner_client, events
):
    response = _upload(owner_client, _without_events(events))

    page = response.content.decode()
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert (
        '<p class="error-message">This file is a recording with no events, so '
        "there is nothing to document and nothing of it was imported." in page
    )
    assert (
        "In detail: The recording holds no events: “events” is missing or empty "
        "(at $.events). A recording needs at least one event to document "
        "anything.</p>" in page
    )
    assert not Recording.objects.filter(organization=organization).exists()
    assert not Workflow.objects.filter(organization=organization).exists()
    assert usage_current(organization=organization)[0] == 0


def test_upload_of_the_same_file_again_says_it_was_already_imported(
    organization, owner_client
):
    first = owner_client.post("/upload/", {"file": SAMPLE.open("rb")}, follow=True)

    response = owner_client.post("/upload/", {"file": SAMPLE.open("rb")}, follow=True)

    recording = Recording.objects.get(organization=organization)
    page = response.content.decode()
    assert response.redirect_chain == [
        (f"/recordings/{recording.pk}/", HTTPStatus.FOUND)
    ]
    assert "was already imported; this is the one you have." in page
    assert "” imported." in first.content.decode()
    assert "” imported." not in page


def test_upload_of_a_deleted_recording_says_it_was_deleted(organization, owner_client):
    owner_client.post("/upload/", {"file": SAMPLE.open("rb")})
    recording = Recording.objects.get(organization=organization)
    owner_client.post(f"/recordings/{recording.pk}/delete/", {"confirmed": "yes"})

    response = owner_client.post("/upload/", {"file": SAMPLE.open("rb")})

    page = response.content.decode()
    assert response.status_code == HTTPStatus.CONFLICT
    assert (
        '<p class="error-message">This file is a recording that was deleted. A '
        "deleted recording cannot be imported again" in page
    )
    assert "not a Ledgerium recording" not in page
    assert not Event.objects.filter(recording=recording).exists()


def test_upload_page_links_the_format_and_states_the_limit(owner_client):
    page = owner_client.get("/upload/").content.decode()

    assert (
        "may be up to 32 MiB (33,554,432 bytes): a whole file, where the API "
        "takes a recording in batches of up to 1 MiB each." in page
    )
    assert '<a href="/recording-format/">recording format</a>' in page
    assert '<a href="/recording-format/schema.json">JSON Schema</a>' in page


def test_recording_format_is_a_page_with_its_title_headings_and_tables(client):
    response = client.get("/recording-format/")

    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "<title>The recording format and the ingest API · Ledgerium</title>" in page
    assert page.count("<h1>") == 1
    assert "<h1>The recording format and the ingest API</h1>" in page
    assert "<h2>The recording</h2>" in page
    assert "<h3>Batches</h3>" in page
    assert "<th>field</th>" in page
    assert "<td><code>id</code></td>" in page
    assert '<pre><code class="language-json">' in page
    assert "<td><code>Bearer &lt;token&gt;</code></td>" in page
    assert '<a href="/recording-format/recording-format.md">plain text</a>' in page
    assert '<a href="/recording-format/schema.json">JSON Schema</a>' in page


def test_recording_format_page_escapes_html_in_its_source(
    client, monkeypatch, tmp_path
):
    source = tmp_path / "format.md"
    source.write_text(
        "# Format <i>x</i>\n\n<script>alert(1)</script>\n\n"
        "[run](javascript:alert(1)) <img src=x onerror=alert(1)>\n"
    )
    monkeypatch.setattr("apps.recordings.views.FORMAT_DOCUMENT", source)

    page = client.get("/recording-format/").content.decode()

    assert "<title>Format &lt;i&gt;x&lt;/i&gt; · Ledgerium</title>" in page
    assert "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert 'href="javascript' not in page


def test_recording_format_text_and_schema_are_served(client):
    document = client.get("/recording-format/recording-format.md")
    schema = client.get("/recording-format/schema.json")

    assert document.status_code == HTTPStatus.OK
    assert document["Content-Type"] == "text/plain; charset=utf-8"
    assert document.content.startswith(b"# The recording format")
    assert schema.status_code == HTTPStatus.OK
    assert "Recording" in json.loads(schema.content)["$defs"]


def test_upload_is_refused_to_a_viewer(organization):
    viewer = factories.member_add(organization=organization, role=Role.VIEWER)
    client = Client()
    client.force_login(viewer)

    response = _upload(client, SAMPLE.read_bytes())

    assert client.get("/upload/").status_code == HTTPStatus.FORBIDDEN
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not Recording.objects.filter(organization=organization).exists()


def test_upload_refuses_a_nul_in_a_redaction_key(organization, owner_client):
    document = json.loads(SAMPLE.read_bytes())
    document["privacy"] = {"redactions": {"email\u0000": 1}}

    response = _upload(owner_client, json.dumps(document).encode())

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert b"privacy.redactions" in response.content
    assert not Recording.objects.filter(organization=organization).exists()


def test_upload_refuses_an_event_nested_past_the_decoders_depth(
    organization, owner_client
):
    nested = b'{"a": ' * 200_000 + b"1" + b"}" * 200_000
    content = b'{"id": "%s", "events": [{"a": %s}]}' % (
        str(uuid.uuid4()).encode(),
        nested,
    )

    response = _upload(owner_client, content)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert (
        "In detail: Event number 1 in the events list: Unknown field “a” "
        "(at $.events[0]).</p>"
    ) in response.content.decode()
    assert not Recording.objects.filter(organization=organization).exists()


def _with_typed_text(document):
    """Return ``document`` with the agent's typed text as event 10's value."""
    typed = document["events"][10]
    assert typed["type"] == "field_edited"
    typed.update(label="Summary of the problem", value="hunter2 secret password")
    return json.dumps(document).encode()


def test_upload_refuses_typed_text_naming_the_event(organization, owner_client):
    response = _upload(owner_client, _with_typed_text(json.loads(SAMPLE.read_bytes())))

    page = response.content.decode()
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert (
        '<p class="error-message">This file holds typed text where a recording '
        "keeps only a chosen option, so nothing of it was imported.</p>"
    ) in page
    assert (
        "In detail: Event with seq 11 (number 11 in the events list): a "
        "field_edited event carries no value; typed text is never recorded "
        "(at $.events[10].value).</p>"
    ) in page
    assert "hunter2" not in page
    assert not Recording.objects.filter(organization=organization).exists()
    assert not Event.objects.exists()


def test_upload_of_typed_text_leaves_the_imported_recording_as_it_was(
    organization, owner_client
):
    assert _upload(owner_client, SAMPLE.read_bytes()).status_code == HTTPStatus.FOUND
    recording = Recording.objects.get(organization=organization)
    before = list(recording.events.order_by("seq").values_list("seq", "data"))
    document = json.loads(SAMPLE.read_bytes())
    document["events"].append({**document["events"][10], "seq": 10_000})

    response = _upload(owner_client, _with_typed_text(document))

    assert response.status_code == HTTPStatus.BAD_REQUEST
    after = Recording.objects.get(organization=organization)
    assert after.event_count == recording.event_count
    assert list(after.events.order_by("seq").values_list("seq", "data")) == before


def test_upload_keeps_the_chosen_option_of_a_select(organization, owner_client):
    _upload(owner_client, SAMPLE.read_bytes())

    choice = Event.objects.get(organization=organization, seq=10)
    assert choice.data["field_kind"] == "select"
    assert choice.data["value"] == "Phone"


def _rendered_version(recording, timeout=180):
    """Wait until the version made from ``recording`` is rendered, or fails."""
    finished = [State.READY, State.FAILED]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = Run.objects.filter(recording=recording).select_related("workflow")
        if run and run[0].workflow.state == State.FAILED:
            raise AssertionError(run[0].workflow.failure_reason)
        versions = SopVersion.objects.filter(source_run__recording=recording)
        version = versions.filter(render_state__in=finished).first()
        if version is not None:
            return version
        time.sleep(0.5)
    raise AssertionError("the workflow was not generated in time")


@pytest.mark.django_db(transaction=True)
def test_upload_on_the_embedded_default_generates_after_answering(
    organization, owner_client, settings
):
    settings.LEDGERIUM_TASKS_IN_THREAD = True

    response = _upload(owner_client, SAMPLE.read_bytes())

    assert response.status_code == HTTPStatus.FOUND
    version = _rendered_version(Recording.objects.get(organization=organization))
    assert version.workflow.state == State.READY
    assert version.render_state == State.READY, version.render_failure
    assert bytes(version.pdf).startswith(b"%PDF-")
    assert "<svg" in version.svg


def test_upload_of_a_long_title_shortens_it_at_a_word_and_says_so(
    organization, owner_client
):
    document = json.loads(SAMPLE.read_text())
    document["title"] = "Ünïcödé 🚀 " + "Very long title " * 30

    response = _upload(owner_client, json.dumps(document).encode())
    page = unescape(owner_client.get(response["Location"]).content.decode())
    dashboard = owner_client.get("/dashboard/").content.decode()

    recording = Recording.objects.get(organization=organization)
    assert recording.title.endswith(" Very long title…")
    assert (
        '<li class="message info">The recording\'s title was longer than 300 '
        "characters, so it was shortened at a word and ends in “…”.</li>"
    ) in page
    assert f">{recording.title}</a>" in dashboard
    assert "Very long title Ve<" not in dashboard
