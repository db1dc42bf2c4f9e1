"""Every sample recording in ``apps/recordings/samples/`` is a valid document.

The samples are what ``make demo`` loads and what the docs show; each one
must import through the same command a person would use, and read like what
the extension sends.
"""

import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from apps.recordings.models import Recording

SAMPLES = sorted((Path(settings.BASE_DIR) / "apps/recordings/samples").glob("*.json"))
MANIFEST = Path(settings.BASE_DIR) / "extension" / "manifest.json"


def _document(path):
    return json.loads(path.read_bytes())


def test_samples_are_there():
    assert len(SAMPLES) >= 2


@pytest.mark.parametrize("path", SAMPLES, ids=lambda path: path.stem)
def test_sample_imports_whole_and_finished(path, organization, owner):
    document = _document(path)
    out = io.StringIO()

    call_command(
        "import_recording",
        str(path),
        "--org",
        organization.slug,
        "--user",
        owner.email,
        stdout=out,
    )

    recording = Recording.objects.get(organization=organization)
    assert out.getvalue() == (
        f"Imported recording {recording.pk} with {len(document['events'])} events.\n"
    )
    assert recording.status == "finished"
    assert recording.final_gaps == []
    assert recording.server_redactions == {}


@pytest.mark.parametrize("path", SAMPLES, ids=lambda path: path.stem)
def test_sample_names_the_extension_version_of_the_manifest(path):
    version = json.loads(MANIFEST.read_text())["version"]

    assert _document(path)["client"]["version"] == version


@pytest.mark.parametrize("path", SAMPLES, ids=lambda path: path.stem)
def test_sample_events_have_every_seq_and_values_only_for_choices(path):
    events = _document(path)["events"]

    assert [event["seq"] for event in events] == list(range(1, len(events) + 1))
    typed = [e["seq"] for e in events if e.get("value") and e["type"] != "choice_made"]
    assert typed == []
