"""Turn a ``Report`` into what the templates show: charts, words, tables.

``report_context`` feeds ``templates/reports/_report.html``; a workflow page
includes that fragment with ``{% include "reports/_report.html" %}`` and the
context under ``report``. ``report_pdf`` prints the same fragment.
"""

import functools
import mimetypes
from collections import Counter, defaultdict
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy

from . import charts, findings, texts
from .duration import shows_as_zero, whole_seconds
from .measures import IDLE_THRESHOLD_MS, LONGEST_STEPS, RESOLUTION_PHASES, median

# How many idle waits and documentation gaps a report over many runs lists,
# longest or most frequent first; it says how many more there are.
LISTED_ACROSS_RUNS = 10
# How many rows a ranked list or table shows before its "Show all"
# disclosure, and how many rows a chart beside it draws.
RANKED_SHOWN = 8
CHARTED = 15


def _labels(report):
    nodes = {node["key"]: node["label"] for node in report.process_map["nodes"]}
    return {**report.labels, **nodes}


def run_name(run):
    """Return what a person calls ``run``: its recording's title and agent.

    No brackets of its own: the name is shown beside steps whose labels and
    titles may hold some already.
    """
    title, agent = run.get("title") or "", run.get("agent") or ""
    if title and agent:
        return _("%(title)s, by %(agent)s") % {"title": title, "agent": agent}
    return title or agent or _("Run %(id)s") % {"id": run["run_id"]}


def _phase_segments(split, close_ms, *, imported=False):
    """Return (phase, name, ms) of each phase, Close last, in whole seconds.

    Rounded by ``whole_seconds``: the phases before Close add up to the
    resolution time as it is shown, and with Close to the whole run.
    """
    # An ITSM log starts at the incident's opening: it has no Log phase to show.
    phases = [
        phase
        for phase in split
        if not (imported and phase == "log" and not split[phase])
    ]
    shown = whole_seconds([*(split[phase] for phase in phases), close_ms])
    return [
        (phase, texts.SPLIT_NAMES[phase], ms)
        for phase, ms in zip([*phases, "close"], shown, strict=True)
    ]


def _segment_totals(segments):
    """Return the resolution time and the whole run as ``segments`` add up."""
    resolution = sum(ms for phase, _name, ms in segments if phase != "close")
    return resolution, sum(ms for _phase, _name, ms in segments)


def _resolved_timings(report):
    # Open incidents have no resolution yet to split.
    return [
        run["timing"]
        for run in report.runs
        if run["timing"]["resolution_ms"] is not None
    ]


def _mean(values):
    return round(sum(values) / len(values)) if values else 0


def _mean_split(timings):
    """Return the mean time per phase over ``timings``, and the mean close time.

    Means, not medians: the phases' means add up to the mean resolution time,
    while medians of the parts need not add up to the median of the whole.
    """
    split = {
        phase: _mean([t["split"][phase] for t in timings])
        for phase in RESOLUTION_PHASES
    }
    return split, _mean([t["close_ms"] for t in timings])


def _typical_phases(timings, *, imported=False):
    """Return the mean split's rows with each phase's share of resolution.

    Also return the mean resolution time and the mean whole run, as the
    rows add up to them.
    """
    split, close_ms = _mean_split(timings)
    segments = _phase_segments(split, close_ms, imported=imported)
    resolution, whole = _segment_totals(segments)
    rows = [
        {
            "phase": phase,
            "name": name,
            "ms": ms,
            "share": ms / resolution if resolution and phase != "close" else None,
        }
        for phase, name, ms in segments
    ]
    return rows, resolution, whole


def _run_context(run, *, imported=False):
    timing = run["timing"]
    segments = _phase_segments(timing["split"], timing["close_ms"], imported=imported)
    resolution, whole = _segment_totals(segments)
    if imported:
        whole_title = _("Whole incident by phase, Close included")
    else:
        whole_title = _("Whole run by phase, Close included")
    return {
        **run,
        "phases": [{"phase": p, "name": name, "ms": ms} for p, name, ms in segments],
        # A run still open has no resolution time; its whole is the time so far.
        "resolution_ms": None if timing["resolution_ms"] is None else resolution,
        "whole_ms": whole,
        # The bar takes in Close, so it is of the whole run, not the resolution.
        "phase_chart": _chart(charts.phase_bar, segments, title=whole_title),
    }


