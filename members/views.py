"""Pages of members: the list (and its exports), the profile with its
timeline and dossier history, the lifecycle actions, the due lists and the
residence-contact page. Every record comes through members.selectors or
organizations.selectors, so anything outside the user's reach is a 404."""

from collections import Counter
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from chibo.downloads import export_response
from chibo.errors import ServiceError
from members import forms, services
from members.choices import MEMBER_STATUSES, PlacementKind, Status
from members.exports import ROSTER
from members.models import Discipline, Member, ResidenceContact
from members.rules import younger_than_a_candidate
from members.selectors import (
    badges_due,
    dossier_changes,
    exemption_due,
    keeps_members,
    may_edit_member,
    member_for_user_or_404,
    member_timeline,
    officials_in,
    probation_due,
    residence_contacts_of,
    with_badge_years,
)
from members.selectors import (
    member_list as select_members,
)
from organizations.models import CELL_LEVELS, PATH_STEP, Level, valid_on
from organizations.selectors import can_edit, unit_for_user_or_404, units_for

PAGE_SIZE = 50
DUE_PAGE_SIZE = 100
# More units than this in the user's reach: the unit filter lists committees
# only (a cell is still reachable from its own page's link).
UNIT_CHOICES_LIMIT = 400
# and even committees only beyond this: the levels from the top that fit
UNIT_CHOICES_MOST = 1500


