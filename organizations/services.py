"""Every write to the unit tree. Each service validates, writes the history
(UnitVersion) and the current cache (Unit) in one transaction, and records
who did it."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from chibo.audit import audit_record
from chibo.dates import add_months, dmy
from chibo.errors import ServiceError
from chibo.text import normalize
from organizations.models import (
    COMMITTEE_LEVELS,
    GRASSROOTS_LEVELS,
    TYPE_FIELDS,
    AdministrativeUnit,
    BaseType,
    Body,
    Category,
    CommunityPost,
    EconomicSector,
    EnterpriseForm,
    Level,
    Population,
    Position,
    Restructure,
    Role,
    Seat,
    ServiceKind,
    Term,
    Unit,
    UnitVersion,
    path_segment,
    valid_on,
)
from organizations.rules import term_months
from organizations.selectors import can_edit, sees_everything

# Which level may sit under which (Điều lệ Đảng, Điều 11 and 21).
ALLOWED_CHILD_LEVELS: dict[str, tuple[str, ...]] = {
    Level.CENTRAL: (Level.PROVINCIAL, Level.BLOC),
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
    unit_type: dict | None = None,
) -> Unit:
    """Found a unit under `parent` (or a root committee), effective `founded_on`.
    `unit_type`: its Biểu 5 type (clean_type's arguments but the level).

    With a decision number the founding is also recorded as a Restructure."""

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
    type_fields = clean_type(level=level, **(unit_type or {}))
    if administrative_unit is not None:
        check_locality_on(administrative_unit, founded_on)
    code = (code or "").strip() or None
    if code and Unit.objects.filter(code=code).exists():
        raise ServiceError(_("Mã đơn vị “%(code)s” đã được dùng.") % {"code": code})
    _refuse_live_sibling_named(parent, name)

    unit = Unit.objects.create(
        code=code,
        name=name,
        level=level,
        category=category,
        parent=parent,
        path="",
        founded_on=founded_on,
        administrative_unit=administrative_unit,
        **type_fields,
    )
    unit.path = (parent.path if parent else "") + path_segment(unit.pk)
    unit.save(update_fields=["path"])
    # under its superior as that will be on the founding day (a move of the
    # superior may be scheduled before it)
    parent_then = (
        UnitVersion.objects.filter(valid_on(founded_on), unit=parent).first() if parent else None
    )
    UnitVersion.objects.create(
        unit=unit,
        name=unit.name,
        level=unit.level,
        category=unit.category,
        parent=parent,
        path=(parent_then.path + path_segment(unit.pk)) if parent_then else unit.path,
        administrative_unit=administrative_unit,
        valid_from=founded_on,
        change="founded",
        restructure=restructure,
        **type_fields,
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


def _refuse_live_sibling_named(parent: Unit | None, name: str) -> None:
    """Two units of one superior, both in being, never share a name (a double
    click on "Thành lập", or two staff founding the same cell at once). The
    superior's row is locked first, so two foundings under it take turns."""
    if parent is not None:
        Unit.objects.select_for_update().filter(pk=parent.pk).first()
    siblings = Unit.objects.filter(parent=parent, dissolved_on__isnull=True)
    wanted = name.casefold()
    for other in siblings.values_list("name", flat=True):
        if other.casefold() == wanted:
            raise ServiceError(
                _("Đã có “%(name)s” trực thuộc %(parent)s; không lập thêm một đơn vị trùng tên.")
                % {"name": other, "parent": parent.name if parent else _("cấp cao nhất")}
            )


def check_locality_on(administrative_unit: AdministrativeUnit, day: date) -> None:
    """A unit is linked only to an administrative unit in force on the day
    the link starts (a township that became a commune on 01/07/2025 is not
    the locality of a committee founded after that)."""
    if not administrative_unit.exists_on(day):
        raise ServiceError(
            _("Đơn vị hành chính “%(name)s” (%(validity)s) không có hiệu lực vào ngày %(day)s.")
            % {
                "name": str(administrative_unit),
                "validity": administrative_unit.validity,
                "day": dmy(day),
            }
        )


@transaction.atomic
def unit_link_locality(
    *, actor, unit: Unit, administrative_unit: AdministrativeUnit | None, effective_on: date
) -> UnitVersion:
    """Link `unit` to the administrative unit (commune, ward, township,
    district, province) it serves from `effective_on`: a dated change of its
    history like a rename, so a report for an earlier date keeps the old
    locality. None ends the link."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    _check_reach(actor, unit)
    if administrative_unit is not None:
        check_locality_on(administrative_unit, effective_on)
    latest = _open_version(unit)
    if latest is not None and latest.administrative_unit_id == (
        administrative_unit.pk if administrative_unit else None
    ):
        raise ServiceError(_("Đơn vị đã gắn với địa bàn này."))
    version = _change_unit(
        unit,
        day=effective_on,
        change="locality",
        restructure=None,
        administrative_unit=administrative_unit,
    )
    audit_record(
        actor=actor,
        action="unit_link_locality",
        target=unit,
        unit=unit,
        summary=_("%(unit)s gắn với địa bàn %(place)s từ %(day)s")
        % {
            "unit": unit.name,
            "place": str(administrative_unit) if administrative_unit else "—",
            "day": dmy(effective_on),
        },
        data={
            "from": latest.administrative_unit_id if latest else None,
            "to": administrative_unit.pk if administrative_unit else None,
            "day": effective_on,
        },
    )
    return version


def clean_type(
    *,
    level: str,
    base_type: str = "",
    enterprise_form: str = "",
    state_capital: int | None = None,
    foreign_capital: int | None = None,
    economic_sector: str = "",
    service_kind: str = "",
    no_masses: bool = False,
) -> dict:
    """Biểu 5's type of a grassroots organization, checked: the official
    choice; the form, capital shares and economic sector only for an
    enterprise; the kind of service unit only for a service unit."""
    if base_type and base_type not in BaseType.values:
        raise ServiceError(_("Loại hình cơ sở không hợp lệ."))
    if (base_type or no_masses) and level not in GRASSROOTS_LEVELS:
        raise ServiceError(
            _("Loại hình cơ sở chỉ ghi cho tổ chức cơ sở đảng (đảng bộ cơ sở, chi bộ cơ sở).")
        )
    if enterprise_form and enterprise_form not in EnterpriseForm.values:
        raise ServiceError(_("Loại hình doanh nghiệp không hợp lệ."))
    for value, what in ((state_capital, _("Vốn nhà nước")), (foreign_capital, _("Vốn nước ngoài"))):
        if value is not None and not 0 <= value <= 100:
            raise ServiceError(_("%(what)s phải từ 0 đến 100%%.") % {"what": what})
    if (state_capital or 0) + (foreign_capital or 0) > 100:
        raise ServiceError(_("Vốn nhà nước và vốn nước ngoài cộng lại quá 100%."))
    if base_type != BaseType.ENTERPRISE and (
        enterprise_form or state_capital is not None or foreign_capital is not None
    ):
        raise ServiceError(
            _("Loại hình doanh nghiệp và tỷ lệ vốn chỉ ghi khi loại hình cơ sở là doanh nghiệp.")
        )
    if economic_sector and economic_sector not in EconomicSector.values:
        raise ServiceError(_("Ngành kinh tế không hợp lệ."))
    if economic_sector and base_type != BaseType.ENTERPRISE:
        raise ServiceError(_("Ngành kinh tế chỉ ghi khi loại hình cơ sở là doanh nghiệp."))
    if service_kind and service_kind not in ServiceKind.values:
        raise ServiceError(_("Loại đơn vị sự nghiệp không hợp lệ."))
    if service_kind and base_type not in (BaseType.SERVICE_PUBLIC, BaseType.SERVICE_PRIVATE):
        raise ServiceError(
            _("Loại đơn vị sự nghiệp chỉ ghi khi loại hình cơ sở là đơn vị sự nghiệp.")
        )
    return {
        "base_type": base_type,
        "enterprise_form": enterprise_form,
        "state_capital": state_capital,
        "foreign_capital": foreign_capital,
        "economic_sector": economic_sector,
        "service_kind": service_kind,
        "no_masses": bool(no_masses),
    }


def type_label(values: dict) -> str:
    """The type as the pages and the audit write it: "Doanh nghiệp, Công ty
    cổ phần, vốn nhà nước 51%"."""
    parts = [str(BaseType(values["base_type"]).label) if values["base_type"] else "—"]
    if values.get("enterprise_form"):
        parts.append(str(EnterpriseForm(values["enterprise_form"]).label))
    if values.get("state_capital") is not None:
        parts.append(_("vốn nhà nước %(n)s%%") % {"n": values["state_capital"]})
    if values.get("foreign_capital") is not None:
        parts.append(_("vốn nước ngoài %(n)s%%") % {"n": values["foreign_capital"]})
    if values.get("economic_sector"):
        parts.append(str(EconomicSector(values["economic_sector"]).label))
    if values.get("service_kind"):
        parts.append(str(ServiceKind(values["service_kind"]).label))
    if values.get("no_masses"):
        parts.append(_("không còn quần chúng"))
    return ", ".join(parts)


@transaction.atomic
def unit_set_type(*, actor, unit: Unit, effective_on: date, **values) -> UnitVersion:
    """Record a grassroots organization's type (loại hình cơ sở), its
    enterprise form and capital shares and whether it has no non-members
    left, from `effective_on`: a dated change of its history like the
    locality, so a Biểu 5 of an earlier year reads the type of then."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    _check_reach(actor, unit)
    latest = _open_version(unit)
    level = latest.level if latest else unit.level
    fields = clean_type(level=level, **values)
    before = {f: getattr(latest, f) for f in TYPE_FIELDS} if latest else {}
    if before == fields:
        raise ServiceError(_("Loại hình của đơn vị không thay đổi."))
    version = _change_unit(unit, day=effective_on, change="type", restructure=None, **fields)
    audit_record(
        actor=actor,
        action="unit_set_type",
        target=unit,
        unit=unit,
        summary=_("%(unit)s: loại hình “%(type)s” từ %(day)s")
        % {"unit": unit.name, "type": type_label(fields), "day": dmy(effective_on)},
        data={"from": before, "to": fields, "day": effective_on},
    )
    return version


# A ward of the largest cities has some tens of thousands of people, a province
# millions; more than this is a typing slip, as is a household of over 20.
MAX_PEOPLE = 20_000_000
MAX_HOUSEHOLD_SIZE = 20


@transaction.atomic
def population_record(
    *, actor, unit: Unit, counted_on: date, households: int, people: int, note: str = ""
) -> Population:
    """Record the households and people of `unit`'s locality as counted on
    `counted_on` (seed 003: a ward of 3,815 households and 13,874 people).
    A new count is a new row; the figures of a date are the latest count on
    or before it."""
    _check_reach(actor, unit)
    if unit.level == Level.PARTY_GROUP:
        raise ServiceError(_("Tổ đảng không có số liệu hộ và nhân khẩu riêng."))
    for label, value in ((_("Số hộ"), households), (_("Số nhân khẩu"), people)):
        if value is None or isinstance(value, bool) or not isinstance(value, int):
            raise ServiceError(_("%(what)s phải là một số nguyên.") % {"what": label})
        if value < 0:
            raise ServiceError(_("%(what)s không được âm.") % {"what": label})
    if people > MAX_PEOPLE:
        raise ServiceError(
            _("Số nhân khẩu %(n)s quá lớn: hãy kiểm tra lại.")
            % {"n": f"{people:,}".replace(",", ".")}
        )
    if people < households:
        raise ServiceError(
            _(
                "Số nhân khẩu (%(people)s) ít hơn số hộ (%(households)s): mỗi hộ có ít nhất một người."
            )
            % {"people": people, "households": households}
        )
    if households and people > households * MAX_HOUSEHOLD_SIZE:
        raise ServiceError(
            _(
                "Bình quân hơn %(n)s người một hộ (%(people)s người, %(households)s hộ): hãy kiểm tra lại."
            )
            % {"n": MAX_HOUSEHOLD_SIZE, "people": people, "households": households}
        )
    if households == 0 and people:
        raise ServiceError(_("Có nhân khẩu thì phải có số hộ."))
    if counted_on > date.today():
        raise ServiceError(_("Ngày của số liệu không được sau ngày hôm nay."))
    if counted_on < unit.founded_on:
        raise ServiceError(
            _("Ngày %(day)s trước ngày thành lập đơn vị (%(founded)s).")
            % {"day": dmy(counted_on), "founded": dmy(unit.founded_on)}
        )
    if Population.objects.filter(
        unit=unit, counted_on=counted_on, households=households, people=people
    ).exists():
        raise ServiceError(_("Số liệu này đã được ghi."))
    row = Population.objects.create(
        unit=unit,
        counted_on=counted_on,
        households=households,
        people=people,
        note=normalize(note)[:255],
        created_by=_user(actor),
    )
    audit_record(
        actor=actor,
        action="population_record",
        target=row,
        unit=unit,
        summary=_("%(unit)s: %(households)s hộ, %(people)s nhân khẩu (số liệu ngày %(day)s)")
        % {"unit": unit.name, "households": households, "people": people, "day": dmy(counted_on)},
    )
    return row


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


def roles_follow(*, actor, source: Unit, successor: Unit, day: date) -> list[Role]:
    """The roles held on `source` when it stops on `day` (merged into, or
    dissolved into, `successor`) follow to `successor`: each ends that day and
    a role of the same kind opens on `successor` from it, so who could see
    what on any date stays answerable. A role that already reaches
    `successor` (the same kind, there or above) only ends. Each change is in
    the audit trail."""
    followed = []
    rows = (
        Role.objects.select_for_update()
        .filter(unit=source)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
    )
    for role in rows.select_related("user"):
        reaches = Role.objects.filter(
            valid_on(day),
            user=role.user,
            kind=role.kind,
            unit__in=[successor.pk, *successor.ancestor_ids()],
        ).exists()
        if role.valid_from >= day:
            # granted to start only once the unit is gone: never in force there
            role.unit = successor
            role.save(update_fields=["unit"])
            new = role
        else:
            new = None
            if not reaches:
                new = Role.objects.create(
                    user=role.user,
                    unit=successor,
                    kind=role.kind,
                    valid_from=day,
                    valid_to=role.valid_to,
                )
            role.valid_to = day
            role.save(update_fields=["valid_to"])
        audit_record(
            actor=actor,
            action="role_follow",
            target=new or role,
            unit=successor,
            summary=_("Vai trò %(kind)s của %(user)s chuyển từ %(source)s sang %(unit)s từ %(day)s")
            % {
                "kind": role.get_kind_display(),
                "user": role.user,
                "source": source.name,
                "unit": successor.name,
                "day": _d(day),
            },
            data={"role": role.pk, "new_role": new.pk if new else None, "day": day},
        )
        if new is not None:
            followed.append(new)
    return followed


# --- Restructuring -------------------------------------------------------------
#
# Every restructure runs in one transaction, is recorded as a Restructure (with
# its decision), closes the affected UnitVersion rows on the effective date and
# opens new ones. Nothing is deleted. Here are the changes of the tree alone
# (found, rename, move) and the steps every restructure is made of; those that
# also move members (upgrade, merge, split, dissolve) are structure/services.py.


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


# The restructures recorded so far by the plan being applied (see one_plan).
_PLAN: ContextVar[set[int] | None] = ContextVar("chibo_restructure_plan", default=None)


@contextmanager
def one_plan() -> Iterator[None]:
    """Within it, the restructures recorded form one plan under one decision
    (structure.services.plans): a later step may change again, on the same
    effective date, a unit that an earlier step of the plan changed (a cell
    moved under a merged committee, then renamed): the version that step
    opened that day is amended rather than closed on the day it opened."""
    token = _PLAN.set(set())
    try:
        yield
    finally:
        _PLAN.reset(token)


def _amendable(version: UnitVersion) -> bool:
    plan = _PLAN.get()
    return plan is not None and version.restructure_id in plan


def _restructure_new(
    *, actor, kind, decision_number, decision_date, effective_on, summary, data=None
) -> Restructure:
    decision_number = _check_decision(decision_number, decision_date, effective_on)
    r = Restructure.objects.create(
        kind=kind,
        decision_number=decision_number,
        decision_date=decision_date,
        effective_on=effective_on,
        summary=summary[:500],
        data=data or {},
        created_by=_user(actor),
    )
    plan = _PLAN.get()
    if plan is not None:
        plan.add(r.pk)
    return r


def _too_early(version: UnitVersion, day: date) -> bool:
    """Whether a change on `day` would not come after `version`'s start (a
    change of the same day is allowed only within one plan)."""
    return day < version.valid_from or (day == version.valid_from and not _amendable(version))


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
            (
                _("“%(name)s” đã giải thể từ ngày %(day)s.")
                if _is_due(unit.dissolved_on)
                else _("“%(name)s” đã có quyết định giải thể từ ngày %(day)s.")
            )
            % {"name": unit.name, "day": _d(unit.dissolved_on)}
        )
    version = _open_version(unit)
    if version is None:  # pragma: no cover - every active unit has an open version
        raise ServiceError(_("“%(name)s” không còn hoạt động.") % {"name": unit.name})
    if _too_early(version, day):
        raise ServiceError(
            _(
                "“%(name)s” đã có thay đổi hiệu lực ngày %(last)s; ngày hiệu lực mới phải sau ngày đó."
            )
            % {"name": unit.name, "last": _d(version.valid_from)}
        )
    return version


def _version_from(
    version: UnitVersion, day: date, change: str, restructure: Restructure, **fields
) -> UnitVersion:
    """The state that follows `version` from `day`: the same, with `fields` changed."""
    new = UnitVersion(
        unit_id=version.unit_id,
        name=version.name,
        level=version.level,
        category=version.category,
        parent_id=version.parent_id,
        path=version.path,
        administrative_unit_id=version.administrative_unit_id,
        valid_from=day,
        change=change,
        restructure=restructure,
        **{f: getattr(version, f) for f in TYPE_FIELDS},
    )
    for name, value in fields.items():
        setattr(new, name, value)
    return new


def _is_due(day: date) -> bool:
    """Whether a change effective on `day` is in force now: only then does a
    service write it to Unit (the cached current tree). A later one waits for
    its day and `units_refresh_current` (run daily by apply_scheduled_changes)."""
    return day <= date.today()


def _change_unit(
    unit: Unit, *, day: date, change: str, restructure: Restructure | None, **fields
) -> UnitVersion:
    """Close the unit's open version the day before `day` and open one with
    `fields`; the current tree (Unit) follows at once if `day` has come."""
    version = _check_can_change(unit, day)
    if restructure is not None:
        restructure.units.add(unit)
    if version.valid_from == day:  # opened today by an earlier step of this plan
        new = version
        for name, value in fields.items():
            setattr(new, name, value)
        new.change, new.restructure = change, restructure
        new.save()
    else:
        version.valid_to = day
        version.save(update_fields=["valid_to"])
        new = _version_from(version, day, change, restructure, **fields)
        new.save()
    if _is_due(day):
        for name, value in fields.items():
            setattr(unit, name, value)
        unit.save()
    return new


def children_from(unit: Unit) -> list[Unit]:
    """The units under `unit` in its latest state (their open versions): the
    children a restructure effective after every change already recorded
    has to move, including those a scheduled change has put there."""
    return list(
        Unit.objects.filter(versions__valid_to__isnull=True, versions__parent_id=unit.pk).distinct()
    )


def _reparent(
    unit: Unit, parent: Unit, *, day: date, change: str, restructure: Restructure, **fields
) -> None:
    """Move `unit` (and with it its whole subtree) under `parent` from `day`:
    new versions for the unit and every active unit below it, with the paths
    they have under `parent` then."""
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
    parent_then = UnitVersion.objects.filter(valid_on(day), unit=parent).first()
    if parent_then is None:
        raise ServiceError(
            _("“%(name)s” không hoạt động vào ngày %(day)s.")
            % {"name": parent.name, "day": _d(day)}
        )
    version = _check_can_change(unit, day)
    old_path = version.path
    new_path = parent_then.path + path_segment(unit.pk)
    if new_path.startswith(old_path):
        raise ServiceError(
            _(
                "Không thể chuyển “%(name)s” vào “%(parent)s” vì đó là đơn vị trực thuộc của chính nó."
            )
            % {"name": unit.name, "parent": parent.name}
        )
    open_versions = list(
        UnitVersion.objects.filter(valid_to__isnull=True, path__startswith=old_path)
        .exclude(unit_id=unit.pk)
        .select_related("unit")
    )
    for v in open_versions:
        if _too_early(v, day):
            raise ServiceError(
                _(
                    "“%(name)s” (trực thuộc) đã có thay đổi hiệu lực ngày %(last)s; "
                    "ngày hiệu lực mới phải sau ngày đó."
                )
                % {"name": v.name, "last": _d(v.valid_from)}
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
    amended = [v for v in open_versions if v.valid_from == day]  # earlier in this plan
    for v in amended:
        v.path = new_path + v.path[len(old_path) :]
    UnitVersion.objects.bulk_update(amended, ["path"], batch_size=1000)
    closed = [v for v in open_versions if v.valid_from != day]
    for v in closed:
        v.valid_to = day
    UnitVersion.objects.bulk_update(closed, ["valid_to"], batch_size=1000)
    UnitVersion.objects.bulk_create(
        [
            _version_from(
                v, day, "moved_with_parent", restructure, path=new_path + v.path[len(old_path) :]
            )
            for v in closed
        ],
        batch_size=1000,
    )
    if _is_due(day):
        # the dissolved units below follow too, so that whoever sees the
        # subtree now still finds their history
        descendants = list(Unit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk))
        for d in descendants:
            d.path = new_path + d.path[len(old_path) :]
        Unit.objects.bulk_update(descendants, ["path"], batch_size=1000)


@transaction.atomic
def units_refresh_current(*, actor=None, day: date | None = None) -> int:
    """Bring the cached current tree (each Unit's name, level, category,
    superior, path and administrative unit) in line with the version in force
    on `day` (today by default): a rename, move, upgrade or merge decided
    earlier with a later effective date reaches the current tree on its day.
    Idempotent; returns how many units changed. Two reads and one bulk
    update whatever the size of the tree."""
    day = day or date.today()
    fields = [
        "name",
        "level",
        "category",
        "parent_id",
        "path",
        "administrative_unit_id",
        *TYPE_FIELDS,
    ]
    then = {
        row[0]: row[1:]
        for row in UnitVersion.objects.filter(valid_on(day)).values_list("unit_id", *fields)
    }
    changed = []
    for unit in Unit.objects.filter(pk__in=list(then)).only("pk", *fields):
        values = then[unit.pk]
        if tuple(getattr(unit, f) for f in fields) != values:
            for name, value in zip(fields, values, strict=True):
                setattr(unit, name, value)
            changed.append(unit)
    if changed:
        Unit.objects.bulk_update(changed, fields, batch_size=1000)
        audit_record(
            actor=actor,
            action="units_refresh_current",
            summary=_(
                "Cập nhật cơ cấu tổ chức hiện tại theo các quyết định có hiệu lực đến %(day)s"
            )
            % {"day": _d(day)},
            data={"day": day, "units": [u.pk for u in changed][:1000]},
        )
    return len(changed)


@transaction.atomic
def unit_rename(
    *, actor, unit: Unit, name: str, decision_number: str, decision_date: date, effective_on: date
) -> Restructure:
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    _check_reach(actor, unit)
    name = normalize(name)
    if not name:
        raise ServiceError(_("Tên đơn vị không được để trống."))
    latest = _open_version(unit)
    old = latest.name if latest else unit.name
    if name == old:
        raise ServiceError(_("Tên mới trùng với tên hiện tại."))
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
    latest = _open_version(unit)
    old_parent = latest.parent if latest else unit.parent
    if old_parent is not None and parent.pk == old_parent.pk:
        raise ServiceError(
            _("“%(name)s” đã trực thuộc “%(parent)s”.") % {"name": unit.name, "parent": parent.name}
        )
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


def hand_over(
    model: type[Seat] | type[CommunityPost],
    *,
    actor,
    unit: Unit,
    valid_from: date,
    predecessors: QuerySet,
    holder_name: Callable[[Seat | CommunityPost], str],
    refusal: str,
    action: str,
    summary: str,
    **fields,
) -> Seat | CommunityPost:
    """A dated post held by someone from `valid_from` (a committee seat, a
    community post). Each row of `predecessors` (the open rows of a
    one-holder post) ends that day, valid_to being exclusive; refused with
    `refusal` (its %(name)s and %(day)s: that holder and their start) unless
    `valid_from` comes after the holder's start. Then the new row opens, with
    `fields`, and the audit trail records `action` and `summary`."""
    for held in predecessors.select_for_update():
        if valid_from <= held.valid_from:
            raise ServiceError(refusal % {"name": holder_name(held), "day": _d(held.valid_from)})
        held.valid_to = valid_from
        held.save(update_fields=["valid_to"])
    row = model.objects.create(unit=unit, valid_from=valid_from, created_by=_user(actor), **fields)
    audit_record(actor=actor, action=action, target=row, unit=unit, summary=summary)
    return row


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
    # a post of the past (ended) that the new holder's start falls inside:
    # one holder at a time, so refused (an open one is handed over below)
    clash = (
        CommunityPost.objects.filter(
            unit=unit, kind=kind, valid_to__isnull=False, valid_to__gt=valid_from
        )
        .filter(valid_from__lte=valid_from)
        .first()
    )
    if clash is not None:
        raise ServiceError(
            _("%(name)s giữ chức danh này từ %(start)s đến %(end)s; mỗi lúc chỉ một người giữ.")
            % {
                "name": clash.person_name,
                "start": _d(clash.valid_from),
                "end": _d(clash.valid_to - timedelta(days=1)),
            }
        )
    return hand_over(
        CommunityPost,
        actor=actor,
        unit=unit,
        valid_from=valid_from,
        predecessors=CommunityPost.objects.filter(unit=unit, kind=kind, valid_to__isnull=True),
        holder_name=lambda post: post.person_name,
        refusal=_("%(name)s giữ chức danh này từ %(day)s; ngày mới phải sau ngày đó."),
        action="community_post_assign",
        summary=_("%(name)s làm %(kind)s (%(unit)s) từ %(day)s")
        % {
            "name": person_name,
            "kind": CommunityPost.Kind(kind).label,
            "unit": unit.name,
            "day": _d(valid_from),
        },
        kind=kind,
        person_name=person_name,
        member=member,
    )


@transaction.atomic
def community_post_end(*, actor, post: CommunityPost, day: date) -> CommunityPost:
    """The holder of `post` leaves it on `day` (exclusive: their last day is
    the day before); a post of the past is recorded with its end this way."""
    post = CommunityPost.objects.select_for_update().select_related("unit").get(pk=post.pk)
    _check_reach(actor, post.unit)
    if post.valid_to is not None:
        raise ServiceError(_("Chức danh này đã kết thúc."))
    if day <= post.valid_from:
        raise ServiceError(
            _("Ngày thôi giữ chức danh phải sau ngày bắt đầu (%(day)s).")
            % {"day": _d(post.valid_from)}
        )
    later = CommunityPost.objects.filter(
        unit=post.unit, kind=post.kind, valid_from__gt=post.valid_from, valid_from__lt=day
    ).first()
    if later is not None:
        raise ServiceError(
            _("%(name)s giữ chức danh này từ %(day)s; mỗi lúc chỉ một người giữ.")
            % {"name": later.person_name, "day": _d(later.valid_from)}
        )
    post.valid_to = day
    post.save(update_fields=["valid_to"])
    audit_record(
        actor=actor,
        action="community_post_end",
        target=post,
        unit=post.unit,
        summary=_("%(name)s thôi làm %(kind)s (%(unit)s) từ %(day)s")
        % {
            "name": post.person_name,
            "kind": post.get_kind_display(),
            "unit": post.unit.name,
            "day": _d(day),
        },
    )
    return post
