"""Every write to the unit tree. Each service validates, writes the history
(UnitVersion) and the current cache (Unit) in one transaction, and records
who did it."""

from datetime import date, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from chibo.audit import audit_record
from chibo.errors import ServiceError
from organizations.models import (
    COMMITTEE_LEVELS,
    AdministrativeUnit,
    Body,
    Category,
    CommunityPost,
    Level,
    Position,
    Restructure,
    Role,
    Seat,
    Term,
    Unit,
    UnitVersion,
    path_segment,
    valid_on,
)
from organizations.selectors import can_edit, sees_everything

# Which level may sit under which (Điều lệ Đảng, Điều 11 and 21).
ALLOWED_CHILD_LEVELS: dict[str, tuple[str, ...]] = {
    Level.PROVINCIAL: (
        Level.DISTRICT,
        Level.BLOC,
        Level.GRASSROOTS_COMMITTEE,
        Level.GRASSROOTS_CELL,
    ),
    Level.DISTRICT: (Level.GRASSROOTS_COMMITTEE, Level.GRASSROOTS_CELL, Level.BLOC),
    Level.BLOC: (Level.GRASSROOTS_COMMITTEE, Level.GRASSROOTS_CELL, Level.BLOC),
    Level.GRASSROOTS_COMMITTEE: (Level.CELL, Level.GRASSROOTS_COMMITTEE),
    Level.GRASSROOTS_CELL: (Level.PARTY_GROUP,),
    Level.CELL: (Level.PARTY_GROUP,),
    Level.PARTY_GROUP: (),
}


def validate_placement_in_tree(*, level: str, parent: Unit | None) -> None:
    if parent is None:
        if level not in COMMITTEE_LEVELS:
            raise ServiceError(_("Chi bộ và tổ đảng phải trực thuộc một đảng bộ."))
        return
    if not parent.is_active:
        raise ServiceError(_("Đơn vị cấp trên “%(name)s” đã giải thể.") % {"name": parent.name})
    if level not in ALLOWED_CHILD_LEVELS.get(parent.level, ()):
        raise ServiceError(
            _("Một “%(child)s” không thể trực thuộc “%(parent)s” (%(parent_level)s).")
            % {
                "child": Level(level).label,
                "parent": parent.name,
                "parent_level": Level(parent.level).label,
            }
        )


def _check_category(level: str, category: str) -> str:
    if level in (Level.CELL, Level.GRASSROOTS_CELL):
        if category and category not in Category.values:
            raise ServiceError(_("Loại chi bộ không hợp lệ."))
        return category or Category.OTHER
    return ""


@transaction.atomic
def unit_found(
    *,
    actor,
    name: str,
    level: str,
    founded_on: date,
    parent: Unit | None = None,
    category: str = "",
    code: str | None = None,
    administrative_unit: AdministrativeUnit | None = None,
    record: bool = True,
    decision_number: str = "",
    decision_date: date | None = None,
) -> Unit:
    """Found a unit under `parent` (or a root committee), effective `founded_on`.

    With a decision number the founding is also recorded as a Restructure."""
    from chibo.text import normalize

    if actor is not None:
        if parent is None and not sees_everything(actor):
            raise ServiceError(_("Chỉ quản trị hệ thống được lập đơn vị cấp cao nhất."))
        if parent is not None and not can_edit(actor, parent):
            raise ServiceError(_("Bạn không có quyền sửa “%(name)s”.") % {"name": parent.name})
    restructure = None
    if decision_number or decision_date:
        restructure = _restructure_new(
            actor=actor,
            kind=Restructure.Kind.FOUND,
            decision_number=decision_number,
            decision_date=decision_date,
            effective_on=founded_on,
            summary=_("Thành lập %(name)s") % {"name": normalize(name)},
        )

    name = normalize(name)
    if not name:
        raise ServiceError(_("Tên đơn vị không được để trống."))
    if level not in Level.values:
        raise ServiceError(_("Cấp tổ chức không hợp lệ."))
    validate_placement_in_tree(level=level, parent=parent)
    if parent is not None and founded_on < parent.founded_on:
        raise ServiceError(
            _("Ngày thành lập %(day)s trước ngày thành lập của đơn vị cấp trên (%(parent_day)s).")
            % {
                "day": founded_on.strftime("%d/%m/%Y"),
                "parent_day": parent.founded_on.strftime("%d/%m/%Y"),
            }
        )
    category = _check_category(level, category)
    code = (code or "").strip() or None
    if code and Unit.objects.filter(code=code).exists():
        raise ServiceError(_("Mã đơn vị “%(code)s” đã được dùng.") % {"code": code})

    unit = Unit.objects.create(
        code=code,
        name=name,
        level=level,
        category=category,
        parent=parent,
        path="",
        founded_on=founded_on,
        administrative_unit=administrative_unit,
    )
    unit.path = (parent.path if parent else "") + path_segment(unit.pk)
    unit.save(update_fields=["path"])
    UnitVersion.objects.create(
        unit=unit,
        name=unit.name,
        level=unit.level,
        category=unit.category,
        parent=parent,
        path=unit.path,
        administrative_unit=administrative_unit,
        valid_from=founded_on,
        change="founded",
        restructure=restructure,
    )
    if restructure is not None:
        restructure.units.add(unit, *([parent] if parent else []))
    if record:
        audit_record(
            actor=actor,
            action="unit_found",
            target=unit,
            unit=unit,
            summary=_("Thành lập %(name)s") % {"name": unit.name},
            data={"parent": parent.pk if parent else None, "founded_on": founded_on},
        )
    return unit


