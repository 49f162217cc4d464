"""Every report of the catalogue, broken down by sub-unit, adds up to its
summary: the rows of each additive column sum to the figures the report
declares (Report.sums_to), on dates before, between and after a dissolution
with redistribution and a merge, and over a period containing both. A
sub-unit dissolved (or founded) in the period keeps its row, marked.

The test iterates the registry, so a report added later is checked too,
and fails until it says how its breakdown adds up."""

import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date

import pytest

from meetings.models import AttendanceStatus
from members.choices import CardEvent
from members.services import badge_record, card_issue
from organizations.models import AdministrativeUnit, Body, Category, CommunityPost, Level, Position
from organizations.services import community_post_assign, population_record, term_open
from reports import charts
from reports.catalogue import Params, catalogue
from reviews.rules import Level as Rating
from structure.services import seat_assign, unit_dissolve, unit_merge
from tests.factories import make_member, make_unit
from tests.meetings.factories import make_meeting, take_attendance
from tests.organizations.factories import decision
from tests.reports.factories import bulk_admitted, locality
from tests.reports.test_ratings import cycle_of, rate, rate_org

pytestmark = pytest.mark.django_db

DISSOLVED = date(2025, 6, 15)
MERGED = date(2025, 9, 1)
START, END = date(2025, 1, 1), date(2025, 12, 31)
DAYS = [date(2025, 3, 1), date(2025, 7, 1), date(2025, 10, 1), END]


