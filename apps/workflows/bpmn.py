"""The process map as BPMN 2.0 XML, with diagram interchange for layout.

Pure: no Django. One pool with a lane per phase; steps are user tasks laid
out left to right in their phase's lane, decisions are exclusive gateways
whose outgoing flow is named by the chosen value. Modelling tools (Camunda
Modeler, bpmn.io, Signavio) open the file as drawn here.
"""

import xml.etree.ElementTree as ET

from .mermaid import map_nodes
from .phases import PHASES
from .sop import PHASE_TITLES, format_duration
from .steps import xml_safe

MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
# Declared on the root and written as literal prefixes, not registered with
# ElementTree: its prefixes are global to the process, and WeasyPrint, once
# imported to render a PDF, registers "" and "dc" for namespaces of its own,
# after which the same steps came out as "ns0:definitions".
NAMESPACES = {"xmlns": MODEL, "xmlns:bpmndi": BPMNDI, "xmlns:dc": DC, "xmlns:di": DI}

LANE_HEIGHT = 140
LANE_HEADER = 30
COLUMN = 150
TASK = (110, 80)
GATEWAY = (50, 50)
EVENT = (36, 36)
MAX_NODES = 400


def build_bpmn(steps, *, title="", max_nodes=MAX_NODES):
    """Return BPMN 2.0 XML (bytes) for phased steps."""
    nodes = map_nodes(steps, max_nodes=max_nodes)
    title = _clean(title or "") or "Workflow"
    lanes = [phase for phase in PHASES if any(n["phase"] == phase for n in nodes)]
    lanes = lanes or ["log"]
    flow = _flow(nodes, lanes)

    root = ET.Element(
        "definitions",
        {
            **NAMESPACES,
            "id": "Definitions_1",
            "targetNamespace": "urn:ledgerium:workflow",
            "exporter": "Ledgerium",
            "exporterVersion": "1",
        },
    )
    collaboration = ET.SubElement(root, "collaboration", {"id": "Collaboration_1"})
    ET.SubElement(
        collaboration,
        "participant",
        {"id": "Participant_1", "name": title, "processRef": "Process_1"},
    )
    process = ET.SubElement(
        root,
        "process",
        {"id": "Process_1", "name": title, "isExecutable": "false"},
    )
    _lanes(process, lanes, flow)
    for element in flow["elements"]:
        tag = ET.SubElement(process, element["tag"], element["attrs"])
        for incoming in element["incoming"]:
            ET.SubElement(tag, "incoming").text = incoming
        for outgoing in element["outgoing"]:
            ET.SubElement(tag, "outgoing").text = outgoing
    for edge in flow["edges"]:
        attrs = {
            "id": edge["id"],
            "sourceRef": edge["source"],
            "targetRef": edge["target"],
        }
        if edge["name"]:
            attrs["name"] = edge["name"]
        ET.SubElement(process, "sequenceFlow", attrs)
    _diagram(root, lanes, flow)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode()


def _flow(nodes, lanes):
    elements, edges = [], []
    ordered = [node for phase in PHASES for node in nodes if node["phase"] == phase]

    def add(tag, attrs, lane, column, size):
        elements.append(
            {
                "tag": tag,
                "attrs": attrs,
                "lane": lane,
                "column": column,
                "size": size,
                "incoming": [],
                "outgoing": [],
            }
        )

    first_lane = ordered[0]["phase"] if ordered else lanes[0]
    add("startEvent", {"id": "Start_1", "name": "Start"}, first_lane, 0, EVENT)
    for index, node in enumerate(ordered, 1):
        if node["kind"] == "decision":
            add(
                "exclusiveGateway",
                {"id": f"Gateway_{index}", "name": _name(node)},
                node["phase"],
                index,
                GATEWAY,
            )
        else:
            add(
                "userTask",
                {"id": f"Task_{index}", "name": _name(node)},
                node["phase"],
                index,
                TASK,
            )
    last_lane = ordered[-1]["phase"] if ordered else lanes[0]
    add("endEvent", {"id": "End_1", "name": "End"}, last_lane, len(ordered) + 1, EVENT)

    for index in range(len(elements) - 1):
        source, target = elements[index], elements[index + 1]
        node = ordered[index - 1] if index >= 1 else None
        name = ""
        if node is not None and node["kind"] == "decision":
            name = node["label"].split(": ", 1)[-1]
        elif node is not None:
            name = format_duration(node["duration_ms"])
        flow_id = f"Flow_{index + 1}"
        source["outgoing"].append(flow_id)
        target["incoming"].append(flow_id)
        edges.append(
            {
                "id": flow_id,
                "source": source["attrs"]["id"],
                "target": target["attrs"]["id"],
                "name": _clean(name),
                "from": source,
                "to": target,
            }
        )
    return {"elements": elements, "edges": edges}


