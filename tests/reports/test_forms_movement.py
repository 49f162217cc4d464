"""Biểu 1 (tăng, giảm đảng viên) from a small history with a known answer for
every row: each kind of increase and decrease, a temporary transfer and a
transfer inside the ward that must not count, the identities, the version
chosen by the period, and a later restructure that leaves a past form as it
was."""

from datetime import date

import pytest

from members.rules import RemovalGround
from members.services import (
    member_admit,
    member_expel,
    member_propose_candidate,
    member_record_death,
    member_reject,
    member_remove,
    member_restore,
    member_return_temporary,
    member_transfer_out,
    member_transfer_permanent,
    member_transfer_temporary,
)
from organizations.models import Level
from organizations.services import unit_move
from reports.catalogue import Params, get_report
from reports.statforms.base import value_of
from tests.factories import make_member, make_unit
from tests.organizations.factories import decision

pytestmark = pytest.mark.django_db

YEAR = Params(start=date(2024, 1, 1), end=date(2024, 12, 31))


def admit(cell, helpers, *, proposed, decided):
    candidate = member_propose_candidate(
        actor=None,
        unit=cell,
        proposed_on=proposed,
        helpers=helpers,
        full_name="Lê Thị Mới",
        gender="F",
        birth_date=date(1998, 5, 5),
    )
    return member_admit(actor=None, member=candidate, decided_on=decided, ceremony_on=decided)


@pytest.fixture
def world(db):
    """Ward W (cells W1, W2) and ward X (cell X1) of province P; cell Y1 of
    province Q. Ward W's 2024: every kind of increase and decrease once."""
    p = make_unit("Đảng bộ tỉnh P", level=Level.PROVINCIAL, founded_on=date(1990, 1, 1))
    q = make_unit("Đảng bộ tỉnh Q", level=Level.PROVINCIAL, founded_on=date(1990, 1, 1))
    w = make_unit("Đảng bộ phường W", level=Level.GRASSROOTS_COMMITTEE, parent=p)
    x = make_unit("Đảng bộ phường X", level=Level.GRASSROOTS_COMMITTEE, parent=p)
    y = make_unit("Đảng bộ xã Y", level=Level.GRASSROOTS_COMMITTEE, parent=q)
    w1, w2 = make_unit("Chi bộ W1", parent=w), make_unit("Chi bộ W2", parent=w)
    x1, y1 = make_unit("Chi bộ X1", parent=x), make_unit("Chi bộ Y1", parent=y)
    m1 = [make_member(w1) for _ in range(6)]
    m2 = [make_member(w2) for _ in range(5)]
    xs = [make_member(x1) for _ in range(4)]
    ys = [make_member(y1) for _ in range(3)]
    removed_long_ago = make_member(w1)
    member_remove(
        actor=None, member=removed_long_ago, day=date(2020, 3, 1), ground=RemovalGround.OTHER
    )
    # 2023: one admission (probationary at the end of 2023)
    probationary = admit(w2, m2[:2], proposed=date(2022, 9, 1), decided=date(2023, 6, 1))
    # 2024
    admit(w1, m1[:2], proposed=date(2023, 9, 1), decided=date(2024, 3, 1))  # B1
    member_transfer_permanent(actor=None, member=ys[0], unit=w2, day=date(2024, 4, 1))  # B2a
    member_transfer_permanent(actor=None, member=xs[0], unit=w1, day=date(2024, 5, 1))  # B2b
    member_restore(actor=None, member=removed_long_ago, unit=w1, day=date(2024, 6, 1))  # B3
    member_record_death(actor=None, member=m1[1], day=date(2024, 7, 1))  # C1
    member_expel(actor=None, member=m1[2], day=date(2024, 7, 15), fault="Vi phạm")  # C2
    member_reject(actor=None, member=probationary, day=date(2024, 7, 20))  # C3, dự bị
    member_remove(
        actor=None, member=m1[3], day=date(2024, 8, 1), ground=RemovalGround.LEFT_PARTY
    )  # C4
    member_transfer_permanent(actor=None, member=m2[2], unit=y1, day=date(2024, 9, 1))  # C5a
    member_transfer_permanent(actor=None, member=m2[3], unit=x1, day=date(2024, 10, 1))  # C5b
    # not counted: a temporary transfer out and back, one in; a move inside the ward
    member_transfer_temporary(
        actor=None, member=m1[4], host=x1, day=date(2024, 2, 1), until=date(2024, 11, 1)
    )
    member_transfer_temporary(actor=None, member=xs[1], host=w1, day=date(2024, 3, 1))
    member_transfer_permanent(actor=None, member=m1[5], unit=w2, day=date(2024, 6, 15))
    member_return_temporary(actor=None, member=m1[4], day=date(2024, 10, 1))
    return {"p": p, "w": w, "x": x, "w2": w2, "y1": y1, "m2": m2}


