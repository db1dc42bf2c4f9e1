import subprocess
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.workflows.models import Workflow


def test_generate_workflow_prints_the_id_and_export_writes_each_format(
    outage, tmp_path
):
    out = StringIO()
    call_command("generate_workflow", str(outage.pk), stdout=out)
    workflow = Workflow.objects.get(pk=int(out.getvalue()))

    for export in ("pdf", "md", "html", "mermaid", "bpmn"):
        path = tmp_path / f"sop.{export}"
        call_command(
            "export_workflow",
            workflow.pk,
            format=export,
            out=str(path),
            stdout=StringIO(),
        )
        assert path.stat().st_size > 0

    assert workflow.state == "ready"
    text = subprocess.run(
        ["pdftotext", "-raw", str(tmp_path / "sop.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # The map wraps long labels over lines; compare words, not line breaks.
    text = " ".join(text.split())
    for label in ("Set Priority", "Grafana · 21 s", "Choose the assignment group"):
        assert label in text, label
    assert (
        "15. Decision: Set Priority ServiceNow · 4 s · in the recording: 2 - High"
        in (text)
    )
    # Numbering runs on across phases: Investigate starts at step 22.
    assert "22. Open Prometheus" in text
    assert "Acme IT" in text
    assert "Page 2 /" in text


def test_generate_workflow_says_what_is_wrong_with_the_id(db):
    with pytest.raises(CommandError, match="is not a recording id"):
        call_command("generate_workflow", "nope")
