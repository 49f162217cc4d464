"""Importing village / group heads and front-work heads, members or not."""

from datetime import date

import pytest

from chibo.imports import import_check, import_confirm, import_file, import_start
from chibo.models import ImportBatch
from chibo.spreadsheets import build_xlsx
from organizations.models import CommunityPost
from organizations.selectors import community_posts_on

pytestmark = pytest.mark.django_db

HEADERS = [
    "Chi bộ",
    "Chức danh",
    "Họ và tên",
    "Là đảng viên",
    "Số thẻ đảng viên",
    "Từ ngày",
    "Đến ngày",
]


def rows_for(tree):
    member = tree.members.m1a[0]
    return [
        [
            "Chi bộ khu phố 1",
            "Tổ trưởng tổ dân phố",
            "Trần Văn Cũ",
            "",
            "",
            "01/01/2015",
            "31/12/2019",
        ],
        ["Chi bộ khu phố 1", "Tổ trưởng TDP", member.full_name, "x", "", "01/01/2020", ""],
        [
            "Chi bộ ấp 1",
            "Trưởng ban công tác Mặt trận",
            "Lê Thị Dân",
            "không",
            "",
            "01/03/2021",
            "",
        ],
    ]


def send(rows, *, actor=None, dry_run=False):
    data = build_xlsx(HEADERS, rows)
    return import_file(
        "community_posts", actor=actor, file_name="cd.xlsx", data=data, dry_run=dry_run
    )


def test_posts_of_the_past_and_of_now_are_recorded_with_their_holders(tree):
    batch = send(rows_for(tree))
    assert batch.status == ImportBatch.Status.DONE, batch.errors
    assert batch.new_count == 3
    village = CommunityPost.Kind.VILLAGE_HEAD
    head_2018 = community_posts_on([tree.cell1a], date(2018, 6, 1))[(tree.cell1a.pk, village)]
    head_now = community_posts_on([tree.cell1a], date(2024, 6, 1))[(tree.cell1a.pk, village)]
    assert head_2018.person_name == "Trần Văn Cũ" and head_2018.member is None
    assert head_now.member == tree.members.m1a[0]
    front = CommunityPost.objects.get(unit=tree.cell2a)
    assert front.kind == CommunityPost.Kind.FRONT_HEAD and front.member is None


def test_the_same_file_twice_changes_nothing(tree):
    send(rows_for(tree))
    again = send(rows_for(tree))
    assert again.unchanged_count == 3 and again.new_count == 0
    assert CommunityPost.objects.count() == 3


def test_a_preview_writes_nothing(tree):
    batch = send(rows_for(tree), dry_run=True)
    assert batch.new_count == 3 and not CommunityPost.objects.exists()


def test_overlapping_holders_and_bad_cells_are_row_errors_and_nothing_is_written(tree):
    rows = rows_for(tree) + [
        [
            "Chi bộ khu phố 1",
            "Tổ trưởng tổ dân phố",
            "Người Chen",
            "",
            "",
            "01/06/2018",
            "31/12/2018",
        ],
        ["khu phố 9", "Trưởng thôn", "Ai Đó", "", "", "01/01/2020", ""],
        ["Chi bộ ấp 1", "Trưởng thôn", "Người Lạ", "x", "", "01/01/2020", ""],
        ["Chi bộ cơ quan phường", "Trưởng thôn", "Ai Đó", "", "", "01/01/2020", ""],
        ["Chi bộ ấp 1", "Chủ tịch", "Ai Đó", "", "", "01/01/2040", ""],
    ]
    batch = send(rows)
    assert batch.status != ImportBatch.Status.DONE
    by_row = {}
    for e in batch.errors:
        by_row.setdefault(e["row"], []).append((e["column"], e["message"]))
    assert "mỗi lúc chỉ một người giữ" in by_row[5][0][1]
    assert by_row[6][0][0] == "Chi bộ" and "Có phải" in by_row[6][0][1]
    assert (
        by_row[7][0][0] == "Họ và tên" and "không có trong danh sách đảng viên" in by_row[7][0][1]
    )
    assert "Chỉ chi bộ thôn, ấp, tổ dân phố" in by_row[8][0][1]
    assert {c for c, _m in by_row[9]} == {"Chức danh", "Từ ngày"}
    assert not CommunityPost.objects.exists()


def test_confirming_twice_applies_once(tree, ward1_staff):
    batch = import_start(
        "community_posts",
        actor=ward1_staff,
        file_name="cd.xlsx",
        data=build_xlsx(HEADERS, rows_for(tree)[:2]),
    )
    batch = import_check(batch)
    assert batch.status == ImportBatch.Status.PREVIEWED, batch.errors
    assert import_confirm(batch, actor=ward1_staff)
    assert not import_confirm(batch, actor=ward1_staff)
    assert CommunityPost.objects.count() == 2


def test_a_holder_left_open_is_handed_over_to_the_next_and_a_resend_changes_nothing(tree):
    rows = [
        ["Chi bộ khu phố 1", "Trưởng khu phố", "Người Trước", "", "", "01/01/2015", ""],
        ["Chi bộ khu phố 1", "Trưởng khu phố", "Người Sau", "", "", "01/01/2020", ""],
    ]
    assert send(rows).status == ImportBatch.Status.DONE
    before = CommunityPost.objects.get(person_name="Người Trước")
    assert before.valid_to == date(2020, 1, 1)
    again = send(rows)
    assert again.status == ImportBatch.Status.DONE, again.errors
    assert again.unchanged_count == 2 and CommunityPost.objects.count() == 2
