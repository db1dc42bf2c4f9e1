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

from . import charts, findings, texts
from .duration import shows_as_zero
from .measures import LONGEST_STEPS, RESOLUTION_PHASES, median

# How many idle waits and documentation gaps a report over many runs lists,
# longest or most frequent first; it says how many more there are.
LISTED_ACROSS_RUNS = 10


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


def _phase_segments(split, close_ms):
    segments = [(phase, texts.PHASE_NAMES[phase], split[phase]) for phase in split]
    segments.append(("close", texts.PHASE_NAMES["close"], close_ms))
    return segments


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


def _typical_phases(timings):
    """Return the mean split's rows with each phase's share of resolution."""
    split, close_ms = _mean_split(timings)
    resolution = sum(split.values())
    rows = [
        {
            "phase": phase,
            "name": name,
            "ms": ms,
            "share": ms / resolution if resolution and phase != "close" else None,
        }
        for phase, name, ms in _phase_segments(split, close_ms)
    ]
    return rows, resolution


def _run_context(run):
    timing = run["timing"]
    segments = _phase_segments(timing["split"], timing["close_ms"])
    return {
        **run,
        "phases": [{"phase": p, "name": name, "ms": ms} for p, name, ms in segments],
        "phase_chart": mark_safe(
            charts.phase_bar(segments, title=_("Where the resolution time went"))
        ),
    }


def _named(rows, run, names):
    return [{**row, "run_name": names.get(run["run_id"], "")} for row in rows]


def _listed(rows, limit):
    """Return the first ``limit`` rows and how many were left off."""
    return {"rows": rows[:limit], "more": max(0, len(rows) - limit)}


def _system_chart(runs):
    totals = defaultdict(int)
    for run in runs:
        for row in run["systems"]:
            totals[row["system"]] += row["duration_ms"]
    rows = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return mark_safe(charts.bars(rows, title=_("Time per system")))


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
    suggest = Counter()
    for run in runs:
        for row in run["openings"]["suggest_triage"]:
            suggest[row["field"], row["value"]] += 1
    return {
        "suggest_triage": [
            {"field": field, "value": value, "times": times}
            for (field, value), times in sorted(suggest.items())
        ],
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
        "imported": imported,
        # Hand-off waits are left out of the idle waits: the page says so.
        "handoff_waits": any(
            move["wait_ms"] is not None for run in runs for move in run["handoffs"]
        ),
        "system_chart": _system_chart(runs),
        "longest_steps": longest[:LONGEST_STEPS],
        "idle_waits": _listed(waits, limit),
        "lookups": {
            "count": sum(run["lookups"]["count"] for run in runs),
            "by_system": dict(sorted(lookups.items())),
        },
        "documentation_gaps": _listed(gaps, limit),
        "openings": _openings(runs),
    }


def _findings(report):
    labels = _labels(report)
    return [
        {
            **finding,
            "name": texts.FINDING_NAMES[finding["type"]],
            "summary": texts.finding_summary(finding, labels, imported=report.imported),
            "recommendation": texts.finding_recommendation(finding),
            "step_labels": [labels.get(key, key) for key in finding["steps"]],
        }
        for finding in report.findings
    ]


def _many_context(report):
    timings = _resolved_timings(report)
    phases, mean_resolution = _typical_phases(timings)
    segments = [(row["phase"], row["name"], row["ms"]) for row in phases]
    handoffs = [
        (f"{row['from']} → {row['to']}", row["median_wait_ms"])
        for row in report.handoffs
    ]
    spread = [
        (row["agent"], row["spread"]["resolution"])
        for row in report.agents
        if row["spread"]["resolution"]["median"] is not None
    ]
    labels = _labels(report)
    return {
        "typical_phases": phases,
        "resolved_count": len(timings),
        "mean_resolution_ms": mean_resolution,
        "median_resolution_ms": median(t["resolution_ms"] for t in timings),
        "typical_phase_chart": mark_safe(
            charts.phase_bar(segments, title=_("Mean time per phase"))
        ),
        "handoff_chart": mark_safe(
            charts.bars(handoffs[:30], title=_("Median hand-off wait"))
        ),
        "spread_chart": mark_safe(
            charts.spread(spread[:30], title=_("Resolution time per agent"))
        ),
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
        "health_formula": texts.health_formula(),
        "findings": _findings(report),
        "imported": report.imported,
    }
    if not report.runs:
        return context
    labels = _labels(report)
    context["steps"] = _steps_context(report.runs, labels, imported=report.imported)
    context["conformance"] = _conformance(report, labels)
    context["transitions"] = _transitions(report.process_map["edges"], labels)
    if len(report.runs) == 1:
        context["run"] = _run_context(report.runs[0])
    elif report.runs:
        context.update(_many_context(report))
    return context


def report_pdf(report, *, title, base_url=None):
    """Return the PDF bytes of ``report`` (WeasyPrint, DejaVu fonts)."""
    from weasyprint import HTML

    html = render_to_string(
        "reports/report_pdf.html", {"report_view": report_context(report, title=title)}
    )
    return HTML(
        string=html, base_url=base_url, url_fetcher=pdf_url_fetcher(base_url)
    ).write_pdf()


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
