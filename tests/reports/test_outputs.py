import csv
import io
import xml.etree.ElementTree as ElementTree

import pytest

from apps.reports import charts
from apps.reports.aggregate import process_map
from apps.reports.conformance import conformance
from apps.reports.exports import step_timings_csv, timestamp, traces_xes
from apps.reports.history import stalled_incidents, update_gap_median
from apps.reports.measures import ordered_activities
from apps.reports.mermaid import escape_label, process_map_mermaid
from apps.reports.trace import Activity, Decision, Trace
from tests.reports.traces import MAIN, SWAPS, paced_trace, twelve_traces

XES = "{http://www.xes-standard.org/}"
SVG = "{http://www.w3.org/2000/svg}"


def test_escape_label_keeps_every_character_visible():
    assert escape_label('Set "P1" <now> & `go` #35; a\nb') == (
        "Set \u201dP1\u201d &lt;now&gt; &amp; \u02cbgo\u02cb #\u200b35; a<br>b"
    )


def test_process_map_mermaid_quotes_labels_and_generates_ids():
    trace = Trace(
        run_id="r",
        agent="a",
        activities=(
            Activity(
                key="end", label='Say "end" [x]', phase="log", start_ms=0, end_ms=1
            ),
            Activity(
                key="b", label="a -> b", phase="log", start_ms=60_001, end_ms=62_000
            ),
        ),
    )

    text = process_map_mermaid(process_map([ordered_activities(trace)]))

    assert text.splitlines() == [
        "flowchart LR",
        '  start(("Start"))',
        '  finish(("End"))',
        '  n1["a -&gt; b (1×)"]',
        '  n2["Say \u201dend\u201d [x] (1×)"]',
        '  start -->|"1×"| n2',
        '  n2 -->|"1× · 1 min"| n1',
        '  n1 -->|"1×"| finish',
    ]


def test_conformance_names_missing_added_and_out_of_order_steps():
    trace = paced_trace("b4", "ben", SWAPS + ("call",), 1)
    approved = ["open", "priority", "group", "lookup", "verify", "restart", "close"]

    result = conformance(trace, approved)

    assert result["missing"] == ["verify"]
    assert result["added"] == ["call"]
    # priority, lookup, group, restart against priority, group, lookup,
    # restart: one of the swapped pair is out of order.
    assert len(result["out_of_order"]) == 1
    assert result["out_of_order"][0] in ("group", "lookup")
    assert result["conforms"] is False


def test_conformance_leaves_waits_out_of_missing_and_added():
    def step(key, start, kind="action"):
        return Activity(
            key=key,
            label=key,
            phase="resolve",
            start_ms=start,
            end_ms=start + 1,
            kind=kind,
        )

    # The run waited once where the SOP waited twice, and once where it never
    # did: a wait is no step, so neither is missing or added.
    trace = Trace(
        run_id="r",
        agent="a",
        activities=(
            step("itsm:open:ticket", 0),
            step("itsm:wait:idle", 1, kind="wait"),
            step("itsm:submit:update", 2),
            step("chat:wait:idle", 3, kind="wait"),
        ),
    )
    approved = [
        "itsm:open:ticket",
        "itsm:wait:idle",
        "admin:wait:idle",
        "itsm:submit:update",
    ]

    result = conformance(trace, approved)

    assert (result["missing"], result["added"], result["out_of_order"]) == ([], [], [])
    assert result["conforms"] is True


def test_conformance_counts_an_approved_step_done_on_another_record_once():
    def step(key, label, start):
        return Activity(
            key=key, label=label, phase="resolve", start_ms=start, end_ms=start + 1
        )

    # The SOP opened gateway 01; this run opened gateway 02, one step later
    # than the SOP has it.
    trace = Trace(
        run_id="r",
        agent="a",
        activities=(
            step("admin:open:vpn-gateways", "Open VPN gateways", 0),
            step("admin:click:certificates", "Click Certificates", 1),
            step("admin:open:vpn-gw-02", "Open the gateway in Admin console", 2),
        ),
    )
    approved = [
        "admin:open:vpn-gateways",
        "admin:open:vpn-gw-01",
        "admin:click:certificates",
    ]
    labels = {"admin:open:vpn-gw-01": "Open the gateway in Admin console"}

    result = conformance(trace, approved, labels=labels)
    unlabelled = conformance(trace, approved)

    assert (result["missing"], result["added"]) == ([], [])
    assert result["out_of_order"] in (
        ["admin:click:certificates"],
        ["admin:open:vpn-gw-01"],
    )
    assert (unlabelled["missing"], unlabelled["added"]) == (
        ["admin:open:vpn-gw-01"],
        ["admin:open:vpn-gw-02"],
    )


