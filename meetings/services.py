"""Every write to meetings: one function per business action. Each validates
before writing, runs in one transaction and records who did it."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.audit import audit_event, audit_record, audit_record_many
from chibo.dates import dmy, first_of_month, month_shift
from chibo.errors import ServiceError
from meetings import rules
from meetings.models import (
    CELL_COMMITTEE_KINDS,
    REGULAR_KINDS,
    THEMATIC_KINDS,
    Attendance,
    AttendanceStatus,
    Guest,
    Meeting,
    MeetingBody,
    MeetingKind,
    MinutesVersion,
    Restriction,
    Vote,
)
from meetings.selectors import committee_members_on, has_cell_committee_on, minutes_content
from members.choices import Status
from members.models import Member
from members.selectors import members_on
from organizations.models import Body, Unit
from organizations.selectors import can_edit

# Fields of the minutes a user writes; the rest is derived.
TEXT_FIELDS = (
    "number",
    "place",
    "chair",
    "secretary",
    "thematic_subject",
    "agenda",
    "documents",
    "opening",
    "last_month_review",
    "next_month_tasks",
    "conclusions",
    "resolution_text",
)
# Every field a meeting is recorded with, in the order the form shows them (the
# day the documents were sent beside the documents).
MEETING_FIELDS = (
    "body",
    "kind",
    "month",
    "held_on",
    "starts_at",
    "ends_at",
    *TEXT_FIELDS[: TEXT_FIELDS.index("documents") + 1],
    "documents_sent_on",
    *TEXT_FIELDS[TEXT_FIELDS.index("documents") + 1 :],
)
# No party cell met before the Party was founded (1930): an earlier date is a typing slip.
EARLIEST_MEETING = date(1930, 1, 1)


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _minutes_between(start: time, end: time) -> int:
    return (datetime.combine(date.min, end) - datetime.combine(date.min, start)).seconds // 60


def _validate(unit: Unit, values: dict, *, instance: Meeting | None = None) -> None:
    _validate_fields(unit, values)
    if values["kind"] in REGULAR_KINDS:
        others = Meeting.objects.filter(
            unit=unit, body=values["body"], month=values["month"], kind__in=REGULAR_KINDS
        )
        if instance is not None:
            others = others.exclude(pk=instance.pk)
        _refuse_second_regular(unit, values, others.first())


def _validate_fields(unit: Unit, values: dict) -> None:
    """Everything _validate checks but the month's other regular meeting."""
    kind, month, held_on = values["kind"], values["month"], values["held_on"]
    starts_at, ends_at = values["starts_at"], values["ends_at"]
    if kind not in MeetingKind.values:
        raise ServiceError(_("Loại sinh hoạt không hợp lệ."))
    if starts_at is None or ends_at is None:
        raise ServiceError(_("Xin nhập giờ bắt đầu và giờ kết thúc."))
    if ends_at <= starts_at:
        raise ServiceError(
            _("Giờ kết thúc (%(end)s) phải sau giờ bắt đầu (%(start)s).")
            % {"end": ends_at.strftime("%H:%M"), "start": starts_at.strftime("%H:%M")}
        )
    if held_on < EARLIEST_MEETING:
        raise ServiceError(
            _("Ngày họp %(day)s không hợp lệ; xin kiểm tra lại.") % {"day": dmy(held_on)}
        )
    if held_on > timezone.localdate():
        raise ServiceError(
            _("Ngày họp %(day)s chưa tới; chỉ ghi cuộc họp đã diễn ra.") % {"day": dmy(held_on)}
        )
    sent_on = values.get("documents_sent_on")
    if sent_on is not None and not held_on - timedelta(days=366) <= sent_on <= held_on:
        raise ServiceError(
            _("Ngày gửi tài liệu (%(sent)s) phải trước ngày họp %(day)s.")
            % {"sent": dmy(sent_on), "day": dmy(held_on)}
            if sent_on > held_on
            else _("Ngày gửi tài liệu (%(sent)s) cách ngày họp %(day)s quá một năm.")
            % {"sent": dmy(sent_on), "day": dmy(held_on)}
        )
    if held_on < month:
        raise ServiceError(
            _("Ngày họp %(day)s trước tháng %(month)s mà cuộc họp được tính.")
            % {"day": dmy(held_on), "month": month.strftime("%m/%Y")}
        )
    if month < month_shift(first_of_month(held_on), -2):
        raise ServiceError(
            _(
                "Cuộc họp ngày %(day)s không thể tính cho tháng %(month)s: "
                "họp bù chỉ trong vòng hai tháng sau tháng đó."
            )
            % {"day": dmy(held_on), "month": month.strftime("%m/%Y")}
        )
    if unit.founded_on > held_on or (unit.dissolved_on and unit.dissolved_on <= held_on):
        raise ServiceError(
            _("Ngày %(day)s “%(unit)s” chưa thành lập hoặc đã giải thể.")
            % {"day": dmy(held_on), "unit": unit.name}
        )
    _validate_body(unit, values)
    _require_text(values)


