"""Reads of the tree together with its members, scoped to the user through
organizations.selectors."""

from datetime import date

from organizations.models import Unit, active_on
from organizations.selectors import units_for
from structure.rules import RuleWarning, warnings_for


def warnings_for_user(
    user, *, root: Unit | None = None, today: date | None = None
) -> list[RuleWarning]:
    """Every rule warning of the active units the user may see (under `root`)."""
    qs = units_for(user).filter(active_on(today or date.today()))
    if root is not None:
        qs = qs.filter(path__startswith=root.path)
    return warnings_for(qs.order_by("path"), today)
