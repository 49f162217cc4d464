"""Reads of the unit tree, already scoped to the user.

`units_for(user)` is the one place that decides which units a user may see;
every list, detail, export, report and PDF starts from it (or from
`unit_for_user_or_404`). A unit outside the user's reach answers 404.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404

from chibo.text import normalize, sort_key
from organizations.models import (
    PATH_STEP,
    Category,
    CommunityPost,
    Position,
    Role,
    Seat,
    Term,
    Unit,
    UnitVersion,
    valid_on,
)


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


def reach_key(user, unit: Unit | None = None) -> str:
    """What decides the rows a user sees under `unit` (or everywhere), as a
    key two users share exactly when they see the same: the unit's path when
    the user may see it (a role reaches everything below its unit), else the
    tops of their reach. Files made for one user are given to another with
    the same key (chibo.exports). Http404 for a unit out of reach."""
    authenticated = getattr(user, "is_authenticated", False)
    paths = sorted(set(role_paths(user))) if authenticated else []
    if unit is not None:
        # units_for()'s rule, on the roles already read
        if not (sees_everything(user) or any(unit.path.startswith(p) for p in paths)):
            raise Http404("Không tìm thấy đơn vị.")
        return unit.path
    if sees_everything(user):
        return "*"
    tops = [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
    return ",".join(tops) or "-"


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


def unit_name_key(name: str) -> list[tuple]:
    """Units in Vietnamese alphabetical order word by word, numbers by value:
    "Chi bộ Công an", "Chi bộ khu phố 2", "Chi bộ khu phố 10". (chibo.text's
    sort_key puts a person's given name, the last word, first: for units that
    sorted by "phường", "1", "Lợi".)"""
    return [
        (0, int(w), "") if w.isdigit() else (1, 0, sort_key(w)) for w in normalize(name).split(" ")
    ]


def subtree_prefix(unit: Unit, depth_below: int = 1):
    """Substr expression giving, for a path in `unit`'s subtree, the path of the
    ancestor `depth_below` levels under `unit`."""
    return Substr("unit__path", 1, len(unit.path) + PATH_STEP * depth_below)


# --- The structure as of any date ----------------------------------------------


@dataclass
class TreeNode:
    """A unit as it was on a given day: its version then, its depth under the
    root of the tree, and its members then (own and in its whole subtree)."""

    version: UnitVersion
    depth: int
    own_members: int = 0
    members: int = 0
    secretary: str = ""
    children: list = field(default_factory=list)

    @property
    def unit_id(self) -> int:
        return self.version.unit_id

    @property
    def name(self) -> str:
        return self.version.name


def unit_version_on(unit: Unit, day: date) -> UnitVersion | None:
    """What `unit` was on `day` (None if it did not exist then)."""

    return UnitVersion.objects.filter(valid_on(day), unit=unit).first()


def reach_on_q(user, day: date) -> Q:
    """A Q on UnitVersion rows of `day`: the units the user may see now, and
    those that were under one of the user's units on `day` (a cell moved to
    another ward since still counts in this ward's past). One query."""
    if sees_everything(user):
        return Q()
    role_units = [r.unit_id for r in _active_roles(user)] if user.is_authenticated else []
    then = UnitVersion.objects.filter(valid_on(day), unit_id__in=role_units)
    q = Q(unit__in=units_for(user))
    for path in then.values_list("path", flat=True):
        q |= Q(path__startswith=path)
    return q


def unit_on_for_user_or_404(user, pk, day: date) -> Unit:
    """A unit the user may see now, or one that was within their reach on `day`."""
    try:
        return unit_for_user_or_404(user, pk)
    except Http404:
        if getattr(user, "is_authenticated", False) and (
            UnitVersion.objects.filter(valid_on(day), reach_on_q(user, day), unit_id=pk).exists()
        ):
            return Unit.objects.get(pk=pk)
        raise


def versions_on(day: date, *, root: Unit | None = None, user=None):
    """The UnitVersion rows in force on `day`: the whole tree, or `root`'s
    subtree as it was then; with `user`, only units within their reach now
    or on that day (reach_on_q)."""

    qs = UnitVersion.objects.filter(valid_on(day))
    if root is not None:
        root_version = unit_version_on(root, day)
        if root_version is None:
            return UnitVersion.objects.none()
        qs = qs.filter(path__startswith=root_version.path)
    if user is not None:
        qs = qs.filter(reach_on_q(user, day))
    return qs


