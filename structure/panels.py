"""The tree's part of the home page: the tree as of a date, the rule
warnings in the user's scope, the import of units."""

from chibo.panels import Panel
from organizations.selectors import editable_units, units_for
from structure.selectors import warnings_for_user


def home_panels(request) -> list[Panel]:
    if not request.user.is_authenticated:
        return []
    # Counting a province's warnings takes about a second: the count is shown
    # only for a ward-sized scope; the list page has them all.
    small = units_for(request.user).filter(dissolved_on__isnull=True).count() <= SMALL_SCOPE
    return [
        Panel(
            "organizations/_home_panel.html",
            {
                "warning_count": len(warnings_for_user(request.user)) if small else None,
                "can_import": editable_units(request.user).exists(),
            },
            # ahead of members' and meetings' panels (20), where it stood
            # when organizations (listed before them) showed it
            order=15,
        )
    ]


SMALL_SCOPE = 300
