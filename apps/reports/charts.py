"""Server-rendered SVG charts: readable without JavaScript, and in PDFs.

Pure: each function takes report figures and returns SVG text. Every piece
of text is escaped; sizes are rounded so that the output is stable.
"""

from xml.sax.saxutils import escape, quoteattr

from .duration import format_duration

WIDTH = 640
ROW = 26
# Room for a clipped label of 28 characters of DejaVu Sans at 12 px.
LABEL_WIDTH = 215
LABEL_CHARACTERS = 28
# The widest a character of DejaVu Sans at 12 px is drawn, digits and
# capitals included, so that an estimate of a text's width never falls short.
CHAR_WIDTH = 7.7
# The phase legend wraps within this width: at phone width, where the
# chart scrolls sideways, the part in view at first holds the whole legend.
LEGEND_WIDTH = 360
PHASE_COLOURS = {
    "log": "#8da0cb",
    "triage": "#fc8d62",
    "investigate": "#66c2a5",
    "resolve": "#e78ac3",
    "close": "#b3b3b3",
}
BAR_COLOUR = "#4c78a8"
FONT = 'font-family="DejaVu Sans, sans-serif" font-size="12"'


def _svg(height, title, body):
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label={quoteattr(title)}>'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _number(value):
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _text(x, y, content, anchor="start"):
    return (
        f'<text x="{_number(x)}" y="{_number(y)}" {FONT} text-anchor="{anchor}">'
        f"{escape(str(content))}</text>"
    )


def _rect(x, y, width, height, colour, tip):
    return (
        f'<rect x="{_number(x)}" y="{_number(y)}" width="{_number(width)}" '
        f'height="{_number(height)}" fill="{colour}"><title>{escape(tip)}</title></rect>'
    )


def phase_bar(segments, *, title):
    """Return a stacked bar of (phase, label, ms) segments, with a legend."""
    total = sum(ms for _phase, _label, ms in segments)
    body, x = [], 0.0
    for phase, label, ms in segments:
        width = WIDTH * ms / total if total else 0
        tip = f"{label}: {format_duration(ms)}"
        body.append(_rect(x, 0, width, 28, PHASE_COLOURS.get(phase, BAR_COLOUR), tip))
        x += width

    legend_x, legend_y = 0, 40
    for phase, label, ms in segments:
        caption = f"{label} {format_duration(ms)}"
        width = 16 + _text_width(caption) + 14
        if legend_x and legend_x + width - 14 > LEGEND_WIDTH:
            legend_x, legend_y = 0, legend_y + 18
        colour = PHASE_COLOURS.get(phase, BAR_COLOUR)
        body.append(_rect(legend_x, legend_y, 12, 12, colour, label))
        body.append(_text(legend_x + 16, legend_y + 11, caption))
        legend_x += width
    return _svg(legend_y + 20, title, body)


def bars(rows, *, title):
    """Return horizontal bars of (label, ms) rows, longest scaled to full width."""
    longest = max((ms or 0 for _label, ms in rows), default=0)
    span = _span(format_duration(ms) for _label, ms in rows)
    body = []
    for index, (label, ms) in enumerate(rows):
        y = index * ROW
        width = span * (ms or 0) / longest if longest else 0
        body.append(_label(y + 17, label))
        body.append(_rect(LABEL_WIDTH, y + 4, width, ROW - 8, BAR_COLOUR, label))
        body.append(_text(LABEL_WIDTH + width + 6, y + 17, format_duration(ms)))
    return _svg(max(ROW, ROW * len(rows)), title, body)


def spread(rows, *, title):
    """Return one min-median-max line per (label, {"min", "median", "max"}) row."""
    highest = max((figures["max"] for _label, figures in rows), default=0)
    span = _span(format_duration(figures["max"]) for _label, figures in rows)
    body = []
    for index, (label, figures) in enumerate(rows):
        y = index * ROW + ROW / 2

        def at(ms):
            return LABEL_WIDTH + (span * ms / highest if highest else 0)

        tip = (
            f"{label}: {format_duration(figures['min'])} to "
            f"{format_duration(figures['max'])}, median "
            f"{format_duration(figures['median'])}"
        )
        body.append(_label(y + 4, label))
        body.append(
            f'<line x1="{_number(at(figures["min"]))}" y1="{_number(y)}" '
            f'x2="{_number(at(figures["max"]))}" y2="{_number(y)}" '
            f'stroke="{BAR_COLOUR}" stroke-width="4"><title>{escape(tip)}</title></line>'
        )
        body.append(
            f'<circle cx="{_number(at(figures["median"]))}" cy="{_number(y)}" r="6" '
            f'fill="#e45756"><title>{escape(tip)}</title></circle>'
        )
        body.append(
            _text(at(figures["max"]) + 8, y + 4, format_duration(figures["max"]))
        )
    return _svg(max(ROW, ROW * len(rows)), title, body)


def _text_width(text):
    return CHAR_WIDTH * len(text)


def _span(values, gap=8):
    """Return the length of the longest bar, so that every value after it fits.

    A value is drawn up to ``gap`` after the end of its bar; the longest
    value, after the longest bar, still ends inside the chart.
    """
    room = max((_text_width(value) for value in values), default=0)
    return WIDTH - LABEL_WIDTH - gap - max(room, 60) - 4


def _clip(label, limit=LABEL_CHARACTERS):
    """Return ``label`` cut to ``limit`` characters, the ellipsis included.

    The cut drops the spaces before it, so that every clipped label ends in
    a word and the ellipsis.
    """
    label = str(label)
    if len(label) <= limit:
        return label
    return label[: limit - 1].rstrip() + "…"


def _label(y, label):
    """Return a bar's label; a clipped one keeps the whole label in its title."""
    label = str(label)
    shown = _clip(label)
    tip = f"<title>{escape(label)}</title>" if shown != label else ""
    return (
        f'<text x="{_number(LABEL_WIDTH - 6)}" y="{_number(y)}" {FONT} '
        f'text-anchor="end">{tip}{escape(shown)}</text>'
    )
