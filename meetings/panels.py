"""The meetings part of the home page and the unit page."""

from chibo.cache import figures
from chibo.panels import Panel
from meetings.selectors import home_warnings, recent_meetings, secretary_cells_this_month
from organizations.selectors import can_edit, scope_key


def home_panels(request) -> list[Panel]:
    panels = []
    cells = secretary_cells_this_month(request.user)
    if cells:
        # a cell secretary's first step of the month, before anything else
        panels.append(Panel("meetings/panels/home_secretary.html", {"cells": cells}, order=1))
    # the same for everyone of the scope (chibo.cache)
    warnings = figures(
        f"meetings.home_warnings:{scope_key(request.user)}", lambda: home_warnings(request.user)
    )
    if warnings:
        panels.append(Panel("meetings/panels/home_warnings.html", {"w": warnings}, order=20))
    return panels


def unit_panels(request, unit) -> list[Panel]:
    if unit.is_cell:
        return [
            Panel(
                "meetings/panels/unit_meetings.html",
                {
                    "unit": unit,
                    # the same for everyone who sees the cell (chibo.cache)
                    "meetings": figures(
                        f"meetings.recent:{unit.pk}", lambda: recent_meetings(unit)
                    ),
                    "can_edit": can_edit(request.user, unit, routine=True),
                },
                order=20,
            )
        ]
    return [Panel("meetings/panels/unit_tracker.html", {"unit": unit}, order=20)]
