"""Importing committee terms and seats: one person in several bodies, one
holder of a single position per body, the roster and the tree checked, all
or nothing, the same file twice changes nothing."""

from datetime import date

import pytest
from django.core.management import call_command

from chibo.imports import (
    get_kind,
    import_check,
    import_confirm,
    import_file,
    import_start,
    template_xlsx,
)
from chibo.models import ImportBatch
from chibo.spreadsheets import build_xlsx, read_sheet
from organizations.models import Body, Position, Seat, Term
from organizations.selectors import committee_on

pytestmark = pytest.mark.django_db

HEADERS = [
    "Đơn vị",
    "Nhiệm kỳ",
    "Ngày đại hội",
    "Cơ quan",
    "Chức vụ",
    "Họ và tên",
    "Số thẻ đảng viên",
    "Từ ngày",
    "Đến ngày",
    "Số quyết định",
]


def rows_for(tree):
    a, b, c = tree.members.m1a
    d, _e = tree.members.m1b
    ward = "Đảng bộ phường Một"
    return [
        # the secretary of the executive committee chairs the standing committee too
        [ward, "2020-2025", "15/07/2020", "BCH", "Bí thư", a.full_name, "", "", "", "12-QĐ/QU"],
        [ward, "2020-2025", "15/07/2020", "BTV", "Bí thư", a.full_name, "", "", "", "12-QĐ/QU"],
        [ward, "2020-2025", "15/07/2020", "BCH", "Phó Bí thư", b.full_name, "", "", "", ""],
        [ward, "2020–2025", "15/07/2020", "BTV", "Ủy viên", b.full_name, "", "", "", ""],
        [
            ward,
            "2020–2025",
            "15/07/2020",
            "BCH",
            "Ủy viên",
            "",
            d.card_number,
            "",
            "31/12/2022",
            "",
        ],
        [ward, "2020–2025", "15/07/2020", "BCH", "Ủy viên", c.full_name, "", "01/01/2023", "", ""],
    ]


def xlsx(rows) -> bytes:
    return build_xlsx(HEADERS, rows, title="DANH SÁCH CẤP ỦY")


def send(data, *, actor=None, dry_run=False, skip_invalid=False) -> ImportBatch:
    return import_file(
        "seats",
        actor=actor,
        file_name="cap-uy.xlsx",
        data=data,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
    )


def test_a_committee_with_its_standing_committee_is_recorded(tree, ward1_staff):
    batch = send(xlsx(rows_for(tree)), actor=ward1_staff)
    assert batch.status == ImportBatch.Status.DONE, batch.errors
    assert batch.new_count == 6
    term = Term.objects.get(unit=tree.ward1)
    assert term.name == "2020–2025" and term.valid_from == date(2020, 7, 15)
    a, b, c = tree.members.m1a
    d = tree.members.m1b[0]
    held = {(s.member_id, s.body, s.position) for s in Seat.objects.filter(term=term)}
    assert (a.pk, Body.EXECUTIVE, Position.SECRETARY) in held
    assert (a.pk, Body.STANDING, Position.SECRETARY) in held
    ended = Seat.objects.get(member=d)
    assert ended.valid_to == date(2023, 1, 1)  # the day after the last day written
    on_2022 = {s.member_id for s in committee_on(tree.ward1, date(2022, 6, 1))}
    on_2024 = {s.member_id for s in committee_on(tree.ward1, date(2024, 6, 1))}
    assert d.pk in on_2022 and c.pk not in on_2022
    assert c.pk in on_2024 and d.pk not in on_2024


def test_the_same_file_twice_changes_nothing(tree):
    send(xlsx(rows_for(tree)))
    again = send(xlsx(rows_for(tree)))
    assert again.status == ImportBatch.Status.DONE
    assert again.unchanged_count == 6 and again.new_count == 0
    assert Seat.objects.count() == 6 and Term.objects.count() == 1


def test_an_end_date_added_later_ends_the_seat(tree):
    rows = rows_for(tree)
    send(xlsx(rows))
    rows[5][8] = "30/06/2024"
    again = send(xlsx(rows))
    assert again.updated_count == 1 and again.unchanged_count == 5
    assert Seat.objects.get(member=tree.members.m1a[2]).valid_to == date(2024, 7, 1)


def test_two_secretaries_of_one_body_at_once_are_refused_and_nothing_is_written(tree):
    rows = rows_for(tree)
    rows.append(
        [
            "Đảng bộ phường Một",
            "2020–2025",
            "15/07/2020",
            "BCH",
            "Bí thư",
            tree.members.m1a[2].full_name,
            "",
            "15/07/2020",
            "",
            "",
        ]
    )
    batch = send(xlsx(rows))
    assert batch.status != ImportBatch.Status.DONE
    errors = [e for e in batch.errors if e["row"] == 9]
    assert errors and "mỗi lúc chỉ một người giữ chức vụ này" in errors[0]["message"]
    assert not Seat.objects.exists() and not Term.objects.exists()


