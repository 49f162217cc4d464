import io
from datetime import date

import pytest
from openpyxl import load_workbook

from chibo.imports import get_kind, template_xlsx
from chibo.models import AuditEvent, ImportBatch
from members.choices import PlacementKind, Status
from members.models import Member, Placement, StatusPeriod
from members.resources import export_members_xlsx
from tests.factories import make_member
from tests.members.import_factories import import_file, roster_csv, roster_row, roster_xlsx


def run(actor, rows, **kwargs):
    data = kwargs.pop("data", None) or roster_xlsx(rows)
    return import_file(actor=actor, file_name="danh-sach.xlsx", data=data, **kwargs)


def test_a_new_member_gets_the_past_the_rows_dates_tell(tree, ward1_staff):
    batch = run(ward1_staff, [roster_row(1)])
    assert batch.status == ImportBatch.Status.DONE
    member = Member.objects.get(card_number="90000001")
    assert member.full_name == "Lê Thị Nhập 1"
    assert member.gender == "F"
    assert member.birth_date == date(1980, 3, 15)
    assert member.unit == tree.cell1a
    assert member.status == Status.OFFICIAL
    assert member.search_name == "le thi nhap 1"
    # probationary from the admission, official from the official date, in
    # the cell since the admission: each marked as reconstructed
    statuses = StatusPeriod.objects.filter(member=member).order_by("valid_from")
    assert [(s.status, s.valid_from, s.valid_to, s.note) for s in statuses] == [
        (Status.PROBATIONARY, date(2010, 2, 3), date(2011, 2, 3), "theo dữ liệu nhập"),
        (Status.OFFICIAL, date(2011, 2, 3), None, "theo dữ liệu nhập"),
    ]
    [placement] = Placement.objects.filter(member=member)
    assert (placement.unit, placement.kind, placement.valid_from, placement.reason) == (
        tree.cell1a,
        PlacementKind.PERMANENT,
        date(2010, 2, 3),
        "theo dữ liệu nhập",
    )
    assert not member.exemptions.exists()
    assert placement.created_by == ward1_staff
    [created] = member.history.all()
    assert (created.history_type, created.history_user) == ("+", ward1_staff)
    assert f"lần nhập số {batch.pk}" in created.history_change_reason
    event = AuditEvent.objects.get(action="member_import", target_id=batch.pk)
    assert event.data["new"] == [member.pk]


def test_a_member_without_official_date_is_imported_as_probationary(tree, ward1_staff):
    run(ward1_staff, [roster_row(1, **{"Ngày chính thức": ""})])
    member = Member.objects.get(card_number="90000001")
    assert member.status == Status.PROBATIONARY
    assert member.status_periods.get().valid_from == date(2010, 2, 3)


def test_rows_match_existing_members_by_card_then_cccd_never_by_name(tree, ward1_staff):
    by_card = make_member(tree.cell1a, card_number="55550001", national_id="001070555501")
    by_cccd = make_member(tree.cell1a, card_number=None, national_id="001070555502")
    namesake = make_member(tree.cell1a, full_name="Lê Thị Nhập 3", card_number="55550003")
    rows = [
        roster_row(1, **{"Số thẻ đảng viên": "55550001", "Số CCCD": "001070555501"}),
        roster_row(2, **{"Số thẻ đảng viên": "", "Số CCCD": "001070555502"}),
        roster_row(3),  # same name as `namesake`, other card and CCCD: a new member
    ]
    batch = run(ward1_staff, rows)
    assert (batch.new_count, batch.updated_count) == (1, 2)
    by_card.refresh_from_db()
    by_cccd.refresh_from_db()
    assert by_card.full_name == "Lê Thị Nhập 1"
    assert by_cccd.residence == "Số 2, tổ dân phố 2"
    assert Member.objects.filter(full_name="Lê Thị Nhập 3").count() == 2
    namesake.refresh_from_db()
    assert namesake.card_number == "55550003"


