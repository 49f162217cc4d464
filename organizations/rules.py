"""The Party's organizational rules that concern the tree alone, one place
each (Quy định thi hành Điều lệ). The warnings that count a unit's members
(Điều lệ Đảng, Điều 21 and 24) are in structure/rules.py."""

from django.conf import settings

from organizations.models import TermLength


def term_months(level: str) -> int:
    """A level's term in months: the TermLength row an administrator set, else
    settings.CHIBO_TERM_MONTHS (a cell's congress is twice in 5 years: 30)."""
    row = TermLength.objects.filter(level=level).first()
    if row is not None:
        return row.months
    return getattr(settings, "CHIBO_TERM_MONTHS", {}).get(level, 60)
