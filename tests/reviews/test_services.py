"""The review steps through the services: who may do what, the rules
applied, and every bad input refused with nothing changed."""

from datetime import date

import pytest

from chibo.errors import ServiceError
from members import services as member_services
from members.models import Exemption
from organizations.models import Level as UnitLevel
from reviews import services
from reviews.models import MemberReview, OrganizationReview, ReviewCycle, ReviewStep
from reviews.rules import Level
from tests.factories import UserFactory, grant, make_member, make_unit
from tests.reviews.factories import open_cycle, propose, review_of

E, G, C, N = Level.EXCELLENT, Level.GOOD, Level.COMPLETED, Level.NOT_COMPLETED


def snapshot(review):
    review.refresh_from_db()
    return (
        review.self_review,
        review.score_general,
        review.vote_present,
        review.proposed_level,
        review.decided_level,
        review.steps.count(),
    )


@pytest.mark.parametrize(
    ("year", "code"), [(2022, "132"), (2023, "124"), (2024, "124"), (2025, "366")]
)
def test_a_cycle_is_rated_under_the_rule_set_of_its_year(tree, year, code):
    cycle = open_cycle(tree.cell1a, year)
    assert cycle.rule_set_code == code


def test_a_cycle_expects_every_member_of_the_cell_but_the_exempt(tree, ward1_staff):
    exempt = tree.members.m1a[0]
    member_services.member_exempt(
        actor=ward1_staff, member=exempt, day=date(2025, 6, 1), reason=Exemption.Reason.HEALTH
    )
    cycle = open_cycle(tree.cell1a, 2025, actor=ward1_staff)
    rated = set(cycle.member_reviews.values_list("member_id", flat=True))
    assert rated == {m.pk for m in tree.members.m1a[1:]}


def test_a_grassroots_committee_cycle_covers_its_cells_and_reviews_each(tree):
    cycle = open_cycle(tree.ward1, 2025)
    assert cycle.member_reviews.count() == 5
    assert set(cycle.organization_reviews.values_list("unit_id", flat=True)) == {
        tree.ward1.pk,
        tree.cell1a.pk,
        tree.cell1b.pk,
    }


@pytest.mark.parametrize("year", [2017, date.today().year + 1])
def test_a_year_without_a_rule_set_or_in_the_future_is_refused(tree, year):
    with pytest.raises(ServiceError):
        open_cycle(tree.cell1a, year)
    assert not ReviewCycle.objects.exists()


def test_a_cycle_overlapping_another_of_the_same_year_is_refused(tree):
    open_cycle(tree.ward1, 2025)
    with pytest.raises(ServiceError, match="đã có đợt đánh giá"):
        open_cycle(tree.cell1a, 2025)
    assert ReviewCycle.objects.count() == 1
    open_cycle(tree.cell1a, 2024)  # another year is fine


def test_a_cycle_for_a_provincial_committee_is_refused(tree):
    with pytest.raises(ServiceError, match="Chỉ mở đợt đánh giá"):
        open_cycle(tree.province, 2025)


def test_a_secretary_opens_only_their_own_cell(tree, cell_secretary):
    open_cycle(tree.cell1a, 2025, actor=cell_secretary)
    with pytest.raises(ServiceError):
        open_cycle(tree.cell1b, 2025, actor=cell_secretary)


def test_the_366_self_review_needs_both_score_parts_within_their_maximum(tree, cell_secretary):
    review = review_of(open_cycle(tree.cell1a, 2025), tree.members.m1a[0])
    before = snapshot(review)
    for general, results in [(None, 60), (31, 60), (25, 71), (-1, 60)]:
        with pytest.raises(ServiceError):
            services.review_record_self(
                actor=cell_secretary,
                review=review,
                text="Tự kiểm điểm",
                score_general=general,
                score_results=results,
            )
    assert snapshot(review) == before
    services.review_record_self(
        actor=cell_secretary, review=review, text="Tự kiểm điểm", score_general=30, score_results=70
    )
    review.refresh_from_db()
    assert review.score == 100


def test_a_score_is_refused_before_2025(tree):
    review = review_of(open_cycle(tree.cell1a, 2024), tree.members.m1a[0])
    with pytest.raises(ServiceError, match="không chấm điểm"):
        services.review_record_self(
            actor=None, review=review, text="x", score_general=20, score_results=50
        )
    assert snapshot(review)[-1] == 0


