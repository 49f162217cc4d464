"""An office's first roster, imported, gives the same answer as the same
history entered by hand through the lifecycle services, for every report of
the catalogue, on dates before, during and after each member's probation,
and over periods containing admissions, recognitions and arrivals.

The units are built once; each history is built inside a savepoint that is
rolled back after its figures are read, so both read the same tree. The
test iterates the registry: a report added later is compared too."""

from dataclasses import replace
from datetime import date

import pytest
from django.db import transaction

from chibo.models import ImportBatch
from members.choices import Status
from members.models import Exemption
from members.services import member_create, member_exempt, member_recognize_official
from organizations.models import Category, Level, Role
from reports.catalogue import Params, ReportError, catalogue
from tests.factories import UserFactory, grant, make_unit
from tests.members.import_factories import import_file, roster_xlsx

pytestmark = pytest.mark.django_db

HEADERS = [
    "STT",
    "Họ và tên",
    "Giới tính",
    "Ngày sinh",
    "Ngày vào Đảng",
    "Ngày chính thức",
    "Số thẻ đảng viên",
    "Chi bộ",
    "Ngày chuyển đến chi bộ",
    "Ngày miễn sinh hoạt",
    "Lý do miễn sinh hoạt",
]

# name, gender, birth, admitted, official, cell, arrived in the cell, exempt from
PEOPLE = [
    # admitted in the residential cell in 2017, official after twelve months
    (
        "Nguyễn Thị An",
        "F",
        date(1990, 5, 10),
        date(2017, 3, 3),
        date(2018, 3, 3),
        "KP1",
        None,
        None,
    ),
    # an old member, older than the school cell he belongs to, exempt for age since 2012
    (
        "Trần Văn Bình",
        "M",
        date(1950, 1, 1),
        date(1975, 5, 1),
        date(1976, 5, 1),
        "KP1",
        None,
        date(2012, 6, 1),
    ),
    # admitted elsewhere in 2008, arrived in the agency cell in April 2019
    (
        "Lê Văn Cường",
        "M",
        date(1985, 8, 8),
        date(2008, 6, 1),
        date(2009, 6, 1),
        "CQ",
        date(2019, 4, 15),
        None,
    ),
    # still probationary (her twelve months are over: overdue for review)
    ("Phạm Thị Dung", "F", date(1998, 2, 2), date(2024, 11, 20), None, "KP1", None, None),
    # admitted in 2018, in a school cell founded only on 01/09/2019
    ("Hoàng Văn Hải", "M", date(1995, 3, 3), date(2018, 8, 1), date(2019, 8, 1), "TH", None, None),
]

DAYS = [
    date(2012, 1, 1),  # before An's and Dung's admission
    date(2017, 1, 1),
    date(2017, 9, 1),  # An on probation
    date(2018, 6, 1),  # An official, Hải on probation but in no cell of ours
    date(2019, 5, 1),  # Cường arrived
    date(2019, 10, 1),  # Hải in the new school cell
    date(2025, 1, 1),  # Dung on probation
    date(2026, 11, 30),
]
PERIODS = [
    (date(2017, 1, 1), date(2017, 12, 31)),
    (date(2018, 1, 1), date(2018, 12, 31)),
    (date(2019, 1, 1), date(2019, 12, 31)),
    (date(2024, 1, 1), date(2024, 12, 31)),
    (date(2010, 1, 1), date(2026, 11, 30)),
]


@pytest.fixture
def world(db):
    province = make_unit(
        "Đảng bộ tỉnh So Sánh", level=Level.PROVINCIAL, founded_on=date(1960, 1, 1)
    )
    ward = make_unit(
        "Đảng bộ phường So Sánh",
        level=Level.GRASSROOTS_COMMITTEE,
        parent=province,
        founded_on=date(1960, 1, 1),
    )
    cells = {
        "KP1": make_unit(
            "Chi bộ khu phố Một",
            parent=ward,
            category=Category.RESIDENTIAL,
            founded_on=date(1960, 1, 1),
        ),
        "CQ": make_unit(
            "Chi bộ cơ quan phường So Sánh",
            parent=ward,
            category=Category.AGENCY,
            founded_on=date(1960, 1, 1),
        ),
        "TH": make_unit(
            "Chi bộ Trường THCS So Sánh",
            parent=ward,
            category=Category.SCHOOL,
            founded_on=date(2019, 9, 1),
        ),
    }
    staff = UserFactory(username="so-sanh")
    grant(staff, ward, Role.Kind.STAFF)
    return {"province": province, "ward": ward, "cells": cells, "staff": staff}


def by_import(world):
    rows = [
        {
            "Họ và tên": name,
            "Giới tính": "Nữ" if gender == "F" else "Nam",
            "Ngày sinh": birth.strftime("%d/%m/%Y"),
            "Ngày vào Đảng": admitted.strftime("%d/%m/%Y"),
            "Ngày chính thức": official.strftime("%d/%m/%Y") if official else "",
            "Số thẻ đảng viên": f"7700{i:04d}",
            "Chi bộ": world["cells"][cell].name,
            "Ngày chuyển đến chi bộ": arrived.strftime("%d/%m/%Y") if arrived else "",
            "Ngày miễn sinh hoạt": exempt.strftime("%d/%m/%Y") if exempt else "",
            "Lý do miễn sinh hoạt": "Tuổi cao" if exempt else "",
        }
        for i, (name, gender, birth, admitted, official, cell, arrived, exempt) in enumerate(PEOPLE)
    ]
    batch = import_file(
        actor=world["staff"],
        file_name="danh-sach.xlsx",
        data=roster_xlsx(rows, headers=HEADERS),
    )
    assert batch.status == ImportBatch.Status.DONE, batch.result
    return batch


