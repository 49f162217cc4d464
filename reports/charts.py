"""Charts drawn on the server as SVG: no JavaScript library, nothing from the
internet, and the same picture in the page and in the PDF (WeasyPrint draws
inline SVG)."""

from math import cos, pi, sin
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

PALETTE = ["#b3261e", "#1f5f99", "#c58b00", "#2e7d32", "#6a1b9a", "#00838f", "#8d6e63", "#546e7a"]
FONT = "DejaVu Sans, Arial, sans-serif"


def _number(value: float) -> str:
    """Vietnamese number display: thousands with dots, decimals with a comma."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"{int(value):,}".replace(",", ".")


def bar_chart(
    labels: list[str], values: list[float], *, title: str = "", max_value: float | None = None
) -> str:
    """Horizontal bars, one per label, the value written at the end of each."""
    row_h, gap, label_w, bar_w, top = 22, 6, 230, 300, 28 if title else 6
    height = top + len(labels) * (row_h + gap) + 6
    width = label_w + bar_w + 70
    top_value = max_value or max([v or 0 for v in values] + [1])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'font-family="{FONT}" font-size="12">'
    ]
    if title:
        parts.append(f"<title>{escape(title)}</title>")
        parts.append(f'<text x="0" y="16" font-weight="bold" font-size="13">{escape(title)}</text>')
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + i * (row_h + gap)
        length = 0 if not value else max(1, round(bar_w * value / top_value))
        text = label if len(label) <= 34 else label[:33] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{escape(text)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{length}" height="{row_h}" '
            f'fill="{PALETTE[i % len(PALETTE)]}"/>'
            f'<text x="{label_w + length + 4}" y="{y + 15}">{_number(value or 0)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def pie_chart(labels: list[str], values: list[float], *, title: str = "") -> str:
    """A pie with a legend giving each part's value and share."""
    r, cx, top = 70, 80, 28 if title else 6
    cy = top + r + 4
    total = sum(v or 0 for v in values)
    height = max(cy + r + 8, top + len(labels) * 20 + 10)
    width = 2 * cx + 280
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'font-family="{FONT}" font-size="12">'
    ]
    if title:
        parts.append(f"<title>{escape(title)}</title>")
        parts.append(f'<text x="0" y="16" font-weight="bold" font-size="13">{escape(title)}</text>')
    angle = -pi / 2
    for i, value in enumerate(values):
        colour = PALETTE[i % len(PALETTE)]
        if not total or not value:
            continue
        share = value / total
        if share >= 0.9999:
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="{colour}"/>')
            continue
        end = angle + 2 * pi * share
        x1, y1 = cx + r * cos(angle), cy + r * sin(angle)
        x2, y2 = cx + r * cos(end), cy + r * sin(end)
        large = 1 if share > 0.5 else 0
        parts.append(
            f'<path d="M{cx},{cy} L{x1:.2f},{y1:.2f} A{r},{r} 0 {large} 1 {x2:.2f},{y2:.2f} Z" '
            f'fill="{colour}"/>'
        )
        angle = end
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + 4 + i * 20
        share = f" ({_number(round(100 * value / total, 1))}%)" if total else ""
        parts.append(
            f'<rect x="{2 * cx + 10}" y="{y}" width="12" height="12" '
            f'fill="{PALETTE[i % len(PALETTE)]}"/>'
            f'<text x="{2 * cx + 28}" y="{y + 11}">{escape(label)}: {_number(value or 0)}'
            f"{share}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


# Beyond this many bars a chart is unreadable (a province has ~1,000 sub-units):
# the table says it better.
MAX_BARS = 40


def render(spec: dict | None) -> SafeString:
    """The SVG of a section's chart spec (empty when there is none, no data, or
    too many bars to read)."""
    if not spec or not spec.get("labels") or len(spec["labels"]) > MAX_BARS:
        return mark_safe("")
    labels = [str(label) for label in spec["labels"]]
    values = list(spec["values"])
    if spec.get("type") == "pie":
        return mark_safe(pie_chart(labels, values, title=str(spec.get("title", ""))))
    return mark_safe(
        bar_chart(labels, values, title=str(spec.get("title", "")), max_value=spec.get("max"))
    )
