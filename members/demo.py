"""Demo members: a few hundred per ward through the services (so every row
has its history); at province scale ~100,000 more in bulk."""

import random
from datetime import date, timedelta
from functools import lru_cache

from chibo.bulk import copy_insert, indexes_deferred, reserve_ids
from chibo.dates import add_months
from chibo.demo import SEED, DemoContext
from chibo.text import fold, sort_key
from members import services
from members.choices import (
    ETHNIC_GROUPS,
    RECONSTRUCTED,
    AcademicTitle,
    Education,
    Occupation,
    PlacementKind,
    Qualification,
    Religion,
    Status,
    TheoryLevel,
    TransferScope,
)
from members.counts import counts_deferred, counts_refresh
from members.listruns import runs_rebuild
from members.models import (
    Exemption,
    ListRun,
    Member,
    MemberCount,
    Placement,
    Rating,
    StatusPeriod,
)
from members.rules import exemption_latest_birth, probation_ends_on
from members.services import member_create_with_past, past_rows, reconstruct_past
from organizations.models import PATH_STEP, Category

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
        "religion": Religion.NONE
        if rng.random() < 0.85
        else rng.choice([Religion.BUDDHIST, Religion.CATHOLIC, Religion.CAO_DAI]),
        "national_id": f"0{rng.randint(1, 96):02d}{1 if gender == 'F' else 0}{birth.year % 100:02d}{serial:06d}",
        "phone": f"09{rng.randint(10000000, 99999999)}",
        "home_town": ctx.home_town(),
        "residence": ctx.street_address(),
        **_form_data(category, gender, age, serial, r=rng if ctx.pools else None),
        "is_civil_servant": category in (Category.AGENCY, Category.SCHOOL, Category.HEALTH),
        "is_retired": age >= 60,
        "admitted_on": admitted,
        "official_on": official,
        "card_number": f"{serial:08d}" if not probationary else None,
        "dossier_number": f"LL-{serial:06d}",
    }
    status = Status.PROBATIONARY if probationary else Status.OFFICIAL
    return profile, status, admitted


def _pick(r: random.Random, weights: dict):
    return r.choices(list(weights), weights=list(weights.values()))[0]


Q, T, Occ = Qualification, TheoryLevel, Occupation
QUALIFICATION_BY_CATEGORY = {
    Category.AGENCY: {Q.BACHELOR: 68, Q.MASTER: 20, Q.COLLEGE: 6, Q.INTERMEDIATE: 5, Q.DOCTOR: 1},
    Category.SCHOOL: {Q.BACHELOR: 62, Q.MASTER: 18, Q.COLLEGE: 14, Q.DOCTOR: 6},
    Category.HEALTH: {Q.BACHELOR: 40, Q.INTERMEDIATE: 30, Q.COLLEGE: 20, Q.MASTER: 8, Q.DOCTOR: 2},
    Category.POLICE: {Q.BACHELOR: 50, Q.INTERMEDIATE: 40, Q.MASTER: 10},
    Category.MILITARY: {Q.BACHELOR: 45, Q.INTERMEDIATE: 45, Q.MASTER: 10},
    Category.ENTERPRISE: {Q.BACHELOR: 45, Q.COLLEGE: 20, Q.INTERMEDIATE: 20, Q.ELEMENTARY: 15},
}
QUALIFICATION_RESIDENT = {
    Q.NONE: 38,
    Q.ELEMENTARY: 15,
    Q.INTERMEDIATE: 20,
    Q.COLLEGE: 6,
    Q.BACHELOR: 18,
    Q.MASTER: 2,
    Q.DOCTOR_OF_SCIENCE: 1,
}
THEORY_BY_CATEGORY = {
    Category.AGENCY: {T.ELEMENTARY: 30, T.INTERMEDIATE: 50, T.ADVANCED: 15, T.BACHELOR: 5},
    Category.POLICE: {T.ELEMENTARY: 40, T.INTERMEDIATE: 50, T.ADVANCED: 10},
    Category.MILITARY: {T.ELEMENTARY: 40, T.INTERMEDIATE: 50, T.ADVANCED: 10},
}
THEORY_OTHER = {T.NONE: 25, T.ELEMENTARY: 58, T.INTERMEDIATE: 15, T.ADVANCED: 2}
OCCUPATION_BY_CATEGORY = {
    Category.AGENCY: {Occ.COMMUNE: 80, Occ.STATE: 10, Occ.PARTY_FRONT: 10},
    Category.SCHOOL: {Occ.PUBLIC_SERVICE: 100},
    Category.HEALTH: {Occ.PUBLIC_SERVICE: 100},
    Category.POLICE: {Occ.ARMED_FORCES: 100},
    Category.MILITARY: {Occ.ARMED_FORCES: 100},
    Category.ENTERPRISE: {
        Occ.ENTERPRISE_MANAGER: 20,
        Occ.ENTERPRISE_STAFF: 40,
        Occ.ENTERPRISE_WORKER: 40,
    },
    Category.VILLAGE: {
        Occ.AGRICULTURE: 58,
        Occ.VILLAGE: 15,
        Occ.OTHER: 15,
        Occ.ENTERPRISE_WORKER: 10,
        Occ.STUDENT: 2,
    },
}
OCCUPATION_RESIDENT = {
    Occ.VILLAGE: 15,
    Occ.OTHER: 30,
    Occ.ENTERPRISE_WORKER: 10,
    Occ.ENTERPRISE_STAFF: 10,
    Occ.ENTERPRISE_MANAGER: 3,
    Occ.PUBLIC_SERVICE: 12,
    Occ.STATE: 8,
    Occ.PARTY_FRONT: 3,
    Occ.NON_PUBLIC_SERVICE: 5,
    Occ.STUDENT: 3,
    Occ.PUPIL: 1,
}


