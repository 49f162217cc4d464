"""Party dues (đảng phí) by regulation.

What a member owes in a month comes from the rule set in force that month
(dues/rules.py: 342-QĐ/TW up to 01/2026, 01-QĐ/TW from 02/2026), the
member's dues category and base in force (`DuesBasis`, a dated history: a
raise changes the base from a month on), and any reduction or exemption
(`DuesRelief` on request; at 50 years of party age and on the social pension
automatically). The payments themselves are meetings.DuesPayment (paid at the
meeting): amount, cash or the public-service portal, the amount expected when
it was recorded, and whether it was a voluntary higher payment.

What the public text does not give is configuration with validity dates, set
by an administrator: the fixed amounts of some groups (`FixedRate`) and the
share each kind of organization keeps (`DuesShare`). Every row is a period:
valid_from is the first day of its first month, valid_to (exclusive) the first
day of the month after its last, empty while open.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dues.choices import DuesCategory, ReliefReason, ShareKind
from members.models import Member
from organizations.models import Period, one_open, valid_range


class DuesBasis(Period):
    """A member's dues category and base (đồng a month: salary on which social
    insurance is paid, the benefit, the pension, the living allowance, or the
    amount a member abroad chose) from a month on."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="dues_bases")
    category = models.CharField(
        _("đối tượng đóng đảng phí"), max_length=20, choices=DuesCategory.choices
    )
    base = models.PositiveBigIntegerField(_("căn cứ tính (đồng/tháng)"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("căn cứ đóng đảng phí")
        verbose_name_plural = _("căn cứ đóng đảng phí")
        ordering = ["member_id", "valid_from"]
        constraints = [
            valid_range("dues_basis_valid_range"),
            one_open("dues_basis_one_open", "member"),
            models.UniqueConstraint(
                fields=["member", "valid_from"], name="dues_basis_once_a_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.category} {self.base} ({self.valid_from:%m/%Y})"


class DuesRelief(Period):
    """A decision reducing (30, 50, 70%) or exempting (100%) a member's dues,
    on request, for at most 12 months (01-QĐ/TW)."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="dues_reliefs")
    percent = models.PositiveSmallIntegerField(_("mức giảm (%)"))
    reason = models.CharField(_("lý do"), max_length=16, choices=ReliefReason.choices)
    decision_number = models.CharField(_("số quyết định"), max_length=64)
    decided_on = models.DateField(_("ngày quyết định"))
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("miễn, giảm đảng phí")
        verbose_name_plural = _("miễn, giảm đảng phí")
        ordering = ["member_id", "valid_from"]
        constraints = [
            valid_range("dues_relief_valid_range"),
            models.CheckConstraint(
                condition=models.Q(percent__in=(30, 50, 70, 100)), name="dues_relief_percent"
            ),
        ]

    @property
    def is_exemption(self) -> bool:
        return self.percent == 100

    def __str__(self) -> str:
        return f"{self.member_id} −{self.percent}% ({self.valid_from:%m/%Y})"


class FixedRate(Period):
    """The fixed monthly amount of a category under a rule set, where the
    public text gives none (set by an administrator; dues/rules.py has the
    defaults used while none is set)."""

    rule_set = models.CharField(_("quy định"), max_length=8)
    category = models.CharField(_("đối tượng"), max_length=20, choices=DuesCategory.choices)
    amount = models.PositiveIntegerField(_("mức đóng (đồng/tháng)"))
    note = models.CharField(_("căn cứ, ghi chú"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("mức đảng phí cố định")
        verbose_name_plural = _("mức đảng phí cố định")
        ordering = ["rule_set", "category", "valid_from"]
        constraints = [valid_range("dues_fixed_valid_range")]

    def __str__(self) -> str:
        return f"{self.rule_set} {self.category}: {self.amount} ({self.valid_from:%m/%Y})"


class DuesShare(Period):
    """The percentage of the dues reaching an organization of this kind that
    it keeps; the rest is sent up (set by an administrator, dated)."""

    kind = models.CharField(_("loại tổ chức"), max_length=24, choices=ShareKind.choices)
    kept_percent = models.PositiveSmallIntegerField(_("tỷ lệ trích giữ lại (%)"))
    note = models.CharField(_("căn cứ, ghi chú"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("tỷ lệ trích giữ lại đảng phí")
        verbose_name_plural = _("tỷ lệ trích giữ lại đảng phí")
        ordering = ["kind", "valid_from"]
        constraints = [
            valid_range("dues_share_valid_range"),
            models.CheckConstraint(
                condition=models.Q(kept_percent__lte=100), name="dues_share_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.kept_percent}% ({self.valid_from:%m/%Y})"
