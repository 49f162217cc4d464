"""Helpers for the meetings tests: meetings are made through the services, so
each has the checks and figures a real one would have."""

from datetime import date, time

from meetings.models import MeetingKind
from meetings.services import meeting_create, meeting_record_attendance


def make_meeting(unit, *, actor=None, held_on=date(2026, 3, 12), **overrides):
    values = {
        "kind": MeetingKind.REGULAR,
        "month": held_on.replace(day=1),
        "held_on": held_on,
        "starts_at": time(19, 30),
        "ends_at": time(21, 15),
        "place": "Nhà văn hóa khu phố",
        "chair": "Trần Văn Chủ",
        "secretary": "Lê Thị Ký",
        "last_month_review": "Chi bộ hoàn thành các nhiệm vụ tháng trước.",
        "next_month_tasks": "Vận động nhân dân giữ vệ sinh môi trường.",
        "conclusions": "Thống nhất các nhiệm vụ.",
        "resolution_text": "1. Hoàn thành việc thu đảng phí đúng hạn.",
    }
    values.update(overrides)
    if values["kind"] in (MeetingKind.THEMATIC, MeetingKind.COMBINED):
        values.setdefault("thematic_subject", "Học tập và làm theo tư tưởng Hồ Chí Minh")
    return meeting_create(actor=actor, unit=unit, **values)


def take_attendance(meeting, absences: dict | None = None, *, actor=None):
    """Everyone present except `absences` ({member: status or (status, reason)})."""
    entries = {}
    for member, value in (absences or {}).items():
        status, reason = value if isinstance(value, tuple) else (value, "")
        entries[member.pk] = {"status": status, "reason": reason}
    meeting_record_attendance(actor=actor, meeting=meeting, entries=entries)
    meeting.refresh_from_db()
    return meeting