def _form_data(category: str, gender: str, age: int, serial: int, r=None) -> dict:
    """The data the statistics forms count, in plausible shares by kind of cell
    and age. Drawn from the member's own fixed seed, so the rest of the demo
    (names, dates, sizes) does not move when these shares are tuned (or from
    `r`, the national scale's one generator: a seed per member is too slow)."""
    r = r or random.Random(f"{SEED}-form-{serial}")
    old = age >= 70
    if age >= 80 and r.random() < 0.04:
        education = Education.LITERATE
    elif old:
        education = _pick(
            r, {Education.UPPER_SECONDARY: 50, Education.LOWER_SECONDARY: 40, Education.PRIMARY: 10}
        )
    else:
        education = _pick(r, {Education.UPPER_SECONDARY: 92, Education.LOWER_SECONDARY: 8})
    qualification = _pick(r, QUALIFICATION_BY_CATEGORY.get(category, QUALIFICATION_RESIDENT))
    title = ""
    if qualification in (Q.DOCTOR, Q.DOCTOR_OF_SCIENCE) and age >= 40:
        title = _pick(
            r, {"": 50, AcademicTitle.ASSOCIATE_PROFESSOR: 40, AcademicTitle.PROFESSOR: 10}
        )
    if age >= 60:
        occupation = Occ.RETIRED
    elif age < 25 and category in (Category.RESIDENTIAL, Category.VILLAGE) and r.random() < 0.4:
        occupation = Occ.STUDENT
    else:
        occupation = _pick(r, OCCUPATION_BY_CATEGORY.get(category, OCCUPATION_RESIDENT))
    resident = category in (Category.RESIDENTIAL, Category.VILLAGE)
    return {
        "education": education,
        "qualification": qualification,
        "academic_title": title,
        "theory_level": _pick(r, THEORY_BY_CATEGORY.get(category, THEORY_OTHER)),
        "occupation_category": occupation,
        "is_youth_union_member": age <= 30 and r.random() < 0.85,
        "is_discharged_soldier": r.random()
        < ((0.22 if resident else 0.12) if gender == "M" else 0.01),
        "is_private_business_owner": resident and age < 60 and r.random() < 0.03,
        "married_to_foreigner": r.random() < 0.006,
        "is_readmitted": r.random() < 0.005,
    }


def build(ctx: DemoContext) -> None:
    # the member counts per unit: once at the end rather than after each member
    with counts_deferred():
        _build(ctx)


def _build(ctx: DemoContext) -> None:
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
                # one of them was a member before (Biểu 2 "trong đó kết nạp lại")
                is_readmitted=shown["probationary"] == 0,
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
    _movements(ctx, cells1, cells2, day_after_start)
    ctx.say(
        f"  vòng đời: {shown['candidates']} quần chúng ưu tú, {shown['probationary']} dự bị đến hạn,"
        " 1 miễn sinh hoạt, 1 sinh hoạt tạm thời, 1 kỷ luật, liên hệ nơi cư trú,"
        " chuyển sinh hoạt đến / đi, thay đổi trình độ\n"
    )


