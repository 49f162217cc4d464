"""Pages of the annual review. Every object comes through reviews.selectors
(404 outside the user's reach); every write goes through reviews.services,
whose refusals are shown as messages with nothing changed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chibo import concurrency
from chibo.downloads import export_response
from chibo.errors import ServiceError
from documents.render import response as render_document
from members.models import ResidenceComment
from members.selectors import member_for_user_or_404
from organizations.models import CELL_LEVELS, GRASSROOTS_LEVELS, Role
from organizations.selectors import can_edit, scope_q, unit_for_user_or_404, units_for
from reviews import documents, exports, forms, selectors, services
from reviews.models import MemberReview, OrganizationReview
from reviews.rules import FIRST_YEAR, ORDER, SHORT, check_excellent_cap, rule_set_for_year

# sub-units per page of the results (both tables turn the page together)
RESULTS_PAGE = 50


def _errors(request, exc: ServiceError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _form_errors(request, form) -> None:
    for errors in form.errors.values():
        for e in errors:
            messages.error(request, e)


def _openable_units(user):
    """The cells and grassroots units the user may open a cycle for: those
    can_edit(user, unit, routine=True) allows, chosen in the query (a national
    reviewer reaches 17,000 units and may open none; asking can_edit of each
    took a second)."""
    editing = (Role.Kind.ADMIN, Role.Kind.STAFF, Role.Kind.SECRETARY)
    return list(
        units_for(user)
        .filter(
            scope_q(user, kinds=editing),
            level__in=CELL_LEVELS + GRASSROOTS_LEVELS,
            dissolved_on__isnull=True,
        )
        .order_by("path")
    )


@login_required
def index(request):
    cycles = list(selectors.cycles_for(request.user).order_by("-year", "unit__path")[:500])
    units = _openable_units(request.user)
    form = None
    if units:
        form = forms.OpenCycleForm(units=units, initial={"year": timezone.localdate().year - 1})
    return render(request, "reviews/index.html", {"cycles": cycles, "form": form})


@login_required
@require_POST
def cycle_open(request):
    units = _openable_units(request.user)
    form = forms.OpenCycleForm(request.POST, units=units)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("reviews:index")
    unit = next(u for u in units if u.pk == form.cleaned_data["unit"])
    try:
        cycle = services.review_open_cycle(
            actor=request.user, unit=unit, year=form.cleaned_data["year"]
        )
    except ServiceError as exc:
        _errors(request, exc)
        return redirect("reviews:index")
    messages.success(request, _("Đã mở đợt đánh giá, xếp loại năm %(y)s.") % {"y": cycle.year})
    return redirect("reviews:cycle", cycle.pk)


@login_required
def cycle_detail(request, pk: int):
    cycle = selectors.cycle_for_user_or_404(request.user, pk)
    whole = selectors.reaches_whole_cycle(request.user, cycle)
    rows = selectors.member_rows(cycle, request.user)
    cells: dict[int, list] = {}
    for row in rows:
        cells.setdefault(row.review.cell_id, []).append(row)
    grassroots = services.grassroots_of(cycle.unit) if whole else None
    cap_check = None
    if grassroots is not None:
        cap_check = check_excellent_cap(
            cycle.rules,
            services.organization_levels(grassroots.path, cycle.year),
            grassroots.name,
        )
    if whole:
        results = selectors.member_results(cycle.unit, cycle.year)
        org_results = selectors.organization_results(cycle.unit, cycle.year)
    else:
        # a cell's secretary in a committee's cycle: their own cell's part only
        results = [
            selectors.member_results(rs[0].review.cell, cycle.year, by_child=False)[0]
            for rs in cells.values()
        ]
        org_results = []
    context = {
        "cycle": cycle,
        "whole": whole,
        "cap_checks": [cap_check] if cap_check else [],
        "grassroots": grassroots,
        "unit": cycle.unit,
        "rules": cycle.rules,
        "rows": rows,
        "cell_groups": [(rs[0].review.cell, rs) for rs in cells.values()],
        "org_rows": selectors.organization_rows(cycle, request.user),
        "results": results,
        "org_results": org_results,
        "broken_count": sum(1 for r in rows if r.broken),
        "can_decide": services.may_decide_in_cycle(request.user, cycle),
        "levels": [SHORT[level] for level in ORDER],
    }
    return render(request, "reviews/cycle.html", context)


@login_required
@require_POST
def cycle_publish(request, pk: int):
    cycle = selectors.cycle_for_user_or_404(request.user, pk)
    try:
        n = services.review_publish(actor=request.user, cycle=cycle)
    except ServiceError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Đã công bố %(n)s kết quả.") % {"n": n})
    return redirect("reviews:cycle", cycle.pk)


@login_required
@require_POST
def cycle_decide_as_proposed(request, pk: int):
    cycle = selectors.cycle_for_user_or_404(request.user, pk)
    try:
        decided, left = services.review_decide_as_proposed(actor=request.user, cycle=cycle)
    except ServiceError as exc:
        _errors(request, exc)
    else:
        messages.success(
            request,
            _("Đã quyết định theo đề xuất cho %(d)s đảng viên.") % {"d": decided},
        )
        if left:
            messages.warning(
                request,
                _(
                    "%(n)s đề xuất trái quy định hoặc không thuộc quyền của bạn: "
                    "cần quyết định từng người, kèm lý do."
                )
                % {"n": left},
            )
    return redirect("reviews:cycle", cycle.pk)


# --- One member's review -------------------------------------------------------------------


def _residence(review: MemberReview):
    return ResidenceComment.objects.filter(
        contact__member_id=review.member_id, year=review.year
    ).select_related("contact__unit")


# What each step of a review page overwrites, for the edit rule
# (chibo.concurrency): a save is refused, saying what changed, if someone else
# changed these since the page was shown.
STEP_FIELDS = {
    "self": ("self_review", "score_general", "score_results"),
    "comment": ("cell_comment", "outstanding"),
    "residence": ("residence_comment",),
    "vote": (
        "vote_present",
        "votes_excellent",
        "votes_good",
        "votes_completed",
        "votes_not_completed",
    ),
    "propose": ("proposed_level", "decided_level"),
    "decide": ("proposed_level", "decided_level"),
    "return": ("proposed_level", "decided_level"),
}


def _review_state(pk: int, step: str) -> dict[str, str]:
    review = MemberReview.objects.get(pk=pk)
    out = {}
    for name in STEP_FIELDS[step]:
        field = MemberReview._meta.get_field(name)
        value = getattr(review, name)
        if field.choices and value:
            value = getattr(review, f"get_{name}_display")()
        out[str(field.verbose_name)] = concurrency._text(value)
    return out


@login_required
def review_detail(request, pk: int):
    review = selectors.member_review_for_user_or_404(request.user, pk)
    return _review_page(request, review)


def _review_page(request, review, bound: dict | None = None, status: int = 200):
    """The review's page; `bound` = {form's context name: a posted form}
    shown instead of a fresh one (a save refused by the edit rule)."""
    rules = review.cycle.rules
    checks = services.member_review_checks(review, review.level) if review.level else []
    can_cell = can_edit(request.user, review.cell, routine=True)
    eligible = services.eligible_voters(review.cell, review.year)
    meeting = services.year_end_meeting(review.cell, review.year)
    at_meeting = services.officials_present(meeting) if meeting else None
    context = {
        "review": review,
        "cycle": review.cycle,
        "rules": rules,
        "checks": checks,
        "broken": [c for c in checks if not c.ok],
        "steps": review.steps.select_related("actor"),
        "can_cell": can_cell and not review.decided_level and not review.published_at,
        "can_decide": services.may_decide(request.user, review.cell) and not review.published_at,
        "self_form": forms.SelfReviewForm(
            auto_id="self_%s",
            initial={
                "text": review.self_review,
                "score_general": review.score_general,
                "score_results": review.score_results,
            },
        ),
        "comment_form": forms.CommentForm(
            auto_id="comment_%s",
            initial={"text": review.cell_comment, "outstanding": review.outstanding},
        ),
        "residence_form": forms.ResidenceCommentForm(
            auto_id="residence_%s", initial={"text": review.residence_comment}
        ),
        "vote_form": forms.VoteForm(
            auto_id="vote_%s",
            initial={
                "present": review.vote_present
                if review.vote_present is not None
                else (at_meeting if at_meeting is not None else eligible),
                "excellent": review.votes_excellent or 0,
                "good": review.votes_good or 0,
                "completed": review.votes_completed or 0,
                "not_completed": review.votes_not_completed or 0,
            },
        ),
        **_decision_forms(review),
        "eligible": eligible,
        "meeting": meeting,
        "at_meeting": at_meeting,
        "residence_comments": _residence(review),
        "seen": {step: concurrency.token(_review_state(review.pk, step)) for step in STEP_FIELDS},
    }
    context.update(bound or {})
    return render(request, "reviews/review.html", context, status=status)


def _act(request, review, form_class, call, page: str, step: str = ""):
    """Validate the form, call the service, show its refusal or its success
    as a message, and go back to the review's page (`page`). With `step`
    (STEP_FIELDS) under the edit rule: someone else's change since the page
    was shown refuses the save and shows the page again, with what changed
    and what was typed here."""
    form = form_class(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(page, review.pk)
    try:
        if step:
            with concurrency.guarded(
                request.POST.get(concurrency.FIELD),
                lock=MemberReview.objects.filter(pk=review.pk),
                state=lambda: _review_state(review.pk, step),
                record=review,
            ):
                message = call(review, form.cleaned_data)
        else:
            message = call(review, form.cleaned_data)
    except concurrency.EditConflict as exc:
        _errors(request, exc)
        review.refresh_from_db()
        data = request.POST.copy()
        data[concurrency.FIELD] = concurrency.token(_review_state(review.pk, step))
        form = form_class(data, auto_id=f"{step}_%s")
        form.is_valid()
        return _review_page(request, review, {f"{step}_form": form})
    except ServiceError as exc:
        _errors(request, exc)
    else:
        messages.success(request, message)
    return redirect(page, review.pk)


def _decision_forms(review) -> dict:
    """The proposal, decision and return forms of a review page. Each form on
    a page gets its own id prefix, so that every label points at its field."""
    return {
        "propose_form": forms.LevelForm(
            auto_id="propose_%s", initial={"level": review.proposed_level}
        ),
        "decide_form": (
            forms.OrganizationDecideForm
            if isinstance(review, OrganizationReview)
            else forms.MemberDecideForm
        )(auto_id="decide_%s", initial={"level": review.proposed_level}),
        "return_form": forms.ReturnForm(auto_id="return_%s"),
    }


def _post(request, pk, form_class, call, step: str):
    review = selectors.member_review_for_user_or_404(request.user, pk)
    return _act(request, review, form_class, call, "reviews:review", step)


@login_required
@require_POST
def review_self(request, pk: int):
    def call(review, data):
        services.review_record_self(
            actor=request.user,
            review=review,
            text=data["text"],
            score_general=data["score_general"],
            score_results=data["score_results"],
        )
        return _("Đã ghi bản tự kiểm điểm.")

    return _post(request, pk, forms.SelfReviewForm, call, "self")


@login_required
@require_POST
def review_comment(request, pk: int):
    def call(review, data):
        services.review_record_comment(
            actor=request.user, review=review, text=data["text"], outstanding=data["outstanding"]
        )
        return _("Đã ghi nhận xét của chi bộ.")

    return _post(request, pk, forms.CommentForm, call, "comment")


@login_required
@require_POST
def review_residence(request, pk: int):
    def call(review, data):
        services.review_record_comment(
            actor=request.user, review=review, text=data["text"], source="residence"
        )
        return _("Đã ghi nhận xét của chi bộ nơi cư trú.")

    return _post(request, pk, forms.ResidenceCommentForm, call, "residence")


@login_required
@require_POST
def review_vote(request, pk: int):
    def call(review, data):
        services.review_record_vote(actor=request.user, review=review, **data)
        return _("Đã ghi kết quả biểu quyết.")

    return _post(request, pk, forms.VoteForm, call, "vote")


@login_required
@require_POST
def review_propose(request, pk: int):
    def call(review, data):
        review = services.review_propose(actor=request.user, review=review, level=data["level"])
        if any(not c["ok"] for c in review.proposal_checks):
            return _("Đã ghi đề xuất; đề xuất này trái quy định, xem phần kiểm tra.")
        return _("Đã ghi đề xuất của chi bộ.")

    return _post(request, pk, forms.LevelForm, call, "propose")


@login_required
@require_POST
def review_decide(request, pk: int):
    def call(review, data):
        services.review_decide(
            actor=request.user,
            review=review,
            level=data["level"],
            override_reason=data["override_reason"],
            reasons=data["reasons"],
        )
        return _("Đã ghi quyết định xếp loại.")

    return _post(request, pk, forms.MemberDecideForm, call, "decide")


@login_required
@require_POST
def review_return(request, pk: int):
    def call(review, data):
        services.review_return(actor=request.user, review=review, reason=data["reason"])
        return _("Đã trả lại, chi bộ cần đề xuất lại.")

    return _post(request, pk, forms.ReturnForm, call, "return")


# --- One organization's review -------------------------------------------------------------


@login_required
def organization_review_detail(request, pk: int):
    review = selectors.organization_review_for_user_or_404(request.user, pk)
    checks = services.organization_review_checks(review, review.level) if review.level else []
    open_ = not review.decided_level and not review.published_at
    context = {
        "review": review,
        "cycle": review.cycle,
        "rules": review.cycle.rules,
        "checks": checks,
        "broken": [c for c in checks if not c.ok],
        "steps": review.steps.select_related("actor"),
        "can_cell": can_edit(request.user, review.unit, routine=True) and open_,
        "can_decide": services.may_decide(request.user, review.unit) and not review.published_at,
        "self_form": forms.OrganizationSelfForm(
            auto_id="self_%s", initial={"text": review.self_review}
        ),
        **_decision_forms(review),
        "results": selectors.member_results(review.unit, review.year, by_child=False),
    }
    return render(request, "reviews/organization_review.html", context)


def _org_post(request, pk, form_class, call):
    review = selectors.organization_review_for_user_or_404(request.user, pk)
    return _act(request, review, form_class, call, "reviews:organization")


@login_required
@require_POST
def organization_self(request, pk: int):
    def call(review, data):
        services.organization_review_record_self(
            actor=request.user, review=review, text=data["text"]
        )
        return _("Đã ghi báo cáo kiểm điểm của tập thể.")

    return _org_post(request, pk, forms.OrganizationSelfForm, call)


@login_required
@require_POST
def organization_propose(request, pk: int):
    def call(review, data):
        services.organization_review_propose(actor=request.user, review=review, level=data["level"])
        return _("Đã ghi đề xuất.")

    return _org_post(request, pk, forms.LevelForm, call)


@login_required
@require_POST
def organization_decide(request, pk: int):
    def call(review, data):
        services.organization_review_decide(
            actor=request.user,
            review=review,
            level=data["level"],
            override_reason=data["override_reason"],
            exemplary=data["exemplary"],
        )
        return _("Đã ghi quyết định xếp loại.")

    return _org_post(request, pk, forms.OrganizationDecideForm, call)


@login_required
@require_POST
def organization_return(request, pk: int):
    def call(review, data):
        services.organization_review_return(
            actor=request.user, review=review, reason=data["reason"]
        )
        return _("Đã trả lại.")

    return _org_post(request, pk, forms.ReturnForm, call)


@login_required
def unit_results(request, unit_pk: int):
    """Results of any unit in reach for a year: the count and share of each
    level, for the unit and each direct sub-unit, against the year before."""
    unit = unit_for_user_or_404(request.user, unit_pk)
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = today.year - 1
    year = min(max(year, FIRST_YEAR), today.year)
    # the unit's own line, then a page of its sub-units (a province has 1,000)
    number = request.GET.get("page")
    pages = [
        (lines[0], Paginator(lines[1:], RESULTS_PAGE).get_page(number))
        for lines in (
            selectors.member_results(unit, year),
            selectors.organization_results(unit, year, by_child=True),
        )
    ]
    context = {
        "unit": unit,
        "year": year,
        "years": list(range(today.year, FIRST_YEAR - 1, -1)),
        "results": [pages[0][0], *pages[0][1]],
        "org_results": [pages[1][0], *pages[1][1]],
        "page": max((p for _own, p in pages), key=lambda p: p.paginator.num_pages),
        "page_query": f"year={year}",
        "rules": rule_set_for_year(year),
    }
    return render(request, "reviews/results.html", context)


# --- A member's ratings over the years -------------------------------------------------------


@login_required
def member_history(request, member_pk: int):
    member = member_for_user_or_404(request.user, member_pk)
    return render(
        request,
        "reviews/member_history.html",
        {"member": member, "history": selectors.member_rating_history(member)},
    )


# --- PDFs in the official layout -----------------------------------------------------------------


@login_required
def review_document(request, pk: int, fmt: str):
    """Bản tự kiểm điểm của đảng viên."""
    review = selectors.member_review_for_user_or_404(request.user, pk)
    context = documents.document_context(
        review.cell,
        review=review,
        rules=review.cycle.rules,
        birth_date=review.member.birth_date.strftime("%d/%m/%Y"),
    )
    name = documents.filename("Bản kiểm điểm", review.member.full_name, review.year)
    return render_document("self_review", context, fmt, name, unit=review.cell)


@login_required
def cycle_vote_document(request, pk: int, fmt: str):
    """Tổng hợp kết quả biểu quyết của chi bộ (one cell, or each cell of the cycle)."""
    cycle = selectors.cycle_for_user_or_404(request.user, pk)
    params = {"cycle": cycle.pk, "cell": request.GET.get("cell", "")}
    back = reverse("reviews:cycle", args=[cycle.pk])
    return export_response(request, exports.VOTES.name, params, fmt, back_url=back)


@login_required
def cycle_decision_document(request, pk: int, fmt: str):
    """Danh sách xếp loại kèm quyết định của cấp ủy."""
    cycle = selectors.cycle_for_user_or_404(request.user, pk)
    back = reverse("reviews:cycle", args=[cycle.pk])
    return export_response(request, exports.DECISIONS.name, {"cycle": cycle.pk}, fmt, back_url=back)