def test_conformance_checks_triage_rules():
    trace = Trace(
        run_id="r",
        agent="a",
        activities=(
            Activity(
                key="priority",
                label="Priority",
                phase="triage",
                start_ms=0,
                end_ms=1,
                decision=Decision(field="Priority", value="3 - Moderate"),
            ),
        ),
        attributes={"category": "Network"},
    )
    rules = [
        {"field": "priority", "value": "2 - High", "when": {"category": "Network"}},
        {"field": "Priority", "value": "1 - Critical", "when": {"category": "Email"}},
        {"field": "Assignment group", "value": "NOC"},
    ]

    result = conformance(trace, ["priority"], rules)

    assert [(o["outcome"], o["observed"]) for o in result["rules"]] == [
        ("broken", "3 - Moderate"),
        ("not_applicable", None),
        ("not_observed", None),
    ]
    assert result["conforms"] is False


def test_conformance_of_the_approved_path_conforms():
    result = conformance(paced_trace("a1", "ana", MAIN, 1), list(MAIN))

    assert (result["missing"], result["added"], result["out_of_order"]) == ([], [], [])
    assert result["conforms"] is True


def test_traces_xes_is_valid_and_has_a_start_and_complete_per_step():
    traces = twelve_traces()

    text = traces_xes(traces)

    root = ElementTree.fromstring(text.encode())
    found = root.findall(f"{XES}trace")
    assert len(found) == 12
    events = found[0].findall(f"{XES}event")
    assert len(events) == 2 * len(MAIN)
    first = {e.get("key"): e.get("value") for e in events[0]}
    assert first["concept:name"] == "Open"
    assert first["ledgerium:key"] == "open"
    assert first["lifecycle:transition"] == "start"
    assert first["time:timestamp"] == "1970-01-01T00:00:00.000+00:00"
    assert traces_xes(list(reversed(traces))) == text


def _xes_names(traces):
    root = ElementTree.fromstring(traces_xes(traces).encode())
    names = {}
    for event in root.iter(f"{XES}event"):
        values = {e.get("key"): e.get("value") for e in event}
        names[values["ledgerium:key"]] = values["concept:name"]
    return names


def _run(run_id, *steps):
    activities = tuple(
        Activity(key=key, label=label, phase="log", start_ms=i, end_ms=i + 1)
        for i, (key, label) in enumerate(steps)
    )
    return Trace(run_id=run_id, agent="ana", activities=activities)


def test_traces_xes_names_a_step_by_its_label_shared_across_runs():
    opened = ("itsm:open:home", "Open ServiceNow")
    traces = [
        _run("r1", opened, ("itsm:save", "Save INC0001")),
        _run("r2", opened, ("itsm:save", "Save INC0002")),
    ]

    assert _xes_names(traces) == {
        "itsm:open:home": "Open ServiceNow",
        "itsm:save": "Save the ticket",
    }


def test_traces_xes_tells_apart_steps_whose_labels_are_the_same():
    trace = _run(
        "r1",
        ("itsm:enter:description", "Enter Description"),
        ("admin:enter:description", "Enter Description"),
        ("itsm:open:home", ""),
    )

    assert _xes_names([trace]) == {
        "itsm:enter:description": "Enter Description (itsm:enter:description)",
        "admin:enter:description": "Enter Description (admin:enter:description)",
        "itsm:open:home": "itsm:open:home",
    }


def test_traces_xes_drops_control_characters():
    trace = Trace(
        run_id="r\x01",
        agent="a",
        activities=(
            Activity(key="k", label="bad\x0bx", phase="log", start_ms=0, end_ms=5),
        ),
    )

    root = ElementTree.fromstring(traces_xes([trace]).encode())

    assert root.find(f"{XES}trace/{XES}string").get("value") == "r"


