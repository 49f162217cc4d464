"""Demo members: a few hundred per ward through the services (so every row
has its history); at province scale ~100,000 more in bulk."""

from datetime import date, timedelta

from chibo.demo import DemoContext
from chibo.text import fold, sort_key
from members.choices import (
    ETHNIC_GROUPS,
    Education,
    PlacementKind,
    Qualification,
    Status,
    TheoryLevel,
)
from members.models import Member, Placement, StatusPeriod
from members.services import member_create
from organizations.models import Category

SIZES = {
    Category.AGENCY: (18, 30),
    Category.RESIDENTIAL: (15, 45),
    Category.VILLAGE: (12, 35),
    Category.POLICE: (8, 20),
    Category.MILITARY: (5, 12),
    Category.SCHOOL: (6, 18),
    Category.HEALTH: (4, 9),
    Category.ENTERPRISE: (2, 10),
}
# Residential and village cells are mostly retired, elderly members (seed 000).
AGE_RANGE = {Category.RESIDENTIAL: (30, 88), Category.VILLAGE: (25, 85)}


def _profile(ctx: DemoContext, category: str, serial: int) -> tuple[dict, str, date]:
    rng, today = ctx.rng, ctx.today
    gender = "M" if rng.random() < 0.58 else "F"
    lo, hi = AGE_RANGE.get(category, (24, 58))
    age = rng.randint(lo, hi)
    birth = date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
    admitted = ctx.day_between(birth.replace(year=birth.year + 20), today - timedelta(days=30))
    probationary = (today - admitted).days < 365 and rng.random() < 0.9
    official = None if probationary else admitted + timedelta(days=365)
    profile = {
        "full_name": ctx.person_name(gender),
        "gender": gender,
        "birth_date": birth,
        "ethnicity": "Kinh" if rng.random() < 0.9 else rng.choice(ETHNIC_GROUPS[1:12]),
        "religion": "Không"
        if rng.random() < 0.85
        else rng.choice(["Phật giáo", "Công giáo", "Cao Đài"]),
        "national_id": f"0{rng.randint(1, 96):02d}{1 if gender == 'F' else 0}{birth.year % 100:02d}{serial:06d}",
        "phone": f"09{rng.randint(10000000, 99999999)}",
        "home_town": ctx.faker.province() if hasattr(ctx.faker, "province") else "",
        "residence": ctx.faker.street_address(),
        "education": Education.UPPER_SECONDARY if rng.random() < 0.8 else Education.LOWER_SECONDARY,
        "qualification": rng.choice(list(Qualification.values)),
        "theory_level": rng.choice(
            [TheoryLevel.ELEMENTARY, TheoryLevel.INTERMEDIATE, TheoryLevel.NONE]
        ),
        "is_civil_servant": category in (Category.AGENCY, Category.SCHOOL, Category.HEALTH),
        "is_retired": age >= 60,
        "admitted_on": admitted,
        "official_on": official,
        "card_number": f"{serial:08d}" if not probationary else None,
        "dossier_number": f"LL-{serial:06d}",
    }
    status = Status.PROBATIONARY if probationary else Status.OFFICIAL
    return profile, status, admitted


def build(ctx: DemoContext) -> None:
    serial = 0
    total = 0
    for cell in ctx.data["cells"]:
        lo, hi = SIZES.get(cell.category, (5, 15))
        for _ in range(ctx.rng.randint(lo, hi)):
            serial += 1
            profile, status, admitted = _profile(ctx, cell.category, serial)
            member_create(
                actor=None,
                unit=cell,
                status=status,
                since=max(admitted, cell.founded_on),
                record=False,
                **profile,
            )
            total += 1
    ctx.data["serial"] = serial
    ctx.say(f"  {total} đảng viên\n")


def build_province(ctx: DemoContext) -> None:
    serial = 100000
    batch_members, batch_meta = [], []
    created = 0

    def flush():
        nonlocal batch_members, batch_meta, created
        members = Member.objects.bulk_create(batch_members, batch_size=5000)
        Placement.objects.bulk_create(
            [
                Placement(
                    member=m, unit_id=m.unit_id, kind=PlacementKind.PERMANENT, valid_from=since
                )
                for m, (since, _) in zip(members, batch_meta, strict=True)
            ],
            batch_size=5000,
        )
        StatusPeriod.objects.bulk_create(
            [
                StatusPeriod(member=m, status=m.status, valid_from=since)
                for m, (since, _) in zip(members, batch_meta, strict=True)
            ],
            batch_size=5000,
        )
        created += len(members)
        batch_members, batch_meta = [], []

    for cell in ctx.data["province_cells"]:
        lo, hi = SIZES.get(cell.category, (5, 15))
        n = ctx.rng.randint(lo, hi) * 24 // 25
        for _ in range(n):
            serial += 1
            profile, status, admitted = _profile(ctx, cell.category, serial)
            m = Member(unit_id=cell.pk, status=status, **profile)
            m.sort_key = sort_key(m.full_name)
            m.search_name = fold(m.full_name)
            batch_members.append(m)
            batch_meta.append((max(admitted, cell.founded_on), None))
        if len(batch_members) >= 10000:
            flush()
    if batch_members:
        flush()
    ctx.say(f"  quy mô tỉnh: {created} đảng viên\n")
