"""The organizations part of the home page: the tree as of a date, the rule
warnings in the user's scope, the import of units."""

from chibo.panels import Panel


def home_panels(request) -> list[Panel]:
    from organizations.selectors import editable_units, units_for, warnings_for_user

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
            order=20,
        )
    ]


SMALL_SCOPE = 300
