"""Biểu 5 from the recorded type of each grassroots organization (loại hình
cơ sở, an enterprise's form and capital shares): a small province with one
organization of every kind and a known answer, in both form sets; a type
changed in 2024 leaves the 2023 form as it was; the service, the unit page
and the units import that record the type."""

import json
from datetime import date

import pytest
from django.urls import reverse

from chibo.imports import import_file
from chibo.models import AuditEvent
from chibo.spreadsheets import build_xlsx
from organizations.models import BaseType, EconomicSector, EnterpriseForm, Level, ServiceKind, Unit
from organizations.services import unit_set_type
from reports.catalogue import Params, get_report
from reports.statforms.base import value_of
from tests.factories import make_member, make_unit

pytestmark = pytest.mark.django_db

E = BaseType.ENTERPRISE
# name, level, type, cells under it (a committee), members in each
KINDS = [
    ("Đảng bộ xã A", Level.GRASSROOTS_COMMITTEE, {"base_type": BaseType.COMMUNE}, 2, 3),
    ("Đảng bộ phường B", Level.GRASSROOTS_COMMITTEE, {"base_type": BaseType.WARD}, 1, 2),
    ("Chi bộ Ủy ban MTTQ", Level.GRASSROOTS_CELL, {"base_type": BaseType.PARTY_AGENCY}, 0, 2),
    ("Chi bộ Sở Tư pháp", Level.GRASSROOTS_CELL, {"base_type": BaseType.STATE_AGENCY}, 0, 1),
    (
        "Đảng bộ Bệnh viện",
        Level.GRASSROOTS_COMMITTEE,
        {"base_type": BaseType.SERVICE_PUBLIC, "service_kind": ServiceKind.HOSPITAL},
        2,
        1,
    ),
    (
        "Chi bộ Trường tư",
        Level.GRASSROOTS_CELL,
        {"base_type": BaseType.SERVICE_PRIVATE, "service_kind": ServiceKind.OTHER},
        0,
        1,
    ),
    (
        "Đảng bộ Công ty Điện",
        Level.GRASSROOTS_COMMITTEE,
        {
            "base_type": E,
            "enterprise_form": EnterpriseForm.LIMITED,
            "state_capital": 100,
            "economic_sector": EconomicSector.INDUSTRY,
        },
        1,
        4,
    ),
    (
        "Chi bộ Công ty Nước",
        Level.GRASSROOTS_CELL,
        {
            "base_type": E,
            "enterprise_form": EnterpriseForm.JOINT_STOCK,
            "state_capital": 65,
            "economic_sector": EconomicSector.TRADE,
        },
        0,
        2,
    ),
    (
        "Chi bộ Công ty Xi măng",
        Level.GRASSROOTS_CELL,
        {
            "base_type": E,
            "enterprise_form": EnterpriseForm.JOINT_STOCK,
            "state_capital": 30,
            "economic_sector": EconomicSector.CONSTRUCTION,
        },
        0,
        1,
    ),
    (
        "Chi bộ Công ty Cổ phần Tư",
        Level.GRASSROOTS_CELL,
        {"base_type": E, "enterprise_form": EnterpriseForm.JOINT_STOCK},
        0,
        1,
    ),
    (
        "Chi bộ DNTN Hòa",
        Level.GRASSROOTS_CELL,
        {"base_type": E, "enterprise_form": EnterpriseForm.PRIVATE},
        0,
        1,
    ),
    (
        "Chi bộ Công ty TNHH Lan",
        Level.GRASSROOTS_CELL,
        {"base_type": E, "enterprise_form": EnterpriseForm.LIMITED},
        0,
        1,
    ),
    (
        "Chi bộ Công ty Luật",
        Level.GRASSROOTS_CELL,
        {"base_type": E, "enterprise_form": EnterpriseForm.PARTNERSHIP},
        0,
        1,
    ),
    (
        "Chi bộ Công ty Nhật",
        Level.GRASSROOTS_CELL,
        {"base_type": E, "enterprise_form": EnterpriseForm.LIMITED, "foreign_capital": 100},
        0,
        1,
    ),
    (
        "Chi bộ Liên doanh",
        Level.GRASSROOTS_CELL,
        {"base_type": E, "enterprise_form": EnterpriseForm.LIMITED, "foreign_capital": 40},
        0,
        1,
    ),
    ("Chi bộ HTX Nông nghiệp", Level.GRASSROOTS_CELL, {"base_type": BaseType.COOPERATIVE}, 0, 1),
    ("Chi bộ ngoài nước", Level.GRASSROOTS_CELL, {"base_type": BaseType.ABROAD}, 0, 1),
    ("Chi bộ Hội", Level.GRASSROOTS_CELL, {"base_type": BaseType.OTHER}, 0, 1),
]


