"""Awards and discipline through the import pipeline."""

from datetime import date

import pytest

from chibo import imports
from chibo.models import ImportBatch
from members.models import Award, Discipline
from tests.members.import_factories import xlsx_with_dates

pytestmark = pytest.mark.django_db

HEADERS = [
    "Loại",
    "Họ và tên",
    "Số thẻ đảng viên",
    "Tổ chức đảng",
    "Hình thức",
    "Cấp quyết định",
    "Nội dung",
    "Số quyết định",
    "Ngày quyết định",
]


def run(data, actor):
    return imports.import_file("awards", actor=actor, file_name="kt.xlsx", data=data)


def test_awards_to_members_and_organizations_and_discipline_import_once(tree, ward1_staff):
    a, b, _c = tree.members.m1a
    rows = [
        [
            "Khen thưởng",
            a.full_name,
            a.card_number,
            None,
            "Bằng khen",
            "Tỉnh ủy, thành ủy và tương đương",
            "5 năm liền",
            "123-QĐ/TU",
            date(2025, 9, 2),
        ],
        [
            "khen thuong",
            None,
            None,
            tree.cell1a.name,
            "giấy khen",
            "Đảng ủy cơ sở",
            None,
            "45-QĐ/ĐU",
            "20/12/2025",
        ],
        [
            "Kỷ luật",
            b.full_name,
            b.card_number,
            None,
            "Khiển trách",
            "Chi bộ",
            "Vi phạm quy chế",
            "7-QĐ/CB",
            "01/10/2025",
        ],
    ]
    batch = run(xlsx_with_dates(rows, HEADERS), ward1_staff)
    assert batch.status == ImportBatch.Status.DONE, batch.result
    assert list(Award.objects.values_list("member_id", "unit_id", "kind", "level")) == [
        (a.pk, None, "merit", "province"),
        (None, tree.cell1a.pk, "certificate", "grassroots"),
    ]
    assert list(Discipline.objects.values_list("member_id", "form", "level")) == [
        (b.pk, "reprimand", "cell")
    ]
    again = run(xlsx_with_dates(rows, HEADERS), ward1_staff)
    assert [r["outcome"] for r in again.result["rows"]] == ["unchanged"] * 3


def test_bad_award_rows_are_named_and_nothing_is_written(tree, ward1_staff):
    a = tree.members.m1a[0]
    rows = [
        [
            "Tuyên dương",
            a.full_name,
            a.card_number,
            None,
            "Bằng khen",
            "Tỉnh ủy, thành ủy và tương đương",
            None,
            "1",
            date(2025, 9, 2),
        ],
        [
            "Khen thưởng",
            a.full_name,
            a.card_number,
            None,
            "Bằng vàng",
            "Trung ương",
            None,
            "2",
            date(2025, 9, 2),
        ],
        [
            "Kỷ luật",
            a.full_name,
            a.card_number,
            None,
            "Cảnh cáo",
            None,
            None,
            "3",
            date(2025, 9, 2),
        ],
        [
            "Khen thưởng",
            a.full_name,
            a.card_number,
            None,
            "Giấy khen",
            "Chi bộ",
            None,
            "4",
            "31/02/2025",
        ],
        [
            "Khen thưởng",
            "Người Khác",
            a.card_number,
            None,
            "Giấy khen",
            "Chi bộ",
            None,
            "5",
            date(2025, 1, 1),
        ],
        [
            "Khen thưởng",
            None,
            None,
            "Chi bộ không có",
            "Giấy khen",
            "Chi bộ",
            None,
            "6",
            date(2025, 1, 1),
        ],
    ]
    batch = run(xlsx_with_dates(rows, HEADERS), ward1_staff)
    found = {
        (r["row"], e["column"]): e["message"]
        for r in batch.result["rows"]
        for e in r.get("errors", [])
    }
    assert {c for _r, c in found} == {
        "Loại",
        "Hình thức",
        "Nội dung",
        "Ngày quyết định",
        "Họ và tên",
        "Tổ chức đảng",
    }
    assert any("vi phạm" in m for m in found.values())
    assert any("Bằng vàng" in m for m in found.values())
    assert not Award.objects.exists() and not Discipline.objects.exists()
