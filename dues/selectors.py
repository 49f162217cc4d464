"""Reading dues: what each member owes in a month, the cell's monthly sheet,
arrears, reliefs about to lapse, the remittance list and the dues book.
Every function reads in a fixed handful of queries whatever the size."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.dates import first_of_month, last_day, month_shift
from dues import rules
from dues.choices import DEFAULT_KEPT_PERCENT, DuesCategory, ShareKind
from dues.models import DuesBasis, DuesRelief, DuesShare, FixedRate
from meetings.models import DuesPayment
from members.choices import MEMBER_STATUSES, PlacementKind
from members.models import Exemption, Member, Placement, StatusPeriod
from members.selectors import in_periods, members_on, membership_in_cell
from organizations.models import (
    CELL_LEVELS,
    GRASSROOTS_LEVELS,
    PATH_STEP,
    AdministrativeUnit,
    Level,
    Unit,
    UnitVersion,
)
from organizations.selectors import unit_name_key

# --- What a member owes -------------------------------------------------------


@dataclass
class Expectation:
    """What a member owes for one month, and why."""

    month: date
    rule_set: rules.RuleSet
    category: str = ""  # empty: no category recorded yet
    base: int | None = None
    full: int | None = None  # before any relief; None: unknown (no category)
    amount: int | None = None  # after relief
    relief: int = 0  # percent reduced (100: exempt)
    exempt_reason: str = ""

    @property
    def known(self) -> bool:
        return self.amount is not None

    @property
    def exempt(self) -> bool:
        return self.relief == 100

    @property
    def category_label(self) -> str:
        return str(DuesCategory(self.category).label) if self.category else ""


def _fixed_rates() -> dict[tuple[str, str], list[FixedRate]]:
    out: dict[tuple[str, str], list[FixedRate]] = defaultdict(list)
    for r in FixedRate.objects.all():
        out[(r.rule_set, r.category)].append(r)
    return out


def _in_force(rows, month: date):
    return next(
        (r for r in rows if r.valid_from <= month and (r.valid_to is None or r.valid_to > month)),
        None,
    )


def expectations(members: list[Member], months: list[date]) -> dict[tuple[int, date], Expectation]:
    """{(member id, month): Expectation} for every member and month. Three queries."""
    if not members or not months:
        return {}
    ids = [m.pk for m in members]
    lo, hi = month_shift(min(months), -1), max(months)
    bases: dict[int, list[DuesBasis]] = defaultdict(list)
    for b in DuesBasis.objects.filter(member_id__in=ids, valid_from__lte=hi).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=lo)
    ):
        bases[b.member_id].append(b)
    reliefs: dict[int, list[DuesRelief]] = defaultdict(list)
    for r in DuesRelief.objects.filter(member_id__in=ids, valid_from__lte=hi).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=min(months))
    ):
        reliefs[r.member_id].append(r)
    fixed = _fixed_rates()
    out = {}
    for m in members:
        fifty = rules.exempt_by_party_age_from(m.admitted_on)
        for month in months:
            rs = rules.rule_set_for(month)
            e = Expectation(month=month, rule_set=rs)
            basis = _in_force(bases[m.pk], month)
            if basis is not None:
                e.category = basis.category
                source = _in_force(bases[m.pk], rs.base_month(basis.category, month))
                # the previous month's base when it was recorded for the same category
                if source is None or source.category != basis.category:
                    source = basis
                e.base = source.base
                rate = _in_force(fixed.get((rs.code, basis.category), []), month)
                e.full = rs.amount(basis.category, e.base, rate.amount if rate else None)
            if fifty is not None and month >= fifty:
                e.relief, e.exempt_reason = 100, _("Tuổi Đảng từ 50 năm")
            elif e.category == DuesCategory.SOCIAL_PENSION:
                e.relief, e.exempt_reason = 100, _("Hưởng trợ cấp hưu trí xã hội")
            else:
                relief = _in_force(reliefs[m.pk], month)
                if relief is not None:
                    e.relief = relief.percent
                    e.exempt_reason = _("Quyết định %(n)s") % {"n": relief.decision_number}
            if e.relief == 100:
                e.amount = 0
            elif e.full is not None:
                e.amount = rules.reduced(e.full, e.relief)
            out[(m.pk, month)] = e
    return out


def exempt_months(members: list[Member], months: list[date]) -> set[tuple[int, date]]:
    """{(member id, month)} in which a member pays nothing: the months
    `expectations` marks exempt (50 years of party age, the social pension,
    a 100% relief), read without working out every amount. Two queries."""
    ids = [m.pk for m in members]
    lo, hi = min(months), max(months)
    out = set()
    for m in members:
        fifty = rules.exempt_by_party_age_from(m.admitted_on)
        if fifty is not None and fifty <= hi:
            out.update((m.pk, month) for month in months if month >= fifty)
    for model, q in (
        (DuesBasis, Q(category=DuesCategory.SOCIAL_PENSION)),
        (DuesRelief, Q(percent=100)),
    ):
        for member_id, a, b in (
            model.objects.filter(q, member_id__in=ids, valid_from__lte=hi)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=lo))
            .values_list("member_id", "valid_from", "valid_to")
        ):
            out.update(
                (member_id, month) for month in months if a <= month and (b is None or b > month)
            )
    return out


def expectation(member: Member, month: date) -> Expectation:
    month = first_of_month(month)
    return expectations([member], [month])[(member.pk, month)]


# --- The cell's monthly sheet -------------------------------------------------------


def leave_periods(member_ids, start: date, end: date) -> dict[int, list[tuple]]:
    """{member id: [(from, to exclusive or None)]}: the periods within
    [start, end] in which each was on leave from the cell's meetings: exempt
    from meetings (miễn sinh hoạt) or placed temporarily at another cell
    (sinh hoạt tạm thời). Such members may pay dues late or ahead for those
    months (01-QĐ/TW). Two queries."""
    out: dict[int, list[tuple]] = defaultdict(list)
    overlap = Q(valid_from__lte=end) & (Q(valid_to__isnull=True) | Q(valid_to__gt=start))
    for qs in (
        Exemption.objects.filter(overlap, member_id__in=member_ids),
        Placement.objects.filter(overlap, member_id__in=member_ids, kind=PlacementKind.TEMPORARY),
    ):
        for member_id, a, b in qs.values_list("member_id", "valid_from", "valid_to"):
            out[member_id].append((a, b))
    return dict(out)


def on_leave_in(periods: list[tuple], month: date) -> bool:
    """Whether `periods` (leave_periods) touch any day of `month`."""
    end = month_shift(month, 1)
    return any(a < end and (b is None or b > month) for a, b in periods)


def _owed_until(month: date, today: date) -> date:
    """The last month of `month`'s year up to `month` that is owed by `today`:
    a month not over yet is not owed yet (its meeting may be to come)."""
    return month if last_day(month) < today else month_shift(month, -1)


def _year_months(year: int, until: date) -> list[date]:
    return [date(year, k, 1) for k in range(1, 13) if date(year, k, 1) <= until]


def cell_members_in_month(unit: Unit, month: date, today: date) -> list:
    """Who the sheet of `month` lists: members placed in the cell on the
    month's first day, and those placed there by its last (or today)."""
    seen, rows = set(), []
    for day in (month, min(last_day(month), today)):
        if day < month:
            continue
        for r in members_on(unit, day):
            if r.member.pk not in seen:
                seen.add(r.member.pk)
                rows.append(r)
    rows.sort(key=lambda r: r.member.sort_key)
    return rows


