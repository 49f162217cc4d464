import re
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chibo import concurrency
from chibo.cache import figures
from chibo.dates import DateError, month_shift, parse_month
from chibo.errors import ServiceError
from documents.header import signer_on
from documents.render import response as render_document
from meetings import documents, rules, selectors, services
from meetings.forms import CorrectionForm, GuestForm, MeetingForm, VoteForm
from meetings.models import AttendanceStatus, Guest, Meeting, MeetingBody, Restriction
from organizations.models import COMMITTEE_LEVELS, Unit
from organizations.selectors import can_edit, root_units_for, scope_key, unit_for_user_or_404

TRACKER_PAGE = 50
# What a new meeting form takes over from the cell's previous meeting.
SAME_AS_LAST_TIME = ("starts_at", "ends_at", "place", "chair", "secretary", "agenda")


def _require_edit(user, unit: Unit) -> None:
    if not can_edit(user, unit, routine=True):
        raise PermissionDenied(_("Bạn chỉ được xem, không được sửa số liệu của đơn vị này."))


def _errors(request, exc: ServiceError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    return min(max(year, 2000), timezone.localdate().year + 1)


@login_required
def tracker(request):
    """Month-by-cell grid of the cells under a unit for a year."""
    year = _year(request)
    today = timezone.localdate()
    if request.GET.get("unit"):
        root = unit_for_user_or_404(request.user, request.GET["unit"])
    else:
        roots = root_units_for(request.user)
        root = roots[0] if roots else None
    context = {"year": year, "root": root, "years": range(today.year - 3, today.year + 1)}
    if root is not None:
        cells = selectors.tracker_cells(request.user, root, year)
        page = Paginator(cells, TRACKER_PAGE).get_page(request.GET.get("page"))
        context.update(
            page=page,
            rows=selectors.tracker_rows(list(page.object_list), year, today),
            # the year's meetings of every cell of the scope (700 ms for a
            # province's 60,000): the same for everyone of it (chibo.cache)
            summary=figures(
                f"meetings.tracker_summary:{scope_key(request.user)}:{root.pk}:{year}",
                lambda: selectors.tracker_summary(cells, year, today),
                day=today,
            ),
            committees=list(
                root.children.filter(
                    level__in=COMMITTEE_LEVELS, dissolved_on__isnull=True
                ).order_by("name")
            ),
            months=range(1, 13),
            today=today,
        )
    return render(request, "meetings/tracker.html", context)


@login_required
def unit_meetings(request, unit_pk: int):
    unit = unit_for_user_or_404(request.user, unit_pk)
    page = Paginator(unit.meetings.order_by("-held_on", "-pk"), 50).get_page(
        request.GET.get("page")
    )
    last = timezone.localdate().replace(day=1)
    return render(
        request,
        "meetings/unit_meetings.html",
        {
            "unit": unit,
            "page": page,
            "can_edit": can_edit(request.user, unit, routine=True),
            "offers_cell_committee": selectors.ever_had_cell_committee(unit),
            # this year so far; in January, last year's too (its December
            # meeting may still be recorded)
            "absent_three": sorted(
                {
                    *selectors.absent_three_months(unit, last),
                    *selectors.absent_three_months(unit, month_shift(last, -1)),
                },
                key=lambda m: m.sort_key,
            ),
        },
    )


@login_required
def meeting_create(request, unit_pk: int):
    unit = unit_for_user_or_404(request.user, unit_pk)
    _require_edit(request.user, unit)
    today = timezone.localdate()
    initial = {"month": today.replace(day=1), "held_on": today}
    try:  # "record last month's meeting" from the home page
        asked = parse_month(request.GET.get("month", ""))
    except DateError:
        asked = None
    if asked is not None and asked <= today:
        initial["month"] = asked
    # A cell meets in the same place at the same hour with the same chair and
    # secretary month after month: start from its last meeting rather than
    # make an elderly secretary type them all again.
    last = unit.meetings.order_by("-held_on", "-pk").first()
    if last is not None:
        initial.update({k: getattr(last, k) for k in SAME_AS_LAST_TIME})
    # the minutes are signed by names: the secretary (bí thư) in office chairs
    signer = signer_on(unit, today)
    if signer["name"] and (not initial.get("chair") or rules.is_title_only(initial["chair"])):
        initial["chair"] = signer["name"]
    if rules.is_title_only(initial.get("secretary", "")):
        initial["secretary"] = ""
    body = request.GET.get("body")
    if body in MeetingBody.values:
        initial["body"] = body
    form = MeetingForm(
        request.POST or None,
        initial=initial,
        offer_cell_committee=selectors.ever_had_cell_committee(unit),
        names=selectors.member_names(unit, today),
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(actor=request.user, unit=unit, **form.cleaned_data)
        except ServiceError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Đã ghi cuộc sinh hoạt. Xin điểm danh."))
            return redirect("meetings:attendance", meeting.pk)
    return render(
        request, "meetings/meeting_form.html", {"form": form, "unit": unit, "meeting": None}
    )


@login_required
def meeting_edit(request, pk: int):
    meeting = selectors.meeting_for_user_or_404(request.user, pk)
    _require_edit(request.user, meeting.unit)
    if meeting.is_adopted:
        messages.error(
            request,
            _("Biên bản đã được thông qua nên không sửa được; hãy lập bản đính chính."),
        )
        return redirect("meetings:detail", meeting.pk)
    form = MeetingForm(
        request.POST or None,
        instance=meeting,
        names=selectors.member_names(meeting.unit, meeting.held_on),
    )
    if request.method == "POST" and form.is_valid():
        try:
            with form.guard():  # told what changed if someone saved meanwhile
                services.meeting_update(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ServiceError as exc:
            _errors(request, exc)
            meeting.refresh_from_db()
        else:
            messages.success(request, _("Đã lưu."))
            return redirect("meetings:detail", meeting.pk)
    return render(
        request,
        "meetings/meeting_form.html",
        {"form": form, "unit": meeting.unit, "meeting": meeting},
    )


@login_required
def meeting_detail(request, pk: int):
    meeting = selectors.meeting_for_user_or_404(request.user, pk)
    content = selectors.minutes_content(meeting)
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "unit": meeting.unit,
            "c": content,
            "can_edit": can_edit(request.user, meeting.unit, routine=True),
            "versions": list(meeting.versions.all()),
            "guest_form": GuestForm(unit=meeting.unit),
            "target": rules.attendance_target(meeting.unit.category),
            "below_target": meeting.attendance_taken
            and rules.attendance_below_target(
                meeting.unit.category, meeting.present_count, meeting.summoned_count
            ),
        },
    )


_STATUS_KEY = re.compile(r"^status_(\d+)$")


def _attendance_state(meeting: Meeting) -> dict[str, str]:
    """The attendance as stored, for the edit rule (chibo.concurrency)."""
    out = {}
    for a in meeting.attendance.select_related("member").order_by("member_id"):
        text = a.get_status_display()
        if a.reason:
            text += f" ({a.reason})"
        out[a.member.full_name] = text
    return out


@login_required
def attendance(request, pk: int):
    """Everyone present by default; tap the absent ones and pick a reason."""
    meeting = selectors.meeting_for_user_or_404(request.user, pk)
    _require_edit(request.user, meeting.unit)
    if meeting.is_adopted and request.method != "POST":
        messages.error(request, _("Biên bản đã được thông qua nên không điểm danh lại được."))
        return redirect("meetings:detail", meeting.pk)
    entries: dict[int, dict] = {}
    others_changed: set[str] = set()  # members someone else saved meanwhile
    if request.method == "POST":
        for key, value in request.POST.items():
            match = _STATUS_KEY.match(key)
            if not match:
                continue
            pk_ = int(match.group(1))
            entries[pk_] = {
                "status": value,
                "reason": request.POST.get(f"reason_{pk_}", ""),
                "restriction": request.POST.get(f"restriction_{pk_}", ""),
            }
        try:
            # told what changed if someone else saved this attendance meanwhile
            with concurrency.guarded(
                request.POST.get(concurrency.FIELD),
                lock=Meeting.objects.filter(pk=meeting.pk),
                state=lambda: _attendance_state(meeting),
                record=meeting,
            ):
                services.meeting_record_attendance(
                    actor=request.user, meeting=meeting, entries=entries
                )
        except concurrency.EditConflict as exc:
            _errors(request, exc)
            others_changed = {label for label, _before, _now in exc.changes}
        except ServiceError as exc:
            _errors(request, exc)
        else:
            meeting.refresh_from_db()
            messages.success(
                request,
                _("Đã lưu điểm danh: có mặt %(p)s/%(s)s.")
                % {"p": meeting.present_count, "s": meeting.summoned_count},
            )
            return redirect("meetings:detail", meeting.pk)
    saved = {a.member_id: a for a in meeting.attendance.all()}
    rows = []
    for row in services.expected_attendance(meeting):
        a = saved.get(row.member.pk)
        posted = entries.get(row.member.pk)
        if row.member.full_name in others_changed:
            posted = None  # show what the other person saved; the rest as ticked here
        if posted is not None:  # refused: show what was ticked, not lose it
            status, reason, restriction = posted["status"], posted["reason"], posted["restriction"]
        elif a is not None:
            status, reason, restriction = a.status, a.reason, a.restriction
        elif row.away is not None:
            status, reason, restriction = AttendanceStatus.AWAY, "", ""
        else:
            status = AttendanceStatus.EXEMPT if row.exempt else AttendanceStatus.PRESENT
            reason, restriction = "", ""
        rows.append({"row": row, "status": status, "reason": reason, "restriction": restriction})
    return render(
        request,
        "meetings/attendance.html",
        {
            "meeting": meeting,
            "unit": meeting.unit,
            "rows": rows,
            "seen": concurrency.token(_attendance_state(meeting)),
            "restrictions": Restriction.choices[1:],
            "reasons": [
                _("Ốm đau"),
                _("Đi công tác"),
                _("Việc gia đình"),
                _("Đi học"),
                _("Tuổi cao, sức yếu"),
            ],
        },
    )


@login_required
@require_POST
def guest_add(request, pk: int):
    meeting = selectors.meeting_for_user_or_404(request.user, pk)
    _require_edit(request.user, meeting.unit)
    form = GuestForm(request.POST, unit=meeting.unit)
    if form.is_valid():
        try:
            services.guest_add(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ServiceError as exc:
            _errors(request, exc)
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("meetings:detail", meeting.pk)


@login_required
@require_POST
def guest_remove(request, pk: int, guest_pk: int):
    meeting = selectors.meeting_for_user_or_404(request.user, pk)
    _require_edit(request.user, meeting.unit)
    guest = get_object_or_404(Guest, pk=guest_pk, meeting=meeting)
    try:
        services.guest_remove(actor=request.user, guest=guest)
    except ServiceError as exc:
        _errors(request, exc)
    return redirect("meetings:detail", meeting.pk)


@login_required
def vote(request, pk: int):
    """Record a vote; the page shows who counts in the denominator and why."""
    meeting = selectors.meeting_for_user_or_404(request.user, pk)
    _require_edit(request.user, meeting.unit)
    form = VoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            v = services.vote_record(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ServiceError as exc:
            _errors(request, exc)
        else:
            if v.passed:
                messages.success(
                    request,
                    _("“%(s)s”: %(y)s/%(d)s tán thành – thông qua.")
                    % {"s": v.subject, "y": v.yes, "d": v.denominator},
                )
            else:
                messages.warning(
                    request,
                    _("“%(s)s”: %(y)s/%(d)s tán thành, cần %(n)s – không thông qua.")
                    % {"s": v.subject, "y": v.yes, "d": v.denominator, "n": v.needed},
                )
            return redirect("meetings:vote", meeting.pk)
    counted, left_out = rules.vote_denominator(services.voters_of(meeting))
    n = len(counted)
    return render(
        request,
        "meetings/vote.html",
        {
            "meeting": meeting,
            "unit": meeting.unit,
            "form": form,
            "counted": counted,
            "left_out": left_out,
            "needed_ordinary": rules.votes_needed(rules.VoteKind.ORDINARY, n),
            "needed_two_thirds": rules.votes_needed(rules.VoteKind.ADMISSION, n),
            "votes": list(meeting.votes.all()),
        },
    )


@login_required
def minutes_adopt(request, pk: int):
    """Adopting locks the minutes for good: a page asks to confirm it (a form,
    so it works without JavaScript); only the confirmed post adopts."""
    meeting = selectors.meeting_for_user_or_404(request.user, pk)
    _require_edit(request.user, meeting.unit)
    if meeting.is_adopted:
        return redirect("meetings:detail", meeting.pk)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            services.minutes_adopt(actor=request.user, meeting=meeting)
        except ServiceError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Biên bản đã được thông qua và khóa lại."))
        return redirect("meetings:detail", meeting.pk)
    return render(
        request,
        "meetings/adopt_confirm.html",
        {"meeting": meeting, "unit": meeting.unit, "c": selectors.minutes_content(meeting)},
    )


@login_required
def minutes_correct(request, pk: int):
    meeting = selectors.meeting_for_user_or_404(request.user, pk)
    _require_edit(request.user, meeting.unit)
    form = CorrectionForm(request.POST or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        try:
            version = services.minutes_correct(
                actor=request.user, meeting=meeting, reason=reason, **data
            )
        except ServiceError as exc:
            _errors(request, exc)
        else:
            messages.success(
                request,
                _("Đã lập bản đính chính (phiên bản %(n)s); các bản trước vẫn được lưu.")
                % {"n": version.number},
            )
            return redirect("meetings:detail", meeting.pk)
    return render(
        request,
        "meetings/correction_form.html",
        {"meeting": meeting, "unit": meeting.unit, "form": form},
    )


def _version(meeting: Meeting, number):
    try:
        return meeting.versions.get(number=int(number))
    except (ValueError, TypeError, meeting.versions.model.DoesNotExist) as exc:
        raise Http404(_("Không có phiên bản này.")) from exc


@login_required
def minutes_version(request, pk: int, number: int):
    meeting = selectors.meeting_for_user_or_404(request.user, pk)
    version = _version(meeting, number)
    return render(
        request,
        "meetings/minutes_version.html",
        {"meeting": meeting, "unit": meeting.unit, "version": version, "c": version.content},
    )


def _document(request, pk: int, kind: str, fmt: str):
    meeting = selectors.meeting_for_user_or_404(request.user, pk)
    version = _version(meeting, request.GET["version"]) if request.GET.get("version") else None
    context = documents.document_context(
        meeting, "BB" if kind == "minutes" else "NQ", version=version
    )
    name = documents.filename(meeting, kind)
    if version is not None:
        name += f"-phien-ban-{version.number}"
    return render_document(kind, context, fmt, name, unit=meeting.unit)


@login_required
def minutes_document(request, pk: int, fmt: str):
    return _document(request, pk, "minutes", fmt)


@login_required
def resolution_document(request, pk: int, fmt: str):
    return _document(request, pk, "resolution", fmt)


def month_param(day: date) -> str:
    return day.strftime("%Y-%m")