def _chart(draw, data, *, title):
    """Return ``draw``'s chart of ``data`` in its wide and narrow layouts.

    The page shows the one that fits its column (``static/css/app.css``),
    and hides the other from view and from a screen reader alike.
    """
    return mark_safe(draw(data, title=title) + draw(data, title=title, narrow=True))


def _named(rows, run, names):
    return [
        {**row, "run_id": run["run_id"], "run_name": names.get(run["run_id"], "")}
        for row in rows
    ]


def _listed(rows, limit, show_all=""):
    """Return the first ``limit`` rows, all of them, and how many were left off.

    ``show_all`` names the disclosure that holds every row; it takes the
    number of rows as ``%(n)s``.
    """
    return {
        "rows": rows[:limit],
        "all": rows,
        "count": len(rows),
        "more": max(0, len(rows) - limit),
        "show_all": show_all % {"n": len(rows)},
    }


def _mean_bars(totals, runs, title, *, waiting=0):
    """Return a chart of ``totals`` divided by the number of ``runs``.

    ``waiting``, the time no one acted, is a line of its own after the rest.
    """
    rows = sorted(
        ((name, round(ms / len(runs))) for name, ms in totals.items()),
        key=lambda item: (-item[1], item[0]),
    )
    if waiting:
        rows.append((_("Waiting"), round(waiting / len(runs))))
    return _chart(charts.bars, rows, title=title)


def _waiting(runs):
    # A report stored before waits were told apart has none.
    return sum(run.get("waiting_ms", 0) for run in runs)


def _system_chart(runs, imported):
    """Return the time per system: one run's, or the mean per run of many."""
    totals = defaultdict(int)
    for run in runs:
        for row in run["systems"]:
            totals[row["system"]] += row["duration_ms"]
    if len(runs) == 1:
        title = _("Time per system")
    elif imported:
        title = _("Mean time per system, per incident")
    else:
        title = _("Mean time per system, per run")
    return _mean_bars(totals, runs, title, waiting=_waiting(runs))


def _state_times(runs):
    """Return the time an imported history's incidents spent in each state.

    Every update of an ITSM log is in the one ITSM system: where its time
    goes shows in its states instead. Each state's figures are over the
    incidents that passed through it, its longest first by median, since a
    few incidents left waiting for months pull a mean far from the typical
    one. Only time before an incident was resolved counts: what follows,
    waiting in Resolved to be closed, is given apart as ``after``.
    """
    per_state = defaultdict(list)
    for run in runs:
        totals = defaultdict(int)
        resolved = run["timing"].get("resolved_ms")
        for step in run["steps"]:
            if step["kind"] != "decision":
                totals[step["label"]] += findings.before_resolution(step, resolved)
        for label, ms in totals.items():
            if ms:
                per_state[label].append(ms)
    rows = [
        {
            "state": label,
            "incidents": len(ms),
            "median_ms": median(ms),
            "mean_ms": _mean(ms),
        }
        for label, ms in per_state.items()
    ]
    rows.sort(key=lambda row: (-row["median_ms"], row["state"]))
    title = _("Time per state") if len(runs) == 1 else _("Median time per state")
    bars = [(row["state"], row["median_ms"]) for row in rows]
    return {
        "rows": rows,
        "chart": _chart(charts.bars, bars, title=title),
        "after": _after_resolution([run["timing"] for run in runs]),
    }


def _after_resolution(timings):
    """Return the median and mean time from resolution until closed."""
    after = [t["close_ms"] for t in timings if t.get("resolved_ms") is not None]
    if not after:
        return None
    return {
        "incidents": len(after),
        "median_ms": median(after),
        "mean_ms": _mean(after),
    }


def _documentation_gaps(runs, labels, imported):
    """Return each undocumented step once, with the number of runs it is in.

    One run's gaps are listed as they are, each with its own label.
    """
    gaps = {
        run["run_id"]: findings.documentation_gaps(run, imported=imported)
        for run in runs
    }
    if len(runs) == 1:
        return [{**gap, "runs": 1} for gap in gaps[runs[0]["run_id"]]]
    found, in_runs = {}, defaultdict(set)
    for run in runs:
        for gap in gaps[run["run_id"]]:
            found.setdefault(gap["key"], gap)
            in_runs[gap["key"]].add(run["run_id"])
    rows = [
        {**gap, "label": labels.get(key, gap["label"]), "runs": len(in_runs[key])}
        for key, gap in found.items()
    ]
    return sorted(rows, key=lambda row: (-row["runs"], row["label"]))