def test_an_empty_self_review_is_refused(tree):
    review = review_of(open_cycle(tree.cell1a, 2024), tree.members.m1a[0])
    with pytest.raises(ServiceError, match="tự kiểm điểm"):
        services.review_record_self(actor=None, review=review, text="   ")


def test_vote_counts_cannot_exceed_the_members_voting(tree, cell_secretary):
    review = review_of(open_cycle(tree.cell1a, 2024), tree.members.m1a[0])
    before = snapshot(review)
    with pytest.raises(ServiceError, match="vượt quá số đảng viên biểu quyết"):
        services.review_record_vote(
            actor=cell_secretary, review=review, present=2, good=2, completed=1
        )
    assert snapshot(review) == before
    services.review_record_vote(actor=cell_secretary, review=review, present=3, good=2, completed=1)
    review.refresh_from_db()
    assert (review.vote_present, review.votes_good, review.votes_completed) == (3, 2, 1)


def test_members_voting_cannot_exceed_the_official_members_of_the_cell(tree):
    make_member(tree.cell1a, status="probationary")  # probationary members do not vote
    review = review_of(open_cycle(tree.cell1a, 2024), tree.members.m1a[0])
    with pytest.raises(ServiceError, match=r"chính thức của chi bộ \(3\)"):
        services.review_record_vote(actor=None, review=review, present=4, good=4)
    assert snapshot(review)[2] is None


def test_negative_counts_are_refused(tree):
    review = review_of(open_cycle(tree.cell1a, 2024), tree.members.m1a[0])
    with pytest.raises(ServiceError):
        services.review_record_vote(actor=None, review=review, present=3, good=-1)


def test_a_level_outside_the_rule_set_is_refused(tree):
    review = review_of(open_cycle(tree.cell1a, 2024), tree.members.m1a[0])
    services.review_record_self(actor=None, review=review, text="x")
    before = snapshot(review)
    with pytest.raises(ServiceError, match="không có trong Quy định 124-QĐ/TW"):
        services.review_propose(actor=None, review=review, level="outstanding")
    assert snapshot(review) == before


def test_a_proposal_needs_the_self_review_first(tree):
    review = review_of(open_cycle(tree.cell1a, 2024), tree.members.m1a[0])
    with pytest.raises(ServiceError, match="chưa tự kiểm điểm"):
        services.review_propose(actor=None, review=review, level=G)


def test_a_proposal_needs_the_cells_vote_first(tree):
    # self-review → comments → vote → proposal (132/124/366-QĐ/TW): the
    # committee decides on what the cell voted, never on a bare proposal
    review = review_of(open_cycle(tree.cell1a, 2024), tree.members.m1a[0])
    services.review_record_self(actor=None, review=review, text="x")
    before = snapshot(review)
    with pytest.raises(ServiceError, match="chưa biểu quyết"):
        services.review_propose(actor=None, review=review, level=G)
    assert snapshot(review) == before
    services.review_record_vote(actor=None, review=review, present=3, good=3)
    assert services.review_propose(actor=None, review=review, level=G).proposed_level == G


def test_rating_an_exempt_member_is_refused(tree, ward1_staff):
    cycle = open_cycle(tree.cell1a, 2025)
    member = tree.members.m1a[0]
    review = review_of(cycle, member)
    member_services.member_exempt(
        actor=ward1_staff, member=member, day=date(2025, 10, 1), reason=Exemption.Reason.HEALTH
    )
    with pytest.raises(ServiceError, match="miễn công tác"):
        services.review_record_self(
            actor=None, review=review, text="x", score_general=20, score_results=50
        )


def test_adding_an_exempt_member_to_a_cycle_is_refused(tree, ward1_staff):
    member = tree.members.m1b[0]
    member_services.member_exempt(
        actor=ward1_staff, member=member, day=date(2025, 3, 1), reason=Exemption.Reason.HEALTH
    )
    cycle = open_cycle(tree.cell1b, 2025)
    with pytest.raises(ServiceError, match="miễn công tác"):
        services.review_add_member(actor=ward1_staff, cycle=cycle, member=member)
    assert not cycle.member_reviews.filter(member=member).exists()


def test_adding_a_member_not_in_the_cell_is_refused(tree):
    cycle = open_cycle(tree.cell1a, 2025)
    with pytest.raises(ServiceError, match="không sinh hoạt tại"):
        services.review_add_member(actor=None, cycle=cycle, member=tree.members.m2a[0])


