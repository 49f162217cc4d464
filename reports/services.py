"""Every write of the submit-and-review flow: a committee submits a periodic
report to the committee above; the board approves it or returns it with a
comment; the unit submits again. Each step is kept."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.audit import audit_record
from chibo.errors import ServiceError
from organizations.models import Role, Unit
from organizations.selectors import can_edit, role_paths, sees_everything
from reports.catalogue import Params, ReportError, get_report
from reports.models import (
    PeriodKind,
    Review,
    Submission,
    SubmissionStatus,
    SubmissionVersion,
    due_on,
    period_bounds,
)


def params_for(report, start: date, end: date, today: date | None = None) -> Params:
    """The params a periodic report is computed with: the period so far."""
    end = min(end, today or date.today())
    if report.periodic:
        return Params(start=start, end=end)
    return Params(day=end)


def may_review(user, unit: Unit) -> bool:
    """The board of a committee above `unit` (any role but a cell secretary's,
    on a unit strictly above it) approves or returns its reports."""
    if sees_everything(user):
        return True
    kinds = (Role.Kind.ADMIN, Role.Kind.STAFF, Role.Kind.REVIEWER)
    return any(unit.path.startswith(p) and unit.path != p for p in role_paths(user, kinds))


@transaction.atomic
def submission_submit(
    *,
    actor,
    unit: Unit,
    report: str,
    period: str,
    period_start: date,
    note: str = "",
    today: date | None = None,
) -> SubmissionVersion:
    """Submit `unit`'s `report` for the period to the committee above, frozen
    as computed now. A returned report may be submitted again (a new
    version); one awaiting review or approved may not."""
    today = today or date.today()
    if actor is not None and not can_edit(actor, unit):
        raise ServiceError(
            _("Bạn không có quyền nộp báo cáo của “%(unit)s”.") % {"unit": unit.name}
        )
    if unit.parent_id is None:
        raise ServiceError(_("“%(unit)s” không có cấp trên để nộp báo cáo.") % {"unit": unit.name})
    if unit.dissolved_on is not None:
        raise ServiceError(_("“%(unit)s” đã giải thể.") % {"unit": unit.name})
    the_report = get_report(report)
    if the_report is None:
        raise ServiceError(_("Không có báo cáo này."))
    if period not in PeriodKind.values:
        raise ServiceError(_("Kỳ báo cáo không hợp lệ."))
    start, end = period_bounds(period, period_start)
    if start > today:
        raise ServiceError(
            _("Kỳ báo cáo bắt đầu ngày %(day)s, chưa đến.") % {"day": start.strftime("%d/%m/%Y")}
        )
    submission = (
        Submission.objects.select_for_update()
        .filter(unit=unit, report=report, period=period, period_start=start)
        .first()
    )
    if submission is not None and submission.status == SubmissionStatus.SUBMITTED:
        raise ServiceError(_("Báo cáo kỳ này đã nộp và đang chờ cấp trên xem xét."))
    if submission is not None and submission.status == SubmissionStatus.APPROVED:
        raise ServiceError(_("Báo cáo kỳ này đã được duyệt; không nộp lại."))
    try:
        table = the_report.run(unit, params_for(the_report, start, end, today))
    except ReportError as exc:
        raise ServiceError(str(exc)) from exc
    now = timezone.now()
    if submission is None:
        submission = Submission.objects.create(
            unit=unit,
            to_unit_id=unit.parent_id,
            report=report,
            period=period,
            period_start=start,
            period_end=end,
            due_on=due_on(period, end),
            status=SubmissionStatus.SUBMITTED,
            first_submitted_at=now,
        )
        number = 1
    else:
        submission.status = SubmissionStatus.SUBMITTED
        submission.save(update_fields=["status", "updated_at"])
        number = submission.versions.count() + 1
    version = SubmissionVersion.objects.create(
        submission=submission,
        number=number,
        table=table.as_dict(),
        note=(note or "").strip(),
        submitted_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action="report_submit",
        target=submission,
        unit=unit,
        summary=_("Nộp báo cáo “%(title)s” %(period)s (lần %(n)s)")
        % {"title": the_report.title, "period": submission.period_label, "n": number},
    )
    return version


@transaction.atomic
def submission_review(*, actor, submission: Submission, action: str, comment: str = "") -> Review:
    """Approve or return the latest version; returning needs a comment."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if actor is not None and not may_review(actor, submission.unit):
        raise ServiceError(
            _("Bạn không có quyền duyệt báo cáo của “%(unit)s”.") % {"unit": submission.unit.name}
        )
    if action not in Review.Action.values:
        raise ServiceError(_("Quyết định không hợp lệ."))
    if submission.status != SubmissionStatus.SUBMITTED:
        raise ServiceError(
            _("Báo cáo này đang ở tình trạng “%(status)s”, không chờ duyệt.")
            % {"status": submission.get_status_display()}
        )
    comment = (comment or "").strip()
    if action == Review.Action.RETURN and not comment:
        raise ServiceError(_("Khi trả lại báo cáo, cần ghi ý kiến để đơn vị sửa."))
    version = submission.versions.order_by("-number").first()
    review = Review.objects.create(
        submission=submission,
        version=version,
        action=action,
        comment=comment,
        reviewer=actor if getattr(actor, "pk", None) else None,
    )
    submission.status = (
        SubmissionStatus.APPROVED if action == Review.Action.APPROVE else SubmissionStatus.RETURNED
    )
    submission.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action=f"report_{action}",
        target=submission,
        unit=submission.unit,
        summary=_("%(action)s báo cáo %(period)s của %(unit)s")
        % {
            "action": review.get_action_display(),
            "period": submission.period_label,
            "unit": submission.unit.name,
        },
        data={"comment": comment, "version": version.number},
    )
    return review