def _arrears(
    member_ids, unit: Unit, year: int, until: date, exempt: set, paid, spans=None
) -> dict[int, list[date]]:
    """{member id: months of `year` up to `until` owed to `unit` and unpaid}:
    months the member was a party member placed in the cell on the first day
    and not exempt (`exempt`: {(member id, month)})."""
    months = _year_months(year, until)
    if not months:
        return {}
    if spans is None:
        spans = membership_in_cell(member_ids, unit, months[0], last_day(months[-1]))
    out: dict[int, list[date]] = {}
    for pk in member_ids:
        unpaid = [
            m
            for m in months
            if in_periods(spans.get(pk, []), m) and (pk, m) not in exempt and (pk, m) not in paid
        ]
        if unpaid:
            out[pk] = unpaid
    return out


@dataclass
class SheetLine:
    row: object  # members.selectors.CellMemberOn
    member: Member
    owes: bool  # a party member in the cell on the month's first day
    expected: Expectation
    payment: DuesPayment | None
    unpaid_months: list = field(default_factory=list)
    # on leave from meetings (exempt, or placed temporarily elsewhere) in a
    # month near this one: may pay late or ahead (`dues_collect_months`)
    on_leave: bool = False

    @property
    def paid(self) -> int | None:
        return self.payment.amount if self.payment is not None else None

    @property
    def difference(self) -> int | None:
        if self.payment is None or self.expected.amount is None:
            return None
        return self.payment.amount - self.expected.amount

    @property
    def in_arrears(self) -> bool:
        return len(self.unpaid_months) >= rules.ARREARS_MONTHS


