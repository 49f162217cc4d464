"""The Party's rules for cell meetings and votes, each in one place, named
after what it checks, with the regulation it comes from.

A rule that changed over time is a rule set chosen by date (`rules_on`).
"""

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from django.utils.translation import gettext_lazy as _

from chibo.text import fold
from meetings.choices import AttendanceStatus, MeetingKind, VoteKind
from organizations.models import Category

# --- Meeting rule sets ----------------------------------------------------------


@dataclass(frozen=True)
class MeetingRules:
    regulation: str
    valid_from: date
    # Minimum length in minutes; None: the regulation sets none.
    min_minutes_regular: int | None
    min_minutes_combined: int | None
    # Every cell meets once a month; a thematic meeting at least once a quarter.
    regular_per_month: int = 1
    thematic_per_quarter: int = 1


RULE_SETS: tuple[MeetingRules, ...] = (
    # Điều lệ Đảng; Hướng dẫn 12-HD/BTCTW (2018): monthly, thematic at least
    # quarterly; no minimum length.
    MeetingRules(
        regulation="Hướng dẫn 12-HD/BTCTW",
        valid_from=date(2018, 1, 1),
        min_minutes_regular=None,
        min_minutes_combined=None,
    ),
    # Chỉ thị 50-CT/TW and Hướng dẫn 42-HD/BTCTW (2025): at least 90 minutes,
    # 120 when the regular and thematic meetings are held together.
    MeetingRules(
        regulation="Hướng dẫn 42-HD/BTCTW",
        valid_from=date(2025, 1, 1),
        min_minutes_regular=90,
        min_minutes_combined=120,
    ),
)


def rules_on(day: date) -> MeetingRules:
    """The meeting rule set in force on `day` (the oldest one before any)."""
    chosen = RULE_SETS[0]
    for rules in RULE_SETS:
        if rules.valid_from <= day:
            chosen = rules
    return chosen


def minimum_minutes(kind: str, day: date) -> int | None:
    """The minimum length of a meeting of `kind` held on `day` (Hướng dẫn 42-HD/BTCTW)."""
    rules = rules_on(day)
    if kind == MeetingKind.COMBINED:
        return rules.min_minutes_combined
    if kind in (MeetingKind.REGULAR, MeetingKind.THEMATIC):
        return rules.min_minutes_regular
    return None  # extraordinary, year-end review and congress have their own agendas


# --- Preparation -------------------------------------------------------------------

# Hướng dẫn 42-HD/BTCTW (28/10/2025): the cell committee prepares the content
# beforehand, and the documents reach the members (on Sổ tay đảng viên điện tử)
# at least 1 day before the meeting.
DOCUMENTS_RULE_FROM = date(2025, 10, 28)
DOCUMENTS_DAYS_BEFORE = 1


def documents_sent_late(held_on: date, sent_on: date | None) -> bool:
    """Whether a meeting held on `held_on` broke the one-day rule: its documents
    were sent less than a day before (a meeting that recorded no sending is
    counted apart, as not recorded)."""
    if held_on < DOCUMENTS_RULE_FROM or sent_on is None:
        return False
    return (held_on - sent_on).days < DOCUMENTS_DAYS_BEFORE


# Words that name a position, not a person: the minutes are signed by people,
# so "Bí thư chi bộ" alone in the chair's box is a slip the form refuses.
TITLE_WORDS = frozenset(
    {"bi", "thu", "pho", "chi", "bo", "uy", "vien", "ky", "dong", "dang", "dong chi", "truong"}
)


def is_title_only(text: str) -> bool:
    """ "Bí thư chi bộ", "Chi ủy viên", "Thư ký": a position, no name in it."""
    words = fold(text).replace(".", " ").split()
    return bool(words) and all(w in TITLE_WORDS for w in words)


# --- Attendance targets ------------------------------------------------------------

# Targets cited by the provincial reports (seed 004): residential and village
# cells at least 85% of members present, other cells 95–100%.
ATTENDANCE_TARGETS: dict[str, Fraction] = {
    Category.RESIDENTIAL: Fraction(85, 100),
    Category.VILLAGE: Fraction(85, 100),
}
DEFAULT_ATTENDANCE_TARGET = Fraction(95, 100)


def attendance_target(category: str) -> Fraction:
    return ATTENDANCE_TARGETS.get(category, DEFAULT_ATTENDANCE_TARGET)


