"""Transfers record where the member came from or went to, as Biểu 1 counts
them (other province / other district of the province / inside)."""

from datetime import date

import pytest
from django.urls import reverse

from chibo.errors import ServiceError
from members import services
from members.choices import PlacementKind, Status, TransferScope
from members.models import Member, Placement
from organizations.models import Level
from tests.factories import make_member, make_unit


def _rows(member):
    return list(
        member.placements.filter(kind=PlacementKind.PERMANENT)
        .order_by("valid_from")
        .values_list("unit__name", "arrived_from", "left_to")
    )


def test_a_move_between_cells_of_one_ward_is_inside(tree):
    m = tree.members.m1a[0]
    services.member_transfer_permanent(actor=None, member=m, unit=tree.cell1b, day=date(2024, 6, 1))
    assert _rows(m) == [
        ("Chi bộ khu phố 1", "", TransferScope.INTERNAL),
        ("Chi bộ cơ quan phường", TransferScope.INTERNAL, ""),
    ]


def test_a_move_to_another_committee_under_the_province_is_another_district(tree):
    m = tree.members.m1a[0]
    services.member_transfer_permanent(actor=None, member=m, unit=tree.cell2a, day=date(2024, 6, 1))
    assert _rows(m)[-1] == ("Chi bộ ấp 1", TransferScope.OTHER_DISTRICT, "")


def test_a_move_to_another_province_of_the_tree_is_another_province(tree):
    other = make_unit("Đảng bộ tỉnh Khác", level=Level.PROVINCIAL)
    ward = make_unit("Đảng bộ phường Xa", level=Level.GRASSROOTS_COMMITTEE, parent=other)
    cell = make_unit("Chi bộ khu phố Xa", parent=ward)
    m = tree.members.m1a[0]
    services.member_transfer_permanent(actor=None, member=m, unit=cell, day=date(2024, 6, 1))
    assert _rows(m)[0][2] == TransferScope.OTHER_PROVINCE


def test_a_transfer_out_records_the_kind_of_destination(tree):
    m = tree.members.m1a[0]
    services.member_transfer_out(
        actor=None,
        member=m,
        day=date(2024, 6, 1),
        destination="Đảng bộ phường Bến Thành, TP Hồ Chí Minh",
        destination_kind=TransferScope.OTHER_PROVINCE,
    )
    assert _rows(m) == [("Chi bộ khu phố 1", "", TransferScope.OTHER_PROVINCE)]


def test_a_transfer_out_without_its_kind_is_refused_and_changes_nothing(tree):
    m = tree.members.m1a[0]
    with pytest.raises(ServiceError, match="Cần chọn nơi chuyển đến thuộc"):
        services.member_transfer_out(
            actor=None, member=m, day=date(2024, 6, 1), destination="Tỉnh khác", destination_kind=""
        )
    m.refresh_from_db()
    assert m.status == Status.OFFICIAL and _rows(m) == [("Chi bộ khu phố 1", "", "")]


def test_a_member_entered_as_transferred_in_keeps_the_origin(tree):
    m = make_member(
        tree.cell1a,
        since=date(2024, 3, 1),
        arrived_from=TransferScope.OTHER_DISTRICT,
        decision_number="123-GGT/HU",
    )
    row = Placement.objects.get(member=m)
    assert (row.arrived_from, row.decision_number) == (TransferScope.OTHER_DISTRICT, "123-GGT/HU")
    assert row.reason == "Chuyển sinh hoạt đến"


def test_the_transfer_out_page_asks_for_the_kind(client, tree, ward1_staff):
    m = tree.members.m1a[0]
    client.force_login(ward1_staff)
    url = reverse("members:action", args=[m.pk, "chuyen-ra"])
    page = client.get(url).content.decode()
    assert "Nơi chuyển đến thuộc" in page and "Huyện ủy (và tương đương) khác trong tỉnh" in page
    data = {"day": "01/06/2024", "destination": "Đảng bộ xã Ba", "decision_number": ""}
    page = client.post(url, data).content.decode()
    assert "Hãy chọn một mục." in page
    m.refresh_from_db()
    assert m.status == Status.OFFICIAL
    client.post(url, {**data, "destination_kind": TransferScope.OTHER_DISTRICT})
    m.refresh_from_db()
    assert m.status == Status.TRANSFERRED_OUT
    assert _rows(m)[0][2] == TransferScope.OTHER_DISTRICT


