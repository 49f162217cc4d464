from datetime import date

from members import rules


def test_probation_ends_twelve_months_after_the_ceremony():
    assert rules.probation_ends_on(date(2024, 3, 15)) == date(2025, 3, 15)
    assert rules.probation_ends_on(date(2024, 2, 29)) == date(2025, 2, 28)
    assert not rules.may_be_recognized_on(date(2024, 3, 15), date(2025, 3, 14))
    assert rules.may_be_recognized_on(date(2024, 3, 15), date(2025, 3, 15))


def test_badges_at_30_40_45_and_every_five_years_to_90():
    due = [y for y in range(20, 100) if rules.badge_due_in(date(1950, 6, 1), 1950 + y)]
    assert due == [30, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90]
    assert rules.badge_due_in(None, 2024) is None


def test_exemption_age_is_over_60_for_men_and_over_55_for_women():
    day = date(2024, 6, 1)
    assert rules.qualifies_for_exemption_by_age("M", date(1963, 6, 1), day)  # 61 that day
    assert not rules.qualifies_for_exemption_by_age("M", date(1963, 6, 2), day)  # still 60
    assert not rules.qualifies_for_exemption_by_age("M", date(1964, 1, 1), day)  # 60
    assert rules.qualifies_for_exemption_by_age("F", date(1968, 1, 1), day)  # 56
    assert not rules.qualifies_for_exemption_by_age("F", date(1969, 1, 1), day)  # 55
    assert rules.exemption_latest_birth("F", day) == date(1968, 6, 1)


def test_two_thirds_of_the_official_members():
    assert rules.two_thirds_reached(6, 9)
    assert not rules.two_thirds_reached(5, 9)
    assert not rules.two_thirds_reached(0, 0)


def test_self_reported_and_corrected_discipline_does_not_count_against_the_rating():
    assert not rules.discipline_counts_against_rating(self_reported=True, corrected=True)
    assert rules.discipline_counts_against_rating(self_reported=True, corrected=False)
    assert rules.discipline_counts_against_rating(self_reported=False, corrected=True)
