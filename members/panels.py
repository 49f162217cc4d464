"""The members app's parts of the home and unit pages."""

from datetime import date

from chibo.cache import figures
from chibo.panels import Panel
from members.selectors import due_counts, keeps_members
from organizations.selectors import can_edit, scope_key


def home_panels(request) -> list[Panel]:
    if not keeps_members(request.user):
        return []
    today = date.today()
    # one scan of the scope's members: the same for everyone of that scope (chibo.cache)
    counts = figures(
        f"members.due:{scope_key(request.user)}",
        lambda: due_counts(request.user, today),
        day=today,
    )
    return [
        Panel(
            "members/_home_due.html",
            {"counts": counts, "year": today.year},
            order=20,
        )
    ]


def unit_panels(request, unit) -> list[Panel]:
    editable = can_edit(request.user, unit)
    return [
        Panel(
            "members/_unit_members.html",
            {"unit": unit, "is_cell": unit.is_cell, "can_edit": editable},
            order=10,
        ),
        Panel(
            "members/_unit_awards.html",
            {
                "unit": unit,
                # the same for everyone who sees the unit (chibo.cache)
                "awards": figures(f"members.awards:{unit.pk}", lambda: list(unit.awards.all())),
                "can_edit": editable,
            },
            order=80,
        ),
    ]