def run(unit, params=YEAR, name="member_movement"):
    return get_report(name).run(unit, params)


def figures(table, column="this"):
    return {code: value_of(table, code, column) for code in table.sections[0].codes}


def test_every_row_of_the_ward_form(world):
    table = run(world["w"])
    got = figures(table)
    assert got == {
        "A": 12,  # W1 6 + W2 5 + the probationary admitted in 2023
        "B": 4,
        "B1": 1,
        "B2": 2,
        "B2a": 1,
        "B2b": 1,
        "B3": 1,
        "C": 6,
        "C1": 1,
        "C2": 1,
        "C3": 1,
        "C3a": 1,
        "C4": 1,
        "C5": 2,
        "C5a": 1,
        "C5b": 1,
        "D": 10,
    }
    # the same period a year before: one admission, nothing else
    last = figures(table, "last")
    assert (last["A"], last["B"], last["B1"], last["C"], last["D"]) == (11, 1, 1, 0, 12)
    assert table.form["number"] == "Biểu số 1-BTCTW" and table.form["set"] == "2017"
    assert all(c["ok"] for c in table.form["checks"]), table.form["checks"]
    assert table.form["checks"][0]["label"] == "D = A + B − C"
    assert table.form["period_line"] == "Năm 2024"


def test_the_province_sees_only_what_crossed_its_boundary(world):
    got = figures(run(world["p"]))
    # the transfers between wards W and X are inside province P
    assert (got["B2a"], got["B2b"], got["C5a"], got["C5b"]) == (1, 0, 1, 0)
    assert got["D"] == got["A"] + got["B"] - got["C"]


def test_the_other_ward_counts_its_side_of_the_transfers(world):
    got = figures(run(world["x"]))
    assert (got["B2b"], got["C5b"], got["B"], got["C"]) == (1, 1, 1, 1)
    assert got["A"] == got["D"] == 4


def test_a_2016_period_prints_the_2012_set_with_e_and_g(world):
    table = run(world["w"], Params(start=date(2016, 1, 1), end=date(2016, 12, 31)))
    assert table.form["set"] == "2012" and table.form["number"] == "Biểu số 1-TCTW"
    codes = table.sections[0].codes
    assert "E" in codes and "G" in codes and "C3a" not in codes
    assert table.form["title"] == "BÁO CÁO TĂNG GIẢM ĐẢNG VIÊN"
    assert {p["code"] for p in table.form["proxies"]} == {"G"}
    # W1 6 + W2 5 + the one removed in 2020; no movement; all present
    assert [value_of(table, c) for c in ("A", "B", "C", "D", "E", "G")] == [12, 0, 0, 12, 0, 12]


def test_g_counts_who_is_present_on_the_last_day(world):
    """G (2012 set): D less this list's members temporarily away, plus other
    lists' members temporarily here."""
    from reports.statforms.movement import _present_correction

    # 01/04/2024: a W1 member away at X1, an X1 member here at W1
    assert _present_correction(world["w"].path, date(2024, 4, 1)) == 0
    # 15/10/2024: the W1 member is back, the X1 member is still at W1
    assert _present_correction(world["w"].path, date(2024, 10, 15)) == 1
    assert _present_correction(world["x"].path, date(2024, 10, 15)) == -1
    assert _present_correction(world["p"].path, date(2024, 10, 15)) == 0


