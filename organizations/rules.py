"""The Party's organizational rules, one place each (Điều lệ Đảng, Điều 21 and
24; Quy định thi hành Điều lệ). Each warning names what it checks; the unit
page and the list of warnings both read `warnings_for`."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from organizations.models import (
    CELL_LEVELS,
    Body,
    Level,
    Position,
    Seat,
    Term,
    TermLength,
    Unit,
    valid_on,
)

MIN_OFFICIAL_IN_CELL = 3  # Điều lệ, Điều 21: a cell has at least 3 official members
CELL_COMMITTEE_FROM = 9  # Điều lệ, Điều 24: 9 or more official members elect a cell committee
GRASSROOTS_COMMITTEE_FROM = 30  # Điều lệ, Điều 21: 30 or more members make a đảng bộ cơ sở
TERM_WARNING_MONTHS = 3  # warn this long before a term is due


def term_months(level: str) -> int:
    """A level's term in months: the TermLength row an administrator set, else
    settings.CHIBO_TERM_MONTHS (a cell's congress is twice in 5 years: 30)."""
    row = TermLength.objects.filter(level=level).first()
    if row is not None:
        return row.months
    return getattr(settings, "CHIBO_TERM_MONTHS", {}).get(level, 60)


def add_months(day: date, months: int) -> date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=d)
        except ValueError:
            continue
    raise ValueError(day)


@dataclass(frozen=True)
class RuleWarning:
    unit: Unit
    code: str
    message: str
    severity: str = "warning"  # or "error" for something already overdue


def warnings_for(
    units: QuerySet[Unit] | list[Unit], today: date | None = None
) -> list[RuleWarning]:
    """Every rule warning of the given (active) units, in a fixed handful of
    queries whatever their number."""
    from members.choices import MEMBER_STATUSES, Status
    from members.models import Member

    today = today or date.today()
    units = [u for u in units if u.dissolved_on is None or u.dissolved_on > today]
    if not units:
        return []
    ids = [u.pk for u in units]
    cell_ids = [u.pk for u in units if u.level in CELL_LEVELS]

    def per_unit(qs) -> dict[int, int]:
        return dict(qs.values_list("unit_id").annotate(n=Count("id")).order_by())

    officials = per_unit(Member.objects.filter(unit_id__in=cell_ids, status=Status.OFFICIAL))
    members = per_unit(Member.objects.filter(unit_id__in=cell_ids, status__in=MEMBER_STATUSES))
    seats = Seat.objects.filter(valid_on(today), unit_id__in=ids)
    with_committee = set(
        seats.filter(body=Body.CELL_COMMITTEE).values_list("unit_id", flat=True).distinct()
    )
    with_secretary = set(
        seats.filter(Q(position=Position.SECRETARY) | Q(position=Position.GROUP_LEADER))
        .values_list("unit_id", flat=True)
        .distinct()
    )
    terms = {t.unit_id: t for t in Term.objects.filter(unit_id__in=ids, valid_to__isnull=True)}
    soon = add_months(today, TERM_WARNING_MONTHS)

    out: list[RuleWarning] = []
    for u in units:
        if u.level in CELL_LEVELS:
            n_official = officials.get(u.pk, 0)
            if n_official < MIN_OFFICIAL_IN_CELL:
                out.append(
                    RuleWarning(
                        u,
                        "too_few_officials",
                        _(
                            "Chi bộ chỉ có %(n)s đảng viên chính thức (cần ít nhất 3): "
                            "cấp ủy cấp trên cần sắp xếp lại."
                        )
                        % {"n": n_official},
                    )
                )
            if n_official >= CELL_COMMITTEE_FROM and u.pk not in with_committee:
                out.append(
                    RuleWarning(
                        u,
                        "no_cell_committee",
                        _(
                            "Chi bộ có %(n)s đảng viên chính thức (từ 9 trở lên) nhưng chưa có chi ủy."
                        )
                        % {"n": n_official},
                    )
                )
        if u.level == Level.GRASSROOTS_CELL and members.get(u.pk, 0) >= GRASSROOTS_COMMITTEE_FROM:
            out.append(
                RuleWarning(
                    u,
                    "grassroots_cell_too_big",
                    _(
                        "Chi bộ cơ sở có %(n)s đảng viên (từ 30 trở lên): nên nâng cấp thành đảng bộ cơ sở."
                    )
                    % {"n": members[u.pk]},
                )
            )
        term = terms.get(u.pk)
        if term is not None and term.due_on < today:
            out.append(
                RuleWarning(
                    u,
                    "term_overdue",
                    _("Nhiệm kỳ %(name)s đã hết ngày %(due)s mà chưa tổ chức đại hội.")
                    % {"name": term.name, "due": term.due_on.strftime("%d/%m/%Y")},
                    "error",
                )
            )
        elif term is not None and term.due_on <= soon:
            out.append(
                RuleWarning(
                    u,
                    "term_ending",
                    _("Nhiệm kỳ %(name)s hết vào ngày %(due)s: chuẩn bị đại hội.")
                    % {"name": term.name, "due": term.due_on.strftime("%d/%m/%Y")},
                )
            )
        if u.pk not in with_secretary:
            out.append(
                RuleWarning(
                    u,
                    "no_secretary",
                    _("Chưa có tổ trưởng tổ đảng.")
                    if u.level == Level.PARTY_GROUP
                    else _("Chưa có bí thư."),
                )
            )
    return out