@transaction.atomic
def role_grant(*, actor, user, unit: Unit, kind: str) -> Role:
    if kind not in Role.Kind.values:
        raise ServiceError(_("Vai trò không hợp lệ."))
    role = Role.objects.create(user=user, unit=unit, kind=kind)
    audit_record(
        actor=actor,
        action="role_grant",
        target=role,
        unit=unit,
        summary=_("Giao vai trò %(kind)s tại %(unit)s cho %(user)s")
        % {"kind": role.get_kind_display(), "unit": unit.name, "user": user},
    )
    return role


# --- Restructuring -------------------------------------------------------------
#
# Every restructure runs in one transaction, is recorded as a Restructure (with
# its decision), closes the affected UnitVersion rows on the effective date and
# opens new ones, and moves members through members.services.member_place, so
# their placement history says where they were on any date. Nothing is deleted.


def _d(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _check_reach(actor, *units: Unit) -> None:
    if actor is None:
        return
    for unit in units:
        if not can_edit(actor, unit):
            raise ServiceError(_("Bạn không có quyền sửa “%(name)s”.") % {"name": unit.name})


def _check_decision(decision_number: str, decision_date: date | None, effective_on) -> str:
    decision_number = (decision_number or "").strip()
    if not decision_number:
        raise ServiceError(_("Cần ghi số quyết định."))
    if decision_date is None:
        raise ServiceError(_("Cần ghi ngày quyết định."))
    if effective_on is None:
        raise ServiceError(_("Cần ghi ngày hiệu lực."))
    return decision_number


def _restructure_new(
    *, actor, kind, decision_number, decision_date, effective_on, summary, data=None
) -> Restructure:
    decision_number = _check_decision(decision_number, decision_date, effective_on)
    return Restructure.objects.create(
        kind=kind,
        decision_number=decision_number,
        decision_date=decision_date,
        effective_on=effective_on,
        summary=summary[:500],
        data=data or {},
        created_by=_user(actor),
    )


def _open_version(unit: Unit) -> UnitVersion | None:
    return unit.versions.filter(valid_to__isnull=True).order_by("-valid_from").first()


def _check_can_change(unit: Unit, day: date) -> UnitVersion:
    """The unit exists and is active on `day`, and `day` comes after its last change."""
    if day < unit.founded_on:
        raise ServiceError(
            _("Ngày hiệu lực %(day)s trước ngày thành lập của “%(name)s” (%(founded)s).")
            % {"day": _d(day), "name": unit.name, "founded": _d(unit.founded_on)}
        )
    if unit.dissolved_on is not None:
        raise ServiceError(
            _("“%(name)s” đã giải thể từ ngày %(day)s.")
            % {"name": unit.name, "day": _d(unit.dissolved_on)}
        )
    version = _open_version(unit)
    if version is None:  # pragma: no cover - every active unit has an open version
        raise ServiceError(_("“%(name)s” không còn hoạt động.") % {"name": unit.name})
    if day <= version.valid_from:
        raise ServiceError(
            _(
                "“%(name)s” đã có thay đổi hiệu lực ngày %(last)s; ngày hiệu lực mới phải sau ngày đó."
            )
            % {"name": unit.name, "last": _d(version.valid_from)}
        )
    return version


def _version_from(unit: Unit, day: date, change: str, restructure: Restructure) -> UnitVersion:
    return UnitVersion(
        unit=unit,
        name=unit.name,
        level=unit.level,
        category=unit.category,
        parent_id=unit.parent_id,
        path=unit.path,
        administrative_unit_id=unit.administrative_unit_id,
        valid_from=day,
        change=change,
        restructure=restructure,
    )


def _change_unit(
    unit: Unit, *, day: date, change: str, restructure: Restructure, **fields
) -> UnitVersion:
    """Close the unit's open version the day before `day` and open one with `fields`."""
    version = _check_can_change(unit, day)
    version.valid_to = day
    version.save(update_fields=["valid_to"])
    for name, value in fields.items():
        setattr(unit, name, value)
    unit.save()
    restructure.units.add(unit)
    version = _version_from(unit, day, change, restructure)
    version.save()
    return version


def _reparent(
    unit: Unit, parent: Unit, *, day: date, change: str, restructure: Restructure, **fields
) -> None:
    """Move `unit` (and with it its whole subtree) under `parent` from `day`."""
    if parent.pk == unit.pk or parent.path.startswith(unit.path):
        raise ServiceError(
            _(
                "Không thể chuyển “%(name)s” vào “%(parent)s” vì đó là đơn vị trực thuộc của chính nó."
            )
            % {"name": unit.name, "parent": parent.name}
        )
    if day < parent.founded_on:
        raise ServiceError(
            _("Ngày hiệu lực %(day)s trước ngày thành lập của “%(name)s” (%(founded)s).")
            % {"day": _d(day), "name": parent.name, "founded": _d(parent.founded_on)}
        )
    validate_placement_in_tree(level=fields.get("level", unit.level), parent=parent)
    old_path = unit.path
    new_path = parent.path + path_segment(unit.pk)
    descendants = list(Unit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk))
    active = [d for d in descendants if d.dissolved_on is None]
    open_versions = {
        v.unit_id: v for v in UnitVersion.objects.filter(unit__in=active, valid_to__isnull=True)
    }
    for d in active:
        v = open_versions.get(d.pk)
        if v is not None and day <= v.valid_from:
            raise ServiceError(
                _(
                    "“%(name)s” (trực thuộc) đã có thay đổi hiệu lực ngày %(last)s; "
                    "ngày hiệu lực mới phải sau ngày đó."
                )
                % {"name": d.name, "last": _d(v.valid_from)}
            )
    _change_unit(
        unit,
        day=day,
        change=change,
        restructure=restructure,
        parent=parent,
        path=new_path,
        **fields,
    )
    for d in descendants:
        d.path = new_path + d.path[len(old_path) :]
    Unit.objects.bulk_update(descendants, ["path"], batch_size=1000)
    for v in open_versions.values():
        v.valid_to = day
    UnitVersion.objects.bulk_update(list(open_versions.values()), ["valid_to"], batch_size=1000)
    UnitVersion.objects.bulk_create(
        [
            _version_from(d, day, "moved_with_parent", restructure)
            for d in active
            if d.pk in open_versions
        ],
        batch_size=1000,
    )


