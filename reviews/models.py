"""The annual review and rating (đánh giá, xếp loại chất lượng).

A `ReviewCycle` is one unit's review of one year, under the rule set of that
year (reviews/rules.py). It holds a `MemberReview` per member expected and an
`OrganizationReview` per party organization reviewed. Their fields are a
cache of the current state, written only by reviews/services.py in the same
transaction that appends the dated, attributed `ReviewStep` it comes from;
the steps are never changed or deleted, so a returned decision stays on
record with its reason.

Reports read `decided_level` per `year`, filtered by `path` (the unit's
materialized path at the time of the review).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members.models import Member
from organizations.models import Unit
from reviews.rules import LEVEL_CHOICES, RANK, SHORT, Level, Reason, rule_set


class ReviewCycle(models.Model):
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="review_cycles"
    )
    year = models.PositiveSmallIntegerField(_("năm đánh giá"))
    rule_set_code = models.CharField(_("quy định áp dụng"), max_length=8, editable=False)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("đợt đánh giá, xếp loại")
        verbose_name_plural = _("đợt đánh giá, xếp loại")
        ordering = ["-year", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="review_cycle_one_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.year}"

    @property
    def rules(self):
        return rule_set(self.rule_set_code)


class Stage(models.TextChoices):
    OPEN = "open", _("Chưa tự kiểm điểm")
    SELF = "self", _("Đã tự kiểm điểm")
    COMMENTED = "commented", _("Chi bộ đã nhận xét")
    VOTED = "voted", _("Đã biểu quyết")
    PROPOSED = "proposed", _("Chi bộ đã đề xuất")
    DECIDED = "decided", _("Cấp ủy đã quyết định")
    PUBLISHED = "published", _("Đã công bố")


class ReviewFields(models.Model):
    """What member and organization reviews share: the proposal, the
    decision, a return and the publication."""

    cycle = models.ForeignKey(ReviewCycle, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm"))
    path = models.CharField(max_length=255)
    self_review = models.TextField(_("tự kiểm điểm"), blank=True)
    self_at = models.DateTimeField(null=True, blank=True)
    proposed_level = models.CharField(
        _("chi bộ đề xuất"), max_length=16, choices=LEVEL_CHOICES, blank=True
    )
    proposed_at = models.DateTimeField(null=True, blank=True)
    proposal_checks = models.JSONField(default=list, blank=True)
    decided_level = models.CharField(
        _("cấp ủy quyết định"), max_length=16, choices=LEVEL_CHOICES, blank=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    override_reason = models.TextField(_("lý do vẫn quyết định dù trái quy định"), blank=True)
    returned_reason = models.TextField(_("lý do trả lại"), blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def level(self) -> str:
        """The level as it stands: decided, else proposed."""
        return self.decided_level or self.proposed_level

    @property
    def short_level(self) -> str:
        return SHORT.get(self.decided_level, "")

    @property
    def decided_name(self) -> str:
        """The level's full name, as printed on official documents."""
        return str(Level(self.decided_level).label) if self.decided_level else ""

    @property
    def proposed_name(self) -> str:
        return str(Level(self.proposed_level).label) if self.proposed_level else ""

    @property
    def proposed_short(self) -> str:
        return SHORT.get(self.proposed_level, "")

    @property
    def rank(self) -> int:
        return RANK.get(self.decided_level, 0)

    # The cell's steps between the self-review and the proposal, latest
    # first: (field that records it, stage it reaches).
    cell_stages: tuple[tuple[str, str], ...] = ()

    @property
    def stage(self) -> str:
        """The furthest step reached."""
        for attr, stage in (
            ("published_at", Stage.PUBLISHED),
            ("decided_level", Stage.DECIDED),
            ("proposed_level", Stage.PROPOSED),
            *self.cell_stages,
            ("self_at", Stage.SELF),
        ):
            if getattr(self, attr):
                return stage
        return Stage.OPEN

    @property
    def stage_label(self) -> str:
        return Stage(self.stage).label


