import html
import re
from http import HTTPStatus

import pytest
from django.urls import reverse

from apps.reports.selectors import incident_import_latest
from apps.reports.services import incident_report_build
from tests import factories
from tests.reports.factories import incident_create


@pytest.fixture
def history(organization):
    first = incident_create(organization=organization, number="INC0000001")
    incident_create(
        organization=organization,
        number="INC0000002",
        rows=[
            ("New", "02-03-2016 09:00", "Group 1", "2 - High"),
            ("Active", "02-03-2016 09:30", "Group 3", "2 - High"),
            ("Resolved", "02-03-2016 11:00", "Group 3", "2 - High"),
        ],
    )
    # What the task does after each import, run here without a worker.
    incident_report_build(
        incident_import=incident_import_latest(organization=organization)
    )
    return first


def test_incident_history_page_shows_charts_and_figures(owner_client, history):
    response = owner_client.get(reverse("incident_history"))

    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "<svg" in body and "Median hand-off wait" in body
    assert "Group 1 → Group 2" in body
    assert "INC0000002" in body
    assert (
        "<script" not in body.split('<section class="report"')[1].split("</section>")[0]
    )


def test_incident_detail_of_another_organization_is_404(
    client, history, other_organization
):
    member = factories.user_create()
    other_organization.memberships.create(user=member, role="owner")
    client.force_login(member)

    response = client.get(reverse("incident_detail", args=["INC0000001"]))

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_incident_history_page_draws_the_state_map(owner_client, history):
    body = owner_client.get(reverse("incident_history")).content.decode()

    report = body.split('<section class="report"')[1].split("</section>")[0]
    source = report.split('<pre class="mermaid process-map" data-mermaid>')[1]
    # Nodes are states with their visits, arrows changes of state with how
    # often and the median time to them: New 1 h and 30 min, Active 2 h and
    # 1 h 30 min.
    assert html.unescape(source.split("</pre>")[0]) == (
        "flowchart TD\n"
        '  start(("Start"))\n'
        '  finish(("End"))\n'
        '  n1["Active (2×)"]\n'
        '  n2["New (2×)"]\n'
        '  n3["Resolved (2×)"]\n'
        '  start -->|"2×"| n2\n'
        '  n1 -->|"2× · 1 h 45 min"| n3\n'
        '  n2 -->|"2× · 45 min"| n1\n'
        '  n3 -->|"2×"| finish\n'
    )
    # Drawn by the vendored Mermaid, loaded from our own files as the
    # page's Content-Security-Policy wants.
    assert '<script src="/static/vendor/mermaid.min.js" defer></script>' in body
    assert '<script src="/static/js/map.js" defer></script>' in body
    assert "Mermaid source of the map" not in report


def test_incident_history_pdf_is_a_pdf(owner_client, history):
    response = owner_client.get(reverse("incident_history_pdf"))

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_incident_history_csv_has_a_row_per_step(owner_client, history):
    response = owner_client.get(reverse("incident_history_csv"))

    lines = response.content.decode().splitlines()
    assert lines[0] == (
        "incident,group,step,key,label,phase,system,kind,start,end,duration_ms"
    )
    # Each incident: two group decisions, one priority decision, three states.
    assert len(lines) == 1 + 2 * 6
    # Each row names the group holding the incident then, not its last one.
    assert [line.split(",")[:4] for line in lines[1:7]] == [
        ["INC0000001", "Group 1", "1", "decision:assignment_group"],
        ["INC0000001", "Group 1", "2", "decision:priority"],
        ["INC0000001", "Group 1", "3", "state:new"],
        ["INC0000001", "Group 2", "4", "decision:assignment_group"],
        ["INC0000001", "Group 2", "5", "state:active"],
        ["INC0000001", "Group 2", "6", "state:resolved"],
    ]


def test_incident_history_csv_of_another_organization_has_no_rows(
    client, history, other_organization
):
    member = factories.user_create()
    other_organization.memberships.create(user=member, role="owner")
    client.force_login(member)

    response = client.get(reverse("incident_history_csv"))

    assert response.status_code == HTTPStatus.OK
    assert response.content.decode() == (
        "incident,group,step,key,label,phase,system,kind,start,end,duration_ms\n"
    )


def test_incident_history_xes_and_json_download(owner_client, history):
    xes = owner_client.get(reverse("incident_history_xes"))
    report = owner_client.get(reverse("incident_history_json")).json()

    assert xes.content.count(b"<trace>") == 2
    assert len(report["runs"]) == 2


