"""The 2012 set's rows that need more than the type: Biểu 5's enterprises by
economic sector (4a–e, 5a–e) and service units by kind (11a–e), and 7A's
columns by type of organization; from the sector and kind recorded on the
unit's dated type, so a 2015 form reads 2015's and a 2024 form 2024's. The
service, the "Địa bàn" page and the units import that record them."""

import io
from datetime import date

import pytest
from django.urls import reverse

from chibo.errors import ServiceError
from chibo.imports import import_file
from chibo.models import AuditEvent
from chibo.spreadsheets import build_xlsx
from organizations.models import BaseType, EconomicSector, EnterpriseForm, Level, ServiceKind, Unit
from organizations.services import unit_set_type
from reports.catalogue import Params, get_report
from reports.statforms.base import value_of
from reviews.models import OrganizationReview, ReviewCycle
from reviews.rules import Level as Rating
from tests.factories import make_member, make_unit
from tests.reports.test_forms_unit_types import rows, typed  # noqa: F401

pytestmark = pytest.mark.django_db

E = BaseType.ENTERPRISE
DAY_2015, DAY_2016, DAY_2024 = date(2015, 12, 31), date(2016, 12, 31), date(2024, 12, 31)


def year(y: int) -> Params:
    return Params(start=date(y, 1, 1), end=date(y, 12, 31))


def rate(unit, y: int, level: str) -> None:
    # before 2018 no rule set is in chibo (reviews.rules): the rating is
    # written as the past ratings arrive, for the form to read by its year
    cycle, _new = ReviewCycle.objects.get_or_create(unit=unit, year=y)
    OrganizationReview.objects.create(
        cycle=cycle, year=y, unit=unit, path=unit.path, decided_level=level
    )


def column(t, code: str, key: str):
    s = t.sections[0]
    return s.rows[s.codes.index(code)][[c.key for c in s.columns].index(key)]


@pytest.fixture
def unrecorded(db):
    """A state enterprise and a public hospital whose sector and kind are
    not recorded, beside one of each that is."""
    p = make_unit("Đảng bộ tỉnh R", level=Level.PROVINCIAL, founded_on=date(1990, 1, 1))
    specs = [
        ("Chi bộ Công ty Than", {"base_type": E, "state_capital": 100}, 3),
        (
            "Chi bộ Công ty Gạo",
            {"base_type": E, "state_capital": 80, "economic_sector": EconomicSector.AGRICULTURE},
            2,
        ),
        ("Chi bộ Bệnh viện Tỉnh", {"base_type": BaseType.SERVICE_PUBLIC}, 2),
        (
            "Chi bộ Viện Lúa",
            {"base_type": BaseType.SERVICE_PUBLIC, "service_kind": ServiceKind.RESEARCH},
            1,
        ),
    ]
    units = {}
    for name, kind, n in specs:
        u = make_unit(
            name, level=Level.GRASSROOTS_CELL, parent=p, founded_on=date(2010, 1, 1), unit_type=kind
        )
        units[name] = u
        for _ in range(n):
            make_member(u)
    return p, units


def test_an_enterprise_without_its_sector_counts_in_its_row_and_the_form_says_so(unrecorded):
    p, _units = unrecorded
    t = get_report("organization_types").run(p, Params(day=DAY_2016))
    r = rows(t)
    assert r["4"]["total"] == 2 and r["4"]["members"] == 5
    assert [r[f"4{c}"]["total"] for c in "abcde"] == [0, 0, 0, 1, 0]  # the rice company
    assert r["4d"]["members"] == 2
    assert r["11"]["total"] == 2 and r["11a"]["total"] == 1 and r["11e"]["total"] == 0
    gaps = {p["code"]: p["why"] for p in t.form["proxies"]}
    assert gaps["4a–5e"].startswith("1 doanh nghiệp ở dòng 4, 5 chưa ghi ngành kinh tế")
    assert gaps["11a–11e"].startswith("1 đơn vị sự nghiệp ở dòng 11 chưa ghi loại")
    assert "chưa ghi ngành kinh tế" in t.sections[0].note
    # 4 = 4a + … + 4e fails and names the rows; 5 (no enterprise) holds
    failed = [c for c in t.form["checks"] if not c["ok"]]
    assert [c["label"] for c in failed] == ["4 = 4a + 4b + 4c + 4d + 4e"]
    assert any("4a" in w and "ngành kinh tế" in w for w in t.form["warnings"])
    # recording the sector closes the gap, from its day on
    unit_set_type(
        actor=None,
        unit=_units["Chi bộ Công ty Than"],
        effective_on=date(2016, 6, 1),
        base_type=E,
        state_capital=100,
        economic_sector=EconomicSector.INDUSTRY,
    )
    t = get_report("organization_types").run(p, Params(day=DAY_2016))
    assert value_of(t, "4a", "total") == 1 and value_of(t, "4a", "members") == 3
    assert all(c["ok"] for c in t.form["checks"]), t.form["checks"]
    assert "4a–5e" not in {p["code"] for p in t.form["proxies"]}
    before = get_report("organization_types").run(p, Params(day=DAY_2015))
    assert value_of(before, "4a", "total") == 0 and value_of(before, "4", "total") == 2


