"""Template helpers for report tables: Vietnamese numbers, charts."""

from django import template
from django.utils.safestring import mark_safe

from reports import charts

register = template.Library()


@register.filter
def figure(value, kind="int"):
    """A table cell as the field reports write it: 1.091 and 51,8."""
    if value is None or value == "":
        return "–" if kind != "text" else ""
    if kind == "text" or isinstance(value, str):
        return value
    return charts._number(value)


@register.simple_tag
def chart(spec):
    return charts.render(spec)


@register.filter
def chart_svgs(spec) -> list:
    """Each SVG of a section's chart (several for small multiples)."""
    return [mark_safe(svg) for svg in charts.svgs(spec)]


@register.filter
def pairs(row, columns):
    """(value, column) pairs of a row, for the table cells."""
    return list(zip(row, columns, strict=False))


@register.filter
def index(items, i):
    try:
        return items[i]
    except (IndexError, TypeError, KeyError):
        return None


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