def _receive_data(**changes):
    data = {
        "day": "02/03/2024",
        "arrived_from": TransferScope.OTHER_PROVINCE,
        "decision_number": "45-GGT/BTCTU",
        "full_name": "Hà Thị Đến",
        "gender": "F",
        "birth_date": "10/10/1985",
        "ethnicity": "Tày",
        "religion": "none",
        "admitted_on": "19/05/2010",
        "official_on": "19/05/2011",
        "card_number": "77770001",
        "occupation_category": "public_service",
    }
    data.update(changes)
    return data


def test_receiving_a_member_from_another_province_through_the_page(client, tree, ward1_staff):
    client.force_login(ward1_staff)
    unit_page = client.get(reverse("organizations:unit_detail", args=[tree.cell1a.pk]))
    url = reverse("members:receive", args=[tree.cell1a.pk])
    assert url in unit_page.content.decode()
    response = client.post(url, _receive_data())
    assert response.status_code == 302
    m = Member.objects.get(full_name="Hà Thị Đến")
    assert (m.status, m.unit, m.ethnicity) == (Status.OFFICIAL, tree.cell1a, "Tày")
    row = Placement.objects.get(member=m)
    assert (row.valid_from, row.arrived_from, row.decision_number) == (
        date(2024, 3, 2),
        TransferScope.OTHER_PROVINCE,
        "45-GGT/BTCTU",
    )
    body = client.get(reverse("members:detail", args=[m.pk])).content.decode()
    assert "chuyển đến từ: Tỉnh ủy (và tương đương) khác" in body


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"arrived_from": ""}, "Hãy chọn một mục."),
        ({"admitted_on": "19/05/2025"}, "Ngày vào Đảng sau ngày tiếp nhận."),
        ({"official_on": "01/01/2025"}, "Ngày chính thức sau ngày tiếp nhận."),
        ({"card_number": "{card}"}, "đã được dùng cho một đảng viên khác"),
    ],
)
def test_a_wrong_arrival_is_refused_and_writes_nothing(client, tree, ward1_staff, changes, message):
    card = tree.members.m1a[0].card_number
    changes = {k: v.format(card=card) for k, v in changes.items()}
    client.force_login(ward1_staff)
    before = Member.objects.count(), Placement.objects.count()
    page = client.post(reverse("members:receive", args=[tree.cell1a.pk]), _receive_data(**changes))
    assert page.status_code == 200
    assert message in page.content.decode()
    assert (Member.objects.count(), Placement.objects.count()) == before


def test_another_ward_cannot_receive_into_this_cell(client, tree, ward2_staff):
    client.force_login(ward2_staff)
    url = reverse("members:receive", args=[tree.cell1a.pk])
    assert client.get(url).status_code in (403, 404)
    assert client.post(url, _receive_data()).status_code in (403, 404)
    assert not Member.objects.filter(full_name="Hà Thị Đến").exists()


def test_a_received_member_was_a_member_before_arriving_but_counts_here_from_the_day(
    client, tree, ward1_staff
):
    from members.selectors import count_members_on

    client.force_login(ward1_staff)
    client.post(reverse("members:receive", args=[tree.cell1a.pk]), _receive_data())
    m = Member.objects.get(full_name="Hà Thị Đến")
    statuses = list(m.status_periods.order_by("valid_from").values_list("status", "valid_from"))
    assert statuses == [
        (Status.PROBATIONARY, date(2010, 5, 19)),
        (Status.OFFICIAL, date(2011, 5, 19)),
    ]
    assert count_members_on(tree.cell1a, date(2024, 3, 1)) == 3
    assert count_members_on(tree.cell1a, date(2024, 3, 2)) == 4
