"""Every write to the annual review. One function per business action: each
validates before writing, appends a dated and attributed `ReviewStep`,
updates the review's cached state in the same transaction, and records an
audit event. Nothing is ever deleted: a return keeps the decision it undid.

Who may do what:
- the cell (its secretary, or office staff above it) records the
  self-review, the comments, the vote and the proposal;
- the competent committee (office staff of the committee above the cell or
  organization) decides, returns and publishes;
- reviewers only read.
"""

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.audit import audit_record
from chibo.errors import ServiceError
from meetings.models import AttendanceStatus, Meeting, MeetingKind
from meetings.rules import Voter, vote_denominator
from members.choices import PlacementKind, Status
from members.models import (
    Discipline,
    Exemption,
    Member,
    Placement,
    ResidenceComment,
    ResidenceContact,
)
from members.selectors import members_on
from organizations.models import CELL_LEVELS, GRASSROOTS_LEVELS, PATH_STEP, Unit, valid_on
from organizations.selectors import can_edit
from reviews import rules
from reviews.models import MemberReview, OrganizationReview, ReviewCycle, ReviewStep
from reviews.rules import Check, DisciplineFact


def year_end(year: int) -> date:
    return date(year, 12, 31)


# --- Who may act -----------------------------------------------------------------------


def _is_person(actor) -> bool:
    return bool(getattr(actor, "pk", None))


def _require_cell(actor, unit: Unit) -> None:
    """The cell's routine work: its secretary, or office staff above it."""
    if _is_person(actor) and not can_edit(actor, unit, routine=True):
        raise ServiceError(
            _("Bạn không có quyền ghi đánh giá, xếp loại của %(unit)s.") % {"unit": unit.name}
        )


def competent_committee(unit: Unit) -> Unit:
    """The committee that decides a rating of `unit`'s members or of `unit`
    itself: the committee directly above (the unit itself at the top)."""
    return unit.parent if unit.parent_id else unit


def may_decide(actor, unit: Unit) -> bool:
    if not _is_person(actor):
        return True
    return can_edit(actor, competent_committee(unit))


def may_decide_in_cycle(actor, cycle: ReviewCycle) -> bool:
    """Whether `actor` decides anything in the cycle. Each rating belongs to
    the committee directly above the cell or organization rated, so in a
    grassroots committee's cycle its own office staff decide (and publish)
    its cells' members and cells, and the committee above decides the
    grassroots organization itself."""
    if may_decide(actor, cycle.unit):
        return True
    return not cycle.unit.is_cell and can_edit(actor, cycle.unit)


def _require_committee(actor, unit: Unit) -> None:
    if not may_decide(actor, unit):
        raise ServiceError(
            _("Chỉ cấp ủy cấp trên của %(unit)s mới được quyết định, trả lại hoặc công bố.")
            % {"unit": unit.name}
        )


def _require_cycle_committee(actor, cycle: ReviewCycle) -> None:
    if may_decide_in_cycle(actor, cycle):
        return
    if cycle.unit.is_cell:
        _require_committee(actor, cycle.unit)  # raises, naming the committee above the cell
    raise ServiceError(
        _(
            "Chỉ %(unit)s hoặc cấp ủy cấp trên mới được quyết định theo đề xuất hoặc "
            "công bố kết quả của đợt đánh giá này."
        )
        % {"unit": cycle.unit.name}
    )


def _user(actor):
    return actor if _is_person(actor) else None


# --- Facts the rules need ---------------------------------------------------------------


def grassroots_of(unit: Unit) -> Unit | None:
    """The grassroots organization (tổ chức cơ sở đảng) `unit` belongs to."""
    if unit.level in GRASSROOTS_LEVELS:
        return unit
    return (
        Unit.objects.filter(pk__in=unit.ancestor_ids(), level__in=GRASSROOTS_LEVELS)
        .order_by("-path")
        .first()
    )


def disciplines_in_year(member_ids: Iterable[int], year: int) -> dict[int, list[DisciplineFact]]:
    out: dict[int, list[DisciplineFact]] = {}
    for d in Discipline.objects.filter(member_id__in=list(member_ids), decided_on__year=year):
        out.setdefault(d.member_id, []).append(
            DisciplineFact(form=d.form, self_reported=d.self_reported, corrected=d.corrected)
        )
    return out


def exempt_at_year_end(member_ids: Iterable[int], year: int) -> set[int]:
    return set(
        Exemption.objects.filter(
            valid_on(year_end(year)), member_id__in=list(member_ids)
        ).values_list("member_id", flat=True)
    )


def organization_levels(
    path: str, year: int, *, replace: tuple[int, str] | None = None
) -> list[str]:
    """The current level (decided, else proposed) of every member rated under
    `path` in `year`; `replace` = (review id, level) puts a level not yet saved."""
    levels = []
    for pk, decided, proposed in MemberReview.objects.filter(
        year=year, path__startswith=path
    ).values_list("pk", "decided_level", "proposed_level"):
        if replace and pk == replace[0]:
            levels.append(replace[1])
        elif decided or proposed:
            levels.append(decided or proposed)
    if replace and not MemberReview.objects.filter(pk=replace[0], path__startswith=path).exists():
        levels.append(replace[1])
    return levels


