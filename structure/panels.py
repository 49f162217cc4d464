"""The tree's part of the home page: the tree as of a date, the rule
warnings in the user's scope, the import of units."""

from chibo.cache import figures
from chibo.panels import Panel
from organizations.selectors import editable_units, scope_key, units_for
from structure.selectors import warnings_for_user


def home_panels(request) -> list[Panel]:
    if not request.user.is_authenticated:
        return []
    # Counting a province's warnings takes about a second: the count is shown
    # only for a ward-sized scope; the list page has them all.
    user = request.user

    def warning_count() -> int | None:
        small = units_for(user).filter(dissolved_on__isnull=True).count() <= SMALL_SCOPE
        return len(warnings_for_user(user)) if small else None

    return [
        Panel(
            "organizations/_home_panel.html",
            {
                # the same for everyone of the scope (chibo.cache)
                "warning_count": figures(
                    f"structure.warning_count:{scope_key(user)}", warning_count
                ),
                "can_import": figures(
                    f"structure.can_import:{scope_key(user)}",
                    lambda: editable_units(user).exists(),
                ),
            },
            # ahead of members' and meetings' panels (20), where it stood
            # when organizations (listed before them) showed it
            order=15,
        )
    ]


SMALL_SCOPE = 300