def test_a_member_placed_after_the_cycle_opened_can_be_added(tree):
    cycle = open_cycle(tree.cell1a, 2025)
    late = make_member(tree.cell1a, since=date(2025, 11, 1))
    review = services.review_add_member(actor=None, cycle=cycle, member=late)
    assert review.cell == tree.cell1a
    with pytest.raises(ServiceError, match="đã có"):
        services.review_add_member(actor=None, cycle=cycle, member=late)


def test_the_committee_above_decides_and_the_step_is_dated_and_attributed(tree, ward1_staff):
    review = review_of(open_cycle(tree.cell1a, 2024), tree.members.m1a[0])
    propose(review, G)
    services.review_decide(actor=ward1_staff, review=review, level=G)
    review.refresh_from_db()
    assert review.decided_level == G and review.decided_by == ward1_staff
    step = review.steps.get(kind=ReviewStep.Kind.DECIDE)
    assert step.actor == ward1_staff and step.at is not None


def test_a_cell_secretary_cannot_decide(tree, cell_secretary):
    review = review_of(open_cycle(tree.cell1a, 2024), tree.members.m1a[0])
    propose(review, G, actor=cell_secretary)
    with pytest.raises(ServiceError, match="cấp ủy cấp trên"):
        services.review_decide(actor=cell_secretary, review=review, level=G)
    assert review.steps.filter(kind=ReviewStep.Kind.DECIDE).count() == 0


def test_deciding_a_review_outside_the_users_reach_is_refused(tree, ward2_staff):
    review = review_of(open_cycle(tree.cell1a, 2024), tree.members.m1a[0])
    propose(review, G)
    before = snapshot(review)
    with pytest.raises(ServiceError):
        services.review_decide(actor=ward2_staff, review=review, level=G)
    assert snapshot(review) == before


def test_deciding_without_a_proposal_is_refused(tree, ward1_staff):
    review = review_of(open_cycle(tree.cell1a, 2024), tree.members.m1a[0])
    with pytest.raises(ServiceError, match="chưa có đề xuất"):
        services.review_decide(actor=ward1_staff, review=review, level=G)


def test_a_proposal_above_the_score_band_is_shown_broken_and_needs_an_override(tree, ward1_staff):
    review = review_of(open_cycle(tree.cell1a, 2025), tree.members.m1a[0])
    propose(review, G, score=(20, 49))  # 69 points: completed band
    review.refresh_from_db()
    assert [c["ok"] for c in review.proposal_checks if c["rule"] == "check_score_band"] == [False]
    before = snapshot(review)
    with pytest.raises(ServiceError, match="trái quy định"):
        services.review_decide(actor=ward1_staff, review=review, level=G)
    assert snapshot(review) == before
    services.review_decide(
        actor=ward1_staff, review=review, level=G, override_reason="Chấm lại điểm kết quả"
    )
    review.refresh_from_db()
    assert review.decided_level == G
    assert review.override_reason == "Chấm lại điểm kết quả"
    assert review.steps.get(kind=ReviewStep.Kind.DECIDE).data["override"] is True


def test_seventy_points_is_decided_good_without_override(tree, ward1_staff):
    review = review_of(open_cycle(tree.cell1a, 2025), tree.members.m1a[0])
    propose(review, G, score=(20, 50))
    services.review_decide(actor=ward1_staff, review=review, level=G)
    review.refresh_from_db()
    assert review.decided_level == G and review.override_reason == ""


def discipline(member, actor, *, self_reported=False, corrected=False, day=date(2024, 5, 1)):
    member_services.member_discipline(
        actor=actor,
        member=member,
        form="reprimand",
        day=day,
        fault="Vi phạm quy chế làm việc",
        self_reported=self_reported,
        corrected=corrected,
    )


def test_a_member_disciplined_in_the_year_cannot_be_decided_good(tree, ward1_staff):
    member = tree.members.m1a[0]
    discipline(member, ward1_staff)
    review = review_of(open_cycle(tree.cell1a, 2024), member)
    propose(review, G)
    with pytest.raises(ServiceError, match="phải xếp KHTNV"):
        services.review_decide(actor=ward1_staff, review=review, level=G)
    services.review_decide(actor=ward1_staff, review=review, level=N)
    review.refresh_from_db()
    assert review.decided_level == N


