"""Biểu 2, 3 and 4 from small histories with known answers: the "trong đó"
lines, age bands by the version of the period (10-year bands in 2016, 5-year
in 2024), levels as they were on the date (a degree obtained later does not
count earlier), the 56 ethnic rows in order, religions, and the identity
Biểu 1 D = Biểu 3 total = Biểu 4 total for the same unit and date."""

from datetime import date

import pytest

from members.choices import Education, Occupation, Qualification, Religion
from members.services import member_update
from organizations.models import Level
from reports.catalogue import Params, get_report
from reports.statforms.base import value_of
from tests.factories import make_member, make_unit
from tests.reports.test_forms_movement import YEAR, admit, world  # noqa: F401

pytestmark = pytest.mark.django_db


def joined(cell, admitted_on, **profile):
    """A member on the list from their admission (official a year later)."""
    official = date(admitted_on.year + 1, admitted_on.month, admitted_on.day)
    return make_member(
        cell, since=admitted_on, admitted_on=admitted_on, official_on=official, **profile
    )


@pytest.fixture
def ward(db):
    old = date(1950, 1, 1)
    p = make_unit("Đảng bộ tỉnh P", level=Level.PROVINCIAL, founded_on=old)
    w = make_unit("Đảng bộ phường W", level=Level.GRASSROOTS_COMMITTEE, parent=p, founded_on=old)
    c = make_unit("Chi bộ 1", parent=w, founded_on=old)
    people = [
        # born, sex, ethnicity, religion, education, admitted
        joined(
            c,
            date(2018, 1, 1),
            birth_date=date(1996, 3, 1),
            gender="F",
            ethnicity="Tày",
            religion=Religion.BUDDHIST,
            education=Education.UPPER_SECONDARY,
            is_youth_union_member=True,
        ),
        joined(
            c,
            date(2005, 1, 1),
            birth_date=date(1980, 6, 1),
            ethnicity="Kinh",
            education=Education.UPPER_SECONDARY,
            qualification=Qualification.BACHELOR,
        ),
        joined(
            c,
            date(1970, 1, 1),
            birth_date=date(1950, 1, 1),
            gender="F",
            ethnicity="Kinh",
            religion=Religion.CATHOLIC,
            education=Education.LOWER_SECONDARY,
            occupation_category=Occupation.RETIRED,
        ),
        joined(
            c,
            date(1954, 1, 1),
            birth_date=date(1940, 1, 1),
            ethnicity="Dân tộc khác",
            education=Education.PRIMARY,
        ),
    ]
    return {"w": w, "c": c, "people": people}


def run(name, unit, **params):
    return get_report(name).run(unit, Params(**params))


def test_member_profile_2024_counts_every_line(ward):
    t = run("member_profile", ward["w"], day=date(2024, 12, 31))
    assert t.form["number"] == "Biểu số 3-BTCTW"
    assert value_of(t, "I") == 4
    codes = t.sections[0].codes
    labels = dict(zip(codes, (r[1] for r in t.sections[0].rows), strict=True))
    got = {labels[c]: value_of(t, c) for c in codes if c.startswith("I.")}
    assert got["Trong đó: Nữ"] == 2
    assert got["Trong đó: Dân tộc thiểu số"] == 1  # Tày; "dân tộc khác" is not counted
    assert got["Trong đó: Tôn giáo"] == 2
    assert got["Trong đó: Đoàn viên TNCS Hồ Chí Minh"] == 1
    # 5-year bands: 28 (18–30), 44 (41–45), 74 and 84 (over 60)
    ages = [value_of(t, f"2.{i}") for i in range(1, 9)]
    assert ages == [1, 0, 0, 1, 0, 0, 0, 2]
    assert value_of(t, "2.9") == 57.5  # average age
    # admission eras: 1954 (21/7/1954 before) → era 2; 1970 → era 3; 2005, 2018 → era 4
    assert [value_of(t, f"3.{i}") for i in range(1, 5)] == [0, 1, 1, 2]
    assert all(c["ok"] for c in t.form["checks"]), t.form["checks"]


