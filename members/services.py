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
from members.choices import MEMBER_STATUSES, RECONSTRUCTED, PlacementKind, Status
from members.models import (
    Candidacy,
    CivilServantEvaluation,
    Discipline,
    Exemption,
    Member,
    Placement,
    Rating,
    ResidenceComment,
    ResidenceContact,
    StatusPeriod,
)
from members.rules import (
    RemovalGround,
    may_be_recognized_on,
    old_enough_for_admission,
    probation_ends_on,
    qualifies_for_exemption_by_age,
    recognition_date_problem,
    temporary_transfer_fits,
    two_thirds_reached,
)
from organizations.models import CELL_LEVELS, Unit, valid_on
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
        ("placed_on", placed_on, _("Ngày chuyển đến chi bộ")),
        ("exempt_on", exempt_on, _("Ngày miễn sinh hoạt")),
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
) -> tuple[list[dict], list[dict], list[dict]]:
    """The StatusPeriod, Placement and Exemption rows of a reconstructed past,
    as {attname: value}: what member_create_with_past and the roster import
    both insert."""
    note = str(RECONSTRUCTED)
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
    "occupation",
    "position",
    "is_civil_servant",
    "is_retired",
    "workplace",
    "admitted_on",
    "probation_from",
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


@transaction.atomic
def member_update(*, actor, member: Member, **changes) -> Member:
    """Correct or complete a member's dossier. Every change is kept, with who
    made it and the previous value (the dossier is confidential)."""
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
    fields = changed + (["sort_key", "search_name"] if "full_name" in changed else [])
    _save(member, actor, fields, _("Sửa hồ sơ"))
    _audit(
        actor,
        "member_update",
        member,
        _("Sửa hồ sơ %(name)s") % {"name": member.full_name},
        {"fields": changed},
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
    placement = member_place(
        actor=actor,
        member=member,
        unit=unit,
        day=day,
        reason=reason or _("Chuyển sinh hoạt đảng chính thức"),
        decision_number=decision_number,
        record=False,
    )
    member.refresh_from_db(fields=["unit"])
    _audit(
        actor,
        "member_transfer_permanent",
        member,
        _("Chuyển sinh hoạt chính thức %(name)s sang %(unit)s từ %(day)s")
        % {"name": member.full_name, "unit": unit.name, "day": _d(day)},
        {"to": unit.pk, "day": day},
    )
    return placement


@transaction.atomic
def member_transfer_out(
    *, actor, member: Member, day: date, destination: str, decision_number: str = ""
) -> Member:
    """Chuyển sinh hoạt đảng ra ngoài (to a committee this system does not keep)."""
    member = _lock(member)
    _check_reach(actor, member.unit)
    _require_status(member, (Status.PROBATIONARY, Status.OFFICIAL), MEMBER_ONLY)
    _not_future(day, _("Ngày chuyển sinh hoạt"))
    if not destination.strip():
        raise ServiceError(_("Cần ghi nơi chuyển đến."))
    note = _("Chuyển đến: %(dest)s") % {"dest": destination.strip()}
    _end_membership(
        member, Status.TRANSFERRED_OUT, day, actor, decision_number=decision_number, note=note
    )
    _audit(
        actor,
        "member_transfer_out",
        member,
        _("Chuyển sinh hoạt %(name)s ra ngoài (%(dest)s)")
        % {"name": member.full_name, "dest": destination.strip()},
        {"day": day},
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
    discipline = Discipline.objects.create(
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
