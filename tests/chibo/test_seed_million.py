"""`seed_demo --scale million`: the national benchmark's data, loaded by COPY.
A tiny national scale (2 provinces of 3 grassroots organizations) goes
through the same COPY path as the million; its histories must be whole and
the maintained counts must equal them."""

import io
from datetime import date

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from meetings.models import Attendance, Meeting
from members.choices import MEMBER_STATUSES, PlacementKind, Status
from members.models import Member, MemberCount, Placement, StatusPeriod
from organizations.models import CELL_LEVELS, Level, Unit, UnitVersion
from reports.selectors import member_counts_by_unit, roll_up, snapshot
from reviews.models import MemberReview

ON_POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]


@pytest.mark.skipif(ON_POSTGRES, reason="the refusal is SQLite's")
def test_the_million_scale_is_refused_on_sqlite_and_writes_nothing(db):
    units = Unit.objects.count()
    with pytest.raises(CommandError, match="chỉ chạy trên PostgreSQL"):
        call_command("seed_demo", scale="million")
    assert Unit.objects.count() == units
    assert not Member.objects.exists()


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="COPY is PostgreSQL's")
def test_a_tiny_national_scale_has_whole_histories_and_true_counts(transactional_db):
    out = io.StringIO()
    call_command("seed_demo", scale="million", provinces=2, grassroots=3, stdout=out)
    # the build prints a table of its phases: time, CPU each side, rows
    table = out.getvalue().split("Thời gian từng bước", 1)[1]
    for phase in (
        "members.build_million",
        "members: đảng viên, trạng thái, nơi sinh hoạt (COPY)",
        "meetings: điểm danh (INSERT … SELECT)",
        "dues: lượt đóng (INSERT … SELECT)",
        "reviews: xếp loại 3 năm (COPY)",
        "VACUUM ANALYZE",
    ):
        assert phase in table
    national = Unit.objects.get(code="DEMO-TW")
    assert national.level == Level.CENTRAL and national.parent_id is None
    provinces = list(Unit.objects.filter(parent=national).order_by("code"))
    assert [p.code for p in provinces] == ["DEMO-N01", "DEMO-N02"]
    assert all(p.level == Level.PROVINCIAL for p in provinces)
    under = Unit.objects.filter(path__startswith=national.path)
    # every unit has its founding version, with its path
    assert UnitVersion.objects.filter(unit__in=under, valid_to__isnull=True).count() == (
        under.count()
    )
    assert not under.exclude(path__in=UnitVersion.objects.values("path")).exists()
    cells = under.filter(level__in=CELL_LEVELS)
    members = Member.objects.filter(unit__in=cells)
    n = members.count()
    assert n > 50
    # every member: one open permanent placement in their cell, an open status
    # equal to the cached one, a probation before an official period
    open_placements = Placement.objects.filter(
        member__in=members, kind=PlacementKind.PERMANENT, valid_to__isnull=True
    )
    assert open_placements.count() == n
    assert not open_placements.exclude(unit_id=models_f("member__unit_id")).exists()
    open_status = StatusPeriod.objects.filter(member__in=members, valid_to__isnull=True)
    assert open_status.count() == n
    assert not open_status.exclude(status=models_f("member__status")).exists()
    official = members.filter(status=Status.OFFICIAL, official_on__gt=models_f("admitted_on"))
    assert (
        StatusPeriod.objects.filter(
            member__in=official,
            status=Status.PROBATIONARY,
            valid_to=models_f("member__official_on"),
        ).count()
        == official.count()
    )
    # the maintained counts equal the histories (verify_counts raises otherwise)
    assert MemberCount.objects.filter(unit__in=cells).exists()
    call_command("verify_counts", months=3)
    # the report of the national root and of a province: the figures the
    # histories give, counted here directly
    today = date.today()
    for root in (national, provinces[0]):
        snap = snapshot(root, today)
        totals = roll_up(snap, member_counts_by_unit(snap))[root.pk]
        placed = Placement.objects.filter(
            unit__path__startswith=root.path, kind=PlacementKind.PERMANENT, valid_to__isnull=True
        ).values("member_id")
        for status, figure in (
            (Status.OFFICIAL, totals.official),
            (Status.PROBATIONARY, totals.probationary),
        ):
            assert figure == (
                StatusPeriod.objects.filter(
                    member_id__in=placed, status=status, valid_to__isnull=True
                ).count()
            )
        assert totals.official + totals.probationary == (
            Member.objects.filter(
                unit__path__startswith=root.path, status__in=MEMBER_STATUSES
            ).count()
        )
    # meetings with attendance of the cells' members, and three years of ratings
    meetings = Meeting.objects.filter(unit__in=cells)
    assert meetings.count() >= cells.count() * 6
    assert Attendance.objects.filter(meeting__in=meetings).count() >= n * 6
    assert not Attendance.objects.filter(meeting__in=meetings).exclude(member__in=members).exists()
    years = set(MemberReview.objects.filter(cell__in=cells).values_list("year", flat=True))
    assert years == {today.year - 3, today.year - 2, today.year - 1}
    # a second run changes nothing
    call_command("seed_demo", scale="million", provinces=2, grassroots=3)
    assert Member.objects.filter(unit__in=cells).count() == n


def models_f(name):
    from django.db.models import F

    return F(name)