def dues_sheet(unit: Unit, month: date, today: date | None = None) -> dict:
    """The dues of a cell for one month: each member's expected amount,
    payment and difference, the totals, and who has gone three months of the
    year without paying (months in the cell as a member, not exempt)."""
    today = today or timezone.localdate()
    month = first_of_month(month)
    # members away at another cell stay on their home cell's sheet: they owe
    # it their dues, and may pay them late or ahead (01-QĐ/TW)
    rows = cell_members_in_month(unit, month, today)
    members = [r.member for r in rows]
    ids = [m.pk for m in members]
    year_months = [date(month.year, k, 1) for k in range(1, month.month + 1)]
    exp = expectations(members, year_months)
    payments = {
        (p.member_id, p.month): p
        for p in DuesPayment.objects.filter(
            member_id__in=ids, month__gte=year_months[0], month__lte=month
        )
    }
    exempt = {key for key, e in exp.items() if e.exempt}
    arrears = _arrears(ids, unit, month.year, _owed_until(month, today), exempt, payments)
    spans = membership_in_cell(ids, unit, month, last_day(month))
    leave = leave_periods(ids, month_shift(month, -12), last_day(month_shift(month, 12)))
    lines = [
        SheetLine(
            row=r,
            member=r.member,
            owes=in_periods(spans.get(r.member.pk, []), month),
            expected=exp[(r.member.pk, month)],
            payment=payments.get((r.member.pk, month)),
            unpaid_months=arrears.get(r.member.pk, []),
            on_leave=bool(leave.get(r.member.pk)) or r.away is not None,
        )
        for r in rows
    ]
    recorded = [line for line in lines if line.payment is not None]
    return {
        "month": month,
        "rule_set": rules.rule_set_for(month),
        "lines": lines,
        "saved": bool(recorded),
        "expected_total": sum((line.expected.amount or 0) for line in lines if line.owes),
        "total": sum(line.paid or 0 for line in lines),
        "portal_total": sum(
            line.paid or 0 for line in recorded if line.payment.channel == "portal"
        ),
        "voluntary_count": sum(1 for line in recorded if line.payment.voluntary),
        "paid_count": len(recorded),
        "unknown": [line for line in lines if not line.expected.known and line.owes],
        "unpaid_three": [line for line in lines if line.in_arrears],
    }


# --- Arrears and lapsing reliefs in a user's scope ---------------------------------


def arrears_in(members_qs, day: date | None = None) -> list[dict]:
    """Members of `members_qs` (a user's reach) with three or more months
    unpaid in `day`'s year (owed by `day`), each with the months named. One
    count query keeps the detailed check to those who paid in too few months
    (at most the months of the year less three); then a few queries for all
    of them, and two per cell they are in."""
    day = day or timezone.localdate()
    until = _owed_until(first_of_month(day), day)
    if until.year != day.year:
        return []
    months = _year_months(day.year, until)
    if len(months) < rules.ARREARS_MONTHS:
        return []
    # Suspects: members who paid in too few months. The year's payments are
    # counted per member on their own (an index-only pass over the
    # member-and-month index); a member's full row is read only for those
    # left, a few thousand in a province of 100,000.
    enough = (
        DuesPayment.objects.filter(month__gte=months[0], month__lte=until)
        .order_by()
        .values("member_id")
        .annotate(n=Count("month"))  # not "pk": read from the (member, month) index alone
        .filter(n__gt=len(months) - rules.ARREARS_MONTHS)
        .values("member_id")
    )
    few = (
        members_qs.filter(status__in=MEMBER_STATUSES, unit__isnull=False)
        .exclude(pk__in=enough)
        .order_by()
        .values_list("pk", flat=True)
    )
    suspects = list(
        Member.objects.filter(pk__in=list(few))
        .select_related("unit")
        .only("full_name", "sort_key", "admitted_on", "unit__name", "unit__path", "unit__level")
    )
    if not suspects:
        return []
    exempt = exempt_months(suspects, months)
    paid = set(
        DuesPayment.objects.filter(
            member_id__in=[m.pk for m in suspects], month__gte=months[0], month__lte=until
        ).values_list("member_id", "month")
    )
    by_cell: dict[int, list[Member]] = defaultdict(list)
    for m in suspects:
        by_cell[m.unit_id].append(m)
    spans = _spans_in_own_cells(suspects, months[0], last_day(until))
    out = []
    for members in by_cell.values():
        cell = members[0].unit
        arrears = _arrears([m.pk for m in members], cell, day.year, until, exempt, paid, spans)
        for m in members:
            unpaid = arrears.get(m.pk, [])
            if len(unpaid) >= rules.ARREARS_MONTHS:
                out.append({"member": m, "unit": cell, "months": unpaid})
    out.sort(key=lambda d: (d["unit"].path, d["member"].sort_key))
    return out


