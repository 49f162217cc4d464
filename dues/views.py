"""The dues pages: the cell's monthly sheet (entered on a phone like the
attendance: everyone paid the expected amount unless tapped), a member's
category, base and reliefs, the dues book, the remittance list, and the
arrears and lapsing reliefs in the user's reach."""

import re
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo import concurrency
from chibo.cache import figures
from chibo.dates import DateError, first_of_month, month_shift, parse_day, parse_month
from chibo.downloads import export_response
from chibo.errors import ServiceError
from dues import rules, selectors, services
from dues.choices import RELIEF_PERCENTS, DuesCategory, ReliefReason
from meetings.choices import DuesChannel
from meetings.models import DuesPayment, Meeting
from members.models import Member
from members.selectors import member_for_user_or_404, members_for
from organizations.models import Unit
from organizations.selectors import can_edit, scope_key, unit_for_user_or_404

_STATE_KEY = re.compile(r"^state_(\d+)$")
_MONTHS_KEY = re.compile(r"^months_from_(\d+)$")


def _month(request, today: date) -> date:
    try:
        month = parse_month(request.GET.get("month", "")) or today
    except DateError as exc:  # a mistyped month in the box or the address
        messages.error(request, exc.message)
        month = today
    if not 2000 <= month.year <= today.year + 1:
        month = today
    return first_of_month(month)