def member_review_checks(review: MemberReview, level: str) -> list[Check]:
    """Every rule of the cycle's rule set for rating this member at `level`."""
    rs = review.cycle.rules
    grassroots = grassroots_of(review.cell)
    org_levels = (
        organization_levels(grassroots.path, review.year, replace=(review.pk, level))
        if grassroots
        else [level]
    )
    return rules.member_checks(
        rs,
        level,
        score=review.score,
        disciplines=disciplines_in_year([review.member_id], review.year).get(review.member_id, []),
        outstanding=review.outstanding,
        organization_levels=org_levels,
        organization=grassroots.name if grassroots else "",
    )


def organization_review_checks(review: OrganizationReview, level: str) -> list[Check]:
    rs = review.cycle.rules
    rows = list(
        MemberReview.objects.filter(year=review.year, path__startswith=review.path).values_list(
            "member_id", "decided_level", "proposed_level"
        )
    )
    member_levels = [d or p for _, d, p in rows if d or p]
    disciplined = len(disciplines_in_year([m for m, _, _ in rows], review.year))
    return rules.organization_checks(
        rs, level, member_levels=member_levels, disciplined=disciplined, members=len(rows)
    )


# --- Shared checks ----------------------------------------------------------------------


def _check_level(rs: rules.RuleSet, level: str) -> None:
    if not level or not rules.level_allowed(rs, level):
        raise ServiceError(
            _("Mức xếp loại “%(level)s” không có trong %(r)s.")
            % {"level": level, "r": rs.regulation}
        )


def _refuse_exempt(review: MemberReview) -> None:
    if exempt_at_year_end([review.member_id], review.year):
        raise ServiceError(
            _("%(name)s được miễn công tác và sinh hoạt đảng: không đánh giá, xếp loại.")
            % {"name": review.member.full_name}
        )


def _refuse_published(review) -> None:
    if review.published_at:
        raise ServiceError(_("Kết quả đã công bố, không sửa được."))


def _refuse_decided(review) -> None:
    _refuse_published(review)
    if review.decided_level:
        raise ServiceError(
            _("Cấp ủy đã quyết định xếp loại; chỉ sửa được sau khi quyết định được trả lại.")
        )


def _lock_member_review(review: MemberReview) -> MemberReview:
    return (
        MemberReview.objects.select_for_update(of=("self",))
        .select_related("cycle", "member", "cell")
        .get(pk=review.pk)
    )


def _lock_org_review(review: OrganizationReview) -> OrganizationReview:
    return (
        OrganizationReview.objects.select_for_update(of=("self",))
        .select_related("cycle", "unit")
        .get(pk=review.pk)
    )


def _step(review, actor, kind: str, **fields) -> ReviewStep:
    key = "member_review" if isinstance(review, MemberReview) else "organization_review"
    return ReviewStep.objects.create(**{key: review}, kind=kind, actor=_user(actor), **fields)


def _audit(actor, action: str, review, summary: str, data: dict | None = None) -> None:
    unit = review.cell if isinstance(review, MemberReview) else review.unit
    audit_record(actor=actor, action=action, target=review, unit=unit, summary=summary, data=data)


def _name(review) -> str:
    return review.member.full_name if isinstance(review, MemberReview) else review.unit.name


# --- Cycles -------------------------------------------------------------------------------


