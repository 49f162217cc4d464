"""Reads of the annual review, scoped to the user through
organizations.selectors (a cycle or review outside the user's reach is a 404)."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404

from chibo.cache import figures
from organizations.models import PATH_STEP, Unit
from organizations.selectors import role_paths, scope_q, sees_everything, units_for
from reviews import rules
from reviews.models import MemberReview, OrganizationReview, ReviewCycle
from reviews.rules import ORDER, SHORT, Check
from reviews.services import disciplines_in_year, grassroots_of, organization_review_checks


def cycles_for(user) -> QuerySet[ReviewCycle]:
    """Cycles of the units in reach, and the cycles of a committee above that
    cover a unit in reach (a ward's cycle holds its cells' members: each cell's
    secretary works on their own part of it, see `reaches_whole_cycle`)."""
    if not getattr(user, "is_authenticated", False):
        return ReviewCycle.objects.none()
    q = scope_q(user, "unit__path")
    if not sees_everything(user):
        above = {
            path[:i] for path in role_paths(user) for i in range(PATH_STEP, len(path), PATH_STEP)
        }
        if above:
            q |= Q(unit__path__in=above)
    return ReviewCycle.objects.filter(q).select_related("unit")


def reaches_whole_cycle(user, cycle: ReviewCycle) -> bool:
    return units_for(user).filter(pk=cycle.unit_id).exists()


def cycle_for_user_or_404(user, pk) -> ReviewCycle:
    try:
        return cycles_for(user).get(pk=pk)
    except (ReviewCycle.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Không tìm thấy đợt đánh giá.") from exc


def member_review_for_user_or_404(user, pk) -> MemberReview:
    if not getattr(user, "is_authenticated", False):
        raise Http404
    try:
        return (
            MemberReview.objects.filter(scope_q(user, "cell__path"))
            .select_related("cycle", "cycle__unit", "member", "cell", "decided_by")
            .get(pk=pk)
        )
    except (MemberReview.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Không tìm thấy phiếu đánh giá.") from exc


def organization_review_for_user_or_404(user, pk) -> OrganizationReview:
    if not getattr(user, "is_authenticated", False):
        raise Http404
    try:
        return (
            OrganizationReview.objects.filter(scope_q(user, "unit__path"))
            .select_related("cycle", "cycle__unit", "unit", "decided_by")
            .get(pk=pk)
        )
    except (OrganizationReview.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Không tìm thấy đánh giá tổ chức đảng.") from exc


# --- The cycle page ------------------------------------------------------------------------


@dataclass
class ReviewRow:
    review: MemberReview
    checks: list[Check]

    @property
    def broken(self) -> list[Check]:
        return rules.broken(self.checks)


def member_rows(cycle: ReviewCycle, user=None) -> list[ReviewRow]:
    """Every member review of the cycle (those in `user`'s reach, if given)
    with the rules checked against its current level (decided, else
    proposed). A constant number of queries."""
    qs = cycle.member_reviews.all()
    if user is not None:
        qs = qs.filter(scope_q(user, "cell__path"))
    reviews = list(qs.select_related("member", "cell").order_by("cell__path", "member__sort_key"))
    rs = cycle.rules
    disciplines = disciplines_in_year([r.member_id for r in reviews], cycle.year)
    grassroots = grassroots_of(cycle.unit)
    org_levels = None
    if grassroots is not None:
        org_levels = [
            d or p
            for d, p in MemberReview.objects.filter(
                year=cycle.year, path__startswith=grassroots.path
            ).values_list("decided_level", "proposed_level")
            if d or p
        ]
    rows = []
    for r in reviews:
        checks = []
        if r.level:
            checks = rules.member_checks(
                rs,
                r.level,
                score=r.score,
                disciplines=disciplines.get(r.member_id, []),
                outstanding=r.outstanding,
                organization_levels=org_levels,
                organization=grassroots.name if grassroots else "",
            )
        rows.append(ReviewRow(r, checks))
    return rows


def organization_rows(cycle: ReviewCycle, user=None) -> list[ReviewRow]:
    qs = cycle.organization_reviews.all()
    if user is not None:
        qs = qs.filter(scope_q(user, "unit__path"))
    rows = []
    for r in qs.select_related("unit", "cycle").order_by("path"):
        rows.append(ReviewRow(r, organization_review_checks(r, r.level) if r.level else []))
    return rows


# --- Results: count and share per level, this year and last -------------------------------


@dataclass
class LevelFigure:
    level: str
    short: str
    count: int
    share: Fraction | None
    last_count: int
    last_share: Fraction | None

    @property
    def percent(self) -> str:
        return _percent(self.share)

    @property
    def last_percent(self) -> str:
        return _percent(self.last_share)

    @property
    def change(self) -> int:
        return self.count - self.last_count

    @property
    def trend(self) -> str:
        """How the change reads: more members excellent or good is 'better',
        more not completed is 'worse'; a change in completed says neither."""
        if not self.change or self.level == rules.Level.COMPLETED:
            return "same"
        up = self.change > 0
        return "better" if up != (self.level == rules.Level.NOT_COMPLETED) else "worse"


def _percent(share: Fraction | None) -> str:
    if share is None:
        return "–"
    return f"{float(share) * 100:.1f}".replace(".", ",") + "%"


@dataclass
class ResultLine:
    unit: Unit
    rated: int
    last_rated: int
    figures: list[LevelFigure] = field(default_factory=list)


def _figures(counts: dict, last: dict) -> list[LevelFigure]:
    total, last_total = sum(counts.values()), sum(last.values())
    return [
        LevelFigure(
            level=level,
            short=SHORT[level],
            count=counts.get(level, 0),
            share=Fraction(counts.get(level, 0), total) if total else None,
            last_count=last.get(level, 0),
            last_share=Fraction(last.get(level, 0), last_total) if last_total else None,
        )
        for level in ORDER
    ]


def member_results(unit: Unit, year: int, *, by_child: bool = True) -> "ResultLines":
    """The members' decided levels in `unit`'s subtree for `year` and the year
    before: one line for the unit, then one per direct sub-unit that had
    members rated. Two queries."""
    return _results(MemberReview, unit, year, by_child)


def organization_results(unit: Unit, year: int, *, by_child: bool = False) -> "ResultLines":
    """The organizations' decided levels under `unit` (the unit included)."""
    return _results(OrganizationReview, unit, year, by_child)


def _results(model, unit: Unit, year: int, by_child: bool) -> "ResultLines":
    """Counted in the database, grouped by year, level and (for the
    breakdown) the direct sub-unit's path prefix: two queries at any size,
    kept a while (the same for every user: chibo.cache). The lines are made
    only for what is read of them (the results page shows 50 of a province's
    1,000 sub-units)."""
    counted = figures(
        f"reviews.results:{model._meta.label}:{unit.pk}:{year}:{by_child}",
        lambda: _counted(model, unit, year, by_child),
    )
    return ResultLines(unit, year, *counted)


def _counted(model, unit: Unit, year: int, by_child: bool) -> tuple[dict, list]:
    """({year: {level: n}} for the whole subtree, [(child path, {year: {level:
    n}})] for each sub-unit with members rated, in the sub-units' name order):
    plain data, for the cache."""
    rows = model.objects.filter(year__in=(year, year - 1), path__startswith=unit.path).exclude(
        decided_level=""
    )
    step = len(unit.path) + PATH_STEP
    totals = {year: Counter(), year - 1: Counter()}
    per_child: dict[str, dict[int, Counter]] = {}
    if by_child:
        grouped = (
            rows.annotate(child=Substr("path", 1, step))
            .values_list("year", "child", "decided_level")
            .annotate(n=Count("id"))
            .order_by()
        )
        for y, child, level, n in grouped:
            totals[y][level] += n
            if len(child) == step:
                per_child.setdefault(child, {year: Counter(), year - 1: Counter()})[y][level] += n
    else:
        for y, level, n in (
            rows.values_list("year", "decided_level").annotate(n=Count("id")).order_by()
        ):
            totals[y][level] += n
    children = []
    if per_child:
        names = dict(Unit.objects.filter(path__in=list(per_child)).values_list("path", "name"))
        # plain dicts, not Counters: a province's 2,000 Counters took longer
        # to unpickle from the cache than the page took to draw
        children = [
            (path, {y: dict(c) for y, c in per_child[path].items()})
            for path in sorted(names, key=names.__getitem__)
        ]
    return {y: dict(c) for y, c in totals.items()}, children


class ResultLines(Sequence):
    """The unit's line, then one per sub-unit (ResultLine), made when read:
    a slice of them costs one query for the slice's units."""

    def __init__(self, unit: Unit, year: int, totals: dict, children: list, start: int = 0):
        self.unit, self.year, self.totals, self.children = unit, year, totals, children
        self.start = start  # 0: the unit's own line comes first

    def __len__(self) -> int:
        return len(self.children) + 1 - self.start

    def __getitem__(self, index):
        if isinstance(index, slice):
            begin, end, stride = index.indices(len(self))
            if stride != 1:
                return list(self)[index]
            if begin == 1 and self.start == 0 and end == len(self):
                return ResultLines(self.unit, self.year, self.totals, self.children, start=1)
            return self._lines(begin + self.start, end + self.start)
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._lines(index + self.start, index + self.start + 1)[0]

    def __iter__(self):
        return iter(self._lines(self.start, len(self.children) + 1))

    def _lines(self, begin: int, end: int) -> list[ResultLine]:
        """Lines begin..end (0 is the unit's own, i is the (i-1)th sub-unit's)."""
        year, last = self.year, self.year - 1
        out = []
        if begin == 0:
            t = self.totals
            out.append(
                ResultLine(
                    self.unit,
                    sum(t[year].values()),
                    sum(t[last].values()),
                    _figures(t[year], t[last]),
                )
            )
            begin = 1
        part = self.children[begin - 1 : end - 1]
        if part:
            units = {u.path: u for u in Unit.objects.filter(path__in=[p for p, _ in part])}
            for path, c in part:
                out.append(
                    ResultLine(
                        units[path],
                        sum(c[year].values()),
                        sum(c[last].values()),
                        _figures(c[year], c[last]),
                    )
                )
        return out


# --- A member's ratings over the years ------------------------------------------------------


def member_rating_history(member) -> list[MemberReview]:
    """Every year the member was reviewed, newest first, with the rule set and
    the decision (for the member's profile)."""
    return list(member.reviews.select_related("cycle", "cell").order_by("-year"))
