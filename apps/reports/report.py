"""The report: every measure of a workflow's runs, as one plain value.

``build_report`` is the one entry point the workflow pipeline and the
incident history call. Pure and deterministic: the same traces give the same
JSON, byte for byte, whatever order they come in.
"""

from dataclasses import asdict, dataclass, field, replace
from itertools import chain

import orjson

from . import aggregate, findings
from .conformance import conformance
from .measures import (
    IDLE_THRESHOLD_MS,
    longest_steps,
    ordered_activities,
    run_measures,
    step_times,
)
from .mermaid import process_map_mermaid
from .trace import Trace, key_labels, with_distinct_keys

# 2: rework as the same action redone, first assignments as moves, one wait
# threshold, one missing-documentation finding. 3: a hand-off waits until
# work resumes, and that wait is no idle wait. 4: a decision's key carries its
# value, a key's label is true of all its occurrences, a transition's time
# runs from start to start. 5: an imported history's choices are no
# documentation gaps, a bottleneck names the runs it is measured over, and a
# transition of under a second shows no time on the map. 6: the health score
# of an imported history leaves documentation out and is scaled to 100 over
# the other parts; hand-offs have one name. 7: a hand-off carries its total
# wait, and the stored page ranks and caps its long lists. 8: an imported
# incident's time ends when it is closed, and its map and variants are its
# state visits, without its choices, and its longest states are visits.
# 10: an imported incident's stays and time per state end when it is
# resolved, its ping-pong names the groups it went back and forth between,
# and a section with nothing to say is left out.
# A recorded run's waits are time in no system and no step of conformance.
# 11: a hand-off's wait starts when the save that commits it ends.
# 12: an approved step done on another record is neither missing nor added,
# and an imported history's map runs top down.
# 13: a duration on the map is rounded to the smallest unit it shows.
# 14: a chart's figures stand in a column between its labels and its bars.
# 15: a chart comes in a narrow layout too, its labels over its bars.
# 16: a duration of a day or more is in days: "1 d 3 h", never "27 h".
# 17: a report opens with a list of its sections, and a table beside a chart
# folds on a phone.
REPORT_VERSION = 17


@dataclass(slots=True)
class Report:
    version: int
    runs: list
    process_map: dict
    mermaid: str
    variants: list
    distances: list
    agents: list
    handoffs: list
    health: dict
    findings: list
    conformance: list = field(default_factory=list)
    # {key: label} of every key the report names, the map's and the
    # approved SOP's alike.
    labels: dict = field(default_factory=dict)
    # True for an imported incident history: its choices come from an ITSM
    # log, which records no rule behind any of them.
    imported: bool = False

    def to_dict(self):
        return asdict(self)

    def to_json(self):
        # orjson reads the plain values itself; going through ``to_dict`` first
        # copied every run (52 s against 3 s over 73,000 incidents). Every value
        # is plain: a dataclass inside would raise rather than lose its order.
        values = {name: getattr(self, name) for name in self.__dataclass_fields__}
        return orjson.dumps(
            values, option=orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS
        )

    @property
    def run(self):
        """Return the figures of the only run, for a one-run report."""
        return self.runs[0] if len(self.runs) == 1 else None


def build_report(
    traces,
    *,
    approved=None,
    rules=(),
    idle_threshold_ms=IDLE_THRESHOLD_MS,
    imported=False,
):
    """Return the ``Report`` of ``traces``, runs of one workflow.

    ``approved`` is the approved SOP's step keys, in order, and ``rules`` its
    triage rules; with them each run also gets its conformance. ``imported``
    says the traces are an imported incident history, not recorded runs.
    """
    recorded = sorted(traces, key=lambda trace: trace.run_id)
    _check_unique(recorded)
    traces = [with_distinct_keys(trace) for trace in recorded]
    paired = [(trace, ordered_activities(trace)) for trace in traces]
    measured = [
        run_measures(trace, idle_threshold_ms=idle_threshold_ms) for trace in traces
    ]

    paths = (
        [(trace, state_path(steps)) for trace, steps in paired] if imported else paired
    )
    if imported:
        for run, (_trace, path) in zip(measured, paths, strict=True):
            run["longest_steps"] = longest_steps(_stays(run, path))
    process_map, variant_rows = aggregate.map_and_variants(paths)
    distances = aggregate.run_distances(paths, variant_rows)
    # The approved SOP names steps by their recorded keys, so each run is
    # checked as recorded.
    checked = []
    labels = key_labels(chain.from_iterable(t.activities for t in recorded))
    if approved is not None:
        checked = [
            conformance(trace, approved, rules, labels=labels) for trace in recorded
        ]
    if imported:
        # The choices are no steps of an imported path, so no node names them.
        labels.update(key_labels(chain.from_iterable(t.activities for t in traces)))
    labels.update((node["key"], node["label"]) for node in process_map["nodes"])
    return Report(
        version=REPORT_VERSION,
        runs=measured,
        process_map=process_map,
        # An imported history's page draws its map in a box as wide as the
        # page: its states, linked back and forth, fit that width top down.
        mermaid=process_map_mermaid(process_map, direction="TD" if imported else "LR"),
        variants=variant_rows,
        distances=distances,
        agents=aggregate.agent_spread(measured, distances),
        handoffs=aggregate.handoff_waits(measured),
        health=findings.health(measured, distances, imported=imported),
        findings=findings.findings(
            measured, distances, variant_rows, process_map, imported=imported
        ),
        conformance=checked,
        labels=dict(sorted(labels.items())),
        imported=imported,
    )


def state_path(activities):
    """Return an imported incident's path: its state visits, in order.

    Consecutive updates in one state are one visit, lasting from the first
    update's start to the last one's end. The group and priority choices
    are left out: they are measured as hand-offs and triage choices, and as
    steps they would split one state visit in two.
    """
    path = []
    for activity in activities:
        if activity.kind == "decision":
            continue
        if path and path[-1].key == activity.key:
            path[-1] = replace(path[-1], end_ms=max(path[-1].end_ms, activity.end_ms))
        else:
            path.append(activity)
    return path


def _stays(run, path):
    """Return an incident's stays in one state, each up to its resolution.

    Waiting in Resolved for the close is no time spent resolving: a stay
    counts only its part before the incident was resolved, and one wholly
    after it (Resolved, Closed) is left out.
    """
    resolved = run["timing"].get("resolved_ms")
    stays = []
    for step in step_times(path):
        duration = findings.before_resolution(step, resolved)
        if duration:
            end = step["start_ms"] + duration
            stays.append({**step, "end_ms": end, "duration_ms": duration})
    return stays


def _check_unique(traces: list[Trace]):
    seen = set()
    for trace in traces:
        if trace.run_id in seen:
            raise ValueError(f"Two traces share the run id {trace.run_id!r}.")
        seen.add(trace.run_id)
