"""The Party's rules for the annual review and rating (đánh giá, xếp loại chất
lượng), one rule set per regulation, chosen by the year being rated:

- Quy định 132-QĐ/TW (2018) for the years 2018–2022,
- Quy định 124-QĐ/TW (2023) for 2023–2024,
- Quy định 366-QĐ/TW (2025) from 2025: a 100-point score (30 for the general
  criteria, 70 for the results) whose band bounds the level.

Each rule is a function named after what it checks, with its regulation in
the docstring; each returns a `Check` whose message is shown on screen,
whether the rule holds or is broken. Nothing else hard-codes these numbers.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext as _

from members.models import Rating as Level
from members.rules import discipline_counts_against_rating

__all__ = ["Level", "RuleSet", "Check", "RULE_SETS", "rule_set_for_year", "rule_set"]

SHORT = {
    Level.EXCELLENT: "HTXSNV",
    Level.GOOD: "HTTNV",
    Level.COMPLETED: "HTNV",
    Level.NOT_COMPLETED: "KHTNV",
}
# From the highest level down.
ORDER = (Level.EXCELLENT, Level.GOOD, Level.COMPLETED, Level.NOT_COMPLETED)
RANK = {level: len(ORDER) - i for i, level in enumerate(ORDER)}  # excellent 4 … not completed 1


@dataclass(frozen=True)
class RuleSet:
    code: str
    regulation: str
    first_year: int
    last_year: int | None
    levels: tuple[str, ...] = ORDER
    # Excellent members at most this share of those rated good (or better),
    # within a grassroots organization; None where the rule set has no cap.
    excellent_cap: Fraction | None = Fraction(1, 5)
    # A member disciplined during the year is rated not completed, unless
    # the fault was self-reported and corrected.
    discipline_rule: bool = True
    # The 100-point score: maximum of each part, and the lowest score of each
    # level (None: the rule set has no score).
    score_parts: dict[str, int] | None = None
    score_floors: dict[str, int] | None = None
    # Extra conditions for excellent (366-QĐ/TW): no discipline at all during
    # the year, and an outstanding result or product the cell recognised.
    excellent_needs_clean_record: bool = False
    excellent_needs_outstanding_result: bool = False
    # Organizations: a cell rated good (or excellent) needs every member at
    # least completed and at least this share rated good or better; more than
    # `org_disciplined_limit` of its members disciplined makes it not completed.
    org_good_share: Fraction = Fraction(1, 2)
    org_disciplined_limit: Fraction = Fraction(1, 5)

    @property
    def has_score(self) -> bool:
        return self.score_floors is not None

    @property
    def score_max(self) -> int:
        return sum((self.score_parts or {}).values())

    def __str__(self) -> str:
        return self.regulation


RULE_SETS: tuple[RuleSet, ...] = (
    # Quy định 132-QĐ/TW ngày 08/3/2018 về kiểm điểm và đánh giá, xếp loại chất
    # lượng hằng năm đối với tập thể, cá nhân trong hệ thống chính trị.
    RuleSet(code="132", regulation="Quy định 132-QĐ/TW", first_year=2018, last_year=2022),
    # Quy định 124-QĐ/TW ngày 04/10/2023, replacing 132 from the 2023 review.
    RuleSet(code="124", regulation="Quy định 124-QĐ/TW", first_year=2023, last_year=2024),
    # Quy định 366-QĐ/TW (2025): rated on 100 points, 30 general + 70 results;
    # excellent ≥ 90, good 70–89, completed 50–69, not completed < 50, with
    # extra conditions for excellent. The 20% cap still applies (domain.md).
    RuleSet(
        code="366",
        regulation="Quy định 366-QĐ/TW",
        first_year=2025,
        last_year=None,
        score_parts={"general": 30, "results": 70},
        score_floors={Level.EXCELLENT: 90, Level.GOOD: 70, Level.COMPLETED: 50},
        excellent_needs_clean_record=True,
        excellent_needs_outstanding_result=True,
    ),
)
FIRST_YEAR = RULE_SETS[0].first_year


def rule_set_for_year(year: int) -> RuleSet | None:
    """The rule set under which `year` is rated (None before 2018)."""
    for rs in RULE_SETS:
        if rs.first_year <= year and (rs.last_year is None or year <= rs.last_year):
            return rs
    return None


def rule_set(code: str) -> RuleSet:
    return next(rs for rs in RULE_SETS if rs.code == code)


def level_label(level: str | None) -> str:
    if not level:
        return ""
    return f"{SHORT.get(level, level)}"


def level_allowed(rs: RuleSet, level: str) -> bool:
    return level in rs.levels


# --- What a rule answers ------------------------------------------------------------


@dataclass
class Check:
    rule: str  # the function's name, stable for storage
    regulation: str
    ok: bool
    message: str

    def as_dict(self) -> dict:
        return {
            "rule": self.rule,
            "regulation": self.regulation,
            "ok": self.ok,
            "message": self.message,
        }


@dataclass
class DisciplineFact:
    """What the review needs to know of one discipline decided during the year."""

    form: str
    self_reported: bool
    corrected: bool
    counts_against: bool = field(init=False)

    def __post_init__(self):
        self.counts_against = discipline_counts_against_rating(
            self_reported=self.self_reported, corrected=self.corrected
        )


# --- Members ------------------------------------------------------------------------


def score_level(rs: RuleSet, score: int) -> str:
    """The level a score falls in (366-QĐ/TW): ≥ 90 excellent, 70–89 good,
    50–69 completed, < 50 not completed."""
    assert rs.score_floors is not None
    for level in ORDER[:-1]:
        if score >= rs.score_floors[level]:
            return level
    return Level.NOT_COMPLETED


def check_score_band(rs: RuleSet, level: str, score: int | None) -> Check | None:
    """From 2025 (Quy định 366-QĐ/TW) the 100-point score bounds the level: a
    member cannot be rated above the band their score falls in."""
    if not rs.has_score:
        return None
    if score is None:
        return Check(
            "check_score_band",
            rs.regulation,
            False,
            _("Chưa có điểm tự chấm (thang 100 điểm) để xếp loại theo %(r)s.")
            % {"r": rs.regulation},
        )
    band = score_level(rs, score)
    ok = RANK[level] <= RANK[band]
    floors = rs.score_floors
    message = _(
        "%(score)s/100 điểm thuộc mức %(band)s (HTXSNV từ %(e)s, HTTNV từ %(g)s, HTNV từ %(c)s điểm)."
    ) % {
        "score": score,
        "band": SHORT[band],
        "e": floors[Level.EXCELLENT],
        "g": floors[Level.GOOD],
        "c": floors[Level.COMPLETED],
    }
    if not ok:
        message += " " + _("Không được xếp %(level)s, cao hơn mức của số điểm.") % {
            "level": SHORT[level]
        }
    return Check("check_score_band", rs.regulation, ok, message)


def check_disciplined_member(
    rs: RuleSet, level: str, disciplines: list[DisciplineFact]
) -> Check | None:
    """A member disciplined during the year is rated not completed, unless the
    fault was self-reported and corrected (132-QĐ/TW, 124-QĐ/TW, 366-QĐ/TW)."""
    if not rs.discipline_rule or not disciplines:
        return None
    against = [d for d in disciplines if d.counts_against]
    if not against:
        return Check(
            "check_disciplined_member",
            rs.regulation,
            True,
            _(
                "Bị kỷ luật trong năm nhưng đã tự giác nhận khuyết điểm và khắc phục: không bắt buộc xếp KHTNV."
            ),
        )
    ok = level == Level.NOT_COMPLETED
    message = _(
        "Bị kỷ luật trong năm, không tự giác nhận và khắc phục khuyết điểm: phải xếp KHTNV."
    )
    return Check("check_disciplined_member", rs.regulation, ok, message)


def check_excellent_conditions(
    rs: RuleSet, level: str, disciplines: list[DisciplineFact], outstanding: bool
) -> Check | None:
    """Extra conditions for excellent (Quy định 366-QĐ/TW): no discipline
    during the year, and an outstanding result or product."""
    if level != Level.EXCELLENT:
        return None
    if not (rs.excellent_needs_clean_record or rs.excellent_needs_outstanding_result):
        return None
    problems = []
    if rs.excellent_needs_clean_record and disciplines:
        problems.append(_("bị kỷ luật trong năm"))
    if rs.excellent_needs_outstanding_result and not outstanding:
        problems.append(_("chưa có kết quả, sản phẩm nổi bật được chi bộ ghi nhận"))
    if problems:
        return Check(
            "check_excellent_conditions",
            rs.regulation,
            False,
            _("Chưa đủ điều kiện HTXSNV: %(p)s.") % {"p": "; ".join(problems)},
        )
    return Check(
        "check_excellent_conditions",
        rs.regulation,
        True,
        _("Đủ điều kiện bổ sung của HTXSNV: không bị kỷ luật, có kết quả nổi bật."),
    )


def excellent_cap_reached(rs: RuleSet, excellent: int, good_or_better: int) -> bool:
    """Whether `excellent` exceeds the cap: excellent members are chosen among
    those rated good, at most 20% of them (132, 124 and 366-QĐ/TW)."""
    if rs.excellent_cap is None:
        return False
    return Fraction(excellent) > rs.excellent_cap * good_or_better


def check_excellent_cap(rs: RuleSet, levels: Iterable[str], organization: str = "") -> Check | None:
    """At most 20% of the members rated good (or better) within a grassroots
    organization may be rated excellent (132, 124, 366-QĐ/TW). `levels`: the
    levels of every member rated in that organization for the year."""
    if rs.excellent_cap is None:
        return None
    counts = Counter(levels)
    excellent = counts[Level.EXCELLENT]
    base = excellent + counts[Level.GOOD]
    if not excellent:
        return None
    limit = int(rs.excellent_cap * base)
    ok = not excellent_cap_reached(rs, excellent, base)
    message = _(
        "%(org)s: %(x)s HTXSNV trên %(b)s đảng viên xếp HTTNV trở lên; tối đa %(cap)s%% là %(limit)s."
    ) % {
        "org": organization or _("Tổ chức cơ sở đảng"),
        "x": excellent,
        "b": base,
        "cap": int(rs.excellent_cap * 100),
        "limit": limit,
    }
    return Check("check_excellent_cap", rs.regulation, ok, message)


def member_checks(
    rs: RuleSet,
    level: str,
    *,
    score: int | None = None,
    disciplines: list[DisciplineFact] | None = None,
    outstanding: bool = False,
    organization_levels: Iterable[str] | None = None,
    organization: str = "",
) -> list[Check]:
    """Every rule that applies to rating one member at `level`.
    `organization_levels`: the levels of the grassroots organization's members
    for the cap, this member's included."""
    disciplines = disciplines or []
    checks = [
        check_score_band(rs, level, score),
        check_disciplined_member(rs, level, disciplines),
        check_excellent_conditions(rs, level, disciplines, outstanding),
    ]
    if level == Level.EXCELLENT and organization_levels is not None:
        checks.append(check_excellent_cap(rs, organization_levels, organization))
    return [c for c in checks if c is not None]