def _openings(runs):
    """Return the openings, the triage choices most often made first."""
    suggest = Counter()
    for run in runs:
        for row in run["openings"]["suggest_triage"]:
            suggest[row["field"], row["value"]] += 1
    ranked = sorted(suggest.items(), key=lambda item: (-item[1], item[0]))
    choices = [
        {"field": field, "value": value, "times": times}
        for (field, value), times in ranked
    ]
    return {
        "suggest_triage": _listed(
            choices,
            RANKED_SHOWN,
            ngettext_lazy(
                "Show all %(n)s triage choice", "Show all %(n)s triage choices", "n"
            ),
        ),
        "shortcut_lookups": sum(len(r["openings"]["shortcut_lookups"]) for r in runs),
        "stall_alerts": sum(len(r["openings"]["stall_alerts"]) for r in runs),
    }


def _steps_context(runs, labels, *, imported=False):
    """Return the step sections of ``runs``: one run's, or all runs' together.

    Over many runs, times add up, each listed step or wait names its run and
    a documentation gap says in how many runs it is.
    """
    names = {run["run_id"]: run_name(run) for run in runs} if len(runs) > 1 else {}
    longest, waits, lookups = [], [], Counter()
    for run in runs:
        longest += _named(run["longest_steps"], run, names)
        waits += _named(run["idle_waits"], run, names)
        lookups.update(run["lookups"]["by_system"])
    longest.sort(key=lambda step: -step["duration_ms"])
    waits.sort(key=lambda wait: -wait["duration_ms"])
    gaps = _documentation_gaps(runs, labels, imported)
    limit = LISTED_ACROSS_RUNS if names else len(waits) + len(gaps)
    return {
        "across_runs": bool(names),
        "waiting_ms": _waiting(runs),
        "idle_threshold_ms": IDLE_THRESHOLD_MS,
        "imported": imported,
        # Hand-off waits are left out of the idle waits: the page says so.
        "handoff_waits": any(
            move["wait_ms"] is not None for run in runs for move in run["handoffs"]
        ),
        "system_chart": _system_chart(runs, imported),
        "states": _state_times(runs) if imported else None,
        "longest_steps": longest[:LONGEST_STEPS],
        "idle_waits": _listed(waits, limit),
        "lookups": {
            "count": sum(run["lookups"]["count"] for run in runs),
            "by_system": dict(sorted(lookups.items())),
        },
        "documentation_gaps": _listed(gaps, limit),
        # With no choice and no note there is nothing to document.
        "documentable": any(run.get("documentable") for run in runs),
        "openings": _openings(runs),
    }


def _findings(report):
    labels = _labels(report)
    return [
        {
            **finding,
            "name": texts.FINDING_NAMES[finding["type"]],
            "summary": texts.finding_summary(finding, labels, imported=report.imported),
            "item": texts.finding_item(finding, labels, imported=report.imported),
            "recommendation": texts.finding_recommendation(
                finding, imported=report.imported
            ),
            "step_labels": [labels.get(key, key) for key in finding["steps"]],
        }
        for finding in report.findings
    ]


def _finding_rank(finding):
    # Bottlenecks come longest first already; the others by how many runs
    # they were seen in, then by name.
    if finding["type"] == "bottleneck":
        return (0, "")
    return (-finding["params"].get("runs", 0), finding["item"])


def _finding_groups(findings, *, imported=False):
    """Return the findings that give the same advice as one, each with its cases.

    One advice repeated for every group a ticket bounced off says nothing
    more; it is given once over the cases it applies to, the most frequent
    first. A finding alone keeps its own sentence.
    """
    grouped = {}
    for finding in findings:
        grouped.setdefault((finding["type"], finding["recommendation"]), []).append(
            finding
        )
    groups = []
    for (kind, recommendation), members in grouped.items():
        members = sorted(members, key=_finding_rank)
        alone = len(members) == 1
        items = [m["summary"] if alone else m["item"] for m in members]
        summary = (
            ""
            if alone
            else texts.finding_group_summary(
                kind, len(members), imported=imported, params=members[0]["params"]
            )
        )
        groups.append(
            {
                "type": kind,
                "name": texts.FINDING_NAMES[kind],
                "summary": summary,
                "items": _listed(
                    items,
                    RANKED_SHOWN,
                    ngettext_lazy("Show all %(n)s case", "Show all %(n)s cases", "n"),
                ),
                "recommendation": recommendation,
            }
        )
    return groups


