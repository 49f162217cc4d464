"""Demo reviews: the last three years for the demo wards, spread over the
rule sets (e.g. 2023 and 2024 under 124-QĐ/TW, 2025 under 366-QĐ/TW).

Cycles are opened through `review_open_cycle`; the hundreds of member steps
are then written in bulk with the same step rows the services write (the
services one by one would take minutes). The last year is left in progress
in the secretary's cell, with one proposal that breaks a rule, so every
stage of the workflow can be shown. At province scale only the decided
levels are written, for the reports."""

from collections import Counter
from datetime import date, datetime, time, timedelta
from fractions import Fraction

from django.contrib.auth import get_user_model
from django.utils import timezone

from chibo.bulk import copy_insert, indexes_deferred, insert_select
from chibo.demo import DemoContext
from members.choices import MEMBER_STATUSES, PlacementKind
from members.models import Placement, StatusPeriod
from members.selectors import members_on
from organizations.models import CELL_LEVELS, GRASSROOTS_LEVELS, Unit
from reviews import rules
from reviews.models import MemberReview, OrganizationReview, ReviewCycle, ReviewStep
from reviews.rules import Level, Reason
from reviews.services import (
    disciplines_in_year,
    eligible_voters,
    officials_present,
    review_open_cycle,
    year_end_meeting,
)

E, G, C, N = Level.EXCELLENT, Level.GOOD, Level.COMPLETED, Level.NOT_COMPLETED
SCORES = {E: (90, 98), G: (70, 89), C: (50, 69), N: (35, 49)}
SELF_TEXTS = [
    "Chấp hành nghiêm chủ trương, đường lối của Đảng; tham gia đầy đủ sinh hoạt chi bộ, đóng đảng phí đúng hạn.",
    "Hoàn thành các nhiệm vụ được giao; giữ mối liên hệ với nhân dân nơi cư trú; còn hạn chế trong việc phát biểu xây dựng nghị quyết.",
    "Tích cực tham gia các phong trào ở khu dân cư; đôi lúc chưa sắp xếp được thời gian dự sinh hoạt.",
]
COMMENTS = [
    "Đảng viên gương mẫu, được nhân dân tín nhiệm.",
    "Hoàn thành nhiệm vụ; cần chủ động hơn trong công tác vận động quần chúng.",
    "Chấp hành tốt quy định của chi bộ.",
]


