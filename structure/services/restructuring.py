"""The restructures that move members: upgrade of a grassroots cell, merge,
split, dissolve, each with member-by-member redistribution, and the roles
that follow a merged (or dissolved-into) unit to its successor.

They sit above both apps they touch: the tree's own steps come from
organizations/services.py (its underscored helpers serve both modules and
nothing else), the members move through members.services.member_place, so
their placement history says where they were on any date. Every service
runs in one transaction, is recorded as a Restructure (with its decision)
or a dated seat, and deletes nothing."""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from chibo.errors import ServiceError
from chibo.text import normalize
from members.choices import PlacementKind, Status
from members.counts import counts_deferred
from members.models import Member, Placement
from members.services import member_place, validate_cell
from organizations.models import (
    AdministrativeUnit,
    Category,
    CommunityPost,
    Level,
    Restructure,
    Seat,
    Term,
    Unit,
    UnitVersion,
)
from organizations.selectors import locality_on
from organizations.services import (
    _audit,
    _change_unit,
    _check_can_change,
    _check_reach,
    _d,
    _reparent,
    _restructure_new,
    children_from,
    roles_follow,
    unit_found,
)


def _members_in(unit: Unit):
    """Members (and candidates) whose current permanent placement is `unit`."""
    return list(
        Member.objects.filter(
            placements__unit=unit,
            placements__kind=PlacementKind.PERMANENT,
            placements__valid_to__isnull=True,
            status__in=[Status.CANDIDATE, Status.PROBATIONARY, Status.OFFICIAL],
        )
        .distinct()
        .order_by("sort_key")
    )


def _move_members(
    *, actor, members, destinations: dict[int, Unit], day: date, reason: str, decision_number: str
) -> dict:
    moved = {}
    # the units' member counts once for the whole move, not after each member
    with counts_deferred():
        for member in members:
            dest = destinations[member.pk]
            member_place(
                actor=actor,
                member=member,
                unit=dest,
                day=day,
                reason=reason,
                decision_number=decision_number,
                record=False,
            )
            moved[member.pk] = dest.pk
    return moved


def _destinations_for(
    members, *, destination: Unit | None, assignments: dict | None, leaving: list[Unit]
) -> dict[int, Unit]:
    """Where each member goes; refuses if anyone would be left without a cell."""
    assignments = {int(k): v for k, v in (assignments or {}).items() if v is not None}
    out: dict[int, Unit] = {}
    missing = []
    for m in members:
        dest = assignments.get(m.pk) or destination
        if dest is None:
            missing.append(m.full_name)
            continue
        if any(dest.path.startswith(u.path) for u in leaving):
            raise ServiceError(
                _("Không thể chuyển %(name)s về “%(unit)s” vì đơn vị này cũng bị giải thể.")
                % {"name": m.full_name, "unit": dest.name}
            )
        out[m.pk] = dest
    if missing:
        raise ServiceError(
            _("Chưa chọn nơi sinh hoạt mới cho %(n)s đảng viên: %(names)s.")
            % {"n": len(missing), "names": ", ".join(missing)}
        )
    return out


def _close_unit(unit: Unit, *, day: date, restructure: Restructure) -> None:
    """The unit stops on `day`: its version, term, seats, posts and the
    temporary members it hosts end the day before; nothing is deleted."""
    version = _check_can_change(unit, day)
    if version.valid_from == day:
        # opened today by an earlier step of the same plan (a cell moved under
        # a merged committee, then dissolved): the unit ends before it
        version.delete()
    else:
        version.valid_to = day
        version.save(update_fields=["valid_to"])
    unit.dissolved_on = day
    unit.save(update_fields=["dissolved_on"])
    restructure.units.add(unit)
    for model in (Term, Seat, CommunityPost):
        late = model.objects.filter(unit=unit, valid_to__isnull=True, valid_from__gte=day)
        if late.exists():
            raise ServiceError(
                _("“%(name)s” có %(what)s bắt đầu từ ngày %(day)s, sau ngày giải thể.")
                % {
                    "name": unit.name,
                    "what": model._meta.verbose_name,
                    "day": _d(late.first().valid_from),
                }
            )
        model.objects.filter(unit=unit, valid_to__isnull=True).update(valid_to=day)
    hosted = Placement.objects.filter(
        unit=unit, kind=PlacementKind.TEMPORARY, valid_to__isnull=True
    )
    if hosted.filter(valid_from__gte=day).exists():
        raise ServiceError(
            _("“%(name)s” có đảng viên sinh hoạt tạm thời từ sau ngày giải thể.")
            % {"name": unit.name}
        )
    hosted.update(valid_to=day)