def _errors(request, exc: ServiceError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _months_at_once(post) -> tuple[dict, list[str]]:
    """The sheet's "đóng trước / đóng bù" boxes: {member id: (first, last,
    channel)};
    the messages of months mistyped or half given."""
    out, bad = {}, []
    for key in post:
        match = _MONTHS_KEY.match(key)
        if not match:
            continue
        pk = int(match.group(1))
        first_text = post.get(f"months_from_{pk}", "").strip()
        last_text = post.get(f"months_to_{pk}", "").strip()
        if not first_text and not last_text:
            continue
        try:
            first, last = parse_month(first_text), parse_month(last_text)
        except DateError as exc:
            bad.append(exc.message)
            continue
        if first is None or last is None:
            bad.append(_("Đóng trước, đóng bù cần ghi cả “từ tháng” và “đến hết tháng” (mm/yyyy)."))
            continue
        channel = DuesChannel.PORTAL if post.get(f"portal_{pk}") else DuesChannel.CASH
        out[pk] = (first, last, channel)
    return out, bad


def _entries(post) -> tuple[dict, list[str]]:
    """The sheet's POST as {member id: Entry}; the messages of bad amounts."""
    entries, bad = {}, []
    for key, state in post.items():
        match = _STATE_KEY.match(key)
        if not match:
            continue
        pk = int(match.group(1))
        channel = DuesChannel.PORTAL if post.get(f"portal_{pk}") else DuesChannel.CASH
        if state == "paid":
            entries[pk] = services.Entry(services.PAID_EXPECTED, channel)
        elif state == "unpaid":
            entries[pk] = services.Entry(None, channel)
        elif state == "other":
            try:
                amount = services.parse_amount(post.get(f"amount_{pk}", ""))
            except ServiceError as exc:
                bad += exc.messages
                continue
            if amount is None:
                bad.append(_("Chọn “Số khác” thì cần ghi số tiền."))
                continue
            entries[pk] = services.Entry(amount, channel)
    return entries, bad


def _sheet_state(unit, month: date) -> dict[str, str]:
    """The month's payments of the cell as stored, for the edit rule
    (chibo.concurrency): {member's name: amount and channel}."""
    out = {}
    for p in (
        DuesPayment.objects.filter(unit=unit, month=month)
        .select_related("member")
        .order_by("member_id")
    ):
        out[p.member.full_name] = f"{p.amount:,} đ ({p.get_channel_display()})".replace(",", ".")
    return out


@login_required
def sheet(request, unit_pk: int):
    """The month's dues of a cell: expected, paid, difference for each member."""
    unit = unit_for_user_or_404(request.user, unit_pk)
    if not unit.is_cell:
        raise Http404
    today = timezone.localdate()
    month = _month(request, today)
    meeting = None
    if request.GET.get("meeting"):
        meeting = Meeting.objects.filter(pk=request.GET["meeting"], unit=unit).first()
        if meeting is None:
            raise Http404
    editable = can_edit(request.user, unit, routine=True)
    posted: dict = {}
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(_("Bạn chỉ được xem, không được sửa số liệu của đơn vị này."))
        posted = request.POST
        entries, bad = _entries(request.POST)
        periods, bad_months = _months_at_once(request.POST)
        bad += bad_months
        if bad:
            for message in dict.fromkeys(bad):
                messages.error(request, message)
        else:
            try:
                # told what changed if someone else saved this month's sheet meanwhile
                with concurrency.guarded(
                    request.POST.get(concurrency.FIELD),
                    lock=Unit.objects.filter(pk=unit.pk),
                    state=lambda: _sheet_state(unit, month),
                ):
                    counts = _save_sheet(request.user, unit, month, entries, periods, meeting)
            except concurrency.EditConflict as exc:
                _errors(request, exc)
                # the lines someone else saved show what they saved; the rest as tapped here
                changed = {label for label, _before, _now in exc.changes}
                posted = posted.copy()
                for m in Member.objects.filter(pk__in=list(entries), full_name__in=changed):
                    for key in (f"state_{m.pk}", f"amount_{m.pk}", f"portal_{m.pk}"):
                        posted.pop(key, None)
                    posted[f"shown_{m.pk}"] = "saved"
            except ServiceError as exc:
                _errors(request, exc)
            else:
                for name, n in counts.get("at_once", []):
                    messages.success(
                        request,
                        _("Đã ghi %(name)s đóng trước, đóng bù %(n)s tháng, thu trong tháng %(m)s.")
                        % {"name": name, "n": n, "m": month.strftime("%m/%Y")},
                    )
                messages.success(
                    request,
                    _("Đã lưu đảng phí tháng %(m)s: %(c)s ghi mới, %(u)s sửa, %(r)s bỏ.")
                    % {
                        "m": month.strftime("%m/%Y"),
                        "c": counts["created"],
                        "u": counts["updated"],
                        "r": counts["removed"],
                    },
                )
                return redirect(request.get_full_path())
    data = selectors.dues_sheet(unit, month, today)
    for line in data["lines"]:
        line.state, line.amount_text, line.portal = _state(line, posted)
    return render(
        request,
        "dues/sheet.html",
        {
            "unit": unit,
            "sheet": data,
            "meeting": meeting,
            "can_edit": editable and month <= first_of_month(today),
            "month": month,
            "seen": concurrency.token(_sheet_state(unit, month)),
            "previous_month": month_shift(month, -1),
            "next_month": month_shift(month, 1) if month < first_of_month(today) else None,
        },
    )


@transaction.atomic
def _save_sheet(actor, unit, month, entries, periods, meeting) -> dict:
    """The month's entries, and the payments of several months at once of
    members on leave (received this month): all saved, or none."""
    for pk in periods:
        entries.pop(pk, None)  # the months given cover this one if they include it
    counts = services.dues_collect(
        actor=actor, unit=unit, month=month, entries=entries, meeting=meeting
    )
    counts["at_once"] = []
    members = {m.pk: m for m in Member.objects.filter(pk__in=list(periods))}
    for pk, (first, last, channel) in periods.items():
        if pk not in members:
            raise ServiceError(_("Có người không phải đảng viên của chi bộ trong danh sách."))
        rows = services.dues_collect_months(
            actor=actor,
            unit=unit,
            member=members[pk],
            first_month=first,
            last_month=last,
            received_in=month,
            channel=channel,
        )
        counts["at_once"].append((members[pk].full_name, len(rows)))
    return counts


def _state(line, posted) -> tuple[str, str, bool]:
    """How a sheet line is shown: what was posted (a refused save keeps what
    was tapped), else the saved payment, else the default: paid the
    expected amount (nothing expected or unknown: not paid)."""
    pk = line.member.pk
    if posted and not posted.get(f"shown_{pk}"):
        return (
            posted.get(f"state_{pk}", "paid"),
            posted.get(f"amount_{pk}", ""),
            bool(posted.get(f"portal_{pk}")),
        )
    p = line.payment
    if p is not None:
        if line.expected.amount is not None and p.amount == line.expected.amount:
            return "paid", "", p.channel == DuesChannel.PORTAL
        return "other", f"{p.amount:,}".replace(",", "."), p.channel == DuesChannel.PORTAL
    if line.owes and line.expected.amount and line.row.away is None:
        return "paid", "", False
    return "unpaid", "", False


@login_required
def member_dues(request, member_pk: int):
    """A member's dues category and base over time, reliefs, and the year's payments."""
    member = member_for_user_or_404(request.user, member_pk)
    editable = member.unit is not None and can_edit(request.user, member.unit)
    today = timezone.localdate()
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(_("Bạn chỉ được xem, không được sửa hồ sơ này."))
        try:
            if request.POST.get("action") == "basis":
                since = parse_month(request.POST.get("since", ""))
                if since is None:
                    raise ServiceError(_("Cần ghi tháng bắt đầu (mm/yyyy)."))
                services.basis_set(
                    actor=request.user,
                    member=member,
                    category=request.POST.get("category", ""),
                    base=services.parse_amount(request.POST.get("base", ""), _("căn cứ tính")),
                    since=since,
                    note=request.POST.get("note", ""),
                )
                messages.success(request, _("Đã ghi đối tượng và căn cứ đóng đảng phí."))
            elif request.POST.get("action") == "relief":
                first = parse_month(request.POST.get("first_month", ""))
                last = parse_month(request.POST.get("last_month", ""))
                decided = parse_day(request.POST.get("decided_on", ""))
                if first is None or last is None or decided is None:
                    raise ServiceError(_("Cần ghi tháng đầu, tháng cuối và ngày quyết định."))
                percent = request.POST.get("percent", "")
                services.relief_grant(
                    actor=request.user,
                    member=member,
                    percent=int(percent) if percent.isdigit() else 0,
                    reason=request.POST.get("reason", ""),
                    first_month=first,
                    last_month=last,
                    decision_number=request.POST.get("decision_number", ""),
                    decided_on=decided,
                )
                messages.success(request, _("Đã ghi quyết định miễn, giảm đảng phí."))
        except DateError as exc:
            messages.error(request, exc.message)
        except ServiceError as exc:
            _errors(request, exc)
        else:
            return redirect("dues:member", member.pk)
    months = [date(today.year, k, 1) for k in range(1, today.month + 1)]
    exp = selectors.expectations([member], months)
    payments = {p.month: p for p in member.dues_payments.filter(month__year=today.year)}
    return render(
        request,
        "dues/member.html",
        {
            "member": member,
            "can_edit": editable,
            "bases": member.dues_bases.order_by("valid_from"),
            "reliefs": member.dues_reliefs.order_by("valid_from"),
            "year_lines": [
                {"month": m, "expected": exp[(member.pk, m)], "payment": payments.get(m)}
                for m in months
            ],
            "categories": DuesCategory.choices,
            "reasons": ReliefReason.choices,
            "percents": RELIEF_PERCENTS,
            "posted": request.POST,
            "fifty_from": rules.exempt_by_party_age_from(member.admitted_on),
        },
    )


@login_required
def book(request, unit_pk: int):
    """The cell's dues book of a year, as a page and as PDF, XLSX, .docx."""
    unit = unit_for_user_or_404(request.user, unit_pk)
    if not unit.is_cell:
        raise Http404
    today = timezone.localdate()
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() and 2000 <= int(raw) <= today.year else today.year
    fmt = request.GET.get("format")
    if fmt:
        return export_response(request, "dues.book", {"unit": unit.pk, "year": year}, fmt)
    return render(
        request,
        "dues/book.html",
        {"unit": unit, "book": selectors.dues_book(unit, year, today), "year": year},
    )


@login_required
def remittance(request, unit_pk: int):
    """A committee's monthly remittance list: each unit under it, collected,
    kept and sent up, with the totals."""
    unit = unit_for_user_or_404(request.user, unit_pk)
    today = timezone.localdate()
    month = _month(request, today)
    fmt = request.GET.get("format")
    if fmt:
        return export_response(
            request, "dues.remittance", {"unit": unit.pk, "month": month.strftime("%Y-%m")}, fmt
        )
    return render(
        request,
        "dues/remittance.html",
        {"unit": unit, "r": selectors.remittance(unit, month), "month": month},
    )


@login_required
def due(request):
    """Members in the user's reach with three or more months unpaid this
    year, the months named, a page at a time; and reliefs that lapse this
    month or the next. The list is the same for everyone of the scope, so
    kept a while (chibo.cache): a nation's reads the year's payments of
    every member (3 s for 300,000 members), its pages then read none."""
    today = timezone.localdate()
    arrears = figures(
        f"dues.arrears:{scope_key(request.user)}",
        lambda: selectors.arrears_in(members_for(request.user), today),
        day=today,
    )
    return render(
        request,
        "dues/due.html",
        {
            "arrears": Paginator(arrears, ARREARS_PAGE).get_page(request.GET.get("page")),
            "lapsing": selectors.reliefs_lapsing(members_for(request.user), today),
            "today": today,
        },
    )


# members in arrears listed per page (a nation has 9,000 for three provinces)
ARREARS_PAGE = 100
