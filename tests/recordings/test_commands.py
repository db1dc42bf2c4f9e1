import io
import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.core.management import CommandError, call_command

from apps.recordings.management.commands.recording_schema import (
    SCHEMA_FILE,
    schema_text,
)
from apps.recordings.models import Recording
from tests.recordings.helpers import events, recording_body

XES = "{http://www.xes-standard.org/}"


@pytest.fixture
def document_file(tmp_path):
    body = recording_body(events=events(1, 4), finished_at=1_767_000_009_000)
    body["events"][1].update(
        type="choice_made", label="Priority", field_kind="select", value="2 - High"
    )
    path = tmp_path / "recording.json"
    path.write_text(json.dumps(body))
    return path, body


def _run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_recording_schema_file_is_up_to_date():
    assert SCHEMA_FILE.read_text() == schema_text()


def test_import_recording_stores_and_finishes_it(document_file, organization, owner):
    path, body = document_file

    output = _run(
        "import_recording", str(path), "--org", organization.slug, "--user", owner.email
    )

    recording = Recording.objects.get(pk=body["id"])
    assert output == f"Imported recording {body['id']} with 4 events.\n"
    assert (recording.status, recording.event_count) == ("finished", 4)
    assert recording.organization == organization


def test_import_recording_twice_changes_nothing(document_file, organization, owner):
    path, body = document_file
    args = (
        "import_recording",
        str(path),
        "--org",
        organization.slug,
        "--user",
        owner.email,
    )

    _run(*args)
    _run(*args)

    assert Recording.objects.get(pk=body["id"]).event_count == 4


def test_import_recording_names_the_bad_event(tmp_path, organization, owner):
    body = recording_body(events=events(1, 3))
    body["events"][2]["type"] = "hover"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(body))

    with pytest.raises(CommandError) as raised:
        call_command(
            "import_recording",
            str(path),
            "--org",
            organization.slug,
            "--user",
            owner.email,
        )

    assert str(raised.value) == (
        "Event with seq 3 (number 3 in the events list): “type” has an unknown "
        "value, “hover” (at $.events[2].type)."
    )
    assert not Recording.objects.exists()


def test_import_recording_refuses_a_non_member(document_file, organization):
    path, _body = document_file

    with pytest.raises(CommandError, match="is not a member"):
        call_command(
            "import_recording", str(path), "--org", organization.slug, "--user", "x@y.z"
        )


def test_export_recording_json_imports_back_the_same(
    document_file, organization, owner, other_organization, tmp_path
):
    path, body = document_file
    _run(
        "import_recording", str(path), "--org", organization.slug, "--user", owner.email
    )

    exported = json.loads(_run("export_recording", body["id"], "--format", "json"))

    assert exported["events"] == json.loads(path.read_text())["events"]
    assert exported["clock_offset_ms"] == body["clock_offset_ms"]
    assert exported["started_at"] == body["started_at"]


def test_export_recording_xes_is_a_log_with_one_trace(
    document_file, organization, owner
):
    path, body = document_file
    _run(
        "import_recording", str(path), "--org", organization.slug, "--user", owner.email
    )

    log = ElementTree.fromstring(
        _run("export_recording", body["id"], "--format", "xes")
    )

    assert log.tag == f"{XES}log"
    assert {e.get("prefix") for e in log.iter(f"{XES}extension")} == {
        "concept",
        "time",
        "org",
        "lifecycle",
    }
    [trace] = log.findall(f"{XES}trace")
    assert trace.find(f"{XES}string[@key='concept:name']").get("value") == body["id"]
    found = trace.findall(f"{XES}event")
    assert len(found) == 4
    second = {a.get("key"): a.get("value") for a in found[1]}
    assert second["concept:name"] == "choice_made: Priority"
    assert second["org:resource"] == "Agent A"
    assert second["lifecycle:transition"] == "complete"
    # 1_767_000_002_000 ms plus the 250 ms clock offset.
    assert second["time:timestamp"] == "2025-12-29T09:20:02.250Z"


def test_export_recording_unknown_id_fails(db):
    with pytest.raises(CommandError, match="No recording has the id"):
        call_command("export_recording", "00000000-0000-0000-0000-000000000000")