def _spans_in_own_cells(members: list[Member], start: date, end: date) -> dict[int, list[tuple]]:
    """membership_in_cell for many members at once, each in their own current
    cell: {member id: [(from, to)]}. Two queries whatever their number."""
    ids = [m.pk for m in members]
    cell_of = {m.pk: m.unit_id for m in members}
    statuses: dict[int, list[tuple]] = defaultdict(list)
    for member_id, a, b in (
        StatusPeriod.objects.filter(
            member_id__in=ids, status__in=MEMBER_STATUSES, valid_from__lte=end
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=start))
        .values_list("member_id", "valid_from", "valid_to")
    ):
        statuses[member_id].append((a, b))
    out: dict[int, list[tuple]] = {}
    for member_id, unit_id, a, b in (
        Placement.objects.filter(
            member_id__in=ids, kind=PlacementKind.PERMANENT, valid_from__lte=end
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=start))
        .values_list("member_id", "unit_id", "valid_from", "valid_to")
    ):
        if unit_id != cell_of[member_id]:
            continue
        for c, d in statuses.get(member_id, []):
            lo = max(a, c)
            hi = b if d is None else (d if b is None else min(b, d))
            if hi is None or hi > lo:
                out.setdefault(member_id, []).append((lo, hi))
    return out


def reliefs_lapsing(members_qs, day: date | None = None) -> list[DuesRelief]:
    """Reductions and exemptions on request whose last month is this month or
    the next: the member must apply again or pay in full (a month's warning)."""
    day = day or timezone.localdate()
    month = first_of_month(day)
    horizon = month_shift(month, rules.RELIEF_WARNING_MONTHS + 1)
    return list(
        DuesRelief.objects.filter(member__in=members_qs, valid_to__gt=month, valid_to__lte=horizon)
        .select_related("member", "member__unit")
        .order_by("valid_to", "member__sort_key")
    )


# --- Shares and remittance ------------------------------------------------------


LOCALITY_KINDS = (
    AdministrativeUnit.Kind.COMMUNE,
    AdministrativeUnit.Kind.WARD,
    AdministrativeUnit.Kind.TOWNSHIP,
    AdministrativeUnit.Kind.SPECIAL_ZONE,
)


def share_kind(unit: Unit, locality_kind: str | None = None) -> str | None:
    """Which kind of organization `unit` is for the dues shares (None: a party
    group, which keeps nothing)."""
    if unit.level in GRASSROOTS_LEVELS:
        if locality_kind is None and getattr(unit, "administrative_unit_id", None):
            locality_kind = unit.administrative_unit.kind
        return (
            ShareKind.GRASSROOTS_LOCALITY
            if locality_kind in LOCALITY_KINDS
            else ShareKind.GRASSROOTS_OTHER
        )
    if unit.level == Level.CELL:
        return (
            ShareKind.CELL_RESIDENTIAL
            if unit.category in ("residential", "village")
            else ShareKind.CELL_OTHER
        )
    if unit.level == Level.PARTY_GROUP:
        return None
    return ShareKind.SUPERIOR


def kept_percents(month: date) -> dict[str, int]:
    """The kept share of each kind of organization for `month`: the
    administrator's setting in force, else chibo's documented default."""
    out = {k: v for k, v in DEFAULT_KEPT_PERCENT.items()}
    for s in DuesShare.objects.filter(valid_from__lte=month).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=month)
    ):
        out[s.kind] = s.kept_percent
    return out


