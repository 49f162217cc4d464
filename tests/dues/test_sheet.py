"""The monthly dues sheet: everyone paid the expected amount by default, the
exceptions tapped; refusals that change nothing; arrears over months of
membership only (Điều lệ Đảng, Điều 8)."""

from datetime import date

import pytest

from chibo.errors import ServiceError
from dues.choices import DuesCategory as C
from dues.selectors import arrears_in, dues_sheet
from dues.services import PAID_EXPECTED, Entry, basis_set, dues_collect
from meetings.models import DuesPayment
from members.models import Member
from members.services import member_admit, member_place
from tests.members.factories import make_candidate

pytestmark = pytest.mark.django_db

JUNE = date(2026, 6, 1)
LATER = date(2026, 7, 20)  # June is over


def unpaid(sheet) -> dict:
    return {line.member.pk: line.unpaid_months for line in sheet["lines"]}


def pay(unit, month, members, amount=10_000, actor=None):
    return dues_collect(
        actor=actor, unit=unit, month=month, entries={m.pk: Entry(amount) for m in members}
    )


def test_a_member_admitted_in_may_owes_no_dues_for_the_months_before(tree):
    helpers = tree.members.m1a[:2]
    candidate = make_candidate(tree.cell1a, helpers, proposed_on=date(2025, 1, 10))
    member_admit(
        actor=None, member=candidate, decided_on=date(2026, 5, 10), ceremony_on=date(2026, 5, 10)
    )
    sheet = dues_sheet(tree.cell1a, JUNE, today=LATER)
    # a candidate until 10/05: the first month owed is June
    assert unpaid(sheet)[candidate.pk] == [JUNE]
    assert candidate.pk not in {line.member.pk for line in sheet["unpaid_three"]}
    # an official member who paid nothing owes every month of the year so far
    assert unpaid(sheet)[helpers[0].pk] == [date(2026, m, 1) for m in range(1, 7)]
    # and a payment for April, before the admission, is refused
    with pytest.raises(ServiceError, match="không là đảng viên của"):
        pay(tree.cell1a, date(2026, 4, 1), [candidate])
    assert not DuesPayment.objects.exists()


def test_a_member_who_transferred_in_in_june_owes_this_cell_only_from_june(tree):
    newcomer = tree.members.m2a[0]
    member_place(actor=None, member=newcomer, unit=tree.cell1a, day=JUNE)
    sheet = dues_sheet(tree.cell1a, JUNE, today=LATER)
    assert unpaid(sheet)[newcomer.pk] == [JUNE]


def test_three_months_unpaid_running_or_not_are_flagged_with_the_months(tree, cell_secretary):
    a, b, c = tree.members.m1a
    newcomer = tree.members.m1b[0]
    member_place(actor=None, member=newcomer, unit=tree.cell1a, day=date(2026, 5, 1))
    for month in range(1, 7):
        payers = [b, c] + ([a] if month % 2 else [])
        pay(tree.cell1a, date(2026, month, 1), payers, actor=cell_secretary)
    sheet = dues_sheet(tree.cell1a, JUNE, today=LATER)
    flagged = {line.member: line.unpaid_months for line in sheet["unpaid_three"]}
    # the newcomer owes May and June only: two months, not yet a ground
    assert flagged == {a: [date(2026, 2, 1), date(2026, 4, 1), date(2026, 6, 1)]}
    # June is not owed before it is over: on 15/06 a has missed two months
    assert dues_sheet(tree.cell1a, JUNE, today=date(2026, 6, 15))["unpaid_three"] == []
    # the due list of the ward names the months
    rows = arrears_in(Member.objects.filter(unit__path__startswith=tree.ward1.path), LATER)
    assert {r["member"]: r["months"] for r in rows} == {
        a: [date(2026, 2, 1), date(2026, 4, 1), date(2026, 6, 1)],
        # the agency cell's other member paid nothing at all
        tree.members.m1b[1]: [date(2026, m, 1) for m in range(1, 7)],
    }


def test_exempt_months_are_not_arrears(tree):
    a = tree.members.m1a[0]
    basis_set(actor=None, member=a, category=C.SOCIAL_PENSION, base=None, since=date(2026, 1, 1))
    sheet = dues_sheet(tree.cell1a, JUNE, today=LATER)
    assert unpaid(sheet)[a.pk] == []
    line = next(li for li in sheet["lines"] if li.member == a)
    assert line.expected.exempt and line.expected.amount == 0


