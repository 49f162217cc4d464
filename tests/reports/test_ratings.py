"""The ratings report: members and organizations at each level of the annual
review, with their shares and last year's, by sub-unit, in every format."""

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from members.services import member_transfer_permanent
from organizations.models import Category, Level
from reports.catalogue import Params, get_report
from reports.charts import render
from reviews.models import MemberReview, OrganizationReview, ReviewCycle
from reviews.rules import Level as Rating
from reviews.rules import rule_set_for_year
from tests.factories import make_member, make_unit

E, G, C, N = Rating.EXCELLENT, Rating.GOOD, Rating.COMPLETED, Rating.NOT_COMPLETED
DECIDED_AT = datetime(2026, 1, 12, tzinfo=UTC)


def cycle_of(unit, year):
    return ReviewCycle.objects.get_or_create(
        unit=unit, year=year, defaults={"rule_set_code": rule_set_for_year(year).code}
    )[0]


def rate(cycle, member, cell, level, *, proposed_only=False, published=True):
    """A member's review as the committee decided it (or only proposed)."""
    return MemberReview.objects.create(
        cycle=cycle,
        year=cycle.year,
        member=member,
        cell=cell,
        path=cell.path,
        proposed_level=level,
        decided_level="" if proposed_only else level,
        decided_at=None if proposed_only else DECIDED_AT,
        published_at=DECIDED_AT if published and not proposed_only else None,
    )


def rate_org(cycle, unit, level):
    return OrganizationReview.objects.create(
        cycle=cycle, year=cycle.year, unit=unit, path=unit.path, decided_level=level
    )


@pytest.fixture
def rated(tree):
    """Ward 1 has 10 members rated for 2025 (2 excellent, 5 good, 2 completed,
    1 not completed; some decided and published, some only decided), one more
    only proposed; 2024 differently. Ward 2's 4 members all good in 2025."""
    ward1_members = [
        *tree.members.m1a,
        *(make_member(tree.cell1a) for _ in range(4)),
        *tree.members.m1b,
        make_member(tree.cell1b),
    ]
    cells = [tree.cell1a] * 7 + [tree.cell1b] * 3
    c2025, c2024 = cycle_of(tree.ward1, 2025), cycle_of(tree.ward1, 2024)
    levels_2025 = [E, G, G, G, C, N, G, E, G, C]
    levels_2024 = [G, G, C, C, C, N, G, E, G, C]
    for i, (member, cell) in enumerate(zip(ward1_members, cells, strict=True)):
        rate(c2025, member, cell, levels_2025[i], published=i % 2 == 0)
        rate(c2024, member, cell, levels_2024[i])
    rate(c2025, make_member(tree.cell1b), tree.cell1b, G, proposed_only=True)
    rate_org(c2025, tree.cell1a, G)
    rate_org(c2025, tree.cell1b, E)
    rate_org(c2025, tree.ward1, G)
    rate_org(c2024, tree.cell1a, C)
    rate_org(c2024, tree.cell1b, G)
    rate_org(c2024, tree.ward1, C)
    w2 = cycle_of(tree.ward2, 2025)
    for member in tree.members.m2a:
        rate(w2, member, tree.cell2a, G)
    rate_org(w2, tree.cell2a, G)
    rate_org(w2, tree.ward2, G)
    return tree


def run(unit, year, *, by_children=False):
    return get_report("ratings").run(
        unit,
        Params(start=date(year, 1, 1), end=date(year, 12, 31), by_children=by_children),
    )


def url(unit, **query):
    from urllib.parse import urlencode

    base = reverse("reports:report", args=["ratings", unit.pk])
    return base + ("?" + urlencode(query) if query else "")


def test_members_at_each_level_with_their_shares_and_last_years(rated):
    table = run(rated.ward1, 2025)
    members = table.sections[0]
    assert table.scope_text == "Năm 2025"
    assert [c.label for c in members.columns[1:5]] == [
        "Năm 2025",
        "Tỷ lệ (%)",
        "Năm 2024",
        "Tỷ lệ năm 2024 (%)",
    ]
    assert [r[1:] for r in members.rows] == [
        [2, 20.0, 1, 10.0, 1],
        [5, 50.0, 4, 40.0, 1],
        [2, 20.0, 4, 40.0, -2],
        [1, 10.0, 1, 10.0, 0],
    ]
    assert members.rows[0][0] == "Hoàn thành xuất sắc nhiệm vụ (HTXSNV)"
    assert members.totals == ["Tổng số được xếp loại", 10, 100.0, 10, 100.0, 0]


def test_only_decided_levels_count_and_the_undecided_are_noted(rated):
    members = run(rated.ward1, 2025).sections[0]
    # the eleventh member's level is only the cell's proposal
    assert members.totals[1] == 10
    assert "đã quyết định" in members.note
    assert "Còn 1 đảng viên chưa có quyết định xếp loại" in members.note
    assert "Quy định 366-QĐ/TW" in members.note


