"""The process map as Mermaid flowchart source.

Pure: no Django. Built with mermaid-py's flowchart classes, but every
string is escaped here and every id generated here, because mermaid-py
escapes nothing and lowercases ids (a node called "End" would become the
keyword ``end``). Its ``Mermaid`` class calls a server: never used.
"""

import contextlib
import io
import re

with contextlib.redirect_stdout(io.StringIO()):
    # mermaid-py prints a notice about IPython on import.
    from mermaid.flowchart import FlowChart, Link, Node

from .phases import PHASES
from .sop import PHASE_TITLES, format_duration

# Mermaid refuses maps past its edge limit and slows down long before; a
# longer run is condensed into groups of consecutive steps (the SOP keeps
# every step).
MAX_NODES = 150
HEADER = """---
config:
  htmlLabels: false
  maxTextSize: 5000000
  maxEdges: 5000
  flowchart:
    htmlLabels: false
    curve: basis
    nodeSpacing: 30
    rankSpacing: 35
    wrappingWidth: 220
---
"""
SHAPES = {
    "decision": "rhombus",
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
    nodes = [_single(number, step) for number, step in enumerate(steps, 1)]
    if len(nodes) > max_nodes:
        nodes = _group(nodes, lambda node: node["kind"] != "decision")
    if len(nodes) > max_nodes:
        nodes = _group(nodes, lambda node: True)
    if len(nodes) > max_nodes:
        nodes = _chunk(nodes, max_nodes)
    return nodes


def _single(number, step):
    decision = step.decision
    if decision is not None:
        label = f"{number}. {decision.field}: {decision.value}"
    else:
        label = f"{number}. {step.text}"
    return {
        "label": label,
        "kind": step.kind,
        "system": step.system,
        "phase": step.phase,
        "duration_ms": step.duration_ms,
        "numbers": (number,),
    }


def _merge(group):
    if len(group) == 1:
        return group[0]
    first, last = group[0], group[-1]
    numbers = tuple(n for node in group for n in node["numbers"])
    return {
        "label": f"Steps {numbers[0]}–{numbers[-1]}: {len(numbers)} steps",
        "kind": "action",
        "system": first["system"] if first["system"] == last["system"] else "several",
        "phase": first["phase"],
        "duration_ms": sum(node["duration_ms"] for node in group),
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


def build_mermaid(steps, *, max_nodes=MAX_NODES):
    """Return the Mermaid source of the process map for phased steps.

    Phases are columns, left to right, each with its steps top to bottom.
    Links between phases join the subgraphs themselves: Mermaid ignores a
    subgraph's direction once one of its nodes links outside it.
    """
    nodes = map_nodes(steps, max_nodes=max_nodes)
    subgraphs, links = [], []
    number = 0
    for phase_number, phase in enumerate(PHASES, 1):
        members = [node for node in nodes if node["phase"] == phase]
        if not members:
            continue
        chart_nodes = []
        for node in members:
            number += 1
            chart_nodes.append(_chart_node(number, node))
        links.extend(
            Link(chart_nodes[i], chart_nodes[i + 1], message=_duration(members[i]))
            for i in range(len(chart_nodes) - 1)
        )
        subgraph = Node(
            f"p{phase_number}",
            escape(PHASE_TITLES[phase]),
            sub_nodes=chart_nodes,
            direction="TB",
        )
        if subgraphs:
            links.append(
                Link(subgraphs[-1][0], subgraph, message=_duration(subgraphs[-1][1]))
            )
        subgraphs.append((subgraph, members[-1]))
    chart = _Chart(
        "", nodes=[graph for graph, _last in subgraphs], links=links, orientation="LR"
    )
    ordered = [node for phase in PHASES for node in nodes if node["phase"] == phase]
    return chart.script + _classes(ordered)


def _chart_node(number, node):
    label = escape(node["label"]) + "<br>" + escape(f"({node['system']})")
    return Node(f"s{number}", label, shape=SHAPES.get(node["kind"], "normal"))


def _duration(node):
    return escape(format_duration(node["duration_ms"]))


def _classes(nodes):
    lines = list(CLASS_DEFS)
    for kind in ("decision", "lookup", "wait", "note"):
        ids = [f"s{i}" for i, node in enumerate(nodes, 1) if node["kind"] == kind]
        if ids:
            lines.append(f"class {','.join(ids)} {kind}")
    return "".join(f"\t{line}\n" for line in lines)
