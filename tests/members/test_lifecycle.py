"""Each lifecycle step: what it writes to the histories, what it refuses."""

from datetime import date, timedelta

import pytest

from chibo.errors import ServiceError
from chibo.models import AuditEvent
from members import services
from members.choices import PlacementKind, Status, TransferScope
from members.models import Candidacy, Discipline, Member, Placement, StatusPeriod
from members.selectors import count_members_on, member_timeline, members_on
from tests.members.factories import candidate_profile, make_candidate, make_probationary

TODAY = date.today()


def statuses(member):
    return list(
        StatusPeriod.objects.filter(member=member)
        .order_by("valid_from")
        .values_list("status", "valid_from", "valid_to")
    )


def snapshot(member):
    """Everything a step could write about a member, to check that a refusal changed nothing."""
    m = Member.objects.get(pk=member.pk)
    return (
        (m.status, m.unit_id, m.is_exempt, m.admitted_on, m.official_on, m.card_number),
        list(StatusPeriod.objects.filter(member=m).values_list("status", "valid_from", "valid_to")),
        list(
            Placement.objects.filter(member=m).values_list("unit", "kind", "valid_from", "valid_to")
        ),
        list(m.exemptions.values_list("valid_from", "valid_to")),
        Discipline.objects.filter(member=m).count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def helpers(tree):
    return tree.members.m1a[:2]


def test_proposing_a_candidate_records_the_two_helpers(tree, helpers, ward1_staff):
    cand = services.member_propose_candidate(
        actor=ward1_staff,
        unit=tree.cell1a,
        proposed_on=date(2023, 1, 10),
        helpers=helpers,
        **candidate_profile(full_name="Trần Thị Mai"),
    )
    assert cand.status == Status.CANDIDATE
    candidacy = Candidacy.objects.get(member=cand)
    assert {candidacy.helper_1, candidacy.helper_2} == set(helpers)
    assert AuditEvent.objects.filter(action="member_propose_candidate", target_id=cand.pk).exists()
    assert "Đề nghị kết nạp" in [e.title for e in member_timeline(cand)]


def test_a_helper_must_be_an_official_member_of_the_cell(tree, helpers):
    other_cell_official = tree.members.m2a[0]
    before = Member.objects.count()
    with pytest.raises(ServiceError, match="không phải là đảng viên chính thức"):
        make_candidate(tree.cell1a, [helpers[0], other_cell_official])
    with pytest.raises(ServiceError, match="hai đảng viên chính thức khác nhau"):
        make_candidate(tree.cell1a, [helpers[0], helpers[0]])
    assert Member.objects.count() == before


def test_admission_makes_a_probationary_member_and_keeps_the_candidate_period(tree, helpers):
    cand = make_candidate(tree.cell1a, helpers, proposed_on=date(2023, 1, 10))
    services.member_admit(
        actor=None, member=cand, decided_on=date(2024, 3, 1), ceremony_on=date(2024, 3, 15)
    )
    cand.refresh_from_db()
    assert cand.status == Status.PROBATIONARY
    assert (cand.admitted_on, cand.probation_from) == (date(2024, 3, 1), date(2024, 3, 15))
    assert statuses(cand) == [
        (Status.CANDIDATE, date(2023, 1, 10), date(2024, 3, 1)),
        (Status.PROBATIONARY, date(2024, 3, 1), None),
    ]
    assert Candidacy.objects.get(member=cand).outcome == Candidacy.Outcome.ADMITTED


def test_admission_needs_two_thirds_of_the_official_members(tree, helpers):
    cand = make_candidate(tree.cell1a, helpers, proposed_on=date(2023, 1, 10))
    before = snapshot(cand)
    with pytest.raises(ServiceError, match="chưa đủ hai phần ba"):
        services.member_admit(
            actor=None,
            member=cand,
            decided_on=date(2024, 3, 1),
            ceremony_on=date(2024, 3, 15),
            votes_for=5,
            officials=9,
        )
    assert snapshot(cand) == before
    services.member_admit(
        actor=None,
        member=cand,
        decided_on=date(2024, 3, 1),
        ceremony_on=date(2024, 3, 15),
        votes_for=6,
        officials=9,
    )
    cand.refresh_from_db()
    assert cand.status == Status.PROBATIONARY
    assert "6/9" in cand.status_periods.get(status=Status.PROBATIONARY).note


@pytest.mark.parametrize(
    "decided, ceremony, message",
    [
        (date(2024, 3, 1), date(2024, 2, 1), "Lễ kết nạp"),
        (date(2022, 12, 1), date(2022, 12, 2), "phải sau ngày bắt đầu"),
        (TODAY + timedelta(days=3), TODAY + timedelta(days=4), "không được sau ngày hôm nay"),
    ],
)
def test_admission_with_impossible_dates_is_refused(tree, helpers, decided, ceremony, message):
    cand = make_candidate(tree.cell1a, helpers, proposed_on=date(2023, 1, 10))
    before = snapshot(cand)
    with pytest.raises(ServiceError, match=message):
        services.member_admit(actor=None, member=cand, decided_on=decided, ceremony_on=ceremony)
    assert snapshot(cand) == before


def test_a_minor_cannot_be_admitted(tree, helpers):
    cand = make_candidate(tree.cell1a, helpers, birth_date=date(2007, 1, 1))
    with pytest.raises(ServiceError, match="18 tuổi"):
        services.member_admit(
            actor=None, member=cand, decided_on=date(2024, 3, 1), ceremony_on=date(2024, 3, 2)
        )


def test_recognition_only_after_twelve_months_and_two_thirds_of_the_vote(tree, helpers):
    member = make_probationary(tree.cell1a, helpers, ceremony_on=date(2024, 3, 15))
    before = snapshot(member)
    with pytest.raises(ServiceError, match="Chưa đủ 12 tháng dự bị.*15/03/2025"):
        services.member_recognize_official(
            actor=None, member=member, day=date(2025, 3, 14), votes_for=9, officials=9
        )
    with pytest.raises(ServiceError, match="chưa đủ hai phần ba"):
        services.member_recognize_official(
            actor=None, member=member, day=date(2025, 3, 20), votes_for=5, officials=9
        )
    assert snapshot(member) == before

    services.member_recognize_official(
        actor=None,
        member=member,
        day=date(2025, 3, 20),
        votes_for=6,
        officials=9,
        card_number="77000001",
    )
    member.refresh_from_db()
    assert member.status == Status.OFFICIAL
    assert (member.official_on, member.card_number) == (date(2025, 3, 20), "77000001")
    assert [s for s, _f, _t in statuses(member)] == [
        Status.CANDIDATE,
        Status.PROBATIONARY,
        Status.OFFICIAL,
    ]
    assert "6/9" in StatusPeriod.objects.get(member=member, status=Status.OFFICIAL).note


def test_a_card_number_already_used_is_refused(tree, helpers):
    member = make_probationary(tree.cell1a, helpers)
    taken = tree.members.m2a[0].card_number
    before = snapshot(member)
    with pytest.raises(ServiceError, match=f"Số thẻ đảng viên {taken} đã được dùng"):
        services.member_recognize_official(
            actor=None,
            member=member,
            day=date(2025, 3, 20),
            votes_for=9,
            officials=9,
            card_number=taken,
        )
    assert snapshot(member) == before


def test_a_national_id_already_used_is_refused(tree, helpers):
    taken = tree.members.m2a[0].national_id
    before = Member.objects.count()
    with pytest.raises(ServiceError, match=f"Số CCCD {taken} đã được dùng"):
        make_candidate(tree.cell1a, helpers, national_id=taken)
    assert Member.objects.count() == before


def test_a_candidate_not_admitted_leaves_the_cell(tree, helpers):
    cand = make_candidate(tree.cell1a, helpers)
    services.member_reject(
        actor=None, member=cand, day=date(2024, 1, 5), reason="Chưa đủ tiêu chuẩn"
    )
    cand.refresh_from_db()
    assert cand.status == Status.NOT_ADMITTED
    assert Candidacy.objects.get(member=cand).outcome == Candidacy.Outcome.NOT_ADMITTED
    assert not cand.placements.filter(valid_to__isnull=True).exists()


def test_a_probationary_member_not_recognised_is_removed(tree, helpers):
    member = make_probationary(tree.cell1a, helpers)
    services.member_reject(actor=None, member=member, day=date(2025, 4, 1))
    member.refresh_from_db()
    assert member.status == Status.REMOVED
    assert "Không công nhận" in StatusPeriod.objects.get(member=member, valid_to=None).note


def test_a_permanent_transfer_keeps_the_old_cell_in_the_history(tree, ward1_staff):
    mover = tree.members.m1a[0]
    services.member_transfer_permanent(
        actor=ward1_staff, member=mover, unit=tree.cell1b, day=date(2024, 6, 1)
    )
    mover.refresh_from_db()
    assert mover.unit == tree.cell1b
    assert mover in {r.member for r in members_on(tree.cell1a, date(2024, 5, 31))}
    assert mover in {r.member for r in members_on(tree.cell1b, date(2024, 6, 1))}
    assert list(mover.placements.values_list("unit", "valid_to")) == [
        (tree.cell1a.pk, date(2024, 6, 1)),
        (tree.cell1b.pk, None),
    ]


def test_a_transfer_before_the_current_placement_began_is_refused(tree, ward1_staff):
    mover = tree.members.m1a[0]  # placed on 01/01/2010
    before = snapshot(mover)
    with pytest.raises(ServiceError, match="phải sau ngày bắt đầu sinh hoạt"):
        services.member_transfer_permanent(
            actor=ward1_staff, member=mover, unit=tree.cell1b, day=date(2009, 6, 1)
        )
    assert snapshot(mover) == before


def test_staff_cannot_transfer_into_or_act_on_cells_outside_their_reach(tree, ward1_staff):
    mine, theirs = tree.members.m1a[0], tree.members.m2a[0]
    before = snapshot(mine), snapshot(theirs)
    with pytest.raises(ServiceError, match="không có quyền"):
        services.member_transfer_permanent(
            actor=ward1_staff, member=mine, unit=tree.cell2a, day=date(2024, 6, 1)
        )
    with pytest.raises(ServiceError, match="không có quyền"):
        services.member_record_death(actor=ward1_staff, member=theirs, day=date(2024, 6, 1))
    with pytest.raises(ServiceError, match="không có quyền"):
        services.member_update(actor=ward1_staff, member=theirs, phone="0900000000")
    assert (snapshot(mine), snapshot(theirs)) == before


def test_transfer_out_of_the_system_ends_membership_but_keeps_the_dossier(tree):
    leaver = tree.members.m1a[0]
    services.member_transfer_out(
        actor=None,
        member=leaver,
        day=date(2024, 6, 1),
        destination="Đảng bộ tỉnh Bình Phước",
        destination_kind=TransferScope.OTHER_PROVINCE,
    )
    leaver.refresh_from_db()
    assert leaver.status == Status.TRANSFERRED_OUT
    assert leaver.unit == tree.cell1a  # the office that kept the dossier still finds it
    assert count_members_on(tree.cell1a, date(2024, 6, 1)) == 2
    assert count_members_on(tree.cell1a, date(2024, 5, 31)) == 3


def test_a_temporary_member_counts_at_home_not_at_the_host_and_returns(tree):
    visitor = tree.members.m1a[0]
    services.member_transfer_temporary(
        actor=None, member=visitor, host=tree.cell2a, day=date(2024, 2, 1), reason="Đi học"
    )
    assert count_members_on(tree.cell2a, date(2024, 3, 1)) == 4
    assert count_members_on(tree.cell1a, date(2024, 3, 1)) == 3
    home = {r.member: r for r in members_on(tree.cell1a, date(2024, 3, 1))}
    assert home[visitor].away.unit == tree.cell2a
    with pytest.raises(ServiceError, match="đang sinh hoạt tạm thời"):
        services.member_transfer_temporary(
            actor=None, member=visitor, host=tree.cell1b, day=date(2024, 3, 1)
        )
    services.member_return_temporary(actor=None, member=visitor, day=date(2024, 8, 1))
    temp = visitor.placements.get(kind=PlacementKind.TEMPORARY)
    assert temp.valid_to == date(2024, 8, 1)
    assert home[visitor].away is not None
    assert {r.member: r for r in members_on(tree.cell1a, date(2024, 8, 1))}[visitor].away is None


@pytest.mark.parametrize(
    "until", [date(2024, 3, 1), date(2024, 4, 30), date(2026, 2, 2), date(2030, 1, 1)]
)
def test_a_temporary_transfer_planned_under_three_months_or_over_two_years_is_refused(tree, until):
    visitor = tree.members.m1a[0]
    with pytest.raises(ServiceError, match="từ 3 tháng"):
        services.member_transfer_temporary(
            actor=None, member=visitor, host=tree.cell2a, day=date(2024, 2, 1), until=until
        )
    assert not visitor.placements.filter(kind=PlacementKind.TEMPORARY).exists()


def test_a_temporary_transfer_of_three_months_to_two_years_is_accepted(tree):
    for member, until in zip(
        tree.members.m1a[:2], (date(2024, 5, 1), date(2026, 2, 1)), strict=True
    ):
        services.member_transfer_temporary(
            actor=None, member=member, host=tree.cell2a, day=date(2024, 2, 1), until=until
        )
        assert member.placements.get(kind=PlacementKind.TEMPORARY).valid_to == until


def test_exemption_for_age_follows_the_rule_and_the_cache(tree):
    young = tree.members.m1a[0]  # born 1970: not over 60
    with pytest.raises(ServiceError, match="chưa đủ tuổi"):
        services.member_exempt(actor=None, member=young, day=date(2024, 1, 1), reason="age")
    services.member_exempt(actor=None, member=young, day=date(2024, 1, 1), reason="health")
    young.refresh_from_db()
    assert young.is_exempt
    with pytest.raises(ServiceError, match="đang được miễn"):
        services.member_exempt(actor=None, member=young, day=date(2024, 2, 1), reason="health")
    services.member_end_exemption(actor=None, member=young, day=date(2024, 9, 1))
    young.refresh_from_db()
    assert not young.is_exempt
    assert list(young.exemptions.values_list("valid_from", "valid_to")) == [
        (date(2024, 1, 1), date(2024, 9, 1))
    ]


def test_removal_names_its_ground(tree):
    m = tree.members.m1a[0]
    services.member_remove(actor=None, member=m, day=date(2024, 5, 1), ground="missed_meetings")
    m.refresh_from_db()
    assert m.status == Status.REMOVED
    assert "3 tháng" in StatusPeriod.objects.get(member=m, valid_to=None).note
    with pytest.raises(ServiceError, match="không phải đảng viên đang sinh hoạt"):
        services.member_remove(actor=None, member=m, day=date(2024, 6, 1), ground="other")


def test_discipline_keeps_the_self_reported_flag_and_expulsion_ends_membership(tree):
    a, b = tree.members.m1a[0], tree.members.m1a[1]
    warned = services.member_discipline(
        actor=None,
        member=a,
        form="warning",
        day=date(2024, 4, 1),
        fault="Vi phạm quy định",
        self_reported=True,
        corrected=True,
    )
    assert not warned.counts_against_rating
    a.refresh_from_db()
    assert a.status == Status.OFFICIAL
    services.member_expel(actor=None, member=b, day=date(2024, 4, 1), fault="Tham nhũng")
    b.refresh_from_db()
    assert b.status == Status.EXPELLED
    assert Discipline.objects.get(member=b).form == "expulsion"
    assert b.placements.filter(valid_to__isnull=True).count() == 0


def test_a_death_in_the_future_or_before_birth_is_refused(tree):
    m = tree.members.m1a[0]
    before = snapshot(m)
    with pytest.raises(ServiceError, match="không được sau ngày hôm nay"):
        services.member_record_death(actor=None, member=m, day=TODAY + timedelta(days=1))
    with pytest.raises(ServiceError, match="trước ngày sinh"):
        services.member_record_death(actor=None, member=m, day=date(1969, 1, 1))
    with pytest.raises(ServiceError, match="phải sau ngày bắt đầu"):
        services.member_record_death(actor=None, member=m, day=date(2009, 1, 1))
    assert snapshot(m) == before
    services.member_record_death(actor=None, member=m, day=date(2024, 1, 1))
    m.refresh_from_db()
    assert m.status == Status.DECEASED


def test_the_timeline_tells_the_whole_story_in_order(tree, helpers):
    m = make_probationary(tree.cell1a, helpers)
    services.member_transfer_permanent(actor=None, member=m, unit=tree.cell1b, day=date(2024, 6, 1))
    titles = [e.title for e in member_timeline(m)]
    assert titles[0] == "Đề nghị kết nạp"
    assert "Đảng viên dự bị" in titles
    assert titles[-1] == "Sinh hoạt tại Chi bộ cơ quan phường"
