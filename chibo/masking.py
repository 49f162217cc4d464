"""Confidential identifiers (CCCD, party card numbers) shown masked.

Lists, search results and exports show only the last four digits
("••••••••1234"); the full number is shown on a profile after a deliberate,
audited click, and written in an export only when office staff ask for the
full one (also audited). A masked cell read back by an import is recognised
(`is_masked`) and never stored: the import keeps the stored number."""

import re

DOT = "•"
KEEP = 4
# what a masked cell looks like, also as retyped by hand: dots or asterisks, then up to 4 digits
_MASKED = re.compile(r"[•*●·]+\s*(\d{0,4})")


def mask(value) -> str:
    """ "079123456789" -> "••••••••6789"; "" stays ""."""
    text = "" if value is None else str(value).strip()
    if not text:
        return ""
    if len(text) <= KEEP:
        return DOT * len(text)
    return DOT * (len(text) - KEEP) + text[-KEEP:]


def is_masked(value) -> bool:
    return isinstance(value, str) and _MASKED.fullmatch(value.strip()) is not None


def masked_tail(value: str) -> str:
    """The digits a masked cell kept ("••••1234" -> "1234")."""
    found = _MASKED.fullmatch(value.strip())
    return found.group(1) if found else ""
