"""Each rule set's thresholds and caps, on either side of every limit."""

import pytest

from reviews import rules
from reviews.rules import DisciplineFact, Level

R132, R124, R366 = (rules.rule_set(c) for c in ("132", "124", "366"))
E, G, C, N = Level.EXCELLENT, Level.GOOD, Level.COMPLETED, Level.NOT_COMPLETED


@pytest.mark.parametrize(
    ("year", "code"),
    [(2018, "132"), (2022, "132"), (2023, "124"), (2024, "124"), (2025, "366"), (2031, "366")],
)
def test_a_year_is_rated_under_the_regulation_of_that_year(year, code):
    assert rules.rule_set_for_year(year).code == code


def test_years_before_2018_have_no_rule_set():
    assert rules.rule_set_for_year(2017) is None


@pytest.mark.parametrize(
    ("score", "level"), [(100, E), (90, E), (89, G), (70, G), (69, C), (50, C), (49, N), (0, N)]
)
def test_the_366_score_falls_in_its_band(score, level):
    assert rules.score_level(R366, score) == level


@pytest.mark.parametrize(
    ("level", "score", "ok"),
    [(E, 90, True), (E, 89, False), (G, 70, True), (G, 69, False), (C, 50, True), (C, 49, False)],
)
def test_a_level_above_the_score_band_breaks_the_366_rule(level, score, ok):
    check = rules.check_score_band(R366, level, score)
    assert check.ok is ok
    assert "366-QĐ/TW" in check.regulation
    assert f"{score}/100" in check.message


def test_a_level_below_the_score_band_is_allowed():
    assert rules.check_score_band(R366, C, 95).ok


def test_under_366_a_level_without_a_score_is_flagged():
    assert rules.check_score_band(R366, G, None).ok is False


@pytest.mark.parametrize("rs", [R132, R124])
def test_earlier_rule_sets_have_no_score(rs):
    assert rules.check_score_band(rs, E, None) is None


@pytest.mark.parametrize("rs", [R132, R124, R366])
@pytest.mark.parametrize(
    ("excellent", "good", "ok"),
    [(1, 4, True), (2, 8, True), (2, 7, False), (1, 3, False), (3, 12, True), (4, 12, False)],
)
def test_excellent_is_capped_at_a_fifth_of_those_rated_good(rs, excellent, good, ok):
    # 1 of 5 and 2 of 10 are exactly 20%; 2 of 9 and 1 of 4 are above.
    levels = [E] * excellent + [G] * good + [C, N]
    check = rules.check_excellent_cap(rs, levels, "Đảng bộ phường Một")
    assert check.ok is ok
    assert "Đảng bộ phường Một" in check.message


def test_the_cap_is_configurable_per_rule_set():
    from dataclasses import replace

    uncapped = replace(R124, excellent_cap=None)
    assert rules.check_excellent_cap(uncapped, [E, E], "") is None


def not_self_reported():
    return [DisciplineFact(form="reprimand", self_reported=False, corrected=False)]


@pytest.mark.parametrize("rs", [R132, R124, R366])
def test_a_disciplined_member_must_be_rated_not_completed(rs):
    assert rules.check_disciplined_member(rs, G, not_self_reported()).ok is False
    assert rules.check_disciplined_member(rs, C, not_self_reported()).ok is False
    assert rules.check_disciplined_member(rs, N, not_self_reported()).ok is True


@pytest.mark.parametrize("rs", [R132, R124, R366])
def test_a_self_reported_and_corrected_fault_does_not_force_not_completed(rs):
    facts = [DisciplineFact(form="reprimand", self_reported=True, corrected=True)]
    assert rules.check_disciplined_member(rs, G, facts).ok is True


def test_a_self_reported_fault_not_corrected_still_forces_not_completed():
    facts = [DisciplineFact(form="reprimand", self_reported=True, corrected=False)]
    assert rules.check_disciplined_member(R124, G, facts).ok is False


def test_366_excellent_needs_an_outstanding_result_and_a_clean_record():
    assert rules.check_excellent_conditions(R366, E, [], True).ok is True
    assert rules.check_excellent_conditions(R366, E, [], False).ok is False
    corrected = [DisciplineFact(form="reprimand", self_reported=True, corrected=True)]
    assert rules.check_excellent_conditions(R366, E, corrected, True).ok is False


def test_124_has_no_extra_conditions_for_excellent():
    assert rules.check_excellent_conditions(R124, E, [], False) is None


@pytest.mark.parametrize(
    ("levels", "ok"),
    [
        ([G, G, C, C], True),  # exactly half good
        ([E, G, C, C, C], False),  # under half
        ([E, C], True),
        ([G, G, G, N], False),  # a member not completed
    ],
)
def test_a_good_cell_needs_every_member_completed_and_half_good(levels, ok):
    assert rules.check_organization_good(R124, G, levels).ok is ok
    assert rules.check_organization_good(R366, E, levels).ok is ok


def test_the_good_cell_condition_does_not_bind_a_completed_cell():
    assert rules.check_organization_good(R124, C, [N, C]) is None


@pytest.mark.parametrize(
    ("disciplined", "members", "ok"), [(1, 5, True), (2, 10, True), (2, 9, False), (3, 10, False)]
)
def test_more_than_a_fifth_disciplined_makes_the_cell_not_completed(disciplined, members, ok):
    assert rules.check_organization_disciplined(R132, G, disciplined, members).ok is ok
    assert rules.check_organization_disciplined(R132, N, disciplined, members).ok is True


def test_every_level_of_each_rule_set_is_known_and_others_are_not():
    for rs in (R132, R124, R366):
        assert all(rules.level_allowed(rs, level) for level in (E, G, C, N))
        assert not rules.level_allowed(rs, "outstanding")