# --- Organizations --------------------------------------------------------------------


def check_organization_good(rs: RuleSet, level: str, member_levels: list[str]) -> Check | None:
    """A cell rated good (or excellent) needs every member rated at least
    completed and at least half of them rated good or better (132, 124,
    366-QĐ/TW)."""
    if RANK.get(level, 0) < RANK[Level.GOOD]:
        return None
    counts = Counter(member_levels)
    rated = len(member_levels)
    good = counts[Level.EXCELLENT] + counts[Level.GOOD]
    failed = counts[Level.NOT_COMPLETED]
    ok = rated > 0 and failed == 0 and Fraction(good) >= rs.org_good_share * rated
    message = _(
        "%(good)s/%(rated)s đảng viên HTTNV trở lên (cần ít nhất một nửa), %(failed)s KHTNV (cần không có)."
    ) % {"good": good, "rated": rated, "failed": failed}
    return Check("check_organization_good", rs.regulation, ok, message)


def check_organization_disciplined(
    rs: RuleSet, level: str, disciplined: int, members: int
) -> Check | None:
    """More than 20% of the members disciplined during the year makes the
    organization not completed (132, 124, 366-QĐ/TW)."""
    if members <= 0:
        return None
    over = Fraction(disciplined, members) > rs.org_disciplined_limit
    ok = not over or level == Level.NOT_COMPLETED
    message = _("%(d)s/%(n)s đảng viên bị kỷ luật trong năm (quá %(p)s%% thì phải xếp KHTNV).") % {
        "d": disciplined,
        "n": members,
        "p": int(rs.org_disciplined_limit * 100),
    }
    return Check("check_organization_disciplined", rs.regulation, ok, message)