def test_step_timings_csv_rows_and_formula_guard():
    trace = Trace(
        run_id="r1",
        agent="ana",
        activities=(
            Activity(
                key="k",
                label="=HYPERLINK(1)",
                phase="log",
                start_ms=1_500,
                end_ms=4_000,
            ),
        ),
    )

    rows = list(csv.reader(io.StringIO(step_timings_csv([trace]))))

    assert rows[0][:4] == ["run_id", "agent", "step", "key"]
    assert rows[1] == [
        "r1",
        "ana",
        "1",
        "k",
        "'=HYPERLINK(1)",
        "log",
        "",
        "action",
        "1970-01-01T00:00:01.500+00:00",
        "1970-01-01T00:00:04.000+00:00",
        "2500",
    ]


def test_step_timings_csv_numbers_steps_as_the_sop_does():
    # In the SOP's order, phase by phase: "late" was moved into the log phase
    # though it started after "triage", and a wait takes no number.
    sop_order = [
        ("open", "log", 0, "action"),
        ("late", "log", 300, "action"),
        ("triage", "triage", 100, "action"),
        ("idle", "triage", 200, "wait"),
        ("close", "close", 400, "action"),
    ]
    activities = tuple(
        Activity(key=key, label=key, phase=phase, start_ms=ms, end_ms=ms + 1, kind=kind)
        for key, phase, ms, kind in sop_order
    )
    trace = Trace(run_id="r1", agent="ana", activities=activities)

    rows = list(csv.DictReader(io.StringIO(step_timings_csv([trace]))))

    assert [(row["key"], row["step"]) for row in rows] == [
        ("open", "1"),
        ("triage", "3"),
        ("idle", ""),
        ("late", "2"),
        ("close", "4"),
    ]


def test_timestamp_of_a_known_moment():
    # 29-02-2016 01:16 UTC is 1456708560 s after the epoch.
    assert timestamp(1_456_708_560_123) == "2016-02-29T01:16:00.123+00:00"


def test_charts_escape_labels_and_stay_stable():
    rows = [("<script>", 60_000), ("A & B", 30_000)]

    first = charts.bars(rows, title='Time "per" system')
    second = charts.bars(rows, title='Time "per" system')

    assert first == second
    assert "<script>" not in first and "&lt;script&gt;" in first
    assert "aria-label='Time \"per\" system'" in first
    ElementTree.fromstring(first)
    ElementTree.fromstring(
        charts.phase_bar([("log", "Logging", 0), ("triage", "Triage", 5)], title="t")
    )
    ElementTree.fromstring(
        charts.spread([("ana", {"min": 1, "median": 2, "max": 3})], title="s")
    )


def test_chart_label_too_long_for_a_line_wraps_onto_a_second():
    rows = [
        ("Unrecognised system (admin.example.net)", 151_600),
        ("Unrecognised system (itsm.example.com)", 70_300),
        ("Admin console", 30_000),
    ]

    svg = charts.bars(rows, title="Time per system")

    labels = [t for t in _texts(svg) if t.get("x") == "209"]
    assert [(t.text, t.get("y")) for t in labels] == [
        ("Unrecognised system", "17"),
        ("(admin.example.net)", "31"),
        ("Unrecognised system", "57"),
        ("(itsm.example.com)", "71"),
        ("Admin console", "97"),
    ]
    # Each two-line row is a line higher; nothing is clipped, so no title.
    root = ElementTree.fromstring(svg)
    assert root.get("height") == "106"
    assert [r.get("y") for r in root.iter(f"{SVG}rect")] == ["11", "51", "84"]
    assert not [g for g in root.iter(f"{SVG}g")]
    for label in labels:
        assert charts.text_width(label.text) <= charts.LABEL_ROOM, label.text


def test_chart_describes_every_row_with_its_whole_label():
    rows = [("Unrecognised system (admin.example.net)", 151_600), ("A & B", 9_000)]

    root = ElementTree.fromstring(charts.bars(rows, title="Time per system"))

    # A screen reader reads the chart as one image: its description names
    # each row whole, with its figure.
    assert root.find(f"{SVG}desc").text == (
        "Unrecognised system (admin.example.net): 2 min 32 s; A & B: 9 s"
    )
    spread = charts.spread(
        [("Tomás Ortega", {"min": 60_000, "median": 90_000, "max": 120_000})],
        title="s",
    )
    assert ElementTree.fromstring(spread).find(f"{SVG}desc").text == (
        "Tomás Ortega: 1 min to 2 min, median 1 min 30 s"
    )


