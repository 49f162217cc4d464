"""Every write to members. One function per business action; each validates,
writes the append-only history and the cached current values in one
transaction, and records who did it."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo.audit import audit_record
from chibo.errors import ServiceError
from members.choices import (
    DATED_PROFILE_FIELDS,
    MEMBER_STATUSES,
    RECONSTRUCTED,
    AwardKind,
    CardEvent,
    DecisionLevel,
    PlacementKind,
    Status,
    TransferScope,
)
from members.counts import touch_units
from members.listruns import runs_refresh
from members.models import (
    Award,
    Badge,
    Candidacy,
    CivilServantEvaluation,
    Discipline,
    Exemption,
    Member,
    PartyCard,
    Placement,
    ProfileChange,
    Rating,
    ResidenceComment,
    ResidenceContact,
    StatusPeriod,
    profile_stored,
)
from members.rules import (
    BADGE_YEARS,
    RemovalGround,
    may_be_recognized_on,
    old_enough_for_admission,
    probation_ends_on,
    qualifies_for_exemption_by_age,
    recognition_date_problem,
    temporary_transfer_fits,
    transfer_scope,
    two_thirds_reached,
)
from organizations.models import CELL_LEVELS, Unit, UnitVersion, path_ids, valid_on
from organizations.selectors import can_edit


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
    arrived_from: str = "",
    decision_number: str = "",
    **profile,
) -> Member:
    """Enter a member (or candidate) already in a cell, e.g. when an office
    starts using chibo: the profile, the first status and the first placement.

    With `arrived_from` (members.choices.TransferScope) the member was
    transferred in on `since` from a committee this system does not keep (Biểu
    1 "chuyển đến": from another province, or another district of it)."""
    if status not in Status.values:
        raise ServiceError(_("Tình trạng đảng viên không hợp lệ."))
    if arrived_from and arrived_from not in TransferScope.values:
        raise ServiceError(_("Nơi chuyển đến không hợp lệ."))
    if arrived_from and status not in MEMBER_STATUSES:
        raise ServiceError(_("Chỉ đảng viên (dự bị hoặc chính thức) mới chuyển sinh hoạt đến."))
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
        reason=_("Chuyển sinh hoạt đến") if arrived_from else _("Nhập hồ sơ"),
        decision_number=decision_number,
        arrived_from=arrived_from,
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


# --- A member's past from a dossier's dates (an office's first roster) ------------
#
# An office that starts with chibo has no decisions recorded in it, only each
# member's dates: admission, recognition, exemption, the day they came to the
# cell. The past they tell is written as history rows like those the lifecycle
# steps write (valid_from in the past, nothing overwritten), each marked
# RECONSTRUCTED so the timeline never passes it off as a recorded decision.
# The roster import writes the same rows in bulk (members/imports.py), so a
# figure on any past date is the same as for the history entered step by step.


@dataclass(frozen=True)
class Past:
    """What a dossier's dates say: the status periods (status, from, to), the
    day the placement in the cell starts, the exemption's first day."""

    statuses: tuple[tuple[str, date, date | None], ...]
    placed_on: date
    exempt_on: date | None

    @property
    def status(self) -> str:
        return self.statuses[-1][0]


def reconstruct_past(
    *,
    admitted_on: date,
    official_on: date | None,
    founded_on: date,
    placed_on: date | None = None,
    exempt_on: date | None = None,
) -> Past:
    """Probationary from the admission decision to the official date, official
    from then; in the cell from `placed_on` (the sheet's "Ngày chuyển đến chi
    bộ") or else from the earliest day the row supports: the admission, or the
    cell's founding if later."""
    if official_on is None:
        statuses = ((Status.PROBATIONARY, admitted_on, None),)
    elif official_on > admitted_on:
        statuses = (
            (Status.PROBATIONARY, admitted_on, official_on),
            (Status.OFFICIAL, official_on, None),
        )
    else:  # an old dossier with one date for both: official from it
        statuses = ((Status.OFFICIAL, official_on, None),)
    return Past(statuses, placed_on or max(admitted_on, founded_on), exempt_on)


@dataclass(frozen=True)
class DateProblem:
    field: str  # admitted_on, official_on, placed_on, exempt_on
    message: str
    warning: bool = False


# lazy: translated only for a message (the roster import checks 100,000 rows
# that mostly have neither date)
_PLACED_ON = gettext_lazy("Ngày chuyển đến chi bộ")
_EXEMPT_ON = gettext_lazy("Ngày miễn sinh hoạt")


def past_problems(
    *,
    birth_date: date | None,
    admitted_on: date | None,
    official_on: date | None,
    placed_on: date | None = None,
    exempt_on: date | None = None,
) -> list[DateProblem]:
    """What is wrong with a dossier's dates (Điều lệ Đảng, Điều 1 and 5): an
    official date before the admission, an admission before the 18th
    birthday, under the charter in force an official date before the twelve
    months of probation (an error) or long after them (a warning); a placement
    or exemption before the admission."""
    out: list[DateProblem] = []
    if admitted_on and official_on and official_on < admitted_on:
        out.append(
            DateProblem(
                "official_on",
                _("Ngày chính thức (%(official)s) trước ngày vào Đảng (%(admitted)s).")
                % {"official": _d(official_on), "admitted": _d(admitted_on)},
            )
        )
    elif admitted_on and official_on:
        problem = recognition_date_problem(admitted_on, official_on)
        if problem == "early":
            out.append(
                DateProblem(
                    "official_on",
                    _(
                        "Ngày chính thức (%(official)s) chưa đủ 12 tháng dự bị kể từ ngày vào "
                        "Đảng (%(admitted)s): theo Điều lệ Đảng, sớm nhất là ngày %(ends)s."
                    )
                    % {
                        "official": _d(official_on),
                        "admitted": _d(admitted_on),
                        "ends": _d(probation_ends_on(admitted_on)),
                    },
                )
            )
        elif problem == "late":
            out.append(
                DateProblem(
                    "official_on",
                    _(
                        "Ngày chính thức (%(official)s) muộn hơn nhiều so với 12 tháng dự bị kể "
                        "từ ngày vào Đảng (%(admitted)s); hãy kiểm tra lại năm."
                    )
                    % {"official": _d(official_on), "admitted": _d(admitted_on)},
                    warning=True,
                )
            )
    if birth_date and admitted_on and admitted_on < birth_date:
        out.append(DateProblem("admitted_on", _("Ngày vào Đảng trước ngày sinh.")))
    elif birth_date and admitted_on and not old_enough_for_admission(birth_date, admitted_on):
        # most often a mistyped year of birth or of admission
        out.append(
            DateProblem(
                "admitted_on",
                _("Ngày vào Đảng (%(admitted)s) khi chưa đủ 18 tuổi (sinh ngày %(birth)s).")
                % {"admitted": _d(admitted_on), "birth": _d(birth_date)},
            )
        )
    for field, day, what in (
        ("placed_on", placed_on, _PLACED_ON),
        ("exempt_on", exempt_on, _EXEMPT_ON),
    ):
        if day and admitted_on and day < admitted_on:
            out.append(
                DateProblem(
                    field,
                    _("%(what)s (%(day)s) trước ngày vào Đảng (%(admitted)s).")
                    % {"what": what, "day": _d(day), "admitted": _d(admitted_on)},
                )
            )
        elif day and day > date.today():
            out.append(
                DateProblem(
                    field,
                    _("%(what)s (%(day)s) không được sau ngày hôm nay.")
                    % {"what": what, "day": _d(day)},
                )
            )
    return out


def exemption_reason_for(gender: str, birth_date: date, day: date) -> str:
    """The reason of an exemption a dossier gives only the date of: age when the
    member was over the age then, otherwise "other"."""
    if qualifies_for_exemption_by_age(gender, birth_date, day):
        return Exemption.Reason.AGE
    return Exemption.Reason.OTHER


