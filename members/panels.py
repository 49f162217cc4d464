"""The members app's parts of the home and unit pages."""

from datetime import date

from chibo.panels import Panel
from members.selectors import due_counts, keeps_members
from organizations.selectors import can_edit


def home_panels(request) -> list[Panel]:
    if not keeps_members(request.user):
        return []
    today = date.today()
    return [
        Panel(
            "members/_home_due.html",
            {"counts": due_counts(request.user, today), "year": today.year},
            order=20,
        )
    ]


def unit_panels(request, unit) -> list[Panel]:
    return [
        Panel(
            "members/_unit_members.html",
            {"unit": unit, "is_cell": unit.is_cell, "can_edit": can_edit(request.user, unit)},
            order=10,
        ),
        Panel(
            "members/_unit_awards.html",
            {
                "unit": unit,
                "awards": list(unit.awards.all()),
                "can_edit": can_edit(request.user, unit),
            },
            order=80,
        ),
    ]