@pytest.fixture
def typed(db):
    p = make_unit("Đảng bộ tỉnh P", level=Level.PROVINCIAL, founded_on=date(1990, 1, 1))
    units = {}
    for name, level, kind, n_cells, n in KINDS:
        g = make_unit(name, level=level, parent=p, founded_on=date(2010, 1, 1), unit_type=kind)
        units[name] = g
        cells = [
            make_unit(f"{name} – chi bộ {i}", parent=g, founded_on=date(2010, 1, 1))
            for i in range(n_cells)
        ] or [g]
        for cell in cells:
            for _ in range(n):
                make_member(cell)
    return p, units


def rows(t):
    s = t.sections[0]
    keys = [c.key for c in s.columns]
    return {code: dict(zip(keys, r, strict=True)) for code, r in zip(s.codes, s.rows, strict=True)}


def test_every_row_of_the_2017_form_counts_its_recorded_type(typed):
    p, _units = typed
    t = get_report("organization_types").run(p, Params(day=date(2024, 12, 31)))
    r = rows(t)
    total = {code: v["total"] for code, v in r.items()}
    assert total == {
        "1": 1, "2": 1, "3": 0, "4": 1, "5": 1, "6": 2, "6a": 1, "6b": 1, "7": 0, "8": 0,
        "9": 10, "9a": 3, "9a1": 1, "9a2": 1, "9a3": 1,
        "9b": 6, "9b1": 1, "9b2": 1, "9b3": 1, "9b4": 1, "9b5": 2, "9b5a": 1,
        "9c": 1, "10": 1, "11": 1,
    }  # fmt: skip
    assert (r["1"]["committees"], r["1"]["sub_cells"], r["1"]["members"]) == (1, 2, 6)
    assert (r["6a"]["committees"], r["6a"]["sub_cells"], r["6a"]["members"]) == (1, 2, 2)
    assert (r["9a1"]["committees"], r["9a1"]["sub_cells"], r["9a1"]["members"]) == (1, 1, 4)
    assert r["9"]["members"] == 4 + 2 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1
    # "Cộng" adds the numbered rows only: 18 organizations, every member
    s = t.sections[0]
    assert s.totals[2] == 18 and s.totals[-1] == sum(n * max(c, 1) for *_x, c, n in KINDS)
    assert all(c["ok"] for c in t.form["checks"]), t.form["checks"]
    # every type was recorded: no row read from a locality or a cell's category
    assert not any(p["code"] == "*" for p in t.form["proxies"])
    assert {"9a2", "9b5a"} <= {p["code"] for p in t.form["proxies"]}


def test_the_2012_form_prints_its_16_rows_from_the_same_types(typed):
    p, _units = typed
    t = get_report("organization_types").run(p, Params(day=date(2016, 12, 31)))
    assert t.form["set"] == "2012"
    total = {code: v["total"] for code, v in rows(t).items()}
    assert [total[c] for c in map(str, range(1, 17))] == [
        1, 1, 0,
        2,  # 4 DNNN: state 100% and 65%
        1,  # 5 cổ phần có vốn nhà nước (30%)
        1, 1, 1, 1,  # 6 HTX, 7 DNTN, 8 TNHH, 9 cổ phần tư nhân
        2,  # 10 vốn đầu tư nước ngoài
        2,  # 11 sự nghiệp, công lập và ngoài công lập
        2,  # 12 cơ quan hành chính, with the Front's cell
        0, 0, 1,
        2,  # 16 khác, with the partnership
    ]  # fmt: skip
    assert total["10a"] == 1
    # the sub-rows from the recorded economic sector and kind of service unit
    assert [total[f"4{c}"] for c in "abcde"] == [1, 0, 0, 0, 1]  # industry, trade
    assert [total[f"5{c}"] for c in "abcde"] == [0, 0, 1, 0, 0]  # construction
    assert [total[f"11{c}"] for c in "abcde"] == [0, 0, 0, 0, 1]  # the hospital
    r = rows(t)
    assert (r["4a"]["committees"], r["4a"]["sub_cells"], r["4a"]["members"]) == (1, 1, 4)
    assert (r["11e"]["committees"], r["11e"]["sub_cells"], r["11e"]["members"]) == (1, 2, 2)
    assert r["4a"]["label"] == "a) Công nghiệp các loại"
    assert r["11a"]["label"] == "- Viện, trung tâm nghiên cứu khoa học"
    # every sector and kind is recorded: no gap; only the 2012 column is said
    gaps = {p["code"]: p["why"] for p in t.form["proxies"]}
    assert "2012" in gaps and "4a–5e" not in gaps and "11a–11e" not in gaps
    assert {"4 = 4a + 4b + 4c + 4d + 4e", "5 = 5a + 5b + 5c + 5d + 5e"} <= {
        c["label"] for c in t.form["checks"]
    }
    assert rows(t)["4"]["members"] == 4 + 2
    assert t.sections[0].totals[2] == 18
    assert all(c["ok"] for c in t.form["checks"]), t.form["checks"]


