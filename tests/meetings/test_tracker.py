from datetime import date, time

import pytest

from meetings.models import AttendanceStatus, Guest, MeetingKind
from meetings.selectors import home_warnings, tracker_cells, tracker_rows, tracker_summary
from organizations.models import Level
from tests.factories import make_member, make_unit
from tests.meetings.factories import make_meeting, take_attendance

pytestmark = pytest.mark.django_db
TODAY = date(2026, 7, 20)


def states(row):
    return "".join(ms.symbol or "." for ms in row.months)


@pytest.fixture
def history(tree):
    """cell1a (residential) in 2026: January held, February missing, March held
    in April, April a 60-minute meeting, May with 2 of 3 present (67% < 85%),
    June held; a thematic meeting in Q1 only."""
    cell = tree.cell1a
    a = tree.members.m1a[0]
    take_attendance(make_meeting(cell, held_on=date(2026, 1, 10)))
    take_attendance(make_meeting(cell, held_on=date(2026, 4, 2), month=date(2026, 3, 1)))
    take_attendance(make_meeting(cell, held_on=date(2026, 4, 20), ends_at=time(20, 30)))
    take_attendance(make_meeting(cell, held_on=date(2026, 5, 9)), {a: AttendanceStatus.UNEXCUSED})
    take_attendance(make_meeting(cell, held_on=date(2026, 6, 9)))
    thematic = make_meeting(cell, held_on=date(2026, 2, 25), kind=MeetingKind.THEMATIC)
    Guest.objects.create(meeting=thematic, name="Cấp ủy viên phụ trách", follows_cell=True)
    return cell


def test_the_grid_shows_held_missing_late_short_and_low_attendance_months(history, board):
    [row, *_] = [
        r
        for r in tracker_rows(list(tracker_cells(board, history, 2026)), 2026, TODAY)
        if r.unit == history
    ]
    # J F M A M J, July not over yet, then the future
    assert states(row) == "✓✗T✓✓✓…....."
    assert [ms.short for ms in row.months[:6]] == [0, 0, 0, 1, 0, 0]
    assert [ms.low for ms in row.months[:6]] == [0, 0, 0, 0, 1, 0]
    assert row.thematic_by_quarter == [1, 0, 0, 0]
    assert row.followed_by_quarter == [1, 0, 0, 0]  # the superior committee member came once
    # ... and not at all in the second quarter, which is over (seed 004: at least quarterly)
    assert [flag for _, flag in row.followed_quarters] == ["ok", "missing", "open", "future"]
    assert [flag for _, flag in row.quarters] == ["ok", "missing", "open", "future"]
    assert (row.missing, row.late, row.short, row.low) == (1, 1, 1, 1)


def test_the_same_attendance_is_below_target_in_an_agency_cell_but_not_a_residential_one(tree):
    agency = tree.cell1b  # 2 members
    residential = tree.cell1a  # 3 members
    for _ in range(4):
        make_member(agency)
        make_member(residential)
    # 6 of 7 present (85.7%): fine for residential (85%), below the 95% of others
    take_attendance(make_meeting(agency), {tree.members.m1b[0]: "unexcused"})
    take_attendance(make_meeting(residential), {tree.members.m1a[0]: "unexcused"})
    rows = {r.unit.pk: r for r in tracker_rows([agency, residential], 2026, TODAY)}
    assert rows[agency.pk].low == 1
    assert rows[residential.pk].low == 0


def test_combined_meetings_need_120_minutes_and_the_minimum_starts_in_2025(tree):
    cell = tree.cell1a
    make_meeting(cell, held_on=date(2026, 1, 10), kind=MeetingKind.COMBINED, ends_at=time(21, 15))
    make_meeting(cell, held_on=date(2024, 1, 10), ends_at=time(20, 0))  # 30 minutes, before 2025
    [row] = tracker_rows([cell], 2026, TODAY)
    assert row.months[0].short == 1  # 105 minutes < 120
    [old] = tracker_rows([cell], 2024, TODAY)
    assert old.months[0].short == 0 and old.months[0].state == "held"


def test_months_before_a_cell_was_founded_are_not_missing(tree):
    young = make_unit("Chi bộ mới", parent=tree.ward1, founded_on=date(2026, 5, 10))
    [row] = tracker_rows([young], 2026, TODAY)
    assert [ms.state for ms in row.months[:7]] == ["inactive"] * 4 + [
        "missing",
        "missing",
        "pending",
    ]