@transaction.atomic
def review_open_cycle(*, actor, unit: Unit, year: int) -> ReviewCycle:
    """Open the review of `year` for a cell or a grassroots organization: a
    review for each member expected (the members on 31/12 of the year, less
    the exempt: they are not rated) and for each party organization, under
    the rule set of the year rated."""
    if unit.level not in CELL_LEVELS + GRASSROOTS_LEVELS:
        raise ServiceError(
            _("Chỉ mở đợt đánh giá cho chi bộ hoặc tổ chức cơ sở đảng; %(unit)s là %(level)s.")
            % {"unit": unit.name, "level": unit.get_level_display()}
        )
    _require_cell(actor, unit)
    today = timezone.localdate()
    rs = rules.rule_set_for_year(year)
    if rs is None or year > today.year:
        raise ServiceError(
            _("Năm đánh giá phải từ %(first)s đến %(last)s.")
            % {"first": rules.FIRST_YEAR, "last": today.year}
        )
    end = year_end(year)
    if unit.founded_on > end or (unit.dissolved_on and unit.dissolved_on <= date(year, 1, 1)):
        raise ServiceError(
            _("%(unit)s không hoạt động trong năm %(year)s.") % {"unit": unit.name, "year": year}
        )
    overlapping = ReviewCycle.objects.filter(year=year).filter(
        Q(unit__path__startswith=unit.path) | Q(unit__path__in=_prefixes(unit.path))
    )
    if overlapping.exists():
        other = overlapping.select_related("unit").first()
        raise ServiceError(
            _("Năm %(year)s đã có đợt đánh giá của %(unit)s, bao gồm đơn vị này.")
            % {"year": year, "unit": other.unit.name}
        )
    cycle = ReviewCycle.objects.create(
        unit=unit, year=year, rule_set_code=rs.code, opened_by=_user(actor)
    )
    expected = [r for r in members_on(unit, end, subtree=not unit.is_cell) if not r.exempt]
    cells = Unit.objects.in_bulk({r.placement.unit_id for r in expected})
    reviews = MemberReview.objects.bulk_create(
        [
            MemberReview(
                cycle=cycle,
                year=year,
                member=r.member,
                cell=cells[r.placement.unit_id],
                path=cells[r.placement.unit_id].path,
            )
            for r in expected
        ]
    )
    _prefill_residence_comments(reviews, year, actor)
    orgs = [unit]
    if not unit.is_cell:
        orgs += list(
            Unit.objects.filter(
                path__startswith=unit.path, level__in=CELL_LEVELS, founded_on__lte=end
            )
            .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=end))
            .exclude(pk=unit.pk)
        )
    OrganizationReview.objects.bulk_create(
        [OrganizationReview(cycle=cycle, year=year, unit=u, path=u.path) for u in orgs]
    )
    audit_record(
        actor=actor,
        action="review_open_cycle",
        target=cycle,
        unit=unit,
        summary=_("Mở đợt đánh giá, xếp loại năm %(year)s của %(unit)s (%(r)s)")
        % {"year": year, "unit": unit.name, "r": rs.regulation},
        data={"year": year, "rule_set": rs.code, "members": len(reviews)},
    )
    return cycle


def _prefixes(path: str) -> list[str]:
    return [path[:i] for i in range(PATH_STEP, len(path), PATH_STEP)]


def _prefill_residence_comments(reviews: list[MemberReview], year: int, actor) -> None:
    """The residence cell's comment of the year (Quy định 213-QĐ/TW), when the
    members' records already hold it."""
    by_member = {r.member_id: r for r in reviews}
    comments = ResidenceComment.objects.filter(year=year, contact__member_id__in=list(by_member))
    for c in comments.select_related("contact"):
        review = by_member[c.contact.member_id]
        review.residence_comment = c.comment
        review.save(update_fields=["residence_comment"])
        _step(review, actor, ReviewStep.Kind.RESIDENCE, text=c.comment, data={"from": "members"})


@transaction.atomic
def review_add_member(*, actor, cycle: ReviewCycle, member: Member) -> MemberReview:
    """Add a member the cycle did not expect (e.g. placed after it opened).
    Exempt members are not rated."""
    end = year_end(cycle.year)
    placement = (
        Placement.objects.filter(valid_on(end), member=member, kind=PlacementKind.PERMANENT)
        .select_related("unit")
        .first()
    )
    if placement is None or not placement.unit.path.startswith(cycle.unit.path):
        raise ServiceError(
            _("%(name)s không sinh hoạt tại %(unit)s vào ngày %(day)s.")
            % {"name": member.full_name, "unit": cycle.unit.name, "day": end.strftime("%d/%m/%Y")}
        )
    _require_cell(actor, placement.unit)
    if exempt_at_year_end([member.pk], cycle.year):
        raise ServiceError(
            _("%(name)s được miễn công tác và sinh hoạt đảng: không đánh giá, xếp loại.")
            % {"name": member.full_name}
        )
    if MemberReview.objects.filter(member=member, year=cycle.year).exists():
        raise ServiceError(
            _("%(name)s đã có trong đợt đánh giá năm %(year)s.")
            % {"name": member.full_name, "year": cycle.year}
        )
    review = MemberReview.objects.create(
        cycle=cycle, year=cycle.year, member=member, cell=placement.unit, path=placement.unit.path
    )
    _audit(
        actor,
        "review_add_member",
        review,
        _("Thêm %(name)s vào đợt đánh giá") % {"name": member.full_name},
    )
    return review


# --- Member reviews: the cell's steps ------------------------------------------------------


@transaction.atomic
def review_record_self(
    *,
    actor,
    review: MemberReview,
    text: str,
    score_general: int | None = None,
    score_results: int | None = None,
) -> MemberReview:
    """The member's self-review; from 2025 (Quy định 366-QĐ/TW) with the
    self-score: up to 30 for the general criteria and 70 for results."""
    review = _lock_member_review(review)
    _require_cell(actor, review.cell)
    _refuse_decided(review)
    _refuse_exempt(review)
    text = (text or "").strip()
    if not text:
        raise ServiceError(_("Cần ghi nội dung tự kiểm điểm."))
    rs = review.cycle.rules
    if rs.has_score:
        parts = rs.score_parts
        for value, top, label in (
            (score_general, parts["general"], _("Điểm tiêu chí chung")),
            (score_results, parts["results"], _("Điểm kết quả thực hiện nhiệm vụ")),
        ):
            if value is None:
                raise ServiceError(
                    _("%(what)s là bắt buộc theo %(r)s.") % {"what": label, "r": rs.regulation}
                )
            if not isinstance(value, int) or value < 0 or value > top:
                raise ServiceError(
                    _("%(what)s phải từ 0 đến %(top)s.") % {"what": label, "top": top}
                )
    elif score_general is not None or score_results is not None:
        raise ServiceError(
            _("%(r)s không chấm điểm theo thang 100; chỉ %(s)s trở đi mới chấm điểm.")
            % {"r": rs.regulation, "s": rules.rule_set("366").regulation}
        )
    review.self_review = text
    review.score_general = score_general
    review.score_results = score_results
    review.self_at = timezone.now()
    review.save(update_fields=["self_review", "score_general", "score_results", "self_at"])
    _step(
        review,
        actor,
        ReviewStep.Kind.SELF,
        text=text,
        data={"score_general": score_general, "score_results": score_results},
    )
    _audit(actor, "review_record_self", review, _("Tự kiểm điểm của %(n)s") % {"n": _name(review)})
    return review


