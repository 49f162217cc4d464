"""Badges, cards and transfers (Biểu 7-BTCTW II–IV) from the Biểu 1 history:
badges by milestone and cards where the member's cell lay on the day,
transfers as "lượt", temporary ones included (unlike Biểu 1)."""

from datetime import date

import pytest

from members.choices import CardEvent
from members.services import badge_record, card_issue
from reports.catalogue import get_report
from reports.statforms.base import value_of
from tests.factories import make_member
from tests.reports.test_forms_movement import YEAR, world  # noqa: F401

pytestmark = pytest.mark.django_db


def test_badges_cards_and_transfers_of_the_ward(world):  # noqa: F811
    w2 = world["w2"]
    veteran = make_member(w2, admitted_on=date(1974, 5, 1), official_on=date(1975, 5, 1))
    badge_record(
        actor=None, member=veteran, years=50, decision_number="1-QĐ", day=date(2024, 5, 19)
    )
    badge_record(
        actor=None, member=veteran, years=45, decision_number="0-QĐ", day=date(2019, 5, 19)
    )
    card_issue(
        actor=None,
        member=veteran,
        number="77000001",
        event=CardEvent.REPLACED,
        day=date(2024, 6, 1),
    )
    t = get_report("badges_cards_transfers").run(world["w"], YEAR)
    assert t.form["number"] == "Biểu số 7-BTCTW"
    labels = {r[1]: r[2] for r in t.sections[0].rows}
    assert value_of(t, "II") == 1 and labels["- Huy hiệu 50 năm tuổi Đảng"] == 1
    assert labels["- Huy hiệu 45 năm tuổi Đảng"] == 0  # 2019, not this period
    assert value_of(t, "III") == 1 and value_of(t, "III.3") == 1
    # temporary: one W1 member to X1, one X1 member to W1; permanent: 2 in, 2 out
    assert [value_of(t, c) for c in ("IV.1", "IV.2", "IV.3", "IV.4")] == [1, 1, 2, 2]
    assert value_of(t, "IV") == 6
    assert all(c["ok"] for c in t.form["checks"])
    # the province: the temporary transfers and the W–X transfers stay inside
    p = get_report("badges_cards_transfers").run(world["p"], YEAR)
    assert [value_of(p, c) for c in ("IV.1", "IV.2", "IV.3", "IV.4")] == [0, 0, 1, 1]
