"""The process map as Mermaid flowchart source.

Pure: no Django. Built with mermaid-py's flowchart classes, but every
string is escaped here and every id generated here, because mermaid-py
escapes nothing and lowercases ids (a node called "End" would become the
keyword ``end``). Its ``Mermaid`` class calls a server: never used.

The map is a row of lanes, one per phase, each a column of its steps read
top to bottom. Every lane hangs from its heading node by a hidden link, so
all lanes start on the same row and the n-th steps of every lane line up.
An arrow leads from each lane's last step to the next lane's first; see
``lane_links`` for who draws it.
"""

import contextlib
import io
import re
import textwrap
from dataclasses import dataclass

with contextlib.redirect_stdout(io.StringIO()):
    # mermaid-py prints a notice about IPython on import.
    from mermaid.flowchart import FlowChart, Link, Node

from .phases import PHASES
from .sop import PHASE_TITLES, format_duration, is_added, step_numbers
from .steps import Decision, decision_value, rough_duration

# Mermaid refuses maps past its edge limit and slows down long before; a
# longer run is condensed into groups of consecutive steps (the SOP keeps
# every step).
MAX_NODES = 150
# Characters per label line: lanes stay narrow enough for five to sit side
# by side on a landscape page.
WRAP_WIDTH = 26
# A step's words on the map, its number included: a step an editor wrote
# at length reads whole in the SOP and is cut on the map at a word, so one
# node never outgrows the lane (a recorded step's text is shorter).
MAX_LABEL = 120
# A phase map for the PDF holds at most this many lanes of this many steps.
PART_ROWS = 8
PART_LANES = 4
HEADER = """---
config:
  htmlLabels: false
  maxTextSize: 5000000
  maxEdges: 5000
  flowchart:
    htmlLabels: false
    useMaxWidth: false
    curve: linear
    nodeSpacing: 28
    rankSpacing: 22
    padding: 10
    wrappingWidth: 400
    subGraphTitleMargin:
      top: 4
      bottom: 14
---
"""
SHAPES = {
    # A diamond grows with both sides of its label; a hexagon holds a long
    # one at the height of a box.
    "decision": "hexagon",
    "lookup": "round-edge",
    "wait": "stadium-shape",
    "note": "label-shape",
    "action": "normal",
}
CLASS_DEFS = (
    "classDef decision fill:#fff4d6,stroke:#b7791f",
    "classDef lookup fill:#e6f0ff,stroke:#2453c7",
    "classDef wait fill:#f1f1f1,stroke:#8a93a3,stroke-dasharray:4 3",
    "classDef note fill:#eefaf0,stroke:#067647",
    "classDef lane fill:#1f4bb8,stroke:#1f4bb8,color:#ffffff,font-weight:bold",
)
ZERO_WIDTH_SPACE = "\u200b"
_CODE = re.compile(r"#(\w*;)")


def escape(text):
    """Return ``text`` safe inside a quoted Mermaid label, looking the same."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace('"', "\u201d").replace("`", "\u02cb")
    # Mermaid reads "#word;" as its own character code, even inside quotes.
    text = _CODE.sub("#" + ZERO_WIDTH_SPACE + r"\1", text)
    text = text.replace("\\", "\u29f5")
    return "<br>".join(" ".join(line.split()) for line in text.splitlines()) or " "


class _Chart(FlowChart):
    """mermaid-py's flowchart with our front matter instead of its title line."""

    def _build_script(self):
        super()._build_script()
        prefix = f"---\ntitle: {self.title}\n---"
        body = self.script[len(prefix) :] if self.script.startswith(prefix) else ""
        self.script = HEADER + body.lstrip("\n")


def map_nodes(steps, *, max_nodes=MAX_NODES):
    """Return the map's nodes: each a dict of the steps it stands for.

    Short maps have one node per step; longer ones group consecutive steps
    of one phase and system, decisions last, until the map fits.
    """
    numbers = step_numbers(step.kind for step in steps)
    nodes = [_single(number, step) for number, step in zip(numbers, steps, strict=True)]
    if len(nodes) > max_nodes:
        nodes = _group(nodes, lambda node: node["kind"] != "decision")
    if len(nodes) > max_nodes:
        nodes = _group(nodes, lambda node: True)
    if len(nodes) > max_nodes:
        nodes = _chunk(nodes, max_nodes)
    return nodes