def _aware(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _levels(ctx: DemoContext, n: int) -> list[str]:
    """About 15% excellent, 65% good, 17% completed, 3% not completed, with
    excellent within the 20% cap (at most a quarter of the good)."""
    good = round(n * 0.65)
    excellent = min(round(n * 0.15), good // 4)
    failed = 1 if n >= 20 and ctx.rng.random() < 0.6 else 0
    levels = [E] * excellent + [G] * good + [N] * failed
    levels += [C] * (n - len(levels))
    ctx.rng.shuffle(levels)
    return levels[:n]


def _cap(levels: dict[int, str]) -> None:
    """Demote excellent ratings beyond the cap (after disciplines moved some)."""
    counts = Counter(levels.values())
    excess = counts[E] - counts[G] // 4
    for pk in [pk for pk, level in levels.items() if level == E][: max(excess, 0)]:
        levels[pk] = G


def _cap_shown(rs, levels: dict[int, str], shown: set[int], broken: int | None) -> None:
    """Demote excellent ratings until the cap holds over what the cycle page
    checks it against: the levels shown (decided, else proposed), the one
    broken proposal counted as the excellent it proposes. Members of the
    cell still in progress that have no proposal yet are not counted, so the
    cap over every member (`_cap`) is not enough on its own."""

    def over() -> bool:
        counts = Counter(
            E if pk == broken else level for pk, level in levels.items() if pk in shown
        )
        return rules.excellent_cap_reached(rs, counts[E], counts[E] + counts[G])

    demotable = [pk for pk, level in levels.items() if level == E and pk in shown]
    while demotable and over():
        levels[demotable.pop()] = G


def build_late(ctx: DemoContext) -> None:
    users = {
        u.username: u
        for u in get_user_model().objects.filter(
            username__in=["ward1", "ward2", "secretary1", "admin"]
        )
    }
    last = ctx.today.year - 1
    years = [last - 2, last - 1, last]
    secretary_cell = ctx.data.get("secretary_cell")
    total = 0
    for ward, staff in (
        (ctx.data["ward1"], users.get("ward1")),
        (ctx.data["ward2"], users.get("ward2")),
    ):
        for year in years:
            if ward.founded_on > date(year, 12, 31):
                cycle = _carried_over_cycle(ward, year)
            else:
                cycle = review_open_cycle(actor=None, unit=ward, year=year)
            in_progress = secretary_cell.pk if (year == last and secretary_cell) else None
            total += _fill_cycle(
                ctx,
                cycle,
                staff,
                users.get("secretary1"),
                in_progress,
                publish=year != last,
                secretary_cell=secretary_cell.pk if secretary_cell else None,
                above=users.get("admin"),
            )
    used = ", ".join(f"{y}: {rules.rule_set_for_year(y).regulation}" for y in years)
    ctx.say(f"  {total} phiếu đánh giá đảng viên ({used})\n")


def _carried_over_cycle(ward: Unit, year: int) -> ReviewCycle:
    """The demo wards were founded in the 2025 reorganisation; their members'
    ratings of the years before come from the dossiers of the former units,
    carried over onto the cells they belong to now."""
    end = date(year, 12, 31)
    cycle = ReviewCycle.objects.create(
        unit=ward, year=year, rule_set_code=rules.rule_set_for_year(year).code
    )
    MemberReview.objects.bulk_create(
        [
            MemberReview(
                cycle=cycle,
                year=year,
                member=r.member,
                cell=r.placement.unit,
                path=r.placement.unit.path,
            )
            for r in members_on(ward, ward.founded_on, subtree=True)
            if not r.exempt and r.member.admitted_on and r.member.admitted_on <= end
        ]
    )
    cells = Unit.objects.filter(path__startswith=ward.path, level__in=CELL_LEVELS)
    OrganizationReview.objects.bulk_create(
        [OrganizationReview(cycle=cycle, year=year, unit=u, path=u.path) for u in [ward, *cells]]
    )
    return cycle


def _voting_limits(cycle: ReviewCycle, cell_ids: set[int]) -> dict[int, int]:
    """For each cell, how many may vote, as review_record_vote checks it: the
    official members present at the year-end review meeting if the cell
    recorded one, else its official members. Cells that did not exist yet
    (ratings carried over from former units) have no limit here."""
    limits = {}
    for cell in Unit.objects.filter(pk__in=cell_ids):
        meeting = year_end_meeting(cell, cycle.year)
        limit = officials_present(meeting) if meeting else eligible_voters(cell, cycle.year)
        if limit or meeting:
            limits[cell.pk] = limit
    return limits


def _fill_cycle(
    ctx,
    cycle: ReviewCycle,
    staff,
    secretary,
    in_progress_cell: int | None,
    *,
    publish: bool,
    secretary_cell: int | None = None,
    above=None,
) -> int:
    """Each step by whoever would record it: the secretary for their own
    cell, the ward's office staff for the other cells, and dated on its day
    (self-review early December, comments and vote at the mid-December
    meeting, decision in January, publication a week later)."""
    rs = cycle.rules
    year = cycle.year
    reviews = list(cycle.member_reviews.select_related("member"))
    disciplines = disciplines_in_year([r.member_id for r in reviews], year)
    levels = dict(zip([r.pk for r in reviews], _levels(ctx, len(reviews)), strict=True))
    for r in reviews:
        facts = disciplines.get(r.member_id, [])
        if any(f.counts_against for f in facts):
            levels[r.pk] = N
        elif facts and levels[r.pk] == E and rs.excellent_needs_clean_record:
            levels[r.pk] = G
    _cap(levels)
    # How far each review went: 5 published; in the cell still in progress
    # 0 nothing, 1 self, 2 comment + vote, 3 proposal, 4 decided.
    stages = {r.pk: i % 5 if r.cell_id == in_progress_cell else 5 for i, r in enumerate(reviews)}
    broken = None
    if rs.has_score:  # a proposal above the score band: shown as broken
        broken = next((r.pk for r in reviews if stages[r.pk] == 3 and levels[r.pk] == G), None)
    if rs.excellent_cap is not None:
        _cap_shown(rs, levels, {pk for pk, stage in stages.items() if stage >= 3}, broken)
    by_cell = Counter(r.cell_id for r in reviews)
    limits = _voting_limits(cycle, set(by_cell))
    self_at = _aware(date(year, 12, 5))
    commented_at = _aware(date(year, 12, 15), 19)
    decided_at = _aware(date(year + 1, 1, 12))
    published_at = _aware(date(year + 1, 1, 20))
    steps: list[ReviewStep] = []
    for r in reviews:
        level = levels[r.pk]
        cell_actor = secretary if r.cell_id == secretary_cell else staff
        stage = stages[r.pk]
        if stage >= 1:
            r.self_review = ctx.rng.choice(SELF_TEXTS)
            r.self_at = self_at
            if rs.has_score:
                lo, hi = SCORES[level]
                score = ctx.rng.randint(lo, hi)
                r.score_general = min(30, max(0, round(score * 0.3)))
                r.score_results = score - r.score_general
            steps.append(
                ReviewStep(
                    member_review=r,
                    kind="self",
                    text=r.self_review,
                    actor=cell_actor,
                    at=self_at,
                    data={"score_general": r.score_general, "score_results": r.score_results},
                )
            )
        if stage >= 2:
            r.cell_comment = ctx.rng.choice(COMMENTS)
            r.outstanding = level == E
            r.commented_at = commented_at
            present = max(by_cell[r.cell_id] - ctx.rng.randint(0, 2), 1)
            if r.cell_id in limits:
                present = max(min(present, limits[r.cell_id] - ctx.rng.randint(0, 1)), 1)
            r.vote_present = present
            votes = {E: 0, G: 0, C: 0, N: 0}
            votes[level] = present - min(present - 1, ctx.rng.randint(0, 1))
            other = G if level != G else C
            votes[other] += present - votes[level]
            r.votes_excellent, r.votes_good, r.votes_completed, r.votes_not_completed = (
                votes[E],
                votes[G],
                votes[C],
                votes[N],
            )
            r.voted_at = commented_at
            steps.append(
                ReviewStep(
                    member_review=r,
                    kind="comment",
                    text=r.cell_comment,
                    actor=cell_actor,
                    at=commented_at,
                    data={"outstanding": r.outstanding},
                )
            )
            steps.append(
                ReviewStep(
                    member_review=r,
                    kind="vote",
                    actor=cell_actor,
                    at=commented_at,
                    data={"present": present, **{k.value: v for k, v in votes.items()}},
                )
            )
        if stage >= 3:
            proposed = E if r.pk == broken else level
            r.proposed_level = proposed
            r.proposed_at = commented_at
            steps.append(
                ReviewStep(
                    member_review=r,
                    kind="propose",
                    level=proposed,
                    actor=cell_actor,
                    at=commented_at,
                )
            )
        if stage >= 4:
            r.decided_level = level
            r.decided_by = staff
            r.decided_at = decided_at
            r.reasons = _demo_reasons(r, level, disciplines)
            steps.append(
                ReviewStep(
                    member_review=r,
                    kind="decide",
                    level=level,
                    actor=staff,
                    at=decided_at,
                    data={"reasons": r.reasons},
                )
            )
        if stage >= 5 and publish:
            r.published_at = published_at
            steps.append(
                ReviewStep(
                    member_review=r, kind="publish", level=level, actor=staff, at=published_at
                )
            )
    MemberReview.objects.bulk_update(
        reviews,
        [
            "self_review",
            "self_at",
            "score_general",
            "score_results",
            "cell_comment",
            "outstanding",
            "commented_at",
            "vote_present",
            "votes_excellent",
            "votes_good",
            "votes_completed",
            "votes_not_completed",
            "voted_at",
            "proposed_level",
            "proposed_at",
            "decided_level",
            "decided_by",
            "decided_at",
            "reasons",
            "published_at",
        ],
        batch_size=500,
    )
    _fill_organizations(
        cycle,
        reviews,
        disciplines,
        staff,
        secretary,
        in_progress_cell,
        steps,
        decided_at,
        published_at if publish else None,
        secretary_cell=secretary_cell,
        above=above,
    )
    _create_dated_steps(steps)
    return len(reviews)


def _demo_reasons(review, level: str, disciplines) -> list[str]:
    """Plausible 7B reasons: a third of the "hoàn thành nhiệm vụ" with a
    shortcoming, every lowest level with its violation (a discipline of the
    year, else the cell's own finding)."""
    if level == C and review.pk % 3 == 0:
        return [Reason.NOT_DEDICATED if review.pk % 2 else Reason.MEETING_FAULTS]
    if level == N:
        return [Reason.DISCIPLINED if review.member_id in disciplines else Reason.FOUND_IN_REVIEW]
    return []


def _create_dated_steps(steps: list[ReviewStep]) -> None:
    """Bulk-create the steps, then give each the day it was taken
    (`ReviewStep.at` is set to now on creation, as the services want)."""
    days = [s.at for s in steps]
    ReviewStep.objects.bulk_create(steps, batch_size=2000)
    by_day: dict[datetime, list[int]] = {}
    for step, day in zip(steps, days, strict=True):
        by_day.setdefault(day, []).append(step.pk)
    for day, pks in by_day.items():
        for i in range(0, len(pks), 2000):
            ReviewStep.objects.filter(pk__in=pks[i : i + 2000]).update(at=day)


def _organization_level(rs, member_levels: list[str], disciplined: int, members: int) -> str:
    if members and Fraction(disciplined, members) > rs.org_disciplined_limit:
        return N
    counts = Counter(member_levels)
    good = counts[E] + counts[G]
    if member_levels and not counts[N] and Fraction(good) >= rs.org_good_share * len(member_levels):
        return E if counts[E] * 5 >= len(member_levels) else G
    return C


def _fill_organizations(
    cycle,
    reviews,
    disciplines,
    staff,
    secretary,
    in_progress_cell,
    steps,
    decided_at,
    published_at,
    *,
    secretary_cell=None,
    above=None,
):
    """A cell's own review is reported by the cell (its secretary, or the
    ward's staff) and decided by the ward committee; the ward's own review
    is reported by the ward's staff and decided by the committee above it."""
    rs = cycle.rules
    orgs = list(cycle.organization_reviews.select_related("unit"))
    for org in orgs:
        if org.unit_id == in_progress_cell:
            continue
        mine = [r for r in reviews if r.path.startswith(org.path)]
        level = _organization_level(
            rs,
            [r.decided_level for r in mine if r.decided_level],
            sum(1 for r in mine if r.member_id in disciplines),
            len(mine),
        )
        org.self_review = (
            "Chi bộ lãnh đạo hoàn thành các chỉ tiêu nghị quyết năm; sinh hoạt đều đặn, nền nếp."
        )
        org.self_at = decided_at - timedelta(days=20)
        org.proposed_level = level
        org.proposed_at = decided_at - timedelta(days=15)
        reporter = secretary if org.unit_id == secretary_cell else staff
        decider = above if org.unit_id == cycle.unit_id else staff
        org.decided_level = level
        org.decided_by = decider
        org.decided_at = decided_at
        org.published_at = published_at
        # 7A "tiêu biểu": every other organization at the top level
        org.exemplary = level == E and org.unit_id % 2 == 0
        steps += [
            ReviewStep(
                organization_review=org,
                kind="self",
                text=org.self_review,
                actor=reporter,
                at=org.self_at,
            ),
            ReviewStep(
                organization_review=org,
                kind="propose",
                level=level,
                actor=reporter,
                at=org.proposed_at,
            ),
            ReviewStep(
                organization_review=org,
                kind="decide",
                level=level,
                actor=decider,
                at=decided_at,
                data={"exemplary": org.exemplary},
            ),
        ]
        if published_at:
            steps.append(
                ReviewStep(
                    organization_review=org,
                    kind="publish",
                    level=level,
                    actor=decider,
                    at=published_at,
                )
            )
    OrganizationReview.objects.bulk_update(
        orgs,
        [
            "self_review",
            "self_at",
            "proposed_level",
            "proposed_at",
            "decided_level",
            "decided_by",
            "decided_at",
            "published_at",
            "exemplary",
        ],
    )


# --- Province scale: decided levels only, for the reports ----------------------------------


def build_province_late(ctx: DemoContext) -> None:
    """Decided levels for every member and organization of the province
    cells over the last three years (ratings before the 2025 reorganisation
    carried over onto today's cells, for members admitted by then)."""
    cells = ctx.data.get("province_cells") or []
    if not cells:
        return
    total = _decided_reviews(ctx, cells)
    ctx.say(f"  quy mô tỉnh: {total} kết quả xếp loại đảng viên trong 3 năm\n")


def build_million_late(ctx: DemoContext) -> int:
    """The province's decided levels (`build_province_late`) for every cell
    of the national scale, the ratings by COPY into tables whose secondary
    indexes and foreign keys are made once at the end. Returns how many
    member ratings."""
    with indexes_deferred(MemberReview, OrganizationReview):
        with ctx.timed("reviews: xếp loại 3 năm (COPY)") as tally:
            total = tally["rows"] = _decided_reviews(ctx, ctx.data["million_cells"], copy=True)
        ctx.timed_start("reviews: chỉ mục và khóa ngoại")
    ctx.timed_stop(total)
    ctx.say(f"  quy mô toàn quốc: {total} kết quả xếp loại đảng viên trong 3 năm\n")
    return total


def _member_reviews_sql(cell_ids: list[int], year: int, decided_at: datetime) -> int:
    """The year's decided level of every member placed in the cells and a
    party member today, admitted by the year's end, in the shares the
    province draws (12% excellent, 68% good, 18% completed, 2% not), from a
    hash of the member and the year: one INSERT … SELECT."""
    roll = "abs(hashtext(p.member_id || ':' || %(year)s)) %% 100"
    level = (
        f"CASE WHEN {roll} < 12 THEN %(e)s WHEN {roll} < 80 THEN %(g)s "
        f"WHEN {roll} < 98 THEN %(c)s ELSE %(n)s END"
    )
    return insert_select(
        MemberReview,
        {
            "cycle_id": "rc.id",
            "year": "%(year)s",
            "member_id": "p.member_id",
            "cell_id": "p.unit_id",
            "path": "u.path",
            "proposed_level": level,
            "decided_level": level,
            "decided_at": "%(at)s",
            "published_at": "%(at)s",
        },
        """
        FROM members_placement p
        JOIN organizations_unit u ON u.id = p.unit_id
        JOIN members_member m ON m.id = p.member_id
        JOIN members_statusperiod s ON s.member_id = p.member_id AND s.valid_to IS NULL
             AND s.status = ANY(%(statuses)s)
        JOIN reviews_reviewcycle rc ON rc.year = %(year)s
             AND rc.unit_id = CASE WHEN u.level = ANY(%(grassroots)s) THEN u.id ELSE u.parent_id END
        WHERE p.unit_id = ANY(%(cells)s) AND p.kind = %(permanent)s AND p.valid_to IS NULL
          AND m.admitted_on <= %(end)s
        """,
        {
            "year": year,
            "e": E,
            "g": G,
            "c": C,
            "n": N,
            "at": decided_at,
            "end": date(year, 12, 31),
            "statuses": list(MEMBER_STATUSES),
            "grassroots": list(GRASSROOTS_LEVELS),
            "cells": cell_ids,
            "permanent": PlacementKind.PERMANENT,
        },
    )


def _decided_reviews(ctx: DemoContext, cells: list[Unit], *, copy: bool = False) -> int:
    """Decided levels of the cells' members and organizations over the last
    three years; returns how many member ratings."""

    def insert(model, rows):
        if copy:
            copy_insert(model, rows)
        else:
            model.objects.bulk_create([model(**row) for row in rows], batch_size=5000)

    cell_ids = [c.pk for c in cells]
    grassroots_ids = {c.parent_id if c.level not in GRASSROOTS_LEVELS else c.pk for c in cells}
    grassroots = {u.pk: u for u in Unit.objects.filter(pk__in=grassroots_ids)}
    last = ctx.today.year - 1
    # read in chunks: a national scale's ids are past a query's parameter limit
    rows, members = [], set()
    # the national scale's member ratings are derived by the database
    # (`_member_reviews_sql`), the province's drawn here
    for i in range(0, len(cell_ids) if not copy else 0, 5000):
        found = list(
            Placement.objects.filter(
                unit_id__in=cell_ids[i : i + 5000],
                kind=PlacementKind.PERMANENT,
                valid_to__isnull=True,
            ).values_list(
                "member_id",
                "unit_id",
                "unit__path",
                "unit__parent_id",
                "unit__level",
                "member__admitted_on",
            )
        )
        rows += found
        for k in range(0, len(found), 20000):
            members.update(
                StatusPeriod.objects.filter(
                    member_id__in=[r[0] for r in found[k : k + 20000]],
                    status__in=MEMBER_STATUSES,
                    valid_to__isnull=True,
                ).values_list("member_id", flat=True)
            )
    total = 0
    for year in (last - 2, last - 1, last):
        rs = rules.rule_set_for_year(year)
        end = date(year, 12, 31)
        cycles = {
            g.pk: c
            for g, c in zip(
                grassroots.values(),
                ReviewCycle.objects.bulk_create(
                    [
                        ReviewCycle(unit=g, year=year, rule_set_code=rs.code)
                        for g in grassroots.values()
                    ]
                ),
                strict=True,
            )
        }
        decided_at = _aware(date(year + 1, 1, 12))
        if copy:
            total += _member_reviews_sql(cell_ids, year, decided_at)
        batch = []
        for member_id, unit_id, path, parent_id, level, since in rows:
            if member_id not in members or since is None or since > end:
                continue
            g = unit_id if level in GRASSROOTS_LEVELS else parent_id
            roll = ctx.rng.random()
            decided = E if roll < 0.12 else G if roll < 0.8 else C if roll < 0.98 else N
            # rows as {attname: value}: a model instance each is most of the
            # national scale's time here
            batch.append(
                {
                    "cycle_id": cycles[g].pk,
                    "year": year,
                    "member_id": member_id,
                    "cell_id": unit_id,
                    "path": path,
                    "proposed_level": decided,
                    "decided_level": decided,
                    "decided_at": decided_at,
                    "published_at": decided_at,
                }
            )
        insert(MemberReview, batch)
        total += len(batch)
        org_rows = []
        for c in cells:
            g = c.pk if c.level in GRASSROOTS_LEVELS else c.parent_id
            roll = ctx.rng.random()
            decided = E if roll < 0.15 else G if roll < 0.85 else C if roll < 0.98 else N
            org_rows.append(
                {
                    "cycle_id": cycles[g].pk,
                    "year": year,
                    "unit_id": c.pk,
                    "path": c.path,
                    "proposed_level": decided,
                    "decided_level": decided,
                    "decided_at": decided_at,
                    "published_at": decided_at,
                }
            )
        org_rows += [
            {
                "cycle_id": cycles[g.pk].pk,
                "year": year,
                "unit_id": g.pk,
                "path": g.path,
                "proposed_level": G,
                "decided_level": G,
                "decided_at": decided_at,
                "published_at": decided_at,
            }
            for g in grassroots.values()
            if g.level not in CELL_LEVELS
        ]
        insert(OrganizationReview, org_rows)
    return total