@transaction.atomic
def review_record_comment(
    *,
    actor,
    review: MemberReview,
    text: str,
    source: str = "cell",
    outstanding: bool | None = None,
) -> MemberReview:
    """The cell's comments on the member (and whether it recognises an
    outstanding result, an extra condition for excellent under 366-QĐ/TW), or
    the residence cell's comment (Quy định 213-QĐ/TW) for a member who kept
    contact with the cell where they live during the year."""
    review = _lock_member_review(review)
    _refuse_decided(review)
    _refuse_exempt(review)
    text = (text or "").strip()
    if not text:
        raise ServiceError(_("Cần ghi nội dung nhận xét."))
    if source == "residence":
        contact = (
            ResidenceContact.objects.filter(
                member_id=review.member_id, valid_from__lte=year_end(review.year)
            )
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=date(review.year, 1, 1)))
            .select_related("unit")
            .first()
        )
        if _is_person(actor) and not (
            can_edit(actor, review.cell, routine=True)
            or (contact is not None and can_edit(actor, contact.unit, routine=True))
        ):
            raise ServiceError(_("Bạn không có quyền ghi nhận xét này."))
        if contact is None:
            raise ServiceError(
                _("%(name)s không sinh hoạt nơi cư trú (Quy định 213-QĐ/TW) trong năm %(year)s.")
                % {"name": review.member.full_name, "year": review.year}
            )
        review.residence_comment = text
        review.save(update_fields=["residence_comment"])
        _step(review, actor, ReviewStep.Kind.RESIDENCE, text=text, data={"unit": contact.unit.name})
    elif source == "cell":
        _require_cell(actor, review.cell)
        review.cell_comment = text
        review.commented_at = timezone.now()
        fields = ["cell_comment", "commented_at"]
        if outstanding is not None:
            review.outstanding = bool(outstanding)
            fields.append("outstanding")
        review.save(update_fields=fields)
        _step(
            review,
            actor,
            ReviewStep.Kind.COMMENT,
            text=text,
            data={"outstanding": review.outstanding},
        )
    else:
        raise ServiceError(_("Nguồn nhận xét không hợp lệ."))
    _audit(
        actor,
        "review_record_comment",
        review,
        _("Nhận xét %(n)s") % {"n": _name(review)},
        {"source": source},
    )
    return review


def eligible_voters(cell: Unit, year: int) -> int:
    """The official members of the cell who vote on the ratings: the
    denominator of meetings/rules.py (no probationary members, no members
    away on a temporary transfer, no exempt members)."""
    voters = [
        Voter(
            name=r.member.full_name,
            official=r.status == Status.OFFICIAL,
            present=not r.exempt,
            away=r.away is not None,
            exempt=r.exempt,
        )
        for r in members_on(cell, year_end(year))
    ]
    counted, _left_out = vote_denominator(voters)
    return len(counted)


def year_end_meeting(cell: Unit, year: int):
    """The cell's year-end review meeting (họp kiểm điểm, đánh giá cuối năm)
    with its attendance taken, held from November of the year to March of the
    next; None if the cell has not recorded one."""
    return (
        Meeting.objects.filter(
            unit=cell,
            kind=MeetingKind.YEAR_END,
            attendance_taken=True,
            held_on__gte=date(year, 11, 1),
            held_on__lte=date(year + 1, 3, 31),
        )
        .order_by("-held_on")
        .first()
    )


def officials_present(meeting) -> int:
    """Official members present at the meeting, not suspended, prosecuted or
    detained: those who may vote (Quy định thi hành Điều lệ)."""
    return meeting.attendance.filter(
        status=AttendanceStatus.PRESENT, official=True, restriction=""
    ).count()


