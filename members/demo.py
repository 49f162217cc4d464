"""Demo members: a few hundred per ward through the services (so every row
has its history); at province scale ~100,000 more in bulk."""

from datetime import date, timedelta

from chibo.dates import add_months
from chibo.demo import DemoContext
from chibo.text import fold, sort_key
from members import services
from members.choices import (
    ETHNIC_GROUPS,
    Education,
    Qualification,
    Status,
    TheoryLevel,
)
from members.models import Exemption, Member, Placement, Rating, StatusPeriod
from members.rules import exemption_latest_birth, probation_ends_on
from members.services import member_create_with_past, past_rows, reconstruct_past
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
    # official when the twelve months are over (Điều lệ, Điều 5), never in the future
    official = None if probationary else probation_ends_on(admitted)
    if official is not None and official > today:
        probationary, official = True, None
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
            profile, _status, _admitted = _profile(ctx, cell.category, serial)
            # the past the dossier's dates tell: probationary from the
            # admission (2017, 1990, ...), official from then, in the cell
            # since its founding
            member_create_with_past(actor=None, unit=cell, record=False, **profile)
            total += 1
    ctx.data["serial"] = serial
    ctx.say(f"  {total} đảng viên\n")
    _lifecycle(ctx)


def _lifecycle(ctx: DemoContext) -> None:
    """A little of every lifecycle step, through the services, so the profile
    timelines, the due lists and the residence pages have something to show:
    candidates with their helpers, probationary members near or past their
    deadline, an exemption, a temporary transfer, a discipline, residence
    contacts with monthly evaluations and a yearly comment."""
    rng, today = ctx.rng, ctx.today
    ward1, ward2 = ctx.data["ward1"], ctx.data["ward2"]
    cells1 = [c for c in ctx.data["cells"] if c.parent_id == ward1.pk]
    cells2 = [c for c in ctx.data["cells"] if c.parent_id == ward2.pk]
    residential = [c for c in cells1 if c.category == Category.RESIDENTIAL]
    agency = next((c for c in cells1 if c.category == Category.AGENCY), None)

    def officials(cell):
        return list(Member.objects.filter(unit=cell, status=Status.OFFICIAL).order_by("id"))

    def profile(gender: str, age: int) -> dict:
        ctx.data["serial"] += 1
        n = ctx.data["serial"]
        birth = date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
        return {
            "full_name": ctx.person_name(gender),
            "gender": gender,
            "birth_date": birth,
            "national_id": f"0{rng.randint(1, 96):02d}{1 if gender == 'F' else 0}"
            f"{birth.year % 100:02d}{n:06d}",
            "phone": f"09{rng.randint(10000000, 99999999)}",
            "residence": ctx.faker.street_address(),
            "occupation": rng.choice(["Giáo viên", "Kinh doanh", "Công nhân", "Sinh viên"]),
        }

    shown = {"candidates": 0, "probationary": 0}
    for cell in residential[:3]:
        helpers = officials(cell)[:2]
        if len(helpers) < 2:
            continue
        start = max(cell.founded_on, add_months(today, -16)) + timedelta(days=7)
        # two candidates waiting for a decision
        for _ in range(2):
            services.member_propose_candidate(
                actor=None,
                unit=cell,
                proposed_on=ctx.day_between(start, today - timedelta(days=20)),
                helpers=helpers,
                **profile(rng.choice("MF"), rng.randint(20, 35)),
            )
            shown["candidates"] += 1
        # probationary: one whose twelve months end within the month, one overdue
        for ceremony in (
            add_months(today, -12) + timedelta(days=rng.randint(3, 25)),
            add_months(today, -13) - timedelta(days=rng.randint(0, 20)),
        ):
            if ceremony <= start + timedelta(days=30):
                continue
            cand = services.member_propose_candidate(
                actor=None,
                unit=cell,
                proposed_on=start,
                helpers=helpers,
                **profile(rng.choice("MF"), rng.randint(22, 40)),
            )
            services.member_admit(
                actor=None,
                member=cand,
                decided_on=ceremony - timedelta(days=10),
                ceremony_on=ceremony,
                decision_number=f"{rng.randint(100, 999)}-QĐ/ĐU",
            )
            shown["probationary"] += 1

    day_after_start = max(c.founded_on for c in ctx.data["cells"]) + timedelta(days=30)
    if day_after_start >= today:
        return
    # an old member exempted for age
    old = (
        Member.objects.filter(
            unit__in=residential,
            status=Status.OFFICIAL,
            gender="M",
            is_exempt=False,
            birth_date__lte=exemption_latest_birth("M", today) - timedelta(days=3650),
        )
        .order_by("id")
        .first()
    )
    if old is not None:
        services.member_exempt(
            actor=None,
            member=old,
            day=ctx.day_between(day_after_start, today),
            reason=Exemption.Reason.AGE,
            decision_number="15-QĐ/ĐU",
        )
    # a temporary transfer to a cell of the other committee (study, work away)
    if agency is not None and cells2:
        visitor = officials(agency)[-1:]
        if visitor:
            day = ctx.day_between(day_after_start, today - timedelta(days=10))
            services.member_transfer_temporary(
                actor=None,
                member=visitor[0],
                host=cells2[0],
                day=day,
                until=add_months(day, 9),
                reason="Biệt phái công tác",
            )
    # a self-reported reprimand
    someone = officials(residential[-1])[:1] if residential else []
    if someone:
        services.member_discipline(
            actor=None,
            member=someone[0],
            form="reprimand",
            day=ctx.day_between(day_after_start, today),
            fault="Chậm đóng đảng phí 2 tháng",
            self_reported=True,
            corrected=True,
        )
    # civil servants of the agency cell keep contact with their residence cells
    # (Quy định 213-QĐ/TW); their agency's monthly results reach that cell.
    if agency is not None and residential:
        workers = [m for m in officials(agency) if m.is_civil_servant][:6]
        for i, worker in enumerate(workers):
            cell = residential[i % len(residential)]
            contact = services.residence_contact_start(
                actor=None,
                member=worker,
                unit=cell,
                day=day_after_start,
                address=ctx.faker.street_address(),
            )
            month = add_months(today.replace(day=1), -3)
            while month <= today.replace(day=1):
                if month >= day_after_start.replace(day=1):
                    services.evaluation_record(
                        actor=None,
                        member=worker,
                        month=month,
                        result=rng.choice([Rating.GOOD, Rating.GOOD, Rating.EXCELLENT]),
                        agency="Đảng ủy, UBND phường",
                    )
                month = add_months(month, 1)
            if today.year > contact.valid_from.year:
                services.residence_comment_record(
                    actor=None,
                    contact=contact,
                    year=contact.valid_from.year,
                    comment="Gương mẫu, tích cực tham gia các hoạt động của khu dân cư.",
                )
    ctx.say(
        f"  vòng đời: {shown['candidates']} quần chúng ưu tú, {shown['probationary']} dự bị đến hạn,"
        " 1 miễn sinh hoạt, 1 sinh hoạt tạm thời, 1 kỷ luật, liên hệ nơi cư trú\n"
    )


def build_province(ctx: DemoContext) -> None:
    serial = 100000
    batch_members, batch_meta = [], []
    created = 0

    def flush():
        nonlocal batch_members, batch_meta, created
        members = Member.objects.bulk_create(batch_members, batch_size=5000)
        statuses, placements = [], []
        for m, past in zip(members, batch_meta, strict=True):
            s_rows, p_rows, _e = past_rows(past, member_id=m.pk, unit_id=m.unit_id, user_id=None)
            statuses += [StatusPeriod(**row) for row in s_rows]
            placements += [Placement(**row) for row in p_rows]
        Placement.objects.bulk_create(placements, batch_size=5000)
        StatusPeriod.objects.bulk_create(statuses, batch_size=5000)
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
            batch_meta.append(
                reconstruct_past(
                    admitted_on=admitted,
                    official_on=profile["official_on"],
                    founded_on=cell.founded_on,
                )
            )
        if len(batch_members) >= 10000:
            flush()
    if batch_members:
        flush()
    ctx.say(f"  quy mô tỉnh: {created} đảng viên\n")