def past_rows(
    past: Past,
    *,
    member_id: int,
    unit_id: int,
    user_id: int | None,
    exemption_reason: str = "",
    exemption_note: str = "",
    note: str = "",
) -> tuple[list[dict], list[dict], list[dict]]:
    """The StatusPeriod, Placement and Exemption rows of a reconstructed past,
    as {attname: value}: what member_create_with_past and the roster import
    both insert. `note` is str(RECONSTRUCTED), which a caller writing
    thousands of pasts translates once."""
    note = note or str(RECONSTRUCTED)
    statuses = [
        {
            "member_id": member_id,
            "status": status,
            "valid_from": start,
            "valid_to": end,
            "note": note,
            "created_by_id": user_id,
        }
        for status, start, end in past.statuses
    ]
    placements = [
        {
            "member_id": member_id,
            "unit_id": unit_id,
            "kind": PlacementKind.PERMANENT,
            "valid_from": past.placed_on,
            "reason": note,
            "created_by_id": user_id,
        }
    ]
    exemptions = []
    if past.exempt_on:
        exemptions.append(
            {
                "member_id": member_id,
                "reason": exemption_reason or Exemption.Reason.OTHER,
                "valid_from": past.exempt_on,
                "note": (f"{note}: {exemption_note}" if exemption_note else note)[:255],
                "created_by_id": user_id,
            }
        )
    return statuses, placements, exemptions


@transaction.atomic
def member_create_with_past(
    *,
    actor,
    unit: Unit,
    admitted_on: date,
    official_on: date | None = None,
    placed_on: date | None = None,
    exempt_on: date | None = None,
    exemption_reason: str = "",
    record: bool = True,
    **profile,
) -> Member:
    """Enter a member already in a cell with the past their dossier's dates
    tell (reconstruct_past): probationary from the admission, official from
    the official date, exempt from the exemption date, in the cell from
    `placed_on` or the admission. The rows are marked "theo dữ liệu nhập"."""
    _check_reach(actor, unit)
    errors = [
        p.message
        for p in past_problems(
            birth_date=profile.get("birth_date"),
            admitted_on=admitted_on,
            official_on=official_on,
            placed_on=placed_on,
            exempt_on=exempt_on,
        )
        if not p.warning
    ]
    if errors:
        raise ServiceError(errors)
    _not_future(admitted_on, _("Ngày vào Đảng"))
    if official_on:
        _not_future(official_on, _("Ngày chính thức"))
    past = reconstruct_past(
        admitted_on=admitted_on,
        official_on=official_on,
        founded_on=unit.founded_on,
        placed_on=placed_on,
        exempt_on=exempt_on,
    )
    validate_cell(unit, past.placed_on)
    if exemption_reason and exemption_reason not in Exemption.Reason.values:
        raise ServiceError(_("Lý do miễn sinh hoạt không hợp lệ."))
    member = Member(
        unit=unit,
        status=past.status,
        is_exempt=exempt_on is not None,
        admitted_on=admitted_on,
        official_on=official_on,
        **profile,
    )
    _validate_profile(member)
    member._history_user = _user(actor)
    member._change_reason = str(RECONSTRUCTED)
    member.save()
    statuses, placements, exemptions = past_rows(
        past,
        member_id=member.pk,
        unit_id=unit.pk,
        user_id=getattr(_user(actor), "pk", None),
        exemption_reason=exemption_reason
        or (exempt_on and exemption_reason_for(member.gender, member.birth_date, exempt_on))
        or "",
    )
    StatusPeriod.objects.bulk_create([StatusPeriod(**row) for row in statuses])
    Placement.objects.bulk_create([Placement(**row) for row in placements])
    Exemption.objects.bulk_create([Exemption(**row) for row in exemptions])
    # bulk_create sends no signals: the cell's maintained counts (MemberCount)
    # now, or at the end of the caller's counts_deferred() block
    touch_units([unit.pk])
    if record:
        audit_record(
            actor=actor,
            action="member_create",
            target=member,
            unit=unit,
            summary=_("Nhập hồ sơ %(name)s vào %(unit)s (quá trình theo dữ liệu nhập)")
            % {"name": member.full_name, "unit": unit.name},
        )
    return member