def _refuse_second_regular(unit: Unit, values: dict, existing: Meeting | None) -> None:
    """One regular meeting per cell (or cell committee) and month."""
    month = values["month"]
    if existing is not None and values["body"] == MeetingBody.CELL_COMMITTEE:
        raise ServiceError(
            _(
                "Chi ủy “%(unit)s” đã có cuộc họp thường kỳ tháng %(month)s (họp ngày %(day)s). "
                "Mỗi tháng chi ủy chỉ họp thường kỳ một lần; nếu cần, hãy ghi là họp bất thường."
            )
            % {
                "unit": unit.name,
                "month": month.strftime("%m/%Y"),
                "day": dmy(existing.held_on),
            }
        )
    if existing is not None:
        raise ServiceError(
            _(
                "“%(unit)s” đã có cuộc sinh hoạt thường kỳ tháng %(month)s (họp ngày %(day)s). "
                "Mỗi tháng chỉ có một cuộc sinh hoạt thường kỳ; nếu cần, hãy ghi là sinh hoạt chuyên đề hoặc họp bất thường."
            )
            % {
                "unit": unit.name,
                "month": month.strftime("%m/%Y"),
                "day": dmy(existing.held_on),
            }
        )


def _validate_body(unit: Unit, values: dict) -> None:
    """A cell committee (chi ủy) meeting needs a cell that has one on the
    meeting date (Điều lệ, Điều 24: cells of 9 or more official members)."""
    body = values["body"]
    if body not in MeetingBody.values:
        raise ServiceError(_("Cơ quan họp không hợp lệ."))
    if body != MeetingBody.CELL_COMMITTEE:
        return
    if not unit.is_cell:
        raise ServiceError(
            _("Chỉ chi bộ có chi ủy mới ghi được cuộc họp chi ủy; “%(unit)s” không phải chi bộ.")
            % {"unit": unit.name}
        )
    if not has_cell_committee_on(unit, values["held_on"]):
        raise ServiceError(
            _(
                "Ngày %(day)s “%(unit)s” không có chi ủy (không ai giữ chức vụ trong chi ủy) "
                "nên không ghi được cuộc họp chi ủy. Hãy ghi là sinh hoạt chi bộ."
            )
            % {"day": dmy(values["held_on"]), "unit": unit.name}
        )
    if values["kind"] not in CELL_COMMITTEE_KINDS:
        raise ServiceError(
            _("Chi ủy chỉ họp thường kỳ hoặc họp bất thường; %(kind)s là sinh hoạt của cả chi bộ.")
            % {"kind": MeetingKind(values["kind"]).label.lower()}
        )


def _require_text(values: dict) -> None:
    """What the minutes cannot be without (a new meeting, an edit, a correction)."""
    if values["kind"] in THEMATIC_KINDS and not values.get("thematic_subject"):
        raise ServiceError(_("Sinh hoạt chuyên đề cần ghi tên chuyên đề."))
    for field, label in (
        ("place", _("địa điểm")),
        ("chair", _("người chủ trì")),
        ("secretary", _("thư ký")),
    ):
        if not (values.get(field) or "").strip():
            raise ServiceError(_("Xin nhập %(field)s.") % {"field": label})
        if rules.is_title_only(values[field]):
            raise ServiceError(
                _(
                    "Xin ghi họ và tên %(field)s (“%(text)s” là chức vụ): biên bản được ký "
                    "bằng tên người."
                )
                % {"field": label, "text": values[field].strip()}
            )


