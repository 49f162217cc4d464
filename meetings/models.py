"""Cell meetings, their attendance, votes, minutes versions and party dues.

A meeting's text is a draft until the minutes are adopted; adoption freezes
a `MinutesVersion` (a snapshot of what the minutes say) and locks the
meeting. A correction adds a new version; the old ones stay.

The attendance figures on `Meeting` are a cache written by
`meeting_record_attendance` in the same transaction as the rows, so the
tracker can aggregate meetings alone, whatever the number of cells.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from meetings.choices import AttendanceStatus, DuesChannel, MeetingKind, VoteKind
from meetings.rules import documents_sent_late, minimum_minutes
from organizations.models import Unit


class MeetingBody(models.TextChoices):
    """Who meets: the unit itself (a cell's members, a party committee's seat
    holders) or, for a cell of 9 or more official members, its cell committee
    (chi ủy; Điều lệ, Điều 24), which also meets every month."""

    UNIT = "unit", _("Chi bộ / cấp ủy")
    CELL_COMMITTEE = "cell_committee", _("Chi ủy")


# Kinds a cell committee meeting may be: it has its own monthly meeting and may
# meet extraordinarily; thematic meetings, reviews and congresses are the cell's.
CELL_COMMITTEE_KINDS = ("regular", "extraordinary")

# Kinds that are the month's regular meeting (one per cell and month).
REGULAR_KINDS = (MeetingKind.REGULAR, MeetingKind.COMBINED)
# Kinds that count as the quarter's thematic meeting.
THEMATIC_KINDS = (MeetingKind.THEMATIC, MeetingKind.COMBINED)


class Meeting(models.Model):
    unit = models.ForeignKey(
        Unit, verbose_name=_("chi bộ"), on_delete=models.PROTECT, related_name="meetings"
    )
    body = models.CharField(
        _("cơ quan họp"), max_length=16, choices=MeetingBody.choices, default=MeetingBody.UNIT
    )
    kind = models.CharField(_("loại sinh hoạt"), max_length=16, choices=MeetingKind.choices)
    month = models.DateField(_("sinh hoạt của tháng"), help_text=_("Ngày đầu tháng"))
    held_on = models.DateField(_("ngày họp"))
    starts_at = models.TimeField(_("bắt đầu"))
    ends_at = models.TimeField(_("kết thúc"))
    duration_minutes = models.PositiveSmallIntegerField(_("thời lượng (phút)"), editable=False)
    number = models.CharField(_("số biên bản"), max_length=32, blank=True)
    place = models.CharField(_("địa điểm"), max_length=255)
    chair = models.CharField(_("chủ trì"), max_length=150)
    secretary = models.CharField(_("thư ký"), max_length=150)
    thematic_subject = models.CharField(_("chuyên đề"), max_length=500, blank=True)
    agenda = models.TextField(_("chương trình"), blank=True)
    opening = models.TextField(_("phần mở đầu"), blank=True)
    last_month_review = models.TextField(_("đánh giá tình hình tháng trước"), blank=True)
    next_month_tasks = models.TextField(_("nhiệm vụ tháng tới"), blank=True)
    conclusions = models.TextField(_("kết luận"), blank=True)
    resolution_text = models.TextField(_("nghị quyết"), blank=True)
    # The preparation (Hướng dẫn 42-HD/BTCTW): what was sent to the members
    # beforehand, and when.
    documents = models.TextField(_("tài liệu gửi kèm"), blank=True)
    documents_sent_on = models.DateField(
        _("ngày gửi tài liệu cho đảng viên"), null=True, blank=True
    )

    # Cache of the attendance, kept by meeting_record_attendance.
    expected_count = models.PositiveSmallIntegerField(default=0, editable=False)
    summoned_count = models.PositiveSmallIntegerField(default=0, editable=False)
    present_count = models.PositiveSmallIntegerField(default=0, editable=False)
    attendance_taken = models.BooleanField(default=False, editable=False)

    adopted_at = models.DateTimeField(_("thông qua biên bản lúc"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cuộc sinh hoạt")
        verbose_name_plural = _("cuộc sinh hoạt")
        ordering = ["-held_on", "-pk"]
        indexes = [
            models.Index(fields=["unit", "month"], name="meeting_unit_month_idx"),
            models.Index(fields=["month"], name="meeting_month_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="meeting_end_after_start"
            ),
            models.UniqueConstraint(
                fields=["unit", "body", "month"],
                condition=Q(kind__in=["regular", "combined"]),
                name="meeting_one_regular_per_body_month",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.month:%m/%Y} – {self.unit}"

    @property
    def is_cell_committee(self) -> bool:
        return self.body == MeetingBody.CELL_COMMITTEE

    @property
    def title_label(self) -> str:
        """What the meeting is called on screen and in the minutes' subtitle."""
        if self.is_cell_committee:
            if self.kind == MeetingKind.EXTRAORDINARY:
                return str(_("Họp chi ủy bất thường"))
            return str(_("Họp chi ủy"))
        return str(self.get_kind_display())

    @property
    def is_adopted(self) -> bool:
        return self.adopted_at is not None

    @property
    def is_thematic(self) -> bool:
        return self.kind in THEMATIC_KINDS

    @property
    def minimum_minutes(self) -> int | None:
        return minimum_minutes(self.kind, self.held_on)

    @property
    def too_short(self) -> bool:
        minimum = self.minimum_minutes
        return minimum is not None and self.duration_minutes < minimum

    @property
    def documents_sent_late(self) -> bool:
        return documents_sent_late(self.held_on, self.documents_sent_on)

    @property
    def held_late(self) -> bool:
        return (self.held_on.year, self.held_on.month) > (self.month.year, self.month.month)