@dataclass
class RemittanceRow:
    unit: Unit | None
    members: int = 0
    paid_count: int = 0
    collected: int = 0  # paid by the members of the unit's subtree
    kept: int = 0  # kept within the unit's subtree (the unit and all below)
    remitted: int = 0  # sent up from the unit to its superior
    kept_percent: int | None = None


@dataclass
class _Node:
    pk: int
    parent_id: int | None
    level: str
    category: str
    locality: str | None


def counted_in(month: date) -> Q:
    """DuesPayment rows the remittance, the dues book's totals and the dues
    report count in `month`: those received that month. A payment made ahead
    or late (a member on leave from meetings, `dues_collect_months`) covers
    other months but is money the cell received, and sends up, in the month it
    was paid; a payment of its own month has no `received_in`."""
    return Q(received_in=month) | Q(month=month, received_in__isnull=True)


def _version_of_month(rows, month: date):
    """Of a unit's versions `rows` [(..., valid_from, valid_to)] overlapping
    `month`, the one that holds for the month's dues: in force on its last
    day (a cell moved to another committee during June remits June there),
    else (a unit dissolved during the month) the last one in it."""
    last = last_day(month)
    best = None
    for row in rows:
        a, b = row[-2], row[-1]
        if a <= last and (b is None or b > last):
            return row
        if a <= last and (b is None or b > month) and (best is None or a > best[-2]):
            best = row
    return best


def tree_of_month(unit: Unit, month: date) -> list[tuple]:
    """`unit`'s subtree as it was in `month` (organizations.UnitVersion,
    `_version_of_month`): a cell moved to another committee in June belongs
    to the old one up to May and to the new one from June. [(unit id, parent id, level, category,
    locality kind, name, path)], the root first. Two queries."""
    end = month_shift(month, 1)
    overlap = Q(valid_from__lt=end) & (Q(valid_to__isnull=True) | Q(valid_to__gt=month))
    fields = ("unit_id", "parent_id", "level", "category", "administrative_unit__kind", "name")
    root_rows = list(
        UnitVersion.objects.filter(overlap, unit=unit).values_list(
            *fields, "path", "valid_from", "valid_to"
        )
    )
    root = _version_of_month(root_rows, month)
    if root is None:
        return []
    path = root[6]
    inside = UnitVersion.objects.filter(overlap, path__startswith=path).values("unit_id")
    by_unit: dict[int, list[tuple]] = defaultdict(list)
    for row in UnitVersion.objects.filter(overlap, unit_id__in=inside).values_list(
        *fields, "path", "valid_from", "valid_to"
    ):
        by_unit[row[0]].append(row)
    out = [root[:7]]
    for unit_id, rows in by_unit.items():
        row = _version_of_month(rows, month)
        if unit_id != unit.pk and row is not None and row[6].startswith(path):
            out.append(row[:7])
    return out


def _shares(
    unit: Unit, nodes: list[_Node], sums: dict[int, tuple[int, int]], percents: dict[str, int]
) -> tuple[dict[int, RemittanceRow], RemittanceRow, dict[int, list[_Node]]]:
    """Walk a month's tree (`nodes`, the root `unit` first) bottom up: each
    level keeps its share (`percents`) of what reaches it, its members'
    payments (`sums`: {unit id: (amount, count)}) plus what its sub-units
    sent up, and sends the rest up. ({unit id: its row}, the root's row,
    {parent id: children})."""
    children: dict[int, list[_Node]] = defaultdict(list)
    by_pk = {}
    for node in nodes:
        by_pk[node.pk] = node
        if node.parent_id is not None and node.pk != unit.id:
            children[node.parent_id].append(node)
    rows: dict[int, RemittanceRow] = {}

    def walk(u: _Node) -> RemittanceRow:
        row = RemittanceRow(unit=None)
        reaching, row.paid_count = sums.get(u.pk, (0, 0))
        row.collected = reaching
        kept_below = 0
        for child in children.get(u.pk, []):
            c = walk(child)
            reaching += c.remitted
            row.collected += c.collected
            row.paid_count += c.paid_count
            kept_below += c.kept
        kind = share_kind(u, u.locality or "")
        row.kept_percent = percents.get(kind, 0) if kind else 0
        # nothing reached it (most units of a month): no rounding to do
        own_kept = rules.reduced(reaching, 100 - row.kept_percent) if reaching else 0
        row.kept = kept_below + own_kept
        row.remitted = reaching - own_kept
        rows[u.pk] = row
        return row

    top = walk(by_pk.get(unit.id) or _Node(unit.id, None, unit.level, unit.category, None))
    return rows, top, children


