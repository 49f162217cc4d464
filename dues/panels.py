"""The dues app's part of the unit page: the cell's monthly sheet and dues
book, a committee's remittance list."""

from chibo.panels import Panel


def unit_panels(request, unit) -> list[Panel]:
    return [Panel("dues/_unit_dues.html", {"unit": unit, "is_cell": unit.is_cell}, order=60)]
