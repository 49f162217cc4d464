"""Periodic reports a committee submits to the committee above.

A `Submission` is one report of one unit for one period; each time the unit
submits it (first, and again after it was returned) a `SubmissionVersion`
freezes the table as it was then. The board's decisions and comments are
`Review` rows. Nothing is overwritten or deleted: every version and every
comment stays.
"""

import calendar
from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from organizations.models import Unit


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Tháng")
    HALF = "half", _("6 tháng")
    YEAR = "year", _("Năm")


class SubmissionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Đã nộp, chờ duyệt")
    RETURNED = "returned", _("Bị trả lại")
    APPROVED = "approved", _("Đã duyệt")


class Submission(models.Model):
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị nộp"), on_delete=models.PROTECT, related_name="submissions"
    )
    to_unit = models.ForeignKey(
        Unit, verbose_name=_("nộp lên"), on_delete=models.PROTECT, related_name="+"
    )
    report = models.CharField(_("báo cáo"), max_length=64)
    period = models.CharField(_("kỳ báo cáo"), max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    due_on = models.DateField(_("hạn nộp"))
    status = models.CharField(_("tình trạng"), max_length=12, choices=SubmissionStatus.choices)
    first_submitted_at = models.DateTimeField(_("nộp lần đầu lúc"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("báo cáo định kỳ")
        verbose_name_plural = _("báo cáo định kỳ")
        ordering = ["-period_start", "unit_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "report", "period", "period_start"], name="submission_once"
            )
        ]
        indexes = [
            models.Index(fields=["to_unit", "report", "period", "period_start"], name="sub_to_idx")
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.report} – {self.period_label}"

    @property
    def period_label(self) -> str:
        return period_label(self.period, self.period_start)

    @property
    def was_late(self) -> bool:
        return self.first_submitted_at.date() > self.due_on


class SubmissionVersion(models.Model):
    """The report as submitted, frozen: the table's JSON, never recomputed."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(_("lần nộp"))
    table = models.JSONField(_("số liệu đã nộp"))
    note = models.TextField(_("ghi chú của đơn vị"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("nộp lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("lần nộp báo cáo")
        verbose_name_plural = _("lần nộp báo cáo")
        ordering = ["submission_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "number"], name="submission_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.submission} (lần {self.number})"


class Review(models.Model):
    """The board's decision on a version (approve / return), with its comment."""

    class Action(models.TextChoices):
        APPROVE = "approve", _("Duyệt")
        RETURN = "return", _("Trả lại")

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="reviews")
    version = models.ForeignKey(SubmissionVersion, on_delete=models.PROTECT, related_name="reviews")
    action = models.CharField(_("quyết định"), max_length=8, choices=Action.choices)
    comment = models.TextField(_("ý kiến"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ý kiến duyệt báo cáo")
        verbose_name_plural = _("ý kiến duyệt báo cáo")
        ordering = ["submission_id", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} – {self.submission}"


# Days after the end of a period by which its report is due (practice of the
# offices; a setting, not a regulation).
DEFAULT_DUE_DAYS = {PeriodKind.MONTH: 5, PeriodKind.HALF: 15, PeriodKind.YEAR: 20}


def due_on(kind: str, period_end: date) -> date:
    days = getattr(settings, "CHIBO_REPORT_DUE_DAYS", DEFAULT_DUE_DAYS)
    return period_end + timedelta(days=days.get(kind, 10))


def period_bounds(kind: str, start: date) -> tuple[date, date]:
    """The first and last day of the period of `kind` that contains `start`."""
    if kind == PeriodKind.MONTH:
        first = date(start.year, start.month, 1)
        return first, date(start.year, start.month, calendar.monthrange(start.year, start.month)[1])
    if kind == PeriodKind.HALF:
        if start.month <= 6:
            return date(start.year, 1, 1), date(start.year, 6, 30)
        return date(start.year, 7, 1), date(start.year, 12, 31)
    return date(start.year, 1, 1), date(start.year, 12, 31)


def period_label(kind: str, start: date) -> str:
    if kind == PeriodKind.MONTH:
        return f"Tháng {start:%m/%Y}"
    if kind == PeriodKind.HALF:
        return f"6 tháng {'đầu' if start.month <= 6 else 'cuối'} năm {start.year}"
    return f"Năm {start.year}"
