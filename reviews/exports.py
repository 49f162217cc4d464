"""The annual review's long documents as files of chibo.exports, as PDF and
.docx (documents.render): the vote summary of a cycle (every member of every
cell) and the committee's decision list. A cell's are made inside the
request; a grassroots committee of thousands of members by the background
worker."""

from django.http import Http404
from django.utils.translation import gettext as _

from chibo.exports import CONTENT_TYPES, ExportKind, Output, register
from documents.render import render
from organizations.selectors import reach_key, scope_q
from reviews import selectors, services
from reviews.documents import document_context, filename
from reviews.models import ReviewCycle


def _cycle_title(label: str):
    def title(params: dict) -> str:
        cycle = ReviewCycle.objects.select_related("unit").filter(pk=params.get("cycle")).first()
        return f"{label} – {cycle.unit.name} ({cycle.year})" if cycle else label

    return title


# --- the vote summary ---------------------------------------------------------------------


def _vote_reviews(user, params: dict):
    cycle = selectors.cycle_for_user_or_404(user, params.get("cycle"))
    reviews = (
        cycle.member_reviews.filter(scope_q(user, "cell__path"))
        .select_related("member", "cell")
        .order_by("cell__path", "member__sort_key")
    )
    cell = params.get("cell", "")
    if str(cell).isdigit():
        reviews = reviews.filter(cell_id=int(cell))
    return cycle, reviews


def _vote_scope(user, params: dict) -> str:
    """The rows are the cycle's reviews in the user's reach: the whole cycle
    for its committee, the user's own cells otherwise."""
    cycle = selectors.cycle_for_user_or_404(user, params.get("cycle"))
    if selectors.reaches_whole_cycle(user, cycle):
        return reach_key(user, cycle.unit)
    return reach_key(user)


def _vote_build(user, params: dict, fmt: str, progress) -> Output:
    cycle, reviews = _vote_reviews(user, params)
    reviews = list(reviews)
    unit = reviews[0].cell if params.get("cell") and reviews else cycle.unit
    progress(len(reviews) // 2, max(len(reviews), 1), phase=_("Đang dàn trang"))
    context = document_context(unit, cycle=cycle, reviews=reviews, rules=cycle.rules)
    name = filename("Tổng hợp biểu quyết xếp loại", unit.name, cycle.year)
    body = render("vote_summary", context, fmt, unit=unit)
    return Output(body, f"{name}.{fmt}", CONTENT_TYPES[fmt])


VOTES = register(
    ExportKind(
        name="reviews.votes",
        title=_cycle_title(_("Tổng hợp kết quả biểu quyết")),
        formats=("pdf", "docx"),
        scope=_vote_scope,
        estimate=lambda user, params, fmt: _vote_reviews(user, params)[1].count(),
        build=_vote_build,
    )
)


# --- the decision list ----------------------------------------------------------------------


def _decision_cycle(user, params: dict) -> ReviewCycle:
    cycle = selectors.cycle_for_user_or_404(user, params.get("cycle"))
    if not selectors.reaches_whole_cycle(user, cycle):
        raise Http404("Danh sách quyết định là của cấp ủy.")
    return cycle


def _decision_build(user, params: dict, fmt: str, progress) -> Output:
    cycle = _decision_cycle(user, params)
    committee = services.competent_committee(cycle.unit)
    reviews = list(
        cycle.member_reviews.exclude(decided_level="")
        .select_related("member", "cell")
        .order_by("cell__path", "member__sort_key")
    )
    orgs = list(cycle.organization_reviews.exclude(decided_level="").select_related("unit"))
    progress(len(reviews) // 2, max(len(reviews), 1), phase=_("Đang dàn trang"))
    context = document_context(
        committee,
        cycle=cycle,
        reviews=reviews,
        orgs=orgs,
        rules=cycle.rules,
        results=selectors.member_results(cycle.unit, cycle.year, by_child=False)[0],
        committee=committee,
    )
    name = filename("Danh sách xếp loại", cycle.unit.name, cycle.year)
    body = render("decision_list", context, fmt, unit=committee)
    return Output(body, f"{name}.{fmt}", CONTENT_TYPES[fmt])


DECISIONS = register(
    ExportKind(
        name="reviews.decisions",
        title=_cycle_title(_("Danh sách xếp loại kèm quyết định")),
        formats=("pdf", "docx"),
        scope=lambda user, params: reach_key(user, _decision_cycle(user, params).unit),
        estimate=lambda user, params, fmt: (
            _decision_cycle(user, params).member_reviews.exclude(decided_level="").count()
        ),
        build=_decision_build,
    )
)
