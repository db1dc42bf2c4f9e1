"""Server-rendered SVG charts: readable without JavaScript, and in PDFs.

Pure: each function takes report figures and returns SVG text. Every piece
of text is escaped; sizes are rounded so that the output is stable.

Each chart comes in two layouts. The wide one (``WIDTH``) puts each label
beside its bar; the narrow one (``narrow=True``, ``NARROW_WIDTH``) puts it
over its bar, so that a phone shows the whole chart, every bar at its full
length, with its text still legible. ``static/css/app.css`` shows the one
that fits the column; a PDF prints the wide one.
"""

import unicodedata
from xml.sax.saxutils import escape, quoteattr

from .duration import format_duration

WIDTH = 640
ROW = 26
LABEL_WIDTH = 215
# A bar's label ends 6 px before its bar and keeps this much room at the
# left edge, for the few pixels a browser's own rounding may add.
LABEL_ROOM = LABEL_WIDTH - 6 - 4
# A label too long for one line takes a second, and its row grows by one
# line: "Unrecognised system" over "(admin.example.net)". Only what is left
# past the last line is clipped.
LABEL_LINES = 2
LINE_HEIGHT = 14
FONT_SIZE = 12
# Advance widths of DejaVu Sans 2.37, the charts' font, in units of 1/2048
# em: the printable ASCII characters from the space on, then a few others
# the report writes. Any other character counts a whole em, as wide as the
# widest letter, so that a measured text is never longer than its measure;
# an accented letter counts as its letter.
UNITS_PER_EM = 2048
ASCII_ADVANCES = (
    651, 821, 942, 1716, 1303, 1946, 1597, 563, 799, 799, 1024, 1716, 651, 739,
    651, 690, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 690,
    690, 1716, 1716, 1716, 1087, 2048, 1401, 1405, 1430, 1577, 1294, 1178, 1587,
    1540, 604, 604, 1343, 1141, 1767, 1532, 1612, 1235, 1612, 1423, 1300, 1251,
    1499, 1401, 2025, 1403, 1251, 1403, 799, 690, 799, 1716, 1024, 1024, 1255,
    1300, 1126, 1300, 1260, 721, 1300, 1298, 569, 569, 1186, 569, 1995, 1298,
    1253, 1300, 1300, 842, 1067, 803, 1298, 1212, 1675, 1212, 1212, 1075, 1303,
    690, 1303, 1716,
)  # fmt: skip
OTHER_ADVANCES = {
    "\u00a0": 651,
    "·": 651,
    "×": 1716,
    "–": 1024,
    "—": 2048,
    "’": 651,
    "“": 1061,
    "”": 1061,
    "…": 2048,
    "→": 1716,
}
ELLIPSIS = "…"
# How much of a chart is in view at phone width before it is scrolled
# sideways: the phase legend wraps within it, and every bar's figure ends
# inside it (``_columns``).
IN_VIEW = 360
LEGEND_WIDTH = IN_VIEW
# A row's figure is drawn right-aligned in a column of its own, between the
# labels and the bars: these gaps keep it apart from both, and the bars end
# short of the right edge by ``END_ROOM``, a median's dot included.
FIGURE_GAP = 14
BAR_GAP = 8
END_ROOM = 8
PHASE_COLOURS = {
    "log": "#8da0cb",
    "triage": "#fc8d62",
    "investigate": "#66c2a5",
    "resolve": "#e78ac3",
    "close": "#b3b3b3",
}
BAR_COLOUR = "#4c78a8"
# The narrow layout is drawn at least 11/12 of this wide, so that its 12 px
# text is never under 11 px: a phone's column is about 335 px. Each row's
# label lines stand over its bar, or its line, its figure at the right end
# of the first line; the bar starts at the left edge, so that the bars of
# all rows compare at full length.
NARROW_WIDTH = 320
NARROW_BAR = 10
NARROW_ROW_GAP = 8
# The room between a row's last label line and its bar, for descenders.
NARROW_BAR_GAP = 4
DOT_RADIUS = 6
FONT = 'font-family="DejaVu Sans, sans-serif" font-size="12"'


def _svg(height, title, body, rows=(), *, narrow=False):
    """Return the chart; its description reads out ``rows``, names whole.

    A chart is one image to a screen reader, its texts unread: the
    description gives each (label, figure) row, as the bars show it.
    """
    described = "; ".join(f"{label}: {figure}" for label, figure in rows)
    desc = f"<desc>{escape(described)}</desc>" if described else ""
    height = _number(height)
    width, layout = (NARROW_WIDTH, "narrow") if narrow else (WIDTH, "wide")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-{layout}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label={quoteattr(title)}>'
        f"<title>{escape(title)}</title>{desc}{''.join(body)}</svg>"
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