def test_incident_history_needs_a_login(client, history):
    response = client.get(reverse("incident_history"))

    assert response.status_code == HTTPStatus.FOUND


def _one_run_view():
    from apps.reports.rendering import report_context
    from apps.reports.report import build_report
    from tests.reports.traces import MAIN, paced_trace

    return report_context(
        build_report([paced_trace("a1", "ana", MAIN, 2)]), title="Password reset"
    )


def test_report_fragment_of_one_run_shows_the_split_summing_up():
    from django.template.loader import render_to_string

    html = render_to_string("reports/_report.html", {"report_view": _one_run_view()})

    # Gap 2: each step owns 3 minutes; no state is set to Resolved, so the
    # run is resolved when close begins, 5 * 3 = 15 minutes: log 3,
    # triage 6, investigate 3, resolve 3; close is its own minute. A
    # duration holds no-break spaces: no line break splits it.
    assert "Resolution time (logged to resolved): 15\u00a0min" in html
    for name, figure in (
        ("Log", "3 min"),
        ("Triage", "6 min"),
        ("Investigate", "3 min"),
        ("Resolve (until resolved)", "3 min"),
        ("Close (after resolved)", "1 min"),
        ("Resolution time (logged to resolved), Close left out", "15 min"),
        ("Whole run, Close included", "16 min"),
    ):
        figure = figure.replace(" ", "\u00a0")
        assert f'<th scope="row">{name}</th><td>{figure}</td>' in html
    # The phase bar and the time per system, each in a wide and a narrow
    # layout.
    assert html.count("<svg") == 4


def test_report_fragment_of_one_run_names_its_phase_chart_the_whole_run():
    from django.template.loader import render_to_string

    html = render_to_string("reports/_report.html", {"report_view": _one_run_view()})

    # The bar takes in Close: it follows the split, under a caption of its
    # own, not the heading of the resolution time.
    heading = html.index("Resolution time (logged to resolved): 15\u00a0min")
    table_end = html.index("</table>", heading)
    chart = html.index('<figure class="chart">', heading)
    assert table_end < chart
    assert "<title>Whole run by phase, Close included</title>" in html[chart:]
    assert (
        '<figcaption class="muted">The whole run by phase, Close included. '
        "Close is not part of the resolution time.</figcaption></figure>"
    ) in html
    assert "Where the resolution time went" not in html


def test_report_pdf_holds_the_figures_as_text(tmp_path):
    from apps.reports.rendering import report_pdf
    from apps.reports.report import build_report
    from tests.reports.pdf import pdf_text
    from tests.reports.traces import twelve_traces

    pdf = report_pdf(build_report(twelve_traces()), title="Password reset")

    text = pdf_text(pdf, tmp_path)
    assert "Password reset" in text
    assert "Agent variance" in text
    assert "Process health" in text


def _export_file(lines=40):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.reports.test_history import _export_text

    text = "\n".join(_export_text().splitlines()[:lines]) + "\n"
    return SimpleUploadedFile("export.csv", text.encode(), content_type="text/csv")


def test_incident_history_imports_an_export_from_the_page(
    owner_client, organization, other_organization
):
    from apps.reports.models import Incident, IncidentUpdate

    page = owner_client.get(reverse("incident_history")).content.decode()
    assert "Import incidents" in page and "never counts one twice" in page
    # The server's command is for operators: docs/report.md names it.
    assert "manage.py" not in page

    response = owner_client.post(
        reverse("incident_import"), {"file": _export_file()}, follow=True
    )

    numbers = set(
        Incident.objects.for_organization(organization).values_list("number", flat=True)
    )
    assert numbers and all(number.startswith("INC") for number in numbers)
    rows = IncidentUpdate.objects.for_organization(organization).count()
    assert (
        f"Imported {len(numbers)} incidents from {rows} rows: {len(numbers)} new, "
        "0 replaced." in response.content.decode()
    )
    # The page says so too, after the message is gone and while it refreshes.
    later = owner_client.get(reverse("incident_history")).content.decode()
    assert f"imported {len(numbers)} incidents from {rows} rows." in later
    assert not Incident.objects.for_organization(other_organization).exists()
    # The same export again replaces; it never counts an incident twice.
    again = owner_client.post(
        reverse("incident_import"), {"file": _export_file()}, follow=True
    )
    assert f"0 new, {len(numbers)} replaced." in again.content.decode()