def organization_checks(
    rs: RuleSet, level: str, *, member_levels: list[str], disciplined: int, members: int
) -> list[Check]:
    checks = [
        check_organization_good(rs, level, member_levels),
        check_organization_disciplined(rs, level, disciplined, members),
    ]
    return [c for c in checks if c is not None]


def broken(checks: Iterable[Check]) -> list[Check]:
    return [c for c in checks if not c.ok]


LEVEL_CHOICES = [
    (level, format_lazy("{} – {}", SHORT[level], Level(level).label)) for level in ORDER
]


# Biểu 7B (7B-TCTW, forms.md "Biểu 7"): why a member rated "hoàn thành nhiệm
# vụ" still has shortcomings ("trong đó có mặt còn hạn chế"), and why one
# rated at the lowest level violated the member's standing ("vi phạm tư
# cách"). Recorded with the committee's decision; wording from the public
# reproduction of the form ([C1]), its "…" kept.
class Reason(models.TextChoices):
    NOT_DEDICATED = "not_dedicated", "Chưa tận tuỵ với công việc …"
    MEETING_FAULTS = "meeting_faults", "Còn khuyết điểm trong công tác, sinh hoạt đảng …"
    HEAD_NOT_COMPLETED = (
        "head_not_completed",
        ("Là người đứng đầu cơ quan, đơn vị; là bí thư cấp uỷ chưa hoàn thành nhiệm vụ …"),
    )
    DISCIPLINED = "disciplined", "Bị thi hành kỷ luật của Đảng, chính quyền, đoàn thể trong năm"
    FOUND_IN_REVIEW = "found_in_review", "Qua kiểm điểm phát hiện vi phạm tư cách đảng viên"
    RATED_NOT_COMPLETED = (
        "rated_not_completed",
        ("Cơ quan quản lý, chi bộ đánh giá không hoàn thành nhiệm vụ"),
    )
    DISOBEYED = "disobeyed", "Không chấp hành sự phân công, gây mất đoàn kết …"


# The reasons each level may carry.
REASONS_FOR = {
    Level.COMPLETED: (Reason.NOT_DEDICATED, Reason.MEETING_FAULTS, Reason.HEAD_NOT_COMPLETED),
    Level.NOT_COMPLETED: (
        Reason.DISCIPLINED,
        Reason.FOUND_IN_REVIEW,
        Reason.RATED_NOT_COMPLETED,
        Reason.DISOBEYED,
    ),
}