def _check_reach(actor, unit: Unit) -> None:
    """Services called by a user refuse units outside their editing reach
    (a cell secretary may record their own cell's meetings)."""
    if getattr(actor, "pk", None) and not can_edit(actor, unit, routine=True):
        raise ServiceError(
            _("Bạn không có quyền ghi số liệu sinh hoạt của “%(unit)s”.") % {"unit": unit.name}
        )


def _refuse_if_adopted(meeting: Meeting) -> None:
    if meeting.is_adopted:
        raise ServiceError(
            _(
                "Biên bản đã được thông qua ngày %(day)s nên không sửa được. "
                "Muốn sửa, hãy lập bản đính chính (phiên bản mới); bản cũ vẫn được lưu."
            )
            % {"day": dmy(timezone.localdate(meeting.adopted_at))}
        )


@transaction.atomic
def meeting_create(*, actor, unit: Unit, **values) -> Meeting:
    """Record a meeting of `unit`. One regular meeting per cell and month
    (Điều lệ Đảng, Hướng dẫn 12-HD/BTCTW)."""
    _check_reach(actor, unit)
    values = _meeting_values(values)
    _validate(unit, values)
    meeting = _new_meeting(actor, unit, values)
    try:
        with transaction.atomic():
            meeting.save()
    except IntegrityError as exc:  # a concurrent second regular meeting
        message = (
            _("Chi ủy “%(unit)s” đã có cuộc họp thường kỳ tháng %(month)s.")
            if meeting.is_cell_committee
            else _("“%(unit)s” đã có cuộc sinh hoạt thường kỳ tháng %(month)s.")
        )
        raise ServiceError(
            message % {"unit": unit.name, "month": values["month"].strftime("%m/%Y")}
        ) from exc
    _create_event(actor, meeting).save()
    return meeting


def _meeting_values(values: dict) -> dict:
    """The fields of a new meeting, normalised as the form's."""
    values = {k: values.get(k) for k in MEETING_FIELDS}
    values["body"] = values["body"] or MeetingBody.UNIT
    for k in TEXT_FIELDS:
        values[k] = (values[k] or "").strip()
    values["month"] = first_of_month(values["month"] or values["held_on"])
    return values


def _new_meeting(actor, unit: Unit, values: dict) -> Meeting:
    return Meeting(
        unit=unit,
        duration_minutes=_minutes_between(values["starts_at"], values["ends_at"]),
        created_by=_user(actor),
        **values,
    )


def _create_event(actor, meeting: Meeting):
    return audit_event(
        actor=actor,
        action="meeting_create",
        target=meeting,
        unit=meeting.unit,
        summary=_("Ghi %(kind)s ngày %(day)s của %(unit)s")
        % {"kind": meeting.title_label, "day": dmy(meeting.held_on), "unit": meeting.unit.name},
    )


@transaction.atomic
def meeting_update(*, actor, meeting: Meeting, **values) -> Meeting:
    meeting = Meeting.objects.select_for_update().select_related("unit").get(pk=meeting.pk)
    _check_reach(actor, meeting.unit)
    _refuse_if_adopted(meeting)
    merged = {k: getattr(meeting, k) for k in MEETING_FIELDS}
    merged.update({k: v for k, v in values.items() if k in MEETING_FIELDS})
    merged["body"] = merged["body"] or MeetingBody.UNIT
    for k in TEXT_FIELDS:
        merged[k] = (merged[k] or "").strip()
    merged["month"] = first_of_month(merged["month"])
    _validate(meeting.unit, merged, instance=meeting)
    if meeting.attendance_taken and merged["body"] != meeting.body:
        raise ServiceError(
            _(
                "Đã điểm danh cuộc họp này; muốn đổi giữa họp chi bộ và họp chi ủy hãy xóa "
                "điểm danh trước (người phải dự khác nhau)."
            )
        )
    if meeting.attendance_taken and merged["held_on"] != meeting.held_on:
        raise ServiceError(
            _(
                "Đã điểm danh theo ngày họp %(day)s; muốn đổi ngày họp hãy xóa điểm danh trước "
                "(danh sách đảng viên phụ thuộc ngày họp)."
            )
            % {"day": dmy(meeting.held_on)}
        )
    for k, v in merged.items():
        setattr(meeting, k, v)
    meeting.duration_minutes = _minutes_between(meeting.starts_at, meeting.ends_at)
    meeting.save()
    audit_record(
        actor=actor,
        action="meeting_update",
        target=meeting,
        unit=meeting.unit,
        summary=_("Sửa cuộc sinh hoạt ngày %(day)s") % {"day": dmy(meeting.held_on)},
    )
    return meeting


