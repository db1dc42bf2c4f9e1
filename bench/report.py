"""Benchmark the report's aggregate map and variance against pm4py.

Two logs, each measured by both sides in the same run:
1. 1,000 generated traces of 200 activities each;
2. the ServiceNow audit export, replicated to 500,000 rows, turned into
   traces by the incident-history import.

Our side computes the directly-follows map (count and median gap per edge),
the variants and every run's distance to the most common variant, from
traces in memory. pm4py computes the performance directly-follows graph
(median) and the variants of the same events from a formatted DataFrame in
memory; its formatting is timed apart. pm4py is AGPL-3.0, so it lives only
in ``var/bench-venv``, installed here on first use, never in requirements.

Run: ``.venv/bin/python bench/report.py`` (``--quick`` for a smaller run).
"""

import argparse
import csv
import io
import json
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from apps.reports import aggregate, history  # noqa: E402
from apps.reports.exports import timestamp  # noqa: E402
from apps.reports.measures import ordered_activities  # noqa: E402
from apps.reports.report import build_report  # noqa: E402
from apps.reports.trace import Activity, Trace  # noqa: E402

BENCH_VENV = ROOT / "var" / "bench-venv"
WORK = ROOT / "var" / "bench"
PM4PY = "pm4py==2.7.23.11"
EXPORT = ROOT / "apps" / "reports" / "samples" / "servicenow-incident-log.csv"
ROUNDS = 3

PM4PY_SIDE = r"""
import json, sys, time
import pandas as pd
import pm4py

path, repeats = sys.argv[1], int(sys.argv[2])
raw = pd.read_csv(path, dtype={"case": str, "activity": str})
raw["start"] = pd.to_datetime(raw["start"], utc=True, format="ISO8601")
raw["end"] = pd.to_datetime(raw["end"], utc=True, format="ISO8601")

started = time.perf_counter()
log = pm4py.format_dataframe(
    raw, case_id="case", activity_key="activity", timestamp_key="end",
    start_timestamp_key="start",
)
formatting = time.perf_counter() - started

runs = []
for _ in range(repeats):
    started = time.perf_counter()
    dfg, starts, ends = pm4py.discover_performance_dfg(
        log, perf_aggregation_key="median"
    )
    variants = pm4py.get_variants(log)
    runs.append(time.perf_counter() - started)

frequency, _s, _e = pm4py.discover_dfg(log)
print(json.dumps({
    "formatting_s": formatting,
    "compute_s": sorted(runs)[len(runs) // 2],
    "edges": {f"{a}\t{b}": [frequency[(a, b)], dfg[(a, b)]] for a, b in dfg},
    "variants": sorted(
        (len(v) if not isinstance(v, int) else v) for v in variants.values()
    ),
}))
"""


def ensure_pm4py():
    python = BENCH_VENV / "bin" / "python"
    probe = [str(python), "-c", "import pm4py"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return python
    print(f"Installing {PM4PY} into {BENCH_VENV} (the benchmark's own venv)...")
    subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            PM4PY,
        ],
        check=True,
    )
    return python