def remittance(unit: Unit, month: date) -> dict:
    """The monthly remittance list of a committee: for each unit directly
    under it in that month's tree (`tree_of_month`), what its members paid,
    what its subtree kept and what it sent up; then the committee's own
    figures. Each level keeps its share of what reaches it (its members'
    dues, if a cell, plus what its sub-units sent) and sends the rest up.
    Payments count in the month received (`counted_in`). A fixed handful of
    queries whatever the size (the tree is read as plain rows; only the
    direct sub-units become objects)."""
    month = first_of_month(month)
    tree = tree_of_month(unit, month)
    nodes = [_Node(*row[:5]) for row in tree]
    names = {row[0]: row[5] for row in tree}
    sums: dict[int, tuple[int, int]] = {}
    if tree:
        # units under the root at some time in the month, as a subquery (a
        # list of a province's 5,000 ids costs more to send than the sums);
        # a unit outside the month's tree is dropped below
        ids = set(names)
        end = month_shift(month, 1)
        under = UnitVersion.objects.filter(
            Q(valid_from__lt=end) & (Q(valid_to__isnull=True) | Q(valid_to__gt=month)),
            path__startswith=tree[0][6],
        ).values("unit_id")
        # the two halves of `counted_in` apart: the month's own payments come
        # from the (month, unit) index alone, those received late or ahead
        # from the small received_in index
        for half in (Q(month=month, received_in__isnull=True), Q(received_in=month)):
            for unit_id, s, n in (
                DuesPayment.objects.filter(half, unit_id__in=under)
                .order_by()
                .values_list("unit_id")
                .annotate(s=Sum("amount"), n=Count("amount"))  # not "pk": not in the index
            ):
                if unit_id not in ids:
                    continue
                total, count = sums.get(unit_id, (0, 0))
                sums[unit_id] = (total + s, count + n)
    rows, top, children = _shares(unit, nodes, sums, kept_percents(month))
    direct = list(Unit.objects.filter(pk__in=[c.pk for c in children.get(unit.pk, [])]))
    lines = []
    for child in direct:
        child.name = names.get(child.pk, child.name)  # its name in that month, for the list
        rows[child.pk].unit = child
        lines.append(rows[child.pk])
    lines.sort(key=lambda line: unit_name_key(line.unit.name))
    own = sums.get(unit.pk)
    top.unit = unit
    return {
        "unit": unit,
        "month": month,
        "lines": lines,
        "own_collected": own[0] if own else 0,
        "total_collected": top.collected,
        "total_paid_count": top.paid_count,
        "received": sum(line.remitted for line in lines),
        "kept_here": top.kept - sum(line.kept for line in lines),
        "kept_percent": top.kept_percent,
        "sent_up": top.remitted,
        "kept_total": top.kept,
    }


# --- The dues book ------------------------------------------------------------


def _cell_kinds(unit: Unit, months: list[date]) -> list[str | None]:
    """The share kind (`share_kind`) of `unit` in each month, from its version
    then (a cell that changed category or ward counts as it was). One query."""
    rows = list(
        UnitVersion.objects.filter(unit=unit, valid_from__lt=month_shift(months[-1], 1))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=months[0]))
        .select_related("administrative_unit")
    )
    out = []
    for month in months:
        version = _version_of_month([(v, v.valid_from, v.valid_to) for v in rows], month)
        out.append(share_kind(version[0] if version else unit))
    return out