def test_paid_the_expected_amount_is_recorded_with_it_and_higher_is_voluntary(tree):
    a, b, c = tree.members.m1a
    for m in (a, b, c):
        basis_set(actor=None, member=m, category=C.INSURED, base=5_000_000, since=date(2025, 1, 1))
    counts = dues_collect(
        actor=None,
        unit=tree.cell1a,
        month=date(2026, 3, 1),
        entries={
            a.pk: Entry(PAID_EXPECTED),
            b.pk: Entry(80_000, channel="portal"),
            c.pk: Entry(None),
        },
    )
    assert counts == {"created": 2, "updated": 0, "removed": 0, "unchanged": 0}
    rows = {p.member_id: p for p in DuesPayment.objects.all()}
    assert (rows[a.pk].amount, rows[a.pk].expected, rows[a.pk].voluntary) == (50_000, 50_000, False)
    assert (rows[b.pk].amount, rows[b.pk].voluntary, rows[b.pk].channel) == (80_000, True, "portal")
    sheet = dues_sheet(tree.cell1a, date(2026, 3, 1), today=LATER)
    assert (sheet["expected_total"], sheet["total"], sheet["portal_total"]) == (
        150_000,
        130_000,
        80_000,
    )
    assert {li.member: li.difference for li in sheet["lines"]} == {a: 0, b: 30_000, c: None}
    # a correction keeps the earlier amount in the history
    dues_collect(
        actor=None, unit=tree.cell1a, month=date(2026, 3, 1), entries={b.pk: Entry(50_000)}
    )
    assert list(rows[b.pk].history.order_by("history_date").values_list("amount", flat=True)) == [
        80_000,
        50_000,
    ]


def test_absurd_negative_and_unknown_amounts_are_refused_and_nothing_is_written(tree):
    a, b, _c = tree.members.m1a
    basis_set(actor=None, member=a, category=C.INSURED, base=5_000_000, since=date(2025, 1, 1))
    month = date(2026, 3, 1)
    with pytest.raises(ServiceError, match="quá 10 lần mức phải đóng"):
        dues_collect(
            actor=None,
            unit=tree.cell1a,
            month=month,
            entries={b.pk: Entry(10_000), a.pk: Entry(500_001)},
        )
    with pytest.raises(ServiceError, match="không được âm"):
        dues_collect(actor=None, unit=tree.cell1a, month=month, entries={a.pk: Entry(-1)})
    with pytest.raises(ServiceError, match="Chưa biết mức đóng"):
        dues_collect(
            actor=None, unit=tree.cell1a, month=month, entries={b.pk: Entry(PAID_EXPECTED)}
        )
    with pytest.raises(ServiceError, match="không là đảng viên của"):
        dues_collect(
            actor=None, unit=tree.cell1a, month=month, entries={tree.members.m2a[0].pk: Entry(5000)}
        )
    assert not DuesPayment.objects.exists()


def test_the_page_saves_everyone_paid_but_the_tapped_exceptions(client, tree, cell_secretary):
    a, b, c = tree.members.m1a
    for m in (a, b, c):
        basis_set(actor=None, member=m, category=C.PENSION, base=6_000_000, since=date(2025, 1, 1))
    client.force_login(cell_secretary)
    url = f"/dang-phi/don-vi/{tree.cell1a.pk}/?month=03/2026"
    page = client.get(url).content.decode()
    # the expected amount is a label; no box carries a value that looks entered
    assert "Phải đóng 30.000 đ" in page
    assert 'placeholder="30' not in page and 'value="30.000"' not in page
    assert page.count('value="paid" checked') == 3
    response = client.post(
        url,
        {
            f"state_{a.pk}": "paid",
            f"state_{b.pk}": "unpaid",
            f"state_{c.pk}": "other",
            f"amount_{c.pk}": "50.000",
            f"portal_{c.pk}": "1",
        },
        follow=True,
    )
    assert "Đã lưu đảng phí tháng 03/2026" in response.content.decode()
    assert dict(DuesPayment.objects.values_list("member_id", "amount")) == {
        a.pk: 30_000,
        c.pk: 50_000,
    }
    # letters: a Vietnamese message, nothing changed, the taps kept
    response = client.post(url, {f"state_{a.pk}": "other", f"amount_{a.pk}": "ba mươi nghìn"})
    body = response.content.decode()
    assert "không phải là số tiền" in body and 'value="ba mươi nghìn"' in body
    assert DuesPayment.objects.get(member=a).amount == 30_000
    assert client.get(f"/dang-phi/don-vi/{tree.cell1a.pk}/?month=13/2026").status_code == 200


def test_others_cannot_see_or_write_a_cells_dues(client, tree, ward2_staff, board):
    url = f"/dang-phi/don-vi/{tree.cell1a.pk}/"
    client.force_login(ward2_staff)
    assert client.get(url).status_code == 404
    client.force_login(board)
    assert client.get(url).status_code == 200
    assert (
        client.post(
            url + "?month=03/2026", {f"state_{tree.members.m1a[0].pk}": "unpaid"}
        ).status_code
        == 403
    )