@pytest.fixture
def province(db):
    """A province with three ward committees and two grassroots cells. In
    2025 the grassroots cell H and ward A's agency cell are dissolved (15/06)
    and their members sent to cells of two wards; wards B and C are merged
    (01/09) into a new ward BC."""
    p = make_unit("Đảng bộ tỉnh Tổng", level=Level.PROVINCIAL, founded_on=date(1990, 1, 1))
    a = make_unit(
        "Đảng bộ xã A",
        level=Level.GRASSROOTS_COMMITTEE,
        parent=p,
        administrative_unit=locality(AdministrativeUnit.Kind.COMMUNE),
    )
    b = make_unit(
        "Đảng bộ phường B",
        level=Level.GRASSROOTS_COMMITTEE,
        parent=p,
        administrative_unit=locality(AdministrativeUnit.Kind.WARD),
    )
    c = make_unit(
        "Đảng bộ thị trấn C",
        level=Level.GRASSROOTS_COMMITTEE,
        parent=p,
        administrative_unit=locality(AdministrativeUnit.Kind.TOWNSHIP),
    )
    g = make_unit(
        "Chi bộ cơ sở G", level=Level.GRASSROOTS_CELL, parent=p, category=Category.ENTERPRISE
    )
    h = make_unit("Chi bộ cơ sở H", level=Level.GRASSROOTS_CELL, parent=p, category=Category.HEALTH)
    a1 = make_unit("Chi bộ thôn A1", parent=a, category=Category.VILLAGE)
    a2 = make_unit("Chi bộ cơ quan xã A", parent=a, category=Category.AGENCY)
    a3 = make_unit("Chi bộ trường A3", parent=a, category=Category.SCHOOL)
    b1 = make_unit("Chi bộ khu phố B1", parent=b, category=Category.RESIDENTIAL)
    c1 = make_unit("Chi bộ cơ quan thị trấn C", parent=c, category=Category.AGENCY)
    m = {
        cell: [make_member(cell, is_civil_servant=i % 2 == 0, is_retired=i == 3) for i in range(n)]
        for cell, n in ((a1, 6), (a2, 5), (a3, 4), (b1, 4), (c1, 3), (g, 3), (h, 4))
    }
    # a badge and a reissued card (badges_cards_transfers)
    veteran = make_member(a1, admitted_on=date(1985, 1, 1), official_on=date(1986, 1, 1))
    badge_record(
        actor=None, member=veteran, years=40, decision_number="7-QĐ/TU", day=date(2025, 2, 3)
    )
    card_issue(
        actor=None,
        member=veteran,
        number="99000001",
        event=CardEvent.REISSUED,
        day=date(2025, 3, 1),
    )
    newcomers = bulk_admitted(a2, 2, admitted_on=date(2025, 3, 10))
    bulk_admitted(c1, 1, admitted_on=date(2024, 4, 1), recognized_on=date(2025, 4, 2))
    newcomers_h = bulk_admitted(h, 1, admitted_on=date(2025, 2, 1))
    # committees, a village head, households and people
    term = term_open(actor=None, unit=a, congress_on=date(2020, 10, 1))
    for member, position, body in (
        (m[a1][0], Position.SECRETARY, Body.EXECUTIVE),
        (m[a2][0], Position.COMMITTEE_MEMBER, Body.EXECUTIVE),
        (m[a1][0], Position.SECRETARY, Body.STANDING),
    ):
        seat_assign(
            actor=None,
            term=term,
            member=member,
            position=position,
            body=body,
            valid_from=date(2020, 10, 1),
        )
    cell_term = term_open(actor=None, unit=a1, congress_on=date(2022, 1, 1))
    for member in m[a1][:3]:
        seat_assign(
            actor=None,
            term=cell_term,
            member=member,
            position=Position.COMMITTEE_MEMBER,
            body=Body.CELL_COMMITTEE,
            valid_from=date(2022, 1, 1),
        )
    community_post_assign(
        actor=None,
        unit=a1,
        kind=CommunityPost.Kind.VILLAGE_HEAD,
        member=m[a1][1],
        valid_from=date(2022, 1, 1),
    )
    community_post_assign(
        actor=None,
        unit=b1,
        kind=CommunityPost.Kind.FRONT_HEAD,
        person_name="Lê Văn Dân",
        valid_from=date(2022, 1, 1),
    )
    population_record(
        actor=None, unit=a, counted_on=date(2024, 12, 31), households=900, people=3500
    )
    population_record(
        actor=None, unit=a1, counted_on=date(2024, 12, 31), households=300, people=1100
    )
    population_record(
        actor=None, unit=b, counted_on=date(2024, 12, 31), households=3815, people=13874
    )
    # meetings of cells that are dissolved or merged later in the year
    for cell, month in ((a2, 2), (a2, 5), (b1, 3), (c1, 7), (a1, 4), (h, 5)):
        meeting = make_meeting(cell, held_on=date(2025, month, 10))
        take_attendance(meeting, {m[cell][1]: AttendanceStatus.UNEXCUSED})
    # dues paid in cells that are dissolved or merged later in the year, and after
    from dues.services import Entry, dues_collect

    for cell, month in ((a2, 2), (b1, 3), (c1, 7), (a1, 4), (h, 5), (g, 5)):
        dues_collect(
            actor=None,
            unit=cell,
            month=date(2025, month, 1),
            entries={
                x.pk: Entry(10_000, channel="portal" if i else "cash")
                for i, x in enumerate(m[cell][:2])
            },
        )
    # ratings: a 2025 review rated in ward C's cell (its path then) before the merge
    rate(cycle_of(c, 2025), m[c1][0], c1, Rating.GOOD)
    for member in m[a1]:
        rate(cycle_of(a, 2025), member, a1, Rating.EXCELLENT if member == m[a1][0] else Rating.GOOD)
    rate_org(cycle_of(a, 2025), a1, Rating.GOOD)
    rate_org(cycle_of(a, 2025), a, Rating.EXCELLENT)
    rate_org(cycle_of(b, 2024), b, Rating.GOOD)
    # the restructures of the year
    movers = [*m[a2], *newcomers]
    unit_dissolve(
        actor=None,
        unit=a2,
        assignments={x.pk: (a1 if i % 2 else a3) for i, x in enumerate(movers)},
        **decision(DISSOLVED, "12-QĐ/ĐU"),
    )
    # the health grassroots cell is dissolved and its members sent to two wards' cells
    unit_dissolve(
        actor=None,
        unit=h,
        assignments={x.pk: (a1 if i % 2 else b1) for i, x in enumerate([*m[h], *newcomers_h])},
        **decision(DISSOLVED, "13-QĐ/TU"),
    )
    merge = unit_merge(
        actor=None, units=[b, c], name="Đảng bộ phường BC", parent=p, **decision(MERGED, "30-QĐ/TU")
    )
    return {"p": p, "a": a, "b": b, "c": c, "a2": a2, "bc": merge.data["into"]}


def figure(table, spec):
    section_index, row, key = spec
    section = table.sections[section_index]
    if row == "rows":
        return len(section.rows)
    line = section.totals if row == "totals" else section.rows[row]
    index = [c.key for c in section.columns].index(key)
    return line[index] or 0


def params_of(report):
    if report.periodic:
        return [Params(start=START, end=END)]
    return [Params(day=d) for d in DAYS]