def test_unknown_unit_and_person_not_in_the_roster_name_row_and_column(tree):
    rows = [
        ["phường Một", "2020–2025", "15/07/2020", "BCH", "Bí thư", "Lê Văn Lạ", "", "", "", ""],
        ["khu phố 1", "2020–2025", "15/07/2020", "Chi ủy", "Bí thư", "Lê Văn Lạ", "", "", "", ""],
        [
            "Đảng bộ phường Một",
            "2020–2025",
            "15/07/2020",
            "BCH",
            "Bí thư",
            "Lê Văn Lạ",
            "",
            "",
            "",
            "",
        ],
        [
            "Đảng bộ phường Một",
            "2020–2025",
            "15/07/2020",
            "Hội đồng",
            "Chủ tịch",
            tree.members.m1a[0].full_name,
            "",
            "",
            "",
            "",
        ],
    ]
    batch = send(xlsx(rows))
    by_row = {(e["row"], e["column"]): e["message"] for e in batch.errors}
    assert "Có phải: “Đảng bộ phường Một”?" in by_row[(3, "Đơn vị")]
    assert "Có phải: “Chi bộ khu phố 1”?" in by_row[(4, "Đơn vị")]
    assert "không có trong danh sách đảng viên" in by_row[(5, "Họ và tên")]
    assert "Không hiểu cơ quan “Hội đồng”" in by_row[(6, "Cơ quan")]
    assert "Không hiểu chức vụ “Chủ tịch”" in by_row[(6, "Chức vụ")]
    assert not Seat.objects.exists()


def test_a_unit_outside_the_importers_reach_is_not_found(tree, ward2_staff):
    batch = send(xlsx(rows_for(tree)[:1]), actor=ward2_staff)
    assert batch.errors and batch.errors[0]["column"] == "Đơn vị"
    assert not Term.objects.exists()


def test_valid_rows_only_keeps_the_good_ones(tree):
    rows = rows_for(tree)[:2]
    rows.append(["Đảng bộ phường Một", "2020–2025", "", "BCH", "Ủy viên", "Ai Đó", "", "", "", ""])
    batch = send(xlsx(rows), skip_invalid=True)
    assert batch.status == ImportBatch.Status.DONE and batch.new_count == 2
    assert Seat.objects.count() == 2


def test_confirming_twice_applies_once(tree, ward1_staff):
    batch = import_start(
        "seats", actor=ward1_staff, file_name="cap-uy.xlsx", data=xlsx(rows_for(tree))
    )
    batch = import_check(batch)
    assert batch.status == ImportBatch.Status.PREVIEWED, batch.errors
    import_confirm(batch, actor=ward1_staff)
    import_confirm(batch, actor=ward1_staff)
    assert Seat.objects.count() == 6


def test_the_template_reads_back_with_its_example(tree):
    kind = get_kind("seats")
    sheet = read_sheet(template_xlsx(kind), columns=kind.columns)
    assert set(sheet.headers) == {c.key for c in kind.columns}
    assert next(sheet.rows).values["position"] == "Bí thư"


def test_the_command_previews_without_writing(tree, tmp_path, capsys):
    path = tmp_path / "cap-uy.xlsx"
    path.write_bytes(xlsx(rows_for(tree)))
    call_command("import_data", "seats", str(path), "--dry-run", "--json")
    assert '"new": 6' in capsys.readouterr().out.replace(" ", " ")
    assert not Seat.objects.exists()


def test_two_terms_in_one_file_the_next_congress_ends_the_earlier_seats(tree):
    a, b, _c = tree.members.m1a
    ward = "Đảng bộ phường Một"
    rows = [
        # the later term first: rows are written in the order of their dates
        [ward, "2025–2030", "20/07/2025", "BCH", "Bí thư", b.full_name, "", "", "", ""],
        [ward, "2020–2025", "15/07/2020", "BCH", "Bí thư", a.full_name, "", "", "", ""],
    ]
    batch = send(xlsx(rows))
    assert batch.status == ImportBatch.Status.DONE, batch.errors
    first = Seat.objects.get(member=a)
    assert first.valid_to == date(2025, 7, 20)
    assert Term.objects.get(unit=tree.ward1, valid_to__isnull=True).name == "2025–2030"
    again = send(xlsx(rows))
    assert again.status == ImportBatch.Status.DONE, again.errors
    assert again.unchanged_count == 2 and Seat.objects.count() == 2
