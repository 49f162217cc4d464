"""Every report of the catalogue reads its figures in a number of queries
that does not grow with the data (issue 14: a province's 1,000 sub-units, a
national root's 52,000): the summary and the breakdown by sub-unit of the
province, and a ward's summary, count the same queries after another ward,
a grassroots cell and their members, meetings, dues and ratings are added.

The test iterates the registry, so a report added later is checked too."""

from dataclasses import replace
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings.models import AttendanceStatus
from organizations.models import AdministrativeUnit, Category, Level
from reports.catalogue import Params, catalogue
from reviews.rules import Level as Rating
from tests.factories import make_member, make_unit
from tests.meetings.factories import make_meeting, take_attendance
from tests.reports.factories import bulk_admitted, locality
from tests.reports.test_breakdown_sums import END, START, province  # noqa: F401 (fixture)
from tests.reports.test_ratings import cycle_of, rate, rate_org

pytestmark = pytest.mark.django_db

# a report's queries: none per unit or member, a few per section and per
# official form's cross-check (member_movement reads the most)
MOST = 60


def grow(p) -> None:
    """A ward with three cells and a grassroots cell, each with members who
    met, paid their dues and were rated in 2025."""
    from dues.services import Entry, dues_collect

    ward = make_unit(
        "Đảng bộ phường D",
        level=Level.GRASSROOTS_COMMITTEE,
        parent=p,
        administrative_unit=locality(AdministrativeUnit.Kind.WARD),
    )
    cells = [
        make_unit(f"Chi bộ D{i}", parent=ward, category=category)
        for i, category in enumerate((Category.RESIDENTIAL, Category.AGENCY, Category.SCHOOL))
    ]
    cells.append(
        make_unit("Chi bộ cơ sở K", level=Level.GRASSROOTS_CELL, parent=p, category=Category.HEALTH)
    )
    for cell in cells:
        members = [make_member(cell, is_civil_servant=i % 2 == 0) for i in range(4)]
        bulk_admitted(cell, 2, admitted_on=date(2025, 3, 10))
        meeting = make_meeting(cell, held_on=date(2025, 5, 10))
        take_attendance(meeting, {members[1]: AttendanceStatus.UNEXCUSED})
        dues_collect(
            actor=None,
            unit=cell,
            month=date(2025, 5, 1),
            entries={m.pk: Entry(10_000, channel="cash") for m in members[:2]},
        )
        committee = ward if cell.parent_id == ward.pk else cell
        for member in members:
            rate(cycle_of(committee, 2025), member, cell, Rating.GOOD)
        rate_org(cycle_of(committee, 2025), cell, Rating.GOOD)


def params_of(report) -> Params:
    return Params(start=START, end=END) if report.periodic else Params(day=END)


def queries(report, unit, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        report.run(unit, params)
    return len(ctx.captured_queries)


def test_no_report_reads_more_queries_for_more_units_and_members(province):  # noqa: F811
    def measure() -> dict:
        out = {}
        for report in catalogue():
            params = params_of(report)
            out[report.name] = (
                queries(report, province["p"], params),
                queries(report, province["p"], replace(params, by_children=True)),
                queries(report, province["a"], params),
            )
        return out

    measure()  # what is read once per process (rule sets, content types)
    before = measure()
    grow(province["p"])
    after = measure()
    grown = {name: (before[name], after[name]) for name in before if after[name] != before[name]}
    assert grown == {}, "(summary, breakdown, ward) queries before and after: " + repr(grown)
    # the dues report included: it reads the period's versions once, not
    # each month's tree (it took 78 queries for a year)
    assert max(max(v) for v in after.values()) <= MOST, sorted(
        after.items(), key=lambda i: -max(i[1])
    )