def expected_attendance(meeting: Meeting):
    """The members expected at the meeting on its date: a cell's members from
    the placement history; for a committee, the members holding a seat in it;
    for a cell committee (chi ủy) meeting, the members holding a seat in the
    cell's committee that day."""
    if meeting.is_cell_committee:
        return committee_members_on(meeting.unit, meeting.held_on, body=Body.CELL_COMMITTEE)
    if meeting.unit.is_cell:
        return members_on(meeting.unit, meeting.held_on)
    return committee_members_on(meeting.unit, meeting.held_on)


@transaction.atomic
def meeting_record_attendance(
    *,
    actor,
    meeting: Meeting,
    entries: dict[int, dict],
    expected: list | None = None,
) -> list[Attendance]:
    """Record who was there. `entries` maps member id to {"status", "reason",
    "restriction"}; expected members not in it are present (or exempt / away,
    as the history says). Only members of the cell on the meeting date may
    be entered. `expected` is expected_attendance(meeting) when the caller
    has it already (the attendance-sheet import reads a whole province's
    members of a day at once, not one cell at a time)."""
    meeting = Meeting.objects.select_for_update().select_related("unit").get(pk=meeting.pk)
    _check_reach(actor, meeting.unit)
    _refuse_if_adopted(meeting)
    if expected is None:
        expected = expected_attendance(meeting)
    rows = _attendance_rows(meeting, entries, expected)
    meeting.attendance.all().delete()  # a draft until the minutes are adopted
    Attendance.objects.bulk_create(rows)
    figures = _count_attendance(meeting, rows)
    meeting.save(
        update_fields=["expected_count", "summoned_count", "present_count", "attendance_taken"]
    )
    _attendance_event(actor, meeting, rows, figures).save()
    return rows


def _count_attendance(meeting: Meeting, rows: list[Attendance]) -> dict:
    """Set the meeting's cache of its attendance figures (not saved)."""
    figures = rules.attendance_figures(rows)
    meeting.expected_count = figures["expected"]
    meeting.summoned_count = figures["summoned"]
    meeting.present_count = figures["present"]
    meeting.attendance_taken = True
    return figures


def _attendance_event(actor, meeting: Meeting, rows: list[Attendance], figures: dict):
    return audit_event(
        actor=actor,
        action="meeting_record_attendance",
        target=meeting,
        unit=meeting.unit,
        summary=_("Điểm danh: có mặt %(present)s/%(summoned)s")
        % {"present": figures["present"], "summoned": figures["summoned"]},
        data={"absent": {r.member_id: r.status for r in rows if not r.is_present}},
    )