@transaction.atomic
def review_record_vote(
    *,
    actor,
    review: MemberReview,
    present: int,
    excellent: int = 0,
    good: int = 0,
    completed: int = 0,
    not_completed: int = 0,
) -> MemberReview:
    """The cell's vote on the member's level: how many members voted for each
    level. The counts cannot exceed the members voting, who cannot exceed the
    cell's official members."""
    review = _lock_member_review(review)
    _require_cell(actor, review.cell)
    _refuse_decided(review)
    _refuse_exempt(review)
    counts = {
        "excellent": excellent,
        "good": good,
        "completed": completed,
        "not_completed": not_completed,
    }
    for value in [present, *counts.values()]:
        if not isinstance(value, int) or value < 0:
            raise ServiceError(_("Số phiếu phải là số nguyên không âm."))
    eligible = eligible_voters(review.cell, review.year)
    if present > eligible:
        raise ServiceError(
            _(
                "Số đảng viên biểu quyết (%(p)s) vượt quá số đảng viên chính thức của chi bộ (%(e)s)."
            )
            % {"p": present, "e": eligible}
        )
    meeting = year_end_meeting(review.cell, review.year)
    if meeting is not None and present > (at_meeting := officials_present(meeting)):
        raise ServiceError(
            _(
                "Số đảng viên biểu quyết (%(p)s) vượt quá số đảng viên chính thức có mặt "
                "tại cuộc họp kiểm điểm cuối năm ngày %(d)s (%(n)s)."
            )
            % {"p": present, "d": meeting.held_on.strftime("%d/%m/%Y"), "n": at_meeting}
        )
    total = sum(counts.values())
    if total > present:
        raise ServiceError(
            _("Tổng số phiếu (%(t)s) vượt quá số đảng viên biểu quyết (%(p)s).")
            % {"t": total, "p": present}
        )
    review.vote_present = present
    review.votes_excellent = excellent
    review.votes_good = good
    review.votes_completed = completed
    review.votes_not_completed = not_completed
    review.voted_at = timezone.now()
    review.save(
        update_fields=[
            "vote_present",
            "votes_excellent",
            "votes_good",
            "votes_completed",
            "votes_not_completed",
            "voted_at",
        ]
    )
    _step(
        review,
        actor,
        ReviewStep.Kind.VOTE,
        data={"present": present, **counts, "meeting": meeting.pk if meeting else None},
    )
    _audit(
        actor,
        "review_record_vote",
        review,
        _("Biểu quyết xếp loại %(n)s") % {"n": _name(review)},
        counts,
    )
    return review


@transaction.atomic
def review_propose(*, actor, review: MemberReview, level: str) -> MemberReview:
    """The cell proposes a level, after the self-review and the cell's vote.
    A proposal that breaks a rule is kept and shown as such (the committee then needs an override to decide it)."""
    review = _lock_member_review(review)
    _require_cell(actor, review.cell)
    _refuse_decided(review)
    _refuse_exempt(review)
    _propose(review, actor=actor, level=level, checks_of=member_review_checks)
    return review


def _propose(review, *, actor, level: str, checks_of) -> None:
    """Record the cell's proposal with the rules checked against it (member
    and organization reviews alike); a returned review is proposed anew."""
    _check_level(review.cycle.rules, level)
    if not review.self_at:
        raise ServiceError(
            _("%(name)s chưa tự kiểm điểm: chưa đề xuất được.") % {"name": _name(review)}
        )
    if isinstance(review, MemberReview) and not review.voted_at:
        # the cell proposes what its members voted (self-review, comments,
        # vote, proposal: 132, 124 and 366-QĐ/TW)
        raise ServiceError(
            _("Chi bộ chưa biểu quyết xếp loại %(name)s: ghi kết quả biểu quyết trước khi đề xuất.")
            % {"name": _name(review)}
        )
    checks = checks_of(review, level)
    review.proposed_level = level
    review.proposed_at = timezone.now()
    review.proposal_checks = [c.as_dict() for c in checks]
    review.returned_reason = ""
    review.returned_at = None
    review.save(
        update_fields=[
            "proposed_level",
            "proposed_at",
            "proposal_checks",
            "returned_reason",
            "returned_at",
        ]
    )
    _step(
        review, actor, ReviewStep.Kind.PROPOSE, level=level, data={"checks": review.proposal_checks}
    )
    action = "review_propose" if isinstance(review, MemberReview) else "organization_review_propose"
    _audit(
        actor,
        action,
        review,
        _("Đề xuất xếp loại %(n)s: %(l)s") % {"n": _name(review), "l": rules.SHORT[level]},
    )


# --- Decisions, returns, publication (member and organization reviews) ----------------------


def _clean_marks(review, level: str, *, exemplary: bool = False, reasons=()) -> dict:
    """The marks the forms count with a decision: 7A's "tiêu biểu" on an
    organization at the top level, 7B's reasons on a member rated
    "hoàn thành nhiệm vụ" (its shortcomings) or at the lowest level (the
    violations); refused on any other level (rules.REASONS_FOR)."""
    if isinstance(review, OrganizationReview):
        if reasons:
            raise ServiceError(_("Lý do của biểu 7B chỉ ghi cho xếp loại đảng viên."))
        if exemplary and level != rules.Level.EXCELLENT:
            raise ServiceError(
                _("Chỉ tổ chức đảng xếp loại %(l)s mới được ghi là tiêu biểu.")
                % {"l": rules.SHORT[rules.Level.EXCELLENT]}
            )
        return {"exemplary": bool(exemplary)}
    if exemplary:
        raise ServiceError(_("“Tiêu biểu” chỉ ghi cho xếp loại tổ chức đảng."))
    wanted = list(dict.fromkeys(reasons or ()))
    allowed = rules.REASONS_FOR.get(level, ())
    for reason in wanted:
        if reason not in rules.Reason.values:
            raise ServiceError(_("Lý do “%(r)s” không hợp lệ.") % {"r": reason})
        if reason not in allowed:
            raise ServiceError(
                _("Lý do “%(r)s” không dùng cho mức %(l)s.")
                % {"r": rules.Reason(reason).label, "l": rules.SHORT[level]}
            )
    return {"reasons": [r for r in rules.Reason.values if r in wanted]}


