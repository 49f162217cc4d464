"""Reads of the unit tree, already scoped to the user.

`units_for(user)` is the one place that decides which units a user may see;
every list, detail, export, report and PDF starts from it (or from
`unit_for_user_or_404`). A unit outside the user's reach answers 404.
"""

from datetime import date

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404

from organizations.models import PATH_STEP, Role, Unit, valid_on


def _active_roles(user) -> list[Role]:
    cached = getattr(user, "_chibo_roles", None)
    if cached is None:
        today = date.today()
        cached = list(
            Role.objects.filter(valid_on(today), user=user)
            .select_related("unit")
            .order_by("unit__path")
        )
        user._chibo_roles = cached
    return cached


def role_paths(user, kinds: tuple[str, ...] | None = None) -> list[str]:
    return [r.unit.path for r in _active_roles(user) if kinds is None or r.kind in kinds]


def sees_everything(user) -> bool:
    return bool(user.is_authenticated and user.is_superuser)


def scope_q(user, field: str = "path", kinds: tuple[str, ...] | None = None) -> Q:
    """A Q on `field` (a unit path) matching what `user` may reach; nothing if no role."""
    if sees_everything(user):
        return Q()
    paths = role_paths(user, kinds) if user.is_authenticated else []
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for p in paths:
        q |= Q(**{f"{field}__startswith": p})
    return q


def units_for(user) -> QuerySet[Unit]:
    """Every unit (current or dissolved) the user may see."""
    if not getattr(user, "is_authenticated", False):
        return Unit.objects.none()
    return Unit.objects.filter(scope_q(user))


def unit_for_user_or_404(user, pk) -> Unit:
    try:
        return units_for(user).get(pk=pk)
    except (Unit.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Không tìm thấy đơn vị.") from exc


def root_units_for(user) -> list[Unit]:
    """The tops of the user's reach: the units of their roles (or the roots)."""
    if sees_everything(user):
        return list(
            Unit.objects.filter(parent__isnull=True, dissolved_on__isnull=True).order_by("name")
        )
    roots: list[Unit] = []
    for role in _active_roles(user):
        if not any(role.unit.path.startswith(r.path) for r in roots):
            roots = [r for r in roots if not r.path.startswith(role.unit.path)] + [role.unit]
    return sorted(roots, key=lambda u: u.name)


def can_edit(user, unit: Unit, *, routine: bool = False) -> bool:
    """May `user` change data of `unit`?

    Office staff and administrators edit everything under their unit; a cell
    secretary edits only the routine data (meetings, attendance) of their own
    cell and its party groups; reviewers only read.
    """
    if sees_everything(user):
        return True
    for role in _active_roles(user):
        if not unit.path.startswith(role.unit.path):
            continue
        if role.kind in (Role.Kind.ADMIN, Role.Kind.STAFF):
            return True
        if routine and role.kind == Role.Kind.SECRETARY:
            return True
    return False


def is_administrator(user) -> bool:
    return sees_everything(user) or any(r.kind == Role.Kind.ADMIN for r in _active_roles(user))


def children_with_member_counts(unit: Unit, *, include_dissolved: bool = False) -> list[Unit]:
    """The unit's direct children, each with `.member_count` (members in its
    whole subtree, placed permanently) and `.child_count`: three queries
    whatever the size of the subtree."""
    from members.selectors import member_counts_by_child

    children = list(
        unit.children.all()
        if include_dissolved
        else unit.children.filter(dissolved_on__isnull=True)
    )
    counts = member_counts_by_child(unit)
    sub = dict(
        Unit.objects.filter(parent__in=children, dissolved_on__isnull=True)
        .values_list("parent_id")
        .annotate(n=Count("id"))
    )
    for child in children:
        child.member_count = counts.get(child.path, 0)
        child.child_count = sub.get(child.pk, 0)
    from chibo.text import sort_key

    children.sort(key=lambda u: (u.level != "cell", sort_key(u.name)))
    return children


def subtree_prefix(unit: Unit, depth_below: int = 1):
    """Substr expression giving, for a path in `unit`'s subtree, the path of the
    ancestor `depth_below` levels under `unit`."""
    return Substr("unit__path", 1, len(unit.path) + PATH_STEP * depth_below)