def _unit_choices(user, selected) -> list[tuple[int, str]]:
    """The unit filter's choices: every unit in reach; above
    UNIT_CHOICES_LIMIT, the committees only (chosen in the query: a nation's
    14,000 cells are not read to be dropped); still above it (a nation's
    3,000 committees made the page 232 KB) above UNIT_CHOICES_MOST, the
    levels from the top that fit. The unit chosen is always among them."""
    units = (
        units_for(user)
        .filter(dissolved_on__isnull=True)
        .exclude(level=Level.PARTY_GROUP)
        .order_by("path")
    )
    if units[: UNIT_CHOICES_LIMIT + 1].count() > UNIT_CHOICES_LIMIT:
        units = units.filter(~Q(level__in=CELL_LEVELS) | Q(pk=selected or 0))
    rows = list(units.values_list("pk", "name", "level", "path"))
    top = min((len(r[3]) for r in rows), default=0)
    if len(rows) > UNIT_CHOICES_MOST:
        # the levels from the top down while they fit (a nation: the root and
        # its provinces; a province keeps its 1,000 grassroots committees)
        sizes = Counter(len(r[3]) for r in rows)
        deepest, shown = top, 0
        for depth in sorted(sizes):
            shown += sizes[depth]
            if shown > UNIT_CHOICES_MOST and depth > top:
                break
            deepest = depth
        rows = [r for r in rows if len(r[3]) <= deepest or r[0] == selected]
    return [
        (pk, "\u00a0\u00a0" * ((len(path) - top) // PATH_STEP) + name)
        for pk, name, _l, path in rows
    ]


@login_required
def member_list(request):
    """The member list; ?format=csv or xlsx exports exactly the rows the
    filters show (every page), so screen and spreadsheet never disagree
    (members/exports.py reads the same filters)."""
    raw_unit = request.GET.get("unit") or None
    selected = int(raw_unit) if raw_unit and raw_unit.isdigit() else None
    unit_choices = _unit_choices(request.user, selected)
    form = forms.MemberFilterForm(request.GET or None)
    unit = None
    if form.is_bound and form.is_valid():
        if form.cleaned_data["unit"] is not None:
            unit = unit_for_user_or_404(request.user, form.cleaned_data["unit"])
        qs = select_members(request.user, unit=unit, **form.filters())
    elif form.is_bound:
        qs = None
    else:
        qs = select_members(request.user)
    fmt = request.GET.get("format", "")
    if fmt in ROSTER.formats:
        if qs is None:
            return render(request, "members/list.html", {"form": form}, status=400)
        # a ward's roster at once; the province's by the background worker
        params = {k: v for k, v in request.GET.items() if k not in ("page", "format")}
        return export_response(request, ROSTER.name, params, fmt)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page")) if qs is not None else None
    if page is not None:
        _label_rows(page)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(
        request,
        "members/list.html",
        {
            "form": form,
            "page": page,
            "unit": unit,
            "query": query.urlencode(),
            "unit_choices": unit_choices,
            "selected_unit": selected,
            "all_units_label": _("Tất cả đơn vị"),
            "keeps_members": keeps_members(request.user),
            # the filters fold behind one button; it says how many are set
            "active_filters": sum(
                1 for k, v in request.GET.items() if k not in ("q", "page", "format") and v
            ),
        },
    )


def _label_rows(page) -> None:
    """Each member of the page with its row drawn once in Python (`.row`),
    each label translated once rather than once per row: fifty rows of seven
    cells through the template language were a third of the page's time."""
    page.object_list = list(page.object_list)
    genders = {k: str(v) for k, v in Member._meta.get_field("gender").flatchoices}
    statuses = {k: str(v) for k, v in Member._meta.get_field("status").flatchoices}
    link = reverse("members:detail", args=[987654321]).replace("987654321", "{}")
    labels = [
        _("STT"),
        _("Họ và tên"),
        _("Giới tính"),
        _("Ngày sinh"),
        _("Chi bộ"),
        _("Tình trạng"),
        _("Số thẻ"),
    ]
    exempt = format_html(' <span class="badge">{}</span>', _("miễn SH"))
    for number, m in enumerate(page.object_list, start=page.start_index()):
        m.link = link.format(m.pk)
        m.gender_label = genders.get(m.gender, m.gender)
        m.status_label = statuses.get(m.status, m.status)
        m.row = format_html(
            ROW,
            *labels,
            number,
            m.link,
            m.full_name,
            exempt if m.is_exempt else "",
            m.gender_label,
            f"{m.birth_date:%d/%m/%Y}" if m.birth_date else "",
            (m.unit.name if m.unit_id else "") or "—",
            m.status_label,
            m.card_number_masked,
        )


# members/list.html's row (labels first, then the member's cells)
ROW = (
    "<tr>\n"
    '      <td data-label="{0}" class="num">{7}</td>\n'
    '      <td data-label="{1}"><a href="{8}">{9}</a>{10}</td>\n'
    '      <td data-label="{2}">{11}</td>\n'
    '      <td data-label="{3}">{12}</td>\n'
    '      <td data-label="{4}">{13}</td>\n'
    '      <td data-label="{5}">{14}</td>\n'
    '      <td data-label="{6}">{15}</td>\n'
    "    </tr>"
)


ACTIONS = {
    # slug: (title, form class, statuses it applies to)
    "ket-nap": (_l("Kết nạp vào Đảng"), forms.AdmitForm, (Status.CANDIDATE,)),
    "cong-nhan": (
        _l("Công nhận đảng viên chính thức"),
        forms.RecognizeForm,
        (Status.PROBATIONARY,),
    ),
    "khong-ket-nap": (
        _l("Không kết nạp / không công nhận chính thức"),
        forms.RejectForm,
        (Status.CANDIDATE, Status.PROBATIONARY),
    ),
    "chuyen": (_l("Chuyển sinh hoạt chính thức"), forms.TransferForm, services.LIVE_STATUSES),
    "chuyen-ra": (_l("Chuyển sinh hoạt ra ngoài"), forms.TransferOutForm, MEMBER_STATUSES),
    "tam-thoi": (_l("Sinh hoạt tạm thời"), forms.TemporaryForm, MEMBER_STATUSES),
    "tro-ve": (_l("Kết thúc sinh hoạt tạm thời"), forms.DayForm, MEMBER_STATUSES),
    "mien": (_l("Miễn công tác và sinh hoạt đảng"), forms.ExemptForm, MEMBER_STATUSES),
    "thoi-mien": (_l("Thôi miễn sinh hoạt"), forms.DayForm, MEMBER_STATUSES),
    "xoa-ten": (_l("Xóa tên"), forms.RemoveForm, MEMBER_STATUSES),
    "ky-luat": (_l("Kỷ luật"), forms.DisciplineForm, MEMBER_STATUSES),
    "khai-tru": (_l("Khai trừ"), forms.DisciplineForm, MEMBER_STATUSES),
    "tu-tran": (_l("Từ trần"), forms.DeathForm, services.LIVE_STATUSES),
    "cu-tru": (_l("Sinh hoạt nơi cư trú (Quy định 213)"), forms.ResidenceForm, MEMBER_STATUSES),
    "thoi-cu-tru": (_l("Kết thúc liên hệ nơi cư trú"), forms.DayForm, MEMBER_STATUSES),
    "danh-gia": (
        _l("Kết quả đánh giá cán bộ, công chức hằng tháng"),
        forms.EvaluationForm,
        MEMBER_STATUSES,
    ),
    "khen-thuong": (_l("Ghi khen thưởng"), forms.AwardForm, MEMBER_STATUSES),
    "huy-hieu": (_l("Ghi tặng Huy hiệu Đảng"), forms.BadgeForm, MEMBER_STATUSES),
    "the-dang": (_l("Phát, cấp lại, đổi thẻ đảng viên"), forms.CardForm, (Status.OFFICIAL,)),
}
FORMS_WITH_CONTEXT = (forms.TransferForm, forms.TemporaryForm, forms.ResidenceForm)
# Steps that end a membership or punish: shown apart on the profile, in the
# colour of danger, and recorded only after a second, explicit confirmation.
GRAVE_ACTIONS = ("xoa-ten", "ky-luat", "khai-tru", "tu-tran")


def _run(slug: str, actor, member, d: dict):
    s = services
    if slug == "ket-nap":
        return s.member_admit(actor=actor, member=member, **d)
    if slug == "cong-nhan":
        return s.member_recognize_official(actor=actor, member=member, **d)
    if slug == "khong-ket-nap":
        return s.member_reject(actor=actor, member=member, **d)
    if slug == "chuyen":
        return s.member_transfer_permanent(actor=actor, member=member, **d)
    if slug == "chuyen-ra":
        return s.member_transfer_out(actor=actor, member=member, **d)
    if slug == "tam-thoi":
        return s.member_transfer_temporary(actor=actor, member=member, **d)
    if slug == "tro-ve":
        return s.member_return_temporary(actor=actor, member=member, **d)
    if slug == "mien":
        return s.member_exempt(actor=actor, member=member, **d)
    if slug == "thoi-mien":
        return s.member_end_exemption(actor=actor, member=member, **d)
    if slug == "xoa-ten":
        return s.member_remove(actor=actor, member=member, **d)
    if slug in ("ky-luat", "khai-tru"):
        return s.member_discipline(actor=actor, member=member, **d)
    if slug == "tu-tran":
        return s.member_record_death(actor=actor, member=member, **d)
    if slug == "thoi-cu-tru":
        contact = member.residence_contacts.filter(valid_to__isnull=True).first()
        if contact is None:
            raise ServiceError(_("Đảng viên này không có liên hệ nơi cư trú nào đang mở."))
        return s.residence_contact_end(actor=actor, contact=contact, **d)
    if slug == "cu-tru":
        return s.residence_contact_start(actor=actor, member=member, **d)
    if slug == "danh-gia":
        return s.evaluation_record(actor=actor, member=member, **d)
    if slug == "khen-thuong":
        return s.award_record(actor=actor, member=member, **d)
    if slug == "huy-hieu":
        return s.badge_record(actor=actor, member=member, **d)
    if slug == "the-dang":
        return s.card_issue(actor=actor, member=member, **d)
    raise Http404


def _actions_for(member) -> list[tuple[str, str]]:
    out = []
    for slug, (title, _form, statuses) in ACTIONS.items():
        if member.status not in statuses:
            continue
        if slug == "thoi-mien" and not member.is_exempt:
            continue
        if slug == "mien" and member.is_exempt:
            continue
        if slug == "danh-gia" and not member.is_civil_servant:
            continue
        if slug == "thoi-cu-tru" and not member.has_open_contact:
            continue
        if slug == "tro-ve" and not member.is_away:
            continue
        if slug == "tam-thoi" and member.is_away:
            continue
        out.append((slug, title))
    return out


@login_required
@require_POST
def member_reveal(request, pk: int):
    """The profile with the full CCCD and card numbers: a deliberate click
    (a POST), recorded in the audit trail with who and when."""
    member = member_for_user_or_404(request.user, pk)
    services.member_identifiers_reveal(member, actor=request.user)
    return member_detail(request, pk, revealed=True)


@login_required
def member_detail(request, pk: int, *, revealed: bool = False):
    member = member_for_user_or_404(request.user, pk)
    editable = may_edit_member(request.user, member)
    contacts = list(member.residence_contacts.select_related("unit"))
    member.has_open_contact = any(c.valid_to is None for c in contacts)
    member.is_away = member.placements.filter(
        valid_on(date.today()), kind=PlacementKind.TEMPORARY
    ).exists()
    context = {
        "member": member,
        "timeline": member_timeline(member),
        "changes": dossier_changes(member, revealed=revealed),
        "can_edit": editable,
        "actions": [a for a in _actions_for(member) if a[0] not in GRAVE_ACTIONS]
        if editable
        else [],
        "grave_actions": [a for a in _actions_for(member) if a[0] in GRAVE_ACTIONS]
        if editable
        else [],
        "disciplines": member.disciplines.all(),
        "awards": member.awards.all(),
        "badges": member.badges.all(),
        "cards": member.cards.all(),
        "evaluations": member.evaluations.all()[:12],
        "contacts": contacts,
        "revealed": revealed,
    }
    return render(request, "members/detail.html", context)


def _editable_member_or_403(request, pk):
    member = member_for_user_or_404(request.user, pk)
    if not may_edit_member(request.user, member):
        raise PermissionDenied
    return member


@login_required
def member_edit(request, pk: int):
    member = _editable_member_or_403(request, pk)
    form = forms.ProfileForm(
        request.POST or None, instance=member_for_user_or_404(request.user, pk)
    )
    if request.method == "POST" and form.is_valid():
        try:
            with form.guard():  # told what changed if someone saved meanwhile
                services.member_update(
                    actor=request.user,
                    member=member,
                    changed_on=form.cleaned_data["changed_on"],
                    **{f: form.cleaned_data[f] for f in services.PROFILE_FIELDS},
                )
        except ServiceError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã lưu hồ sơ."))
            return redirect("members:detail", pk=member.pk)
    return render(
        request, "members/form.html", {"member": member, "form": form, "title": _("Sửa hồ sơ")}
    )


@login_required
def member_action(request, pk: int, action: str):
    if action not in ACTIONS:
        raise Http404
    member = _editable_member_or_403(request, pk)
    title, form_class, statuses = ACTIONS[action]
    kwargs = {"user": request.user, "member": member} if form_class in FORMS_WITH_CONTEXT else {}
    if "officials" in form_class.base_fields and member.unit_id:
        kwargs["initial"] = {"officials": officials_in(member.unit)}
    if action == "khai-tru":
        kwargs["initial"] = {"form": Discipline.Form.EXPULSION}
    if action == "huy-hieu" and request.GET.get("years", "").isdigit():
        kwargs["initial"] = {"years": int(request.GET["years"])}
    form = form_class(request.POST or None, **kwargs)
    grave = action in GRAVE_ACTIONS
    refusal = ""
    if member.status not in statuses:
        refusal = _("Không thể “%(action)s” cho người đang là “%(status)s”.") % {
            "action": title,
            "status": member.get_status_display(),
        }
    elif request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        confirmed = not grave or request.POST.get("confirm") == "yes"
        try:
            if confirmed:
                _run(action, request.user, member, data)
            else:
                # a grave step runs once in a rolled-back transaction, so a
                # refusal (a future date, a wrong status) comes before the
                # confirmation page, not after it
                with transaction.atomic():
                    _run(action, request.user, member, data)
                    transaction.set_rollback(True)
        except ServiceError as exc:
            form.add_error(None, exc)
        else:
            if not confirmed:
                member.refresh_from_db()
                return render(
                    request,
                    "members/confirm_grave.html",
                    {"member": member, "form": form, "title": title, "summary": _summary(form)},
                )
            messages.success(request, _("Đã ghi: %(action)s.") % {"action": title})
            return redirect("members:detail", pk=member.pk)
    return render(
        request,
        "members/form.html",
        {"member": member, "form": form, "title": title, "refusal": refusal, "grave": grave},
    )


def _summary(form) -> list[tuple[str, str]]:
    """What a grave step will record, as the confirmation page repeats it."""
    out = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if value in (None, "", [], False):
            continue
        if hasattr(field, "choices") and not hasattr(value, "pk"):
            value = dict(field.choices).get(value, value)
        elif hasattr(value, "year") and hasattr(value, "day"):
            value = value.strftime("%d/%m/%Y")
        elif value is True:
            value = _("Có")
        out.append((str(field.label), str(value)))
    return out


@login_required
def candidate_new(request, unit_pk: int):
    unit = unit_for_user_or_404(request.user, unit_pk)
    if not can_edit(request.user, unit):
        raise PermissionDenied
    if unit.level not in CELL_LEVELS:
        raise Http404
    form = forms.CandidateForm(request.POST or None, unit=unit)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        helpers = (data.pop("helper_1"), data.pop("helper_2"))
        proposed_on = data.pop("proposed_on")
        try:
            member = services.member_propose_candidate(
                actor=request.user, unit=unit, proposed_on=proposed_on, helpers=helpers, **data
            )
        except ServiceError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã ghi quần chúng ưu tú %(name)s.") % {"name": member})
            if member.birth_date and younger_than_a_candidate(member.birth_date, proposed_on):
                messages.warning(
                    request,
                    _(
                        "Theo ngày sinh %(birth)s, %(name)s chưa đủ 16 tuổi vào ngày đề nghị; "
                        "hãy kiểm tra lại năm sinh."
                    )
                    % {"birth": member.birth_date.strftime("%d/%m/%Y"), "name": member},
                )
            return redirect("members:detail", pk=member.pk)
    return render(
        request,
        "members/form.html",
        {"form": form, "unit": unit, "title": _("Đề nghị kết nạp quần chúng ưu tú")},
    )


@login_required
def member_receive(request, unit_pk: int):
    """Tiếp nhận đảng viên chuyển sinh hoạt đến from outside the system."""
    unit = unit_for_user_or_404(request.user, unit_pk)
    if not can_edit(request.user, unit):
        raise PermissionDenied
    if unit.level not in CELL_LEVELS:
        raise Http404
    form = forms.ReceiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            member = services.member_receive(
                actor=request.user,
                unit=unit,
                day=data.pop("day"),
                arrived_from=data.pop("arrived_from"),
                decision_number=data.pop("decision_number"),
                **data,
            )
        except ServiceError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã tiếp nhận đảng viên %(name)s.") % {"name": member})
            return redirect("members:detail", pk=member.pk)
    return render(
        request,
        "members/form.html",
        {"form": form, "unit": unit, "title": _("Tiếp nhận đảng viên chuyển đến")},
    )


DUE_LISTS = {
    "du-bi": _l("Đảng viên dự bị đến hạn xét chính thức"),
    "huy-hieu": _l("Đảng viên đến mốc nhận Huy hiệu Đảng"),
    "mien-sinh-hoat": _l("Đảng viên đủ tuổi được miễn sinh hoạt"),
}


@login_required
def due_list(request, kind: str):
    if kind not in DUE_LISTS:
        raise Http404
    today = date.today()
    year = today.year
    if kind == "huy-hieu":
        raw = request.GET.get("nam", "")
        year = int(raw) if raw.isdigit() and 1960 <= int(raw) <= 2100 else today.year
        rows = badges_due(request.user, year)
    elif kind == "du-bi":
        rows = probation_due(request.user, today)
    else:
        rows = exemption_due(request.user, today)
    page = Paginator(rows, DUE_PAGE_SIZE).get_page(request.GET.get("page"))
    if kind == "huy-hieu":
        with_badge_years(page.object_list, year)
    return render(
        request,
        "members/due.html",
        {"kind": kind, "title": DUE_LISTS[kind], "page": page, "year": year, "today": today},
    )


@login_required
def residence(request, unit_pk: int):
    """The residence cell's page: the working members who keep contact with it
    (Quy định 213-QĐ/TW), their yearly comments and monthly evaluations."""
    unit = unit_for_user_or_404(request.user, unit_pk)
    contacts = residence_contacts_of(unit, date.today())
    return render(
        request,
        "members/residence.html",
        {
            "unit": unit,
            "contacts": contacts,
            "can_comment": can_edit(request.user, unit, routine=True),
            "comment_form": forms.CommentForm(initial={"year": date.today().year}),
        },
    )


@login_required
@require_POST
def residence_comment(request, contact_pk: int):
    contact = get_object_or_404(
        ResidenceContact.objects.select_related("unit", "member"), pk=contact_pk
    )
    unit = unit_for_user_or_404(request.user, contact.unit_id)  # 404 outside reach
    if not can_edit(request.user, unit, routine=True):
        raise PermissionDenied
    form = forms.CommentForm(request.POST)
    if form.is_valid():
        try:
            services.residence_comment_record(
                actor=request.user, contact=contact, **form.cleaned_data
            )
        except ServiceError as exc:
            for m in exc.messages:
                messages.error(request, m)
        else:
            messages.success(request, _("Đã ghi nhận xét."))
    else:
        for errors in form.errors.values():
            for m in errors:
                messages.error(request, m)
    return redirect("members:residence", unit_pk=unit.pk)


@login_required
def unit_award(request, unit_pk: int):
    """Record a khen thưởng for a party organization (the unit page links here)."""
    unit = unit_for_user_or_404(request.user, unit_pk)
    if not can_edit(request.user, unit):
        raise PermissionDenied
    form = forms.AwardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.award_record(actor=request.user, unit=unit, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã ghi khen thưởng của %(unit)s.") % {"unit": unit.name})
            return redirect("organizations:unit_detail", unit.pk)
    return render(
        request,
        "members/form.html",
        {"member": None, "unit": unit, "form": form, "title": _("Ghi khen thưởng tổ chức đảng")},
    )