def test_api_export_xes_matches_the_command(
    api_client, document_file, organization, owner
):
    path, body = document_file
    _run(
        "import_recording", str(path), "--org", organization.slug, "--user", owner.email
    )

    response = api_client.get(f"/api/v1/recordings/{body['id']}/export.xes")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert response.content.decode() == _run(
        "export_recording", body["id"], "--format", "xes"
    )
    assert Path(SCHEMA_FILE).exists()


def test_replay_raw_batches_stores_what_a_crash_left(api_client, monkeypatch):
    from apps.recordings import services
    from apps.recordings.models import Event, RawBatch
    from tests.recordings.helpers import create, send

    recording_id = create(api_client)

    def fail(recording, events):
        raise ConnectionError("server closed the connection")

    monkeypatch.setattr(services, "_copy_events", fail)
    with pytest.raises(ConnectionError):
        send(api_client, recording_id, events(1, 5))
    monkeypatch.undo()

    output = _run("replay_raw_batches", "--older-than", "0")

    assert output == "Replayed 1 raw batches.\n"
    assert Event.objects.filter(recording_id=recording_id).count() == 5
    assert not RawBatch.objects.exists()


def test_recording_schema_accepts_a_document_and_names_a_bad_event():
    import jsonschema

    schema = json.loads(SCHEMA_FILE.read_text())
    validator = jsonschema.Draft202012Validator(schema)
    good = recording_body(events=events(1, 2))
    bad = recording_body(events=[*events(1, 1), {**events(2, 2)[0], "x": 1}])

    assert list(validator.iter_errors(good)) == []
    [error] = validator.iter_errors(bad)
    assert list(error.absolute_path) == ["events", 1]
    assert "'x' was unexpected" in error.message


def test_recording_schema_refuses_a_document_without_events_but_not_a_create():
    import jsonschema

    schema = json.loads(SCHEMA_FILE.read_text())
    document = jsonschema.Draft202012Validator(schema)
    create = jsonschema.Draft202012Validator(
        {"$ref": "#/$defs/Recording", "$defs": schema["$defs"]}
    )

    [missing] = document.iter_errors(recording_body())
    [empty] = document.iter_errors(recording_body(events=[]))

    assert "'events' is a required property" in missing.message
    assert list(empty.absolute_path) == ["events"]
    assert list(create.iter_errors(recording_body())) == []


def test_recording_schema_allows_a_value_only_for_a_chosen_option():
    import jsonschema

    schema = json.loads(SCHEMA_FILE.read_text())
    validator = jsonschema.Draft202012Validator(schema)
    choice = {"type": "choice_made", "field_kind": "select", "value": "2 - High"}
    typed = {"type": "field_edited", "field_kind": "text", "value": "hunter2"}
    ticked = {"type": "choice_made", "field_kind": "checkbox", "value": "on"}
    documents = [
        recording_body(events=[{**events(1, 1)[0], **fields}])
        for fields in (choice, typed, ticked, {**choice, "field_kind": None})
    ]

    refused = [bool(list(validator.iter_errors(body))) for body in documents]

    assert refused == [False, True, True, True]


def test_export_recording_xes_of_many_has_a_trace_each(api_client):
    from tests.recordings.helpers import create, send

    first, second = create(api_client), create(api_client)
    send(api_client, first, events(1, 2))
    send(api_client, second, events(1, 3))

    log = ElementTree.fromstring(
        _run("export_recording", first, second, "--format", "xes")
    )

    traces = log.findall(f"{XES}trace")
    assert [len(trace.findall(f"{XES}event")) for trace in traces] == [2, 3]


def test_export_recording_json_takes_one_id(db):
    with pytest.raises(CommandError, match="A JSON export takes one id"):
        call_command("export_recording", "a", "b")


def test_import_of_a_file_another_organization_imported_gets_its_own_id(
    document_file, organization, owner, other_organization
):
    from apps.recordings.services import recording_import

    path, body = document_file
    theirs = other_organization.memberships.get().user
    first = recording_import(
        organization=organization, user=owner, document=path.read_bytes()
    )

    second = recording_import(
        organization=other_organization, user=theirs, document=path.read_bytes()
    )
    again = recording_import(
        organization=other_organization, user=theirs, document=path.read_bytes()
    )

    assert str(first.pk) == body["id"]
    assert second.pk != first.pk
    assert again.pk == second.pk
    assert (second.organization, second.event_count) == (other_organization, 4)
