"""Biểu 2 section III: the grassroots organizations at the period's end,
"trong đó có kết nạp" from the period's admissions and "không còn quần
chúng" from the dated flag, in both form sets, with a small history of
known answers."""

import json
from datetime import date

import pytest

from organizations.models import Level
from organizations.services import unit_move, unit_set_type
from reports import exports
from reports.catalogue import Params, get_report
from reports.statforms.base import value_of
from tests.factories import make_member, make_unit
from tests.organizations.factories import decision
from tests.reports.test_forms_movement import YEAR, admit

pytestmark = pytest.mark.django_db

III = 1  # the section's index in Biểu 2


@pytest.fixture
def province(db):
    """Committees W (admits in 2024) and X (no non-members left from
    01/06/2024), grassroots cells G (admitted in 2023 only) and H; a
    committee N under W (a đảng bộ bộ phận: not a grassroots organization of
    the province's count)."""
    p = make_unit("Đảng bộ tỉnh P", level=Level.PROVINCIAL, founded_on=date(1990, 1, 1))
    w = make_unit("Đảng bộ phường W", level=Level.GRASSROOTS_COMMITTEE, parent=p)
    x = make_unit("Đảng bộ xã X", level=Level.GRASSROOTS_COMMITTEE, parent=p)
    g = make_unit("Chi bộ cơ sở G", level=Level.GRASSROOTS_CELL, parent=p)
    h = make_unit("Chi bộ cơ sở H", level=Level.GRASSROOTS_CELL, parent=p)
    n = make_unit("Đảng bộ bộ phận N", level=Level.GRASSROOTS_COMMITTEE, parent=w)
    w1, x1, n1 = (make_unit(f"Chi bộ {c}1", parent=u) for c, u in (("W", w), ("X", x), ("N", n)))
    helpers = {u.pk: [make_member(u) for _ in range(2)] for u in (w1, x1, g, h, n1)}
    admit(w1, helpers[w1.pk], proposed=date(2023, 9, 1), decided=date(2024, 3, 1))
    admit(n1, helpers[n1.pk], proposed=date(2023, 9, 1), decided=date(2024, 4, 1))
    admit(g, helpers[g.pk], proposed=date(2022, 9, 1), decided=date(2023, 5, 1))
    admit(w1, helpers[w1.pk], proposed=date(2015, 12, 1), decided=date(2016, 9, 1))
    unit_set_type(actor=None, unit=x, effective_on=date(2024, 6, 1), no_masses=True)
    unit_set_type(actor=None, unit=h, effective_on=date(2015, 1, 1), no_masses=True)
    return {"p": p, "w": w, "x": x, "g": g, "h": h, "w1": w1}


def figures(t, column="this"):
    s = t.sections[III]
    return {code: value_of(t, code, column, III) for code in s.codes}


def test_section_iii_2017_counts_organizations_admitting_and_without_masses(province):
    t = get_report("new_members").run(province["p"], YEAR)
    assert t.form["set"] == "2017"
    assert figures(t) == {
        "III": 4,
        "III.1": 2, "III.1a": 1, "III.1b": 1,  # W admitted (also through N); X since 06/2024
        "III.2": 2, "III.2a": 0, "III.2b": 1,  # G admitted in 2023 only; H
    }  # fmt: skip
    assert figures(t, "last") == {
        "III": 4,
        "III.1": 2, "III.1a": 0, "III.1b": 0,
        "III.2": 2, "III.2a": 1, "III.2b": 1,
    }  # fmt: skip
    s = t.sections[III]
    assert s.rows[s.codes.index("III.1a")][1] == "Trong đó: + Có kết nạp đảng viên"
    # section I is unchanged: the two admissions of 2024, in W's cell and N's
    assert value_of(t, "I") == 2


def test_section_iii_for_one_committee_counts_itself(province):
    t = get_report("new_members").run(province["w"], YEAR)
    assert (value_of(t, "III.1", section=III), value_of(t, "III.1a", section=III)) == (1, 1)
    assert value_of(t, "III.2", section=III) == 0


def test_an_admission_counts_for_the_organization_its_cell_was_under_that_day(province):
    # W1 admitted on 01/03/2024 under W, then moved to X on 01/09/2024: the
    # admission is W's (as is N1's), not X's, although W1 is X's at the end
    unit_move(actor=None, unit=province["w1"], parent=province["x"], **decision(date(2024, 9, 1)))
    t = get_report("new_members").run(province["p"], YEAR)
    assert figures(t)["III.1"] == 2
    assert figures(t)["III.1a"] == 1
    assert value_of(t, "I") == 2
    x = get_report("new_members").run(province["x"], YEAR)
    assert (value_of(x, "I"), value_of(x, "III.1a", section=III)) == (0, 0)
    w = get_report("new_members").run(province["w"], YEAR)
    assert (value_of(w, "I"), value_of(w, "III.1a", section=III)) == (2, 1)


def test_section_iii_2012_prints_units_without_an_organization_as_a_gap(province):
    t = get_report("new_members").run(
        province["p"], Params(start=date(2016, 1, 1), end=date(2016, 12, 31))
    )
    assert t.form["set"] == "2012"
    got = figures(t)
    assert got == {
        "III": None,
        "III.1": None,
        "III.2": 4,
        "III.2a": 1,  # W, the 2016 admission
        "III.2b": 1,  # H since 2015; X not yet
    }
    gaps = {p["code"]: p["why"] for p in t.form["proxies"]}
    assert "chưa có tổ chức cơ sở đảng" in gaps["III.1"]
    s = t.sections[III]
    assert s.rows[s.codes.index("III.1")][1] == "1. Chưa có tổ chức cơ sở đảng"


def test_the_json_and_xlsx_carry_section_iii(province):
    from io import BytesIO

    from openpyxl import load_workbook

    t = get_report("new_members").run(province["p"], YEAR)
    data = json.loads(exports.render(t, "json"))
    rows = {r["code"]: r for r in data["lines"][III]["rows"]}
    assert rows["III.1b"]["values"] == {"this": 1, "last": 0, "pct": None}
    assert rows["III.2"]["label"] == "2. Chi bộ cơ sở"
    sheet = load_workbook(BytesIO(exports.render(t, "xlsx"))).active
    cells = {c.value: c for row in sheet.iter_rows() for c in row if c.value is not None}
    assert "+ Không còn quần chúng" in cells
    total = next(
        c for v, c in cells.items() if v == "III. Số tổ chức cơ sở đảng có đến cuối kỳ báo cáo"
    )
    formula = sheet.cell(row=total.row, column=total.column + 1).value
    # III adds III.1 and III.2: a formula an office can follow
    assert str(formula).startswith("="), formula