def _attendance_rows(meeting: Meeting, entries: dict[int, dict], expected) -> list[Attendance]:
    """The attendance rows (not saved) of `meeting` from `entries` over the
    `expected` members; ServiceError for an entry the history does not allow."""
    expected = {row.member.pk: row for row in expected}
    strangers = [pk for pk in entries if pk not in expected]
    if strangers:
        names = ", ".join(
            Member.objects.filter(pk__in=strangers).values_list("full_name", flat=True)
        ) or ", ".join(str(s) for s in strangers)
        message = (
            _("%(names)s không giữ chức vụ trong chi ủy “%(unit)s” vào ngày %(day)s.")
            if meeting.is_cell_committee
            else _("%(names)s không phải đảng viên của “%(unit)s” vào ngày %(day)s.")
        )
        raise ServiceError(
            message % {"names": names, "unit": meeting.unit.name, "day": dmy(meeting.held_on)}
        )
    rows = []
    for pk, row in expected.items():
        entry = entries.get(pk, {})
        status = entry.get("status")
        if row.away is not None:
            status = AttendanceStatus.AWAY  # counted in the host cell, not here
        elif status is None:
            status = AttendanceStatus.EXEMPT if row.exempt else AttendanceStatus.PRESENT
        if status not in AttendanceStatus.values:
            raise ServiceError(_("Trạng thái điểm danh không hợp lệ."))
        if status == AttendanceStatus.EXEMPT and not row.exempt:
            raise ServiceError(
                _("%(name)s không được miễn sinh hoạt vào ngày %(day)s.")
                % {"name": row.member.full_name, "day": dmy(meeting.held_on)}
            )
        if status == AttendanceStatus.AWAY and row.away is None:
            raise ServiceError(
                _("%(name)s không sinh hoạt tạm thời nơi khác vào ngày %(day)s.")
                % {"name": row.member.full_name, "day": dmy(meeting.held_on)}
            )
        restriction = entry.get("restriction") or ""
        if restriction not in Restriction.values:
            raise ServiceError(_("Tình trạng hạn chế không hợp lệ."))
        reason = (entry.get("reason") or "").strip()[:255]
        if status == AttendanceStatus.EXCUSED and not reason:
            # the minutes record each absentee and the reason (Hướng dẫn 12-HD/BTCTW)
            raise ServiceError(
                _("Xin ghi lý do vắng của %(name)s (hoặc chọn “Vắng không lý do”).")
                % {"name": row.member.full_name}
            )
        if status == AttendanceStatus.AWAY:
            reason = reason or _("Sinh hoạt tạm thời tại %(unit)s") % {"unit": row.away.unit.name}
        rows.append(
            Attendance(
                meeting=meeting,
                member=row.member,
                status=status,
                reason=reason if status != AttendanceStatus.PRESENT else "",
                official=row.status == Status.OFFICIAL,
                exempt=row.exempt,
                restriction=restriction,
            )
        )
    return rows


@dataclass
class MeetingSheet:
    """One meeting's attendance for meetings_record_attendance_bulk: a
    stored `meeting`, or the `values` of a new meeting of `unit` (what
    meeting_create takes); `entries` and `expected` as
    meeting_record_attendance takes them (expected None: read for this
    meeting alone)."""

    entries: dict[int, dict]
    expected: list | None = None
    meeting: Meeting | None = None
    unit: Unit | None = None
    values: dict | None = None


@transaction.atomic
def meetings_record_attendance_bulk(*, actor, sheets: list[MeetingSheet]) -> list[Meeting]:
    """Record the attendance of many meetings at once, creating those that
    are new: what meeting_create and meeting_record_attendance do for each
    sheet, with the same checks, the same rows and the same audit records,
    in a number of queries that does not grow with the number of meetings
    (a province's yearly attendance sheet is 40,000 meetings). All or
    nothing: a ServiceError for one sheet writes none. Returns the meetings,
    in the order of `sheets`."""
    stored = Meeting.objects.select_for_update().select_related("unit")
    stored = stored.in_bulk([s.meeting.pk for s in sheets if s.meeting is not None])
    reached: set[int] = set()
    new: list[Meeting] = []
    meetings: list[Meeting] = []
    for s in sheets:
        if s.meeting is not None:
            meeting = stored[s.meeting.pk]
        else:
            values = _meeting_values(s.values or {})
            _validate_fields(s.unit, values)
            meeting = _new_meeting(actor, s.unit, values)
            new.append(meeting)
        if meeting.unit_id not in reached:
            _check_reach(actor, meeting.unit)
            reached.add(meeting.unit_id)
        meetings.append(meeting)
    _refuse_second_regulars(new)
    rows: list[Attendance] = []
    events = []
    for s, meeting in zip(sheets, meetings, strict=True):
        _refuse_if_adopted(meeting)
        expected = s.expected if s.expected is not None else expected_attendance(meeting)
        these = _attendance_rows(meeting, s.entries, expected)
        rows.extend(these)
        events.append((meeting, these, _count_attendance(meeting, these)))
    try:
        with transaction.atomic():
            Meeting.objects.bulk_create(new, batch_size=1000)
    except IntegrityError as exc:  # a concurrent second regular meeting
        raise ServiceError(
            _("Có chi bộ vừa được ghi cuộc sinh hoạt thường kỳ của cùng tháng; hãy thử lại.")
        ) from exc
    old = [m for m in meetings if m.pk in stored]
    for i in range(0, len(old), 500):
        Attendance.objects.filter(meeting__in=old[i : i + 500]).delete()
    Meeting.objects.bulk_update(
        old,
        ["expected_count", "summoned_count", "present_count", "attendance_taken"],
        batch_size=500,
    )
    Attendance.objects.bulk_create(rows, batch_size=5000)
    created = {id(m) for m in new}
    audit_record_many(
        [
            event
            for meeting, these, figures in events
            for event in (
                *([_create_event(actor, meeting)] if id(meeting) in created else []),
                _attendance_event(actor, meeting, these, figures),
            )
        ]
    )
    return meetings