def _decide(
    review, *, actor, level: str, override_reason: str, checks_of, marks: dict | None = None
) -> None:
    rs = review.cycle.rules
    _check_level(rs, level)
    marks = _clean_marks(review, level, **(marks or {}))
    if not review.proposed_level:
        raise ServiceError(
            _("%(name)s chưa có đề xuất của chi bộ: chưa quyết định được.")
            % {"name": _name(review)}
        )
    checks = checks_of(review, level)
    broken = rules.broken(checks)
    override_reason = (override_reason or "").strip()
    if broken and not override_reason:
        raise ServiceError(
            [_("Mức %(l)s trái quy định:") % {"l": rules.SHORT[level]}]
            + [c.message for c in broken]
            + [_("Muốn vẫn quyết định, cần ghi lý do.")]
        )
    review.decided_level = level
    review.decided_by = _user(actor)
    review.decided_at = timezone.now()
    review.override_reason = override_reason if broken else ""
    review.returned_reason = ""
    review.returned_at = None
    for name, value in marks.items():
        setattr(review, name, value)
    review.save(
        update_fields=[
            "decided_level",
            "decided_by",
            "decided_at",
            "override_reason",
            "returned_reason",
            "returned_at",
            *marks,
        ]
    )
    _step(
        review,
        actor,
        ReviewStep.Kind.DECIDE,
        level=level,
        reason=review.override_reason,
        data={"checks": [c.as_dict() for c in checks], "override": bool(broken), **marks},
    )
    _audit(
        actor,
        "review_decide",
        review,
        _("Quyết định xếp loại %(n)s: %(l)s") % {"n": _name(review), "l": rules.SHORT[level]}
        + _marks_text(marks),
        {"level": level, "override": review.override_reason, **marks},
    )


def _marks_text(marks: dict) -> str:
    """ " (tiêu biểu)", " (lý do: …)": the marks as the audit log reads them."""
    if marks.get("exemplary"):
        return _(" (tiêu biểu)")
    if marks.get("reasons"):
        return _(" (lý do: %(r)s)") % {
            "r": "; ".join(str(rules.Reason(r).label) for r in marks["reasons"])
        }
    return ""


def _return(review, *, actor, reason: str) -> None:
    _refuse_published(review)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Cần ghi lý do trả lại."))
    if not (review.proposed_level or review.decided_level):
        raise ServiceError(_("Chưa có đề xuất hay quyết định nào để trả lại."))
    undone = {"proposed": review.proposed_level, "decided": review.decided_level}
    review.proposed_level = ""
    review.proposed_at = None
    review.proposal_checks = []
    review.decided_level = ""
    review.decided_by = None
    review.decided_at = None
    review.override_reason = ""
    review.returned_reason = reason
    review.returned_at = timezone.now()
    marks = ["exemplary"] if isinstance(review, OrganizationReview) else ["reasons"]
    # the marks undone are kept in the step, when there were any
    if isinstance(review, OrganizationReview):
        if review.exemplary:
            undone["exemplary"] = True
        review.exemplary = False
    else:
        if review.reasons:
            undone["reasons"] = review.reasons
        review.reasons = []
    review.save(
        update_fields=[
            "proposed_level",
            "proposed_at",
            "proposal_checks",
            "decided_level",
            "decided_by",
            "decided_at",
            "override_reason",
            "returned_reason",
            "returned_at",
            *marks,
        ]
    )
    _step(review, actor, ReviewStep.Kind.RETURN, reason=reason, data=undone)
    _audit(
        actor,
        "review_return",
        review,
        _("Trả lại đánh giá %(n)s") % {"n": _name(review)},
        {"reason": reason, **undone},
    )


@transaction.atomic
def review_decide(
    *, actor, review: MemberReview, level: str, override_reason: str = "", reasons=()
) -> MemberReview:
    """The competent committee decides the member's level. When the level
    breaks a rule of the year's rule set, the decision needs a recorded
    reason for the override. `reasons` (rules.Reason): Biểu 7B's
    shortcomings of a "hoàn thành nhiệm vụ", violations of the lowest level."""
    review = _lock_member_review(review)
    _require_committee(actor, review.cell)
    _refuse_decided(review)
    _refuse_exempt(review)
    _decide(
        review,
        actor=actor,
        level=level,
        override_reason=override_reason,
        checks_of=member_review_checks,
        marks={"reasons": reasons},
    )
    return review