def dues_book(unit: Unit, year: int, today: date | None = None) -> dict:
    """The cell's dues book (sổ thu nộp đảng phí) of `year`: one line per
    member placed in the cell during the year, with each month's payment
    (or "miễn" when exempt, nothing outside membership), the month totals,
    the share kept and the share sent up. A month's totals are what the cell
    received that month (`counted_in`), as its remittance list sends up: a
    payment made ahead or late stands in the months it covers, marked with
    the month it was paid, and is listed under `advances`. A fixed handful of
    queries."""
    today = today or timezone.localdate()
    months = [date(year, k, 1) for k in range(1, 13)]
    spans = membership_in_cell(
        list(
            StatusPeriod.objects.filter(
                status__in=MEMBER_STATUSES,
                member__placements__unit=unit,
            )
            .values_list("member_id", flat=True)
            .distinct()
        ),
        unit,
        months[0],
        date(year, 12, 31),
    )
    members = list(Member.objects.filter(pk__in=spans.keys()).order_by("sort_key", "pk"))
    exp = expectations(members, months)
    rows = list(
        DuesPayment.objects.filter(unit=unit).filter(
            Q(month__gte=months[0], month__lte=months[-1])
            | Q(received_in__gte=months[0], received_in__lte=months[-1])
        )
    )
    payments = {(p.member_id, p.month): p for p in rows if p.month.year == year}
    percents = {m: kept_percents(m) for m in months}
    kinds = _cell_kinds(unit, months)
    lines = []
    for m in members:
        cells = []
        for month in months:
            p = payments.get((m.pk, month))
            member_then = any(
                a < month_shift(month, 1) and (b is None or b > month) for a, b in spans[m.pk]
            )
            e = exp[(m.pk, month)]
            cells.append(
                {
                    "month": month,
                    "member": member_then,
                    "paid": p.amount if p else None,
                    "portal": bool(p and p.channel == "portal"),
                    "voluntary": bool(p and p.voluntary),
                    "received_in": p.received_in if p else None,
                    "exempt": member_then and e.exempt and p is None,
                    "expected": e.amount if member_then else None,
                }
            )
        lines.append({"member": m, "cells": cells, "total": sum(c["paid"] or 0 for c in cells)})
    month_totals = [0] * 12
    for p in rows:
        counted = p.received_in or p.month
        if counted.year == year:
            month_totals[counted.month - 1] += p.amount
    kept = [
        rules.reduced(t, 100 - (percents[mo].get(kind, 0) if kind else 0))
        for t, mo, kind in zip(month_totals, months, kinds, strict=True)
    ]
    names = {m.pk: m.full_name for m in members}
    return {
        "unit": unit,
        "year": year,
        "months": months,
        "lines": lines,
        "month_totals": month_totals,
        "kept": kept,
        "remitted": [t - k for t, k in zip(month_totals, kept, strict=True)],
        "total": sum(month_totals),
        "kept_total": sum(kept),
        "remitted_total": sum(month_totals) - sum(kept),
        "kept_percent": percents[months[0]].get(kinds[0], 0) if kinds[0] else 0,
        "advances": _advances(rows, names),
        "today": today,
    }


@dataclass
class Advance:
    """Dues a member paid at once for months other than the one they were
    paid in (ahead or late): who, the months covered, when, how much."""

    member_id: int
    name: str
    received_in: date
    months: list[date]
    total: int

    @property
    def ahead(self) -> bool:
        return self.months[0] > self.received_in

    @property
    def months_text(self) -> str:
        return ", ".join(m.strftime("%m/%Y") for m in self.months)


def _advances(rows, names: dict[int, str]) -> list[Advance]:
    groups: dict[tuple, list] = defaultdict(list)
    for p in rows:
        if p.received_in is not None:
            groups[(p.member_id, p.received_in)].append(p)
    out = [
        Advance(
            member_id=member_id,
            name=names.get(member_id) or str(ps[0].member),
            received_in=received,
            months=sorted(p.month for p in ps),
            total=sum(p.amount for p in ps),
        )
        for (member_id, received), ps in groups.items()
    ]
    out.sort(key=lambda a: (a.received_in, a.name))
    return out


def cells_in(unit: Unit):
    return Unit.objects.filter(path__startswith=unit.path, level__in=CELL_LEVELS).filter(
        dissolved_on__isnull=True
    )


# --- The dues report (reports catalogue) ------------------------------------------------


def _shares_in_force(months: list[date]) -> dict[date, dict[str, int]]:
    """kept_percents for each of `months`, from one read of the settings."""
    settings = list(DuesShare.objects.filter(valid_from__lte=months[-1]).order_by("valid_from"))
    out = {}
    for month in months:
        percents = dict(DEFAULT_KEPT_PERCENT)
        for s in settings:
            if s.valid_from <= month and (s.valid_to is None or s.valid_to > month):
                percents[s.kind] = s.kept_percent
        out[month] = percents
    return out