def test_a_self_reported_and_corrected_fault_allows_good(tree, ward1_staff):
    member = tree.members.m1a[0]
    discipline(member, ward1_staff, self_reported=True, corrected=True)
    review = review_of(open_cycle(tree.cell1a, 2024), member)
    propose(review, G)
    services.review_decide(actor=ward1_staff, review=review, level=G)
    review.refresh_from_db()
    assert review.decided_level == G


def test_a_discipline_of_another_year_does_not_count(tree, ward1_staff):
    member = tree.members.m1a[0]
    discipline(member, ward1_staff, day=date(2023, 5, 1))
    review = review_of(open_cycle(tree.cell1a, 2024), member)
    propose(review, G)
    services.review_decide(actor=ward1_staff, review=review, level=G)


def test_the_excellent_cap_counts_the_whole_grassroots_organization(tree, ward1_staff):
    # ward1: 5 members. 1 excellent of 5 rated good or better is 20%: allowed.
    cycle = open_cycle(tree.ward1, 2024)
    members = tree.members.m1a + tree.members.m1b
    reviews = [review_of(cycle, m) for m in members]
    for r in reviews[1:]:
        propose(r, G)
    propose(reviews[0], E)
    services.review_decide(actor=ward1_staff, review=reviews[0], level=E)
    # a second excellent would be 2 of 5: over the cap
    with pytest.raises(ServiceError, match="tối đa 20%"):
        services.review_decide(actor=ward1_staff, review=reviews[1], level=E)


def test_a_return_keeps_the_undone_decision_and_its_reason(tree, ward1_staff):
    review = review_of(open_cycle(tree.cell1a, 2024), tree.members.m1a[0])
    propose(review, G)
    services.review_decide(actor=ward1_staff, review=review, level=G)
    with pytest.raises(ServiceError, match="lý do"):
        services.review_return(actor=ward1_staff, review=review, reason=" ")
    services.review_return(actor=ward1_staff, review=review, reason="Chưa đủ nhận xét nơi cư trú")
    review.refresh_from_db()
    assert review.decided_level == "" and review.proposed_level == ""
    assert review.returned_reason == "Chưa đủ nhận xét nơi cư trú"
    kinds = list(review.steps.values_list("kind", flat=True))
    assert kinds == ["self", "vote", "propose", "decide", "return"]
    assert review.steps.get(kind="return").data == {"proposed": G, "decided": G}


def test_a_decided_review_cannot_be_changed_until_returned(tree, ward1_staff):
    review = review_of(open_cycle(tree.cell1a, 2024), tree.members.m1a[0])
    propose(review, G)
    services.review_decide(actor=ward1_staff, review=review, level=G)
    with pytest.raises(ServiceError, match="trả lại"):
        services.review_propose(actor=None, review=review, level=C)


def test_publishing_marks_decided_reviews_and_then_locks_them(tree, ward1_staff, cell_secretary):
    cycle = open_cycle(tree.cell1a, 2024)
    review = review_of(cycle, tree.members.m1a[0])
    with pytest.raises(ServiceError, match="Chưa có kết quả"):
        services.review_publish(actor=ward1_staff, cycle=cycle)
    propose(review, G)
    services.review_decide(actor=ward1_staff, review=review, level=G)
    with pytest.raises(ServiceError):
        services.review_publish(actor=cell_secretary, cycle=cycle)
    assert services.review_publish(actor=ward1_staff, cycle=cycle) == 1
    review.refresh_from_db()
    assert review.published_at is not None
    with pytest.raises(ServiceError, match="đã công bố"):
        services.review_return(actor=ward1_staff, review=review, reason="Sửa")


def test_the_residence_comment_needs_a_residence_contact(tree, ward1_staff):
    member = tree.members.m1b[0]
    review = review_of(open_cycle(tree.cell1b, 2025), member)
    with pytest.raises(ServiceError, match="213-QĐ/TW"):
        services.review_record_comment(actor=None, review=review, text="Tốt", source="residence")
    member_services.residence_contact_start(
        actor=ward1_staff, member=member, unit=tree.cell1a, day=date(2025, 3, 1)
    )
    services.review_record_comment(actor=None, review=review, text="Gương mẫu", source="residence")
    review.refresh_from_db()
    assert review.residence_comment == "Gương mẫu"


def org_review(cycle, unit):
    return OrganizationReview.objects.select_related("cycle", "unit").get(cycle=cycle, unit=unit)