def by_hand(world):
    """The same people entered step by step: each is entered in the cell on
    the day they joined it, with what they were then, and recognised, or
    exempted, on its day."""
    staff = world["staff"]
    for i, (name, gender, birth, admitted, official, code, arrived, exempt) in enumerate(PEOPLE):
        cell = world["cells"][code]
        since = arrived or max(admitted, cell.founded_on)
        official_then = official is not None and official <= since
        member = member_create(
            actor=staff,
            unit=cell,
            status=Status.OFFICIAL if official_then else Status.PROBATIONARY,
            since=since,
            full_name=name,
            gender=gender,
            birth_date=birth,
            admitted_on=admitted,
            official_on=official if official_then else None,
            card_number=f"7700{i:04d}",
        )
        if official and not official_then:
            member_recognize_official(
                actor=staff, member=member, day=official, votes_for=3, officials=3
            )
        if exempt:
            member_exempt(actor=staff, member=member, day=exempt, reason=Exemption.Reason.AGE)


def key(params: Params) -> tuple:
    return (params.day, params.start, params.end, params.by_children)


def params_of(report):
    if report.yearly:
        return [Params(start=date(y, 1, 1), end=date(y, 12, 31)) for y in (2017, 2019, 2025)]
    if report.periodic:
        return [Params(start=s, end=e) for s, e in PERIODS]
    return [Params(day=d) for d in DAYS]


def every_report(world) -> dict:
    roots = [world["province"], world["ward"], world["cells"]["KP1"]]
    out = {}
    for report in catalogue():
        for root in roots:
            for params in params_of(report):
                for by_children in (False, True):
                    asked = replace(params, by_children=by_children)
                    try:
                        table = report.run(root, asked).as_dict()
                    except ReportError as exc:
                        table = {"error": str(exc)}
                    out[(report.name, root.name, key(asked))] = table
    return out


def figures_of(build, world) -> dict:
    with transaction.atomic():
        build(world)
        figures = every_report(world)
        transaction.set_rollback(True)
    return figures


def test_every_report_is_the_same_for_the_imported_roster_and_the_history_entered_by_hand(world):
    imported = figures_of(by_import, world)
    entered = figures_of(by_hand, world)
    assert imported.keys() == entered.keys()
    different = [key for key in imported if imported[key] != entered[key]]
    assert not different, different[:5]
    # every report was read, and the data reached them: not all blank
    assert {name for name, _root, _p in imported} == {r.name for r in catalogue()}


def structure_members(figures, root, day):
    """(all, official, probationary, exempt) of the structure report's "Đảng viên" line."""
    table = figures[("structure", root.name, key(Params(day=day)))]
    return tuple(table["sections"][2]["rows"][0])


def test_the_structure_on_a_date_during_probation_counts_the_member_as_probationary(world):
    imported = figures_of(by_import, world)
    ward = world["ward"]
    # 01/09/2017: Bình (official, exempt) and An (probationary since 03/03/2017)
    assert structure_members(imported, ward, date(2017, 9, 1)) == (2, 1, 1, 1)
    # 01/06/2018: An official; Hải on probation, but in no cell of the ward yet
    assert structure_members(imported, ward, date(2018, 6, 1)) == (2, 2, 0, 1)
    # 01/10/2019: Cường arrived, Hải in the school cell founded 01/09/2019
    assert structure_members(imported, ward, date(2019, 10, 1)) == (4, 4, 0, 1)
    # 01/01/2025: Dung on probation
    assert structure_members(imported, ward, date(2025, 1, 1)) == (5, 4, 1, 1)
    # 01/01/2012: before An, Dung and Hải; before Bình's exemption
    assert structure_members(imported, ward, date(2012, 1, 1)) == (1, 1, 0, 0)


def test_the_admissions_of_the_roster_years_are_counted(world):
    imported = figures_of(by_import, world)
    ward = world["ward"]

    def admitted_recognized(start, end):
        table = imported[("admissions", ward.name, key(Params(start=start, end=end)))]
        totals = table["sections"][0]["totals"]
        return totals[1], totals[3]

    assert admitted_recognized(date(2017, 1, 1), date(2017, 12, 31)) == (1, 0)  # An
    assert admitted_recognized(date(2018, 1, 1), date(2018, 12, 31)) == (0, 1)  # An recognised
    # Hải was admitted and recognised before the school cell existed; Cường elsewhere
    assert admitted_recognized(date(2019, 1, 1), date(2019, 12, 31)) == (0, 0)
    assert admitted_recognized(date(2024, 1, 1), date(2024, 12, 31)) == (1, 0)  # Dung