def _validate_profile(member: Member) -> None:
    if member.admitted_on and member.official_on and member.official_on < member.admitted_on:
        raise ServiceError(
            _("Ngày chính thức (%(official)s) trước ngày vào Đảng (%(admitted)s).")
            % {"official": _d(member.official_on), "admitted": _d(member.admitted_on)}
        )
    if member.birth_date and member.admitted_on and member.admitted_on < member.birth_date:
        raise ServiceError(_("Ngày vào Đảng trước ngày sinh."))
    if member.birth_date and member.birth_date > date.today():
        raise ServiceError(_("Ngày sinh không được sau ngày hôm nay."))
    others = Member.objects.exclude(pk=member.pk) if member.pk else Member.objects.all()
    if member.card_number and others.filter(card_number=member.card_number).exists():
        raise ServiceError(
            _("Số thẻ đảng viên %(card)s đã được dùng cho một đảng viên khác.")
            % {"card": member.card_number}
        )
    if member.national_id and others.filter(national_id=member.national_id).exists():
        raise ServiceError(
            _("Số CCCD %(id)s đã được dùng cho một người khác.") % {"id": member.national_id}
        )
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
    scope: str = "",
) -> Placement:
    """Move a member's permanent placement to `unit` from `day`; `scope` (a
    TransferScope) marks the move as a transfer on both rows.

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
        current.left_to = scope
        current.save(update_fields=["valid_to", "left_to"])
    placement = Placement.objects.create(
        member=member,
        unit=unit,
        kind=PlacementKind.PERMANENT,
        valid_from=day,
        reason=reason,
        decision_number=decision_number,
        arrived_from=scope if current is not None else "",
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


# --- The lifecycle (Điều lệ Đảng, Điều 4-8) ------------------------------------
#
# Every step below: checks the actor may edit the member's cell, refuses
# impossible dates before writing anything, appends to the histories (status,
# placement, exemption, discipline, candidacy) without overwriting, refreshes
# the cached Member.status / unit / is_exempt, and records an audit event.
# An actor of None is the system itself (demo data, imports run by a command).

LIVE_STATUSES = (Status.CANDIDATE, Status.PROBATIONARY, Status.OFFICIAL)

# Profile fields an office may edit directly; the party data that the lifecycle
# sets (status, cell, dates of admission) go through the lifecycle services.
PROFILE_FIELDS = (
    "full_name",
    "gender",
    "birth_date",
    "birthplace",
    "home_town",
    "residence",
    "ethnicity",
    "religion",
    "national_id",
    "phone",
    "education",
    "qualification",
    "theory_level",
    "academic_title",
    "occupation",
    "occupation_category",
    "position",
    "is_civil_servant",
    "is_retired",
    "workplace",
    "is_youth_union_member",
    "is_discharged_soldier",
    "is_private_business_owner",
    "married_to_foreigner",
    "admitted_on",
    "probation_from",
    "is_readmitted",
    "official_on",
    "card_number",
    "dossier_number",
)


def _check_reach(actor, unit: Unit | None) -> None:
    if not getattr(actor, "pk", None):
        return
    if unit is None or not can_edit(actor, unit):
        raise ServiceError(_("Bạn không có quyền thay đổi hồ sơ đảng viên này."))


def _not_future(day: date, what: str) -> None:
    if day > date.today():
        raise ServiceError(
            _("%(what)s (%(day)s) không được sau ngày hôm nay.") % {"what": what, "day": _d(day)}
        )


def _lock(member: Member) -> Member:
    return Member.objects.select_for_update().get(pk=member.pk)


def _require_status(member: Member, allowed: tuple, message: str) -> None:
    if member.status not in allowed:
        raise ServiceError(
            message % {"name": member.full_name, "status": member.get_status_display()}
        )


def _save(member: Member, actor, fields: list[str], reason: str) -> None:
    """Save profile fields so the dossier history (simple_history) records who
    changed them and why."""
    member._history_user = _user(actor)
    member._change_reason = reason
    member.save(update_fields=fields)


def _change_status(
    member: Member, status: str, day: date, actor, *, decision_number: str = "", note: str = ""
) -> StatusPeriod:
    current = member.status_periods.filter(valid_to__isnull=True).first()
    if current is not None:
        if day <= current.valid_from:
            raise ServiceError(
                _(
                    "Ngày %(day)s phải sau ngày bắt đầu tình trạng hiện tại "
                    "(“%(status)s” từ %(since)s)."
                )
                % {
                    "day": _d(day),
                    "status": current.get_status_display(),
                    "since": _d(current.valid_from),
                }
            )
        current.valid_to = day
        current.save(update_fields=["valid_to"])
    period = StatusPeriod.objects.create(
        member=member,
        status=status,
        valid_from=day,
        decision_number=decision_number,
        note=note[:255],
        created_by=_user(actor),
    )
    member.status = status
    Member.objects.filter(pk=member.pk).update(status=status)
    return period


def _close(rows, day: date, what: str) -> None:
    """End open (or later-ending) history rows on `day`."""
    for row in rows:
        if day <= row.valid_from:
            raise ServiceError(
                _("Ngày %(day)s phải sau ngày bắt đầu %(what)s (%(since)s).")
                % {"day": _d(day), "what": what, "since": _d(row.valid_from)}
            )
        row.valid_to = day
        row.save(update_fields=["valid_to"])


def _open_or_later(qs, day: date):
    return list(qs.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day)))


def _end_membership(
    member: Member, status: str, day: date, actor, *, decision_number: str = "", note: str = ""
) -> None:
    """The member leaves the roll on `day` (transfer out, removal, expulsion,
    death, not admitted): the status changes and every open placement,
    exemption and residence contact ends that day. `Member.unit` keeps the last
    cell so the office that kept the dossier still finds it."""
    _change_status(member, status, day, actor, decision_number=decision_number, note=note)
    _close(_open_or_later(member.placements.all(), day), day, _("sinh hoạt tại chi bộ"))
    _close(_open_or_later(member.exemptions.all(), day), day, _("miễn sinh hoạt"))
    _close(_open_or_later(member.residence_contacts.all(), day), day, _("sinh hoạt nơi cư trú"))
    if member.is_exempt:
        member.is_exempt = False
        Member.objects.filter(pk=member.pk).update(is_exempt=False)


def _audit(actor, action: str, member: Member, summary: str, data: dict | None = None) -> None:
    audit_record(
        actor=actor, action=action, target=member, unit=member.unit, summary=summary, data=data
    )


PARTY_DATES = {
    "admitted_on": gettext_lazy("Ngày vào Đảng"),
    "probation_from": gettext_lazy("Ngày kết nạp (lễ)"),
    "official_on": gettext_lazy("Ngày chính thức"),
}


def _check_party_dates(member: Member, changed: list[str]) -> None:
    """A dossier correction may fix the party dates, not take the lifecycle
    steps they record: admission and recognition have their own services
    (and votes), as the import also insists."""
    for field in changed:
        if field in PARTY_DATES and getattr(member, field):
            _not_future(getattr(member, field), PARTY_DATES[field])
    if (
        "official_on" in changed
        and member.official_on
        and member.status
        in (
            Status.CANDIDATE,
            Status.PROBATIONARY,
        )
    ):
        raise ServiceError(
            _(
                "%(name)s đang là “%(status)s”: công nhận chính thức phải làm theo thủ tục "
                "công nhận, không qua sửa hồ sơ."
            )
            % {"name": member.full_name, "status": member.get_status_display()}
        )
    if (
        {"admitted_on", "probation_from"} & set(changed)
        and member.status == Status.CANDIDATE
        and (member.admitted_on or member.probation_from)
    ):
        raise ServiceError(
            _(
                "%(name)s đang là quần chúng: kết nạp phải làm theo thủ tục kết nạp, "
                "không qua sửa hồ sơ."
            )
            % {"name": member.full_name}
        )


def _record_profile_changes(
    member: Member, before: dict, changed: list[str], changed_on: date, actor
) -> list[str]:
    """Dated rows for the counted fields that really changed on `changed_on`
    (members.models.ProfileChange), so a form for an earlier date still reads
    the earlier value. Changes of one field are kept in date order."""
    dated = [f for f in changed if f in DATED_PROFILE_FIELDS]
    if not dated:
        return []
    _not_future(changed_on, _("Ngày thay đổi"))
    if member.birth_date and changed_on < member.birth_date:
        raise ServiceError(_("Ngày thay đổi trước ngày sinh."))
    later = (
        member.profile_changes.filter(field__in=dated, changed_on__gt=changed_on)
        .order_by("-changed_on")
        .first()
    )
    if later is not None:
        raise ServiceError(
            _(
                "Đã ghi một thay đổi “%(field)s” từ ngày %(later)s, sau ngày %(day)s: "
                "các thay đổi phải ghi theo thứ tự ngày."
            )
            % {
                "field": Member._meta.get_field(later.field).verbose_name,
                "later": _d(later.changed_on),
                "day": _d(changed_on),
            }
        )
    ProfileChange.objects.bulk_create(
        ProfileChange(
            member=member,
            field=f,
            previous=profile_stored(f, before[f]),
            value=profile_stored(f, getattr(member, f)),
            changed_on=changed_on,
            created_by=_user(actor),
        )
        for f in dated
    )
    return dated


@transaction.atomic
def member_update(*, actor, member: Member, changed_on: date | None = None, **changes) -> Member:
    """Correct or complete a member's dossier. Every change is kept, with who
    made it and the previous value (the dossier is confidential).

    With `changed_on`, the counted fields that change (education, levels,
    occupation, …: members.choices.DATED_PROFILE_FIELDS) changed in fact on
    that day, and a form for an earlier date keeps the earlier value; without
    it the edit corrects a wrong entry, for every date."""
    member = _lock(member)
    _check_reach(actor, member.unit)
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ServiceError(_("Không thể sửa các trường: %s") % ", ".join(sorted(unknown)))
    before = {f: getattr(member, f) for f in changes}
    for field, value in changes.items():
        setattr(member, field, value)
    changed = [f for f in changes if getattr(member, f) != before[f]]
    if not changed:
        return member
    _check_party_dates(member, changed)
    _validate_profile(member)
    dated = []
    if changed_on is not None:
        dated = _record_profile_changes(member, before, changed, changed_on, actor)
    fields = changed + (["sort_key", "search_name"] if "full_name" in changed else [])
    _save(member, actor, fields, _("Sửa hồ sơ"))
    _audit(
        actor,
        "member_update",
        member,
        _("Sửa hồ sơ %(name)s") % {"name": member.full_name},
        {"fields": changed, **({"changed_on": changed_on, "dated": dated} if dated else {})},
    )
    return member


@transaction.atomic
def member_propose_candidate(
    *,
    actor,
    unit: Unit,
    proposed_on: date,
    helpers: tuple[Member, Member] | list[Member],
    **profile,
) -> Member:
    """A cell proposes a candidate (quần chúng ưu tú) and assigns two of its
    official members to help them (Điều lệ Đảng, Điều 4)."""
    _check_reach(actor, unit)
    _not_future(proposed_on, _("Ngày đề nghị"))
    helpers = [h for h in helpers if h is not None]
    if len(helpers) != 2 or helpers[0].pk == helpers[1].pk:
        raise ServiceError(_("Cần phân công đúng hai đảng viên chính thức khác nhau giúp đỡ."))
    for helper in helpers:
        helper.refresh_from_db(fields=["status", "unit"])
        if helper.status != Status.OFFICIAL or helper.unit_id != unit.pk:
            raise ServiceError(
                _("%(name)s không phải là đảng viên chính thức của %(unit)s nên không thể giúp đỡ.")
                % {"name": helper.full_name, "unit": unit.name}
            )
    member = member_create(
        actor=actor, unit=unit, status=Status.CANDIDATE, since=proposed_on, record=False, **profile
    )
    Candidacy.objects.create(
        member=member,
        unit=unit,
        proposed_on=proposed_on,
        helper_1=helpers[0],
        helper_2=helpers[1],
        created_by=_user(actor),
    )
    _audit(
        actor,
        "member_propose_candidate",
        member,
        _("Đề nghị kết nạp quần chúng %(name)s tại %(unit)s")
        % {"name": member.full_name, "unit": unit.name},
        {"helpers": [h.pk for h in helpers]},
    )
    return member


@transaction.atomic
def member_admit(
    *,
    actor,
    member: Member,
    decided_on: date,
    ceremony_on: date,
    decision_number: str = "",
    votes_for: int | None = None,
    officials: int | None = None,
) -> Member:
    """Admit a candidate as a probationary member. Party age counts from the
    decision; the twelve months of probation from the ceremony (Điều lệ, Điều 5).
    The cell's vote, when given (the page always asks for it), must reach two
    thirds of its official members (Quy định thi hành Điều lệ)."""
    member = _lock(member)
    _check_reach(actor, member.unit)
    _require_status(
        member,
        (Status.CANDIDATE,),
        _("%(name)s đang là “%(status)s”, không phải quần chúng chờ kết nạp."),
    )
    _not_future(decided_on, _("Ngày quyết định kết nạp"))
    _not_future(ceremony_on, _("Ngày lễ kết nạp"))
    if ceremony_on < decided_on:
        raise ServiceError(
            _("Lễ kết nạp (%(ceremony)s) không thể trước ngày quyết định kết nạp (%(decided)s).")
            % {"ceremony": _d(ceremony_on), "decided": _d(decided_on)}
        )
    if not old_enough_for_admission(member.birth_date, decided_on):
        raise ServiceError(_("Người được kết nạp phải đủ 18 tuổi vào ngày quyết định kết nạp."))
    note = ""
    if votes_for is not None or officials is not None:
        _check_two_thirds(votes_for or 0, officials or 0)
        note = _vote_note(votes_for, officials)
    _change_status(
        member,
        Status.PROBATIONARY,
        decided_on,
        actor,
        decision_number=decision_number,
        note=note,
    )
    Candidacy.objects.filter(member=member, outcome=Candidacy.Outcome.PENDING).update(
        outcome=Candidacy.Outcome.ADMITTED, decided_on=decided_on, decision_number=decision_number
    )
    member.admitted_on, member.probation_from = decided_on, ceremony_on
    _save(member, actor, ["admitted_on", "probation_from"], _("Kết nạp"))
    _audit(
        actor,
        "member_admit",
        member,
        _("Kết nạp %(name)s (quyết định ngày %(day)s)")
        % {"name": member.full_name, "day": _d(decided_on)},
        {"decided_on": decided_on, "ceremony_on": ceremony_on},
    )
    return member


def _check_two_thirds(votes_for: int, officials: int) -> None:
    """Admission and recognition need two thirds of the cell's official
    members (Quy định thi hành Điều lệ)."""
    if votes_for < 0 or officials <= 0 or votes_for > officials:
        raise ServiceError(_("Số phiếu biểu quyết không hợp lệ."))
    if not two_thirds_reached(votes_for, officials):
        raise ServiceError(
            _("Chỉ %(for)s/%(total)s đảng viên chính thức tán thành, chưa đủ hai phần ba.")
            % {"for": votes_for, "total": officials}
        )


def _vote_note(votes_for, officials) -> str:
    return _("Biểu quyết: %(for)s/%(total)s tán thành") % {"for": votes_for, "total": officials}


@transaction.atomic
def member_recognize_official(
    *,
    actor,
    member: Member,
    day: date,
    votes_for: int,
    officials: int,
    decision_number: str = "",
    card_number: str = "",
) -> Member:
    """Recognise a probationary member as official once the twelve months are
    served and two thirds of the cell's official members voted for it (Điều lệ,
    Điều 5; Quy định thi hành Điều lệ)."""
    member = _lock(member)
    _check_reach(actor, member.unit)
    _require_status(
        member,
        (Status.PROBATIONARY,),
        _("%(name)s đang là “%(status)s”, không phải đảng viên dự bị."),
    )
    _not_future(day, _("Ngày công nhận chính thức"))
    start = member.probation_from or member.admitted_on
    if start and day < member.admitted_on:
        raise ServiceError(
            _("Ngày chính thức (%(official)s) trước ngày vào Đảng (%(admitted)s).")
            % {"official": _d(day), "admitted": _d(member.admitted_on)}
        )
    if start and not may_be_recognized_on(start, day):
        raise ServiceError(
            _("Chưa đủ 12 tháng dự bị: chỉ công nhận chính thức từ ngày %(day)s.")
            % {"day": _d(probation_ends_on(start))}
        )
    _check_two_thirds(votes_for, officials)
    fields = ["official_on"]
    member.official_on = day
    if card_number:
        member.card_number = card_number.strip()
        fields.append("card_number")
    _validate_profile(member)
    _change_status(
        member,
        Status.OFFICIAL,
        day,
        actor,
        decision_number=decision_number,
        note=_vote_note(votes_for, officials),
    )
    _save(member, actor, fields, _("Công nhận đảng viên chính thức"))
    _audit(
        actor,
        "member_recognize_official",
        member,
        _("Công nhận %(name)s là đảng viên chính thức từ %(day)s")
        % {"name": member.full_name, "day": _d(day)},
        {"votes_for": votes_for, "officials": officials},
    )
    return member


@transaction.atomic
def member_reject(*, actor, member: Member, day: date, reason: str = "", decision_number: str = ""):
    """A candidate not admitted, or a probationary member not recognised as
    official (who is then removed from the roll, Điều lệ, Điều 5)."""
    member = _lock(member)
    _check_reach(actor, member.unit)
    _require_status(
        member,
        (Status.CANDIDATE, Status.PROBATIONARY),
        _(
            "%(name)s đang là “%(status)s”: chỉ quần chúng hoặc đảng viên dự bị mới có thể không được kết nạp / công nhận."
        ),
    )
    _not_future(day, _("Ngày quyết định"))
    if member.status == Status.CANDIDATE:
        _end_membership(
            member, Status.NOT_ADMITTED, day, actor, decision_number=decision_number, note=reason
        )
        Candidacy.objects.filter(member=member, outcome=Candidacy.Outcome.PENDING).update(
            outcome=Candidacy.Outcome.NOT_ADMITTED, decided_on=day, note=reason[:255]
        )
        summary = _("Không kết nạp %(name)s")
    else:
        note = _("Không công nhận đảng viên chính thức") + (f": {reason}" if reason else "")
        _end_membership(
            member, Status.REMOVED, day, actor, decision_number=decision_number, note=note
        )
        summary = _("Không công nhận chính thức, xóa tên %(name)s")
    _audit(actor, "member_reject", member, summary % {"name": member.full_name}, {"day": day})
    return member


@transaction.atomic
def member_receive(
    *,
    actor,
    unit: Unit,
    day: date,
    arrived_from: str,
    decision_number: str = "",
    **profile,
) -> Member:
    """Tiếp nhận a member transferred in (chuyển sinh hoạt đảng chính thức đến)
    from a committee this system does not keep, with the introduction letter's
    number: the dossier, the status the party dates give (official with an
    official date, else probationary), and the first placement from `day`
    marked with where the member came from (Biểu 1 B2a / B2b). Their party
    status before the arrival is the one the dates tell (member_create_with_past)."""
    _check_reach(actor, unit)
    _not_future(day, _("Ngày tiếp nhận"))
    if arrived_from not in TransferScope.values:
        raise ServiceError(
            _("Cần chọn nơi chuyển đến từ: %(kinds)s.")
            % {"kinds": "; ".join(str(label) for label in TransferScope.labels)}
        )
    admitted = profile.get("admitted_on")
    if admitted is None:
        raise ServiceError(_("Cần ghi ngày vào Đảng của đảng viên chuyển đến."))
    _not_future(admitted, _("Ngày vào Đảng"))
    if admitted > day:
        raise ServiceError(_("Ngày vào Đảng sau ngày tiếp nhận."))
    official = profile.get("official_on")
    if official is not None and official > day:
        raise ServiceError(_("Ngày chính thức sau ngày tiếp nhận."))
    # probationary from the admission and official from the official date
    # (elsewhere: the Party is one), in this cell from the day of arrival
    member = member_create_with_past(actor=actor, unit=unit, placed_on=day, record=False, **profile)
    member.placements.filter(kind=PlacementKind.PERMANENT, valid_from=day).update(
        arrived_from=arrived_from,
        decision_number=decision_number,
        reason=_("Chuyển sinh hoạt đến"),
    )
    # an update sends no signal: the kept runs on the list read the origin
    runs_refresh([member.pk])
    _audit(
        actor,
        "member_receive",
        member,
        _("Tiếp nhận %(name)s chuyển sinh hoạt đến %(unit)s từ %(day)s (%(kind)s)")
        % {
            "name": member.full_name,
            "unit": unit.name,
            "day": _d(day),
            "kind": TransferScope(arrived_from).label,
        },
        {"day": day, "scope": arrived_from},
    )
    return member


MEMBER_ONLY = gettext_lazy("%(name)s đang là “%(status)s”, không phải đảng viên đang sinh hoạt.")


@transaction.atomic
def member_transfer_permanent(
    *, actor, member: Member, unit: Unit, day: date, decision_number: str = "", reason: str = ""
) -> Placement:
    """Chuyển sinh hoạt đảng chính thức to another cell in the system."""
    member = _lock(member)
    _check_reach(actor, member.unit)
    _check_reach(actor, unit)
    _require_status(member, LIVE_STATUSES, MEMBER_ONLY)
    _not_future(day, _("Ngày chuyển sinh hoạt"))
    scope = transfer_scope_between(member.unit, unit, day) if member.unit else ""
    placement = member_place(
        actor=actor,
        member=member,
        unit=unit,
        day=day,
        reason=reason or _("Chuyển sinh hoạt đảng chính thức"),
        decision_number=decision_number,
        record=False,
        scope=scope,
    )
    member.refresh_from_db(fields=["unit"])
    _audit(
        actor,
        "member_transfer_permanent",
        member,
        _("Chuyển sinh hoạt chính thức %(name)s sang %(unit)s từ %(day)s (%(scope)s)")
        % {
            "name": member.full_name,
            "unit": unit.name,
            "day": _d(day),
            "scope": TransferScope(scope).label if scope else "—",
        },
        {"to": unit.pk, "day": day, "scope": scope},
    )
    return placement


def _chain_on(unit: Unit, day: date) -> list[tuple[int, str]]:
    """The unit's ancestors and itself on `day`, as (id, level) from the root."""
    versions = {v.unit_id: v for v in UnitVersion.objects.filter(valid_on(day), unit=unit)}
    path = versions[unit.pk].path if unit.pk in versions else unit.path
    ids = path_ids(path)
    levels = dict(Unit.objects.filter(pk__in=ids).values_list("pk", "level"))
    levels.update(
        UnitVersion.objects.filter(valid_on(day), unit_id__in=ids).values_list("unit_id", "level")
    )
    return [(pk, levels.get(pk, "")) for pk in ids]