def rate_cell(cycle, members, levels, actor):
    for m, level in zip(members, levels, strict=True):
        r = review_of(cycle, m)
        propose(r, level)
        services.review_decide(actor=actor, review=r, level=level)


def test_a_cell_with_a_member_not_completed_cannot_be_rated_good(tree, ward1_staff):
    cycle = open_cycle(tree.cell1a, 2024)
    rate_cell(cycle, tree.members.m1a, [G, G, N], ward1_staff)
    review = org_review(cycle, tree.cell1a)
    services.organization_review_record_self(actor=None, review=review, text="Báo cáo kiểm điểm")
    services.organization_review_propose(actor=None, review=review, level=G)
    with pytest.raises(ServiceError, match="KHTNV"):
        services.organization_review_decide(actor=ward1_staff, review=review, level=G)
    services.organization_review_decide(actor=ward1_staff, review=review, level=C)
    review.refresh_from_db()
    assert review.decided_level == C


def test_a_cell_with_every_member_completed_and_half_good_is_rated_good(tree, ward1_staff):
    cycle = open_cycle(tree.cell1a, 2024)
    rate_cell(cycle, tree.members.m1a, [G, G, C], ward1_staff)
    review = org_review(cycle, tree.cell1a)
    services.organization_review_record_self(actor=None, review=review, text="Báo cáo")
    services.organization_review_propose(actor=None, review=review, level=G)
    services.organization_review_decide(actor=ward1_staff, review=review, level=G)
    review.refresh_from_db()
    assert review.decided_level == G


def test_a_cell_with_more_than_a_fifth_disciplined_must_be_not_completed(tree, ward1_staff):
    discipline(tree.members.m1a[0], ward1_staff, self_reported=True, corrected=True)
    cycle = open_cycle(tree.cell1a, 2024)  # 1 of 3 disciplined: over 20%
    rate_cell(cycle, tree.members.m1a, [G, G, C], ward1_staff)
    review = org_review(cycle, tree.cell1a)
    services.organization_review_record_self(actor=None, review=review, text="Báo cáo")
    services.organization_review_propose(actor=None, review=review, level=C)
    with pytest.raises(ServiceError, match="bị kỷ luật"):
        services.organization_review_decide(actor=ward1_staff, review=review, level=C)
    services.organization_review_decide(actor=ward1_staff, review=review, level=N)


def test_a_grassroots_cell_is_decided_by_the_committee_above_it(tree, ward1_staff):
    gcell = make_unit("Chi bộ cơ sở Trường", level=UnitLevel.GRASSROOTS_CELL, parent=tree.province)
    province_staff = UserFactory(username="province_staff")
    grant(province_staff, tree.province)
    gcell_staff = UserFactory(username="gcell_staff")
    grant(gcell_staff, gcell)
    member = make_member(gcell)
    review = review_of(open_cycle(gcell, 2024), member)
    propose(review, G)
    for refused in (ward1_staff, gcell_staff):
        with pytest.raises(ServiceError):
            services.review_decide(actor=refused, review=review, level=G)
    services.review_decide(actor=province_staff, review=review, level=G)
    assert MemberReview.objects.get(pk=review.pk).decided_level == G


def test_the_vote_cannot_exceed_the_officials_present_at_the_year_end_meeting(tree):
    from meetings.models import AttendanceStatus, MeetingKind
    from tests.meetings.factories import make_meeting, take_attendance

    absent = tree.members.m1a[2]
    meeting = make_meeting(tree.cell1a, kind=MeetingKind.YEAR_END, held_on=date(2024, 12, 20))
    take_attendance(meeting, {absent: (AttendanceStatus.EXCUSED, "Ốm")})
    review = review_of(open_cycle(tree.cell1a, 2024), tree.members.m1a[0])
    with pytest.raises(
        ServiceError, match=r"có mặt tại cuộc họp kiểm điểm cuối năm ngày 20/12/2024 \(2\)"
    ):
        services.review_record_vote(actor=None, review=review, present=3, good=3)
    assert snapshot(review)[2] is None
    services.review_record_vote(actor=None, review=review, present=2, good=2)
    assert review.steps.get(kind="vote").data["meeting"] == meeting.pk


def test_opening_a_cycle_reads_a_constant_number_of_queries(tree, django_assert_max_num_queries):
    for _ in range(12):
        make_member(tree.cell1b)
    with django_assert_max_num_queries(25):
        cycle = open_cycle(tree.ward1, 2025)
    assert cycle.member_reviews.count() == 17