def generated_traces(count=1000, length=200, seed=42):
    """Return ``count`` traces of ``length`` steps: 10 agents, 40 step kinds.

    Each agent follows a path of its own drawn from one common path, and each
    run perturbs it a little (a swap, a skip or an extra lookup), so there
    are many variants, as with real agents.
    """
    rng = random.Random(seed)
    keys = [f"step{index:02d}" for index in range(40)]
    phases = ("log", "triage", "investigate", "resolve", "close")
    common = [rng.choice(keys) for _ in range(length)]
    agents = {}
    for agent in range(10):
        path = common[:]
        for _ in range(3):
            path[rng.randrange(length)] = rng.choice(keys)
        agents[f"agent{agent}"] = path

    traces = []
    for number in range(count):
        agent = f"agent{number % 10}"
        path = agents[agent][:]
        if rng.random() < 0.5:
            i = rng.randrange(length - 1)
            path[i], path[i + 1] = path[i + 1], path[i]
        if rng.random() < 0.3:
            path[rng.randrange(length)] = "lookup"
        clock = 1_450_000_000_000 + number * 3_600_000
        activities = []
        for index, key in enumerate(path):
            clock += rng.randint(0, 60) * 1000
            duration = rng.randint(1, 120) * 1000
            activities.append(
                Activity(
                    key=key,
                    label=key,
                    phase=phases[min(4, index * 5 // length)],
                    start_ms=clock,
                    end_ms=clock + duration,
                )
            )
            clock += duration
        traces.append(
            Trace(run_id=f"run{number:04d}", agent=agent, activities=tuple(activities))
        )
    return traces


def incident_traces(rows=500_000):
    """Return the traces of the export replicated to about ``rows`` rows."""
    text = EXPORT.read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    updates = [history.parse_row(row, reader.line_num) for row in reader]
    copies = -(-rows // len(updates))
    started = time.perf_counter()
    replicated = []
    for copy in range(copies):
        shift = copy * 86_400_000
        for u in updates:
            replicated.append(
                history.Update(
                    **{
                        **{name: getattr(u, name) for name in u.__slots__},
                        "number": f"{u.number}-{copy}",
                        "updated_ms": u.updated_ms + shift,
                        "opened_ms": u.opened_ms + shift,
                        "resolved_ms": None
                        if u.resolved_ms is None
                        else u.resolved_ms + shift,
                        "closed_ms": None
                        if u.closed_ms is None
                        else u.closed_ms + shift,
                    }
                )
            )
    replicated = replicated[:rows]
    grouped = history.group_updates(replicated)
    traces = [history.incident_trace(rows) for rows in grouped.values()]
    return traces, len(replicated), time.perf_counter() - started


def ours(traces):
    """Return (seconds, map, variants) of the aggregate map and variance."""
    started = time.perf_counter()
    paired = [(trace, ordered_activities(trace)) for trace in traces]
    process_map, variants = aggregate.map_and_variants(paired)
    aggregate.run_distances(paired, variants)
    return time.perf_counter() - started, process_map, variants


def write_events(traces, path):
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["case", "activity", "start", "end"])
        for trace in traces:
            for a in ordered_activities(trace):
                writer.writerow(
                    [trace.run_id, a.key, timestamp(a.start_ms), timestamp(a.end_ms)]
                )


def pm4py_side(python, path, repeats):
    script = WORK / "pm4py_side.py"
    script.write_text(PM4PY_SIDE)
    done = subprocess.run(
        [str(python), str(script), str(path), str(repeats)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def check_agreement(process_map, variants, theirs):
    """Raise if the two sides disagree on any edge count, median or variant."""
    mine = {
        f"{e['source']}\t{e['target']}": (e["count"], e["median_ms"] / 1000)
        for e in process_map["edges"]
    }
    assert set(mine) == set(theirs["edges"]), "the edge sets differ"
    for edge, (count, seconds) in mine.items():
        their_count, their_seconds = theirs["edges"][edge]
        assert count == their_count, f"count of {edge!r}: {count} vs {their_count}"
        assert abs(seconds - their_seconds) < 1e-6, (
            f"median of {edge!r}: {seconds} vs {their_seconds}"
        )
    assert sorted(v["count"] for v in variants) == theirs["variants"], "variants differ"


def measure(name, traces, python, rounds):
    """Time both sides in alternating rounds and keep each side's fastest.

    The machine is shared, so a slow round says more about the neighbours
    than about the code; the fastest of alternating rounds compares the two
    sides under the same conditions.
    """
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / f"{name}.csv"
    write_events(traces, path)
    events = sum(len(t.activities) for t in traces)
    ours_timings, pm4py_timings, formatting = [], [], []
    for _ in range(rounds):
        seconds, process_map, variants = ours(traces)
        ours_timings.append(seconds)
        theirs = pm4py_side(python, path, 1)
        pm4py_timings.append(theirs["compute_s"])
        formatting.append(theirs["formatting_s"])
    check_agreement(process_map, variants, theirs)

    started = time.perf_counter()
    build_report(traces)
    full = time.perf_counter() - started
    our_seconds, their_seconds = min(ours_timings), min(pm4py_timings)
    return {
        "log": name,
        "traces": len(traces),
        "events": events,
        "edges": len(process_map["edges"]),
        "variants": len(variants),
        "ours_s": our_seconds,
        "ours_rounds_s": ours_timings,
        "ours_full_report_s": full,
        "pm4py_s": their_seconds,
        "pm4py_rounds_s": pm4py_timings,
        "pm4py_formatting_s": min(formatting),
        "ratio": their_seconds / our_seconds,
        "ratio_with_formatting": (their_seconds + min(formatting)) / our_seconds,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the size")
    options = parser.parse_args()
    scale = 10 if options.quick else 1
    python = ensure_pm4py()

    results = [
        measure("generated", generated_traces(count=1000 // scale), python, ROUNDS)
    ]
    traces, rows, import_seconds = incident_traces(rows=500_000 // scale)
    result = measure("servicenow", traces, python, ROUNDS)
    result.update(rows=rows, import_to_traces_s=import_seconds)
    results.append(result)

    for r in results:
        print(
            f"{r['log']}: {r['traces']} traces, {r['events']} events, "
            f"{r['edges']} edges, {r['variants']} variants"
        )
        print(
            f"  ours {r['ours_s']:.3f} s (full report {r['ours_full_report_s']:.2f} s)"
            f" | pm4py {r['pm4py_s']:.3f} s (+ {r['pm4py_formatting_s']:.2f} s "
            f"formatting) | pm4py / ours = {r['ratio']:.2f}x "
            f"({r['ratio_with_formatting']:.2f}x with its formatting)"
        )
        if "rows" in r:
            print(
                f"  export rows {r['rows']}, rows to traces {r['import_to_traces_s']:.2f} s"
            )
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