def dues_figures(root: Unit, months: list[date]) -> dict:
    """The payments received in `months` (`counted_in`) by cells of `root`'s
    subtree as it was in each month (`_version_of_month`, as `tree_of_month`
    reads it), summed per month and per direct sub-unit of the root then,
    and what the subtree kept and sent up each month (`remittance`'s
    kept_total and sent_up, walked over the same month's tree):
    {"months": {month: [payments, collected, portal, voluntary]},
    "branches": {sub-unit id: [...]}, "shares": {month: (kept, sent up)}}.
    Four queries for any number of months: the year's versions are read
    once, not each month's tree (the dues report took 12 remittances, 78
    queries and 14 s for a province)."""
    out = {
        "months": {m: [0, 0, 0, 0] for m in months},
        "branches": defaultdict(lambda: [0, 0, 0, 0]),
        "shares": {m: (0, 0) for m in months},
    }
    if not months:
        return out
    overlap = Q(valid_from__lt=month_shift(months[-1], 1)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gt=months[0])
    )
    fields = ("unit_id", "parent_id", "level", "category", "administrative_unit__kind", "name")
    root_rows = list(
        UnitVersion.objects.filter(overlap, unit_id=root.id).values_list(
            *fields, "path", "valid_from", "valid_to"
        )
    )
    if not root_rows:
        return out
    under = Q()
    for path in {r[6] for r in root_rows}:
        under |= Q(path__startswith=path)
    inside = UnitVersion.objects.filter(overlap, under).values("unit_id")
    versions = defaultdict(list)
    for row in UnitVersion.objects.filter(overlap, unit_id__in=inside).values_list(
        *fields, "path", "valid_from", "valid_to"
    ):
        versions[row[0]].append(row)
    counted = Coalesce("received_in", "month")
    rows = (
        DuesPayment.objects.filter(
            Q(received_in__in=months) | Q(month__in=months, received_in__isnull=True),
            unit_id__in=inside,
        )
        .annotate(counted=counted)
        .order_by()
        .values_list("unit_id", "counted")
        .annotate(
            n=Count("pk"),
            s=Sum("amount"),
            portal=Sum("amount", filter=Q(channel="portal")),
            vol=Count("pk", filter=Q(voluntary=True)),
        )
    )
    # most units keep one version the whole period: it holds for every month
    start, end = months[0], month_shift(months[-1], 1)
    steady = {
        unit_id: unit_rows[0]
        for unit_id, unit_rows in versions.items()
        if len(unit_rows) == 1
        and unit_rows[0][-2] <= start
        and (unit_rows[0][-1] is None or unit_rows[0][-1] >= end)
    }

    def version_of(unit_id: int, month: date):
        row = steady.get(unit_id)
        return row if row is not None else _version_of_month(versions[unit_id], month)

    sums: dict[date, dict[int, tuple[int, int]]] = {m: {} for m in months}
    root_of = {m: _version_of_month(root_rows, m) for m in months}
    for unit_id, month, n, s, portal, vol in rows:
        root_version = root_of.get(month)
        version = version_of(unit_id, month)
        if root_version is None or version is None or not version[6].startswith(root_version[6]):
            continue  # the cell lay outside the subtree that month
        sums[month][unit_id] = (s or 0, n)
        figures = [n, s or 0, portal or 0, vol]
        out["months"][month] = [x + y for x, y in zip(out["months"][month], figures, strict=True)]
        segment = version[6][len(root_version[6]) : len(root_version[6]) + PATH_STEP]
        if segment:
            branch = out["branches"][int(segment)]
            out["branches"][int(segment)] = [x + y for x, y in zip(branch, figures, strict=True)]
    percents = _shares_in_force(months)
    for month in months:
        if root_of[month] is None:
            continue
        path = root_of[month][6]
        nodes = [_Node(*root_of[month][:5])]
        for unit_id in versions:
            row = version_of(unit_id, month)
            if unit_id != root.id and row is not None and row[6].startswith(path):
                nodes.append(_Node(*row[:5]))
        _rows, top, _children = _shares(root, nodes, sums[month], percents[month])
        out["shares"][month] = (top.kept, top.remitted)
    return out
