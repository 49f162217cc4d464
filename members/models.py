"""Party members and their history.

The profile lives on `Member`; where a member belongs and what they are
(candidate, probationary, official, ...) live in append-only histories
(`Placement`, `StatusPeriod`) with valid_from / valid_to (exclusive). The
`unit` and `status` fields on Member are a cache of the current rows, written
only by members/services.py in the same transaction as the history.
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chibo.masking import mask
from chibo.text import fold, normalize, sort_key
from members.choices import (
    ETHNICITY_CHOICES,
    AcademicTitle,
    AwardKind,
    CardEvent,
    DecisionLevel,
    Education,
    Gender,
    Occupation,
    PlacementKind,
    Qualification,
    Religion,
    Status,
    TheoryLevel,
    TransferScope,
)
from members.rules import discipline_counts_against_rating
from organizations.models import Period, Unit, one_open, valid_range

national_id_validator = RegexValidator(r"^\d{12}$", _("Số CCCD phải gồm đúng 12 chữ số."))


class Member(models.Model):
    full_name = models.CharField(_("họ và tên"), max_length=150)
    gender = models.CharField(_("giới tính"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("ngày sinh"))
    birthplace = models.CharField(_("nơi sinh"), max_length=255, blank=True)
    home_town = models.CharField(_("quê quán"), max_length=255, blank=True)
    residence = models.CharField(_("nơi ở hiện nay"), max_length=255, blank=True)
    ethnicity = models.CharField(
        _("dân tộc"), max_length=32, choices=ETHNICITY_CHOICES, default="Kinh"
    )
    religion = models.CharField(
        _("tôn giáo"), max_length=16, choices=Religion.choices, default=Religion.NONE
    )
    national_id = models.CharField(
        _("số CCCD"),
        max_length=12,
        unique=True,
        null=True,
        blank=True,
        validators=[national_id_validator],
    )
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    education = models.CharField(
        _("giáo dục phổ thông"), max_length=20, choices=Education.choices, blank=True
    )
    qualification = models.CharField(
        _("chuyên môn, nghiệp vụ"), max_length=20, choices=Qualification.choices, blank=True
    )
    theory_level = models.CharField(
        _("lý luận chính trị"), max_length=20, choices=TheoryLevel.choices, blank=True
    )
    academic_title = models.CharField(
        _("chức danh khoa học"), max_length=20, choices=AcademicTitle.choices, blank=True
    )
    # The free text the dossier writes ("giáo viên", "buôn bán") beside the
    # category the forms count (the 2017 list).
    occupation = models.CharField(_("nghề nghiệp"), max_length=255, blank=True)
    occupation_category = models.CharField(
        _("nhóm nghề nghiệp (biểu thống kê)"),
        max_length=20,
        choices=Occupation.choices,
        blank=True,
    )
    position = models.CharField(_("chức vụ"), max_length=255, blank=True)
    is_civil_servant = models.BooleanField(_("cán bộ, công chức"), default=False)
    is_retired = models.BooleanField(_("đã nghỉ hưu"), default=False)
    workplace = models.CharField(_("nơi công tác"), max_length=255, blank=True)
    is_youth_union_member = models.BooleanField(_("đoàn viên TNCS Hồ Chí Minh"), default=False)
    is_discharged_soldier = models.BooleanField(_("quân nhân xuất ngũ"), default=False)
    is_private_business_owner = models.BooleanField(_("chủ doanh nghiệp tư nhân"), default=False)
    married_to_foreigner = models.BooleanField(
        _("có quan hệ hôn nhân với người nước ngoài"), default=False
    )

    admitted_on = models.DateField(_("ngày vào Đảng"), null=True, blank=True)
    # The admission ceremony (lễ kết nạp): probation's twelve months run from it.
    # Party age counts from `admitted_on` (the decision).
    probation_from = models.DateField(_("ngày kết nạp (lễ)"), null=True, blank=True)
    # Kết nạp lại: admitted again after leaving the Party (Biểu 2 "trong đó
    # kết nạp lại"); `admitted_on` is then the date of the new admission.
    is_readmitted = models.BooleanField(_("kết nạp lại"), default=False)
    official_on = models.DateField(_("ngày chính thức"), null=True, blank=True)
    card_number = models.CharField(
        _("số thẻ đảng viên"), max_length=20, unique=True, null=True, blank=True
    )
    dossier_number = models.CharField(_("số lý lịch"), max_length=32, blank=True)

    # Cache of the current placement and status, kept by members/services.py.
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("chi bộ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("tình trạng"), max_length=20, choices=Status.choices)
    is_exempt = models.BooleanField(_("miễn công tác và sinh hoạt"), default=False)

    # Derived from full_name on save, for Vietnamese order and accent-free search.
    sort_key = models.CharField(max_length=255, editable=False, db_index=True)
    search_name = models.CharField(max_length=150, editable=False, db_index=True)

    created_at = models.DateTimeField(auto_now_add=True)
    # The historical rows are read by member (id) and date only. Their copies
    # of the unique numbers' and the cell's indexes (five btrees) were never
    # used, and cost the roster import more than writing the rows themselves.
    history = HistoricalRecords(
        excluded_fields=["sort_key", "search_name"],
        no_db_index=["card_number", "national_id", "unit"],
    )

    class Meta:
        verbose_name = _("đảng viên")
        verbose_name_plural = _("đảng viên")
        ordering = ["sort_key"]
        indexes = [
            models.Index(fields=["unit", "status"], name="member_unit_status_idx"),
            # Biểu 7B "mới kết nạp dưới 6 tháng": the few recent admissions
            # from the index alone (with the id), without reading the whole
            # member table nor a page of it per member
            models.Index(fields=["admitted_on", "id"], name="member_admitted_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        self.full_name = normalize(self.full_name)
        self.sort_key = sort_key(self.full_name)
        self.search_name = fold(self.full_name)
        super().save(*args, **kwargs)

    @property
    def national_id_masked(self) -> str:
        return mask(self.national_id)

    @property
    def card_number_masked(self) -> str:
        return mask(self.card_number)


class Placement(Period):
    """Where a member belongs from `valid_from` until the day before `valid_to`.

    One permanent placement at a time; a temporary one (sinh hoạt tạm thời) may
    run beside it at a host cell, where it does not count in the figures.
    """

    # no index of their own: placement_member_idx and placement_unit_idx
    # begin with them and serve every lookup by member or by unit
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="placements", db_index=False
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="placements", db_index=False
    )
    kind = models.CharField(
        max_length=16, choices=PlacementKind.choices, default=PlacementKind.PERMANENT
    )
    reason = models.CharField(_("lý do"), max_length=255, blank=True)
    decision_number = models.CharField(_("số quyết định"), max_length=64, blank=True)
    # For a placement begun or ended by a transfer: where the member came from
    # or went to, as Biểu 1 counts it. Blank: not a transfer (entry of the
    # dossier, admission, death, ...).
    arrived_from = models.CharField(
        _("chuyển đến từ"), max_length=16, choices=TransferScope.choices, blank=True
    )
    left_to = models.CharField(
        _("chuyển đi đến"), max_length=16, choices=TransferScope.choices, blank=True
    )

    class Meta:
        verbose_name = _("quá trình sinh hoạt")
        verbose_name_plural = _("quá trình sinh hoạt")
        ordering = ["member_id", "valid_from"]
        indexes = [
            models.Index(fields=["unit", "valid_from"], name="placement_unit_idx"),
            models.Index(fields=["member", "valid_from"], name="placement_member_idx"),
        ]
        constraints = [
            valid_range("placement_valid_range"),
            one_open("placement_one_open_per_kind", "member", "kind"),
        ]

    def __str__(self) -> str:
        return f"{self.member} @ {self.unit} ({self.valid_from:%d/%m/%Y})"


class ProfileChange(models.Model):
    """A real change of a counted profile field (members.choices.DATED_PROFILE_FIELDS)
    from `changed_on`: a degree obtained, a theory course finished, retirement.

    Member keeps the current value; each change keeps the value before it, so
    the value on a past day is the `previous` of the first change after that
    day, or the current value if there is none (members.selectors.profile_on).
    Only changes need rows: a member whose levels never changed has none, and a
    roster imported today answers every past date as the same dossier entered
    by hand would. Booleans are kept as "1" / "0".

    Why not the dossier's simple_history: its dates are when a row was edited,
    not when the member obtained the level, and the forms must never count by
    the date a row was last edited (issue 12).
    """

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="profile_changes")
    field = models.CharField(_("thông tin"), max_length=32)
    previous = models.CharField(_("giá trị trước"), max_length=32, blank=True)
    value = models.CharField(_("giá trị mới"), max_length=32, blank=True)
    changed_on = models.DateField(_("từ ngày"))
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("thay đổi trình độ, nghề nghiệp")
        verbose_name_plural = _("thay đổi trình độ, nghề nghiệp")
        ordering = ["member_id", "field", "changed_on", "pk"]
        indexes = [
            models.Index(fields=["changed_on"], name="profilechange_day_idx"),
            models.Index(fields=["member", "field", "changed_on"], name="profilechange_member_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.field} {self.previous} → {self.value} ({self.changed_on:%d/%m/%Y})"


def _is_boolean(field: str) -> bool:
    return Member._meta.get_field(field).get_internal_type() == "BooleanField"


def profile_value(field: str, stored: str):
    """A ProfileChange's stored text as the field's value ("1" / "0" for booleans)."""
    return stored == "1" if _is_boolean(field) else stored


def profile_stored(field: str, value) -> str:
    """A field's value as a ProfileChange keeps it."""
    if _is_boolean(field):
        return "1" if value else "0"
    return value or ""


