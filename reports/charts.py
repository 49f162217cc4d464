"""Charts drawn on the server as SVG: no JavaScript library, nothing from the
internet, and the same picture in the page and in the PDF (WeasyPrint draws
inline SVG).

Charts compare: a colour always means the same thing on every page and in
every PDF (a rating level, a kind of cell, official or probationary members,
met or missed a target); a target is drawn as a line; bars on a breakdown are
sorted, largest first. Each SVG scales to its box (viewBox, no fixed width),
so it fits a 390 px phone as well as an A4 page.

A chart spec (a section's `chart`) is plain data, frozen with submissions:
    {"type": "bar" | "pie", "title", "labels", "values",
     "keys": [colour key per label] (optional), "max": 100 (optional),
     "target": 85 or [85, 95, …] (per bar), "target_label": "Chỉ tiêu",
     "cap": True (the target is a ceiling), "sort": True}
or, for a breakdown's parts side by side (official and probationary members,
the four rating levels), stacked bars:
    {"type": "stacked", "title", "labels",
     "series": [{"label", "key", "values"}, …],
     "percent": True (each bar is its row's 100%), "lead": 2 (the number
     written at a bar's end and its order: the share of the first two parts;
     all of them when absent), "lead_label": "HTTNV trở lên", "sort": True}
A section's `chart` may also be a list of specs: small multiples, one small
chart per figure compared across the same rows.
"""

from math import cos, pi, sin
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

FONT = "Liberation Sans, DejaVu Sans, Arial, sans-serif"

# One meaning per colour, everywhere (contrast >= 4.5:1 on white for the ones
# text is written beside).
COLOURS = {
    # rating levels: from dark green (excellent) to red (not completed)
    "excellent": "#1b5e20",
    "good": "#43a047",
    "completed": "#c58b00",
    "not_completed": "#b3261e",
    # members
    "official": "#1f4e8c",
    "probationary": "#7fa7d9",
    # kinds of cell
    "residential": "#6d4c41",
    "village": "#8d6e63",
    "agency": "#1f4e8c",
    "police": "#37474f",
    "military": "#33691e",
    "school": "#6a1b9a",
    "health": "#00838f",
    "enterprise": "#e65100",
    "other": "#757575",
    # a figure against its target
    "met": "#2e7d32",
    "missed": "#b3261e",
    # any other figure
    "value": "#1f4e8c",
}
TARGET_COLOUR = "#000000"


def colour_of(key: str | None) -> str:
    return COLOURS.get(key or "value", COLOURS["value"])


