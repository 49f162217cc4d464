"""The roster import reads the data the statistics forms count, in the
spellings offices write, and names the column and the accepted values when a
cell is wrong."""

import io

import pytest
from openpyxl import load_workbook

from chibo.imports.batches import template_xlsx
from chibo.models import ImportBatch
from members.choices import (
    AcademicTitle,
    Education,
    Occupation,
    Qualification,
    Religion,
    TheoryLevel,
)
from members.imports import RosterKind
from members.models import Member
from members.resources import export_members_xlsx
from tests.members.import_factories import HEADERS, import_file, roster_row, roster_xlsx

EXTRA = [
    "Tôn giáo",
    "Trình độ văn hóa",
    "Trình độ chuyên môn",
    "Học hàm",
    "LLCT",
    "Nhóm nghề nghiệp",
    "Đoàn viên",
    "QNXN",
    "Kết nạp lại",
    "Chủ DNTN",
    "Kết hôn với người nước ngoài",
]
WIDE = [*HEADERS, *EXTRA]


def _import(actor, rows):
    return import_file(actor=actor, file_name="ds.xlsx", data=roster_xlsx(rows, headers=WIDE))


@pytest.mark.parametrize(
    "cells, expected",
    [
        (
            {
                "Dân tộc": "Khmer",
                "Tôn giáo": "Công giáo",
                "Trình độ văn hóa": "12/12",
                "Trình độ chuyên môn": "Đại học",
                "LLCT": "Cao cấp",
                "Nhóm nghề nghiệp": "Viên chức",
                "Đoàn viên": "x",
                "QNXN": "x",
                "Kết nạp lại": "",
            },
            {
                "ethnicity": "Khơ Me",
                "religion": Religion.CATHOLIC,
                "education": Education.UPPER_SECONDARY,
                "qualification": Qualification.BACHELOR,
                "theory_level": TheoryLevel.ADVANCED,
                "occupation_category": Occupation.PUBLIC_SERVICE,
                "is_youth_union_member": True,
                "is_discharged_soldier": True,
                "is_readmitted": False,
            },
        ),
        (
            {
                "Dân tộc": "H'Mông",
                "Tôn giáo": "Phật giáo Hoà Hảo",
                "Trình độ văn hóa": "9/12 BT",
                "Trình độ chuyên môn": "ThS",
                "Học hàm": "PGS",
                "LLCT": "TC",
                "Nhóm nghề nghiệp": "Nghỉ hưu",
                "Kết nạp lại": "x",
                "Chủ DNTN": "Có",
                "Kết hôn với người nước ngoài": "Không",
            },
            {
                "ethnicity": "Mông",
                "religion": Religion.HOA_HAO,
                "education": Education.LOWER_SECONDARY,
                "qualification": Qualification.MASTER,
                "academic_title": AcademicTitle.ASSOCIATE_PROFESSOR,
                "theory_level": TheoryLevel.INTERMEDIATE,
                "occupation_category": Occupation.RETIRED,
                "is_readmitted": True,
                "is_private_business_owner": True,
                "married_to_foreigner": False,
            },
        ),
        (
            {
                "Dân tộc": "Quốc tịch gốc nước ngoài",
                "Tôn giáo": "Không",
                "Trình độ văn hóa": "Biết đọc biết viết",
                "Trình độ chuyên môn": "Sơ cấp",
                "Học hàm": "Không",
                "LLCT": "Chưa",
                "Nhóm nghề nghiệp": "Nông dân",
            },
            {
                "ethnicity": "Quốc tịch gốc nước ngoài",
                "religion": Religion.NONE,
                "education": Education.LITERATE,
                "qualification": Qualification.ELEMENTARY,
                "academic_title": "",
                "theory_level": TheoryLevel.NONE,
                "occupation_category": Occupation.AGRICULTURE,
            },
        ),
    ],
)
def test_the_usual_spellings_are_read_into_the_official_lists(tree, ward1_staff, cells, expected):
    batch = _import(ward1_staff, [roster_row(1, **cells)])
    assert batch.status == ImportBatch.Status.DONE, batch.errors
    member = Member.objects.get(full_name="Lê Thị Nhập 1")
    assert {k: getattr(member, k) for k in expected} == expected