class StatusPeriod(Period):
    """What a member was (candidate, probationary, official, ...) over a period."""

    # no index of its own: status_member_idx begins with it
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="status_periods", db_index=False
    )
    status = models.CharField(_("tình trạng"), max_length=20, choices=Status.choices)
    decision_number = models.CharField(_("số quyết định"), max_length=64, blank=True)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("quá trình đảng tịch")
        verbose_name_plural = _("quá trình đảng tịch")
        ordering = ["member_id", "valid_from"]
        indexes = [models.Index(fields=["member", "valid_from"], name="status_member_idx")]
        constraints = [
            valid_range("status_valid_range"),
            one_open("status_one_open", "member"),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.get_status_display()} ({self.valid_from:%d/%m/%Y})"


class Exemption(Period):
    """Miễn công tác và sinh hoạt đảng (for age or health) over a period.
    Exempt members are not rated and their absence does not count against
    a vote's quorum (Quy định thi hành Điều lệ)."""

    class Reason(models.TextChoices):
        AGE = "age", _("Tuổi cao")
        HEALTH = "health", _("Sức khỏe yếu")
        OTHER = "other", _("Lý do khác")

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="exemptions")
    reason = models.CharField(_("lý do"), max_length=16, choices=Reason.choices)
    decision_number = models.CharField(_("số quyết định"), max_length=64, blank=True)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("miễn sinh hoạt")
        verbose_name_plural = _("miễn sinh hoạt")
        ordering = ["member_id", "valid_from"]
        constraints = [
            valid_range("exemption_valid_range"),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.get_reason_display()} ({self.valid_from:%d/%m/%Y})"