def _number(value: float) -> str:
    """Vietnamese number display: thousands with dots, decimals with a comma."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"{int(value):,}".replace(",", ".")


TITLE_CHARS = 42  # of bold 16-unit text in the 400 units of a chart's width


def _title_lines(title: str) -> list[str]:
    """The title broken between words so that no line runs past the chart."""
    lines: list[str] = []
    for word in title.split():
        if lines and len(lines[-1]) + 1 + len(word) <= TITLE_CHARS:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _top(title: str, empty: int) -> int:
    """Where the chart starts under its title."""
    return 28 + 20 * (len(_title_lines(title)) - 1) if title else empty


def _open(width: int, height: int, title: str) -> list[str]:
    label = escape(title, {'"': "&quot;"})
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'aria-label="{label}" font-family="{FONT}" font-size="15">'
    ]
    if title:
        parts.append(f"<title>{escape(title)}</title>")
        for i, line in enumerate(_title_lines(title)):
            parts.append(
                f'<text x="0" y="{17 + 20 * i}" font-weight="bold" font-size="16">'
                f"{escape(line)}</text>"
            )
    return parts


def _targets(target, n: int) -> list[float | None]:
    if target is None:
        return [None] * n
    if isinstance(target, list | tuple):
        return [None if t in (None, "") else float(t) for t in target]
    return [float(target)] * n


def bar_chart(
    labels: list[str],
    values: list[float],
    *,
    title: str = "",
    max_value: float | None = None,
    keys: list[str] | None = None,
    target=None,
    target_label: str = "",
    cap: bool = False,
) -> str:
    """Horizontal bars, each under its label, the value written at its end; a
    target as a dashed line (one for all bars, or one per bar), and then each
    bar coloured as meeting it or not unless its colour says its category
    (`cap`: the target is a ceiling, met by staying at or under it). Narrow
    (400 units), so that on a phone the text keeps its size."""
    label_h, bar_h, gap, left, bar_w = 20, 18, 9, 2, 320
    row = label_h + bar_h + gap
    top = _top(title, 4)
    legend = 24 if target is not None else 0
    height = top + len(labels) * row + legend
    width = 400
    targets = _targets(target, len(labels))
    top_value = max_value or max([v or 0 for v in values] + [t or 0 for t in targets] + [1])
    parts = _open(width, height, title)

    def x_of(value: float) -> float:
        return left + bar_w * min(value, top_value) / top_value

    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + i * row
        bar_y = y + label_h
        length = 0 if not value else max(1, round(bar_w * min(value, top_value) / top_value))
        goal = targets[i]
        if keys:
            fill = colour_of(keys[i])
        elif goal is not None:
            met = (value or 0) <= goal if cap else (value or 0) >= goal
            fill = COLOURS["met" if met else "missed"]
        else:
            fill = COLOURS["value"]
        text = label if len(label) <= 46 else label[:45] + "…"
        parts.append(
            f"<g><title>{escape(label)}: {_number(value or 0)}</title>"
            f'<text x="{left}" y="{y + 15}">{escape(text)}</text>'
            f'<rect x="{left}" y="{bar_y}" width="{length}" height="{bar_h}" fill="{fill}"/>'
            f'<text x="{left + length + 5}" y="{bar_y + 14}" font-weight="bold">'
            f"{_number(value or 0)}</text>"
        )
        if goal is not None and not isinstance(target, int | float):
            gx = x_of(goal)
            parts.append(
                f'<line class="target" x1="{gx:.1f}" y1="{bar_y - 3}" x2="{gx:.1f}" '
                f'y2="{bar_y + bar_h + 3}" stroke="{TARGET_COLOUR}" stroke-width="2" '
                f'stroke-dasharray="4 2"/>'
            )
        parts.append("</g>")
    bottom = top + len(labels) * row
    if isinstance(target, int | float):
        gx = x_of(float(target))
        parts.append(
            f'<line class="target" x1="{gx:.1f}" y1="{top + label_h - 4}" x2="{gx:.1f}" '
            f'y2="{bottom - gap + 2}" stroke="{TARGET_COLOUR}" stroke-width="2" '
            f'stroke-dasharray="5 3"/>'
        )
    if target is not None:
        y = bottom + 14
        text = target_label or "Chỉ tiêu"
        if isinstance(target, int | float):
            text = f"{text}: {_number(float(target))}"
        parts.append(
            f'<line x1="{left}" y1="{y - 4}" x2="{left + 24}" y2="{y - 4}" '
            f'stroke="{TARGET_COLOUR}" stroke-width="2" stroke-dasharray="5 3"/>'
            f'<text x="{left + 30}" y="{y}">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def stacked_chart(
    labels: list[str],
    series: list[dict],
    *,
    title: str = "",
    percent: bool = False,
    lead: int | None = None,
    lead_label: str = "",
) -> str:
    """One bar per row made of its parts, each part in its category's colour,
    with a legend of the parts. `percent`: every bar is its row's whole, so
    shares compare across rows of different sizes. The number at a bar's end
    is the sum of the first `lead` parts (in percent of the row when
    `percent`)."""
    label_h, bar_h, gap, left, bar_w = 20, 18, 9, 2, 320
    row = label_h + bar_h + gap
    top = _top(title, 4)
    legend_rows = len(series) + (1 if lead_label else 0)
    height = top + len(labels) * row + 4 + legend_rows * 22
    width = 400
    lead = len(series) if lead is None else lead
    totals = [sum(s["values"][i] or 0 for s in series) for i in range(len(labels))]
    top_value = 100.0 if percent else max(totals + [1])
    parts = _open(width, height, title)
    for i, label in enumerate(labels):
        y = top + i * row
        bar_y = y + label_h
        whole = totals[i]
        x = float(left)
        text = label if len(label) <= 46 else label[:45] + "…"
        parts.append(f'<g><text x="{left}" y="{y + 15}">{escape(text)}</text>')
        for s in series:
            value = s["values"][i] or 0
            share = (100.0 * value / whole if whole else 0) if percent else value
            length = bar_w * share / top_value
            if length > 0:
                tip = f"{s['label']}: {_number(value)}"
                if percent and whole:
                    tip += f" ({_number(round(share, 1))}%)"
                parts.append(
                    f'<rect x="{x:.1f}" y="{bar_y}" width="{max(length, 1):.1f}" '
                    f'height="{bar_h}" fill="{colour_of(s.get("key"))}">'
                    f"<title>{escape(label)}, {escape(tip)}</title></rect>"
                )
            x += length
        led = sum(s["values"][i] or 0 for s in series[:lead])
        shown = (round(100.0 * led / whole, 1) if whole else 0) if percent else led
        end = left + (bar_w if percent and whole else x - left)
        parts.append(
            f'<text x="{end + 5:.1f}" y="{bar_y + 14}" font-weight="bold">{_number(shown)}</text></g>'
        )
    y = top + len(labels) * row + 4
    for s in series:
        parts.append(
            f'<rect x="2" y="{y}" width="14" height="14" fill="{colour_of(s.get("key"))}"/>'
            f'<text x="22" y="{y + 13}">{escape(str(s["label"]))}</text>'
        )
        y += 22
    if lead_label:
        parts.append(f'<text x="2" y="{y + 13}">{escape(lead_label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def pie_chart(
    labels: list[str], values: list[float], *, title: str = "", keys: list[str] | None = None
) -> str:
    """A pie with, under it, a legend giving each part's value and share."""
    r, top = 70, _top(title, 6)
    cx, cy = 80, top + r + 4
    total = sum(v or 0 for v in values)
    legend_top = cy + r + 14
    height = legend_top + len(labels) * 22 + 4
    width = 400
    colours = [colour_of(k) for k in keys] if keys else [COLOURS["value"]] * len(labels)
    parts = _open(width, height, title)
    angle = -pi / 2
    for i, value in enumerate(values):
        if not total or not value:
            continue
        share = value / total
        if share >= 0.9999:
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="{colours[i]}"/>')
            continue
        end = angle + 2 * pi * share
        x1, y1 = cx + r * cos(angle), cy + r * sin(angle)
        x2, y2 = cx + r * cos(end), cy + r * sin(end)
        large = 1 if share > 0.5 else 0
        parts.append(
            f'<path d="M{cx},{cy} L{x1:.2f},{y1:.2f} A{r},{r} 0 {large} 1 {x2:.2f},{y2:.2f} Z" '
            f'fill="{colours[i]}" stroke="#fff" stroke-width="1"/>'
        )
        angle = end
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = legend_top + i * 22
        share = f" ({_number(round(100 * value / total, 1))}%)" if total else ""
        parts.append(
            f'<rect x="2" y="{y}" width="14" height="14" fill="{colours[i]}"/>'
            f'<text x="22" y="{y + 13}">{escape(label)}: {_number(value or 0)}{share}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


# Beyond this many bars a chart is unreadable (a province has ~1,000 sub-units):
# the table says it better.
MAX_BARS = 40


def _sorted(spec: dict, labels, values):
    """Largest first, carrying each bar's colour key and target along."""
    order = sorted(range(len(values)), key=lambda i: -(values[i] or 0))
    out = {"labels": [labels[i] for i in order], "values": [values[i] for i in order]}
    if spec.get("keys"):
        out["keys"] = [spec["keys"][i] for i in order]
    if isinstance(spec.get("target"), list | tuple):
        out["target"] = [spec["target"][i] for i in order]
    return out


def specs(chart: dict | list | None) -> list[dict]:
    """A section's chart as a list of specs (one, several, or none)."""
    if not chart:
        return []
    return [chart] if isinstance(chart, dict) else [c for c in chart if c]


def svgs(chart: dict | list | None) -> list[str]:
    """The SVG of each chart of a section that can be drawn: what the page,
    the PDF and the .docx all show."""
    return [svg for svg in (str(_render_one(spec)) for spec in specs(chart)) if svg]


def render(chart: dict | list | None) -> SafeString:
    """The SVG of a section's chart, or of its small multiples one after the
    other (empty when there is none, no data, or too many bars to read)."""
    return mark_safe("".join(svgs(chart)))


def _sorted_stack(spec: dict, labels: list[str]) -> tuple[list[str], list[dict]]:
    series = spec["series"]
    lead = spec.get("lead") or len(series)

    def key(i):
        whole = sum(s["values"][i] or 0 for s in series)
        led = sum(s["values"][i] or 0 for s in series[:lead])
        return -(led / whole if whole else -1) if spec.get("percent") else -led

    order = sorted(range(len(labels)), key=key)
    return [labels[i] for i in order], [
        {**s, "values": [s["values"][i] for i in order]} for s in series
    ]


def _render_one(spec: dict) -> SafeString:
    if not spec or not spec.get("labels") or len(spec["labels"]) > MAX_BARS:
        return mark_safe("")
    labels = [str(label) for label in spec["labels"]]
    title = str(spec.get("title", ""))
    if spec.get("type") == "stacked":
        series = [{**s, "label": str(s["label"])} for s in spec["series"]]
        if spec.get("sort"):
            labels, series = _sorted_stack({**spec, "series": series}, labels)
        return mark_safe(
            stacked_chart(
                labels,
                series,
                title=title,
                percent=bool(spec.get("percent")),
                lead=spec.get("lead"),
                lead_label=str(spec.get("lead_label", "")),
            )
        )
    values = list(spec["values"])
    if spec.get("type") == "pie":
        return mark_safe(pie_chart(labels, values, title=title, keys=spec.get("keys")))
    drawn = {
        "labels": labels,
        "values": values,
        "keys": spec.get("keys"),
        "target": spec.get("target"),
    }
    if spec.get("sort"):
        drawn.update(_sorted(spec, labels, values))
    return mark_safe(
        bar_chart(
            drawn["labels"],
            drawn["values"],
            title=title,
            max_value=spec.get("max"),
            keys=drawn["keys"],
            target=drawn["target"],
            target_label=str(spec.get("target_label", "")),
            cap=bool(spec.get("cap")),
        )
    )
