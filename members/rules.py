"""The Party's rules about membership, one function each, named after what it
checks, with the regulation it comes from. Services, selectors and pages ask
these; nothing else hard-codes the numbers."""

from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _

from chibo.dates import add_months, age_on
from members.choices import TransferScope
from organizations.models import Level

# Điều lệ Đảng, Điều 5: probation lasts twelve months from the admission ceremony.
PROBATION_MONTHS = 12
# How long before the end of probation the office is warned (practice, not regulation).
PROBATION_WARNING_DAYS = 30
# Quy định 01-QĐ/TW (huy hiệu Đảng): badges at 30, 40, 45, 50, ... 90 years of party age.
BADGE_YEARS = (30, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90)
# Hướng dẫn thi hành Điều lệ: members of advanced age may be exempted
# (miễn công tác và sinh hoạt đảng): men over 60, women over 55.
EXEMPTION_AGE = {"M": 60, "F": 55}
# Điều lệ Đảng, Điều 1: a person is admitted from 18 years of age.
MINIMUM_ADMISSION_AGE = 18


# A candidate (quần chúng ưu tú) is proposed from among the members of the
# Youth Union (Đoàn TNCS Hồ Chí Minh), which admits from 16 (Điều lệ Đoàn,
# Điều 1): a candidate or a new member younger than that is most often a
# mistyped year of birth. A warning, not a refusal.
CANDIDATE_WARNING_AGE = 16


def younger_than_a_candidate(birth: date, day: date) -> bool:
    """Under 16 on `day`: worth a warning on a candidate's or a new member's record."""
    return age_on(birth, day) < CANDIDATE_WARNING_AGE


def old_enough_for_admission(birth: date, day: date) -> bool:
    """At least 18 years old on the admission decision (Điều lệ Đảng, Điều 1)."""
    return age_on(birth, day) >= MINIMUM_ADMISSION_AGE


def probation_ends_on(start: date) -> date:
    """The day a probationary member's twelve months are over (Điều lệ, Điều 5):
    the cell must then review the member and vote on recognition."""
    return add_months(start, PROBATION_MONTHS)


def may_be_recognized_on(start: date, day: date) -> bool:
    """Recognition as official only once the full probation is served (Điều lệ, Điều 5)."""
    return day >= probation_ends_on(start)


# The Điều lệ Đảng in force (adopted by the XI Congress on 19/01/2011, kept by
# the XII and XIII): twelve months of probation, then recognition. A roster
# row admitted since then whose official date is earlier breaks the rule;
# one much later (the cell votes, the committee above decides, within months)
# is most often a mistyped year. Rows admitted before are not checked against
# it: earlier charters counted probation differently.
CHARTER_SINCE = date(2011, 1, 19)
# How long after the twelve months a recorded recognition is still plausible
# without a warning (practice: the cell's review, then the committee's decision).
RECOGNITION_GRACE_MONTHS = 6


def recognition_date_problem(admitted_on: date, official_on: date) -> str | None:
    """ "early" when the official date in a dossier comes before the twelve
    months of probation are over, "late" when it comes more than
    RECOGNITION_GRACE_MONTHS after, for admissions under the charter in
    force (Điều lệ Đảng 2011, Điều 5); None otherwise."""
    if admitted_on < CHARTER_SINCE or official_on < admitted_on:
        return None
    ends = probation_ends_on(admitted_on)
    if official_on < ends:
        return "early"
    if official_on > add_months(ends, RECOGNITION_GRACE_MONTHS):
        return "late"
    return None


def party_age(admitted_on: date, day: date) -> int:
    """Party age in whole years, counted from the admission decision (Điều lệ, Điều 5)."""
    return age_on(admitted_on, day)


def badge_due_in(admitted_on: date | None, year: int) -> int | None:
    """The badge (in years of party age) a member reaches during `year`, if any
    (Quy định về xét tặng Huy hiệu Đảng)."""
    if admitted_on is None:
        return None
    years = year - admitted_on.year
    return years if years in BADGE_YEARS else None