def _locality_then(unit: Unit, day: date) -> AdministrativeUnit | None:
    """The locality a unit founded from `unit` on `day` takes by default:
    `unit`'s, or the one that stood for it then (a commune merged on
    01/07/2025 into a new one gives the new one)."""
    latest = unit.versions.filter(valid_to__isnull=True).select_related("administrative_unit")
    version = latest.first()
    current = version.administrative_unit if version else unit.administrative_unit
    return locality_on(current, day) if current is not None else None


def _check_destination_cell(unit: Unit, day: date) -> None:
    validate_cell(unit, day)


@transaction.atomic
def unit_upgrade(
    *,
    actor,
    unit: Unit,
    decision_number: str,
    decision_date: date,
    effective_on: date,
    parent: Unit | None = None,
    cell_names: list[str] | None = None,
    assignments: dict | None = None,
) -> Restructure:
    """Cell → grassroots cell (it leaves its đảng bộ cơ sở for `parent`, by
    default the committee above that); grassroots cell → grassroots committee
    (Điều lệ, Điều 21: from 30 members), founding the cells under it named in
    `cell_names` and placing every member in one of them (`assignments`:
    member id → index in `cell_names`; everyone goes to the only cell if
    there is one)."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    _check_reach(actor, unit)
    if unit.level == Level.CELL:
        target = parent or (unit.parent.parent if unit.parent else None)
        if target is None:
            raise ServiceError(_("Cần chọn cấp ủy cấp trên trực tiếp của chi bộ cơ sở."))
        _check_reach(actor, target)
        r = _restructure_new(
            actor=actor,
            kind=Restructure.Kind.UPGRADE,
            decision_number=decision_number,
            decision_date=decision_date,
            effective_on=effective_on,
            summary=_("Nâng “%(name)s” thành chi bộ cơ sở trực thuộc “%(parent)s”")
            % {"name": unit.name, "parent": target.name},
            data={"from_level": unit.level, "to_level": Level.GRASSROOTS_CELL},
        )
        r.units.add(*[u for u in (unit.parent, target) if u])
        _reparent(
            unit,
            target,
            day=effective_on,
            change="upgraded",
            restructure=r,
            level=Level.GRASSROOTS_CELL,
        )
    elif unit.level == Level.GRASSROOTS_CELL:
        names = [n for n in (cell_names or []) if n and n.strip()]
        if not names:
            raise ServiceError(_("Cần ghi tên ít nhất một chi bộ trực thuộc đảng bộ cơ sở mới."))
        if children_from(unit):
            raise ServiceError(
                _("“%(name)s” còn tổ đảng trực thuộc; hãy giải thể hoặc chuyển tổ đảng trước.")
                % {"name": unit.name}
            )
        members = _members_in(unit)
        r = _restructure_new(
            actor=actor,
            kind=Restructure.Kind.UPGRADE,
            decision_number=decision_number,
            decision_date=decision_date,
            effective_on=effective_on,
            summary=_("Nâng “%(name)s” thành đảng bộ cơ sở") % {"name": unit.name},
            data={"from_level": unit.level, "to_level": Level.GRASSROOTS_COMMITTEE},
        )
        _change_unit(
            unit,
            day=effective_on,
            change="upgraded",
            restructure=r,
            level=Level.GRASSROOTS_COMMITTEE,
            category="",
        )
        cells = [
            unit_found(
                actor=None,
                name=n,
                level=Level.CELL,
                parent=unit,
                category=Category.OTHER,
                founded_on=effective_on,
                record=False,
            )
            for n in names
        ]
        UnitVersion.objects.filter(unit__in=cells).update(restructure=r)
        r.units.add(*cells)
        by_index = {
            int(k): cells[int(v)]
            for k, v in (assignments or {}).items()
            if v is not None and str(v).isdigit() and int(v) < len(cells)
        }
        dests = _destinations_for(
            members,
            destination=cells[0] if len(cells) == 1 else None,
            assignments=by_index,
            leaving=[],
        )
        r.data["members"] = _move_members(
            actor=actor,
            members=members,
            destinations=dests,
            day=effective_on,
            reason=r.summary,
            decision_number=r.decision_number,
        )
        r.save(update_fields=["data"])
    else:
        raise ServiceError(
            _("Chỉ nâng cấp được chi bộ trực thuộc hoặc chi bộ cơ sở; “%(name)s” là %(level)s.")
            % {"name": unit.name, "level": Level(unit.level).label}
        )
    _audit(actor, r, unit)
    return r


@transaction.atomic
def unit_dissolve(
    *,
    actor,
    unit: Unit,
    decision_number: str,
    decision_date: date,
    effective_on: date,
    destination: Unit | None = None,
    assignments: dict | None = None,
    children_to: Unit | None = None,
) -> Restructure:
    """Dissolve a unit from `effective_on`. Every member still in it goes to
    `destination` or, member by member, to `assignments[member id]` (seed
    003: an agency cell's 30 members sent to 9 residential cells); its
    sub-units go under `children_to`. Refused if anyone would be left out."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    _check_reach(actor, unit)
    _check_can_change(unit, effective_on)
    members = _members_in(unit)
    dests = _destinations_for(
        members, destination=destination, assignments=assignments, leaving=[unit]
    )
    for dest in {d.pk: d for d in dests.values()}.values():
        _check_reach(actor, dest)
        _check_destination_cell(dest, effective_on)
    children = children_from(unit)
    if children and children_to is None:
        raise ServiceError(
            _(
                "“%(name)s” còn %(n)s đơn vị trực thuộc; hãy chọn nơi chuyển các đơn vị này đến "
                "(hoặc giải thể chúng trước)."
            )
            % {"name": unit.name, "n": len(children)}
        )
    r = _restructure_new(
        actor=actor,
        kind=Restructure.Kind.DISSOLVE,
        decision_number=decision_number,
        decision_date=decision_date,
        effective_on=effective_on,
        summary=_("Giải thể “%(name)s”") % {"name": unit.name},
    )
    if unit.parent:
        r.units.add(unit.parent)
    if children_to is not None:
        _check_reach(actor, children_to)
        for child in children:
            _reparent(child, children_to, day=effective_on, change="moved", restructure=r)
        r.units.add(children_to)
        unit.refresh_from_db()
    r.data = {
        "members": _move_members(
            actor=actor,
            members=members,
            destinations=dests,
            day=effective_on,
            reason=r.summary,
            decision_number=r.decision_number,
        ),
        "children_to": children_to.pk if children_to else None,
    }
    r.save(update_fields=["data"])
    r.units.add(*{d.pk: d for d in dests.values()}.values())
    _close_unit(unit, day=effective_on, restructure=r)
    # dissolved into one unit: the roles held on it follow there
    successors = {d.pk: d for d in dests.values()}
    successor = destination or (next(iter(successors.values())) if len(successors) == 1 else None)
    if successor is not None:
        roles_follow(actor=actor, source=unit, successor=successor, day=effective_on)
    _audit(actor, r, unit)
    return r


@transaction.atomic
def unit_merge(
    *,
    actor,
    units: list[Unit],
    decision_number: str,
    decision_date: date,
    effective_on: date,
    into: Unit | None = None,
    name: str = "",
    code: str | None = None,
    parent: Unit | None = None,
    administrative_unit: AdministrativeUnit | None = None,
) -> Restructure:
    """Merge `units` into `into` (one of them or another unit of the same
    level: sáp nhập) or into a new unit called `name` (hợp nhất), from
    `effective_on`. Their sub-units move under the result, their members
    into it when it is a cell; the others are dissolved."""
    sources = [Unit.objects.select_for_update().get(pk=u.pk) for u in units]
    if into is not None:
        sources = [u for u in sources if u.pk != into.pk]
    if not sources or (into is None and len(sources) < 2):
        raise ServiceError(_("Cần chọn ít nhất hai đơn vị để hợp nhất."))
    _check_reach(actor, *sources)
    levels = {u.level for u in sources} | ({into.level} if into else set())
    if len(levels) > 1:
        raise ServiceError(_("Chỉ hợp nhất được các đơn vị cùng cấp."))
    for u in sources:
        _check_can_change(u, effective_on)
    level = levels.pop()
    if into is None:
        name = normalize(name)
        if not name:
            raise ServiceError(_("Cần ghi tên đơn vị sau hợp nhất."))
        target_parent = parent or sources[0].parent
        if target_parent is not None:
            _check_reach(actor, target_parent)
        into = unit_found(
            actor=None,
            name=name,
            level=level,
            parent=target_parent,
            category=sources[0].category,
            code=code,
            administrative_unit=administrative_unit or _locality_then(sources[0], effective_on),
            founded_on=effective_on,
            record=False,
        )
        created = True
    else:
        _check_reach(actor, into)
        if into.dissolved_on is not None or into.founded_on > effective_on:
            raise ServiceError(
                _("“%(name)s” không hoạt động vào ngày %(day)s.")
                % {"name": into.name, "day": _d(effective_on)}
            )
        created = False
    r = _restructure_new(
        actor=actor,
        kind=Restructure.Kind.MERGE,
        decision_number=decision_number,
        decision_date=decision_date,
        effective_on=effective_on,
        summary=_("Hợp nhất %(sources)s thành “%(into)s”")
        % {"sources": ", ".join(f"“{u.name}”" for u in sources), "into": into.name},
        data={"sources": [u.pk for u in sources], "into": into.pk, "created": created},
    )
    if created:
        UnitVersion.objects.filter(unit=into).update(restructure=r)
    r.units.add(into, *[u.parent for u in sources if u.parent])
    moved: dict = {}
    for source in sources:
        members = _members_in(source)
        if members and not into.is_cell:
            raise ServiceError(
                _("“%(name)s” còn đảng viên nhưng “%(into)s” không phải là chi bộ.")
                % {"name": source.name, "into": into.name}
            )
        moved |= _move_members(
            actor=actor,
            members=members,
            destinations={m.pk: into for m in members},
            day=effective_on,
            reason=r.summary,
            decision_number=r.decision_number,
        )
        for child in children_from(source):
            _reparent(child, into, day=effective_on, change="moved", restructure=r)
        source.refresh_from_db()
        _close_unit(source, day=effective_on, restructure=r)
        roles_follow(actor=actor, source=source, successor=into, day=effective_on)
    r.data["members"] = moved
    r.save(update_fields=["data"])
    _audit(actor, r, into)
    return r


@transaction.atomic
def unit_split(
    *,
    actor,
    unit: Unit,
    parts: list[dict],
    decision_number: str,
    decision_date: date,
    effective_on: date,
    assignments: dict | None = None,
    child_assignments: dict | None = None,
) -> Restructure:
    """Split `unit` into new units (`parts`: dicts with name, optional code and
    category), founded under the same committee on `effective_on`. Every
    member (`assignments`: member id → index in parts) and every sub-unit
    (`child_assignments`: unit id → index) must be given a part; then the
    old unit is dissolved."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    _check_reach(actor, unit)
    _check_can_change(unit, effective_on)
    parts = [p for p in parts if (p.get("name") or "").strip()]
    if len(parts) < 2:
        raise ServiceError(_("Cần ít nhất hai đơn vị mới để chia tách."))
    members = _members_in(unit)
    children = children_from(unit)

    def index_of(mapping, key, n):
        v = (mapping or {}).get(key, (mapping or {}).get(str(key)))
        if v is None or not str(v).isdigit() or int(v) >= n:
            return None
        return int(v)

    missing_members = [
        m.full_name for m in members if index_of(assignments, m.pk, len(parts)) is None
    ]
    if missing_members:
        raise ServiceError(
            _("Chưa chọn nơi sinh hoạt mới cho %(n)s đảng viên: %(names)s.")
            % {"n": len(missing_members), "names": ", ".join(missing_members)}
        )
    missing_children = [
        c.name for c in children if index_of(child_assignments, c.pk, len(parts)) is None
    ]
    if missing_children:
        raise ServiceError(
            _("Chưa chọn nơi chuyển đến cho các đơn vị trực thuộc: %(names)s.")
            % {"names": ", ".join(missing_children)}
        )
    r = _restructure_new(
        actor=actor,
        kind=Restructure.Kind.SPLIT,
        decision_number=decision_number,
        decision_date=decision_date,
        effective_on=effective_on,
        summary=_("Chia tách “%(name)s” thành %(parts)s")
        % {"name": unit.name, "parts": ", ".join(f"“{p['name'].strip()}”" for p in parts)},
    )
    new_units = [
        unit_found(
            actor=None,
            name=p["name"],
            level=unit.level,
            parent=unit.parent,
            category=p.get("category") or unit.category,
            code=p.get("code") or None,
            administrative_unit=_locality_then(unit, effective_on),
            founded_on=effective_on,
            record=False,
        )
        for p in parts
    ]
    UnitVersion.objects.filter(unit__in=new_units).update(restructure=r)
    r.units.add(*new_units, *([unit.parent] if unit.parent else []))
    for child in children:
        target = new_units[index_of(child_assignments, child.pk, len(parts))]
        _reparent(child, target, day=effective_on, change="moved", restructure=r)
    unit.refresh_from_db()
    r.data = {
        "parts": [u.pk for u in new_units],
        "members": _move_members(
            actor=actor,
            members=members,
            destinations={
                m.pk: new_units[index_of(assignments, m.pk, len(parts))] for m in members
            },
            day=effective_on,
            reason=r.summary,
            decision_number=r.decision_number,
        ),
    }
    r.save(update_fields=["data"])
    _close_unit(unit, day=effective_on, restructure=r)
    _audit(actor, r, unit)
    return r