def test_the_2017_form_has_no_sector_rows_and_says_nothing_of_them(unrecorded):
    p, _units = unrecorded
    t = get_report("organization_types").run(p, Params(day=DAY_2024))
    assert t.form["set"] == "2017" and "4a" not in t.sections[0].codes
    assert not {"4a–5e", "11a–11e"} & {p["code"] for p in t.form["proxies"]}
    assert value_of(t, "9a1", "total") == 1 and value_of(t, "6a", "total") == 2


def test_an_enterprise_equitized_between_2015_and_2024_moves_row_in_each_set(typed):  # noqa: F811
    p, units = typed
    water = units["Chi bộ Công ty Nước"]  # state 65%, trade, since 2010
    unit_set_type(
        actor=None,
        unit=water,
        effective_on=date(2020, 1, 1),
        base_type=E,
        enterprise_form=EnterpriseForm.JOINT_STOCK,
        state_capital=30,
        economic_sector=EconomicSector.CONSTRUCTION,
    )
    old = get_report("organization_types").run(p, Params(day=DAY_2015))
    assert old.form["set"] == "2012"
    assert (value_of(old, "4", "total"), value_of(old, "4e", "total")) == (2, 1)
    assert (value_of(old, "5", "total"), value_of(old, "5c", "total")) == (1, 1)
    assert value_of(old, "4e", "members") == 2
    new = get_report("organization_types").run(p, Params(day=DAY_2024))
    assert (value_of(new, "9a2", "total"), value_of(new, "9a3", "total")) == (0, 2)
    # 7A: a state enterprise in 2015's columns, an enterprise in 2024's
    a2015 = get_report("organization_ratings").run(p, year(2015))
    assert a2015.form["set"] == "2012"
    assert column(a2015, "A", "ent_state") == 2 and column(a2015, "A", "ent_joint_stock") == 2
    a2024 = get_report("organization_ratings").run(p, year(2024))
    assert column(a2024, "A", "enterprise") == 9  # the cooperative is in "Khác"


def test_7a_of_2012_prints_its_eleven_columns_from_the_biểu_5_rows(typed):  # noqa: F811
    p, units = typed
    rate(units["Đảng bộ Công ty Điện"], 2016, Rating.EXCELLENT)
    rate(units["Chi bộ Công ty Nhật"], 2016, Rating.GOOD)
    rate(units["Đảng bộ xã A"].children.first(), 2016, Rating.GOOD)
    t = get_report("organization_ratings").run(p, year(2016))
    assert t.form["set"] == "2012"
    s = t.sections[0]
    assert [c.label for c in s.columns][4:] == [
        "Xã",
        "Phường, thị trấn",
        "DN nhà nước",
        "DN cổ phần",
        "DN tư nhân",
        "DN có vốn đầu tư nước ngoài: tổng số",
        "Trong đó 100% vốn nước ngoài",
        "Cơ quan hành chính",
        "Cơ sở sự nghiệp",
        "Quân đội, Công an",
        "Loại hình khác",
    ]
    a = dict(zip([c.key for c in s.columns], s.rows[s.codes.index("A")], strict=True))
    assert a["this"] == 18
    assert [a[k] for k in ("commune", "ward", "ent_state", "ent_joint_stock", "ent_private")] == [
        1,
        1,
        2,  # 100% and 65% state
        2,  # 30% state, a private joint-stock company
        2,  # the DNTN and the TNHH
    ]
    assert (a["ent_foreign"], a["ent_foreign_100"]) == (2, 1)
    assert [a[k] for k in ("agency", "service", "armed", "other")] == [2, 2, 0, 4]
    # the total is every column but the "trong đó" one
    assert a["this"] == sum(
        v for k, v in a.items() if k not in ("code", "label", "this", "share", "ent_foreign_100")
    )
    assert column(t, "A1", "this") == 2 and column(t, "A1a", "ent_state") == 1
    assert column(t, "A1b", "ent_foreign") == 1 and column(t, "A1b", "ent_foreign_100") == 1
    assert column(t, "A2", "this") == 16
    assert column(t, "B", "this") == 6 and column(t, "B", "commune") == 2
    assert column(t, "B", "service") == 2 and column(t, "B", "ent_state") == 1
    assert column(t, "B1b", "commune") == 1
    assert all(c["ok"] for c in t.form["checks"]), t.form["checks"]
    why = {p["code"]: p["why"] for p in t.form["proxies"]}["DN"]
    assert "dòng 5 và 9" in why and "dòng 7 và 8" in why
    # the 2017 set keeps its grouped columns
    later = get_report("organization_ratings").run(p, year(2024))
    assert "enterprise" in [c.key for c in later.sections[0].columns]
    assert "DN" not in {p["code"] for p in later.form["proxies"]}


