"""Check what a hand recording left on the server, in the browser and in the output.

Run with the same DATABASE_URL as the server, after the recording is finished:
``python tests/manual/hand_recording_check.py WORK_DIR SENTINEL...``. Exit 1 on
any failure. It reads the newest recording; see ``hand_recording.sh``.
"""

import os
import subprocess
import sys
import zlib
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ledgerium.settings.local")
django.setup()

from django.test import Client  # noqa: E402

from apps.recordings.models import Event, RawBatch, Recording  # noqa: E402
from apps.workflows.models import Workflow  # noqa: E402

EXPORTS = ["md", "html", "pdf", "svg", "mermaid", "bpmn"]
failures = []


def check(condition, text):
    print(("ok    " if condition else "FAIL  ") + text)
    if not condition:
        failures.append(text)


def recording_checks(recording, expected_count, dropped):
    events = list(Event.objects.filter(recording=recording).order_by("seq"))
    seqs = [event.seq for event in events]
    kept = sorted(set(range(1, recording.last_seq + 1)) - set(dropped))
    check(recording.status == "finished", f"status is {recording.status}")
    check(recording.last_seq == expected_count, f"last seq {recording.last_seq}")
    check(
        seqs == kept, f"{len(seqs)} events, seqs 1..{recording.last_seq} less {dropped}"
    )
    check(recording.dropped_seqs == dropped, f"dropped {recording.dropped_seqs}")
    check(not recording.final_gaps, f"final gaps {recording.final_gaps}")
    print(f"      clock_offset_ms {recording.clock_offset_ms}")
    for event in events:
        data = event.data
        named = data.get("name") or data.get("label") or data.get("phase")
        named = named or data.get("note") or data.get("title", "")
        print(
            f"      {event.seq:3} {data['type']:18} {named!r} {data.get('value', '')!r}"
        )
    return events


def texts(recording, workflow):
    """Yield (where, text) for everything stored or generated."""
    yield "events", " ".join(str(event.data) for event in recording.events.all())
    for batch in RawBatch.objects.filter(recording=recording):
        yield f"raw batch {batch.pk}", zlib.decompress(bytes(batch.body)).decode()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(recording.created_by)
    for export in EXPORTS:
        response = client.get(f"/workflows/{workflow.pk}/download/{export}/")
        yield export, _text(export, response)
    yield "report pdf", _text("pdf", client.get(f"/workflows/{workflow.pk}/report.pdf"))


def _text(export, response):
    body = response.content
    check(response.status_code == 200 and body, f"{export} download answers 200")
    if export != "pdf" or response.status_code != 200:
        return body.decode(errors="replace")
    result = subprocess.run(
        ["pdftotext", "-raw", "-", "-"], input=body, capture_output=True, check=True
    )
    return result.stdout.decode()


def main(work, expected_count, dropped, kept_note, sentinels):
    recording = Recording.objects.order_by("-created_at").first()
    recording_checks(recording, expected_count, dropped)
    workflow = Workflow.objects.filter(runs__recording=recording).first()
    check(workflow is not None, "a workflow was generated")
    everything = list(texts(recording, workflow)) if workflow else []
    dump = subprocess.run(
        ["sqlite3", str(work / "db.sqlite3"), ".dump"], capture_output=True, check=True
    ).stdout.decode()
    everything.append(("database dump", dump))
    storage = work / "profile" / "Default" / "Local Extension Settings"
    for path in storage.rglob("*"):
        if path.is_file():
            everything.append((str(path), path.read_bytes().decode("latin-1")))
    check(kept_note in dump, f"the note {kept_note!r} is in the dump (grep works)")
    for where, text in everything:
        found = [sentinel for sentinel in sentinels if sentinel in text]
        check(not found, f"no sentinel in {where}" + (f": {found}" if found else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    work_dir, count, dropped_seqs, note, *typed = sys.argv[1:]
    dropped_list = [int(seq) for seq in dropped_seqs.split(",") if seq]
    sys.exit(main(Path(work_dir), int(count), dropped_list, note, typed))
