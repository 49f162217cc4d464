"""The administrative units before 1 July 2025 (loaded by the migrations from
the vietnamadminunits data file), links of a committee to them for the dates
they existed, the locality reports' kinds on any date, and the households
and people of a locality."""

from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse

from chibo.errors import ServiceError
from chibo.imports import import_file
from organizations.models import AdministrativeUnit, Level, Population, Restructure, UnitVersion
from organizations.selectors import administrative_unit_find
from organizations.services import population_record, unit_found, unit_link_locality
from reports.catalogue import Params, get_report
from structure.services import unit_merge
from tests.factories import make_unit
from tests.organizations.factories import decision
from tests.reports.factories import bulk_members

pytestmark = pytest.mark.django_db

REFORM = date(2025, 7, 1)
OLD_DAY = date(2020, 6, 30)
NEW_DAY = date(2026, 1, 1)


def soc_son_township():
    return AdministrativeUnit.objects.get(name="Thị trấn Sóc Sơn", parent__name="Huyện Sóc Sơn")


def test_the_units_before_the_reform_are_loaded_with_their_end_and_successors():
    old = AdministrativeUnit.objects.filter(valid_to=REFORM)
    assert old.filter(kind__in=["province", "city"]).count() == 63
    assert old.filter(kind="township").count() == 616
    assert old.filter(kind__in=["commune", "ward", "township"]).count() == 10035
    assert (
        old.filter(kind__in=["district", "urban_district", "town", "provincial_city"]).count()
        == 696
    )
    township = soc_son_township()
    assert township.parent.parent.name == "Thành phố Hà Nội"
    assert township.validity == "đến 30/06/2025"
    assert [s.name for s in township.successors.all()] == ["Xã Sóc Sơn"]
    assert "vietnamadminunits" in township.source
    # the command adds only what is missing
    call_command("load_administrative_units")
    assert AdministrativeUnit.objects.filter(valid_to=REFORM).count() == old.count()


def test_a_unit_is_found_by_code_or_name_among_those_in_force_on_the_day():
    assert (
        administrative_unit_find("Thị trấn Sóc Sơn, Huyện Sóc Sơn", OLD_DAY) == soc_son_township()
    )
    assert administrative_unit_find("thi tran soc son, ha noi", OLD_DAY) == soc_son_township()
    # the same code named an old ward and names a new one
    assert administrative_unit_find("00004", OLD_DAY).name == "Phường Trúc Bạch"
    assert administrative_unit_find("00004", NEW_DAY).name == "Phường Ba Đình"
    with pytest.raises(ServiceError, match="Vào ngày đó là: Xã Sóc Sơn, Thành phố Hà Nội"):
        administrative_unit_find("Thị trấn Sóc Sơn, Huyện Sóc Sơn", NEW_DAY)
    with pytest.raises(ServiceError, match="Trước đó là: .*Thị trấn Sóc Sơn"):
        administrative_unit_find("Xã Sóc Sơn, Hà Nội", OLD_DAY)
    with pytest.raises(ServiceError, match=r"Có \d+ đơn vị hành chính “Xã Tân Lập”"):
        administrative_unit_find("Xã Tân Lập", OLD_DAY)
    with pytest.raises(ServiceError, match="Không tìm thấy"):
        administrative_unit_find("Xã Không Có", OLD_DAY)


def test_a_committee_is_linked_to_a_unit_only_for_the_dates_it_existed(tree):
    township = soc_son_township()
    with pytest.raises(ServiceError, match="không có hiệu lực vào ngày 01/01/2026"):
        unit_found(
            actor=None,
            name="Đảng bộ thị trấn Sóc Sơn",
            level=Level.GRASSROOTS_COMMITTEE,
            parent=tree.province,
            founded_on=NEW_DAY,
            administrative_unit=township,
        )
    ward = unit_found(
        actor=None,
        name="Đảng bộ thị trấn Sóc Sơn",
        level=Level.GRASSROOTS_COMMITTEE,
        parent=tree.province,
        founded_on=date(2000, 1, 1),
        administrative_unit=township,
    )
    commune = AdministrativeUnit.objects.get(name="Xã Sóc Sơn", valid_to__isnull=True)
    with pytest.raises(ServiceError, match="không có hiệu lực vào ngày 01/01/2020"):
        unit_link_locality(
            actor=None, unit=ward, administrative_unit=commune, effective_on=date(2020, 1, 1)
        )
    unit_link_locality(actor=None, unit=ward, administrative_unit=commune, effective_on=REFORM)
    # a dated change: the past keeps the township
    versions = list(UnitVersion.objects.filter(unit=ward).order_by("valid_from"))
    assert [(v.valid_from, v.administrative_unit) for v in versions] == [
        (date(2000, 1, 1), township),
        (REFORM, commune),
    ]
    assert not Restructure.objects.exists()


