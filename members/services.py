"""Every write to members. One function per business action; each validates,
writes the append-only history and the cached current values in one
transaction, and records who did it."""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from chibo.audit import audit_record
from chibo.errors import ServiceError
from members.choices import MEMBER_STATUSES, PlacementKind, Status
from members.models import Member, Placement, StatusPeriod
from organizations.models import CELL_LEVELS, Unit, valid_on


def _d(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def validate_cell(unit: Unit, day: date) -> None:
    if unit.level not in CELL_LEVELS:
        raise ServiceError(
            _("Đảng viên chỉ sinh hoạt tại chi bộ; “%(name)s” không phải là chi bộ.")
            % {"name": unit.name}
        )
    if unit.founded_on > day:
        raise ServiceError(
            _("Chi bộ “%(name)s” thành lập ngày %(founded)s, sau ngày %(day)s.")
            % {"name": unit.name, "founded": _d(unit.founded_on), "day": _d(day)}
        )
    if unit.dissolved_on is not None and unit.dissolved_on <= day:
        raise ServiceError(
            _("Chi bộ “%(name)s” đã giải thể từ ngày %(dissolved)s.")
            % {"name": unit.name, "dissolved": _d(unit.dissolved_on)}
        )


@transaction.atomic
def member_create(
    *,
    actor,
    unit: Unit,
    status: str,
    since: date,
    record: bool = True,
    **profile,
) -> Member:
    """Enter a member (or candidate) already in a cell, e.g. when an office
    starts using chibo: the profile, the first status and the first placement."""
    if status not in Status.values:
        raise ServiceError(_("Tình trạng đảng viên không hợp lệ."))
    validate_cell(unit, since)
    member = Member(unit=unit, status=status, **profile)
    _validate_profile(member)
    member.save()
    StatusPeriod.objects.create(
        member=member, status=status, valid_from=since, created_by=_user(actor)
    )
    Placement.objects.create(
        member=member,
        unit=unit,
        kind=PlacementKind.PERMANENT,
        valid_from=since,
        reason=_("Nhập hồ sơ"),
        created_by=_user(actor),
    )
    if record:
        audit_record(
            actor=actor,
            action="member_create",
            target=member,
            unit=unit,
            summary=_("Nhập hồ sơ %(name)s vào %(unit)s")
            % {"name": member.full_name, "unit": unit.name},
        )
    return member


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _validate_profile(member: Member) -> None:
    from django.core.exceptions import ValidationError

    if member.admitted_on and member.official_on and member.official_on < member.admitted_on:
        raise ServiceError(
            _("Ngày chính thức (%(official)s) trước ngày vào Đảng (%(admitted)s).")
            % {"official": _d(member.official_on), "admitted": _d(member.admitted_on)}
        )
    if member.birth_date and member.admitted_on and member.admitted_on < member.birth_date:
        raise ServiceError(_("Ngày vào Đảng trước ngày sinh."))
    try:
        member.full_clean(exclude=["unit", "sort_key", "search_name"])
    except ValidationError as exc:
        raise ServiceError(exc.messages) from exc


@transaction.atomic
def member_place(
    *,
    actor,
    member: Member,
    unit: Unit,
    day: date,
    reason: str = "",
    decision_number: str = "",
    record: bool = True,
) -> Placement:
    """Move a member's permanent placement to `unit` from `day`.

    The open placement is closed the day before; the old row stays, so the
    cell the member belonged to on any past date can still be read.
    """
    member = Member.objects.select_for_update().get(pk=member.pk)
    validate_cell(unit, day)
    current = member.placements.filter(kind=PlacementKind.PERMANENT, valid_to__isnull=True).first()
    if current is not None:
        if current.unit_id == unit.pk:
            raise ServiceError(
                _("%(name)s đã sinh hoạt tại %(unit)s.")
                % {"name": member.full_name, "unit": unit.name}
            )
        if day <= current.valid_from:
            raise ServiceError(
                _(
                    "Ngày chuyển (%(day)s) phải sau ngày bắt đầu sinh hoạt ở chi bộ hiện tại (%(since)s)."
                )
                % {"day": _d(day), "since": _d(current.valid_from)}
            )
        current.valid_to = day
        current.save(update_fields=["valid_to"])
    placement = Placement.objects.create(
        member=member,
        unit=unit,
        kind=PlacementKind.PERMANENT,
        valid_from=day,
        reason=reason,
        decision_number=decision_number,
        created_by=_user(actor),
    )
    if day <= date.today():
        Member.objects.filter(pk=member.pk).update(unit=unit)
    if record:
        audit_record(
            actor=actor,
            action="member_place",
            target=member,
            unit=unit,
            summary=_("Chuyển %(name)s sang %(unit)s từ %(day)s")
            % {"name": member.full_name, "unit": unit.name, "day": _d(day)},
            data={"from": current.unit_id if current else None, "to": unit.pk, "day": day},
        )
    return placement


def placement_on(member: Member, day: date) -> Placement | None:
    return member.placements.filter(valid_on(day), kind=PlacementKind.PERMANENT).first()


def is_member_status(status: str) -> bool:
    return status in MEMBER_STATUSES