@pytest.mark.parametrize(
    "column, value, start, accepted",
    [
        ("Tôn giáo", "Đạo Mẫu", "Tôn giáo “Đạo Mẫu” không có trong danh mục.", "Tin Lành"),
        ("Dân tộc", "Kinh Bắc", "Dân tộc “Kinh Bắc” không có trong danh mục 54 dân tộc.", "Rơ Măm"),
        (
            "Trình độ văn hóa",
            "13/12",
            "Trình độ “13/12” không hợp lệ.",
            "",
        ),
        (
            "Trình độ văn hóa",
            "lớp mười",
            "Trình độ giáo dục phổ thông “lớp mười” không hợp lệ.",
            "Trung học phổ thông",
        ),
        (
            "Trình độ chuyên môn",
            "Giỏi",
            "Trình độ chuyên môn “Giỏi” không hợp lệ.",
            "Tiến sĩ khoa học",
        ),
        ("Học hàm", "Viện sĩ", "Chức danh khoa học “Viện sĩ” không hợp lệ.", "Phó giáo sư"),
        ("LLCT", "Rất cao", "Trình độ lý luận chính trị “Rất cao” không hợp lệ.", "Cao cấp"),
        (
            "Nhóm nghề nghiệp",
            "Ca sĩ",
            "Nhóm nghề nghiệp “Ca sĩ” không có trong danh mục của biểu thống kê.",
            "Viên chức sự nghiệp công lập",
        ),
        ("Đoàn viên", "đã từng", "Cột đoàn viên ghi “x” (có) hoặc để trống (không)", ""),
    ],
)
def test_a_wrong_value_names_the_column_and_what_it_accepts(
    tree, ward1_staff, column, value, start, accepted
):
    batch = _import(ward1_staff, [roster_row(1), roster_row(2, **{column: value})])
    assert batch.status == ImportBatch.Status.FAILED
    assert not Member.objects.filter(full_name__startswith="Lê Thị Nhập").exists()
    [error] = batch.errors
    assert (error["row"], error["column"]) == (6, column)
    assert error["message"].startswith(start), error["message"]
    if accepted:
        assert "Ghi một trong:" in error["message"] or "Ghi dạng" in error["message"]
        assert accepted in error["message"]


def test_the_template_has_the_new_columns_and_says_what_they_accept():
    wb = load_workbook(io.BytesIO(template_xlsx(RosterKind())))
    sheet, guide = wb.worksheets
    headers = [c.value for row in sheet.iter_rows() for c in row if c.value]
    for label in ("Tôn giáo", "Chức danh khoa học", "Nhóm nghề nghiệp", "Đoàn viên"):
        assert label in headers
    rows = {r[0]: r for r in guide.iter_rows(values_only=True) if r and r[0]}
    assert "Dân tộc khác" in rows["Dân tộc"][2] and "Ngái" in rows["Dân tộc"][2]
    assert "Hưu trí" not in rows["Nhóm nghề nghiệp"][2]  # an alias of the column, not a value
    assert "Sĩ quan, chiến sĩ Quân đội và Công an" in rows["Nhóm nghề nghiệp"][2]
    assert "QNXN" in rows["Quân nhân xuất ngũ"][3]


def test_an_exported_roster_imports_back_unchanged(tree, ward1_staff):
    batch = _import(
        ward1_staff,
        [
            roster_row(
                1,
                **{
                    "Tôn giáo": "Tin lành",
                    "Học hàm": "GS",
                    "Nhóm nghề nghiệp": "Công an",
                    "QNXN": "x",
                    "Kết nạp lại": "x",
                },
            )
        ],
    )
    assert batch.status == ImportBatch.Status.DONE, batch.errors
    data = export_members_xlsx(Member.objects.filter(full_name="Lê Thị Nhập 1"))
    again = import_file(actor=ward1_staff, file_name="lai.xlsx", data=data)
    assert again.status == ImportBatch.Status.DONE, again.errors
    assert (again.updated_count, again.unchanged_count) == (0, 1)
    m = Member.objects.get(full_name="Lê Thị Nhập 1")
    assert (m.religion, m.academic_title, m.occupation_category) == (
        Religion.PROTESTANT,
        AcademicTitle.PROFESSOR,
        Occupation.ARMED_FORCES,
    )
    assert m.is_discharged_soldier and m.is_readmitted