def _refuse_second_regulars(new: list[Meeting]) -> None:
    """One regular meeting per unit (or cell committee) and month, among the
    stored meetings and the new ones."""
    regular = [m for m in new if m.kind in REGULAR_KINDS]
    if not regular:
        return
    seen = {
        (m.unit_id, m.body, m.month): m
        for m in Meeting.objects.filter(
            unit_id__in={m.unit_id for m in regular},
            month__in={m.month for m in regular},
            kind__in=REGULAR_KINDS,
        ).only("unit_id", "body", "month", "held_on")
    }
    for m in regular:
        key = (m.unit_id, m.body, m.month)
        _refuse_second_regular(m.unit, {"body": m.body, "month": m.month}, seen.get(key))
        seen[key] = m


@transaction.atomic
def guest_add(
    *, actor, meeting: Meeting, name: str, title: str = "", user=None, follows_cell: bool = False
) -> Guest:
    meeting = Meeting.objects.select_for_update().select_related("unit").get(pk=meeting.pk)
    _check_reach(actor, meeting.unit)
    _refuse_if_adopted(meeting)
    name = (name or "").strip() or (getattr(user, "full_name", "") or str(user or "")).strip()
    if not name:
        raise ServiceError(_("Xin nhập họ tên khách mời."))
    guest = Guest.objects.create(
        meeting=meeting,
        name=name[:150],
        title=(title or "").strip()[:255],
        user=user,
        follows_cell=follows_cell,
    )
    audit_record(
        actor=actor,
        action="meeting_guest_add",
        target=meeting,
        unit=meeting.unit,
        summary=_("Khách mời: %(name)s") % {"name": guest.name},
    )
    return guest


@transaction.atomic
def guest_remove(*, actor, guest: Guest) -> None:
    meeting = Meeting.objects.select_for_update().select_related("unit").get(pk=guest.meeting_id)
    _check_reach(actor, meeting.unit)
    _refuse_if_adopted(meeting)
    audit_record(
        actor=actor,
        action="meeting_guest_remove",
        target=meeting,
        unit=meeting.unit,
        summary=_("Bỏ khách mời: %(name)s") % {"name": guest.name},
    )
    guest.delete()


def voters_of(meeting: Meeting) -> list[rules.Voter]:
    return [
        rules.Voter(
            name=a.member.full_name,
            official=a.official,
            present=a.is_present,
            away=a.status == AttendanceStatus.AWAY,
            exempt=a.exempt,
            excused=a.status == AttendanceStatus.EXCUSED,
            restricted=bool(a.restriction),
        )
        for a in meeting.attendance.select_related("member").order_by("member__sort_key")
    ]