def test_the_summary_counts_the_whole_scope(history, board):
    summary = tracker_summary(tracker_cells(board, board.roles.get().unit, 2026), 2026, TODAY)
    # 3 cells x 6 finished months = 18 due; cell1a held 5 of them
    assert summary["cells"] == 3
    assert (summary["due"], summary["held_due"], summary["missing"]) == (18, 5, 13)
    assert (summary["late"], summary["short"], summary["low"], summary["thematic"]) == (1, 1, 1, 1)


def test_the_tracker_is_a_handful_of_queries_whatever_the_number_of_cells(
    tree, board, client, django_assert_max_num_queries
):
    client.force_login(board)
    with django_assert_max_num_queries(12):
        small = client.get("/sinh-hoat/", {"year": 2026})
    for i in range(40):
        committee = make_unit(
            f"Đảng bộ số {i}", level=Level.GRASSROOTS_COMMITTEE, parent=tree.province
        )
        cell = make_unit(f"Chi bộ số {i}", parent=committee)
        make_meeting(cell, held_on=date(2026, 1 + i % 6, 5))
    with django_assert_max_num_queries(12):
        big = client.get("/sinh-hoat/", {"year": 2026})
    assert small.status_code == big.status_code == 200
    assert big.content.decode().count('data-unit="') == 43


def test_home_warnings_name_the_cells_that_did_not_meet_last_month(
    history, ward1_staff, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        w = home_warnings(ward1_staff, today=TODAY)
    assert w["last_month"] == date(2026, 6, 1)
    assert [u.name for u in w["missing"]] == ["Chi bộ cơ quan phường"]
    assert w["missing_count"] == 1
    assert w["quarter"] == "2/2026"
    assert w["no_thematic"] == 2  # no cell had a thematic meeting in Q2
    assert (w["short"], w["low"]) == (1, 1)


@pytest.mark.parametrize(
    ("founded", "dissolved", "due"),
    [
        (date(2000, 1, 1), None, 6),  # January to June are over on 20/07
        (date(2026, 5, 31), None, 2),  # founded in May: May and June
        (date(2000, 1, 1), date(2026, 3, 1), 2),  # dissolved on 1 March: January, February
        (date(2000, 1, 1), date(2026, 3, 2), 3),  # alive on 1 March: March is owed
        (date(2026, 8, 1), None, 0),
    ],
)
def test_months_due_follow_the_cells_life(founded, dissolved, due):
    from meetings.selectors import _months_due

    assert _months_due(founded, dissolved, 2026, TODAY) == due


def test_the_grid_marks_a_quarter_the_superior_committee_member_did_not_come(
    history, board, client
):
    client.force_login(board)
    page = client.get("/sinh-hoat/", {"year": 2026, "unit": history.pk}).content.decode()
    followed = page.split('<td class="followed">')[1].split("</td>")[0]
    assert '<span class="q-ok">1</span>' in followed
    assert "không dự cuộc họp nào trong quý" in followed


def test_a_province_s_tracker_is_a_page_of_cells_and_a_list_to_pick_a_committee(
    tree, board, client, django_assert_max_num_queries
):
    """Hundreds of cells: 50 a page; dozens of committees: one drop-down
    list to open a committee's own grid, not a paragraph of links."""
    from tests.factories import make_units_in_bulk

    committees = make_units_in_bulk(
        tree.province, 35, level=Level.GRASSROOTS_COMMITTEE, category=""
    )
    make_units_in_bulk(committees[0], 300)
    client.force_login(board)
    client.get("/sinh-hoat/", {"year": 2026})
    with django_assert_max_num_queries(12):
        response = client.get("/sinh-hoat/", {"year": 2026})
    html = response.content.decode()
    assert html.count('data-unit="') == 50
    assert len(response.content) < 100_000
    assert "1/7" in html and "page=2" in html  # 303 cells, 50 a page
    picker = html.split('<select name="unit">', 1)[1].split("</select>", 1)[0]
    assert picker.count("<option") == 37  # the two wards and the 35 committees
    assert "Xem riêng: <a" not in html
    last = client.get("/sinh-hoat/", {"year": 2026, "page": 7}).content.decode()
    assert last.count('data-unit="') == 3