def test_a_type_changed_in_2024_leaves_the_2023_form_as_it_was(typed):
    p, units = typed
    front = units["Chi bộ Ủy ban MTTQ"]
    unit_set_type(
        actor=None,
        unit=front,
        effective_on=date(2024, 1, 1),
        base_type=BaseType.STATE_AGENCY,
    )
    before = get_report("organization_types").run(p, Params(day=date(2023, 12, 31)))
    after = get_report("organization_types").run(p, Params(day=date(2024, 12, 31)))
    assert (value_of(before, "4", "total"), value_of(before, "5", "total")) == (1, 1)
    assert (value_of(after, "4", "total"), value_of(after, "5", "total")) == (0, 2)
    front.refresh_from_db()
    assert front.base_type == BaseType.STATE_AGENCY
    assert front.versions.count() == 2


def test_an_enterprise_without_its_form_is_a_warning_naming_the_rows(typed):
    p, units = typed
    unit_set_type(
        actor=None, unit=units["Chi bộ DNTN Hòa"], effective_on=date(2024, 1, 1), base_type=E
    )
    t = get_report("organization_types").run(p, Params(day=date(2024, 12, 31)))
    assert value_of(t, "9b", "total") == 6 and value_of(t, "9b2", "total") == 0
    assert any("9b" in w and "loại hình doanh nghiệp" in w for w in t.form["warnings"])


def test_an_organization_without_a_type_is_read_from_its_locality_and_said(db):
    from organizations.models import AdministrativeUnit
    from tests.reports.factories import locality

    p = make_unit("Đảng bộ tỉnh Q", level=Level.PROVINCIAL, founded_on=date(1990, 1, 1))
    a = make_unit(
        "Đảng bộ xã C",
        level=Level.GRASSROOTS_COMMITTEE,
        parent=p,
        administrative_unit=locality(AdministrativeUnit.Kind.COMMUNE),
    )
    make_member(make_unit("Chi bộ C1", parent=a))
    t = get_report("organization_types").run(p, Params(day=date(2024, 12, 31)))
    assert value_of(t, "1", "total") == 1
    assert "1 tổ chức cơ sở đảng chưa ghi loại hình" in t.form["proxies"][0]["why"]


def test_the_json_lists_each_type_row_with_its_code(typed):
    from reports import exports

    p, _units = typed
    t = get_report("organization_types").run(p, Params(day=date(2024, 12, 31)))
    data = json.loads(exports.render(t, "json"))
    lines = {r["code"]: r for r in data["lines"][0]["rows"]}
    assert lines["9a1"]["values"]["total"] == 1 and lines["9b5"]["values"]["total"] == 2
    assert lines["9a1"]["label"] == "- Nhà nước nắm giữ 100% vốn điều lệ"
    assert lines["9b5a"]["proxy"] is True


# --- recording the type -------------------------------------------------------------


def test_the_type_is_checked_and_audited(typed):
    _p, units = typed
    from chibo.errors import ServiceError

    cell = units["Đảng bộ xã A"].children.first()
    with pytest.raises(ServiceError, match="chỉ ghi cho tổ chức cơ sở đảng"):
        unit_set_type(
            actor=None, unit=cell, effective_on=date(2024, 1, 1), base_type=BaseType.OTHER
        )
    hoa = units["Chi bộ DNTN Hòa"]
    with pytest.raises(ServiceError, match="từ 0 đến 100"):
        unit_set_type(
            actor=None, unit=hoa, effective_on=date(2024, 1, 1), base_type=E, state_capital=120
        )
    with pytest.raises(ServiceError, match="chỉ ghi khi loại hình cơ sở là doanh nghiệp"):
        unit_set_type(
            actor=None,
            unit=hoa,
            effective_on=date(2024, 1, 1),
            base_type=BaseType.OTHER,
            state_capital=10,
        )
    assert hoa.versions.count() == 1
    unit_set_type(
        actor=None,
        unit=hoa,
        effective_on=date(2024, 1, 1),
        base_type=E,
        enterprise_form=EnterpriseForm.LIMITED,
        no_masses=True,
    )
    event = AuditEvent.objects.filter(action="unit_set_type").latest("pk")
    assert (
        "Công ty trách nhiệm hữu hạn" in event.summary and "không còn quần chúng" in event.summary
    )