def _ranked_handoffs(handoffs):
    """Return the hand-offs, the most waited for in total first, then the most made.

    A report stored before hand-offs had a total wait ranks them by count.
    """
    return sorted(
        handoffs,
        key=lambda row: (
            -(row.get("total_wait_ms") or 0),
            -row["count"],
            row["from"],
            row["to"],
        ),
    )


def _agent_spread(report):
    """Return the agents (an import's final groups), the busiest first.

    Each row gets the ``name`` to show: an incident without a group at its
    last update, or a run without an agent, is named as unknown.
    """
    unknown = _("Unknown group") if report.imported else _("Unknown agent")
    agents = [
        {**row, "name": row["agent"] or unknown}
        for row in sorted(report.agents, key=lambda row: (-row["runs"], row["agent"]))
    ]
    spread = [
        (row["name"], row["spread"]["resolution"])
        for row in agents
        if row["spread"]["resolution"]["median"] is not None
    ]
    if report.imported:
        title = _("Resolution time (opened to resolved) per final assignment group")
        caption = _(
            "Resolution time (opened to resolved) per final assignment group: "
            "each line runs from the group's fastest resolved incident to its "
            "slowest, the dot marks the median, and the figure is the slowest."
        )
        show_all = ngettext_lazy(
            "Show all %(n)s assignment group", "Show all %(n)s assignment groups", "n"
        )
    else:
        title = _("Resolution time (logged to resolved) per agent")
        caption = _(
            "Resolution time (logged to resolved) per agent: each line runs from "
            "the agent's fastest resolved run to the slowest, the dot marks the "
            "median, and the figure is the slowest."
        )
        show_all = ngettext_lazy("Show all %(n)s agent", "Show all %(n)s agents", "n")
    return {
        "agent_list": _listed(agents, RANKED_SHOWN, show_all),
        "spread_chart": _chart(charts.spread, spread[:CHARTED], title=title),
        "spread_caption": caption,
    }


def _many_context(report):
    timings = _resolved_timings(report)
    phases, mean_resolution, mean_whole = _typical_phases(
        timings, imported=report.imported
    )
    segments = [(row["phase"], row["name"], row["ms"]) for row in phases]
    ranked = _ranked_handoffs(report.handoffs)
    handoffs = [
        (f"{row['from']} → {row['to']}", row.get("total_wait_ms")) for row in ranked
    ]
    labels = _labels(report)
    return {
        "typical_phases": phases,
        "resolved_count": len(timings),
        "mean_resolution_ms": mean_resolution,
        "mean_whole_ms": mean_whole,
        "median_resolution_ms": median(t["resolution_ms"] for t in timings),
        "typical_phase_chart": _chart(
            charts.phase_bar, segments, title=_("Mean time per phase")
        ),
        "handoff_chart": _chart(
            charts.bars, handoffs[:CHARTED], title=_("Total hand-off wait")
        ),
        "handoff_list": _listed(
            ranked,
            RANKED_SHOWN,
            ngettext_lazy("Show all %(n)s hand-off", "Show all %(n)s hand-offs", "n"),
        ),
        **_agent_spread(report),
        "variant_rows": [
            {**row, "labels": [labels[key] for key in row["keys"]]}
            for row in report.variants[:10]
        ],
    }


def _transitions(edges, labels):
    """Return the edges as rows, most frequent first, then slowest first."""
    rows = [
        {
            **edge,
            "source_label": labels[edge["source"]],
            "target_label": labels[edge["target"]],
            # Shown as a dash, which the table's caption explains.
            "at_once": shows_as_zero(edge["median_ms"]),
        }
        for edge in edges
    ]
    return sorted(
        rows,
        key=lambda row: (
            -row["count"],
            -row["median_ms"],
            row["source_label"],
            row["target_label"],
        ),
    )


