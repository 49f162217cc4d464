"""Biểu 2's annex 2b (new members by ethnicity and religion) from a small
history with known answers, in every output; and each profile form's query
count, the same for a ward as for its whole province."""

import io
import json
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.choices import Religion
from members.services import (
    member_admit,
    member_propose_candidate,
    member_transfer_permanent,
    member_update,
)
from organizations.models import Level
from reports import exports
from reports.catalogue import Params, get_report
from reports.statforms.base import value_of
from tests.document_text import docx_text
from tests.factories import make_member, make_unit

pytestmark = pytest.mark.django_db

YEAR = Params(start=date(2024, 1, 1), end=date(2024, 12, 31))


def admit(cell, helpers, decided, **profile):
    candidate = member_propose_candidate(
        actor=None,
        unit=cell,
        proposed_on=date(decided.year - 1, 1, 10),
        helpers=helpers,
        full_name="Quần Chúng Ưu Tú",
        birth_date=date(1999, 1, 1),
        **profile,
    )
    return member_admit(actor=None, member=candidate, decided_on=decided, ceremony_on=decided)


@pytest.fixture
def history(db):
    """Ward W (cell C) of province P, and ward X of P. Admitted into W in
    2024: a Tày Buddhist woman, a Kinh man without religion, a Kinh Catholic
    woman (no religion since 2025: counted by her data of the day); in
    2023 one more; in 2024 one transferred in from X (not a new member)."""
    p = make_unit("Đảng bộ tỉnh P", level=Level.PROVINCIAL, founded_on=date(1990, 1, 1))
    w = make_unit("Đảng bộ phường W", level=Level.GRASSROOTS_COMMITTEE, parent=p)
    x = make_unit("Đảng bộ phường X", level=Level.GRASSROOTS_COMMITTEE, parent=p)
    c, x1 = make_unit("Chi bộ C", parent=w), make_unit("Chi bộ X1", parent=x)
    helpers = [make_member(c) for _ in range(2)]
    x_helpers = [make_member(x1) for _ in range(3)]
    admit(c, helpers, date(2024, 3, 1), gender="F", ethnicity="Tày", religion=Religion.BUDDHIST)
    admit(c, helpers, date(2024, 4, 1), gender="M", ethnicity="Kinh", religion=Religion.NONE)
    catholic = admit(
        c, helpers, date(2024, 5, 1), gender="F", ethnicity="Kinh", religion=Religion.CATHOLIC
    )
    member_update(actor=None, member=catholic, religion=Religion.NONE, changed_on=date(2025, 3, 1))
    admit(c, helpers, date(2023, 6, 1), gender="M", ethnicity="Mường")
    admit(x1, x_helpers[:2], date(2024, 2, 1), gender="F", ethnicity="Thái")
    member_transfer_permanent(actor=None, member=x_helpers[2], unit=c, day=date(2024, 6, 1))
    return {"p": p, "w": w, "x": x}


def annex(table):
    codes = [s.codes[:1] for s in table.sections]
    first = codes.index(["2b.1"])
    return table.sections[first], table.sections[first + 1]


def test_annex_2b_counts_the_admissions_of_the_period_by_ethnicity_and_religion(history):
    t = get_report("new_members").run(history["w"], YEAR)
    assert value_of(t, "I") == 3
    ethnic, religions = annex(t)
    assert [c.key for c in ethnic.columns] == ["code", "name", "total", "women", "share"]
    assert len(ethnic.rows) == 56 and ethnic.rows[55][1] == "Dân tộc khác"
    assert ethnic.rows[0] == ["1", "Kinh", 2, 1, 66.7]
    assert ethnic.rows[1] == ["2", "Tày", 1, 1, 33.3]
    assert ethnic.rows[5][2] == 0  # Mường: admitted in 2023
    assert ethnic.rows[2][2] == 0  # Thái: admitted in ward X, then not moved
    assert ethnic.totals[2:4] == [3, 2]
    rel = {r[1]: r[2:] for r in religions.rows}
    # the Catholic counts as she was on the day she was admitted
    assert rel["Thiên Chúa giáo (Công giáo)"] == [1, 1, 33.3]
    assert rel["Phật giáo"] == [1, 1, 33.3]
    assert religions.totals[2] == 2
    assert ethnic.codes[0] == "2b.1" and religions.codes[0] == "2b.II.1"
    check = next(c for c in t.form["checks"] if c["label"].startswith("Biểu 2b"))
    assert check["ok"]


def test_annex_2b_of_the_province_counts_both_wards(history):
    t = get_report("new_members").run(history["p"], YEAR)
    ethnic, _religions = annex(t)
    assert value_of(t, "I") == 4
    assert ethnic.rows[2][2:4] == [1, 1]  # the Thái woman admitted in ward X


def test_the_2016_annex_has_biểu_4s_2012_columns(history):
    t = get_report("new_members").run(
        history["w"], Params(start=date(2016, 1, 1), end=date(2016, 12, 31))
    )
    ethnic, _religions = annex(t)
    assert [c.key for c in ethnic.columns] == ["code", "name", "total", "share"]
    assert ethnic.totals[2] == 0


def test_annex_2b_is_in_every_output(history, client):
    from django.urls import reverse
    from openpyxl import load_workbook

    from tests.factories import UserFactory, grant

    t = get_report("new_members").run(history["w"], YEAR)
    data = json.loads(exports.render(t, "json"))
    rows = {r["code"]: r for section in data["lines"] for r in section["rows"]}
    assert rows["2b.1"]["label"] == "Kinh"
    assert rows["2b.1"]["values"] == {"total": 2, "women": 1, "share": 66.7}
    assert rows["2b.II.1"]["values"]["total"] == 1
    title = "2b. I. Đảng viên mới kết nạp chia theo dân tộc"
    csv = exports.render(t, "csv").decode("utf-8-sig")
    assert title in csv and "Tày" in csv
    sheet = load_workbook(io.BytesIO(exports.render(t, "xlsx"))).active
    cells = [c.value for row in sheet.iter_rows() for c in row if c.value is not None]
    assert title in cells
    kinh = next(r for r in sheet.iter_rows() if r[1].value == "Kinh")
    assert kinh[2].value == 2  # a number
    assert exports.render(t, "pdf").startswith(b"%PDF")
    assert title in docx_text(exports.render(t, "docx"))
    user = UserFactory()
    grant(user, history["w"])
    client.force_login(user)
    url = reverse("reports:report", args=["new_members", history["w"].pk])
    page = client.get(url, {"from": "01/01/2024", "to": "31/12/2024"}).content.decode()
    assert title in page and 'data-code="2b.2"' in page


FORMS = [
    ("new_members", YEAR),
    ("member_profile", Params(day=date(2024, 12, 31))),
    ("ethnicity_religion", Params(day=date(2024, 12, 31))),
    ("member_ratings", YEAR),
]


@pytest.mark.parametrize("name, params", FORMS, ids=[f[0] for f in FORMS])
def test_each_profile_form_reads_as_many_queries_for_a_ward_as_for_its_province(
    history, name, params
):
    report = get_report(name)

    def queries(unit):
        with CaptureQueriesContext(connection) as q:
            report.run(unit, params)
        return len(q)

    ward, province = queries(history["w"]), queries(history["p"])
    # the province counts more members (and more admissions) than the ward
    sizes = [
        value_of(get_report(n).run(u, p), "I")
        for n, p in (("member_profile", FORMS[1][1]), ("new_members", YEAR))
        for u in (history["w"], history["p"])
    ]
    assert sizes[0] < sizes[1] and sizes[2] < sizes[3]
    assert ward == province