def coverage_kinds(unit, day):
    table = get_report("agency_cell_coverage").run(unit, Params(day=day))
    return {row[0]: row[1] for row in table.sections[0].rows}


def test_the_coverage_report_says_township_in_2020_and_commune_in_2026(tree):
    township = soc_son_township()
    ward = make_unit(
        "Đảng bộ thị trấn Sóc Sơn",
        level=Level.GRASSROOTS_COMMITTEE,
        parent=tree.province,
        administrative_unit=township,
    )
    agency = make_unit("Chi bộ cơ quan", parent=ward, category="agency")
    bulk_members(agency, 5)
    commune = AdministrativeUnit.objects.get(name="Xã Sóc Sơn", valid_to__isnull=True)
    unit_link_locality(actor=None, unit=ward, administrative_unit=commune, effective_on=REFORM)
    assert coverage_kinds(tree.province, OLD_DAY) == {"Xã": 0, "Phường": 0, "Thị trấn, đặc khu": 1}
    assert coverage_kinds(tree.province, NEW_DAY) == {"Xã": 1, "Phường": 0, "Thị trấn, đặc khu": 0}


def test_a_link_to_a_2025_commune_reads_as_the_one_township_it_was_made_from(tree):
    # Xã Mường Lát (2025) was made from Thị trấn Mường Lát alone
    commune = AdministrativeUnit.objects.get(name="Xã Mường Lát", valid_to__isnull=True)
    ward = make_unit("Đảng bộ xã Mường Lát", level=Level.GRASSROOTS_COMMITTEE, parent=tree.province)
    UnitVersion.objects.filter(unit=ward).update(administrative_unit=commune)
    assert coverage_kinds(tree.province, OLD_DAY)["Thị trấn, đặc khu"] == 1
    assert coverage_kinds(tree.province, NEW_DAY)["Xã"] == 1
    # Xã Sóc Sơn was made from a township and eight communes: for 2020 its
    # kind cannot be said, and the report says so
    soc_son = AdministrativeUnit.objects.get(name="Xã Sóc Sơn", valid_to__isnull=True)
    other = make_unit("Đảng bộ xã Sóc Sơn", level=Level.GRASSROOTS_COMMITTEE, parent=tree.province)
    UnitVersion.objects.filter(unit=other).update(administrative_unit=soc_son)
    table = get_report("agency_cell_coverage").run(tree.province, Params(day=OLD_DAY))
    assert "Đảng bộ xã Sóc Sơn" in table.sections[0].note
    assert sum(r[1] for r in table.sections[0].rows) == 1


def test_a_merge_on_the_reform_day_takes_the_commune_the_township_became(tree):
    township = soc_son_township()
    a = make_unit(
        "Đảng bộ thị trấn Sóc Sơn",
        level=Level.GRASSROOTS_COMMITTEE,
        parent=tree.province,
        administrative_unit=township,
    )
    b = make_unit("Đảng bộ xã Phù Linh", level=Level.GRASSROOTS_COMMITTEE, parent=tree.province)
    r = unit_merge(actor=None, units=[a, b], name="Đảng bộ xã Sóc Sơn", **decision(REFORM))
    merged = r.units.get(pk=r.data["into"])
    assert merged.administrative_unit.name == "Xã Sóc Sơn"
    assert merged.administrative_unit.valid_to is None


def test_the_unit_import_accepts_a_historical_unit_for_its_founding_date(tree, ward1_staff):
    csv = (
        "Tên đơn vị,Cấp,Trực thuộc,Đơn vị hành chính,Ngày thành lập\n"
        'Chi bộ thị trấn cũ,Chi bộ,Đảng bộ phường Một,"Thị trấn Sóc Sơn, Huyện Sóc Sơn",01/01/2005\n'
        'Chi bộ xã mới,Chi bộ,Đảng bộ phường Một,"Thị trấn Sóc Sơn, Huyện Sóc Sơn",01/01/2026\n'
    ).encode()
    batch = import_file("units", actor=ward1_staff, file_name="don-vi.csv", data=csv, dry_run=True)
    outcomes = [r["outcome"] for r in batch.result["rows"]]
    assert outcomes == ["new", "error"], batch.errors
    (message,) = batch.errors
    assert message["column"] == "Đơn vị hành chính"
    assert "Vào ngày đó là: Xã Sóc Sơn" in message["message"]