def test_staff_record_the_type_on_the_units_locality_page(client, tree, ward1_staff):
    client.force_login(ward1_staff)
    url = reverse("organizations:locality", args=[tree.ward1.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Loại hình cơ sở" in page.content.decode()
    response = client.post(
        url,
        {
            "action": "type",
            "type-base_type": BaseType.ENTERPRISE,
            "type-enterprise_form": EnterpriseForm.JOINT_STOCK,
            "type-state_capital": "51",
            "type-effective_on": "01/01/2025",
        },
    )
    assert response.status_code == 302
    ward = Unit.objects.get(pk=tree.ward1.pk)
    assert (ward.base_type, ward.enterprise_form, ward.state_capital) == (
        BaseType.ENTERPRISE,
        EnterpriseForm.JOINT_STOCK,
        51,
    )
    bad = client.post(
        url,
        {
            "action": "type",
            "type-base_type": BaseType.WARD,
            "type-state_capital": "51",
            "type-effective_on": "01/02/2025",
        },
        follow=True,
    )
    assert bad.status_code == 200
    assert "chỉ ghi khi loại hình cơ sở là doanh nghiệp" in bad.content.decode()
    assert Unit.objects.get(pk=tree.ward1.pk).base_type == BaseType.ENTERPRISE


HEADERS = [
    "Tên đơn vị",
    "Mã đơn vị",
    "Cấp",
    "Trực thuộc",
    "Ngày thành lập",
    "Loại hình cơ sở",
    "Loại hình doanh nghiệp",
    "Vốn nhà nước (%)",
    "Vốn nước ngoài (%)",
    "Không còn quần chúng",
    "Loại hình từ ngày",
]


def import_units(rows):
    data = build_xlsx(HEADERS, rows, title="DANH SÁCH TỔ CHỨC ĐẢNG")
    return import_file("units", actor=None, file_name="don-vi.xlsx", data=data)


def test_the_units_import_records_the_type_of_new_and_existing_units(tree):
    tree.ward1.code = "W1"
    tree.ward1.save()
    batch = import_units(
        [
            ["Chi bộ Công ty May", "CT-MAY", "Chi bộ cơ sở", "Đảng bộ tỉnh Thử", "01/01/2020",
             "Doanh nghiệp", "Cổ phần", "35", "", "", ""],
            ["Đảng bộ phường Một", "W1", "Đảng bộ cơ sở", "Đảng bộ tỉnh Thử", "01/01/2000",
             "Phường", "", "", "", "x", "01/01/2024"],
        ]
    )  # fmt: skip
    assert not batch.errors, batch.errors
    may = Unit.objects.get(code="CT-MAY")
    assert (may.base_type, may.enterprise_form, may.state_capital) == (
        BaseType.ENTERPRISE,
        EnterpriseForm.JOINT_STOCK,
        35,
    )
    ward = Unit.objects.get(pk=tree.ward1.pk)
    assert ward.base_type == BaseType.WARD and ward.no_masses
    assert ward.versions.get(valid_to__isnull=True).valid_from == date(2024, 1, 1)
    again = import_units(
        [["Đảng bộ phường Một", "W1", "Đảng bộ cơ sở", "Đảng bộ tỉnh Thử", "01/01/2000",
          "Phường", "", "", "", "x", "01/01/2024"]]
    )  # fmt: skip
    assert not again.errors and again.unchanged_count == 1


def test_a_type_the_import_does_not_know_is_a_row_error(tree):
    batch = import_units(
        [["Chi bộ Lạ", "LA", "Chi bộ cơ sở", "Đảng bộ tỉnh Thử", "01/01/2020",
          "Nhà máy", "", "", "", "", ""]]
    )  # fmt: skip
    assert batch.errors and batch.errors[0]["column"] == "Loại hình cơ sở"
    assert "Không hiểu loại hình cơ sở" in batch.errors[0]["message"]
    assert not Unit.objects.filter(code="LA").exists()


def test_the_units_template_has_the_type_columns_and_their_choices(client, tree, ward1_staff):
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
    for header in ("Loại hình cơ sở", "Loại hình doanh nghiệp", "Vốn nhà nước (%)"):
        assert header in text
    assert "Cơ quan Đảng, Mặt trận Tổ quốc, đoàn thể" in text and "Công ty hợp danh" in text
