"""Dues paid and portal payments through the import pipeline: the same
checks as the sheet, row and column named, nothing written on an error, the
same file twice changes nothing."""

from datetime import date

import pytest

from chibo import imports
from chibo.models import ImportBatch
from dues.choices import DuesCategory as C
from dues.services import basis_set
from meetings.models import DuesPayment
from tests.members.import_factories import xlsx_with_dates

pytestmark = pytest.mark.django_db

BOOK = ["Họ và tên", "Số thẻ đảng viên", "Số CCCD", "Năm", *[f"Tháng {k}" for k in range(1, 13)]]
PORTAL = ["Mã giao dịch", "Họ và tên", "Số thẻ đảng viên", "Kỳ đóng", "Số tiền", "Ngày nộp"]


def book_row(m, year, *amounts):
    return [m.full_name, m.card_number, "", year, *amounts, *[None] * (12 - len(amounts))]


def run(kind, data, actor=None, dry_run=False):
    return imports.import_file(kind, actor=actor, file_name="dp.xlsx", data=data, dry_run=dry_run)


def errors(batch):
    return [(e["column"], e["message"]) for r in batch.result["rows"] for e in r.get("errors", [])]


def test_a_years_dues_book_imports_once_into_the_cell_of_each_month(tree, ward1_staff):
    a, b, _c = tree.members.m1a
    data = xlsx_with_dates(
        [book_row(a, 2025, 10000, 10000, "10.000"), book_row(b, 2025, None, 5000)], BOOK
    )
    batch = run("dues_paid", data, ward1_staff)
    assert batch.status == ImportBatch.Status.DONE, batch.message
    assert sorted(DuesPayment.objects.values_list("member_id", "month", "amount")) == sorted(
        [
            (a.pk, date(2025, 1, 1), 10000),
            (a.pk, date(2025, 2, 1), 10000),
            (a.pk, date(2025, 3, 1), 10000),
            (b.pk, date(2025, 2, 1), 5000),
        ]
    )
    assert set(DuesPayment.objects.values_list("unit_id", flat=True)) == {tree.cell1a.pk}
    again = run("dues_paid", data, ward1_staff)
    assert [r["outcome"] for r in again.result["rows"]] == ["unchanged", "unchanged"]
    assert DuesPayment.objects.count() == 4


def test_bad_rows_name_the_row_and_column_and_nothing_is_written(tree, ward1_staff):
    a, b, c = tree.members.m1a
    basis_set(actor=None, member=c, category=C.STUDENT, base=None, since=date(2020, 1, 1))
    stranger = tree.members.m2a[0]
    data = xlsx_with_dates(
        [
            book_row(a, 2025, 10000),  # fine
            book_row(b, 2025, "mười nghìn"),  # letters
            book_row(c, 2025, 3000, 500000),  # more than ten times the expected 3,000
            ["Ai Đó", "99999999", "", 2025, 5000],  # unknown card
            [b.full_name, a.card_number, "", 2025, 5000],  # someone else's card
            book_row(a, 1999, 5000),  # before admission (2000) and placement (2010)
            book_row(stranger, 2025, 5000),  # another ward's member: out of reach
        ],
        BOOK,
    )
    batch = run("dues_paid", data, ward1_staff)
    messages = errors(batch)
    assert (
        "Tháng 1",
        "“mười nghìn” không phải là số tiền: chỉ ghi chữ số (đồng), ví dụ 52.500.",
    ) in messages
    assert any(col == "Tháng 2" and "quá 10 lần" in m for col, m in messages)
    assert any(col == "Số thẻ đảng viên" and "Không có đảng viên" in m for col, m in messages)
    assert any(col == "Họ và tên" and "không phải" in m for col, m in messages)
    assert any(col == "Tháng 1" and "không sinh hoạt ở chi bộ nào" in m for col, m in messages)
    assert any(col == "Tháng 1" and "không có quyền" in m for col, m in messages)
    assert batch.status != ImportBatch.Status.DONE or batch.result.get("applied") is False
    assert not DuesPayment.objects.exists()


def test_portal_payments_import_as_portal_with_their_reference(tree, ward1_staff):
    a, b, _c = tree.members.m1a
    data = xlsx_with_dates(
        [
            ["DVC-1", a.full_name, a.card_number, "03/2026", 52500, date(2026, 3, 5)],
            ["DVC-2", b.full_name, b.card_number, "3/2026", "40.000", "06/03/2026"],
        ],
        PORTAL,
    )
    batch = run("dues_portal", data, ward1_staff)
    assert batch.status == ImportBatch.Status.DONE, (batch.message, errors(batch))
    assert sorted(DuesPayment.objects.values_list("reference", "channel", "amount")) == [
        ("DVC-1", "portal", 52500),
        ("DVC-2", "portal", 40000),
    ]
    assert [r["outcome"] for r in run("dues_portal", data, ward1_staff).result["rows"]] == [
        "unchanged",
        "unchanged",
    ]
    bad = xlsx_with_dates(
        [
            ["DVC-1", b.full_name, b.card_number, "03/2026", 10000, None],  # DVC-1 is a's
            ["DVC-3", a.full_name, a.card_number, "13/2026", 10000, None],
            ["DVC-4", a.full_name, a.card_number, "04/2026", -5, None],
            ["DVC-4", a.full_name, a.card_number, "05/2026", 5, None],
        ],
        PORTAL,
    )
    messages = errors(run("dues_portal", bad, ward1_staff))
    assert any(c == "Mã giao dịch" and "đảng viên khác" in m for c, m in messages)
    assert any(c == "Kỳ đóng" and "13/2026" in m for c, m in messages)
    assert any(c == "Số tiền" and "không được âm" in m for c, m in messages)
    assert any(c == "Mã giao dịch" and "đã có ở dòng" in m for c, m in messages)
    assert DuesPayment.objects.count() == 2


def test_templates_have_vietnamese_headers_and_an_example_row(tree, admin_user):
    import io

    from openpyxl import load_workbook

    for name in ("dues_paid", "dues_portal"):
        kind = imports.get_kind(name)
        sheet = load_workbook(io.BytesIO(imports.template_xlsx(kind))).worksheets[0]
        values = [[c.value for c in row] for row in sheet.iter_rows()]
        headers = next(r for r in values if "Họ và tên" in r)
        assert "Số thẻ đảng viên" in headers
        example = values[values.index(headers) + 1]
        assert "Nguyễn Văn An" in example