class MemberReview(ReviewFields):
    cycle = models.ForeignKey(ReviewCycle, on_delete=models.PROTECT, related_name="member_reviews")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="reviews")
    cell = models.ForeignKey(
        Unit, verbose_name=_("chi bộ"), on_delete=models.PROTECT, related_name="+"
    )
    # 366-QĐ/TW: the self-score, 30 for the general criteria, 70 for results.
    score_general = models.PositiveSmallIntegerField(
        _("điểm tiêu chí chung (tối đa 30)"), null=True, blank=True
    )
    score_results = models.PositiveSmallIntegerField(
        _("điểm kết quả thực hiện nhiệm vụ (tối đa 70)"), null=True, blank=True
    )
    outstanding = models.BooleanField(_("có kết quả, sản phẩm nổi bật"), default=False)
    residence_comment = models.TextField(_("nhận xét của chi bộ nơi cư trú"), blank=True)
    cell_comment = models.TextField(_("nhận xét của chi bộ"), blank=True)
    commented_at = models.DateTimeField(null=True, blank=True)
    vote_present = models.PositiveSmallIntegerField(_("số đảng viên biểu quyết"), null=True)
    votes_excellent = models.PositiveSmallIntegerField(_("phiếu HTXSNV"), null=True)
    votes_good = models.PositiveSmallIntegerField(_("phiếu HTTNV"), null=True)
    votes_completed = models.PositiveSmallIntegerField(_("phiếu HTNV"), null=True)
    votes_not_completed = models.PositiveSmallIntegerField(_("phiếu KHTNV"), null=True)
    voted_at = models.DateTimeField(null=True, blank=True)
    # Biểu 7B: the committee's reasons with its decision (rules.Reason):
    # shortcomings of a "hoàn thành nhiệm vụ", violations of the lowest level
    reasons = models.JSONField(_("lý do (biểu 7B)"), default=list, blank=True)

    cell_stages = (("voted_at", Stage.VOTED), ("commented_at", Stage.COMMENTED))

    class Meta:
        verbose_name = _("đánh giá đảng viên")
        verbose_name_plural = _("đánh giá đảng viên")
        ordering = ["cycle_id", "cell__path", "member__sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="member_review_one_a_year"),
            models.CheckConstraint(
                condition=Q(score_general__isnull=True) | Q(score_general__lte=30),
                name="member_review_general_max",
            ),
            models.CheckConstraint(
                condition=Q(score_results__isnull=True) | Q(score_results__lte=70),
                name="member_review_results_max",
            ),
        ]
        indexes = [
            models.Index(fields=["year", "path"], name="member_review_year_path_idx"),
            models.Index(
                fields=["path"],
                name="member_review_path_like_idx",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} – {self.year}"

    @property
    def score(self) -> int | None:
        if self.score_general is None or self.score_results is None:
            return None
        return self.score_general + self.score_results

    @property
    def reason_labels(self) -> list[str]:
        return [str(Reason(r).label) for r in self.reasons if r in Reason.values]

    @property
    def votes(self) -> dict[str, int | None]:
        return {
            "excellent": self.votes_excellent,
            "good": self.votes_good,
            "completed": self.votes_completed,
            "not_completed": self.votes_not_completed,
        }


class OrganizationReview(ReviewFields):
    """A party organization's own review: a cell, or the grassroots
    organization of the cycle (decided by the committee above)."""

    cycle = models.ForeignKey(
        ReviewCycle, on_delete=models.PROTECT, related_name="organization_reviews"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("tổ chức đảng"), on_delete=models.PROTECT, related_name="+"
    )
    # Biểu 7A "trong đó tiêu biểu": among those at the top level (TSVM, HTXSNV)
    exemplary = models.BooleanField(_("tiêu biểu"), default=False)

    class Meta:
        verbose_name = _("đánh giá tổ chức đảng")
        verbose_name_plural = _("đánh giá tổ chức đảng")
        ordering = ["cycle_id", "path"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="org_review_one_a_year"),
        ]
        indexes = [
            models.Index(fields=["year", "path"], name="org_review_year_path_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.year}"


class ReviewStep(models.Model):
    """One dated, attributed step of a review; never changed or deleted."""

    class Kind(models.TextChoices):
        SELF = "self", _("Tự kiểm điểm")
        RESIDENCE = "residence", _("Nhận xét của chi bộ nơi cư trú")
        COMMENT = "comment", _("Nhận xét của chi bộ")
        VOTE = "vote", _("Biểu quyết")
        PROPOSE = "propose", _("Đề xuất mức xếp loại")
        DECIDE = "decide", _("Quyết định xếp loại")
        RETURN = "return", _("Trả lại")
        PUBLISH = "publish", _("Công bố kết quả")

    member_review = models.ForeignKey(
        MemberReview, null=True, blank=True, on_delete=models.PROTECT, related_name="steps"
    )
    organization_review = models.ForeignKey(
        OrganizationReview, null=True, blank=True, on_delete=models.PROTECT, related_name="steps"
    )
    kind = models.CharField(_("bước"), max_length=12, choices=Kind.choices)
    level = models.CharField(_("mức"), max_length=16, choices=LEVEL_CHOICES, blank=True)
    text = models.TextField(_("nội dung"), blank=True)
    reason = models.TextField(_("lý do"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bước đánh giá")
        verbose_name_plural = _("bước đánh giá")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(member_review__isnull=False, organization_review__isnull=True)
                | Q(member_review__isnull=True, organization_review__isnull=False),
                name="review_step_one_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%d/%m/%Y}"