class Restriction(models.TextChoices):
    NONE = "", _("Không")
    SUSPENDED = "suspended", _("Đình chỉ sinh hoạt")
    PROSECUTED = "prosecuted", _("Bị khởi tố, truy tố")
    DETAINED = "detained", _("Bị tạm giam")


class Attendance(models.Model):
    """One expected member at one meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="attendance"
    )
    status = models.CharField(_("điểm danh"), max_length=12, choices=AttendanceStatus.choices)
    reason = models.CharField(_("lý do vắng"), max_length=255, blank=True)
    # What the member was on the meeting date, from the history.
    official = models.BooleanField(_("đảng viên chính thức"), default=True)
    exempt = models.BooleanField(_("miễn sinh hoạt"), default=False)
    restriction = models.CharField(
        _("hạn chế"), max_length=12, choices=Restriction.choices, blank=True, default=""
    )

    class Meta:
        verbose_name = _("điểm danh")
        verbose_name_plural = _("điểm danh")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.get_status_display()}"

    @property
    def is_present(self) -> bool:
        return self.status == AttendanceStatus.PRESENT


class Guest(models.Model):
    """Someone attending who is not a member of the cell: the superior
    committee member following the cell, invited guests."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="guests")
    name = models.CharField(_("họ và tên"), max_length=150)
    title = models.CharField(_("chức vụ, đơn vị"), max_length=255, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    follows_cell = models.BooleanField(_("cấp ủy viên cấp trên phụ trách chi bộ"), default=False)

    class Meta:
        verbose_name = _("khách mời")
        verbose_name_plural = _("khách mời")
        ordering = ["-follows_cell", "pk"]

    def __str__(self) -> str:
        return self.name


class Vote(models.Model):
    """A vote taken at the meeting, with the denominator the rule gave then."""

    class Kind(models.TextChoices):
        ORDINARY = VoteKind.ORDINARY, _("Nghị quyết, quyết định thông thường (quá 1/2)")
        ADMISSION = VoteKind.ADMISSION, _("Kết nạp đảng viên (ít nhất 2/3)")
        RECOGNITION = VoteKind.RECOGNITION, _("Công nhận đảng viên chính thức (ít nhất 2/3)")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="votes")
    subject = models.CharField(_("nội dung biểu quyết"), max_length=500)
    kind = models.CharField(_("loại"), max_length=12, choices=Kind.choices)
    yes = models.PositiveSmallIntegerField(_("tán thành"))
    no = models.PositiveSmallIntegerField(_("không tán thành"), default=0)
    abstain = models.PositiveSmallIntegerField(_("không biểu quyết"), default=0)
    denominator = models.PositiveSmallIntegerField(_("số đảng viên chính thức được tính"))
    needed = models.PositiveSmallIntegerField(_("số phiếu cần"))
    passed = models.BooleanField(_("thông qua"))
    left_out = models.JSONField(_("không tính"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("biểu quyết")
        verbose_name_plural = _("biểu quyết")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.subject


class MinutesVersion(models.Model):
    """The minutes as adopted (version 1) or corrected (2, 3, ...): a frozen
    snapshot of what they say, kept for ever."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(_("lần"))
    content = models.JSONField()
    reason = models.CharField(_("lý do đính chính"), max_length=500, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    adopted_at = models.DateTimeField()

    class Meta:
        verbose_name = _("phiên bản biên bản")
        verbose_name_plural = _("phiên bản biên bản")
        ordering = ["meeting_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="minutes_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.meeting} – {self.number}"


class DuesPayment(models.Model):
    """Party dues (đảng phí) a member paid for one month, usually at the
    meeting, in cash or on the public-service portal. `expected` is what the
    rule set asked when it was recorded (dues/), `voluntary` a payment above
    it made of the member's own will. Corrections keep the earlier rows in
    the history table."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="dues_payments"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="dues_payments")
    month = models.DateField(_("tháng"))
    amount = models.PositiveIntegerField(_("số tiền (đồng)"))
    channel = models.CharField(
        _("hình thức nộp"), max_length=8, choices=DuesChannel.choices, default=DuesChannel.CASH
    )
    expected = models.PositiveIntegerField(_("mức phải đóng (đồng)"), null=True, blank=True)
    voluntary = models.BooleanField(_("tự nguyện đóng cao hơn mức quy định"), default=False)
    reference = models.CharField(_("mã giao dịch"), max_length=64, blank=True)
    # A member on leave from meetings may pay late or ahead (01-QĐ/TW): the
    # month the cell received the money, when not the month it covers
    # (empty: received in its own month). The remittance counts it then.
    received_in = models.DateField(_("tháng thu (đóng trước, đóng bù)"), null=True, blank=True)
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="dues_payments"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("đảng phí")
        verbose_name_plural = _("đảng phí")
        ordering = ["unit_id", "month"]
        indexes = [
            # covering (PostgreSQL): the dues report's per-unit, per-month sums
            # read the index only (EXPLAIN ANALYZE at province scale: 4.2 s of
            # index scan and heap reads become a 3.0 s index-only scan)
            models.Index(
                fields=["unit", "month"],
                name="dues_unit_month_cover_idx",
                include=["id", "amount", "channel", "voluntary"],
            ),
            # a month's payments across a province (remittance list, dues report)
            # read from the index alone, not by a scan of every year's rows
            models.Index(
                fields=["month", "unit"],
                include=["amount", "received_in"],
                name="dues_month_unit_idx",
            ),
            models.Index(
                fields=["received_in"],
                name="dues_received_in_idx",
                condition=Q(received_in__isnull=False),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["member", "month"], name="dues_once_per_month")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.month:%m/%Y}: {self.amount}"