def test_a_past_year_gives_the_past_answer(rated):
    members = run(rated.ward1, 2024).sections[0]
    assert [r[1:5] for r in members.rows] == [
        [1, 10.0, 0, None],
        [4, 40.0, 0, None],
        [4, 40.0, 0, None],
        [1, 10.0, 0, None],
    ]
    assert "Quy định 124-QĐ/TW" in members.note
    assert "chưa có quyết định" not in members.note


def test_a_member_who_moved_cells_is_counted_in_the_cell_where_rated(rated):
    mover = rated.members.m1a[0]  # rated excellent in cell 1a for 2025
    member_transfer_permanent(actor=None, member=mover, unit=rated.cell1b, day=date(2026, 2, 1))
    assert [r[1] for r in run(rated.cell1a, 2025).sections[0].rows] == [1, 4, 1, 1]
    assert [r[1] for r in run(rated.cell1b, 2025).sections[0].rows] == [1, 1, 1, 0]
    by_cell = run(rated.ward1, 2025, by_children=True).sections[0]
    rows = {r[0]: r[1:6] for r in by_cell.rows}
    assert rows["Chi bộ khu phố 1"] == [7, 1, 4, 1, 1]
    assert rows["Chi bộ cơ quan phường"] == [3, 1, 1, 1, 0]


def test_organizations_at_each_level_cells_and_grassroots_apart(rated):
    table = run(rated.province, 2025)
    cells, grassroots = table.sections[1], table.sections[2]
    assert cells.title == "Chi bộ trực thuộc đảng bộ cơ sở"
    assert [r[1:5] for r in cells.rows] == [
        [1, 33.3, 0, 0.0],
        [2, 66.7, 1, 50.0],
        [0, 0.0, 1, 50.0],
        [0, 0.0, 0, 0.0],
    ]
    assert grassroots.title == "Tổ chức cơ sở đảng"
    assert [r[1:5] for r in grassroots.rows] == [
        [0, 0.0, 0, 0.0],
        [2, 100.0, 0, 0.0],
        [0, 0.0, 1, 100.0],
        [0, 0.0, 0, 0.0],
    ]
    members = table.sections[0]
    assert members.totals[1] == 14  # ward 1's ten and ward 2's four
    assert [r[1] for r in members.rows] == [2, 9, 2, 1]


def test_breakdown_by_sub_unit_adds_up_to_the_whole(rated):
    section = run(rated.province, 2025, by_children=True).sections[0]
    rows = {r[0]: r[1:] for r in section.rows}
    # rated, E, G, C, N, good or better %, last year's, organizations, theirs %
    assert rows["Đảng bộ phường Một"] == [10, 2, 5, 2, 1, 70.0, 50.0, 3, 100.0]
    assert rows["Đảng bộ xã Hai"] == [4, 0, 4, 0, 0, 100.0, None, 2, 100.0]
    assert section.totals == ["Tổng cộng", 14, 2, 9, 2, 1, 78.6, 50.0, 5, 100.0]
    # each row links to its sub-unit's own report, the chart has its bar
    assert dict(zip(section.row_units, (r[0] for r in section.rows), strict=True)) == {
        rated.ward1.pk: "Đảng bộ phường Một",
        rated.ward2.pk: "Đảng bộ xã Hai",
    }
    # small multiples: every level's share of each sub-unit, the one with
    # more good or better first (ward 2: 4 of 4; ward 1: 7 of 10) ...
    shares, cap = section.chart
    assert shares["type"] == "stacked" and shares["percent"] and shares["lead"] == 2
    assert [s["key"] for s in shares["series"]] == [
        "excellent",
        "good",
        "completed",
        "not_completed",
    ]
    svg = str(render(shares))
    assert svg.index("Đảng bộ xã Hai") < svg.index("Đảng bộ phường Một")
    assert ">100</text>" in svg and ">70</text>" in svg
    # ... and excellent out of good-or-better against the 20% cap of 124/132
    assert sorted(cap["values"]) == [0, 28.6]
    assert cap["target"] == 20.0 and cap["cap"]


def test_a_unit_without_any_review_gives_zeros_not_an_error(tree):
    table = run(tree.ward2, 2023)
    assert table.sections[0].totals == ["Tổng số được xếp loại", 0, None, 0, None, 0]
    assert table.sections[0].chart is None


def _add_ward(province, n):
    ward = make_unit(f"Đảng bộ phường Thêm {n}", level=Level.GRASSROOTS_COMMITTEE, parent=province)
    cycle = cycle_of(ward, 2025)
    for k in range(2):
        cell = make_unit(f"Chi bộ thêm {n}-{k}", parent=ward, category=Category.RESIDENTIAL)
        rate(cycle, make_member(cell), cell, G)
        rate_org(cycle, cell, G)


def test_the_query_count_does_not_grow_with_the_number_of_units(rated):
    def queries(by_children):
        with CaptureQueriesContext(connection) as ctx:
            run(rated.province, 2025, by_children=by_children)
        return len(ctx.captured_queries)

    before = queries(False), queries(True)
    for n in range(3):
        _add_ward(rated.province, n)
    after = queries(False), queries(True)
    assert after == before
    assert max(after) <= 8
    assert run(rated.province, 2025).sections[0].totals[1] == 14 + 6


