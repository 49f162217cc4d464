from datetime import date

import pytest

from meetings import rules
from meetings.models import MeetingKind
from meetings.rules import VoteKind, Voter
from organizations.models import Category


def official(name="A", **kw):
    return Voter(name=name, official=True, present=kw.pop("present", True), **kw)


def test_the_minimum_length_applies_from_2025_and_is_longer_for_combined_meetings():
    assert rules.minimum_minutes(MeetingKind.REGULAR, date(2024, 12, 31)) is None
    assert rules.minimum_minutes(MeetingKind.REGULAR, date(2025, 1, 1)) == 90
    assert rules.minimum_minutes(MeetingKind.THEMATIC, date(2026, 5, 1)) == 90
    assert rules.minimum_minutes(MeetingKind.COMBINED, date(2026, 5, 1)) == 120
    assert rules.minimum_minutes(MeetingKind.EXTRAORDINARY, date(2026, 5, 1)) is None
    assert rules.rules_on(date(2026, 5, 1)).regulation == "Hướng dẫn 42-HD/BTCTW"
    assert rules.rules_on(date(2019, 5, 1)).regulation == "Hướng dẫn 12-HD/BTCTW"


@pytest.mark.parametrize(
    ("category", "present", "summoned", "below"),
    [
        (Category.RESIDENTIAL, 17, 20, False),  # 85% exactly meets the residential target
        (Category.RESIDENTIAL, 16, 20, True),
        (Category.VILLAGE, 17, 20, False),
        (Category.AGENCY, 19, 20, False),  # 95% meets the others' target
        (Category.AGENCY, 18, 20, True),  # 90% is enough in a residential cell, not here
        (Category.SCHOOL, 18, 20, True),
    ],
)
def test_attendance_target_depends_on_the_cell_category(category, present, summoned, below):
    assert rules.attendance_below_target(category, present, summoned) is below


def test_each_excluded_kind_of_member_is_left_out_of_the_denominator_with_its_reason():
    voters = [
        official("present"),
        official("absent without reason", present=False),
        official("away", present=False, away=True),
        official("exempt and absent", present=False, exempt=True),
        official("exempt but present", present=True, exempt=True),
        official("suspended", present=True, restricted=True),
        official("excused", present=False, excused=True),
        Voter(name="probationary", official=False, present=True),
    ]
    counted, left_out = rules.vote_denominator(voters)
    assert [v.name for v in counted] == [
        "present",
        "absent without reason",
        "exempt but present",
    ]
    reasons = {v.name: why for v, why in left_out}
    assert reasons == {
        "away": "đang sinh hoạt tạm thời nơi khác",
        "exempt and absent": "được miễn sinh hoạt và vắng mặt",
        "suspended": "bị đình chỉ sinh hoạt, khởi tố, truy tố hoặc tạm giam",
        "excused": "vắng mặt có lý do được chấp thuận",
        "probationary": "đảng viên dự bị, không biểu quyết",
    }


@pytest.mark.parametrize(
    ("denominator", "yes", "passes"),
    [(10, 5, False), (10, 6, True), (7, 3, False), (7, 4, True), (1, 1, True), (0, 0, False)],
)
def test_an_ordinary_decision_needs_more_than_half(denominator, yes, passes):
    assert rules.vote_passes(VoteKind.ORDINARY, yes, denominator) is passes


@pytest.mark.parametrize(
    ("denominator", "yes", "passes"),
    [(9, 5, False), (9, 6, True), (10, 6, False), (10, 7, True), (3, 2, True), (4, 2, False)],
)
def test_admission_and_recognition_need_at_least_two_thirds(denominator, yes, passes):
    assert rules.vote_passes(VoteKind.ADMISSION, yes, denominator) is passes
    assert rules.vote_passes(VoteKind.RECOGNITION, yes, denominator) is passes


def test_votes_needed_is_the_smallest_winning_number():
    assert rules.votes_needed(VoteKind.ORDINARY, 6) == 4
    assert rules.votes_needed(VoteKind.ORDINARY, 7) == 4
    assert rules.votes_needed(VoteKind.ADMISSION, 6) == 4
    assert rules.votes_needed(VoteKind.ADMISSION, 7) == 5