@transaction.atomic
def review_decide_as_proposed(*, actor, cycle: ReviewCycle) -> tuple[int, int]:
    """The committee decides, at the level the cell proposed, every proposal of
    the cycle that breaks no rule; proposals that break one are left for a
    decision one by one with its reason. Returns (decided, left)."""
    _require_cycle_committee(actor, cycle)
    pending = list(
        MemberReview.objects.select_for_update(of=("self",))
        .select_related("cycle", "member", "cell")
        .filter(cycle=cycle, decided_level="", published_at__isnull=True)
        .exclude(proposed_level="")
        .order_by("cell__path", "member__sort_key")
    )
    if not pending:
        raise ServiceError(_("Không có đề xuất nào đang chờ quyết định."))
    exempt = exempt_at_year_end([r.member_id for r in pending], cycle.year)
    decided = left = 0
    for review in pending:
        if review.member_id in exempt or not may_decide(actor, review.cell):
            left += 1
            continue
        if rules.broken(member_review_checks(review, review.proposed_level)):
            left += 1
            continue
        _decide(
            review,
            actor=actor,
            level=review.proposed_level,
            override_reason="",
            checks_of=member_review_checks,
        )
        decided += 1
    return decided, left


@transaction.atomic
def review_return(*, actor, review: MemberReview, reason: str) -> MemberReview:
    """The committee returns the cell's proposal (or its own decision, before
    publication) with a reason; the cell proposes again. The returned
    proposal and decision stay in the steps."""
    review = _lock_member_review(review)
    _require_committee(actor, review.cell)
    _return(review, actor=actor, reason=reason)
    return review


@transaction.atomic
def review_publish(*, actor, cycle: ReviewCycle) -> int:
    """Publish every decided, unpublished review of the cycle (members and
    organizations) that `actor`'s committee decided; returns how many."""
    _require_cycle_committee(actor, cycle)
    now = timezone.now()
    allowed: dict[int, bool] = {}

    def mine(unit: Unit) -> bool:
        if unit.pk not in allowed:
            allowed[unit.pk] = may_decide(actor, unit)
        return allowed[unit.pk]

    members = [
        r
        for r in MemberReview.objects.select_for_update(of=("self",))
        .select_related("cell__parent")
        .filter(cycle=cycle, published_at__isnull=True)
        .exclude(decided_level="")
        if mine(r.cell)
    ]
    orgs = [
        r
        for r in OrganizationReview.objects.select_for_update(of=("self",))
        .select_related("unit__parent")
        .filter(cycle=cycle, published_at__isnull=True)
        .exclude(decided_level="")
        if mine(r.unit)
    ]
    if not members and not orgs:
        raise ServiceError(_("Chưa có kết quả nào được cấp ủy quyết định để công bố."))
    MemberReview.objects.filter(pk__in=[r.pk for r in members]).update(published_at=now)
    OrganizationReview.objects.filter(pk__in=[r.pk for r in orgs]).update(published_at=now)
    user = _user(actor)
    ReviewStep.objects.bulk_create(
        [
            ReviewStep(
                member_review=r, kind=ReviewStep.Kind.PUBLISH, level=r.decided_level, actor=user
            )
            for r in members
        ]
        + [
            ReviewStep(
                organization_review=r,
                kind=ReviewStep.Kind.PUBLISH,
                level=r.decided_level,
                actor=user,
            )
            for r in orgs
        ]
    )
    audit_record(
        actor=actor,
        action="review_publish",
        target=cycle,
        unit=cycle.unit,
        summary=_("Công bố kết quả xếp loại năm %(y)s của %(u)s")
        % {"y": cycle.year, "u": cycle.unit.name},
        data={"members": len(members), "organizations": len(orgs)},
    )
    return len(members) + len(orgs)


# --- Organization reviews -----------------------------------------------------------------


@transaction.atomic
def organization_review_record_self(
    *, actor, review: OrganizationReview, text: str
) -> OrganizationReview:
    """The organization's own review report (báo cáo kiểm điểm tập thể)."""
    review = _lock_org_review(review)
    _require_cell(actor, review.unit)
    _refuse_decided(review)
    text = (text or "").strip()
    if not text:
        raise ServiceError(_("Cần ghi nội dung tự kiểm điểm của tập thể."))
    review.self_review = text
    review.self_at = timezone.now()
    review.save(update_fields=["self_review", "self_at"])
    _step(review, actor, ReviewStep.Kind.SELF, text=text)
    _audit(
        actor,
        "organization_review_record_self",
        review,
        _("Tự kiểm điểm của %(n)s") % {"n": _name(review)},
    )
    return review


@transaction.atomic
def organization_review_propose(
    *, actor, review: OrganizationReview, level: str
) -> OrganizationReview:
    review = _lock_org_review(review)
    _require_cell(actor, review.unit)
    _refuse_decided(review)
    _propose(review, actor=actor, level=level, checks_of=organization_review_checks)
    return review


