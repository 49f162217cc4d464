"""Biểu 5 (grassroots organizations by type), 7A and 7B (ratings) from a small
province with a known answer, and the query count of every form constant in
the size of the unit."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.services import member_exempt
from organizations.models import AdministrativeUnit, Category, Level
from reports.catalogue import Params, catalogue, get_report
from reports.statforms.base import FormReport, value_of
from tests.factories import make_member, make_unit
from tests.reports.factories import locality
from tests.reports.test_ratings import E, G, cycle_of, rate, rate_org

pytestmark = pytest.mark.django_db


def province(n_cells: int = 2):
    p = make_unit("Đảng bộ tỉnh P", level=Level.PROVINCIAL, founded_on=date(1990, 1, 1))
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
    g = make_unit(
        "Chi bộ cơ sở công ty G",
        level=Level.GRASSROOTS_CELL,
        parent=p,
        category=Category.ENTERPRISE,
        founded_on=date(2024, 3, 1),
    )
    cells = [make_unit(f"Chi bộ A{i}", parent=a) for i in range(n_cells)]
    cells += [make_unit("Chi bộ B1", parent=b)]
    members = {c.pk: [make_member(c) for _ in range(3)] for c in cells}
    members[g.pk] = [make_member(g, since=date(2024, 3, 1)) for _ in range(2)]
    return {"p": p, "a": a, "b": b, "g": g, "cells": cells, "members": members}


@pytest.fixture
def tree(db):
    return province()


def test_organization_types_by_locality_and_cell_category(tree):
    t = get_report("organization_types").run(tree["p"], Params(day=date(2024, 12, 31)))
    assert t.form["number"] == "Biểu số 5-BTCTW" and t.form["landscape"]
    keys = [c.key for c in t.sections[0].columns]
    row = {
        code: dict(zip(keys, r, strict=True))
        for code, r in zip(t.sections[0].codes, t.sections[0].rows, strict=True)
    }
    assert (row["1"]["committees"], row["1"]["sub_cells"], row["1"]["members"]) == (1, 2, 6)
    assert (row["2"]["committees"], row["2"]["sub_cells"], row["2"]["members"]) == (1, 1, 3)
    assert (row["9"]["cells"], row["9"]["members"]) == (1, 2)
    assert t.sections[0].totals[2] == 3 and t.sections[0].totals[-1] == 11
    # none of the three has a recorded type: the form says so, and the
    # enterprise without its form or capital is a warning on rows 9 and 9b
    assert t.form["proxies"][0]["code"] == "*" and "3 tổ chức" in t.form["proxies"][0]["why"]
    failed = [c["label"] for c in t.form["checks"] if not c["ok"]]
    assert failed == ["9b = 9b1 + 9b2 + 9b3 + 9b4 + 9b5"], failed


def test_organization_ratings_by_level_and_type(tree):
    rate_org(cycle_of(tree["a"], 2024), tree["a"], E)
    rate_org(cycle_of(tree["a"], 2024), tree["cells"][0], G)
    t = get_report("organization_ratings").run(
        tree["p"], Params(start=date(2024, 1, 1), end=date(2024, 12, 31))
    )
    assert value_of(t, "A") == 3 and value_of(t, "A1") == 1 and value_of(t, "A1a") == 1
    assert value_of(t, "A2") == 2 and value_of(t, "A2a") == 1  # G founded in 2024
    assert value_of(t, "B") == 3 and value_of(t, "B1") == 1 and value_of(t, "B1b") == 1
    keys = [c.key for c in t.sections[0].columns]
    a1a = t.sections[0].rows[t.sections[0].codes.index("A1a")]
    assert a1a[keys.index("commune")] == 1 and a1a[keys.index("ward")] == 0
    assert all(c["ok"] for c in t.form["checks"]), t.form["checks"]


def test_member_ratings_with_exempt_and_unrated(tree):
    a0 = tree["cells"][0]
    m = tree["members"][a0.pk]
    rate(cycle_of(tree["a"], 2024), m[0], a0, E)
    rate(cycle_of(tree["a"], 2024), m[1], a0, G)
    member_exempt(actor=None, member=m[2], day=date(2024, 5, 1), reason="health")
    t = get_report("member_ratings").run(
        tree["a"], Params(start=date(2024, 1, 1), end=date(2024, 12, 31))
    )
    assert [value_of(t, c) for c in ("I", "I1", "I2", "I3", "A", "B", "C", "D")] == [
        6,
        1,
        3,
        2,
        1,
        1,
        0,
        0,
    ]
    assert all(c["ok"] for c in t.form["checks"])


def test_every_form_reads_in_a_constant_number_of_queries(db):
    small = province(2)
    forms = [r for r in catalogue() if isinstance(r, FormReport)]
    assert {r.name for r in forms} >= {
        "member_movement",
        "new_members",
        "member_profile",
        "ethnicity_religion",
        "organization_types",
        "organization_ratings",
        "member_ratings",
    }

    def queries(unit):
        out = {}
        for report in forms:
            params = (
                Params(start=date(2024, 1, 1), end=date(2024, 12, 31))
                if report.periodic
                else Params(day=date(2024, 12, 31))
            )
            with CaptureQueriesContext(connection) as ctx:
                report.run(unit, params)
            out[report.name] = len(ctx.captured_queries)
        return out

    before = queries(small["p"])
    # five times the cells and members
    for cell in small["cells"]:
        for i in range(4):
            extra = make_unit(f"{cell.name}-{i}", parent=cell.parent)
            for _ in range(3):
                make_member(extra)
    assert queries(small["p"]) == before
    assert max(before.values()) <= 30, before