def _members_in(unit: Unit):
    """Members (and candidates) whose current permanent placement is `unit`."""
    from members.choices import PlacementKind, Status
    from members.models import Member

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
    from members.services import member_place

    moved = {}
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
    from members.choices import PlacementKind
    from members.models import Placement

    version = _check_can_change(unit, day)
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


def _check_destination_cell(unit: Unit, day: date) -> None:
    from members.services import validate_cell

    validate_cell(unit, day)


@transaction.atomic
def unit_rename(
    *, actor, unit: Unit, name: str, decision_number: str, decision_date: date, effective_on: date
) -> Restructure:
    from chibo.text import normalize

    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    _check_reach(actor, unit)
    name = normalize(name)
    if not name:
        raise ServiceError(_("Tên đơn vị không được để trống."))
    if name == unit.name:
        raise ServiceError(_("Tên mới trùng với tên hiện tại."))
    old = unit.name
    r = _restructure_new(
        actor=actor,
        kind=Restructure.Kind.RENAME,
        decision_number=decision_number,
        decision_date=decision_date,
        effective_on=effective_on,
        summary=_("Đổi tên “%(old)s” thành “%(new)s”") % {"old": old, "new": name},
        data={"old": old, "new": name},
    )
    _change_unit(unit, day=effective_on, change="renamed", restructure=r, name=name)
    _audit(actor, r, unit)
    return r