def qualifies_for_exemption_by_age(gender: str, birth_date: date, day: date) -> bool:
    """Men over 60, women over 55 may be exempted from party work and meetings
    (Hướng dẫn thi hành Điều lệ Đảng)."""
    limit = EXEMPTION_AGE.get(gender)
    return limit is not None and age_on(birth_date, day) > limit


def exemption_latest_birth(gender: str, day: date) -> date:
    """Members of `gender` born on or before this date are over the exemption
    age on `day` (the database-side form of qualifies_for_exemption_by_age)."""
    years = EXEMPTION_AGE[gender] + 1
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return date(day.year - years, 2, 28)


# Quy định thi hành Điều lệ Đảng (chuyển sinh hoạt đảng tạm thời): members away
# from 3 months to under a year, or studying from 3 months to 2 years.
TEMPORARY_MIN_MONTHS = 3
TEMPORARY_MAX_MONTHS = 24


def temporary_transfer_fits(start: date, until: date) -> bool:
    """A planned temporary transfer lasts at least 3 months and at most 2 years
    (the longest case, study); longer means a permanent transfer."""
    return (
        add_months(start, TEMPORARY_MIN_MONTHS) <= until <= add_months(start, TEMPORARY_MAX_MONTHS)
    )


def two_thirds_reached(votes_for: int, officials: int) -> bool:
    """Admission and recognition as official need at least two thirds of the
    cell's official members (Quy định thi hành Điều lệ)."""
    return officials > 0 and 3 * votes_for >= 2 * officials


class RemovalGround(models.TextChoices):
    """Grounds for removal from the party roll (xóa tên), Điều lệ Đảng, Điều 8
    and Quy định thi hành Điều lệ."""

    MISSED_MEETINGS = "missed_meetings", _("Bỏ sinh hoạt chi bộ 3 tháng trong năm không có lý do")
    UNPAID_DUES = "unpaid_dues", _("Không đóng đảng phí 3 tháng trong năm không có lý do")
    NOT_COMPLETED = "not_completed", _("Hai năm liền không hoàn thành nhiệm vụ")
    LOST_QUALITY = "lost_quality", _("Giảm sút ý chí phấn đấu, không còn đủ tư cách đảng viên")
    FALSE_DOSSIER = "false_dossier", _("Khai man lý lịch, hồ sơ")
    # Counted apart from the other removals on the statistics forms (Biểu 1,
    # C4 "Xin ra khỏi Đảng"), which read the removal note's first words.
    LEFT_PARTY = "left_party", _("Xin ra khỏi Đảng")
    OTHER = "other", _("Lý do khác")


def discipline_counts_against_rating(*, self_reported: bool, corrected: bool) -> bool:
    """A member disciplined during the year is rated "not completed", unless the
    fault was self-reported and corrected (Quy định 132-QĐ/TW, 124-QĐ/TW)."""
    return not (self_reported and corrected)


def transfer_scope(origin: list[tuple[int, str]], destination: list[tuple[int, str]]) -> str:
    """How Biểu 1 counts a permanent transfer between two cells of the tree
    (B2a/B2b, C5a/C5b; 1-TCTW 2012 and 1-BTCTW 2017, forms.md "Biểu 1"): only
    a move across a district or province boundary changes those figures.

    Each argument is a cell's chain of (unit id, level) from the root down. The
    province is the topmost provincial-level unit (else the root); "huyện ủy
    và tương đương" is the unit directly under it (a district before
    1/7/2025, a bloc committee, a commune or ward committee after)."""

    def province_and_district(chain):
        top = next((i for i, (_pk, level) in enumerate(chain) if level == Level.PROVINCIAL), 0)
        province = chain[top][0] if chain else None
        district = chain[top + 1][0] if len(chain) > top + 1 else province
        return province, district

    province_a, district_a = province_and_district(origin)
    province_b, district_b = province_and_district(destination)
    if province_a != province_b:
        return TransferScope.OTHER_PROVINCE
    if district_a != district_b:
        return TransferScope.OTHER_DISTRICT
    return TransferScope.INTERNAL
