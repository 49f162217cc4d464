"""Date arithmetic every app shares: whole months and years, the first and
last day of a month, ages, and dates as the offices write them. Plain
functions of dates; nothing here reads the database or the settings."""

import calendar
from datetime import date


def dmy(day: date) -> str:
    """dd/mm/yyyy, as every page and document writes a date."""
    # not strftime: it prints year 1 as "1", not "0001"
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def add_months(day: date, months: int) -> date:
    """`day` plus whole months, the 29-31st clamped to the month's last day."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def last_day(month: date) -> date:
    """The last day of `month`'s month."""
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def month_shift(month: date, k: int) -> date:
    """The first day of the month `k` months after `month`'s."""
    n = month.year * 12 + month.month - 1 + k
    return date(n // 12, n % 12 + 1, 1)


def years_before(day: date, years: int) -> date:
    """The same day `years` earlier (29 February: the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return date(day.year - years, 2, 28)


def age_on(birth: date, day: date) -> int:
    """Full years from `birth` to `day`."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
