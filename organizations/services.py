"""Every write to the unit tree. Each service validates, writes the history
(UnitVersion) and the current cache (Unit) in one transaction, and records
who did it."""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from chibo.audit import audit_record
from chibo.errors import ServiceError
from organizations.models import (
    COMMITTEE_LEVELS,
    AdministrativeUnit,
    Category,
    Level,
    Role,
    Unit,
    UnitVersion,
    path_segment,
)

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
) -> Unit:
    """Found a unit under `parent` (or a root committee), effective `founded_on`."""
    from chibo.text import normalize

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
    )
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
