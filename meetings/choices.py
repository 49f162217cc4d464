"""The kinds of meetings, attendance and votes: plain choices that the
models, the rules and the pages all name. Imports no models, so the rules
can use them and the models can use the rules."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingKind(models.TextChoices):
    REGULAR = "regular", _("Sinh hoạt thường kỳ")
    THEMATIC = "thematic", _("Sinh hoạt chuyên đề")
    COMBINED = "combined", _("Sinh hoạt thường kỳ kết hợp chuyên đề")
    EXTRAORDINARY = "extraordinary", _("Họp bất thường")
    YEAR_END = "year_end", _("Họp kiểm điểm, đánh giá cuối năm")
    CONGRESS = "congress", _("Đại hội chi bộ")


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Có mặt")
    EXCUSED = "excused", _("Vắng có lý do")
    UNEXCUSED = "unexcused", _("Vắng không lý do")
    EXEMPT = "exempt", _("Miễn sinh hoạt (vắng)")
    AWAY = "away", _("Sinh hoạt tạm thời nơi khác")


class VoteKind:
    ORDINARY = "ordinary"
    ADMISSION = "admission"
    RECOGNITION = "recognition"


class DuesChannel(models.TextChoices):
    """How party dues were paid (01-QĐ/TW: in cash to the cell, or on the
    national public-service portal)."""

    CASH = "cash", _("Tiền mặt")
    PORTAL = "portal", _("Cổng Dịch vụ công")