def transfer_scope_between(origin: Unit, destination: Unit, day: date) -> str:
    """members.rules.transfer_scope for two cells of the tree as it was on `day`."""
    return transfer_scope(_chain_on(origin, day), _chain_on(destination, day))


@transaction.atomic
def member_transfer_out(
    *,
    actor,
    member: Member,
    day: date,
    destination: str,
    destination_kind: str,
    decision_number: str = "",
) -> Member:
    """Chuyển sinh hoạt đảng ra ngoài (to a committee this system does not
    keep). `destination_kind` (a TransferScope) is how Biểu 1 counts it: to
    another province, to another district of the province, or inside."""
    member = _lock(member)
    _check_reach(actor, member.unit)
    _require_status(member, (Status.PROBATIONARY, Status.OFFICIAL), MEMBER_ONLY)
    _not_future(day, _("Ngày chuyển sinh hoạt"))
    if not destination.strip():
        raise ServiceError(_("Cần ghi nơi chuyển đến."))
    if destination_kind not in TransferScope.values:
        raise ServiceError(
            _("Cần chọn nơi chuyển đến thuộc: %(kinds)s.")
            % {"kinds": "; ".join(str(label) for label in TransferScope.labels)}
        )
    note = _("Chuyển đến: %(dest)s") % {"dest": destination.strip()}
    _end_membership(
        member, Status.TRANSFERRED_OUT, day, actor, decision_number=decision_number, note=note
    )
    member.placements.filter(kind=PlacementKind.PERMANENT, valid_to=day).update(
        left_to=destination_kind
    )
    # an update sends no signal: the kept runs on the list read the destination
    runs_refresh([member.pk])
    _audit(
        actor,
        "member_transfer_out",
        member,
        _("Chuyển sinh hoạt %(name)s ra ngoài (%(dest)s)")
        % {"name": member.full_name, "dest": destination.strip()},
        {"day": day, "scope": destination_kind},
    )
    return member