def test_chart_labels_are_clipped_past_their_last_line_and_kept_whole_in_titles():
    whole = (
        "Tomás Ortega → Identity and Access (Marek Novak, then the night shift, "
        "and the day shift after them)"
    )

    svg = ElementTree.fromstring(charts.bars([(whole, 60_000)], title="t"))

    [group] = svg.iter(f"{SVG}g")
    # The title holds the whole label; the lines after it are what is shown.
    assert group.find(f"{SVG}title").text == whole
    assert [t.text for t in group.iter(f"{SVG}text")] == [
        "Tomás Ortega → Identity and",
        "Access (Marek Novak, then the…",
    ]


def test_chart_labels_fit_left_of_their_bars_however_wide_their_letters():
    # 40 capital Ws are 475 px of DejaVu Sans: the old estimate of 7.7 px a
    # character let such a label run 120 px past the chart's left edge.
    wide = "W" * 40
    rows = [(wide, 60_000), ("Admin console", 30_000)]

    labels = [t for t in _texts(charts.bars(rows, title="t")) if t.get("x") == "209"]

    # A word wider than a line breaks at the edge, and the rest is clipped.
    assert [t.text for t in labels] == ["W" * 17, "W" * 16 + "…", "Admin console"]
    for label in labels:
        assert 209 - charts.text_width(label.text) >= 0, label.text


def test_text_width_is_measured_in_the_charts_font():
    # DejaVu Sans at 12 px: "W" is 2025/2048 em, "i" 569/2048, "é" as "e".
    assert charts.text_width("W") == 2025 * 12 / 2048
    assert charts.text_width("Wi") == (2025 + 569) * 12 / 2048
    assert charts.text_width("é") == charts.text_width("e")
    # A character the table lacks counts a whole em: never too short.
    assert charts.text_width("漢") == 12


def test_phase_legend_clips_a_name_too_long_for_its_row_and_keeps_its_time():
    name = "Investigate the identity provider and the VPN gateways together"
    svg = charts.phase_bar([("investigate", name, 90_000)], title="t")

    [caption] = _texts(svg)
    title = caption.find("{http://www.w3.org/2000/svg}title")
    assert title.text == f"{name} 1 min 30 s"
    assert title.tail.endswith("… 1 min 30 s")
    assert 16 + charts.text_width(title.tail) <= charts.LEGEND_WIDTH


def test_stalled_incidents_use_the_organizations_median_gap():
    hour = 3_600_000
    # Gaps between updates: 1, 1, 2 and 4 hours: the median is 1.5 hours, so
    # an open incident stalls after 4.5 hours without an update.
    history = [[0, hour, 2 * hour], [0, 2 * hour, 6 * hour]]
    open_incidents = [
        {"number": "quiet", "last_update_ms": 10 * hour},
        {"number": "recent", "last_update_ms": 12 * hour},
    ]

    result = stalled_incidents(
        open_incidents, typical_gap_ms=update_gap_median(history), now_ms=15 * hour
    )

    assert result["threshold_ms"] == 4.5 * hour
    assert [(r["number"], r["silent_ms"]) for r in result["incidents"]] == [
        ("quiet", 5 * hour)
    ]


def test_traces_xes_drops_non_characters():
    trace = Trace(
        run_id="r\ufffe",
        agent="a\ud800",
        activities=(
            Activity(key="k", label="x\uffffy", phase="log", start_ms=0, end_ms=5),
        ),
    )

    root = ElementTree.fromstring(traces_xes([trace]).encode())

    assert root.find(f"{XES}trace/{XES}string").get("value") == "r"


def _texts(svg_text):
    svg = ElementTree.fromstring(svg_text)
    return list(svg.iter("{http://www.w3.org/2000/svg}text"))