def test_incident_import_form_states_its_limit_in_binary_units(owner_client):
    page = owner_client.get(reverse("incident_history")).content.decode()

    assert "Up to 64 MiB (67,108,864 bytes) of UTF-8 text." in page


def test_incident_import_names_what_is_wrong_and_keeps_what_was_there(
    owner_client, organization, history
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.reports.models import Incident

    before = Incident.objects.for_organization(organization).count()
    for content in (b"\xff\xfe\x00binary", b"number,colour\nINC1,blue\n"):
        upload = SimpleUploadedFile("export.csv", content, content_type="text/csv")
        response = owner_client.post(
            reverse("incident_import"), {"file": upload}, follow=True
        )
        messages = [str(m) for m in response.context["messages"]]
        assert len(messages) == 1 and "Imported" not in messages[0], messages
    assert Incident.objects.for_organization(organization).count() == before


def test_incident_import_is_refused_to_viewers(client, organization):
    from apps.accounts.models import Role

    viewer = factories.member_add(organization=organization, role=Role.VIEWER)
    client.force_login(viewer)

    response = client.post(reverse("incident_import"), {"file": _export_file()})

    assert response.status_code == HTTPStatus.FORBIDDEN


def test_empty_incident_history_asks_a_viewer_for_no_import(client, organization):
    from apps.accounts.models import Role

    viewer = factories.member_add(organization=organization, role=Role.VIEWER)
    client.force_login(viewer)

    body = client.get(reverse("incident_history")).content.decode()

    assert "No incidents yet." in body
    assert "Import an audit export" not in body
    assert "An editor of this organization can import" in body
    assert reverse("incident_import") not in body


def test_empty_incident_history_invites_an_editor_to_import(owner_client):
    body = owner_client.get(reverse("incident_history")).content.decode()

    assert "Import an audit export from your ITSM tool" in body
    assert f'action="{reverse("incident_import")}"' in body


def test_stalled_incidents_are_silent_up_to_the_histories_end_not_today(
    owner_client, organization
):
    # Updates every 30 min; one incident left Active, 2 h before the last
    # update of the export, which was taken years before today.
    incident_create(
        organization=organization,
        number="INC0000010",
        rows=[
            ("New", "02-03-2016 09:00", "Group 1", "2 - High"),
            ("Active", "02-03-2016 09:30", "Group 1", "2 - High"),
        ],
    )
    incident_create(
        organization=organization,
        number="INC0000011",
        rows=[
            ("New", "02-03-2016 10:00", "Group 1", "2 - High"),
            ("Active", "02-03-2016 10:30", "Group 1", "2 - High"),
            ("Resolved", "02-03-2016 11:00", "Group 1", "2 - High"),
            ("Closed", "02-03-2016 11:30", "Group 1", "2 - High"),
        ],
    )
    incident_report_build(
        incident_import=incident_import_latest(organization=organization)
    )

    body = owner_client.get(reverse("incident_history")).content.decode()

    assert "INC0000010</a> (Active): silent for 2 h" in body
    assert "2 Mar 2016, 11:30" in body
    stalled = body.split('id="stalled-heading"')[1].split("</section>")[0]
    assert "Open and without an update for 1 h 30 min or more" in stalled
    assert "The history has no open incidents" not in stalled


def test_incident_import_counts_read_with_thousands_separators(
    owner_client, organization
):
    response = owner_client.post(
        reverse("incident_import"), {"file": _export_file(lines=1200)}, follow=True
    )

    [message] = [str(m) for m in response.context["messages"]]
    assert message.startswith("Imported ") and " from 1,199 rows: " in message


def test_incident_import_error_names_the_line_and_the_column(owner_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = (
        "number,incident_state,sys_updated_at,opened_at,assignment_group,priority\n"
        "INC1,New,01-03-2016 09:00,01-03-2016 09:00,Group A,3 - Moderate\n"
        "INC1,Active,tomorrow,01-03-2016 09:00,Group A,3 - Moderate\n"
    )
    upload = SimpleUploadedFile("export.csv", text.encode(), content_type="text/csv")

    response = owner_client.post(
        reverse("incident_import"), {"file": upload}, follow=True
    )

    [message] = [str(m) for m in response.context["messages"]]
    assert "Line 3: sys_updated_at is 'tomorrow'" in message


FREE_REFUSAL = (
    "Incident-history import is not part of the Free plan. An owner can move "
    "Free IT to a plan that has it: see /upgrade/."
)


def test_incident_history_on_free_tells_the_owner_how_to_get_the_import(
    client, organization_factory
):
    _free, owner = organization_factory(name="Free IT")
    client.force_login(owner)

    response = client.get(reverse("incident_history"))
    body = response.content.decode()

    assert response.status_code == HTTPStatus.OK
    assert "Incident-history import is not part of the Free plan." in body
    assert "You can move the organization to a plan that includes it." in body
    assert '<a href="/upgrade/">See the plans and how to upgrade</a>' in body
    assert f'action="{reverse("incident_import")}"' not in body
    assert "Import an audit export from your ITSM tool" not in body


def test_incident_history_on_free_tells_a_member_to_ask_an_owner(
    client, organization_factory
):
    from apps.accounts.models import Role

    free, _owner = organization_factory(name="Free IT")
    client.force_login(factories.member_add(organization=free, role=Role.MEMBER))

    body = client.get(reverse("incident_history")).content.decode()

    assert "An owner of this organization can move it to a plan" in body
    assert f'action="{reverse("incident_import")}"' not in body


def test_incident_import_on_free_is_refused_and_stores_nothing(
    client, organization_factory
):
    from apps.reports.models import Incident, IncidentImport

    free, owner = organization_factory(name="Free IT")
    client.force_login(owner)

    response = client.post(reverse("incident_import"), {"file": _export_file()})
    shown = client.get(response["Location"])

    assert response.status_code == HTTPStatus.FOUND
    assert [str(m) for m in shown.context["messages"]] == [FREE_REFUSAL]
    assert not Incident.objects.for_organization(free).exists()
    assert not IncidentImport.objects.for_organization(free).exists()


def test_incidents_import_service_refuses_free_until_its_plan_has_the_import(
    organization_factory,
):
    from apps.core.errors import ApplicationError
    from apps.reports.services import incidents_import

    free, _owner = organization_factory(name="Free IT")
    text = _export_file().read().decode()

    with pytest.raises(ApplicationError) as refused:
        incidents_import(organization=free, text=text)
    free.plan.incident_history = True
    free.plan.save()
    created, _replaced, _rows = incidents_import(organization=free, text=text)

    assert (refused.value.code, refused.value.status) == ("plan_feature_missing", 402)
    assert refused.value.message == FREE_REFUSAL
    assert created > 0


def _contents(body, name):
    """Return (target, text) of each link in the contents named ``name``."""
    nav = body.split(f'aria-label="{name}"')[1].split("</nav>")[0]
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', nav)


def test_report_opens_with_a_list_of_its_sections(owner_client, history):
    from django.template.loader import render_to_string

    one = render_to_string("reports/_report.html", {"report_view": _one_run_view()})
    body = owner_client.get(reverse("incident_history")).content.decode()
    many = body.split('<section class="report"')[1].split("</section>")[0]

    assert _contents(one, "In this report") == [
        ("report-phases", "Resolution time"),
        ("report-time", "Time per system"),
        ("report-handoffs", "Hand-offs"),
        ("report-transitions", "Transitions"),
        ("report-health", "Process health"),
        ("report-findings", "Findings"),
    ]
    assert _contents(many, "In this report") == [
        ("report-phases", "Mean time per phase"),
        ("report-time", "Time per state"),
        ("report-handoffs", "Hand-offs"),
        ("report-transitions", "Transitions"),
        ("report-variants", "Variants"),
        ("report-health", "Process health"),
        ("report-findings", "Findings"),
    ]
    # Each link leads to a heading of the report, in the order they come.
    for report in (one, many):
        targets = [target for target, _text in _contents(report, "In this report")]
        places = [report.index(f'<h3 id="{target}"') for target in targets]
        assert places == sorted(places)
        assert report.index('aria-label="In this report"') < places[0]


def test_report_tables_beside_a_chart_fold_at_phone_width(owner_client, history):
    body = owner_client.get(reverse("incident_history")).content.decode()
    report = body.split('<section class="report"')[1].split("</section>")[0]

    folds = re.findall(
        r'<details class="fold" data-fold-narrow open><summary>([^<]+)</summary>\s*'
        r"(?:<div[^>]*>)?\s*<table",
        report,
    )

    # The figures of the phases, the states, the hand-offs, the transitions
    # under the map and the groups' spread: js/app.js folds them on a phone.
    assert folds == [
        "The mean time per phase as a table",
        "The time per state as a table",
        "The hand-offs as a table",
        "The transitions as a table",
        "The assignment groups as a table",
    ]