def test_the_page_shows_the_table_and_the_chart_for_the_year_asked(client, rated, board):
    client.force_login(board)
    page = client.get(url(rated.ward1, year="2025"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Năm 2025" in text
    assert 'name="year" value="2025"' in text
    assert "Hoàn thành xuất sắc nhiệm vụ (HTXSNV)" in text
    assert "<svg" in text


def test_the_page_defaults_to_last_year(client, rated, board):
    client.force_login(board)
    text = client.get(url(rated.ward1)).content.decode()
    assert f"Năm {date.today().year - 1}" in text


@pytest.mark.parametrize("bad", ["hai nghìn", "20255", str(date.today().year + 1)])
def test_a_bad_year_gives_a_vietnamese_message(client, rated, board, bad):
    client.force_login(board)
    page = client.get(url(rated.ward1, year=bad))
    assert page.status_code == 400
    assert "Năm" in page.content.decode()
    assert client.get(url(rated.ward1, year=bad, format="csv")).status_code == 400


def test_a_period_across_two_years_is_refused(client, rated, board):
    client.force_login(board)
    page = client.get(url(rated.ward1, **{"from": "01/07/2024", "to": "30/06/2025"}))
    assert page.status_code == 400
    assert "cùng một năm" in page.content.decode()


def test_every_file_gives_the_same_figures(client, rated, board):
    from pypdf import PdfReader

    client.force_login(board)
    data = json.loads(client.get(url(rated.ward1, year="2025", format="json")).content)
    assert data["year"] == 2025
    assert data["scope"] == "Năm 2025"
    assert data["sections"][0]["rows"][1][1:3] == [5, 50.0]
    raw = client.get(url(rated.ward1, year="2025", format="csv")).content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(raw)))
    assert ["Hoàn thành tốt nhiệm vụ (HTTNV)", "5", "50.0", "4", "40.0", "1"] in lines
    sheet = load_workbook(
        io.BytesIO(client.get(url(rated.ward1, year="2025", format="xlsx")).content)
    ).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert ["Tổng số được xếp loại", 10, 100.0, 10, 100.0, 0] in [v[:6] for v in values]
    response = client.get(url(rated.ward1, year="2025", format="pdf"))
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Kết quả đánh giá, xếp loại chất lượng".upper() in text.upper()
    assert "Năm 2025" in text
    assert "HTXSNV" in text


@pytest.mark.parametrize("fmt", ["", "json", "csv", "xlsx", "pdf"])
def test_who_sees_which_units_ratings(client, rated, board, ward1_staff, cell_secretary, fmt):
    query = {"year": "2025", **({"format": fmt} if fmt else {})}
    client.force_login(board)
    for unit in (rated.province, rated.ward1, rated.ward2, rated.cell2a):
        assert client.get(url(unit, **query)).status_code == 200
        assert client.get(url(unit, by="children", **query)).status_code == 200
    client.force_login(ward1_staff)
    assert client.get(url(rated.ward1, **query)).status_code == 200
    assert client.get(url(rated.cell1b, **query)).status_code == 200
    for unit in (rated.province, rated.ward2, rated.cell2a):
        assert client.get(url(unit, **query)).status_code == 404
        assert client.get(url(unit, by="children", **query)).status_code == 404
    client.force_login(cell_secretary)
    assert client.get(url(rated.cell1a, **query)).status_code == 200
    assert client.get(url(rated.ward1, **query)).status_code == 404


def test_the_command_gives_a_year(rated, capsys):
    call_command("report", "ratings", "--unit", str(rated.ward1.pk), "--year", "2024")
    data = json.loads(capsys.readouterr().out)
    assert data["scope"] == "Năm 2024"
    assert [r[1] for r in data["sections"][0]["rows"]] == [1, 4, 4, 1]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--date", "31/12/2025"], "tính theo năm"),
        (["--year", "năm ngoái"], "không hợp lệ"),
    ],
)
def test_the_command_explains_a_wrong_period(rated, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("report", "ratings", "--unit", str(rated.ward1.pk), *args)


def test_year_is_refused_for_a_report_on_a_date(tree):
    with pytest.raises(CommandError, match="không tính theo năm"):
        call_command("report", "structure", "--unit", str(tree.ward1.pk), "--year", "2025")


def test_a_yearly_submission_freezes_that_years_ratings(client, rated, ward1_staff, board):
    from reports.services import submission_submit

    version = submission_submit(
        actor=ward1_staff,
        unit=rated.ward1,
        report="ratings",
        period="year",
        period_start=date(2025, 1, 1),
        today=date(2026, 1, 20),
    )
    assert version.table["scope"] == "Năm 2025"
    assert version.table["sections"][0]["totals"][1] == 10
    client.force_login(board)
    page = client.get(reverse("reports:submission", args=[version.submission.pk]))
    assert "Năm 2025" in page.content.decode()
