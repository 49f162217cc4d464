"""The reviews app's part of the unit page: the unit's review cycles."""

from chibo.cache import figures
from chibo.panels import Panel
from organizations.models import PATH_STEP
from reviews.models import ReviewCycle


def unit_panels(request, unit) -> list[Panel]:
    ancestors = [unit.path[:i] for i in range(PATH_STEP, len(unit.path) + 1, PATH_STEP)]
    # the same for everyone who sees the unit (chibo.cache)
    cycles = figures(
        f"reviews.unit_cycles:{unit.pk}",
        lambda: list(
            ReviewCycle.objects.filter(unit__path__in=ancestors)
            .select_related("unit")
            .order_by("-year")[:6]
        ),
    )
    return [Panel("reviews/_unit_cycles.html", {"unit": unit, "cycles": cycles}, order=40)]