class Candidacy(models.Model):
    """A candidate (quần chúng ưu tú) proposed by a cell, with the two official
    members assigned to help them (Điều lệ, Điều 4), and how it ended."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Đang xem xét")
        ADMITTED = "admitted", _("Đã kết nạp")
        NOT_ADMITTED = "not_admitted", _("Không kết nạp")

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="candidacies")
    unit = models.ForeignKey(
        Unit, verbose_name=_("chi bộ"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_on = models.DateField(_("ngày đề nghị"))
    helper_1 = models.ForeignKey(
        Member, verbose_name=_("người giúp đỡ thứ nhất"), on_delete=models.PROTECT, related_name="+"
    )
    helper_2 = models.ForeignKey(
        Member, verbose_name=_("người giúp đỡ thứ hai"), on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(
        _("kết quả"), max_length=16, choices=Outcome.choices, default=Outcome.PENDING
    )
    decided_on = models.DateField(_("ngày quyết định"), null=True, blank=True)
    decision_number = models.CharField(_("số quyết định"), max_length=64, blank=True)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("quần chúng ưu tú")
        verbose_name_plural = _("quần chúng ưu tú")
        ordering = ["member_id", "proposed_on"]

    def __str__(self) -> str:
        return f"{self.member} ({self.proposed_on:%d/%m/%Y})"


class Discipline(models.Model):
    """A disciplinary measure (kỷ luật). The annual review needs to know whether
    the fault was self-reported and corrected (members/rules.py)."""

    class Form(models.TextChoices):
        REPRIMAND = "reprimand", _("Khiển trách")
        WARNING = "warning", _("Cảnh cáo")
        DISMISSAL = "dismissal", _("Cách chức")
        EXPULSION = "expulsion", _("Khai trừ")

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="disciplines")
    form = models.CharField(_("hình thức"), max_length=16, choices=Form.choices)
    decided_on = models.DateField(_("ngày quyết định"))
    fault = models.TextField(_("vi phạm"))
    decision_number = models.CharField(_("số quyết định"), max_length=64, blank=True)
    level = models.CharField(
        _("cấp quyết định"), max_length=16, choices=DecisionLevel.choices, blank=True
    )
    self_reported = models.BooleanField(_("tự giác nhận khuyết điểm"), default=False)
    corrected = models.BooleanField(_("đã khắc phục hậu quả"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("kỷ luật")
        verbose_name_plural = _("kỷ luật")
        ordering = ["member_id", "decided_on"]
        indexes = [models.Index(fields=["decided_on"], name="discipline_day_idx")]

    def __str__(self) -> str:
        return f"{self.member}: {self.get_form_display()} ({self.decided_on:%d/%m/%Y})"

    @property
    def counts_against_rating(self) -> bool:
        return discipline_counts_against_rating(
            self_reported=self.self_reported, corrected=self.corrected
        )


class ResidenceContact(Period):
    """A working member's link with the cell where they live (Quy định
    213-QĐ/TW, 2020), over a period."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="residence_contacts")
    unit = models.ForeignKey(
        Unit, verbose_name=_("chi bộ nơi cư trú"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("địa chỉ cư trú"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("sinh hoạt nơi cư trú")
        verbose_name_plural = _("sinh hoạt nơi cư trú")
        ordering = ["member_id", "valid_from"]
        indexes = [models.Index(fields=["unit", "valid_from"], name="residence_unit_idx")]
        constraints = [
            valid_range("residence_valid_range"),
            one_open("residence_one_open", "member"),
        ]

    def __str__(self) -> str:
        return f"{self.member} – {self.unit}"


class ResidenceComment(models.Model):
    """The residence cell's yearly comment on a member (Quy định 213-QĐ/TW)."""

    contact = models.ForeignKey(ResidenceContact, on_delete=models.PROTECT, related_name="comments")
    year = models.PositiveSmallIntegerField(_("năm"))
    comment = models.TextField(_("nhận xét"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("nhận xét của chi bộ nơi cư trú")
        verbose_name_plural = _("nhận xét của chi bộ nơi cư trú")
        ordering = ["contact_id", "year"]
        constraints = [
            models.UniqueConstraint(fields=["contact", "year"], name="residence_comment_one_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.contact} {self.year}"


class Rating(models.TextChoices):
    EXCELLENT = "excellent", _("Hoàn thành xuất sắc nhiệm vụ")
    GOOD = "good", _("Hoàn thành tốt nhiệm vụ")
    COMPLETED = "completed", _("Hoàn thành nhiệm vụ")
    NOT_COMPLETED = "not_completed", _("Không hoàn thành nhiệm vụ")


class CivilServantEvaluation(models.Model):
    """A civil servant's monthly evaluation by their agency, passed to the
    residence cell (seed 003)."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="evaluations")
    month = models.DateField(_("tháng"))  # the first day of the month
    result = models.CharField(_("kết quả"), max_length=16, choices=Rating.choices)
    agency = models.CharField(_("cơ quan đánh giá"), max_length=255, blank=True)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("đánh giá cán bộ, công chức hằng tháng")
        verbose_name_plural = _("đánh giá cán bộ, công chức hằng tháng")
        ordering = ["member_id", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["member", "month"], name="evaluation_one_a_month")
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.month:%m/%Y}"


class Award(models.Model):
    """A khen thưởng: to a member or to an organization (exactly one of them),
    with its kind, the level that decided it, and the decision."""

    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="awards"
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("tổ chức đảng"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="awards",
    )
    kind = models.CharField(_("hình thức"), max_length=16, choices=AwardKind.choices)
    level = models.CharField(_("cấp khen thưởng"), max_length=16, choices=DecisionLevel.choices)
    title = models.CharField(
        _("tên khen thưởng"),
        max_length=255,
        blank=True,
        help_text=_("vd. Huân chương Lao động hạng Ba"),
    )
    reason = models.CharField(_("thành tích"), max_length=255, blank=True)
    decision_number = models.CharField(_("số quyết định"), max_length=64)
    decided_on = models.DateField(_("ngày quyết định"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("khen thưởng")
        verbose_name_plural = _("khen thưởng")
        ordering = ["decided_on", "pk"]
        indexes = [models.Index(fields=["decided_on"], name="award_day_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(member__isnull=False, unit__isnull=True))
                | Q(member__isnull=True, unit__isnull=False),
                name="award_member_or_unit",
            ),
            models.UniqueConstraint(
                fields=["member", "decision_number", "kind"],
                condition=Q(member__isnull=False),
                name="award_member_once_per_decision",
            ),
            models.UniqueConstraint(
                fields=["unit", "decision_number", "kind"],
                condition=Q(unit__isnull=False),
                name="award_unit_once_per_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member or self.unit}: {self.get_kind_display()} ({self.decided_on:%d/%m/%Y})"


class Badge(models.Model):
    """A huy hiệu Đảng awarded for a milestone of party age (30 … 90 years)."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="badges")
    years = models.PositiveSmallIntegerField(_("huy hiệu (năm tuổi Đảng)"))
    decision_number = models.CharField(_("số quyết định"), max_length=64)
    awarded_on = models.DateField(_("ngày trao tặng"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("huy hiệu Đảng")
        verbose_name_plural = _("huy hiệu Đảng")
        ordering = ["member_id", "years"]
        indexes = [models.Index(fields=["awarded_on"], name="badge_day_idx")]
        constraints = [
            models.UniqueConstraint(fields=["member", "years"], name="badge_once_per_milestone")
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.years} năm ({self.awarded_on:%d/%m/%Y})"


class PartyCard(models.Model):
    """One issue of a party card (thẻ đảng viên): first issue, reissue after a
    loss, replacement of a damaged card. The rows are the card-number history;
    `Member.card_number` caches the newest. A number belongs to one member."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="cards")
    number = models.CharField(_("số thẻ đảng viên"), max_length=20, db_index=True)
    event = models.CharField(_("hình thức"), max_length=16, choices=CardEvent.choices)
    issued_on = models.DateField(_("ngày cấp"))
    decision_number = models.CharField(_("số quyết định"), max_length=64, blank=True)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("thẻ đảng viên")
        verbose_name_plural = _("thẻ đảng viên")
        ordering = ["member_id", "issued_on", "pk"]
        indexes = [models.Index(fields=["issued_on"], name="card_day_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "issued_on", "event"], name="card_once_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.number} ({self.issued_on:%d/%m/%Y})"

    @property
    def number_masked(self) -> str:
        return mask(self.number)


class MemberCount(models.Model):
    """How many party members a unit counted (placed there permanently, as
    probationary or official, and among them the exempt) over a run of days
    with the same number: the history's member counts kept as a summary, so
    the pages read a handful of rows instead of aggregating the histories.

    Written only by members/counts.py, in the transaction of the write that
    changed the history (counts_refresh); `manage.py verify_counts` checks it
    against the histories. A unit with no members on a day has no row for it."""

    class Kind(models.TextChoices):
        OFFICIAL = "official", _("chính thức")
        PROBATIONARY = "probationary", _("dự bị")
        EXEMPT = "exempt", _("miễn sinh hoạt")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    n = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("số đảng viên của đơn vị")
        verbose_name_plural = _("số đảng viên của đơn vị")
        indexes = [
            models.Index(fields=["unit", "valid_from"], name="member_count_unit_idx"),
            # today's figures: the open runs (a partial index on PostgreSQL and SQLite)
            models.Index(
                fields=["unit", "kind"],
                condition=models.Q(valid_to__isnull=True),
                name="member_count_open_idx",
            ),
        ]
        constraints = [
            valid_range("member_count_valid_range"),
            one_open("member_count_one_open", "unit", "kind"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.kind} {self.n} ({self.valid_from:%d/%m/%Y})"


class ListRun(models.Model):
    """One stretch of days a member spent on the list (danh sách đảng viên)
    of one cell: a status period (probationary or official) × a permanent
    placement that overlap, with the member's state the day before it began
    and on the day after it ended, from which Biểu 1 and Biểu 7 read why the
    member came onto a list or left it (reports/statforms/reads.py). The
    cell's versions are not split in here: a restructure moves no member's
    row, and the forms join the versions of the day when they read.

    A summary of the status and placement histories, written only by
    members/listruns.py in the transaction of the write that changed them,
    like MemberCount; `manage.py verify_counts` checks it against them."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    # the permanent placement's recorded origin and destination (TransferScope)
    arrived_from = models.CharField(max_length=16, blank=True)
    left_to = models.CharField(max_length=16, blank=True)
    # the day before valid_from: the status and the cell (none: not placed)
    status_before = models.CharField(max_length=20, null=True, blank=True)
    unit_before = models.BigIntegerField(null=True, blank=True)
    # on valid_to: the status, whether it is a removal for leaving the Party,
    # and the cell
    status_after = models.CharField(max_length=20, null=True, blank=True)
    left_party_after = models.BooleanField(default=False)
    unit_after = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("lượt trong danh sách đảng viên")
        verbose_name_plural = _("lượt trong danh sách đảng viên")
        indexes = [
            models.Index(fields=["member", "valid_from"], name="list_run_member_idx"),
            models.Index(fields=["unit", "valid_from"], name="list_run_unit_idx"),
            # the runs that begin or end in a period
            models.Index(fields=["valid_from"], name="list_run_from_idx"),
            models.Index(fields=["valid_to"], name="list_run_to_idx"),
        ]
        constraints = [valid_range("list_run_valid_range")]

    def __str__(self) -> str:
        return f"{self.member_id} @ {self.unit_id} {self.status} ({self.valid_from:%d/%m/%Y})"
