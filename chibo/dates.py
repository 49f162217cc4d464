"""Date arithmetic every app shares: whole months and years, the first and
last day of a month, ages, and dates as the offices write them. Plain
functions of dates; nothing here reads the database or the settings
(messages go through gettext, so they follow the active language)."""

import calendar
import re
from datetime import date, time, timedelta

from django.utils.translation import gettext as _


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


def month_ends(day: date, months: int) -> list[date]:
    """The last days of the `months` months before `day`'s, latest first."""
    out, end = [], day.replace(day=1) - timedelta(days=1)
    for _month in range(months):
        out.append(end)
        end = end.replace(day=1) - timedelta(days=1)
    return out


def years_before(day: date, years: int) -> date:
    """The same day `years` earlier (29 February: the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return date(day.year - years, 2, 28)


def age_on(birth: date, day: date) -> int:
    """Full years from `birth` to `day`."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


# --- Dates as people type them ------------------------------------------------
#
# One parser for every place a date is typed or read: forms, addresses
# (?ngay=), spreadsheet cells. It takes what offices write (1/12/26,
# 01.12.2026, 01-12-2026, 1 / 12 / 2026), and the ISO form the browser and the
# exports use; every refusal says the same thing on every page.

_SEP = r"\s*[/.\-]\s*"
_DAY_TEXT = re.compile(rf"^(\d{{1,2}}){_SEP}(\d{{1,2}})(?:{_SEP}(\d{{2}}|\d{{4}}))?$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_MONTH_TEXT = re.compile(rf"^(\d{{1,2}}){_SEP}(\d{{2}}|\d{{4}})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_TIME_TEXT = re.compile(r"^(\d{1,2})(?:\s*[:hg.]\s*(\d{2})?)?(?:\s*(?:phút|p))?$", re.IGNORECASE)

DAY_HINT = "dd/mm/yyyy"
MONTH_HINT = "mm/yyyy"
TIME_HINT = "HH:MM"


class DateError(ValueError):
    """A typed date, month or time that is not one; `message` is for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _full_year(year: str, today: date | None) -> int:
    """A two-digit year is the nearest such year not more than 10 years ahead:
    in 2026, "26" is 2026, "36" is 2036, "56" is 1956 (a birth date)."""
    if len(year) == 4:
        return int(year)
    today = today or date.today()
    century = today.year - today.year % 100
    full = century + int(year)
    return full - 100 if full > today.year + 10 else full


def _impossible(day: int, month: int, year: int) -> DateError:
    return DateError(
        _("Ngày %(value)s không có thật.") % {"value": f"{day:02d}/{month:02d}/{year:04d}"}
    )


def parse_day(text: str, *, today: date | None = None) -> date | None:
    """A date from what people type: d/m/yy or dd/mm/yyyy with "/", "." or "-",
    d/m (this year), or yyyy-mm-dd. None for an empty text; DateError otherwise."""
    text = (text or "").strip()
    if not text:
        return None
    if m := _DAY_TEXT.match(text):
        year = _full_year(m[3], today) if m[3] else (today or date.today()).year
        day, month = int(m[1]), int(m[2])
    elif m := _ISO_DAY.match(text):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    else:
        raise DateError(_("“%(value)s” không phải là ngày (dd/mm/yyyy).") % {"value": text})
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise _impossible(day, month, year) from exc


def parse_month(text: str, *, today: date | None = None) -> date | None:
    """The first day of a month typed as m/yy, mm/yyyy or yyyy-mm (a whole date
    is taken as its month). None for an empty text; DateError otherwise."""
    text = (text or "").strip()
    if not text:
        return None
    if m := _MONTH_TEXT.match(text):
        month, year = int(m[1]), _full_year(m[2], today)
    elif m := _ISO_MONTH.match(text):
        year, month = int(m[1]), int(m[2])
    else:
        try:
            day = parse_day(text, today=today)
        except DateError as exc:
            raise DateError(
                _("“%(value)s” không phải là tháng (mm/yyyy).") % {"value": text}
            ) from exc
        return day.replace(day=1)
    if not 1 <= month <= 12:
        raise DateError(_("Tháng %(value)s không có thật.") % {"value": f"{month:02d}/{year:04d}"})
    return date(year, month, 1)


def parse_time(text: str) -> time | None:
    """A time of day typed as HH:MM, H:MM, 7h30, 7g30, 19.30 or 7 (hours).
    None for an empty text; DateError otherwise."""
    text = (text or "").strip()
    if not text:
        return None
    m = _TIME_TEXT.match(text)
    if not m:
        raise DateError(_("“%(value)s” không phải là giờ (HH:MM).") % {"value": text})
    hour, minute = int(m[1]), int(m[2] or 0)
    if hour > 23 or minute > 59:
        raise DateError(_("Giờ %(value)s không có thật.") % {"value": f"{hour:02d}:{minute:02d}"})
    return time(hour, minute)


def mmyyyy(month: date) -> str:
    return f"{month.month:02d}/{month.year:04d}"


def hhmm(moment: time) -> str:
    return f"{moment.hour:02d}:{moment.minute:02d}"


def in_words(day: date) -> str:
    """ "ngày 01 tháng 12 năm 2026": the one style of a date written out, in the
    place-and-date line of every document and wherever a document writes a date
    in words; day and month always in two digits, so minutes and reports agree."""
    return f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year:04d}"