@transaction.atomic
def vote_record(
    *, actor, meeting: Meeting, subject: str, kind: str, yes: int, no: int = 0, abstain: int = 0
) -> Vote:
    """Record a vote with the denominator of the rule (Quy định thi hành Điều
    lệ Đảng): the official members summoned, leaving out those on temporary
    transfer, absent exempt members, members suspended, prosecuted or
    detained, and members absent with an approved reason. More than half
    carries an ordinary decision; admission and recognition as official need
    at least two thirds."""
    meeting = Meeting.objects.select_for_update().select_related("unit").get(pk=meeting.pk)
    _check_reach(actor, meeting.unit)
    _refuse_if_adopted(meeting)
    subject = (subject or "").strip()
    if not subject:
        raise ServiceError(_("Xin nhập nội dung biểu quyết."))
    if kind not in Vote.Kind.values:
        raise ServiceError(_("Loại biểu quyết không hợp lệ."))
    if not meeting.attendance_taken:
        raise ServiceError(_("Cần điểm danh trước khi ghi kết quả biểu quyết."))
    if min(yes, no, abstain) < 0:
        raise ServiceError(_("Số phiếu không được âm."))
    counted, left_out = rules.vote_denominator(voters_of(meeting))
    present_voters = sum(1 for v in counted if v.present)
    if yes + no + abstain > present_voters:
        raise ServiceError(
            _(
                "Tổng số phiếu (%(total)s) nhiều hơn số đảng viên chính thức có mặt được biểu quyết (%(present)s)."
            )
            % {"total": yes + no + abstain, "present": present_voters}
        )
    denominator = len(counted)
    vote = Vote.objects.create(
        meeting=meeting,
        subject=subject[:500],
        kind=kind,
        yes=yes,
        no=no,
        abstain=abstain,
        denominator=denominator,
        needed=rules.votes_needed(kind, denominator),
        passed=rules.vote_passes(kind, yes, denominator),
        left_out=[{"name": v.name, "why": why} for v, why in left_out],
        created_by=_user(actor),
    )
    audit_record(
        actor=actor,
        action="vote_record",
        target=meeting,
        unit=meeting.unit,
        summary=_("Biểu quyết “%(subject)s”: %(yes)s/%(den)s tán thành")
        % {"subject": vote.subject, "yes": yes, "den": denominator},
    )
    return vote


@transaction.atomic
def minutes_adopt(*, actor, meeting: Meeting) -> MinutesVersion:
    """The minutes are read back and adopted at the close of the meeting;
    from then on they are locked (version 1)."""
    meeting = Meeting.objects.select_for_update().select_related("unit").get(pk=meeting.pk)
    _check_reach(actor, meeting.unit)
    _refuse_if_adopted(meeting)
    if not meeting.attendance_taken:
        raise ServiceError(_("Chưa điểm danh nên chưa thông qua biên bản được."))
    now = timezone.now()
    meeting.adopted_at = now
    meeting.save(update_fields=["adopted_at"])
    version = MinutesVersion.objects.create(
        meeting=meeting,
        number=1,
        content=minutes_content(meeting),
        adopted_by=_user(actor),
        adopted_at=now,
    )
    audit_record(
        actor=actor,
        action="minutes_adopt",
        target=meeting,
        unit=meeting.unit,
        summary=_("Thông qua biên bản ngày %(day)s") % {"day": dmy(meeting.held_on)},
    )
    return version


@transaction.atomic
def minutes_correct(*, actor, meeting: Meeting, reason: str, **changes) -> MinutesVersion:
    """Correct adopted minutes: a new version with the changed text; every
    earlier version stays as it was."""
    meeting = Meeting.objects.select_for_update().select_related("unit").get(pk=meeting.pk)
    _check_reach(actor, meeting.unit)
    if not meeting.is_adopted:
        raise ServiceError(_("Biên bản chưa được thông qua; hãy sửa trực tiếp."))
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Xin ghi lý do đính chính."))
    changed = {}
    for k, v in changes.items():
        if k not in TEXT_FIELDS:
            raise ServiceError(_("Bản đính chính chỉ sửa được nội dung biên bản."))
        v = (v or "").strip()
        if v != getattr(meeting, k):
            changed[k] = v
    if not changed:
        raise ServiceError(_("Bản đính chính không thay đổi gì so với bản đã thông qua."))
    _require_text(
        {"kind": meeting.kind, **{k: getattr(meeting, k) for k in TEXT_FIELDS}, **changed}
    )
    for k, v in changed.items():
        setattr(meeting, k, v)
    meeting.save(update_fields=list(changed))
    last = meeting.versions.order_by("-number").first()
    version = MinutesVersion.objects.create(
        meeting=meeting,
        number=(last.number if last else 0) + 1,
        content=minutes_content(meeting),
        reason=reason[:500],
        adopted_by=_user(actor),
        adopted_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="minutes_correct",
        target=meeting,
        unit=meeting.unit,
        summary=_("Đính chính biên bản (lần %(n)s): %(reason)s")
        % {"n": version.number, "reason": reason},
        data={"fields": sorted(changed)},
    )
    return version