def test_a_later_restructure_leaves_the_past_form_unchanged(world):
    before = run(world["w"]).as_dict()
    unit_move(actor=None, unit=world["w2"], parent=world["x"], **decision(date(2025, 2, 1)))
    assert run(world["w"]).as_dict() == before
    # and 2025 counts the move: W2's members left ward W for ward X
    moved = figures(run(world["w"], Params(start=date(2025, 1, 1), end=date(2025, 12, 31))))
    assert moved["C5b"] == moved["A"] - moved["D"] > 0


def test_a_transfer_out_inside_the_district_warns_naming_the_rows(world):
    # "inside the same district": a decrease of the ward that neither a) nor b) names
    member_transfer_out(
        actor=None,
        member=world["m2"][4],
        day=date(2024, 11, 1),
        destination="Phường bên cạnh",
        destination_kind="internal",
    )
    table = run(world["w"])
    assert value_of(table, "C5") == 3 and value_of(table, "C5a") + value_of(table, "C5b") == 2
    failed = [c for c in table.form["checks"] if not c["ok"]]
    assert [c["rows"] for c in failed] == [["C5", "C5a", "C5b"]]
    assert "C5, C5a, C5b" in table.form["warnings"][0]


def test_the_breakdown_by_cell_adds_up(world):
    table = get_report("member_movement").run(
        world["w"], Params(start=YEAR.start, end=YEAR.end, by_children=True)
    )
    rows = {r[0]: r[1:] for r in table.sections[0].rows}
    # W1: 6 + 1 admitted + 1 in + 1 restored − death − expelled − left − moved to W2
    assert rows["Chi bộ W1"] == [6, 3, 1, 4, 1, 5]
    assert rows["Chi bộ W2"] == [6, 2, 0, 3, 0, 5]
    assert table.sections[0].totals[1] == 12 and table.sections[0].totals[-1] == 10
    # the sub-units add up to the ward: A, D and the net movement
    assert [c["ok"] for c in table.form["checks"]] == [True, True, True]
    province = get_report("member_movement").run(
        world["p"], Params(start=YEAR.start, end=YEAR.end, by_children=True)
    )
    assert all(c["ok"] for c in province.form["checks"]), province.form["checks"]


def test_members_who_only_visit_are_not_on_the_list(world):
    # the X1 member temporarily at W1 since 01/03/2024 stays on ward X's list
    assert figures(run(world["x"]))["D"] == 4
    assert (
        figures(run(world["w"], Params(start=date(2024, 3, 1), end=date(2024, 3, 1))))["B"] == 1
    )  # the admission of 01/03, not the visitor


def test_a_transfer_out_of_the_system_counts_where_the_office_said_it_went(world):
    member = world["m2"][4]
    member_transfer_out(
        actor=None,
        member=member,
        day=date(2024, 11, 1),
        destination="Hà Nội",
        destination_kind="other_province",
    )
    table = run(world["w"])
    assert (value_of(table, "C5"), value_of(table, "C5a"), value_of(table, "C5b")) == (3, 2, 1)
    assert all(c["ok"] for c in table.form["checks"])


def test_a_member_received_from_outside_counts_where_they_came_from(world):
    from members.services import member_receive

    for n, scope in enumerate(("other_province", "other_district")):
        member_receive(
            actor=None,
            unit=world["w2"],
            day=date(2024, 12, 1),
            arrived_from=scope,
            full_name=f"Người Chuyển Đến {n}",
            gender="M",
            birth_date=date(1985, 1, 1),
            admitted_on=date(2010, 1, 1),
            official_on=date(2011, 1, 1),
        )
    table = run(world["w"])
    assert (value_of(table, "B2"), value_of(table, "B2a"), value_of(table, "B2b")) == (4, 2, 2)
    assert value_of(table, "D") == 12 and all(c["ok"] for c in table.form["checks"])


def test_restoring_needs_a_removed_or_expelled_member(world):
    from chibo.errors import ServiceError

    with pytest.raises(ServiceError, match="không phải người đã bị xóa tên hoặc khai trừ"):
        member_restore(actor=None, member=world["m2"][0], unit=world["w2"], day=date(2024, 6, 1))