def _conformance(report, labels):
    """Return the conformance rows with each run's name and steps' words."""
    names = {run["run_id"]: run_name(run) for run in report.runs}

    def words(keys):
        return [labels.get(key, key) for key in keys]

    return [
        {
            **row,
            "run_name": names.get(row["run_id"], row["run_id"]),
            "missing": words(row["missing"]),
            "added": words(row["added"]),
            "out_of_order": words(row["out_of_order"]),
            "rules": [
                {**outcome, "outcome": texts.RULE_OUTCOMES[outcome["outcome"]]}
                for outcome in row["rules"]
            ],
        }
        for row in report.conformance
    ]


def _health_left_out(health):
    """Return one line per part of the score that does not apply, and why."""
    points = sum(part["weight"] for part in health["parts"].values())
    return [texts.health_left_out(name, points) for name in health.get("left_out", ())]


def report_context(report, *, title=""):
    """Return the template context of ``report`` for ``_report.html``."""
    findings = _findings(report)
    context = {
        "title": title,
        "report": report,
        "run_count": len(report.runs),
        "health": report.health,
        "health_parts": [
            {"name": texts.HEALTH_PART_NAMES[name], **part}
            for name, part in report.health["parts"].items()
        ],
        "health_left_out": _health_left_out(report.health),
        "health_formula": texts.health_formula(imported=report.imported),
        "findings": findings,
        "finding_groups": _finding_groups(findings, imported=report.imported),
        "imported": report.imported,
    }
    if not report.runs:
        return context
    labels = _labels(report)
    context["steps"] = _steps_context(report.runs, labels, imported=report.imported)
    context["conformance"] = _conformance(report, labels)
    context["transitions"] = _transitions(report.process_map["edges"], labels)
    # The page of an imported history draws no map of its own; a workflow's
    # page draws the SOP's.
    context["state_map"] = report.imported and bool(context["transitions"])
    context["transition_list"] = _listed(
        context["transitions"],
        RANKED_SHOWN,
        ngettext_lazy("Show all %(n)s transition", "Show all %(n)s transitions", "n"),
    )
    if len(report.runs) == 1:
        context["run"] = _run_context(report.runs[0], imported=report.imported)
    elif report.runs:
        context.update(_many_context(report))
    return context


def report_pdf(report, *, title, base_url=None):
    """Return the PDF bytes of ``report`` (WeasyPrint, DejaVu fonts)."""
    from weasyprint import HTML

    html = report_pdf_html(report, title=title)
    return HTML(
        string=html, base_url=base_url, url_fetcher=pdf_url_fetcher(base_url)
    ).write_pdf()


def report_pdf_html(report, *, title):
    """Return the whole HTML page WeasyPrint prints as ``report``'s PDF."""
    return render_to_string(
        "reports/report_pdf.html", {"report_view": report_context(report, title=title)}
    )


def pdf_url_fetcher(base_url):
    """Return a WeasyPrint URL fetcher for data: URLs and our static files.

    ``base_url`` comes from the request's Host header: nothing it names is
    fetched over the network, and no other file is read.
    """
    return _fetcher_class()(base_url)


@functools.cache
def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalFetcher(URLFetcher):
        def __init__(self, base_url):
            super().__init__(allowed_protocols=("data",))
            self.static_prefix = (base_url or "").rstrip("/") + settings.STATIC_URL

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if self.static_prefix.startswith("/") or not url.startswith(
                self.static_prefix
            ):
                raise ValueError(f"Refused to fetch {url!r} for a PDF.")
            path = _static_file(url[len(self.static_prefix) :])
            mime_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
            with open(path, "rb") as file:
                body = file.read()
            return URLFetcherResponse(url, body, {"Content-Type": mime_type})

    return LocalFetcher


def _static_file(relative):
    path = unquote(urlsplit(relative).path)
    parts = path.split("/")
    if not path or path.startswith("/") or ".." in parts or "\\" in path:
        raise ValueError(f"Refused to read static file {path!r} for a PDF.")
    found = finders.find(path)
    if not found:
        raise ValueError(f"No static file {path!r}.")
    return found


def history_pdf(report, *, title, history, base_url=None):
    """Return the PDF of an incident history: its figures, then ``report``.

    ``history`` holds the stored ``summary``, the ``stalled`` incidents and
    ``as_of``, as the history page shows them.
    """
    from weasyprint import HTML

    html = render_to_string(
        "reports/incident_history_pdf.html",
        {"report_view": report_context(report, title=title), **history},
    )
    return HTML(
        string=html, base_url=base_url, url_fetcher=pdf_url_fetcher(base_url)
    ).write_pdf()