def test_households_and_people_are_dated_and_shown_on_the_unit_page_and_in_the_report(
    client, tree, ward1_staff
):
    client.force_login(ward1_staff)
    url = reverse("organizations:locality", args=[tree.ward1.pk])
    page = client.post(
        url,
        {
            "action": "count",
            "count-counted_on": "31/12/2019",
            "count-households": "3815",
            "count-people": "13874",
            "count-note": "Báo cáo của UBND phường",
        },
    )
    assert page.status_code == 302
    population_record(
        actor=ward1_staff,
        unit=tree.ward1,
        counted_on=date(2023, 12, 31),
        households=3900,
        people=14100,
    )
    detail = client.get(reverse("organizations:unit_detail", args=[tree.ward1.pk])).content.decode()
    assert "3.900 hộ, 14.100 nhân khẩu" in detail or "3,900 hộ, 14,100 nhân khẩu" in detail
    report = get_report("structure")

    def figures(day):
        table = report.run(tree.ward1, Params(day=day))
        section = next(s for s in table.sections if s.title.startswith("Hộ gia đình"))
        return section.rows[0][1:4]

    assert figures(date(2020, 6, 30)) == [1, 3815, 13874]
    assert figures(date(2024, 1, 1)) == [1, 3900, 14100]
    province = report.run(tree.province, Params(day=date(2020, 6, 30)))
    section = next(s for s in province.sections if s.title.startswith("Hộ gia đình"))
    assert section.rows == [
        ["Đảng bộ tỉnh Thử", 0, 0, 0, ""],
        ["Các đơn vị trực thuộc", 1, 3815, 13874, "31/12/2019"],
    ]


@pytest.mark.parametrize(
    "households,people,message",
    [
        (-1, 10, "không được âm"),
        (100, 50, "ít hơn số hộ"),
        (10, 5000, "Bình quân hơn 20 người một hộ"),
        (1_000_000, 30_000_000, "quá lớn"),
    ],
)
def test_negative_or_absurd_counts_are_refused_and_nothing_is_kept(
    tree, households, people, message
):
    with pytest.raises(ServiceError, match=message):
        population_record(
            actor=None,
            unit=tree.ward1,
            counted_on=date(2020, 1, 1),
            households=households,
            people=people,
        )
    assert not Population.objects.exists()


def test_the_page_refuses_bad_counts_with_a_message(client, tree, ward1_staff, ward2_staff):
    client.force_login(ward1_staff)
    url = reverse("organizations:locality", args=[tree.ward1.pk])
    page = client.post(
        url,
        {
            "action": "count",
            "count-counted_on": "31/12/2019",
            "count-households": "-5",
            "count-people": "x",
        },
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert "Số hộ không được âm." in body and "Số nhân khẩu phải là một số nguyên." in body
    page = client.post(
        url,
        {
            "action": "link",
            "link-administrative_unit": "Thị trấn Sóc Sơn, Huyện Sóc Sơn",
            "link-effective_on": "01/01/2026",
        },
    )
    assert "Vào ngày đó là: Xã Sóc Sơn" in page.content.decode()
    assert not Population.objects.exists()
    assert UnitVersion.objects.filter(unit=tree.ward1).count() == 1
    client.force_login(ward2_staff)
    assert client.post(url, {"action": "count"}).status_code == 404


def test_the_found_page_takes_the_locality_in_force_on_the_founding_day(client, tree, ward1_staff):
    client.force_login(ward1_staff)
    url = reverse("organizations:found", args=[tree.ward1.pk])
    form = {
        "name": "Chi bộ khu phố Sóc Sơn",
        "level": Level.CELL,
        "category": "residential",
        "administrative_unit": "Thị trấn Sóc Sơn, Huyện Sóc Sơn",
        "decision_number": "5-QĐ/ĐU",
        "decision_date": "01/03/2005",
        "effective_on": "01/03/2005",
    }
    assert client.post(url, form).status_code == 302
    made = tree.ward1.children.get(name="Chi bộ khu phố Sóc Sơn")
    assert made.administrative_unit == soc_son_township()
    page = client.post(url, {**form, "name": "Chi bộ mới", "effective_on": "01/03/2026"})
    assert "Vào ngày đó là: Xã Sóc Sơn" in page.content.decode()
    assert not tree.ward1.children.filter(name="Chi bộ mới").exists()


def test_the_kinds_of_many_old_localities_are_read_in_a_few_queries(
    tree, django_assert_max_num_queries
):
    townships = AdministrativeUnit.objects.filter(kind="township", valid_to=REFORM)[:40]
    for t in townships:
        make_unit(
            f"Đảng bộ {t.name} {t.pk}",
            level=Level.GRASSROOTS_COMMITTEE,
            parent=tree.province,
            administrative_unit=t,
        )
    report = get_report("agency_cell_coverage")
    with django_assert_max_num_queries(8):
        old = report.run(tree.province, Params(day=OLD_DAY))
    with django_assert_max_num_queries(8):
        new = report.run(tree.province, Params(day=NEW_DAY))
    assert old.sections[0].rows[2][1] == 40  # 40 townships in 2020
    # in 2026 each is counted as the commune, ward or special zone it became
    assert sum(r[1] for r in new.sections[0].rows) == 40
    assert new.sections[0].rows[2][1] < 40
