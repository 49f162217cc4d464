"""reads.movement counts the arrivals and departures in the database; the
first implementation, which walked every member's history day by day in
Python (tests/reports/movement_reference.py), is the definition it must
match: the same events, member by member, for every unit of the Biểu 1 world,
over whole years, half-years and single days, with and without the moves
between sub-units, before and after a restructure. And the forms read a
fixed number of queries whatever the size of the unit."""

from collections import Counter
from datetime import date

import pytest

from organizations.services import unit_move
from reports.catalogue import Params, get_report
from reports.statforms import reads
from tests.organizations.factories import decision
from tests.reports import movement_reference
from tests.reports.test_forms_movement import world  # noqa: F401

pytestmark = pytest.mark.django_db

PERIODS = [
    (date(2022, 12, 31), date(2023, 12, 31)),
    (date(2023, 12, 31), date(2024, 12, 31)),
    (date(2023, 12, 31), date(2024, 6, 30)),
    (date(2024, 6, 30), date(2024, 12, 31)),
    (date(2024, 5, 31), date(2024, 6, 15)),
    (date(2024, 2, 29), date(2024, 3, 1)),
    (date(2024, 6, 14), date(2024, 6, 15)),
    (date(2019, 12, 31), date(2025, 12, 31)),
]


def same_events(root_path, day0, day1, branches):
    def key(events):
        return Counter(
            (e.member_id, e.day, e.sign, e.cause, e.path, e.probationary) for e in events
        )

    old = movement_reference.movement(root_path, day0, day1, branches=branches)
    new = reads.movement(root_path, day0, day1, branches=branches)
    assert key(new) == key(old), (root_path, day0, day1, branches)
    tallies = reads.movement_tally(root_path, day0, day1, branches=branches)
    grouped = Counter()
    for t in tallies:
        grouped[(t.sign, t.cause, t.path if branches else None, t.probationary)] += t.n
    assert grouped == Counter(
        (e.sign, e.cause, e.path if branches else None, e.probationary) for e in old
    )
    return len(old)


def test_the_sql_finds_the_events_the_python_walk_found(world):  # noqa: F811
    seen = 0
    for unit in (world["p"], world["w"], world["x"], world["w2"], world["y1"]):
        for day0, day1 in PERIODS:
            for branches in (False, True):
                seen += same_events(unit.path, day0, day1, branches)
    assert seen > 50  # the world has events to compare


def test_and_after_a_restructure_moving_a_cell_between_wards(world):  # noqa: F811
    unit_move(actor=None, unit=world["w2"], parent=world["x"], **decision(date(2025, 2, 1)))
    for unit in (world["p"], world["w"], world["x"]):
        unit.refresh_from_db()
        same_events(unit.path, date(2024, 12, 31), date(2025, 12, 31), False)
        if unit != world["p"]:
            same_events(unit.path, date(2024, 12, 31), date(2025, 12, 31), True)


def test_a_cell_moved_between_two_sub_units_moves_its_members_between_their_rows(world):  # noqa: F811
    """Where the first implementation differed: inside the province, a cell
    moved from ward W to ward X took its members from W's row to X's, but it
    counted no move between them, so W's row lost members from A to D with
    no decrease. Now the move is one of each row (and none of the province)."""
    unit_move(actor=None, unit=world["w2"], parent=world["x"], **decision(date(2025, 2, 1)))
    p = world["p"]
    p.refresh_from_db()
    old = movement_reference.movement(p.path, date(2024, 12, 31), date(2025, 12, 31), branches=True)
    new = reads.movement(p.path, date(2024, 12, 31), date(2025, 12, 31), branches=True)
    extra = Counter((e.day, e.sign, e.cause) for e in new) - Counter(
        (e.day, e.sign, e.cause) for e in old
    )
    # W2's five members on 01/02/2025: out of W's row, into X's
    assert extra == {
        (date(2025, 2, 1), -1, reads.INTERNAL): 5,
        (date(2025, 2, 1), 1, reads.INTERNAL): 5,
    }
    table = get_report("member_movement").run(
        p, Params(start=date(2025, 1, 1), end=date(2025, 12, 31), by_children=True)
    )
    for name, start, increases, _admitted, decreases, _death, end in table.sections[0].rows:
        assert start + increases - decreases == end, name
    assert all(c["ok"] for c in table.form["checks"]), table.form["checks"]


@pytest.mark.parametrize("name", ["member_movement", "badges_cards_transfers"])
def test_the_form_reads_as_many_queries_for_a_ward_as_for_the_province(world, name):  # noqa: F811
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    report = get_report(name)
    period = Params(start=date(2024, 1, 1), end=date(2024, 12, 31))
    counts = {}
    for unit in (world["x"], world["w"], world["p"]):
        for by_children in (False, True):
            params = Params(start=period.start, end=period.end, by_children=by_children)
            with CaptureQueriesContext(connection) as queries:
                report.run(unit, params)
            counts[(unit.name, by_children)] = len(queries)
    # two wards and the province: the same queries, however many
    # members and events each has
    assert len({n for (_unit, by), n in counts.items() if not by}) == 1, counts
    assert len({n for (_unit, by), n in counts.items() if by}) == 1, counts
