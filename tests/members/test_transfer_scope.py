"""Transfers record where the member came from or went to, as Biểu 1 counts
them (other province / other district of the province / inside)."""

from datetime import date

import pytest
from django.urls import reverse

from chibo.errors import ServiceError
from members import services
from members.choices import PlacementKind, Status, TransferScope
from members.models import Placement
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