def test_every_reports_breakdown_adds_up_to_its_summary(province):
    checked = []
    for report in catalogue():
        assert report.sums_to, f"{report.name}: say how its breakdown adds up (Report.sums_to)"
        # the province: no figure of its own (it is neither a grassroots
        # organization nor a locality, is not rated, has no members placed in
        # it), so its sub-units carry every figure of its summary
        for root in (province["p"],):
            for params in params_of(report):
                summary = report.run(root, params)
                breakdown = report.run(root, replace(params, by_children=True))
                section = breakdown.sections[0]
                keys = [c.key for c in section.columns]
                for column, specs in report.sums_to.items():
                    i = keys.index(column)
                    rows = sum(r[i] or 0 for r in section.rows)
                    expected = sum(figure(summary, spec) for spec in specs)
                    assert rows == expected, (report.name, root.name, params, column)
                    checked.append((report.name, column, expected))
    assert {name for name, _c, _n in checked} == {r.name for r in catalogue()}
    # the identity is not all zeros: the data reaches every report
    nonzero = {name for name, _c, n in checked if n}
    assert nonzero == {r.name for r in catalogue()}


def test_a_periods_breakdown_keeps_the_dissolved_and_the_founded_sub_units(province):
    for report in catalogue():
        if not report.periodic:
            continue
        params = Params(start=START, end=END, by_children=True)
        labels = [r[0] for r in report.run(province["p"], params).sections[0].rows]
        assert "Đảng bộ phường B (đã giải thể từ 01/09/2025)" in labels, report.name
        assert "Đảng bộ thị trấn C (đã giải thể từ 01/09/2025)" in labels, report.name
        assert "Đảng bộ phường BC (thành lập từ 01/09/2025)" in labels, report.name
        assert "Chi bộ cơ sở H (đã giải thể từ 15/06/2025)" in labels, report.name
        cells = [r[0] for r in report.run(province["a"], params).sections[0].rows]
        assert "Chi bộ cơ quan xã A (đã giải thể từ 15/06/2025)" in cells, report.name
    # on a date, the sub-units of that date
    structure = next(r for r in catalogue() if r.name == "structure")
    labels = [
        r[0]
        for r in structure.run(province["p"], Params(day=END, by_children=True)).sections[0].rows
    ]
    assert labels == ["Chi bộ cơ sở G", "Đảng bộ phường BC", "Đảng bộ xã A"]


def test_meetings_of_a_merged_wards_cells_stay_with_the_ward_they_were_held_in(province):
    report = next(r for r in catalogue() if r.name == "meeting_attendance")
    section = report.run(province["p"], Params(start=START, end=END, by_children=True)).sections[0]
    held = {r[0].split(" (")[0]: r[2] for r in section.rows}
    # B1 met in March under ward B, C1 in July under ward C: before the merge
    assert held["Đảng bộ phường B"] == 1 and held["Đảng bộ thị trấn C"] == 1
    assert held["Đảng bộ phường BC"] == 0 and held["Đảng bộ xã A"] == 3


def _bar_figures(svg: str) -> list[tuple[str, float]]:
    """(row label, the figure written at its bar's end), top to bottom."""
    ns = "{http://www.w3.org/2000/svg}"
    out = []
    for g in ET.fromstring(svg).findall(f"{ns}g"):
        texts = [t.text for t in g.findall(f"{ns}text")]
        out.append((texts[0], float(texts[-1].replace(".", "").replace(",", "."))))
    return out


def test_every_reports_breakdown_compares_its_sub_units_in_sorted_charts(province):
    """Breakdowns have charts: sorted bars (or stacked parts), one chart per
    figure when there are several (small multiples), each naming every row."""
    for report in catalogue():
        params = params_of(report)[-1]
        section = report.run(province["p"], replace(params, by_children=True)).sections[0]
        specs = charts.specs(section.chart)
        assert specs, f"{report.name}: its breakdown has no chart"
        svgs = charts.svgs(section.chart)
        assert len(svgs) == len(specs), report.name
        rows = sorted(
            str(r[0]) if len(str(r[0])) <= 46 else str(r[0])[:45] + "…" for r in section.rows
        )
        for spec, svg in zip(specs, svgs, strict=True):
            assert spec.get("sort"), (report.name, spec["title"])
            bars = _bar_figures(svg)
            assert sorted(label for label, _n in bars) == rows, report.name
            figures = [n for _label, n in bars]
            assert figures == sorted(figures, reverse=True), (report.name, spec["title"], bars)