def test_member_profile_2016_prints_the_2012_bands_and_party_age(ward):
    t = run("member_profile", ward["w"], day=date(2016, 12, 31))
    assert t.form["number"] == "Biểu số 3-TCTW"
    # on 31/12/2016 the 1996 member was not yet admitted (2018): three members
    assert value_of(t, "I") == 3
    # 10-year bands: 36 (31–40), 66 and 76 (61 and over)
    assert [value_of(t, f"1.{i}") for i in range(1, 6)] == [0, 1, 0, 0, 2]
    # party age ≥ 30 years on 31/12/2016: admitted 1954 and 1970
    labels = {r[1]: r[2] for r in t.sections[0].rows}
    assert labels["- Có đủ 30 năm tuổi Đảng"] == 2
    assert labels["- Có đủ 60 năm tuổi Đảng"] == 1


def test_a_level_obtained_later_does_not_count_earlier(ward):
    member = ward["people"][0]
    member_update(
        actor=None, member=member, qualification=Qualification.MASTER, changed_on=date(2025, 6, 1)
    )

    def masters(day):
        t = run("member_profile", ward["w"], day=day)
        rows = {r[1]: r[2] for r in t.sections[0].rows}
        return rows["- Thạc sĩ"]

    assert masters(date(2024, 12, 31)) == 0
    assert masters(date(2025, 12, 31)) == 1


def test_ethnicity_religion_lists_56_groups_in_order_with_women_and_shares(ward):
    t = run("ethnicity_religion", ward["w"], day=date(2024, 12, 31))
    first, religions, total = t.sections
    assert (
        len(first.rows) == 56 and first.rows[0][1] == "Kinh" and first.rows[-1][1] == "Dân tộc khác"
    )
    assert first.rows[0][2:] == [2, 1, 50.0]  # Kinh: 2, one woman, 50 %
    assert first.rows[1][1] == "Tày" and first.rows[1][2:] == [1, 1, 25.0]
    assert first.rows[55][2] == 1
    rel = {r[1]: r[2] for r in religions.rows}
    assert rel["Phật giáo"] == 1 and rel["Thiên Chúa giáo (Công giáo)"] == 1
    assert total.rows[0][2] == 4
    assert t.form["checks"][0]["ok"]


def test_the_2012_ethnicity_form_has_no_women_column(ward):
    t = run("ethnicity_religion", ward["w"], day=date(2016, 12, 31))
    assert [c.key for c in t.sections[0].columns] == ["code", "name", "total", "share"]


def test_biểu_1_d_equals_biểu_3_and_biểu_4_totals(world):  # noqa: F811
    end = YEAR.end
    d = value_of(get_report("member_movement").run(world["w"], YEAR), "D")
    profile = value_of(run("member_profile", world["w"], day=end), "I")
    ethnic = run("ethnicity_religion", world["w"], day=end).sections[2].rows[0][2]
    assert d == profile == ethnic == 10


def test_new_members_counts_the_admissions_of_the_period(world):  # noqa: F811
    t = get_report("new_members").run(world["w"], YEAR)
    assert t.form["number"] == "Biểu số 2-BTCTW"
    assert value_of(t, "I") == 1 and value_of(t, "I", "last") == 1
    # the 2024 new member: a woman born 1998, 25 on 01/03/2024
    assert value_of(t, "2.1") == 1 and value_of(t, "2.9") == 25.0
    # transfers in and the restored member are not new members
    assert value_of(get_report("member_movement").run(world["w"], YEAR), "B") == 4


def test_new_members_2016_uses_the_2012_lines(world):  # noqa: F811
    t = get_report("new_members").run(
        world["w"], Params(start=date(2016, 1, 1), end=date(2016, 12, 31))
    )
    assert t.form["number"] == "Biểu số 2-TCTW"
    assert t.sections[0].rows[1][1] == "Trong đó: Kết nạp lại"
    assert value_of(t, "I") == 0
