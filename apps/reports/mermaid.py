"""The aggregate process map as Mermaid flowchart text.

Every label is quoted and escaped so that it shows as written once Mermaid
draws it with ``htmlLabels: false``; node ids are ours (``n1``, ``n2``...),
never derived from the text.
"""

import re

from .duration import format_duration, shows_as_zero

_ENTITY_LIKE = re.compile(r"#(\w*);")
_REPLACEMENTS = (
    ("&", "&amp;"),
    ("<", "&lt;"),
    (">", "&gt;"),
    ('"', "\u201d"),
    ("`", "\u02cb"),
)


def escape_label(text):
    """Return ``text`` safe inside a quoted Mermaid label."""
    text = str(text)
    for raw, safe in _REPLACEMENTS:
        text = text.replace(raw, safe)
    # Mermaid reads "#word;" as one of its own codes and shows it literally
    # broken; a zero-width space between "#" and the word keeps the text.
    text = _ENTITY_LIKE.sub(lambda m: "#\u200b" + m[1] + ";", text)
    return text.replace("\r\n", "\n").replace("\n", "<br>")


def process_map_mermaid(process_map, *, direction="LR"):
    """Return flowchart text for ``process_map`` from ``aggregate.process_map``."""
    ids = {node["key"]: f"n{i}" for i, node in enumerate(process_map["nodes"], 1)}
    lines = [f"flowchart {direction}", '  start(("Start"))', '  finish(("End"))']
    for node in process_map["nodes"]:
        label = f"{node['label']} ({node['count']}×)"
        lines.append(f'  {ids[node["key"]]}["{escape_label(label)}"]')
    for key, count in process_map["starts"].items():
        lines.append(f'  start -->|"{count}×"| {ids[key]}')
    for edge in process_map["edges"]:
        label = f"{edge['count']}×"
        # A wait starts as the step before it ends: after a single click the
        # transition into it takes no time, and "0 s" would read as a figure.
        if not shows_as_zero(edge["median_ms"]):
            label += f" · {format_duration(edge['median_ms'])}"
        source, target = ids[edge["source"]], ids[edge["target"]]
        lines.append(f'  {source} -->|"{escape_label(label)}"| {target}')
    for key, count in process_map["ends"].items():
        lines.append(f'  {ids[key]} -->|"{count}×"| finish')
    return "\n".join(lines) + "\n"
