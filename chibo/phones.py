"""Vietnamese telephone numbers, as forms and imports accept them.

Since the renumbering of landline area codes (2017) and of the 11-digit
mobile numbers (2018):
- a mobile number has 10 digits and starts with 03, 05, 07, 08 or 09;
- a landline number has 11 digits and starts with 02 (area code 02x or 02xx);
- either may be written with the country code, +84 or 84, instead of the 0,
  and with spaces, dots, dashes or brackets between the digits.

`phone_problem` says what is wrong with a number (a Vietnamese message), or
None; `validate_phone` is the same as a Django validator. The number is
stored as typed: only its digits are checked.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_SEPARATORS = re.compile(r"[\s.\-()]")
_MOBILE = re.compile(r"0[35789]\d{8}")
_LANDLINE = re.compile(r"02\d{9}")
_OLD_MOBILE = re.compile(r"01\d{9}")


def phone_digits(text: str) -> str:
    """The number with its separators taken out and +84 / 84 read as 0."""
    compact = _SEPARATORS.sub("", text or "")
    if compact.startswith("+84"):
        compact = "0" + compact[3:]
    elif compact.startswith("84") and len(compact) in (11, 12):
        compact = "0" + compact[2:]
    return compact


def phone_problem(text: str, *, written: str | None = None) -> str | None:
    """None for a valid number, else what is wrong, in Vietnamese (naming the
    number as `written`, if the caller tidied it first)."""
    digits = phone_digits(text)
    text = text if written is None else written
    if _MOBILE.fullmatch(digits) or _LANDLINE.fullmatch(digits):
        return None
    if _OLD_MOBILE.fullmatch(digits):
        return _(
            "Số điện thoại “%(value)s” dùng đầu số di động 11 chữ số cũ (01…), "
            "đã đổi sang 10 chữ số từ năm 2018; hãy ghi số mới."
        ) % {"value": text}
    return _(
        "Số điện thoại “%(value)s” không hợp lệ: số di động gồm 10 chữ số bắt đầu bằng "
        "03, 05, 07, 08 hoặc 09 (ví dụ 0912 345 678); số cố định gồm 11 chữ số bắt đầu "
        "bằng 02 (ví dụ 024 3825 1234)."
    ) % {"value": text}


def validate_phone(value: str) -> None:
    if value:
        problem = phone_problem(value)
        if problem:
            raise ValidationError(problem, code="phone")