@transaction.atomic
def member_transfer_temporary(
    *,
    actor,
    member: Member,
    host: Unit,
    day: date,
    until: date | None = None,
    reason: str = "",
    decision_number: str = "",
) -> Placement:
    """Sinh hoạt tạm thời at a host cell, beside the home placement. The member
    stays counted at home, not at the host (Quy định thi hành Điều lệ)."""
    member = _lock(member)
    _check_reach(actor, member.unit)
    _require_status(member, (Status.PROBATIONARY, Status.OFFICIAL), MEMBER_ONLY)
    _not_future(day, _("Ngày bắt đầu sinh hoạt tạm thời"))
    validate_cell(host, day)
    home = member.placements.filter(kind=PlacementKind.PERMANENT, valid_to__isnull=True).first()
    if home is not None and host.pk == home.unit_id:
        raise ServiceError(_("Chi bộ sinh hoạt tạm thời phải khác chi bộ sinh hoạt chính thức."))
    if home is not None and day < home.valid_from:
        raise ServiceError(
            _("Ngày %(day)s trước ngày bắt đầu sinh hoạt ở chi bộ hiện tại (%(since)s).")
            % {"day": _d(day), "since": _d(home.valid_from)}
        )
    if until is not None and until <= day:
        raise ServiceError(_("Ngày kết thúc sinh hoạt tạm thời phải sau ngày bắt đầu."))
    if until is not None and not temporary_transfer_fits(day, until):
        raise ServiceError(
            _(
                "Sinh hoạt tạm thời từ 3 tháng đến dưới 1 năm (đi học: đến 2 năm). Vắng dưới "
                "3 tháng không cần chuyển sinh hoạt; lâu hơn 2 năm thì chuyển sinh hoạt chính thức."
            )
        )
    if _open_or_later(member.placements.filter(kind=PlacementKind.TEMPORARY), day):
        raise ServiceError(
            _("%(name)s đang sinh hoạt tạm thời ở nơi khác; cần kết thúc trước.")
            % {"name": member.full_name}
        )
    placement = Placement.objects.create(
        member=member,
        unit=host,
        kind=PlacementKind.TEMPORARY,
        valid_from=day,
        valid_to=until,
        reason=reason or _("Sinh hoạt tạm thời"),
        decision_number=decision_number,
        created_by=_user(actor),
    )
    _audit(
        actor,
        "member_transfer_temporary",
        member,
        _("%(name)s sinh hoạt tạm thời tại %(unit)s từ %(day)s")
        % {"name": member.full_name, "unit": host.name, "day": _d(day)},
        {"host": host.pk, "day": day, "until": until},
    )
    return placement