@transaction.atomic
def unit_move(
    *,
    actor,
    unit: Unit,
    parent: Unit,
    decision_number: str,
    decision_date: date,
    effective_on: date,
) -> Restructure:
    """Put `unit` (with its subtree) under another committee."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    _check_reach(actor, unit, parent)
    if parent.pk == unit.parent_id:
        raise ServiceError(
            _("“%(name)s” đã trực thuộc “%(parent)s”.") % {"name": unit.name, "parent": parent.name}
        )
    old_parent = unit.parent
    r = _restructure_new(
        actor=actor,
        kind=Restructure.Kind.MOVE,
        decision_number=decision_number,
        decision_date=decision_date,
        effective_on=effective_on,
        summary=_("Chuyển “%(name)s” sang trực thuộc “%(parent)s”")
        % {"name": unit.name, "parent": parent.name},
        data={"from": old_parent.pk if old_parent else None, "to": parent.pk},
    )
    _reparent(unit, parent, day=effective_on, change="moved", restructure=r)
    if old_parent:
        r.units.add(old_parent)
    r.units.add(parent)
    _audit(actor, r, unit)
    return r


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
        if unit.children.filter(dissolved_on__isnull=True).exists():
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
    children = list(unit.children.filter(dissolved_on__isnull=True))
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
    from chibo.text import normalize

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
            administrative_unit=administrative_unit or sources[0].administrative_unit,
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
        for child in source.children.filter(dissolved_on__isnull=True):
            _reparent(child, into, day=effective_on, change="moved", restructure=r)
        source.refresh_from_db()
        _close_unit(source, day=effective_on, restructure=r)
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
    children = list(unit.children.filter(dissolved_on__isnull=True))

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
            administrative_unit=unit.administrative_unit,
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


def _audit(actor, r: Restructure, unit: Unit) -> None:
    audit_record(
        actor=actor,
        action=f"unit_{r.kind}",
        target=r,
        unit=unit,
        summary=r.summary,
        data={
            "decision_number": r.decision_number,
            "decision_date": r.decision_date,
            "effective_on": r.effective_on,
            **r.data,
        },
    )


# --- Terms, seats and community posts -----------------------------------------

SINGLE_POSITIONS = (Position.SECRETARY, Position.STANDING_DEPUTY, Position.GROUP_LEADER)


def _end_for_successor(held: Seat | CommunityPost, day: date, refusal: str) -> None:
    """A one-holder seat or post passes to a successor on `day`: the holder's
    row ends that day (valid_to is exclusive); refused with `refusal` unless
    `day` comes after the holder's start."""
    if day <= held.valid_from:
        raise ServiceError(refusal)
    held.valid_to = day
    held.save(update_fields=["valid_to"])