# --- recording the sector and the kind ------------------------------------------------


def test_the_sector_and_kind_are_checked_against_the_type_and_audited(unrecorded):
    _p, units = unrecorded
    hospital = units["Chi bộ Bệnh viện Tỉnh"]
    with pytest.raises(ServiceError, match="Ngành kinh tế chỉ ghi khi loại hình cơ sở là doanh"):
        unit_set_type(
            actor=None,
            unit=hospital,
            effective_on=date(2024, 1, 1),
            base_type=BaseType.SERVICE_PUBLIC,
            economic_sector=EconomicSector.TRADE,
        )
    with pytest.raises(ServiceError, match="Loại đơn vị sự nghiệp chỉ ghi khi"):
        unit_set_type(
            actor=None,
            unit=units["Chi bộ Công ty Than"],
            effective_on=date(2024, 1, 1),
            base_type=E,
            service_kind=ServiceKind.HOSPITAL,
        )
    with pytest.raises(ServiceError, match="Loại đơn vị sự nghiệp không hợp lệ"):
        unit_set_type(
            actor=None,
            unit=hospital,
            effective_on=date(2024, 1, 1),
            base_type=BaseType.SERVICE_PUBLIC,
            service_kind="zoo",
        )
    assert hospital.versions.count() == 1
    unit_set_type(
        actor=None,
        unit=hospital,
        effective_on=date(2024, 1, 1),
        base_type=BaseType.SERVICE_PUBLIC,
        service_kind=ServiceKind.HOSPITAL,
    )
    assert "Bệnh viện" in AuditEvent.objects.filter(action="unit_set_type").latest("pk").summary
    hospital.refresh_from_db()
    assert hospital.service_kind == ServiceKind.HOSPITAL and hospital.versions.count() == 2


def test_staff_record_the_sector_on_the_locality_page(client, tree, ward1_staff):
    client.force_login(ward1_staff)
    url = reverse("organizations:locality", args=[tree.ward1.pk])
    page = client.get(url).content.decode()
    assert "Ngành kinh tế" in page and "Loại đơn vị sự nghiệp" in page
    assert "Thương nghiệp, du lịch, dịch vụ" in page and "Trường cao đẳng, đại học" in page
    response = client.post(
        url,
        {
            "action": "type",
            "type-base_type": E,
            "type-state_capital": "100",
            "type-economic_sector": EconomicSector.TRANSPORT,
            "type-effective_on": "01/01/2025",
        },
    )
    assert response.status_code == 302
    ward = Unit.objects.get(pk=tree.ward1.pk)
    assert ward.economic_sector == EconomicSector.TRANSPORT
    assert "Giao thông, vận tải, bưu điện" in client.get(url).content.decode()
    bad = client.post(
        url,
        {
            "action": "type",
            "type-base_type": BaseType.WARD,
            "type-service_kind": ServiceKind.HOSPITAL,
            "type-effective_on": "01/02/2025",
        },
        follow=True,
    )
    assert bad.status_code == 200
    assert "Loại đơn vị sự nghiệp chỉ ghi khi" in bad.content.decode()
    assert Unit.objects.get(pk=tree.ward1.pk).base_type == E


