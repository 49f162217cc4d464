"""The dues regulations, one rule set each, chosen by the month being paid
(like the rating rule sets of reviews/). Pure functions: no database.

- Quy định 342-QĐ/TW (28/12/2010), in force for months up to 01/2026: 1% of
  the monthly salary and allowances on which social insurance is paid (of the
  month itself), 1% of a sick or maternity benefit, 0.5% of a pension; the
  others pay fixed amounts that the regulation's guidance set by area.
- Quy định 01-QĐ/TW (03/02/2026), for months from 02/2026: 1% of the salary
  that was the social-insurance base of the *previous* month, 1% of the
  benefit while on sick or maternity leave, 0.5% of a pension, 5,000 đ for
  pupils and students, 1% of the living allowance at missions abroad, and
  30,000–400,000 đ a month for other members abroad (the member's choice).
- Both: exempt at 50 years of party age (from the month of the 50th
  anniversary of admission) and on the social pension; on request a decision
  reduces by 30, 50 or 70%, or exempts, for at most 12 months.

The fixed amounts the public texts do not give are configuration
(dues.models.FixedRate, set by an administrator with validity dates); the
`defaults` below are used while none is set, and are chibo's, not the text's
(README, "Party dues").
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from chibo.dates import month_shift
from dues.choices import DuesCategory

C = DuesCategory

EXEMPT_PARTY_YEARS = 50  # tuổi Đảng từ 50 năm trở lên: miễn đóng
MAX_RELIEF_MONTHS = 12  # a reduction or exemption on request lasts at most 12 months
RELIEF_WARNING_MONTHS = 1  # warn a month before a relief lapses
ABSURD_FACTOR = 10  # a payment above ten times the expected amount is a typing slip
MAX_MONTHLY_DUES = 10_000_000  # the same guard when nothing is expected (a voluntary payment)
ARREARS_MONTHS = 3  # Điều lệ, Điều 8: three months unpaid in a year, a ground for removal
ABROAD_RANGE = (30_000, 400_000)  # 01-QĐ/TW: members abroad outside missions


@dataclass(frozen=True)
class RuleSet:
    code: str
    name: str
    first_month: date
    last_month: date | None
    percent: dict = field(default_factory=dict)  # category -> Decimal share of the base
    fixed: dict = field(default_factory=dict)  # category -> đồng, from the text
    defaults: dict = field(default_factory=dict)  # category -> đồng, configuration defaults
    chosen: tuple = ()  # categories whose base is the amount itself (abroad, 01)
    base_of_previous_month: tuple = ()  # categories whose base is the previous month's
    exempt: tuple = (C.SOCIAL_PENSION,)

    def covers(self, month: date) -> bool:
        return self.first_month <= month and (self.last_month is None or month <= self.last_month)

    def base_month(self, category: str, month: date) -> date:
        """The month whose base the amount of `month` is computed from."""
        return month_shift(month, -1) if category in self.base_of_previous_month else month

    def needs_base(self, category: str) -> bool:
        return category in self.percent or category in self.chosen

    def amount(self, category: str, base: int | None, fixed_amount: int | None = None) -> int:
        """The full monthly amount for `category` (before any relief)."""
        if category in self.exempt:
            return 0
        if category in self.percent:
            return _round(Decimal(base or 0) * self.percent[category])
        if category in self.chosen:
            return int(base or 0)
        if fixed_amount is not None:
            return fixed_amount
        if category in self.fixed:
            return self.fixed[category]
        return self.defaults.get(category, 0)

    def __str__(self) -> str:
        return str(self.name)


def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


ONE = Decimal("0.01")
HALF = Decimal("0.005")

QD_342 = RuleSet(
    code="342",
    name=_("Quy định 342-QĐ/TW (28/12/2010)"),
    first_month=date(2011, 4, 1),
    last_month=date(2026, 1, 1),
    percent={C.INSURED: ONE, C.SICK_LEAVE: ONE, C.PENSION: HALF, C.ABROAD_MISSION: ONE},
    defaults={
        C.STUDENT: 3_000,
        C.WORKING_AGE: 5_000,
        C.OVER_AGE: 3_000,
        C.ABROAD_OTHER: 50_000,
    },
)

QD_01 = RuleSet(
    code="01",
    name=_("Quy định 01-QĐ/TW (03/02/2026)"),
    first_month=date(2026, 2, 1),
    last_month=None,
    percent={C.INSURED: ONE, C.SICK_LEAVE: ONE, C.PENSION: HALF, C.ABROAD_MISSION: ONE},
    fixed={C.STUDENT: 5_000},
    defaults={C.WORKING_AGE: 10_000, C.OVER_AGE: 5_000},
    chosen=(C.ABROAD_OTHER,),
    base_of_previous_month=(C.INSURED,),
)

RULE_SETS = (QD_342, QD_01)


def rule_set_for(month: date) -> RuleSet:
    """The regulation in force for the dues of `month` (the month paid for,
    not the day of payment). Months before 342-QĐ/TW are read under it too."""
    for rules in RULE_SETS:
        if rules.covers(month):
            return rules
    return QD_342


def rule_set_by_code(code: str) -> RuleSet | None:
    return next((r for r in RULE_SETS if r.code == code), None)


def exempt_by_party_age_from(admitted_on: date | None) -> date | None:
    """The first month a member pays nothing for 50 years of party age: the
    month of the 50th anniversary of the admission decision."""
    if admitted_on is None:
        return None
    return date(admitted_on.year + EXEMPT_PARTY_YEARS, admitted_on.month, 1)


def reduced(amount: int, percent: int) -> int:
    """`amount` after a reduction of `percent` (100: exempt)."""
    return _round(Decimal(amount) * (100 - percent) / 100)


def months_between(first: date, end: date) -> int:
    """How many months from `first` up to (not including) `end`, both firsts of months."""
    return (end.year - first.year) * 12 + end.month - first.month


def is_absurd(amount: int, expected: int) -> bool:
    """More than ten times the expected amount (or the absolute guard when
    nothing is expected): a typing slip to refuse, not a voluntary payment."""
    if expected > 0:
        return amount > ABSURD_FACTOR * expected
    return amount > MAX_MONTHLY_DUES