@transaction.atomic
def member_return_temporary(*, actor, member: Member, day: date) -> Placement:
    """End a temporary transfer: the member is back at the home cell only."""
    member = _lock(member)
    _check_reach(actor, member.unit)
    _not_future(day, _("Ngày trở về"))
    rows = _open_or_later(member.placements.filter(kind=PlacementKind.TEMPORARY), day)
    if not rows:
        raise ServiceError(
            _("%(name)s không sinh hoạt tạm thời ở đâu vào ngày %(day)s.")
            % {"name": member.full_name, "day": _d(day)}
        )
    _close(rows, day, _("sinh hoạt tạm thời"))
    _audit(
        actor,
        "member_return_temporary",
        member,
        _("%(name)s kết thúc sinh hoạt tạm thời ngày %(day)s")
        % {"name": member.full_name, "day": _d(day)},
        {"day": day},
    )
    return rows[0]


@transaction.atomic
def member_exempt(
    *, actor, member: Member, day: date, reason: str, decision_number: str = "", note: str = ""
) -> Exemption:
    """Miễn công tác và sinh hoạt đảng, for age (men over 60, women over 55) or
    health (Hướng dẫn thi hành Điều lệ)."""
    member = _lock(member)
    _check_reach(actor, member.unit)
    _require_status(member, (Status.PROBATIONARY, Status.OFFICIAL), MEMBER_ONLY)
    _not_future(day, _("Ngày miễn sinh hoạt"))
    if reason not in Exemption.Reason.values:
        raise ServiceError(_("Lý do miễn sinh hoạt không hợp lệ."))
    if reason == Exemption.Reason.AGE and not qualifies_for_exemption_by_age(
        member.gender, member.birth_date, day
    ):
        raise ServiceError(
            _("%(name)s chưa đủ tuổi được miễn sinh hoạt (nam trên 60, nữ trên 55 tuổi).")
            % {"name": member.full_name}
        )
    if _open_or_later(member.exemptions.all(), day):
        raise ServiceError(_("%(name)s đang được miễn sinh hoạt.") % {"name": member.full_name})
    exemption = Exemption.objects.create(
        member=member,
        reason=reason,
        valid_from=day,
        decision_number=decision_number,
        note=note[:255],
        created_by=_user(actor),
    )
    Member.objects.filter(pk=member.pk).update(is_exempt=True)
    _audit(
        actor,
        "member_exempt",
        member,
        _("Miễn sinh hoạt cho %(name)s từ %(day)s") % {"name": member.full_name, "day": _d(day)},
        {"reason": reason, "day": day},
    )
    return exemption


@transaction.atomic
def member_end_exemption(*, actor, member: Member, day: date) -> Exemption:
    member = _lock(member)
    _check_reach(actor, member.unit)
    _not_future(day, _("Ngày thôi miễn sinh hoạt"))
    rows = _open_or_later(member.exemptions.all(), day)
    if not rows:
        raise ServiceError(_("%(name)s không được miễn sinh hoạt.") % {"name": member.full_name})
    _close(rows, day, _("miễn sinh hoạt"))
    Member.objects.filter(pk=member.pk).update(is_exempt=False)
    _audit(
        actor,
        "member_end_exemption",
        member,
        _("%(name)s thôi miễn sinh hoạt từ %(day)s") % {"name": member.full_name, "day": _d(day)},
        {"day": day},
    )
    return rows[0]


@transaction.atomic
def member_remove(
    *, actor, member: Member, day: date, ground: str, note: str = "", decision_number: str = ""
) -> Member:
    """Xóa tên khỏi danh sách đảng viên (Điều lệ Đảng, Điều 8), on one of the
    grounds in members/rules.py."""
    member = _lock(member)
    _check_reach(actor, member.unit)
    _require_status(member, (Status.PROBATIONARY, Status.OFFICIAL), MEMBER_ONLY)
    _not_future(day, _("Ngày xóa tên"))
    if ground not in RemovalGround.values:
        raise ServiceError(_("Cần chọn lý do xóa tên."))
    text = str(RemovalGround(ground).label) + (f": {note}" if note else "")
    _end_membership(member, Status.REMOVED, day, actor, decision_number=decision_number, note=text)
    _audit(
        actor,
        "member_remove",
        member,
        _("Xóa tên %(name)s từ %(day)s") % {"name": member.full_name, "day": _d(day)},
        {"ground": ground, "day": day},
    )
    return member


@transaction.atomic
def member_discipline(
    *,
    actor,
    member: Member,
    form: str,
    day: date,
    fault: str,
    self_reported: bool = False,
    corrected: bool = False,
    decision_number: str = "",
    level: str = "",
) -> Discipline:
    """Record a disciplinary measure; expulsion (khai trừ) also ends membership."""
    member = _lock(member)
    _check_reach(actor, member.unit)
    _require_status(member, (Status.PROBATIONARY, Status.OFFICIAL), MEMBER_ONLY)
    _not_future(day, _("Ngày quyết định kỷ luật"))
    if form not in Discipline.Form.values:
        raise ServiceError(_("Hình thức kỷ luật không hợp lệ."))
    if not fault.strip():
        raise ServiceError(_("Cần ghi nội dung vi phạm."))
    if level and level not in DecisionLevel.values:
        raise ServiceError(_("Cấp quyết định kỷ luật không hợp lệ."))
    discipline = Discipline.objects.create(
        level=level,
        member=member,
        form=form,
        decided_on=day,
        fault=fault.strip(),
        decision_number=decision_number,
        self_reported=self_reported,
        corrected=corrected,
        created_by=_user(actor),
    )
    if form == Discipline.Form.EXPULSION:
        _end_membership(
            member, Status.EXPELLED, day, actor, decision_number=decision_number, note=fault[:255]
        )
    _audit(
        actor,
        "member_discipline",
        member,
        _("Kỷ luật %(name)s: %(form)s")
        % {"name": member.full_name, "form": discipline.get_form_display()},
        {"form": form, "day": day},
    )
    return discipline


def member_expel(*, actor, member: Member, day: date, fault: str, decision_number: str = ""):
    """Khai trừ: the heaviest discipline, which ends membership."""
    return member_discipline(
        actor=actor,
        member=member,
        form=Discipline.Form.EXPULSION,
        day=day,
        fault=fault,
        decision_number=decision_number,
    )


@transaction.atomic
def member_record_death(*, actor, member: Member, day: date, note: str = "") -> Member:
    member = _lock(member)
    _check_reach(actor, member.unit)
    _require_status(member, LIVE_STATUSES, _("%(name)s đang là “%(status)s”."))
    _not_future(day, _("Ngày từ trần"))
    if day < member.birth_date:
        raise ServiceError(_("Ngày từ trần trước ngày sinh."))
    _end_membership(member, Status.DECEASED, day, actor, note=note)
    _audit(
        actor,
        "member_record_death",
        member,
        _("%(name)s từ trần ngày %(day)s") % {"name": member.full_name, "day": _d(day)},
        {"day": day},
    )
    return member


@transaction.atomic
def member_restore(
    *, actor, member: Member, unit: Unit, day: date, decision_number: str = "", note: str = ""
) -> Member:
    """Phục hồi đảng tịch: a member removed or expelled whose decision was
    annulled is an official member again from `day`, placed in `unit`
    (Biểu 1, B3). The earlier periods stay as they were."""
    member = _lock(member)
    _check_reach(actor, unit)
    _require_status(
        member,
        (Status.REMOVED, Status.EXPELLED),
        _("%(name)s đang là “%(status)s”, không phải người đã bị xóa tên hoặc khai trừ."),
    )
    _not_future(day, _("Ngày phục hồi đảng tịch"))
    validate_cell(unit, day)
    _change_status(
        member,
        Status.OFFICIAL,
        day,
        actor,
        decision_number=decision_number,
        note=(_("Phục hồi đảng tịch") + (f": {note}" if note else "")),
    )
    member_place(
        actor=actor,
        member=member,
        unit=unit,
        day=day,
        reason=_("Phục hồi đảng tịch"),
        decision_number=decision_number,
        record=False,
    )
    member.refresh_from_db(fields=["unit", "status"])
    _audit(
        actor,
        "member_restore",
        member,
        _("Phục hồi đảng tịch cho %(name)s từ %(day)s")
        % {"name": member.full_name, "day": _d(day)},
        {"unit": unit.pk, "day": day},
    )
    return member