def attendance_below_target(category: str, present: int, summoned: int) -> bool:
    """Whether `present` of `summoned` members is under the category's target.
    Members away on a temporary transfer and absent exempt members are not
    summoned, so they count neither way."""
    if summoned <= 0:
        return False
    return Fraction(present, summoned) < attendance_target(category)


def attendance_figures(rows) -> dict:
    """Present / summoned and the absences. Members away on a temporary
    transfer and absent exempt members are not summoned (they are not
    counted in the cell's figures; Điều lệ, Quy định thi hành)."""
    counts = {s: 0 for s in AttendanceStatus.values}
    for r in rows:
        counts[r.status] += 1
    expected = len(rows)
    summoned = expected - counts[AttendanceStatus.AWAY] - counts[AttendanceStatus.EXEMPT]
    return {
        "expected": expected,
        "summoned": summoned,
        "present": counts[AttendanceStatus.PRESENT],
        "excused": counts[AttendanceStatus.EXCUSED],
        "unexcused": counts[AttendanceStatus.UNEXCUSED],
        "exempt": counts[AttendanceStatus.EXEMPT],
        "away": counts[AttendanceStatus.AWAY],
    }


# --- Grounds for removal -------------------------------------------------------------

# Điều lệ Đảng, Điều 8: a member who misses the cell's meetings, or does not pay
# the dues, for three months in a year without a good reason is removed from
# the roll (xóa tên). Three months in the calendar year, not necessarily running.
REMOVAL_MONTHS_IN_YEAR = 3


# --- Votes ------------------------------------------------------------------------


# Quy định thi hành Điều lệ Đảng: a decision needs more than half of the
# official members summoned; admission and recognition as official need at
# least two thirds of the official members.
VOTE_THRESHOLDS: dict[str, tuple[Fraction, bool]] = {
    # kind: (fraction, strictly more than)
    VoteKind.ORDINARY: (Fraction(1, 2), True),
    VoteKind.ADMISSION: (Fraction(2, 3), False),
    VoteKind.RECOGNITION: (Fraction(2, 3), False),
}


@dataclass(frozen=True)
class Voter:
    """What the vote rule needs to know about one member at the meeting."""

    name: str
    official: bool
    present: bool
    away: bool = False  # on temporary transfer elsewhere
    exempt: bool = False  # miễn công tác và sinh hoạt đảng
    excused: bool = False  # absent with a reason the committee approved
    restricted: bool = False  # suspended, prosecuted or detained


def exclusion_reason(voter: Voter) -> str | None:
    """Why a member is left out of the denominator, or None if they count.

    Quy định thi hành Điều lệ Đảng: not counted are members on temporary
    transfer, exempt members who are absent, members suspended from party
    activity, prosecuted or detained, and members absent with an approved
    reason. Probationary members do not vote."""
    if not voter.official:
        return str(_("đảng viên dự bị, không biểu quyết"))
    if voter.away:
        return str(_("đang sinh hoạt tạm thời nơi khác"))
    if voter.restricted:
        return str(_("bị đình chỉ sinh hoạt, khởi tố, truy tố hoặc tạm giam"))
    if voter.exempt and not voter.present:
        return str(_("được miễn sinh hoạt và vắng mặt"))
    if voter.excused and not voter.present:
        return str(_("vắng mặt có lý do được chấp thuận"))
    return None


def vote_denominator(voters: list[Voter]) -> tuple[list[Voter], list[tuple[Voter, str]]]:
    """(who counts, [(who is left out, why)])."""
    counted, left_out = [], []
    for v in voters:
        why = exclusion_reason(v)
        if why is None:
            counted.append(v)
        else:
            left_out.append((v, why))
    return counted, left_out


def votes_needed(kind: str, denominator: int) -> int:
    """The smallest number of votes in favour that carries a decision of `kind`."""
    fraction, strict = VOTE_THRESHOLDS[kind]
    exact = fraction * denominator
    if strict:
        return int(exact) + 1  # more than half: 4 of 6, 4 of 7
    return -(-exact.numerator // exact.denominator)  # at least: ceiling


def vote_passes(kind: str, yes: int, denominator: int) -> bool:
    if denominator <= 0:
        return False
    return yes >= votes_needed(kind, denominator)