def phase_bar(segments, *, title, narrow=False):
    """Return a stacked bar of (phase, label, ms) segments, with a legend."""
    full, legend_width = (
        (NARROW_WIDTH, NARROW_WIDTH) if narrow else (WIDTH, LEGEND_WIDTH)
    )
    total = sum(ms for _phase, _label, ms in segments)
    body, x = [], 0.0
    for phase, label, ms in segments:
        width = full * ms / total if total else 0
        tip = f"{label}: {format_duration(ms)}"
        body.append(_rect(x, 0, width, 28, PHASE_COLOURS.get(phase, BAR_COLOUR), tip))
        x += width

    legend_x, legend_y = 0, 40
    for phase, label, ms in segments:
        # A name too long for one row of the legend is clipped, its time kept.
        duration = f" {format_duration(ms)}"
        room = legend_width - 16 - text_width(duration)
        shown = f"{clip(label, room)}{duration}"
        width = 16 + text_width(shown) + 14
        if legend_x and legend_x + width - 14 > legend_width:
            legend_x, legend_y = 0, legend_y + 18
        colour = PHASE_COLOURS.get(phase, BAR_COLOUR)
        body.append(_rect(legend_x, legend_y, 12, 12, colour, label))
        body.append(
            _titled_text(legend_x + 16, legend_y + 11, shown, f"{label}{duration}")
        )
        legend_x += width
    return _svg(legend_y + 20, title, body, narrow=narrow)


def bars(rows, *, title, narrow=False):
    """Return horizontal bars of (label, ms) rows, longest scaled to full width."""
    longest = max((ms or 0 for _label, ms in rows), default=0)
    if narrow:
        return _narrow_bars(rows, longest, title)
    figure_end, start, span = _columns(format_duration(ms) for _label, ms in rows)
    body = []
    layout, height = _row_layout(label for label, _ms in rows)
    for (label, ms), (y, lines) in zip(rows, layout, strict=True):
        width = span * (ms or 0) / longest if longest else 0
        tip = f"{label}: {format_duration(ms)}"
        body.append(_label(y, label, lines))
        body.append(_text(figure_end, y + 4, format_duration(ms), anchor="end"))
        body.append(_rect(start, y - 9, width, ROW - 8, BAR_COLOUR, tip))
    described = [(label, format_duration(ms)) for label, ms in rows]
    return _svg(height, title, body, described)


def _narrow_bars(rows, longest, title):
    """Return ``bars`` in the narrow layout: each label over its bar."""
    body, described, top = [], [], 0
    for label, ms in rows:
        figure = format_duration(ms)
        texts, y = _over(top, label, figure)
        width = NARROW_WIDTH * (ms or 0) / longest if longest else 0
        body += [
            texts,
            _rect(0, y, width, NARROW_BAR, BAR_COLOUR, f"{label}: {figure}"),
        ]
        described.append((label, figure))
        top = y + NARROW_BAR + NARROW_ROW_GAP
    return _svg(top - NARROW_ROW_GAP, title, body, described, narrow=True)


def spread(rows, *, title, narrow=False):
    """Return one min-median-max line per (label, {"min", "median", "max"}) row."""
    highest = max((figures["max"] for _label, figures in rows), default=0)
    if narrow:
        return _narrow_spread(rows, highest, title)
    figure_end, start, span = _columns(
        format_duration(figures["max"]) for _label, figures in rows
    )
    body, described = [], []
    layout, height = _row_layout(label for label, _figures in rows)
    for (label, figures), (y, lines) in zip(rows, layout, strict=True):

        def at(ms):
            return start + (span * ms / highest if highest else 0)

        figure = _spread_figure(figures)
        tip = f"{label}: {figure}"
        described.append((label, figure))
        body.append(_label(y, label, lines))
        body.append(
            _text(figure_end, y + 4, format_duration(figures["max"]), anchor="end")
        )
        body.append(_spread_marks(at, y, figures, tip))
    return _svg(height, title, body, described)


def _narrow_spread(rows, highest, title):
    """Return ``spread`` in the narrow layout: each label over its line.

    The line runs a dot's radius in from either edge, so that a median at
    the fastest or the slowest is drawn whole.
    """
    span = NARROW_WIDTH - 2 * DOT_RADIUS

    def at(ms):
        return DOT_RADIUS + (span * ms / highest if highest else 0)

    body, described, top = [], [], 0
    for label, figures in rows:
        figure = _spread_figure(figures)
        texts, y = _over(top, label, format_duration(figures["max"]))
        middle = y + DOT_RADIUS
        body += [texts, _spread_marks(at, middle, figures, f"{label}: {figure}")]
        described.append((label, figure))
        top = middle + DOT_RADIUS + NARROW_ROW_GAP
    return _svg(top - NARROW_ROW_GAP, title, body, described, narrow=True)


def _spread_figure(figures):
    return (
        f"{format_duration(figures['min'])} to "
        f"{format_duration(figures['max'])}, median "
        f"{format_duration(figures['median'])}"
    )


def _spread_marks(at, y, figures, tip):
    """Return the min-to-max line at height ``y`` and the median's dot on it."""
    return (
        f'<line x1="{_number(at(figures["min"]))}" y1="{_number(y)}" '
        f'x2="{_number(at(figures["max"]))}" y2="{_number(y)}" '
        f'stroke="{BAR_COLOUR}" stroke-width="4"><title>{escape(tip)}</title></line>'
        f'<circle cx="{_number(at(figures["median"]))}" cy="{_number(y)}" '
        f'r="{DOT_RADIUS}" fill="#e45756"><title>{escape(tip)}</title></circle>'
    )