def _single(number, step):
    # A wait is drawn where it fell, but unnumbered, as the SOP shows it.
    prefix = "" if number is None else f"{number}. "
    decision = step.decision
    if decision is not None and step.kind == "decision":
        label = f"{prefix}{decision.field}: {decision_value(decision.value)}"
    else:
        label = f"{prefix}{step.text}"
    return {
        "label": label,
        # The map reads as the SOP does; "label" names a decision's field and
        # value apart, which the BPMN export splits into gateway and flow.
        "text": f"{prefix}{step.text}",
        "kind": step.kind,
        # A note is typed into no system, as the SOP's line says.
        "system": "" if step.kind == "note" else step.system,
        "added": step.added if isinstance(step, MapStep) else is_added(step),
        "phase": step.phase,
        "duration_ms": step.duration_ms,
        "numbers": () if number is None else (number,),
    }


def _merge(group):
    if len(group) == 1:
        return group[0]
    first, last = group[0], group[-1]
    numbers = tuple(n for node in group for n in node["numbers"])
    duration_ms = sum(node["duration_ms"] for node in group)
    if not numbers:
        label = f"Waits: {format_duration(duration_ms)} in the recording"
    elif len(numbers) == 1:
        label = f"Step {numbers[0]} and a wait"
    else:
        label = f"Steps {numbers[0]}–{numbers[-1]}: {len(numbers)} steps"
    return {
        "label": label,
        "text": label,
        "kind": "action" if numbers else "wait",
        "system": first["system"] if first["system"] == last["system"] else "several",
        "phase": first["phase"],
        "duration_ms": duration_ms,
        "numbers": numbers,
    }


def _group(nodes, groupable):
    result, run = [], []
    for node in nodes:
        if run and (
            not groupable(node)
            or node["phase"] != run[0]["phase"]
            or node["system"] != run[0]["system"]
        ):
            result.append(_merge(run))
            run = []
        if groupable(node):
            run.append(node)
        else:
            result.append(node)
    if run:
        result.append(_merge(run))
    return result