@transaction.atomic
def term_open(
    *,
    actor,
    unit: Unit,
    congress_on: date,
    name: str = "",
    due_on: date | None = None,
    decision_number: str = "",
) -> Term:
    """Record a congress (đại hội) of `unit` opening a new term. The previous
    term and its seats end that day. The term's length comes from the level's
    setting (organizations.rules.term_months) unless `due_on` is given."""
    from organizations.rules import add_months, term_months

    _check_reach(actor, unit)
    if unit.dissolved_on is not None:
        raise ServiceError(_("“%(name)s” đã giải thể.") % {"name": unit.name})
    if congress_on < unit.founded_on:
        raise ServiceError(
            _("Ngày đại hội %(day)s trước ngày thành lập đơn vị (%(founded)s).")
            % {"day": _d(congress_on), "founded": _d(unit.founded_on)}
        )
    due_on = due_on or add_months(congress_on, term_months(unit.level))
    if due_on <= congress_on:
        raise ServiceError(_("Ngày hết nhiệm kỳ phải sau ngày đại hội."))
    previous = Term.objects.select_for_update().filter(unit=unit, valid_to__isnull=True).first()
    if previous is not None:
        if congress_on <= previous.valid_from:
            raise ServiceError(
                _("Đại hội phải sau ngày bắt đầu nhiệm kỳ trước (%(day)s).")
                % {"day": _d(previous.valid_from)}
            )
        if previous.seats.filter(valid_to__isnull=True, valid_from__gte=congress_on).exists():
            raise ServiceError(_("Có chức vụ của nhiệm kỳ trước bắt đầu sau ngày đại hội."))
        previous.seats.filter(valid_to__isnull=True).update(valid_to=congress_on)
        previous.valid_to = congress_on
        previous.save(update_fields=["valid_to"])
    term = Term.objects.create(
        unit=unit,
        # named after the term's last day: a cell's congress on 01/07/2025 is
        # due 01/01/2028, and its term is "2025–2027"
        name=(name or "").strip() or f"{congress_on.year}–{(due_on - timedelta(days=1)).year}",
        valid_from=congress_on,
        due_on=due_on,
        decision_number=decision_number,
        created_by=_user(actor),
    )
    audit_record(
        actor=actor,
        action="term_open",
        target=term,
        unit=unit,
        summary=_("Đại hội %(unit)s, nhiệm kỳ %(name)s") % {"unit": unit.name, "name": term.name},
        data={"congress_on": congress_on, "due_on": due_on},
    )
    return term


def _bodies_for(unit: Unit) -> tuple[str, ...]:
    if unit.level == Level.PARTY_GROUP:
        return (Body.DIRECT,)
    if unit.is_cell:
        return (Body.CELL_COMMITTEE, Body.DIRECT)
    return (Body.EXECUTIVE, Body.STANDING)


@transaction.atomic
def seat_assign(
    *,
    actor,
    term: Term,
    member,
    position: str,
    body: str,
    valid_from: date,
    decision_number: str = "",
) -> Seat:
    """Give `member` a seat in the term's committee from `valid_from`. A
    secretary (or standing deputy, or group leader) replaces the one before,
    whose seat ends that day."""
    from members.choices import MEMBER_STATUSES, PlacementKind
    from members.models import Placement

    unit = term.unit
    _check_reach(actor, unit)
    if position not in Position.values:
        raise ServiceError(_("Chức vụ không hợp lệ."))
    if body not in _bodies_for(unit):
        raise ServiceError(
            _("“%(body)s” không có ở %(level)s.")
            % {
                "body": Body(body).label if body in Body.values else body,
                "level": unit.get_level_display(),
            }
        )
    if (position == Position.GROUP_LEADER) != (unit.level == Level.PARTY_GROUP):
        raise ServiceError(_("Tổ trưởng tổ đảng chỉ có ở tổ đảng."))
    if valid_from < term.valid_from or (term.valid_to and valid_from >= term.valid_to):
        raise ServiceError(
            _("Ngày %(day)s không nằm trong nhiệm kỳ %(name)s.")
            % {"day": _d(valid_from), "name": term.name}
        )
    if member.status not in MEMBER_STATUSES:
        raise ServiceError(_("%(name)s không phải là đảng viên.") % {"name": member.full_name})
    placed = Placement.objects.filter(
        valid_on(valid_from),
        member=member,
        kind=PlacementKind.PERMANENT,
        unit__path__startswith=unit.path,
    ).exists()
    if not placed:
        raise ServiceError(
            _("%(name)s không sinh hoạt trong “%(unit)s” vào ngày %(day)s.")
            % {"name": member.full_name, "unit": unit.name, "day": _d(valid_from)}
        )
    open_seats = Seat.objects.select_for_update().filter(term=term, valid_to__isnull=True)
    if open_seats.filter(member=member, position=position, body=body).exists():
        raise ServiceError(_("%(name)s đang giữ chức vụ này.") % {"name": member.full_name})
    if position in SINGLE_POSITIONS:
        for old in open_seats.filter(position=position):
            _end_for_successor(
                old,
                valid_from,
                _("%(name)s giữ chức vụ này từ %(day)s; ngày mới phải sau ngày đó.")
                % {"name": old.member.full_name, "day": _d(old.valid_from)},
            )
    seat = Seat.objects.create(
        term=term,
        unit=unit,
        body=body,
        position=position,
        member=member,
        valid_from=valid_from,
        decision_number=decision_number,
        created_by=_user(actor),
    )
    audit_record(
        actor=actor,
        action="seat_assign",
        target=seat,
        unit=unit,
        summary=_("%(name)s giữ chức %(position)s (%(body)s) của %(unit)s từ %(day)s")
        % {
            "name": member.full_name,
            "position": seat.get_position_display(),
            "body": seat.get_body_display(),
            "unit": unit.name,
            "day": _d(valid_from),
        },
    )
    return seat


