"""The organizations part of the home page: the tree as of a date, the rule
warnings in the user's scope, the import of units."""

from chibo.panels import Panel


def home_panels(request) -> list[Panel]:
    from organizations.selectors import editable_units, warnings_for_user

    if not request.user.is_authenticated:
        return []
    return [
        Panel(
            "organizations/_home_panel.html",
            {
                "warning_count": len(warnings_for_user(request.user)),
                "can_import": editable_units(request.user).exists(),
            },
            order=20,
        )
    ]