@transaction.atomic
def organization_review_decide(
    *,
    actor,
    review: OrganizationReview,
    level: str,
    override_reason: str = "",
    exemplary: bool = False,
) -> OrganizationReview:
    """The committee above decides the organization's level; `exemplary`:
    Biểu 7A's "tiêu biểu", only at the top level."""
    review = _lock_org_review(review)
    _require_committee(actor, review.unit)
    _refuse_decided(review)
    _decide(
        review,
        actor=actor,
        level=level,
        override_reason=override_reason,
        checks_of=organization_review_checks,
        marks={"exemplary": exemplary},
    )
    return review


@transaction.atomic
def organization_review_return(
    *, actor, review: OrganizationReview, reason: str
) -> OrganizationReview:
    review = _lock_org_review(review)
    _require_committee(actor, review.unit)
    _return(review, actor=actor, reason=reason)
    return review


# --- Ratings of past years, as the committee decided them -----------------------------------


def cycle_for(*, actor, unit: Unit, year: int) -> ReviewCycle:
    """The year's review cycle that covers `unit` (a cell or organization),
    opened for its grassroots organization (or the cell itself, at the top)
    if there is none yet."""
    prefixes = [*_prefixes(unit.path), unit.path]
    cycle = (
        ReviewCycle.objects.filter(year=year, unit__path__in=prefixes)
        .select_related("unit")
        .order_by("unit__path")
        .first()
    )
    if cycle is not None:
        return cycle
    target = grassroots_of(unit) or unit
    return review_open_cycle(actor=actor, unit=target, year=year)


@transaction.atomic
def review_record_past(
    *,
    actor,
    review: MemberReview | OrganizationReview,
    level: str,
    decided_by: str = "",
    exemplary: bool = False,
    reasons=(),
) -> tuple[MemberReview | OrganizationReview, list[Check]]:
    """Record a rating the competent committee decided and announced in a
    past year (from the office's books): the review is proposed, decided and
    published at `level` in one step, with who decided it ("Đảng ủy phường
    Một") kept in the decision's step. The rules of the year are checked and
    returned; a broken one does not refuse the past decision (it was taken
    then) but is kept as the decision's override reason. Recording the same
    level again changes nothing; a different level than the one decided is
    refused (a decision is returned through the review pages)."""
    is_member = isinstance(review, MemberReview)
    review = _lock_member_review(review) if is_member else _lock_org_review(review)
    rated = review.cell if is_member else review.unit
    _require_committee(actor, rated)
    _check_level(review.cycle.rules, level)
    marks = _clean_marks(review, level, exemplary=exemplary, reasons=reasons)
    if review.decided_level == level and all(getattr(review, k) == v for k, v in marks.items()):
        return review, []
    if review.decided_level == level and review.published_at:
        # the marks of a past decision, recorded later from the books
        for name, value in marks.items():
            setattr(review, name, value)
        review.save(update_fields=list(marks))
        _step(review, actor, ReviewStep.Kind.DECIDE, level=level, data={"marks": marks})
        _audit(
            actor,
            "review_record_past",
            review,
            _("Ghi bổ sung kết quả xếp loại năm %(y)s của %(n)s: %(l)s")
            % {"y": review.year, "n": _name(review), "l": rules.SHORT[level]}
            + _marks_text(marks),
            {"level": level, **marks},
        )
        return review, []
    if review.decided_level or review.published_at:
        raise ServiceError(
            _("%(name)s đã được xếp loại %(level)s năm %(year)s; muốn sửa hãy trả lại quyết định.")
            % {
                "name": _name(review),
                "level": rules.SHORT.get(review.decided_level, review.decided_level),
                "year": review.year,
            }
        )
    if is_member:
        _refuse_exempt(review)
    checks = (member_review_checks if is_member else organization_review_checks)(review, level)
    broken = rules.broken(checks)
    now = timezone.now()
    decided_by = (decided_by or "").strip()
    note = _("Kết quả xếp loại năm %(year)s đã quyết định, ghi từ sổ sách") % {"year": review.year}
    if decided_by:
        note += _(" (cấp quyết định: %(by)s)") % {"by": decided_by}
    review.proposed_level = review.decided_level = level
    review.proposed_at = review.decided_at = review.published_at = now
    review.proposal_checks = [c.as_dict() for c in checks]
    review.decided_by = _user(actor)
    review.override_reason = note if broken else ""
    for name, value in marks.items():
        setattr(review, name, value)
    review.save()
    data = {"checks": review.proposal_checks, "past": True, "decided_by": decided_by, **marks}
    _step(review, actor, ReviewStep.Kind.DECIDE, level=level, reason=note, data=data)
    _step(review, actor, ReviewStep.Kind.PUBLISH, level=level)
    _audit(
        actor,
        "review_record_past",
        review,
        _("Ghi kết quả xếp loại năm %(y)s của %(n)s: %(l)s")
        % {"y": review.year, "n": _name(review), "l": rules.SHORT[level]},
        {"level": level, "decided_by": decided_by},
    )
    return review, broken