HEADERS = [
    "Tên đơn vị",
    "Mã đơn vị",
    "Cấp",
    "Trực thuộc",
    "Ngày thành lập",
    "Loại hình cơ sở",
    "Vốn nhà nước (%)",
    "Ngành kinh tế",
    "Loại đơn vị sự nghiệp",
]


def import_units(rows_):
    data = build_xlsx(HEADERS, rows_, title="DANH SÁCH TỔ CHỨC ĐẢNG")
    return import_file("units", actor=None, file_name="don-vi.xlsx", data=data)


def test_the_units_import_reads_the_sector_and_the_kind(tree):
    batch = import_units(
        [
            ["Chi bộ Công ty Cầu đường", "CT-CD", "Chi bộ cơ sở", "Đảng bộ tỉnh Thử",
             "01/01/2020", "Doanh nghiệp", "100", "Giao thông", ""],
            ["Chi bộ Trường Cao đẳng Y", "CD-Y", "Chi bộ cơ sở", "Đảng bộ tỉnh Thử",
             "01/01/2020", "Sự nghiệp công lập", "", "", "Trường cao đẳng, đại học"],
        ]
    )  # fmt: skip
    assert not batch.errors, batch.errors
    assert Unit.objects.get(code="CT-CD").economic_sector == EconomicSector.TRANSPORT
    assert Unit.objects.get(code="CD-Y").service_kind == ServiceKind.UNIVERSITY
    again = import_units(
        [["Chi bộ Công ty Cầu đường", "CT-CD", "Chi bộ cơ sở", "Đảng bộ tỉnh Thử",
          "01/01/2020", "Doanh nghiệp", "100", "Giao thông", ""]]
    )  # fmt: skip
    assert not again.errors and again.unchanged_count == 1
    bad = import_units(
        [["Chi bộ Công ty Lạ", "CT-LA", "Chi bộ cơ sở", "Đảng bộ tỉnh Thử",
          "01/01/2020", "Doanh nghiệp", "", "Khai khoáng vũ trụ", ""]]
    )  # fmt: skip
    assert bad.errors and bad.errors[0]["column"] == "Ngành kinh tế"
    assert "Không hiểu ngành kinh tế" in bad.errors[0]["message"]
    assert not Unit.objects.filter(code="CT-LA").exists()


def test_the_units_template_lists_the_sectors_and_kinds(client, tree, ward1_staff):
    import io

    from openpyxl import load_workbook

    client.force_login(ward1_staff)
    response = client.get("/nhap/units/mau.xlsx")
    if response.status_code == 404:
        response = client.get("/nhap/cay-to-chuc/mau.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    text = " ".join(
        str(c.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for c in row
        if c.value
    )
    assert "Ngành kinh tế" in text and "Loại đơn vị sự nghiệp" in text
    assert "Nông, lâm, ngư nghiệp, thuỷ lợi" in text and "Trường trung học phổ thông" in text


def test_the_2012_files_carry_the_new_columns_and_rows_as_numbers(typed):  # noqa: F811
    from openpyxl import load_workbook

    from reports import exports

    p, units = typed
    rate(units["Đảng bộ Công ty Điện"], 2016, Rating.EXCELLENT)
    t = get_report("organization_ratings").run(p, year(2016))
    sheet = load_workbook(io.BytesIO(exports.render(t, "xlsx"))).active
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(r for r in cells if "DN nhà nước" in r)
    a = next(r for r in cells if r[0] == "A")
    assert a[header.index("DN nhà nước")] == 2 and a[header.index("Loại hình khác")] == 4
    assert exports.render(t, "pdf")[:4] == b"%PDF"
    # Biểu 5: row 4 stays its own count (no formula over sub-rows a sector may miss)
    t5 = get_report("organization_types").run(p, Params(day=DAY_2016))
    sheet = load_workbook(io.BytesIO(exports.render(t5, "xlsx"))).active
    by_code = {sheet.cell(row=r, column=1).value: r for r in range(1, sheet.max_row + 1)}
    assert sheet.cell(row=by_code["4"], column=3).value == 2
    assert sheet.cell(row=by_code["4a"], column=3).value == 1
    assert sheet.cell(row=by_code["11e"], column=8).value == 2  # the hospital's members