def test_an_update_keeps_the_previous_value_in_the_members_history(tree, ward1_staff):
    member = make_member(tree.cell1a, card_number="55550001", residence="Nhà cũ")
    batch = run(ward1_staff, [roster_row(1, **{"Số thẻ đảng viên": "55550001"})])
    member.refresh_from_db()
    assert member.residence == "Số 1, tổ dân phố 2"
    previous = member.history.order_by("-history_id")[1]
    assert previous.residence == "Nhà cũ"
    latest = member.history.order_by("-history_id").first()
    assert latest.history_user == ward1_staff
    assert str(batch.pk) in latest.history_change_reason
    [row] = batch.result["rows"]
    assert row["changes"]["Nơi ở hiện nay"] == ["Nhà cũ", "Số 1, tổ dân phố 2"]


def test_an_empty_cell_leaves_the_stored_value_alone(tree, ward1_staff):
    member = make_member(tree.cell1a, card_number="55550001", phone="0988000111")
    run(ward1_staff, [roster_row(1, **{"Số thẻ đảng viên": "55550001", "Số điện thoại": ""})])
    member.refresh_from_db()
    assert member.phone == "0988000111"


def test_a_cell_is_matched_by_name_ignoring_case_and_diacritics_or_by_code(tree, ward1_staff):
    tree.cell1b.code = "CB-CQ"
    tree.cell1b.save()
    rows = [roster_row(1, **{"Chi bộ": "chi bo khu pho 1"}), roster_row(2, **{"Chi bộ": "cb-cq"})]
    run(ward1_staff, rows)
    assert Member.objects.get(card_number="90000001").unit == tree.cell1a
    assert Member.objects.get(card_number="90000002").unit == tree.cell1b


def test_a_cell_outside_the_importers_reach_reads_like_an_unknown_one(tree, ward1_staff):
    batch = run(ward1_staff, [roster_row(1, **{"Chi bộ": "Chi bộ ấp 1"}), roster_row(2)])
    unknown = run(ward1_staff, [roster_row(3, **{"Chi bộ": "Chi bộ không có"})])
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.errors == [
        {
            "row": 5,
            "column": "Chi bộ",
            "message": "Chi bộ “Chi bộ ấp 1” không tìm thấy hoặc không thuộc phạm vi của bạn.",
        }
    ]
    assert unknown.errors[0]["message"] == (
        "Chi bộ “Chi bộ không có” không tìm thấy hoặc không thuộc phạm vi của bạn."
    )
    assert not Member.objects.filter(card_number__in=["90000001", "90000002"]).exists()


def test_a_member_outside_the_importers_reach_is_not_touched(tree, ward1_staff):
    other = tree.members.m2a[0]
    row = roster_row(1, **{"Số thẻ đảng viên": other.card_number, "Số CCCD": ""})
    batch = run(ward1_staff, [row])
    assert "ngoài phạm vi của bạn" in batch.errors[0]["message"]
    assert other.full_name not in batch.errors[0]["message"]
    other.refresh_from_db()
    assert other.full_name != "Lê Thị Nhập 1"


def test_moving_a_member_to_another_cell_is_refused_as_a_transfer(tree, ward1_staff):
    member = make_member(tree.cell1a, card_number="55550001")
    batch = run(
        ward1_staff,
        [roster_row(1, **{"Số thẻ đảng viên": "55550001", "Chi bộ": "Chi bộ cơ quan phường"})],
    )
    assert "thủ tục chuyển sinh hoạt" in batch.errors[0]["message"]
    member.refresh_from_db()
    assert member.unit == tree.cell1a


def test_rows_without_a_cell_go_to_the_chosen_default_cell(tree, ward1_staff):
    run(ward1_staff, [roster_row(1, **{"Chi bộ": ""})], default_unit=tree.cell1b)
    assert Member.objects.get(card_number="90000001").unit == tree.cell1b


def test_all_or_nothing_by_default_and_valid_rows_only_when_asked(tree, ward1_staff):
    rows = [roster_row(1), roster_row(2, **{"Số CCCD": "123"})]
    refused = run(ward1_staff, rows)
    assert refused.status == ImportBatch.Status.FAILED
    assert "không nhập dòng nào" in refused.message
    assert not Member.objects.filter(card_number="90000001").exists()
    partial = run(ward1_staff, rows, skip_invalid=True)
    assert partial.status == ImportBatch.Status.DONE
    assert Member.objects.filter(card_number="90000001").exists()
    assert not Member.objects.filter(card_number="90000002").exists()


