"""Members on leave from meetings may pay late or ahead for that period
(01-QĐ/TW): several months at once, recorded against the months covered
(never arrears), shown with the month paid in the dues book, and counted in
the remittance of the month the cell received the money."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from chibo.audit import AuditEvent
from chibo.errors import ServiceError
from dues.choices import DuesCategory as C
from dues.selectors import arrears_in, dues_book, dues_sheet, remittance
from dues.services import Entry, basis_set, dues_collect, dues_collect_months
from meetings.models import DuesPayment
from members.models import Exemption, Member
from members.services import member_exempt, member_transfer_temporary
from tests.document_text import pdf_pages

pytestmark = pytest.mark.django_db

FEB, MAR, APR, MAY = (date(2026, k, 1) for k in (2, 3, 4, 5))
SEP, OCT, NOV = (date(2026, k, 1) for k in (9, 10, 11))
LATER = date(2026, 7, 20)


@pytest.fixture
def away(tree):
    """a (1% of 5,000,000 = 50,000 a month) works at another cell from
    01/02/2026 to 01/05/2026; b and c pay at every meeting."""
    a, b, c = tree.members.m1a
    for m in (a, b, c):
        basis_set(actor=None, member=m, category=C.INSURED, base=5_000_000, since=date(2025, 1, 1))
    member_transfer_temporary(actor=None, member=a, host=tree.cell2a, day=FEB, until=MAY)
    for k in range(1, 7):
        entries = {b.pk: Entry(50_000), c.pk: Entry(50_000)}
        if k == 1:
            entries[a.pk] = Entry(50_000)
        dues_collect(actor=None, unit=tree.cell1a, month=date(2026, k, 1), entries=entries)
    return tree


def test_a_member_back_from_leave_pays_the_months_missed_in_may(away, cell_secretary):
    tree = away
    a = tree.members.m1a[0]
    before = arrears_in(Member.objects.filter(unit=tree.cell1a), LATER)
    assert {r["member"]: r["months"] for r in before} == {a: [FEB, MAR, APR, MAY, date(2026, 6, 1)]}
    rows = dues_collect_months(
        actor=cell_secretary,
        unit=tree.cell1a,
        member=a,
        first_month=FEB,
        last_month=MAY,
        received_in=MAY,
    )
    assert [(p.month, p.amount, p.received_in) for p in rows] == [
        (FEB, 50_000, MAY),
        (MAR, 50_000, MAY),
        (APR, 50_000, MAY),
        (MAY, 50_000, None),  # the month it was paid in is an ordinary payment
    ]
    # those months are paid: only June is left unpaid, no longer a ground
    assert arrears_in(Member.objects.filter(unit=tree.cell1a), LATER) == []
    sheet = dues_sheet(tree.cell1a, MAR, today=LATER)
    line = next(li for li in sheet["lines"] if li.member == a)
    assert line.paid == 50_000 and line.payment.received_in == MAY
    event = AuditEvent.objects.get(action="dues_collect_months")
    assert event.actor == cell_secretary and "Đóng bù" in event.summary


def test_the_remittance_counts_it_in_the_month_received_and_the_book_shows_when(
    away, client, ward1_staff
):
    tree = away
    a = tree.members.m1a[0]
    dues_collect_months(
        actor=None, unit=tree.cell1a, member=a, first_month=FEB, last_month=MAY, received_in=MAY
    )
    line = {li.unit: li for li in remittance(tree.ward1, MAR)["lines"]}[tree.cell1a]
    assert line.collected == 100_000 and line.paid_count == 2  # b and c only
    line = {li.unit: li for li in remittance(tree.ward1, MAY)["lines"]}[tree.cell1a]
    assert line.collected == 6 * 50_000 and line.paid_count == 6  # b, c, and a's four months

    book = dues_book(tree.cell1a, 2026)
    a_line = next(li for li in book["lines"] if li["member"] == a)
    assert [c["paid"] for c in a_line["cells"][:6]] == [50_000] * 5 + [None]
    assert [c["received_in"] for c in a_line["cells"][1:4]] == [MAY] * 3
    # the book's month totals are what the cell received, as its list sends up
    assert book["month_totals"][:6] == [150_000, 100_000, 100_000, 100_000, 300_000, 100_000]
    assert [(x.months, x.received_in, x.total) for x in book["advances"]] == [
        ([FEB, MAR, APR], MAY, 150_000)
    ]

    client.force_login(ward1_staff)
    url = f"/dang-phi/don-vi/{tree.cell1a.pk}/so/?year=2026"
    page = client.get(url).content.decode()
    assert "đóng bù 02/2026, 03/2026, 04/2026" in page
    text = " ".join(pdf_pages(client.get(url + "&format=pdf").content))
    assert "50.000†" in text and "300.000" in text
    assert f"{a.full_name}: đóng bù các tháng 02/2026, 03/2026, 04/2026, thu tháng 05/2026" in text
    sheet = load_workbook(io.BytesIO(client.get(url + "&format=xlsx").content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    by_name = {row[1]: row for row in rows if row and row[1]}
    assert by_name[a.full_name][2:8] == [50_000] * 5 + [None]
    assert by_name["Cộng"][2:8] == [150_000, 100_000, 100_000, 100_000, 300_000, 100_000]
    assert any(str(row[1]).startswith(f"{a.full_name}: đóng bù") for row in rows if row[1])


def test_a_member_exempt_from_meetings_pays_ahead_counted_in_the_month_received(tree):
    b = tree.members.m1a[1]
    basis_set(actor=None, member=b, category=C.PENSION, base=6_000_000, since=date(2025, 1, 1))
    member_exempt(actor=None, member=b, day=date(2026, 8, 20), reason=Exemption.Reason.HEALTH)
    dues_collect_months(
        actor=None, unit=tree.cell1a, member=b, first_month=SEP, last_month=NOV, received_in=SEP
    )
    # 0.5% of the pension each month, recorded against each month
    assert list(DuesPayment.objects.values_list("month", "amount", "received_in")) == [
        (SEP, 30_000, None),
        (OCT, 30_000, SEP),
        (NOV, 30_000, SEP),
    ]
    assert remittance(tree.ward1, SEP)["total_collected"] == 90_000
    assert remittance(tree.ward1, OCT)["total_collected"] == 0
    book = dues_book(tree.cell1a, 2026)
    assert book["advances"][0].ahead and book["month_totals"][8:11] == [90_000, 0, 0]


def test_paying_ahead_is_refused_for_a_member_not_on_leave_and_nothing_is_written(away):
    tree = away
    a, b, _c = tree.members.m1a
    with pytest.raises(ServiceError, match="không nghỉ sinh hoạt trong tháng 08/2026"):
        dues_collect_months(
            actor=None,
            unit=tree.cell1a,
            member=b,
            first_month=date(2026, 7, 1),
            last_month=date(2026, 9, 1),
            received_in=date(2026, 7, 1),
        )
    count = DuesPayment.objects.count()
    for kwargs, message in [
        # a month already paid (January, at the meeting)
        (
            {"first_month": date(2026, 1, 1), "last_month": MAR},
            "đã đóng đảng phí các tháng 01/2026",
        ),
        # more than twelve months
        ({"first_month": FEB, "last_month": date(2027, 3, 1)}, "tối đa 12 tháng"),
        # ten times the expected amount
        ({"first_month": FEB, "last_month": MAR, "amount": 600_000}, "quá 10 lần"),
        # a month before the cell existed for the member: before 2010 placement
        ({"first_month": date(2009, 11, 1), "last_month": date(2009, 12, 1)}, "không là đảng viên"),
    ]:
        with pytest.raises(ServiceError, match=message):
            dues_collect_months(
                actor=None, unit=tree.cell1a, member=a, received_in=MAY, **{**kwargs}
            )
    assert DuesPayment.objects.count() == count
    assert not AuditEvent.objects.filter(action="dues_collect_months").exists()


def test_the_phone_sheet_says_paid_late_for_several_months(away, client, cell_secretary):
    tree = away
    a, b, c = tree.members.m1a
    client.force_login(cell_secretary)
    url = f"/dang-phi/don-vi/{tree.cell1a.pk}/?month=05/2026"
    page = client.get(url).content.decode()
    # only the member who was on leave gets the box
    assert page.count("Đóng trước / đóng bù nhiều tháng") == 1
    assert f'name="months_from_{a.pk}"' in page
    DuesPayment.objects.filter(month=MAY).delete()
    form = {
        "_seen": "",
        f"state_{a.pk}": "unpaid",
        f"months_from_{a.pk}": "02/2026",
        f"months_to_{a.pk}": "05/2026",
        f"state_{b.pk}": "paid",
        f"state_{c.pk}": "unpaid",
    }
    response = client.post(url, form, follow=True)
    text = response.content.decode()
    assert "đóng trước, đóng bù 4 tháng" in text
    assert sorted(DuesPayment.objects.filter(member=a).values_list("month", "received_in")) == [
        (date(2026, 1, 1), None),
        (FEB, MAY),
        (MAR, MAY),
        (APR, MAY),
        (MAY, None),
    ]
    assert DuesPayment.objects.filter(member=b, month=MAY).exists()
    page = client.get(f"/dang-phi/don-vi/{tree.cell1a.pk}/?month=03/2026").content.decode()
    assert "đóng bù, thu tháng 05/2026" in page


def test_a_refused_months_entry_on_the_sheet_saves_nothing(away, client, cell_secretary):
    tree = away
    a, b, _c = tree.members.m1a
    DuesPayment.objects.filter(month=MAY).delete()
    client.force_login(cell_secretary)
    url = f"/dang-phi/don-vi/{tree.cell1a.pk}/?month=05/2026"
    form = {
        "_seen": "",
        f"state_{a.pk}": "unpaid",
        f"months_from_{a.pk}": "01/2026",  # January is already paid
        f"months_to_{a.pk}": "05/2026",
        f"state_{b.pk}": "paid",
    }
    text = client.post(url, form).content.decode()
    assert "đã đóng đảng phí các tháng 01/2026" in text
    assert not DuesPayment.objects.filter(month=MAY).exists()
    form[f"months_to_{a.pk}"] = "tháng 5"
    assert client.post(url, form).status_code == 200
    assert not DuesPayment.objects.filter(month=MAY).exists()