def _movements(ctx: DemoContext, cells1, cells2, day_after_start: date) -> None:
    """This year's movements the statistics forms count (Biểu 1): a member
    transferred in from another province, one moved to the other committee
    (another district-level unit of the province), one moved inside the ward,
    one transferred out to another province; and a few theory courses
    finished during the year, so a form for last year reads the old level."""
    rng, today = ctx.rng, ctx.today
    # this year, or the last two months early in January
    first = max(day_after_start, min(date(today.year, 1, 2), today - timedelta(days=60)))
    if first >= today - timedelta(days=15) or len(cells1) < 2 or not cells2:
        return

    def day():
        return ctx.day_between(first, today - timedelta(days=10))

    def movable(cell):
        return list(
            Member.objects.filter(unit=cell, status=Status.OFFICIAL, is_exempt=False)
            .exclude(placements__kind=PlacementKind.TEMPORARY)
            .order_by("id")
        )

    ctx.data["serial"] += 1
    n = ctx.data["serial"]
    birth = date(today.year - 41, rng.randint(1, 12), rng.randint(1, 28))
    services.member_receive(
        actor=None,
        unit=cells1[1],
        day=day(),
        arrived_from=TransferScope.OTHER_PROVINCE,
        decision_number=f"{rng.randint(100, 999)}-GGT/BTCTU",
        full_name=ctx.person_name("F"),
        gender="F",
        birth_date=birth,
        national_id=f"0{rng.randint(1, 96):02d}1{birth.year % 100:02d}{n:06d}",
        admitted_on=date(birth.year + 24, 5, 19),
        official_on=date(birth.year + 25, 5, 19),
        card_number=f"{n:08d}",
        **_form_data(Category.AGENCY, "F", 41, n),
    )
    out_of_ward = movable(cells1[-1])[:1]
    inside = movable(cells1[0])[:1]
    leaving = movable(cells2[-1])[:1]
    for m in out_of_ward:
        services.member_transfer_permanent(actor=None, member=m, unit=cells2[0], day=day())
    for m in inside:
        services.member_transfer_permanent(actor=None, member=m, unit=cells1[-1], day=day())
    for m in leaving:
        services.member_transfer_out(
            actor=None,
            member=m,
            day=day(),
            destination="Đảng bộ phường Bến Thành, Thành phố Hồ Chí Minh",
            destination_kind=TransferScope.OTHER_PROVINCE,
        )
    learners = Member.objects.filter(
        unit__in=cells1, status=Status.OFFICIAL, theory_level=TheoryLevel.ELEMENTARY
    ).order_by("id")[:4]
    for m in learners:
        services.member_update(
            actor=None, member=m, changed_on=day(), theory_level=TheoryLevel.INTERMEDIATE
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
    # bulk_create sends no signals: the province's member counts in one statement
    # and every member's runs on the list in one pass, not cell by cell
    counts_refresh((c.pk for c in ctx.data["province_cells"]), runs=False)
    runs_rebuild()
    ctx.say(f"  quy mô tỉnh: {created} đảng viên\n")


def build_million(ctx: DemoContext) -> int:
    """The province demo's members (`build_province`) for every cell of the
    national scale, sent by COPY with their status periods and placements,
    a province at a time, into tables whose secondary indexes and foreign
    keys are made once at the end (`indexes_deferred`); then the member
    counts of those cells in one statement. Returns how many members."""
    cells = ctx.data["million_cells"]
    ctx.use_pools()
    serial = 2_000_000
    created = 0
    by_province: dict[str, list] = {}
    for cell in cells:
        by_province.setdefault(cell.path[: 2 * PATH_STEP], []).append(cell)
    # past_rows' note, translated once (a lazy string per member is a tenth
    # of the time)
    note = str(RECONSTRUCTED)
    with indexes_deferred(Member, StatusPeriod, Placement):
        with ctx.timed("members: đảng viên, trạng thái, nơi sinh hoạt (COPY)") as tally:
            for group in by_province.values():
                members, pasts = [], []
                for cell in group:
                    lo, hi = SIZES.get(cell.category, (5, 15))
                    for _ in range(ctx.rng.randint(lo, hi) * 24 // 25):
                        serial += 1
                        profile, status, admitted = _profile(ctx, cell.category, serial)
                        n = serial - 2_000_000
                        name = profile["full_name"]
                        profile.update(
                            # unique past a million: "province codes" 97, 98, ... no real one uses
                            national_id=f"0{97 + n // 1_000_000}{profile['national_id'][3:6]}"
                            f"{n % 1_000_000:06d}",
                            unit_id=cell.pk,
                            status=status,
                            sort_key=sort_key(name),
                            search_name=_fold(name),
                        )
                        members.append(profile)
                        pasts.append(
                            reconstruct_past(
                                admitted_on=admitted,
                                official_on=profile["official_on"],
                                founded_on=cell.founded_on,
                            )
                        )
                ids = reserve_ids(Member, len(members))
                for row, pk in zip(members, ids, strict=True):
                    row["id"] = pk
                copy_insert(Member, members, with_pk=True)
                copy_insert(
                    StatusPeriod,
                    (
                        {
                            "member_id": row["id"],
                            "status": status,
                            "valid_from": start,
                            "valid_to": end,
                            "note": note,
                        }
                        for row, past in zip(members, pasts, strict=True)
                        for status, start, end in past.statuses
                    ),
                )
                copy_insert(
                    Placement,
                    (
                        {
                            "member_id": row["id"],
                            "unit_id": row["unit_id"],
                            "kind": PlacementKind.PERMANENT,
                            "valid_from": past.placed_on,
                            "reason": note,
                        }
                        for row, past in zip(members, pasts, strict=True)
                    ),
                )
                created += len(members)
                tally["rows"] = created
        ctx.timed_start("members: chỉ mục và khóa ngoại")
    ctx.timed_stop(rows=created)
    # COPY sends no signals: the cells' member counts, from the histories
    with indexes_deferred(MemberCount), ctx.timed("members: số đảng viên theo đơn vị"):
        counts_refresh((c.pk for c in cells), runs=False)
    with indexes_deferred(ListRun), ctx.timed("members: lượt có tên trong danh sách"):
        runs_rebuild()
    ctx.say(f"  quy mô toàn quốc: {created} đảng viên\n")
    return created


@lru_cache(maxsize=200_000)
def _fold(name: str) -> str:
    # the pools repeat names: fold each once
    return fold(name)