def test_every_import_is_recorded_with_who_which_file_and_what_changed(tree, ward1_staff):
    existing = make_member(tree.cell1a, card_number="55550001")
    data = roster_csv([roster_row(1), roster_row(2, **{"Số thẻ đảng viên": "55550001"})])
    batch = import_file(actor=ward1_staff, file_name="ds.csv", data=data)
    batch.refresh_from_db()
    assert batch.created_by == ward1_staff
    assert (batch.file_name, batch.file_size, len(batch.sha256)) == ("ds.csv", len(data), 64)
    assert (batch.new_count, batch.updated_count) == (1, 1)
    event = AuditEvent.objects.get(action="member_import", target_id=batch.pk)
    assert event.actor == ward1_staff
    assert event.data["updated"] == [existing.pk]
    assert event.data["new"] == [Member.objects.get(card_number="90000001").pk]


def test_a_dry_run_writes_no_member(tree, ward1_staff):
    before = Member.objects.count()
    batch = run(ward1_staff, [roster_row(1)], dry_run=True)
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert batch.new_count == 1
    assert Member.objects.count() == before


def test_export_then_import_changes_nothing(tree, ward1_staff):
    make_member(
        tree.cell1a,
        full_name="Phạm Thị Đào",
        gender="F",
        residence="Số 9 ngõ 3",
        education="upper_secondary",
        qualification="bachelor",
        theory_level="intermediate",
        is_civil_servant=True,
        phone="0912000111",
        ethnicity="Tày",
    )
    members = Member.objects.filter(unit__path__startswith=tree.ward1.path)
    before = list(members.values())
    data = export_members_xlsx(members, title="DANH SÁCH ĐẢNG VIÊN")
    batch = import_file(actor=ward1_staff, file_name="export.xlsx", data=data)
    assert batch.errors == []
    assert (batch.new_count, batch.updated_count, batch.unchanged_count) == (0, 0, 6)
    assert list(members.values()) == before


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_member_list_export_imports_back_unchanged(fmt, tree, ward1_staff, client):
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse("members:list")
    except NoReverseMatch:  # pragma: no cover - the list belongs to another part of issue 4
        pytest.skip("the member list is not there yet")
    client.force_login(ward1_staff)
    response = client.get(url, {"format": fmt})
    assert response.status_code == 200
    members = Member.objects.filter(unit__path__startswith=tree.ward1.path)
    before = list(members.values())
    data = b"".join(response.streaming_content) if response.streaming else response.content
    batch = import_file(actor=ward1_staff, file_name=f"list.{fmt}", data=data)
    assert batch.errors == []
    assert batch.unchanged_count == members.count()
    assert (batch.new_count, batch.updated_count) == (0, 0)
    assert list(members.values()) == before


def test_the_template_has_every_header_and_an_example_that_imports(tree, ward1_staff):
    data = template_xlsx(get_kind("members"))
    sheet = load_workbook(io.BytesIO(data)).active
    headers = [c.value for c in sheet[2]]
    assert headers[:3] == ["Họ và tên", "Giới tính", "Ngày sinh"]
    assert "Số thẻ đảng viên" in headers and "Chi bộ" in headers
    batch = import_file(actor=ward1_staff, file_name="mau.xlsx", data=data)
    assert batch.errors == []
    assert Member.objects.get(card_number="12345678").unit == tree.cell1a


@pytest.mark.parametrize("bom", [True, False])
@pytest.mark.parametrize("delimiter", [",", ";"])
def test_a_utf8_csv_with_or_without_bom_imports_the_same(tree, ward1_staff, bom, delimiter):
    data = roster_csv([roster_row(1), roster_row(2)], bom=bom, delimiter=delimiter)
    batch = run(ward1_staff, None, data=data)
    assert batch.status == ImportBatch.Status.DONE, batch.message
    assert (batch.new_count, batch.error_count) == (2, 0)
    member = Member.objects.get(card_number="90000001")
    assert (member.full_name, member.birth_date) == ("Lê Thị Nhập 1", date(1980, 3, 15))
