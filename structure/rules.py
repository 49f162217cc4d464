"""The Party's rules on a unit's members and its committee, one place each
(Điều lệ Đảng, Điều 21 and 24; Quy định thi hành Điều lệ). They count the
members of the tree's units, so they live above both. Each warning names
what it checks; the unit page and the list of warnings both read
`warnings_for`."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from chibo.dates import add_months
from members.choices import Status
from members.selectors import member_counts_in
from organizations.models import CELL_LEVELS, Body, Level, Position, Seat, Term, Unit, valid_on

MIN_OFFICIAL_IN_CELL = 3  # Điều lệ, Điều 21: a cell has at least 3 official members
CELL_COMMITTEE_FROM = 9  # Điều lệ, Điều 24: 9 or more official members elect a cell committee
GRASSROOTS_COMMITTEE_FROM = 30  # Điều lệ, Điều 21: 30 or more members make a đảng bộ cơ sở
TERM_WARNING_MONTHS = 3  # warn this long before a term is due


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
    today = today or date.today()
    if isinstance(units, QuerySet):
        # a province's thousands of ids go to the database as a subquery, not
        # as a list of parameters (psycopg's splitting of such a query alone
        # takes 0.2 s)
        active = units.filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=today))
        ids = active.values("pk")
        cell_ids = active.filter(level__in=CELL_LEVELS).values("pk")
        units = list(active)
    else:
        units = [u for u in units if u.dissolved_on is None or u.dissolved_on > today]
        ids = [u.pk for u in units]
        cell_ids = [u.pk for u in units if u.level in CELL_LEVELS]
    if not units:
        return []

    officials = member_counts_in(cell_ids, [Status.OFFICIAL])
    members = member_counts_in(cell_ids)
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