def _chunk(nodes, max_nodes):
    size = -(-len(nodes) // max_nodes)
    result = []
    for phase in PHASES:
        members = [node for node in nodes if node["phase"] == phase]
        for start in range(0, len(members), size):
            result.append(_merge(members[start : start + size]))
    return result


@dataclass(frozen=True, slots=True)
class PhaseMap:
    """One part of the map for one printed page: some steps of one phase."""

    phase: str
    title: str
    # The part's first and last step numbers; None for a part of waits only.
    first: int | None
    last: int | None
    part: int
    parts: int
    source: str


@dataclass(frozen=True, slots=True)
class MapStep:
    """What the map reads of a step, rebuilt from a stored SOP document."""

    text: str
    kind: str
    system: str
    phase: str
    duration_ms: int
    decision: Decision | None
    added: bool = False


def document_steps(document):
    """Return the steps of a stored SOP document, in its order.

    A document holds its phases in order and each phase's steps in order,
    waits among them, so its order is the numbers' order.
    """
    return [
        MapStep(
            text=step["text"],
            kind=step["kind"],
            system=step["system"],
            phase=phase["phase"],
            duration_ms=step["duration_ms"],
            decision=_decision(step.get("decision")),
            # Stored before ``added`` was: a note an editor added kept no
            # recorded event.
            added=step.get(
                "added", step["kind"] == "note" and not step.get("evidence")
            ),
        )
        for phase in document["phases"]
        for step in phase["steps"]
    ]


def _decision(data):
    if not data:
        return None
    return Decision(field=data["field"], value=data["value"])


def build_mermaid(steps, *, max_nodes=MAX_NODES):
    """Return the Mermaid source of the process map for phased steps.

    One lane per phase, left to right, in phase order, each with its steps
    top to bottom.
    """
    nodes = map_nodes(steps, max_nodes=max_nodes)
    lanes = [
        (PHASE_TITLES[phase], members)
        for phase in PHASES
        if (members := [node for node in nodes if node["phase"] == phase])
    ]
    return _lanes_chart(lanes)


def phase_maps(steps, *, max_nodes=MAX_NODES, rows=PART_ROWS, lanes=PART_LANES):
    """Return the map split by phase into ``PhaseMap`` parts, in order.

    A phase whose steps do not fit ``lanes`` lanes of ``rows`` steps takes
    several parts; within a part its steps run on from lane to lane.
    """
    nodes = map_nodes(steps, max_nodes=max_nodes)
    result = []
    for phase in PHASES:
        members = [node for node in nodes if node["phase"] == phase]
        size = rows * lanes
        parts = [
            members[start : start + size] for start in range(0, len(members), size)
        ]
        for number, part in enumerate(parts, 1):
            result.append(_phase_map(phase, part, number, len(parts), rows))
    return result


def _phase_map(phase, nodes, part, parts, rows):
    lanes = []
    for start in range(0, len(nodes), rows):
        members = nodes[start : start + rows]
        lanes.append((_steps_title(members), members))
    first, last = _span(nodes)
    return PhaseMap(
        phase=phase,
        title=PHASE_TITLES[phase],
        first=first,
        last=last,
        part=part,
        parts=parts,
        source=_lanes_chart(lanes),
    )


def _span(nodes):
    """Return the first and last step numbers of ``nodes``, waits aside."""
    numbers = [number for node in nodes for number in node["numbers"]]
    return (numbers[0], numbers[-1]) if numbers else (None, None)


def _steps_title(nodes):
    first, last = _span(nodes)
    if first is None:
        return "Wait"
    return f"Step {first}" if first == last else f"Steps {first}–{last}"


def _lanes_chart(lanes):
    """Return the flowchart for ``lanes``: ``(title, nodes)`` side by side.

    Each lane is a heading node over a column of its steps. All headings
    sit on the top row, so the n-th steps of every lane share a row too.
    The source ends with the lanes' step ids for ``lane_links``.
    """
    headings, steps, links, ordered, spans = [], [], [], [], []
    for lane_number, (title, members) in enumerate(lanes, 1):
        heading = Node(f"p{lane_number}", escape(title))
        headings.append(heading)
        previous = heading
        for node in members:
            ordered.append(node)
            chart_node = _chart_node(len(ordered), node)
            steps.append(chart_node)
            links.append(_link(previous, chart_node, hidden=previous is heading))
            previous = chart_node
        spans.append((len(ordered) - len(members) + 1, len(ordered)))
    chart = _Chart("", nodes=headings + steps, links=links, orientation="TB")
    return chart.script + _classes(ordered, len(headings)) + lane_links(spans)


def lane_links(spans):
    """Return the comment that asks for an arrow from each lane to the next.

    ``spans`` are each lane's first and last step numbers. Mermaid cannot
    draw the arrow itself: it lays every link out from top to bottom, so a
    link from the foot of one lane to the head of the next would push the
    next lane down to start below this one. ``static/js/lane-links.js``
    draws the arrows once Mermaid has laid the map out, in the browser and
    in the page that renders the map for PDFs; Mermaid skips the comment.
    """
    if len(spans) < 2:
        return ""
    return "%% lanes " + " ".join(f"s{first}-s{last}" for first, last in spans) + "\n"


def _link(origin, end, *, hidden):
    if hidden:
        return Link(origin, end, shape="hidden", head_right="none")
    return Link(origin, end)


def wrap(text, width=WRAP_WIDTH):
    """Return ``text`` broken into lines of about ``width`` characters."""
    lines = []
    for line in text.splitlines() or [""]:
        lines.extend(textwrap.wrap(line, width, break_on_hyphens=False) or [""])
    return "\n".join(lines)


def clip(text, limit=MAX_LABEL):
    """Return ``text`` whole, or cut at a word to ``limit`` characters with "…"."""
    if len(text) <= limit:
        return text
    words = " ".join(text.split())[: limit - 1]
    head, _, _ = words.rpartition(" ")
    # A word as long as half the limit is cut where it stands.
    return (head if len(head) > limit // 2 else words).rstrip(" ,;:.") + "…"


def _chart_node(number, node):
    meta = _meta(node)
    label = escape(wrap(clip(node["text"])) + ("\n" + meta if meta else ""))
    return Node(f"s{number}", label, shape=SHAPES.get(node["kind"], "normal"))


def _meta(node):
    """Return "System · 4 s", wrapped without parting the duration.

    A wait is no system's, and its text says its time already, exactly or
    as rounded for the SOP, unless an editor reworded it: a second figure
    beside the first would read as another wait.
    """
    duration = "· " + format_duration(node["duration_ms"])
    if node["kind"] == "wait":
        said = (duration[2:], f"took {rough_duration(node['duration_ms'])} ")
        return "" if any(time in node["text"] for time in said) else duration
    if node.get("added"):
        return "added, not recorded"
    if not node["system"]:
        return duration[2:]
    lines = wrap(node["system"]).split("\n")
    if len(lines[-1]) + 1 + len(duration) <= WRAP_WIDTH:
        lines[-1] += " " + duration
    else:
        lines.append(duration)
    return "\n".join(lines)


def _classes(nodes, anchor_count):
    lines = list(CLASS_DEFS)
    headings = ",".join(f"p{i}" for i in range(1, anchor_count + 1))
    lines.append(f"class {headings} lane")
    for kind in ("decision", "lookup", "wait", "note"):
        ids = [f"s{i}" for i, node in enumerate(nodes, 1) if node["kind"] == kind]
        if ids:
            lines.append(f"class {','.join(ids)} {kind}")
    return "".join(f"\t{line}\n" for line in lines)
