"""Reads of the unit tree, already scoped to the user.

`units_for(user)` is the one place that decides which units a user may see;
every list, detail, export, report and PDF starts from it (or from
`unit_for_user_or_404`). A unit outside the user's reach answers 404.
"""

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404
from django.utils.translation import gettext as _

from chibo.dates import dmy
from chibo.errors import ServiceError
from chibo.spreadsheets import CellError
from chibo.text import fold, normalize, sort_key
from organizations.models import (
    GRASSROOTS_LEVELS,
    PATH_STEP,
    TYPE_FIELDS,
    AdministrativeSuccession,
    AdministrativeUnit,
    Body,
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


def scope_key(user) -> str:
    """What units_for(user) depends on, as text: users with the same roles'
    units see the same figures (chibo.cache)."""
    if sees_everything(user):
        return "*"
    if not getattr(user, "is_authenticated", False):
        return "-"
    return ",".join(sorted(f"{r.kind}:{r.unit.path}" for r in _active_roles(user)))


def units_for(user) -> QuerySet[Unit]:
    """Every unit (current or dissolved) the user may see."""
    if not getattr(user, "is_authenticated", False):
        return Unit.objects.none()
    return Unit.objects.filter(scope_q(user))


def may_see(user, unit: Unit) -> bool:
    """units_for()'s rule for one unit already read, on the roles already read: no query."""
    if not getattr(user, "is_authenticated", False):
        return False
    return sees_everything(user) or any(unit.path.startswith(p) for p in role_paths(user))


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


def committee_bodies(seats: list[Seat]) -> list[dict]:
    """The seats of `committee_on` grouped by body (executive, standing, cell
    committee, elected directly), each with how many people sit in it: one
    person may hold seats in several bodies, and counts once in each."""
    order = {b: i for i, b in enumerate(Body.values)}
    groups: dict[str, list[Seat]] = {}
    for seat in seats:
        groups.setdefault(seat.body, []).append(seat)
    return [
        {
            "body": body,
            "label": Body(body).label,
            "size": len({s.member_id for s in rows}),
            "seats": rows,
        }
        for body, rows in sorted(groups.items(), key=lambda kv: order.get(kv[0], 99))
    ]


def committee_sizes_on(unit_ids, day: date) -> dict[int, dict[str, int]]:
    """{unit id: {body: people holding a seat in it on `day`}} for `unit_ids`
    (a list or a subquery): a person with two seats in one body counts once.
    One query."""
    rows = (
        Seat.objects.filter(valid_on(day), unit_id__in=unit_ids)
        .values_list("unit_id", "body")
        .annotate(n=Count("member_id", distinct=True))
        .order_by()
    )
    out: dict[int, dict[str, int]] = {}
    for unit_id, body, n in rows:
        out.setdefault(unit_id, {})[body] = n
    return out


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


# --- Administrative units, past and present ------------------------------------

# How a unit's name starts, folded: its kind ("Thị trấn Sóc Sơn").
_KIND_WORDS = (
    "thanh pho",
    "thi tran",
    "thi xa",
    "dac khu",
    "phuong",
    "huyen",
    "quan",
    "tinh",
    "xa",
)


def _kind_and_name(name: str) -> tuple[str, str]:
    """("thi tran", "soc son") from "Thị trấn Sóc Sơn"; ("", "soc son") from "Sóc Sơn"."""
    text = " ".join(re.sub(r"[^0-9a-z ]+", " ", fold(name)).split())
    for word in _KIND_WORDS:
        if text.startswith(word + " "):
            return word, text[len(word) + 1 :]
    return "", text


def _same_name(unit_name: str, typed: str) -> bool:
    """Whether `typed` names the unit: the same name without accents or
    punctuation, its kind ("Xã", "Thị trấn") left out or the same."""
    kind, bare = _kind_and_name(typed)
    unit_kind, unit_bare = _kind_and_name(unit_name)
    return bare == unit_bare and kind in ("", unit_kind)


def administrative_unit_find(text: str, day: date) -> AdministrativeUnit:
    """The administrative unit a spreadsheet cell or a form field names, in
    force on `day`: its code ("00004", "001", "01"), or its name, with the
    district and province after commas where the name alone is ambiguous
    ("Thị trấn Sóc Sơn, Huyện Sóc Sơn"). A unit of another period is refused
    with the one in force then (a township merged in 2025 named for 2026
    points to the commune it became). ServiceError, in Vietnamese, if none
    or several match."""
    raw = normalize(text)
    if not raw:
        raise ServiceError(_("Chưa ghi đơn vị hành chính."))
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    name, hints = parts[0], parts[1:]
    if name.isdigit():
        codes = {name.zfill(n) for n in (2, 3, 5) if len(name) <= n}
        found = list(AdministrativeUnit.objects.filter(code__in=codes).select_related("parent"))
    else:
        last = name.split(" ")[-1]
        found = [
            a
            for a in AdministrativeUnit.objects.filter(name__icontains=last).select_related(
                "parent__parent"
            )
            if _same_name(a.name, name)
        ]
        if not found:  # typed without accents, or with them placed otherwise (Thuỷ, Thủy)
            found = [
                a
                for a in AdministrativeUnit.objects.all().select_related("parent__parent")
                if _same_name(a.name, name)
            ]
    if hints:

        def ancestors(a):
            out, p = [], a.parent
            while p is not None:
                out.append(p)
                p = p.parent
            return out

        found = [
            a for a in found if all(any(_same_name(p.name, h) for p in ancestors(a)) for h in hints)
        ]
    if not found:
        raise ServiceError(_("Không tìm thấy đơn vị hành chính “%(name)s”.") % {"name": raw})
    then = [a for a in found if a.exists_on(day)]
    if len(then) == 1:
        return then[0]
    if len(then) > 1:
        raise ServiceError(
            _(
                "Có %(n)s đơn vị hành chính “%(name)s” vào ngày %(day)s (%(list)s): hãy ghi mã, "
                "hoặc thêm huyện, tỉnh sau dấu phẩy."
            )
            % {
                "n": len(then),
                "name": raw,
                "day": dmy(day),
                "list": "; ".join(f"{a} – mã {a.code}" for a in then[:5]),
            }
        )
    other = found[0]
    instead = locality_on(other, day)
    message = _("“%(name)s” (%(validity)s) không có hiệu lực vào ngày %(day)s.") % {
        "name": str(other),
        "validity": other.validity,
        "day": dmy(day),
    }
    if instead is not None:
        message += " " + _("Vào ngày đó là: %(unit)s (mã %(code)s).") % {
            "unit": str(instead),
            "code": instead.code,
        }
    elif other.valid_from is not None and other.valid_from > day:
        before = [str(p) for p in other.predecessors.select_related("parent")[:6]]
        if before:
            message += " " + _("Trước đó là: %(units)s.") % {"units": "; ".join(before)}
    raise ServiceError(message)


def locality_on(unit: AdministrativeUnit, day: date) -> AdministrativeUnit | None:
    """The unit that stood for `unit` on `day`: itself if it was in force
    then; else, forward, the (main) unit it became; backward, the one it came
    from if there was only one. None if that cannot be said."""
    seen = set()
    while unit is not None and not unit.exists_on(day) and unit.pk not in seen:
        seen.add(unit.pk)
        if unit.valid_to is not None and unit.valid_to <= day:
            links = AdministrativeSuccession.objects.filter(predecessor=unit).select_related(
                "successor__parent"
            )
            nexts = [s.successor for s in links if s.main] or [s.successor for s in links]
            unit = nexts[0] if len(nexts) == 1 else None
        else:
            before = list(unit.predecessors.select_related("parent"))
            unit = before[0] if len(before) == 1 else None
    return unit


def locality_kinds_on(ids, day: date) -> dict[int, str]:
    """{administrative unit id: its kind on `day`} for `ids`: the kind of the
    unit itself when it was in force then, or of the units that stood for it
    (a ward linked to its 2025 commune, read for 2020, is the township it was
    made from). "" when that cannot be said: a new commune made of a township
    and two communes, read for a day before it. Two queries, and one more
    for each step through the successions (one for the 2025 reform)."""

    def in_force(valid_from, valid_to) -> bool:
        return (valid_from is None or valid_from <= day) and (valid_to is None or valid_to > day)

    out: dict[int, str] = {}
    pending: dict[int, set[int]] = {}  # asked id -> the units standing for it so far
    info: dict[int, tuple] = {}  # id -> (kind, valid_from, valid_to)
    rows = AdministrativeUnit.objects.filter(pk__in={i for i in ids if i}).values_list(
        "pk", "kind", "valid_from", "valid_to"
    )
    for pk, kind, valid_from, valid_to in rows:
        info[pk] = (kind, valid_from, valid_to)
        if in_force(valid_from, valid_to):
            out[pk] = kind
        else:
            pending[pk] = {pk}
    for _step in range(4):
        if not pending:
            break
        frontier = set().union(*pending.values())
        links = AdministrativeSuccession.objects.filter(
            Q(predecessor__in=frontier) | Q(successor__in=frontier)
        ).values_list(
            "predecessor_id",
            "predecessor__kind",
            "predecessor__valid_from",
            "predecessor__valid_to",
            "successor_id",
            "successor__kind",
            "successor__valid_from",
            "successor__valid_to",
            "main",
        )
        forward: dict[int, list[tuple[int, bool]]] = {}
        backward: dict[int, list[int]] = {}
        for a, ak, af, at, b, bk, bf, bt, main in links:
            info[a], info[b] = (ak, af, at), (bk, bf, bt)
            forward.setdefault(a, []).append((b, main))
            backward.setdefault(b, []).append(a)
        for asked, standing in list(pending.items()):
            following = set()
            for unit_id in standing:
                _kind, valid_from, valid_to = info[unit_id]
                if in_force(valid_from, valid_to):
                    following.add(unit_id)
                elif valid_to is not None and valid_to <= day:  # ended: what it became
                    nexts = forward.get(unit_id, [])
                    following |= {b for b, main in nexts if main} or {b for b, _m in nexts}
                else:  # not begun yet: what it was made from
                    following |= set(backward.get(unit_id, []))
            if not following:
                out[asked] = ""
                del pending[asked]
                continue
            if all(in_force(*info[u][1:]) for u in following):
                kinds = {info[u][0] for u in following}
                out[asked] = kinds.pop() if len(kinds) == 1 else ""
                del pending[asked]
            else:
                pending[asked] = following
    for asked in pending:
        out[asked] = ""
    return out


# --- Units named in a spreadsheet's cell ----------------------------------------------

# How the names of party organizations begin, folded: left out when a typed
# name is compared with them ("khu phố 3" is "Chi bộ khu phố 3").
_UNIT_KIND_WORDS = (
    "dang bo bo phan",
    "dang bo co so",
    "chi bo truc thuoc",
    "chi bo",
    "dang bo",
    "to dang",
    "dang uy",
)


def _unit_key(name: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z ]+", " ", fold(name)).split())


def _bare_unit_name(name: str) -> str:
    """ "khu pho 3" from "Chi bộ khu phố 3"."""
    text = _unit_key(name)
    for word in _UNIT_KIND_WORDS:
        if text.startswith(word + " "):
            return text[len(word) + 1 :]
    return text


def closest_unit_names(text: str, names, n: int = 3) -> list[str]:
    """The names among `names` closest to what was typed, best first: those
    that are the same once "Chi bộ" / "Đảng bộ" and accents are left out
    ("khu phố 3" → "Chi bộ khu phố 3"), else those difflib finds alike.
    Every import that names a unit suggests them when the name is unknown."""
    bare = _bare_unit_name(text)
    if not bare:
        return []
    names = list(dict.fromkeys(names))
    keyed = {_bare_unit_name(name): name for name in reversed(names)}
    same = [name for name in names if _bare_unit_name(name) == bare]
    if same:  # "khu phố 3" is "Chi bộ khu phố 3": nothing else is worth naming
        return same[:n]
    alike = difflib.get_close_matches(bare, list(keyed), n=n, cutoff=0.6)
    return [keyed[k] for k in alike]


class UnitFinder:
    """Finds the unit a spreadsheet's cell names, among `units` (the ones the
    importer may act on): by code, then by name ignoring case, accents and
    punctuation. An unknown name gets the closest names as a suggestion; a
    unit outside `units` gets the same message as one that does not exist,
    so nothing leaks. `find` raises chibo.spreadsheets.CellError."""

    def __init__(self, units, *, what: str = ""):
        self.what = what or _("đơn vị")
        self.by_code: dict[str, Unit] = {}
        self.by_name: dict[str, list[Unit]] = {}
        for unit in units:
            if unit.code:
                self.by_code[_unit_key(unit.code)] = unit
            self.by_name.setdefault(_unit_key(unit.name), []).append(unit)
        self._found: dict[str, Unit | str] = {}

    def find(self, text) -> Unit:
        text = normalize(str(text) if text is not None else "")
        found = self._found.get(text)
        if found is None:
            found = self._found[text] = self._look_up(text)
        if isinstance(found, str):
            raise CellError(found)
        return found

    def _look_up(self, text: str) -> Unit | str:
        key = _unit_key(text)
        if not key:
            return _("Thiếu tên %(what)s.") % {"what": self.what}
        if key in self.by_code:
            return self.by_code[key]
        matches = self.by_name.get(key, [])
        active = [u for u in matches if u.dissolved_on is None]
        if len(active) > 1:
            return _("Có %(n)s %(what)s tên “%(name)s”; hãy ghi mã đơn vị.") % {
                "n": len(active),
                "what": self.what,
                "name": text,
            }
        if active or matches:
            return (active or matches)[0]
        message = _("Không tìm thấy %(what)s “%(name)s” (hoặc không thuộc phạm vi của bạn).") % {
            "what": self.what,
            "name": text,
        }
        names = [u.name for units in self.by_name.values() for u in units]
        close = closest_unit_names(text, names)
        if close:
            message += " " + _("Có phải: %(names)s?") % {
                "names": ", ".join(f"“{name}”" for name in close)
            }
        return message


def unit_types_on(root_path: str, day: date) -> dict[int, dict]:
    """{unit id: its Biểu 5 type fields} of the grassroots organizations of
    the subtree at `root_path` as their versions on `day` had them. One query."""
    rows = UnitVersion.objects.filter(
        valid_on(day), path__startswith=root_path, level__in=GRASSROOTS_LEVELS
    ).values_list("unit_id", *TYPE_FIELDS)
    return {r[0]: dict(zip(TYPE_FIELDS, r[1:], strict=True)) for r in rows}