def _name(node):
    text = (
        node["label"].split(". ", 1)[-1]
        if node["label"][:1].isdigit()
        else node["label"]
    )
    if node["kind"] == "decision":
        text = text.split(": ", 1)[0] + "?"
    return _clean(f"{text} ({node['system']})")


def _clean(text):
    # ElementTree escapes markup but writes any character it is given, even
    # those outside XML 1.0's Char production, which no parser then reads.
    return xml_safe(text)


def _lanes(process, lanes, flow):
    lane_set = ET.SubElement(process, "laneSet", {"id": "LaneSet_1"})
    for lane in lanes:
        element = ET.SubElement(
            lane_set, "lane", {"id": f"Lane_{lane}", "name": PHASE_TITLES[lane]}
        )
        for item in flow["elements"]:
            if item["lane"] == lane:
                ET.SubElement(element, "flowNodeRef").text = item["attrs"]["id"]


def _bounds(item, lanes):
    width, height = item["size"]
    row = lanes.index(item["lane"])
    center_x = LANE_HEADER + 60 + item["column"] * COLUMN + TASK[0] / 2
    center_y = row * LANE_HEIGHT + LANE_HEIGHT / 2
    return center_x - width / 2, center_y - height / 2, width, height


def _diagram(root, lanes, flow):
    diagram = ET.SubElement(root, "bpmndi:BPMNDiagram", {"id": "Diagram_1"})
    plane = ET.SubElement(
        diagram,
        "bpmndi:BPMNPlane",
        {"id": "Plane_1", "bpmnElement": "Collaboration_1"},
    )
    columns = max(item["column"] for item in flow["elements"]) + 1
    width = LANE_HEADER + 60 + columns * COLUMN + 60
    _shape(
        plane, "Participant_1", (0, 0, width, LANE_HEIGHT * len(lanes)), horizontal=True
    )
    for row, lane in enumerate(lanes):
        _shape(
            plane,
            f"Lane_{lane}",
            (LANE_HEADER, row * LANE_HEIGHT, width - LANE_HEADER, LANE_HEIGHT),
            horizontal=True,
        )
    for item in flow["elements"]:
        _shape(plane, item["attrs"]["id"], _bounds(item, lanes))
    for edge in flow["edges"]:
        _edge(plane, edge, lanes)


def _shape(plane, element_id, bounds, horizontal=False):
    attrs = {"id": f"{element_id}_di", "bpmnElement": element_id}
    if horizontal:
        attrs["isHorizontal"] = "true"
    shape = ET.SubElement(plane, "bpmndi:BPMNShape", attrs)
    x, y, width, height = bounds
    ET.SubElement(
        shape,
        "dc:Bounds",
        {"x": _n(x), "y": _n(y), "width": _n(width), "height": _n(height)},
    )


def _edge(plane, edge, lanes):
    element = ET.SubElement(
        plane,
        "bpmndi:BPMNEdge",
        {"id": f"{edge['id']}_di", "bpmnElement": edge["id"]},
    )
    sx, sy, sw, sh = _bounds(edge["from"], lanes)
    tx, ty, tw, th = _bounds(edge["to"], lanes)
    start = (sx + sw, sy + sh / 2)
    end = (tx, ty + th / 2)
    points = [start]
    if start[1] != end[1]:
        middle = (start[0] + end[0]) / 2
        points += [(middle, start[1]), (middle, end[1])]
    points.append(end)
    for x, y in points:
        ET.SubElement(element, "di:waypoint", {"x": _n(x), "y": _n(y)})


def _n(value):
    return f"{value:.0f}"