# --- Residence contact (Quy định 213-QĐ/TW) and monthly evaluations ----------------


@transaction.atomic
def residence_contact_start(
    *, actor, member: Member, unit: Unit, day: date, address: str = ""
) -> ResidenceContact:
    """A working member starts keeping contact with the cell where they live;
    a previous contact ends that day."""
    member = _lock(member)
    _check_reach(actor, member.unit)
    _require_status(member, (Status.PROBATIONARY, Status.OFFICIAL), MEMBER_ONLY)
    _not_future(day, _("Ngày bắt đầu liên hệ nơi cư trú"))
    validate_cell(unit, day)
    if unit.pk == member.unit_id:
        raise ServiceError(_("Chi bộ nơi cư trú phải khác chi bộ nơi đảng viên sinh hoạt."))
    _close(_open_or_later(member.residence_contacts.all(), day), day, _("liên hệ nơi cư trú trước"))
    contact = ResidenceContact.objects.create(
        member=member, unit=unit, address=address, valid_from=day, created_by=_user(actor)
    )
    _audit(
        actor,
        "residence_contact_start",
        member,
        _("%(name)s giữ mối liên hệ với %(unit)s nơi cư trú")
        % {"name": member.full_name, "unit": unit.name},
        {"unit": unit.pk, "day": day},
    )
    return contact


@transaction.atomic
def residence_contact_end(*, actor, contact: ResidenceContact, day: date) -> ResidenceContact:
    _check_reach(actor, contact.member.unit)
    _not_future(day, _("Ngày kết thúc liên hệ"))
    if contact.valid_to is not None and contact.valid_to <= day:
        raise ServiceError(_("Mối liên hệ này đã kết thúc."))
    _close([contact], day, _("liên hệ nơi cư trú"))
    _audit(
        actor,
        "residence_contact_end",
        contact.member,
        _("%(name)s thôi liên hệ với %(unit)s")
        % {"name": contact.member.full_name, "unit": contact.unit.name},
        {"day": day},
    )
    return contact


@transaction.atomic
def residence_comment_record(
    *, actor, contact: ResidenceContact, year: int, comment: str
) -> ResidenceComment:
    """The residence cell's yearly comment (Quy định 213-QĐ/TW): routine data of
    that cell, so its secretary may write it."""
    if getattr(actor, "pk", None) and not can_edit(actor, contact.unit, routine=True):
        raise ServiceError(_("Chỉ chi bộ nơi cư trú mới được nhận xét đảng viên này."))
    if not comment.strip():
        raise ServiceError(_("Cần ghi nội dung nhận xét."))
    if year > date.today().year or year < contact.valid_from.year:
        raise ServiceError(
            _("Năm %(year)s không nằm trong thời gian liên hệ (từ %(since)s).")
            % {"year": year, "since": _d(contact.valid_from)}
        )
    if contact.valid_to is not None and year > contact.valid_to.year:
        raise ServiceError(_("Mối liên hệ đã kết thúc trước năm %(year)s.") % {"year": year})
    if ResidenceComment.objects.filter(contact=contact, year=year).exists():
        raise ServiceError(_("Chi bộ đã nhận xét năm %(year)s rồi.") % {"year": year})
    row = ResidenceComment.objects.create(
        contact=contact, year=year, comment=comment.strip(), created_by=_user(actor)
    )
    audit_record(
        actor=actor,
        action="residence_comment_record",
        target=contact.member,
        unit=contact.unit,
        summary=_("%(unit)s nhận xét %(name)s năm %(year)s")
        % {"unit": contact.unit.name, "name": contact.member.full_name, "year": year},
    )
    return row


@transaction.atomic
def evaluation_record(
    *, actor, member: Member, month: date, result: str, agency: str = "", note: str = ""
) -> CivilServantEvaluation:
    """A civil servant's monthly evaluation by their agency (seed 003), kept so
    the residence cell can see it."""
    _check_reach(actor, member.unit)
    if not member.is_civil_servant:
        raise ServiceError(
            _("%(name)s không phải là cán bộ, công chức.") % {"name": member.full_name}
        )

    if result not in Rating.values:
        raise ServiceError(_("Kết quả đánh giá không hợp lệ."))
    month = month.replace(day=1)
    if month > date.today():
        raise ServiceError(_("Không thể đánh giá tháng chưa đến."))
    if CivilServantEvaluation.objects.filter(member=member, month=month).exists():
        raise ServiceError(
            _("Đã có kết quả đánh giá tháng %(month)s.") % {"month": month.strftime("%m/%Y")}
        )
    row = CivilServantEvaluation.objects.create(
        member=member, month=month, result=result, agency=agency, note=note, created_by=_user(actor)
    )
    _audit(
        actor,
        "evaluation_record",
        member,
        _("Kết quả đánh giá tháng %(month)s của %(name)s")
        % {"month": month.strftime("%m/%Y"), "name": member.full_name},
    )
    return row


@transaction.atomic
def members_refresh_current(*, actor=None, day: date | None = None) -> dict[str, int]:
    """Bring the cached current cell, status and exemption of every member in
    line with the history on `day` (today by default).

    Services write history with any effective date, but update the cache only
    for dates already reached; a restructure decided now and effective next
    month is applied to the cache by this, run daily
    (`manage.py apply_scheduled_changes`). Idempotent; a handful of UPDATEs
    whatever the number of members.
    """
    day = day or date.today()
    placement = Placement.objects.filter(
        valid_on(day), member=OuterRef("pk"), kind=PlacementKind.PERMANENT
    ).values("unit_id")[:1]
    status = StatusPeriod.objects.filter(valid_on(day), member=OuterRef("pk")).values("status")[:1]
    exemption = Exemption.objects.filter(valid_on(day), member=OuterRef("pk"))
    counts = {
        "unit": Member.objects.filter(Exists(placement))
        .filter(Q(unit__isnull=True) | ~Q(unit_id=Subquery(placement)))
        .update(unit_id=Subquery(placement)),
        "status": Member.objects.filter(Exists(status))
        .exclude(status=Subquery(status))
        .update(status=Subquery(status)),
        "exempt_on": Member.objects.filter(Exists(exemption), is_exempt=False).update(
            is_exempt=True
        ),
        "exempt_off": Member.objects.filter(~Exists(exemption), is_exempt=True).update(
            is_exempt=False
        ),
    }
    if any(counts.values()):
        audit_record(
            actor=actor,
            action="members_refresh_current",
            summary=_("Cập nhật tình trạng hiện tại theo các quyết định có hiệu lực đến %(day)s")
            % {"day": _d(day)},
            data={"day": day, **counts},
        )
    return counts


# --- Awards, badges, party cards ----------------------------------------------


def _decision(number: str, day: date, what: str) -> str:
    number = (number or "").strip()
    if not number:
        raise ServiceError(_("Cần ghi số quyết định %(what)s.") % {"what": what})
    if len(number) > 64:
        raise ServiceError(_("Số quyết định quá dài (tối đa 64 ký tự)."))
    _not_future(day, _("Ngày quyết định"))
    return number