@transaction.atomic
def seat_end(*, actor, seat: Seat, day: date, reason: str = "") -> Seat:
    seat = Seat.objects.select_for_update().get(pk=seat.pk)
    _check_reach(actor, seat.unit)
    if seat.valid_to is not None:
        raise ServiceError(_("Chức vụ này đã kết thúc."))
    if day <= seat.valid_from:
        raise ServiceError(
            _("Ngày thôi giữ chức vụ phải sau ngày bắt đầu (%(day)s).")
            % {"day": _d(seat.valid_from)}
        )
    seat.valid_to = day
    seat.save(update_fields=["valid_to"])
    audit_record(
        actor=actor,
        action="seat_end",
        target=seat,
        unit=seat.unit,
        summary=_("%(name)s thôi giữ chức %(position)s của %(unit)s từ %(day)s")
        % {
            "name": seat.member.full_name,
            "position": seat.get_position_display(),
            "unit": seat.unit.name,
            "day": _d(day),
        },
        data={"reason": reason},
    )
    return seat


COMMUNITY_CATEGORIES = (Category.RESIDENTIAL, Category.VILLAGE)


@transaction.atomic
def community_post_assign(
    *,
    actor,
    unit: Unit,
    kind: str,
    valid_from: date,
    person_name: str = "",
    member=None,
) -> CommunityPost:
    """Record who holds a community post (village / group head, front-work
    head) of a residential cell's area from `valid_from`; the previous holder's
    post ends that day. `member` is set when the holder is a party member."""
    from chibo.text import normalize

    _check_reach(actor, unit)
    if kind not in CommunityPost.Kind.values:
        raise ServiceError(_("Chức danh không hợp lệ."))
    if not unit.is_cell or unit.category not in COMMUNITY_CATEGORIES:
        raise ServiceError(
            _("Chỉ chi bộ thôn, ấp, tổ dân phố mới có trưởng thôn và trưởng ban công tác Mặt trận.")
        )
    if unit.dissolved_on is not None:
        raise ServiceError(_("“%(name)s” đã giải thể.") % {"name": unit.name})
    if valid_from < unit.founded_on:
        raise ServiceError(
            _("Ngày %(day)s trước ngày thành lập chi bộ (%(founded)s).")
            % {"day": _d(valid_from), "founded": _d(unit.founded_on)}
        )
    person_name = normalize(member.full_name if member is not None else person_name)
    if not person_name:
        raise ServiceError(_("Cần ghi họ và tên người giữ chức danh."))
    current = (
        CommunityPost.objects.select_for_update()
        .filter(unit=unit, kind=kind, valid_to__isnull=True)
        .first()
    )
    if current is not None:
        _end_for_successor(
            current,
            valid_from,
            _("%(name)s giữ chức danh này từ %(day)s; ngày mới phải sau ngày đó.")
            % {"name": current.person_name, "day": _d(current.valid_from)},
        )
    post = CommunityPost.objects.create(
        unit=unit,
        kind=kind,
        person_name=person_name,
        member=member,
        valid_from=valid_from,
        created_by=_user(actor),
    )
    audit_record(
        actor=actor,
        action="community_post_assign",
        target=post,
        unit=unit,
        summary=_("%(name)s làm %(kind)s (%(unit)s) từ %(day)s")
        % {
            "name": person_name,
            "kind": post.get_kind_display(),
            "unit": unit.name,
            "day": _d(valid_from),
        },
    )
    return post