def unit_tree_on(
    day: date,
    *,
    root: Unit | None = None,
    user=None,
    own_members: Callable[[QuerySet, date], dict[int, int]] | None = None,
) -> list[TreeNode]:
    """The tree as it was on `day`, depth first, siblings in Vietnamese name
    order, each node with its secretary then. `own_members(unit ids, day)`
    gives the members placed in each unit then; the nodes add them up over
    their subtrees. The tree does not know members: the layer that does
    passes its count (members.selectors.tree_on). Three queries whatever the
    size, with the count."""
    qs = versions_on(day, root=root, user=user)
    versions = list(qs)
    if not versions:
        return []
    ids_q = qs.values("unit_id")
    own = own_members(ids_q, day) if own_members is not None else {}
    secretaries = dict(
        Seat.objects.filter(
            valid_on(day),
            unit_id__in=ids_q,
            position__in=[Position.SECRETARY, Position.GROUP_LEADER],
        ).values_list("unit_id", "member__full_name")
    )
    nodes = {
        v.unit_id: TreeNode(
            version=v,
            depth=0,
            own_members=own.get(v.unit_id, 0),
            secretary=secretaries.get(v.unit_id, ""),
        )
        for v in versions
    }
    tops = []
    for node in nodes.values():
        parent = nodes.get(node.version.parent_id)
        (parent.children if parent else tops).append(node)

    def order(n: TreeNode):
        return (n.version.level in ("cell", "party_group"), unit_name_key(n.version.name))

    out: list[TreeNode] = []

    def walk(node: TreeNode, depth: int) -> int:
        node.depth = depth
        out.append(node)
        total = node.own_members
        for child in sorted(node.children, key=order):
            total += walk(child, depth + 1)
        node.members = total
        return total

    for top in sorted(tops, key=order):
        walk(top, 0)
    return out


def committee_on(unit: Unit, day: date):
    """The seats of `unit`'s committee held on `day`, secretary first."""
    rank = {p: i for i, p in enumerate(Position.values)}
    seats = list(Seat.objects.filter(valid_on(day), unit=unit).select_related("member", "term"))
    seats.sort(key=lambda s: (rank.get(s.position, 99), s.member.sort_key))
    return seats


def current_term(unit: Unit):
    return Term.objects.filter(unit=unit, valid_to__isnull=True).first()


def community_posts_on(units, day: date):
    """{(unit id, kind): CommunityPost} of the posts held on `day` in `units`."""
    return {
        (p.unit_id, p.kind): p
        for p in CommunityPost.objects.filter(valid_on(day), unit__in=units).select_related(
            "member"
        )
    }


def community_post_figures(units, day: date) -> dict[str, int]:
    """The seed 004 figures for residential and village cells among `units` on
    `day`: how many village heads and front-work heads are party members, and
    how many secretaries / deputies also hold those posts (kiêm nhiệm)."""
    cells = [
        u
        for u in units
        if u.level in ("cell", "grassroots_cell")
        and u.category in (Category.RESIDENTIAL, Category.VILLAGE)
    ]
    posts = community_posts_on(cells, day)
    seats = Seat.objects.filter(
        valid_on(day),
        unit__in=cells,
        position__in=[Position.SECRETARY, Position.DEPUTY_SECRETARY, Position.STANDING_DEPUTY],
    ).values_list("unit_id", "position", "member_id")
    secretary = {u: m for u, p, m in seats if p == Position.SECRETARY}
    deputies: dict[int, set] = {}
    for u, p, m in seats:
        if p != Position.SECRETARY:
            deputies.setdefault(u, set()).add(m)

    def holder(unit_id, kind):
        post = posts.get((unit_id, kind))
        return post.member_id if post else None

    vh, fh = CommunityPost.Kind.VILLAGE_HEAD, CommunityPost.Kind.FRONT_HEAD
    ids = [c.pk for c in cells]
    return {
        "areas": len(ids),
        "village_heads": sum(1 for i in ids if (i, vh) in posts),
        "village_heads_members": sum(1 for i in ids if holder(i, vh)),
        "front_heads": sum(1 for i in ids if (i, fh) in posts),
        "front_heads_members": sum(1 for i in ids if holder(i, fh)),
        "secretary_village_head": sum(
            1 for i in ids if holder(i, vh) and holder(i, vh) == secretary.get(i)
        ),
        "deputy_village_head": sum(1 for i in ids if holder(i, vh) in deputies.get(i, set())),
        "secretary_front_head": sum(
            1 for i in ids if holder(i, fh) and holder(i, fh) == secretary.get(i)
        ),
        "deputy_front_head": sum(1 for i in ids if holder(i, fh) in deputies.get(i, set())),
    }


def editable_units(user) -> QuerySet[Unit]:
    """The active units whose structure the user may change (office staff and
    administrators, on their unit and below)."""
    if not getattr(user, "is_authenticated", False):
        return Unit.objects.none()
    return Unit.objects.filter(
        scope_q(user, kinds=(Role.Kind.ADMIN, Role.Kind.STAFF)), dissolved_on__isnull=True
    )