def _over(top, label, figure):
    """Return a narrow row's label and figure from ``top``, and where its bar goes.

    The label wraps left of the figure, which ends the first line.
    """
    lines = wrap(label, NARROW_WIDTH - text_width(figure) - FIGURE_GAP)
    baseline = top + FONT_SIZE
    texts = _label_texts(0, baseline, label, lines, anchor="start")
    texts += _text(NARROW_WIDTH, baseline, figure, anchor="end")
    return texts, top + LINE_HEIGHT * len(lines) + NARROW_BAR_GAP


def _row_layout(labels):
    """Return each row's middle and label lines, and the height of all rows.

    A row is ``ROW`` high, and a line higher for each line its label wraps
    onto.
    """
    layout, y = [], 0
    for label in labels:
        lines = wrap(label)
        height = ROW + LINE_HEIGHT * (len(lines) - 1)
        layout.append((y + height / 2, lines))
        y += height
    return layout, max(ROW, y)


def _advance(character):
    if " " <= character <= "~":
        return ASCII_ADVANCES[ord(character) - 32]
    if character in OTHER_ADVANCES:
        return OTHER_ADVANCES[character]
    if unicodedata.combining(character):
        return 0
    base = unicodedata.normalize("NFD", character)[0]
    if base != character:
        return _advance(base)
    return UNITS_PER_EM


def text_width(text):
    """Return how wide ``text`` is drawn in the charts' font, in pixels."""
    return sum(_advance(character) for character in text) * FONT_SIZE / UNITS_PER_EM


def _columns(figures):
    """Return where the figures end, where the bars start, and the longest bar.

    The figures' column is as wide as the widest of them, so that each is
    read whole beside its label, in view at phone width however long its
    bar: a figure after the end of a long bar was only seen by scrolling.
    """
    room = max((text_width(figure) for figure in figures), default=0)
    figure_end = LABEL_WIDTH + FIGURE_GAP + room
    start = figure_end + BAR_GAP
    return figure_end, start, WIDTH - start - END_ROOM


def clip(label, room=LABEL_ROOM):
    """Return ``label`` cut to fit ``room`` pixels, the ellipsis included.

    The cut drops the spaces before it, so that every clipped label ends in
    a word and the ellipsis.
    """
    label = str(label)
    if text_width(label) <= room:
        return label
    shown, width = "", text_width(ELLIPSIS)
    for character in label:
        width += text_width(character)
        if width > room:
            break
        shown += character
    return shown.rstrip() + ELLIPSIS


def wrap(label, room=LABEL_ROOM, lines=LABEL_LINES):
    """Return ``label`` as at most ``lines`` lines, each fitting ``room`` pixels.

    Lines break between words, or inside a word too long for a line of its
    own; what is left for the last line is cut by ``clip``.
    """
    shown, rest = [], " ".join(str(label).split())
    while len(shown) < lines - 1 and text_width(rest) > room:
        line, rest = _first_line(rest, room)
        shown.append(line)
    return [*shown, clip(rest, room)]


def _first_line(text, room):
    """Return the longest start of ``text`` that fits ``room``, and the rest."""
    words = text.split(" ")
    for count in range(len(words) - 1, 0, -1):
        line = " ".join(words[:count])
        if text_width(line) <= room:
            return line, " ".join(words[count:])
    # Not even the first word fits: break it at the edge.
    width, end = 0.0, 0
    while end < len(text) and width + text_width(text[end]) <= room:
        width += text_width(text[end])
        end += 1
    end = max(end, 1)
    return text[:end], text[end:].lstrip()


def _titled_text(x, y, shown, whole, anchor="start"):
    """Return a text that shows ``shown``; a clipped one keeps ``whole`` as title."""
    tip = f"<title>{escape(whole)}</title>" if shown != whole else ""
    return (
        f'<text x="{_number(x)}" y="{_number(y)}" {FONT} '
        f'text-anchor="{anchor}">{tip}{escape(shown)}</text>'
    )


def _label(middle, label, lines):
    """Return a row's label in ``lines`` centred on ``middle``, left of its bar."""
    first = middle + 4 - LINE_HEIGHT * (len(lines) - 1) / 2
    return _label_texts(LABEL_WIDTH - 6, first, label, lines, anchor="end")


def _label_texts(x, first, label, lines, *, anchor):
    """Return ``label`` shown as ``lines``, the first on the baseline ``first``.

    A clipped label keeps the whole of it in its title, shown on hover.
    """
    label = " ".join(str(label).split())
    texts = [
        f'<text x="{_number(x)}" y="{_number(first + LINE_HEIGHT * n)}" '
        f'{FONT} text-anchor="{anchor}">{escape(line)}</text>'
        for n, line in enumerate(lines)
    ]
    if " ".join(lines) == label:
        return "".join(texts)
    return f"<g><title>{escape(label)}</title>{''.join(texts)}</g>"