@transaction.atomic
def award_record(
    *,
    actor,
    kind: str,
    level: str,
    decision_number: str,
    day: date,
    member: Member | None = None,
    unit: Unit | None = None,
    title: str = "",
    reason: str = "",
) -> Award:
    """Record a khen thưởng for a member or for a party organization."""
    if (member is None) == (unit is None):
        raise ServiceError(_("Khen thưởng phải dành cho một đảng viên hoặc một tổ chức đảng."))
    if kind not in AwardKind.values:
        raise ServiceError(_("Hình thức khen thưởng không hợp lệ."))
    if level not in DecisionLevel.values:
        raise ServiceError(_("Cấp khen thưởng không hợp lệ."))
    number = _decision(decision_number, day, _("khen thưởng"))
    if member is not None:
        member = _lock(member)
        _check_reach(actor, member.unit)
        if member.status == Status.CANDIDATE or (
            member.admitted_on is None and member.status not in MEMBER_STATUSES
        ):
            raise ServiceError(
                _("%(name)s chưa là đảng viên: khen thưởng đảng viên không ghi được.")
                % {"name": member.full_name}
            )
        same = Award.objects.filter(member=member, decision_number=number, kind=kind)
    else:
        _check_reach(actor, unit)
        if day < unit.founded_on:
            raise ServiceError(
                _("“%(name)s” thành lập ngày %(founded)s, sau ngày quyết định %(day)s.")
                % {"name": unit.name, "founded": _d(unit.founded_on), "day": _d(day)}
            )
        same = Award.objects.filter(unit=unit, decision_number=number, kind=kind)
    if same.exists():
        raise ServiceError(
            _("Khen thưởng theo quyết định %(number)s đã được ghi.") % {"number": number}
        )
    award = Award.objects.create(
        member=member,
        unit=unit,
        kind=kind,
        level=level,
        title=title.strip()[:255],
        reason=reason.strip()[:255],
        decision_number=number,
        decided_on=day,
        created_by=_user(actor),
    )
    audit_record(
        actor=actor,
        action="award_record",
        target=member or unit,
        unit=member.unit if member is not None else unit,
        summary=_("Khen thưởng %(who)s: %(kind)s (QĐ %(number)s)")
        % {"who": member or unit, "kind": award.get_kind_display(), "number": number},
        data={"kind": kind, "level": level, "day": day},
    )
    return award


@transaction.atomic
def badge_record(*, actor, member: Member, years: int, decision_number: str, day: date) -> Badge:
    """Record a huy hiệu Đảng: a milestone the member has reached by the year
    of the decision (badges are given on the year's anniversaries)."""
    member = _lock(member)
    _check_reach(actor, member.unit)
    if years not in BADGE_YEARS:
        raise ServiceError(
            _("Huy hiệu %(years)s năm tuổi Đảng không có; các mốc là %(list)s.")
            % {"years": years, "list": ", ".join(str(y) for y in BADGE_YEARS)}
        )
    number = _decision(decision_number, day, _("tặng huy hiệu"))
    if member.admitted_on is None:
        raise ServiceError(
            _("Hồ sơ của %(name)s chưa có ngày vào Đảng.") % {"name": member.full_name}
        )
    if member.admitted_on.year + years > day.year:
        raise ServiceError(
            _(
                "%(name)s vào Đảng ngày %(admitted)s, đến năm %(year)s chưa đủ %(years)s năm "
                "tuổi Đảng."
            )
            % {
                "name": member.full_name,
                "admitted": _d(member.admitted_on),
                "year": day.year,
                "years": years,
            }
        )
    if member.badges.filter(years=years).exists():
        raise ServiceError(
            _("%(name)s đã được tặng huy hiệu %(years)s năm tuổi Đảng.")
            % {"name": member.full_name, "years": years}
        )
    badge = Badge.objects.create(
        member=member,
        years=years,
        decision_number=number,
        awarded_on=day,
        created_by=_user(actor),
    )
    _audit(
        actor,
        "badge_record",
        member,
        _("Tặng huy hiệu %(years)s năm tuổi Đảng cho %(name)s")
        % {"years": years, "name": member.full_name},
        {"years": years, "day": day},
    )
    return badge


def card_number_holder(number: str, member: Member | None = None) -> Member | None:
    """The other member a party card number was given to, if any: a number
    belongs to one member (their reissued card may keep it)."""
    others = Member.objects.exclude(pk=getattr(member, "pk", None))
    holder = others.filter(card_number=number).first()
    if holder is None:
        card = PartyCard.objects.filter(number=number).exclude(member=member).first()
        holder = card.member if card is not None else None
    return holder


@transaction.atomic
def card_issue(
    *,
    actor,
    member: Member,
    number: str,
    event: str,
    day: date,
    decision_number: str = "",
    note: str = "",
) -> PartyCard:
    """Issue a party card (first issue to an official member; reissue after a
    loss; replacement of a damaged card). Keeps the number history."""
    member = _lock(member)
    _check_reach(actor, member.unit)
    if event not in CardEvent.values:
        raise ServiceError(_("Hình thức cấp thẻ không hợp lệ."))
    number = (number or "").strip().replace(" ", "")
    if not number:
        raise ServiceError(_("Cần ghi số thẻ đảng viên."))
    if len(number) > 20 or not number.isalnum():
        raise ServiceError(
            _("Số thẻ đảng viên “%(number)s” không hợp lệ (chỉ gồm chữ số, tối đa 20 ký tự).")
            % {"number": number}
        )
    _not_future(day, _("Ngày cấp thẻ"))
    if member.status != Status.OFFICIAL:
        raise ServiceError(
            _("Thẻ đảng viên chỉ phát cho đảng viên chính thức; %(name)s là %(status)s.")
            % {"name": member.full_name, "status": member.get_status_display().lower()}
        )
    if member.official_on and day < member.official_on:
        raise ServiceError(
            _("Ngày cấp thẻ %(day)s trước ngày chính thức %(official)s.")
            % {"day": _d(day), "official": _d(member.official_on)}
        )
    holder = card_number_holder(number, member)
    if holder is not None:
        raise ServiceError(
            _("Số thẻ %(number)s đã cấp cho đảng viên %(name)s; mỗi số thẻ chỉ cấp cho một người.")
            % {"number": number, "name": holder.full_name}
        )
    previous = member.cards.order_by("-issued_on", "-pk").first()
    if event == CardEvent.ISSUED and previous is not None:
        raise ServiceError(
            _("%(name)s đã được phát thẻ số %(number)s; thẻ mất thì cấp lại, hỏng thì đổi.")
            % {"name": member.full_name, "number": previous.number}
        )
    if event != CardEvent.ISSUED and previous is None and not member.card_number:
        raise ServiceError(
            _("%(name)s chưa được phát thẻ nên không cấp lại hay đổi thẻ được.")
            % {"name": member.full_name}
        )
    if previous is not None and day < previous.issued_on:
        raise ServiceError(
            _("Ngày cấp %(day)s trước lần cấp thẻ gần nhất (%(last)s).")
            % {"day": _d(day), "last": _d(previous.issued_on)}
        )
    if member.cards.filter(issued_on=day, event=event).exists():
        raise ServiceError(_("Lần cấp thẻ này đã được ghi."))
    card = PartyCard.objects.create(
        member=member,
        number=number,
        event=event,
        issued_on=day,
        decision_number=(decision_number or "").strip()[:64],
        note=note.strip()[:255],
        created_by=_user(actor),
    )
    if member.card_number != number:
        old = member.card_number
        member.card_number = number
        _save(member, actor, ["card_number"], str(CardEvent(event).label))
        data = {"number": number, "previous": old, "event": event}
    else:
        data = {"number": number, "event": event}
    _audit(
        actor,
        "card_issue",
        member,
        _("%(event)s: thẻ đảng viên số %(number)s của %(name)s")
        % {"event": CardEvent(event).label, "name": member.full_name, "number": number},
        data | {"day": day},
    )
    return card


# --- confidential identifiers -----------------------------------------------


def member_identifiers_reveal(member: Member, *, actor) -> None:
    """Record that `actor` was shown `member`'s full CCCD and card number (a
    profile shows them masked until asked, chibo/masking.py)."""
    audit_record(
        actor=actor,
        action="member.identifiers_revealed",
        target=member,
        unit=member.unit,
        summary=_("Xem đầy đủ số CCCD và số thẻ đảng viên của %(name)s") % {"name": member},
    )


def roster_full_export_record(*, actor, params: dict, fmt: str, rows: int) -> None:
    """Record that `actor` exported the roster with full identifiers."""
    audit_record(
        actor=actor,
        action="member.roster_full_export",
        summary=_("Xuất danh sách đảng viên có đầy đủ số CCCD và số thẻ (%(n)s dòng, %(fmt)s)")
        % {"n": rows, "fmt": fmt.upper()},
        data={"params": params, "format": fmt, "rows": rows},
    )
