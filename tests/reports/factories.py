"""Report test data: many members at once, with the same history rows the
services write (a Member, its permanent Placement and its StatusPeriod), in
bulk so that datasets of thousands stay fast."""

import itertools
from datetime import date

from chibo.text import fold, sort_key
from members.choices import PlacementKind, Status
from members.counts import counts_refresh
from members.models import Member, Placement, StatusPeriod
from organizations.models import AdministrativeUnit, Unit

_serial = itertools.count(5_000_000)


def bulk_members(
    unit: Unit,
    n: int,
    *,
    status: str = Status.OFFICIAL,
    since: date = date(2010, 1, 1),
    **profile,
) -> list[Member]:
    """`n` members placed in `unit` from `since`, with `status` from `since`."""
    return bulk_members_in([(unit, n)], status=status, since=since, **profile)


def bulk_members_in(
    counts: list[tuple[Unit, int]],
    *,
    status: str = Status.OFFICIAL,
    since: date = date(2010, 1, 1),
    **profile,
) -> list[Member]:
    """Members in many cells at once: [(cell, how many), ...]."""
    members = []
    for unit, n in counts:
        for _ in range(n):
            serial = next(_serial)
            name = profile.get("full_name") or f"Trần Văn Số {serial}"
            fields = {
                "gender": "M",
                "birth_date": date(1970, 1, 1),
                "admitted_on": date(2000, 1, 1),
                **profile,
            }
            fields.pop("full_name", None)
            members.append(
                Member(
                    full_name=name,
                    sort_key=sort_key(name),
                    search_name=fold(name),
                    unit=unit,
                    status=status,
                    **fields,
                )
            )
    if not members:
        return []
    members = Member.objects.bulk_create(members, batch_size=2000)
    Placement.objects.bulk_create(
        [
            Placement(member=m, unit_id=m.unit_id, kind=PlacementKind.PERMANENT, valid_from=since)
            for m in members
        ],
        batch_size=2000,
    )
    StatusPeriod.objects.bulk_create(
        [StatusPeriod(member=m, status=status, valid_from=since) for m in members],
        batch_size=2000,
    )
    # bulk_create sends no signals: what a bulk load does (members/counts.py)
    counts_refresh({m.unit_id for m in members})
    return members


_codes = itertools.count(1)


def locality(kind: str, name: str = "") -> AdministrativeUnit:
    n = next(_codes)
    return AdministrativeUnit.objects.create(
        code=f"T{n:05d}", name=name or f"{kind} thử {n}", kind=kind
    )


def bulk_units(specs: list[dict], *, founded_on: date = date(2000, 1, 1)) -> list[Unit]:
    """Units under already saved parents, in bulk, each with its first
    UnitVersion (as organizations.services.unit_found writes it)."""
    from organizations.models import UnitVersion, path_segment

    units = Unit.objects.bulk_create(
        [Unit(path="", founded_on=founded_on, **s) for s in specs], batch_size=2000
    )
    parents = {p.pk: p for p in Unit.objects.filter(pk__in={s["parent"].pk for s in specs})}
    for u in units:
        u.path = parents[u.parent_id].path + path_segment(u.pk)
    Unit.objects.bulk_update(units, ["path"], batch_size=2000)
    UnitVersion.objects.bulk_create(
        [
            UnitVersion(
                unit=u,
                name=u.name,
                level=u.level,
                category=u.category,
                parent_id=u.parent_id,
                path=u.path,
                administrative_unit_id=u.administrative_unit_id,
                valid_from=u.founded_on,
                change="founded",
            )
            for u in units
        ],
        batch_size=2000,
    )
    return units


def bulk_admitted(
    unit: Unit, n: int, *, admitted_on: date, recognized_on: date | None = None
) -> list[Member]:
    """`n` people proposed as candidates in `unit` a year before `admitted_on`,
    admitted that day (a probationary period opening on the decision), and
    recognised as official on `recognized_on` if given: the status rows the
    lifecycle services write."""
    from datetime import timedelta

    proposed = admitted_on - timedelta(days=365)
    final = Status.OFFICIAL if recognized_on else Status.PROBATIONARY
    members = bulk_members(
        unit,
        n,
        status=Status.CANDIDATE,
        since=proposed,
        admitted_on=admitted_on,
        probation_from=admitted_on,
        official_on=recognized_on,
    )
    StatusPeriod.objects.filter(member__in=members).update(valid_to=admitted_on)
    rows = [
        StatusPeriod(
            member=m, status=Status.PROBATIONARY, valid_from=admitted_on, valid_to=recognized_on
        )
        for m in members
    ]
    if recognized_on:
        rows += [
            StatusPeriod(member=m, status=Status.OFFICIAL, valid_from=recognized_on)
            for m in members
        ]
    StatusPeriod.objects.bulk_create(rows, batch_size=2000)
    Member.objects.filter(pk__in=[m.pk for m in members]).update(status=final)
    counts_refresh({unit.pk})
    return members