@pytest.mark.parametrize(
    "chart",
    [
        lambda rows: charts.bars(rows, title="t"),
        lambda rows: charts.spread(
            [(label, {"min": 0, "median": ms // 2, "max": ms}) for label, ms in rows],
            title="s",
        ),
    ],
)
def test_chart_figures_are_in_view_at_phone_width_however_long_their_bars(chart):
    rows = [("Slack", 60_000), ("ServiceNow", 86_400_000 * 9 + 23 * 3_600_000 + 59_000)]

    svg = ElementTree.fromstring(chart(rows))

    # Each figure is right-aligned in a column between the labels and the
    # bars: the longest bar's is read before the chart is scrolled sideways.
    figures = [t for t in svg.iter(f"{SVG}text") if t.get("x") != "209"]
    assert [t.text for t in figures] == ["1 min", "9 d 23 h"]
    ends = {float(t.get("x")) for t in figures}
    [end] = ends
    assert end <= charts.IN_VIEW
    for figure in figures:
        assert figure.get("text-anchor") == "end"
        assert end - charts.text_width(figure.text) > charts.LABEL_WIDTH
    marks = [*svg.iter(f"{SVG}rect"), *svg.iter(f"{SVG}line")]
    for mark in marks:
        start = float(mark.get("x", mark.get("x1")))
        finish = float(mark.get("x2", start + float(mark.get("width", 0))))
        assert end < start <= finish <= charts.WIDTH


def test_phase_legend_wraps_within_a_phone_width():
    segments = [
        ("log", "Log", 90_000),
        ("triage", "Triage", 83_000),
        ("investigate", "Investigate", 143_000),
        ("resolve", "Resolve", 1_301_000),
        ("close", "Close", 1_863_000),
    ]

    captions = _texts(charts.phase_bar(segments, title="t"))

    assert [t.text.split()[0] for t in captions] == [s[1] for s in segments]
    for caption in captions:
        end = float(caption.get("x")) + charts.text_width(caption.text)
        assert end <= charts.LEGEND_WIDTH, caption.text


# A phone's chart: each label stands over its bar, which starts at the left
# edge, so that every bar is drawn whole and at its length.
NARROW_ROWS = [
    ("Slack", 139_000),
    ("ServiceNow", 134_000),
    ("Network admin console", 61_000),
    ("Waiting", 600_000),
]


def _ends(text):
    """Return where ``text`` starts and ends as drawn, by its anchor."""
    x, width = float(text.get("x")), charts.text_width(text.text)
    return (x - width, x) if text.get("text-anchor") == "end" else (x, x + width)


def test_narrow_bars_stand_under_their_labels_at_their_length():
    svg = ElementTree.fromstring(charts.bars(NARROW_ROWS, title="t", narrow=True))

    texts, bars = list(svg.iter(f"{SVG}text")), list(svg.iter(f"{SVG}rect"))
    assert svg.get("class") == "chart-narrow"
    assert svg.get("width") == str(charts.NARROW_WIDTH)
    assert svg.get("viewBox") == f"0 0 {charts.NARROW_WIDTH} {svg.get('height')}"
    assert [t.text for t in texts] == [
        "Slack",
        "2 min 19 s",
        "ServiceNow",
        "2 min 14 s",
        "Network admin console",
        "1 min 1 s",
        "Waiting",
        "10 min",
    ]
    # Each bar starts at the left edge, the longest ends at the right one,
    # and the others are as long as their times.
    assert {bar.get("x") for bar in bars} == {"0"}
    widths = [float(bar.get("width")) for bar in bars]
    assert widths[-1] == charts.NARROW_WIDTH
    for width, (_label, ms) in zip(widths, NARROW_ROWS, strict=True):
        assert width == pytest.approx(charts.NARROW_WIDTH * ms / 600_000, abs=0.05)
    # Each label and figure fits the chart, side by side, over its bar.
    for label, figure, bar in zip(texts[::2], texts[1::2], bars, strict=True):
        assert label.get("y") == figure.get("y")
        assert 0 <= _ends(label)[0] and _ends(label)[1] < _ends(figure)[0]
        assert _ends(figure)[1] <= charts.NARROW_WIDTH
        assert float(label.get("y")) < float(bar.get("y"))
    assert float(bars[-1].get("y")) + float(bars[-1].get("height")) == float(
        svg.get("height")
    )


def test_narrow_bars_wrap_a_long_label_left_of_its_figure():
    whole = (
        "Tomás Ortega → Identity and Access (Marek Novak, then the night shift, "
        "and the day shift after them)"
    )

    svg = ElementTree.fromstring(
        charts.bars([(whole, 60_000), ("Slack", 30_000)], title="t", narrow=True)
    )

    [group] = svg.iter(f"{SVG}g")
    lines = list(group.iter(f"{SVG}text"))
    [first_bar, _second] = svg.iter(f"{SVG}rect")
    assert group.find(f"{SVG}title").text == whole
    # The label's lines leave room for the figure; past the second it is
    # clipped, and kept whole in its title.
    assert [t.text for t in lines] == [
        "Tomás Ortega → Identity and Access (Marek",
        "Novak, then the night shift, and the day sh…",
    ]
    assert [t.get("y") for t in lines] == ["12", "26"]
    assert float(first_bar.get("y")) > 26
    for line in lines:
        assert _ends(line)[1] <= charts.NARROW_WIDTH - charts.text_width("1 min")


def test_narrow_spread_draws_every_line_and_dot_whole():
    rows = [
        ("Group 70", {"min": 0, "median": 0, "max": 3_600_000}),
        ("Group 31", {"min": 60_000, "median": 7_200_000, "max": 7_200_000}),
    ]

    svg = ElementTree.fromstring(charts.spread(rows, title="s", narrow=True))

    lines, dots = list(svg.iter(f"{SVG}line")), list(svg.iter(f"{SVG}circle"))
    assert [t.text for t in svg.iter(f"{SVG}text")] == [
        "Group 70",
        "1 h",
        "Group 31",
        "2 h",
    ]
    # A median at the fastest or the slowest is a dot drawn whole.
    radius = charts.DOT_RADIUS
    assert [float(dot.get("cx")) for dot in dots] == [
        radius,
        charts.NARROW_WIDTH - radius,
    ]
    assert float(lines[1].get("x2")) == charts.NARROW_WIDTH - radius
    assert float(lines[0].get("x2")) == pytest.approx(
        radius + (charts.NARROW_WIDTH - 2 * radius) / 2, abs=0.05
    )
    assert float(dots[-1].get("cy")) + radius == float(svg.get("height"))


def test_narrow_phase_bar_and_its_legend_fit_the_narrow_width():
    segments = [
        ("log", "Log", 53_000),
        ("triage", "Triage", 70_000),
        ("investigate", "Investigate", 145_000),
        ("resolve", "Resolve (until resolved)", 105_000),
        ("close", "Close (after resolved)", 656_000),
    ]

    svg = ElementTree.fromstring(charts.phase_bar(segments, title="t", narrow=True))

    bars = [rect for rect in svg.iter(f"{SVG}rect") if rect.get("height") == "28"]
    end = float(bars[-1].get("x")) + float(bars[-1].get("width"))
    assert end == pytest.approx(charts.NARROW_WIDTH, abs=0.1)
    for caption in svg.iter(f"{SVG}text"):
        shown = "".join(caption.itertext()).removeprefix(
            caption.findtext(f"{SVG}title") or ""
        )
        assert _ends(caption)[0] + charts.text_width(shown) <= charts.NARROW_WIDTH


@pytest.mark.parametrize(
    "chart",
    [
        lambda narrow: charts.bars(NARROW_ROWS, title="t", narrow=narrow),
        lambda narrow: charts.spread(
            [(label, {"min": 0, "median": ms, "max": ms}) for label, ms in NARROW_ROWS],
            title="s",
            narrow=narrow,
        ),
        lambda narrow: charts.phase_bar(
            [("log", "Log", 53_000), ("close", "Close", 656_000)],
            title="p",
            narrow=narrow,
        ),
    ],
)
def test_both_layouts_describe_the_same_rows_and_stay_stable(chart):
    wide, narrow = chart(False), chart(True)

    assert chart(True) == narrow
    assert ElementTree.fromstring(wide).get("class") == "chart-wide"
    # A screen reader hears the same chart, whichever layout is shown.
    for part in ("title", "desc"):
        assert ElementTree.fromstring(wide).findtext(f"{SVG}{part}") == (
            ElementTree.fromstring(narrow).findtext(f"{SVG}{part}")
        )
