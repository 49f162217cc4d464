"""Reads of members, scoped to the user through organizations.selectors."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection
from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum, When
from django.db.models.functions import Coalesce, Substr
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _l

from chibo.dates import add_months, years_before
from chibo.masking import mask
from chibo.text import fold
from members.choices import (
    DATED_PROFILE_FIELDS,
    MEMBER_STATUSES,
    RECONSTRUCTED,
    PlacementKind,
    Status,
)
from members.models import (
    Badge,
    Candidacy,
    CivilServantEvaluation,
    Discipline,
    Exemption,
    Member,
    MemberCount,
    Placement,
    ProfileChange,
    ResidenceComment,
    ResidenceContact,
    StatusPeriod,
    profile_value,
)
from members.rules import (
    BADGE_YEARS,
    PROBATION_WARNING_DAYS,
    exemption_latest_birth,
    probation_ends_on,
)
from organizations.models import PATH_STEP, Role, Unit, UnitVersion, active_on, valid_on
from organizations.selectors import (
    TreeNode,
    can_edit,
    role_paths,
    scope_q,
    sees_everything,
    unit_name_key,
    unit_tree_on,
    unit_version_on,
)


def members_for(user) -> QuerySet[Member]:
    """Members whose current cell the user may see."""
    return Member.objects.filter(scope_q(user, "unit__path"))


def current_members(unit: Unit) -> QuerySet[Member]:
    """Probationary and official members placed (permanently) in the unit's subtree now."""
    return Member.objects.filter(unit__path__startswith=unit.path, status__in=MEMBER_STATUSES)


def member_count(unit: Unit, day: date | None = None) -> int:
    """Members in the unit's subtree (as the tree stands now) today or on
    `day`, from the maintained counts: one query."""
    return (
        MemberCount.objects.filter(
            valid_on(day or date.today()),
            unit__path__startswith=unit.path,
            kind__in=MEMBER_STATUSES,
        ).aggregate(n=Sum("n"))["n"]
        or 0
    )


def officials_in(unit: Unit) -> int:
    """Official members of the cell now: the denominator an admission or a
    recognition vote is usually taken against (the page lets the user correct it)."""
    return Member.objects.filter(unit=unit, status=Status.OFFICIAL).count()


def member_counts_by_child(unit: Unit) -> dict[str, int]:
    """{child path: members in that child's subtree today}, in one query."""
    cut = len(unit.path) + PATH_STEP
    rows = (
        MemberCount.objects.filter(
            valid_on(date.today()), unit__path__startswith=unit.path, kind__in=MEMBER_STATUSES
        )
        .exclude(unit=unit)
        .annotate(branch=Substr("unit__path", 1, cut))
        .values("branch")
        .annotate(total=Sum("n"))
        .order_by()
    )
    return {r["branch"]: r["total"] for r in rows}


def member_counts_for(units: list[Unit]) -> dict[int, int]:
    """{unit id: members in its subtree} for a handful of units (one query each)."""
    return {u.pk: member_count(u) for u in units}


def member_counts_in(unit_ids, statuses=MEMBER_STATUSES) -> dict[int, int]:
    """{unit id: members of `statuses` whose cell is that unit today (not its
    sub-units)}, in one query."""
    return dict(
        MemberCount.objects.filter(valid_on(date.today()), unit_id__in=unit_ids, kind__in=statuses)
        .values_list("unit_id")
        .annotate(total=Sum("n"))
        .order_by()
    )


def children_with_member_counts(unit: Unit, *, include_dissolved: bool = False) -> list[Unit]:
    """The unit's direct children, each with `.member_count` (members in its
    whole subtree, placed permanently) and `.child_count`: three queries
    whatever the size of the subtree."""
    today = date.today()
    children = list(
        unit.children.all() if include_dissolved else unit.children.filter(active_on(today))
    )
    counts = member_counts_by_child(unit)
    sub = dict(
        Unit.objects.filter(active_on(today), parent__in=children)
        .values_list("parent_id")
        .annotate(n=Count("id"))
    )
    for child in children:
        child.member_count = counts.get(child.path, 0)
        child.child_count = sub.get(child.pk, 0)
    children.sort(key=lambda u: (u.level != "cell", unit_name_key(u.name)))
    return children


# --- Members per unit as of a date, from the histories ------------------------------


@dataclass
class MemberCounts:
    """Official, probationary and (among them) exempt members."""

    official: int = 0
    probationary: int = 0
    exempt: int = 0

    @property
    def total(self) -> int:
        return self.official + self.probationary

    def add(self, other: "MemberCounts") -> None:
        self.official += other.official
        self.probationary += other.probationary
        self.exempt += other.exempt


def unit_member_counts(unit_ids, day: date) -> dict[int, MemberCounts]:
    """{unit id: its official, probationary and exempt members placed in it
    (not its sub-units) on `day`}: the one selector of member figures per unit
    that the tree's pages, the home page and the reports read, from the
    maintained counts (members/counts.py), in one query. `unit_ids` may be a
    list or a subquery; a unit without members on the day is left out."""
    out: dict[int, MemberCounts] = {}
    rows = MemberCount.objects.filter(valid_on(day), unit_id__in=unit_ids).values_list(
        "unit_id", "kind", "n"
    )
    for unit_id, kind, n in rows:
        counts = out.get(unit_id)
        if counts is None:
            counts = out[unit_id] = MemberCounts()
        setattr(counts, kind, n)
    return out


def subtree_member_counts(root_path: str, day: date) -> MemberCounts:
    """The official, probationary and exempt members of the whole subtree
    whose path (on `day`) starts with `root_path`, from the maintained
    counts: one aggregate query, no rows to Python."""
    units = UnitVersion.objects.filter(valid_on(day), path__startswith=root_path).values("unit_id")
    out = MemberCounts()
    for kind, n in (
        MemberCount.objects.filter(valid_on(day), unit_id__in=units)
        .values_list("kind")
        .annotate(total=Sum("n"))
        .order_by()
    ):
        setattr(out, kind, n)
    return out


def unit_member_counts_on_days(unit_ids, days: list[date]) -> dict[date, dict[int, MemberCounts]]:
    """unit_member_counts for several days at once (the month ends of a trend
    chart): {day: {unit id: counts}}, in one query."""
    if not days:
        return {}
    out: dict[date, dict[int, MemberCounts]] = {d: {} for d in days}
    rows = (
        MemberCount.objects.filter(unit_id__in=unit_ids, valid_from__lte=max(days))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=min(days)))
        .values_list("unit_id", "kind", "n", "valid_from", "valid_to")
    )
    for unit_id, kind, n, a, b in rows:
        for d in days:
            if a <= d and (b is None or b > d):
                counts = out[d].get(unit_id)
                if counts is None:
                    counts = out[d][unit_id] = MemberCounts()
                setattr(counts, kind, n)
    return out


def subtree_trend(unit: Unit, days: list[date]) -> list[tuple[date, MemberCounts | None]]:
    """[(day, members of the unit's whole subtree that day)] for the month
    ends of a trend, as the history says (the subtree as it stood on each
    day; None where the unit did not exist): one aggregate query over the
    maintained counts, whatever the number of days and units."""
    if not days:
        return []
    first, last = min(days), max(days)
    version = unit_version_on(unit, last)
    if version is not None:
        # The usual case: the subtree did not change in the period (no unit
        # version under it began or ended then, the unit's own included), so
        # one scan of its units' counts answers every day.
        changed = (
            UnitVersion.objects.filter(Q(path__startswith=version.path) | Q(unit=unit))
            .filter(
                Q(valid_from__gt=first, valid_from__lte=last)
                | Q(valid_to__gt=first, valid_to__lte=last)
            )
            .exists()
        )
        if not changed:
            return _steady_subtree_trend(version.path, days)
    v, c = UnitVersion._meta.db_table, MemberCount._meta.db_table
    values = ", ".join(["(%s)"] * len(days))
    sql = f"""
        WITH d(day) AS (VALUES {values})
        SELECT d.day, c.kind, SUM(c.n)
        FROM d
        JOIN {v} r ON r.unit_id = %s
             AND r.valid_from <= d.day AND (r.valid_to IS NULL OR r.valid_to > d.day)
        LEFT JOIN {v} v ON v.path LIKE r.path || '%%'
             AND v.valid_from <= d.day AND (v.valid_to IS NULL OR v.valid_to > d.day)
        LEFT JOIN {c} c ON c.unit_id = v.unit_id
             AND c.valid_from <= d.day AND (c.valid_to IS NULL OR c.valid_to > d.day)
        GROUP BY d.day, c.kind
    """
    found: dict[date, MemberCounts] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*days, unit.pk])
        for day, kind, n in cursor.fetchall():
            day = day if isinstance(day, date) else date.fromisoformat(str(day)[:10])
            counts = found.setdefault(day, MemberCounts())
            if kind is not None:
                setattr(counts, kind, int(n))
    return [(d, found.get(d)) for d in days]


def _steady_subtree_trend(path: str, days: list[date]) -> list[tuple[date, MemberCounts]]:
    """subtree_trend for a subtree that stood unchanged over the days: one
    pass over its units' counts, a sum per day."""
    units = UnitVersion.objects.filter(valid_on(max(days)), path__startswith=path).values("unit_id")
    sums = {
        f"d{i}": Sum(
            Case(
                When(
                    Q(valid_from__lte=d) & (Q(valid_to__isnull=True) | Q(valid_to__gt=d)), then="n"
                ),
                default=0,
            )
        )
        for i, d in enumerate(days)
    }
    rows = (
        MemberCount.objects.filter(unit_id__in=units, valid_from__lte=max(days))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=min(days)))
        .values("kind")
        .annotate(**sums)
        .order_by()
    )
    out = [MemberCounts() for _ in days]
    for row in rows:
        for i in range(len(days)):
            setattr(out[i], row["kind"], row[f"d{i}"] or 0)
    return list(zip(days, out, strict=True))


def member_counts_on(unit_ids, day: date) -> dict[int, int]:
    """{unit id: members (probationary + official) placed permanently in it on
    `day`}, in one query (unit_member_counts). `unit_ids` may be a list or a
    subquery."""
    return {unit_id: c.total for unit_id, c in unit_member_counts(unit_ids, day).items() if c.total}


def history_member_counts_on(day: date, unit_ids=None) -> dict[tuple[int, str], int]:
    """{(unit id, kind): n} on `day` computed from the histories themselves
    (placement, status and exemption rows in force that day), not from the
    maintained counts: what `manage.py verify_counts` holds them against.
    Two queries."""
    placements = Placement.objects.filter(valid_on(day), kind=PlacementKind.PERMANENT)
    if unit_ids is not None:
        placements = placements.filter(unit_id__in=unit_ids)
    status_then = StatusPeriod.objects.filter(
        valid_on(day), member_id=OuterRef("member_id"), status__in=MEMBER_STATUSES
    ).values("status")[:1]
    exempt_then = Exemption.objects.filter(valid_on(day), member_id=OuterRef("member_id"))
    counted = placements.annotate(status_then=Subquery(status_then)).filter(
        status_then__isnull=False
    )
    out: dict[tuple[int, str], int] = {}
    for unit_id, status, n in (
        counted.values_list("unit_id", "status_then").annotate(n=Count("id")).order_by()
    ):
        out[(unit_id, status)] = n
    for unit_id, n in (
        counted.filter(Exists(exempt_then))
        .values_list("unit_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        out[(unit_id, MemberCount.Kind.EXEMPT)] = n
    return out


def subtree_member_count_on(unit: Unit, day: date) -> int | None:
    """Members in `unit`'s subtree on `day`, as the history says (None if the
    unit did not exist then). Two queries."""
    version = unit_version_on(unit, day)
    if version is None:
        return None
    ids = UnitVersion.objects.filter(valid_on(day), path__startswith=version.path).values("unit_id")
    return sum(member_counts_on(ids, day).values())


def tree_on(day: date, *, root: Unit | None = None, user=None) -> list[TreeNode]:
    """The tree as it was on `day` (organizations.selectors.unit_tree_on), each
    node with its members then, its own and its whole subtree's, counted by
    member_counts_on. Three queries whatever the size (the as-of page uses it)."""
    return unit_tree_on(day, root=root, user=user, own_members=member_counts_on)


@dataclass
class CellMemberOn:
    """A member of a cell on a given day, as the history says."""

    member: Member
    status: str  # probationary / official on that day
    placement: Placement
    exempt: bool  # miễn sinh hoạt on that day
    away: Placement | None  # temporary placement at another cell on that day


def members_on(unit: Unit, day: date, *, subtree: bool = False) -> list[CellMemberOn]:
    """The party members (probationary or official) permanently placed in
    `unit` (or its subtree) on `day`, from the placement and status histories,
    with whether each was exempt or away on a temporary transfer then.
    Temporary members hosted by the unit are not included (they are not
    counted in the host's figures). Four queries whatever the size."""
    unit_q = Q(unit__path__startswith=unit.path) if subtree else Q(unit=unit)
    placed = Placement.objects.filter(unit_q, valid_on(day), kind=PlacementKind.PERMANENT)
    placements = list(placed.select_related("member"))
    ids = [p.member_id for p in placements]
    if subtree:  # a subquery, not a list of ids: a province's day is 100,000 (twice as fast)
        ids = placed.values("member_id")
    statuses = dict(
        StatusPeriod.objects.filter(
            valid_on(day), member_id__in=ids, status__in=MEMBER_STATUSES
        ).values_list("member_id", "status")
    )
    exempt = set(
        Exemption.objects.filter(valid_on(day), member_id__in=ids).values_list(
            "member_id", flat=True
        )
    )
    away = {
        p.member_id: p
        for p in Placement.objects.filter(
            valid_on(day), member_id__in=ids, kind=PlacementKind.TEMPORARY
        ).select_related("unit")
    }
    rows = [
        CellMemberOn(
            member=p.member,
            status=statuses[p.member_id],
            placement=p,
            exempt=p.member_id in exempt,
            away=away.get(p.member_id),
        )
        for p in placements
        if p.member_id in statuses
    ]
    rows.sort(key=lambda r: r.member.sort_key)
    return rows


def count_members_on(unit: Unit, day: date) -> int:
    """Members (probationary + official) placed permanently in `unit`'s subtree on `day`."""
    member_ids = Placement.objects.filter(
        valid_on(day), unit__path__startswith=unit.path, kind=PlacementKind.PERMANENT
    ).values("member_id")
    return StatusPeriod.objects.filter(
        valid_on(day), member_id__in=member_ids, status__in=MEMBER_STATUSES
    ).count()


def member_for_user_or_404(user, pk) -> Member:
    """A member whose dossier the user may read: their cell is in the user's reach."""
    try:
        return members_for(user).select_related("unit").get(pk=pk)
    except (Member.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Không tìm thấy đảng viên.") from exc


def keeps_members(user) -> bool:
    """Office staff and administrators keep the members (due lists, imports)."""
    return sees_everything(user) or bool(role_paths(user, (Role.Kind.ADMIN, Role.Kind.STAFF)))


def may_edit_member(user, member: Member) -> bool:
    """Office staff and administrators above the member's cell; not a cell
    secretary (their routine data is meetings), not a reviewer."""
    return member.unit is not None and can_edit(user, member.unit)


# --- Due lists (members/rules.py) ------------------------------------------------


def _live(user) -> QuerySet[Member]:
    return members_for(user).filter(status__in=MEMBER_STATUSES)


def probation_due(user, day: date) -> list[Member]:
    """Probationary members whose twelve months end within 30 days of `day` or
    have passed without a decision, the most overdue first; each with
    `.probation_ends_on` and `.overdue`."""
    cutoff = add_months(day + timedelta(days=PROBATION_WARNING_DAYS), -12)
    rows = list(
        members_for(user)
        .filter(status=Status.PROBATIONARY)
        .annotate(start=Coalesce("probation_from", "admitted_on"))
        .filter(start__lte=cutoff)
        .select_related("unit")
        .order_by("start", "sort_key")
    )
    for m in rows:
        m.probation_ends_on = probation_ends_on(m.start)
        m.overdue = m.probation_ends_on <= day
    return rows


def badges_due(user, year: int) -> QuerySet[Member]:
    """Members reaching 30, 40, 45, ... 90 years of party age during `year`
    (see with_badge_years for the badge each reaches)."""
    return (
        _live(user)
        .filter(admitted_on__year__in=[year - y for y in BADGE_YEARS])
        .select_related("unit")
        .order_by("admitted_on", "sort_key")
    )


def with_badge_years(members, year: int):
    """Each member's milestone of `year` and whether its badge is recorded (one query)."""
    members = list(members)
    given = set(
        Badge.objects.filter(member__in=[m.pk for m in members]).values_list("member_id", "years")
    )
    for m in members:
        m.badge_years = year - m.admitted_on.year
        m.badge_given = (m.pk, m.badge_years) in given
    return members


def exemption_due(user, day: date) -> QuerySet[Member]:
    """Members old enough to be exempted (men over 60, women over 55) who are
    not exempt yet."""
    return (
        _live(user)
        .filter(is_exempt=False)
        .filter(
            Q(gender="M", birth_date__lte=exemption_latest_birth("M", day))
            | Q(gender="F", birth_date__lte=exemption_latest_birth("F", day))
        )
        .select_related("unit")
        .order_by("birth_date", "sort_key")
    )


def due_counts(user, day: date) -> dict[str, int]:
    """How many are in each due list, for the home page: one scan."""
    cutoff = add_months(day + timedelta(days=PROBATION_WARNING_DAYS), -12)
    old_enough = Q(gender="M", birth_date__lte=exemption_latest_birth("M", day)) | Q(
        gender="F", birth_date__lte=exemption_latest_birth("F", day)
    )
    return (
        _live(user)
        .annotate(start=Coalesce("probation_from", "admitted_on"))
        .aggregate(
            probation=Count("id", filter=Q(status=Status.PROBATIONARY, start__lte=cutoff)),
            badges=Count("id", filter=Q(admitted_on__year__in=[day.year - y for y in BADGE_YEARS])),
            exemption=Count("id", filter=Q(is_exempt=False) & old_enough),
        )
    )


# --- A member's story --------------------------------------------------------------


@dataclass
class TimelineEvent:
    day: date
    title: str
    detail: str = ""
    until: date | None = None
    by: object = None  # who recorded it
    # written from a dossier's dates when it was imported, not a decision
    # recorded in chibo (members.choices.RECONSTRUCTED): "theo dữ liệu nhập"
    reconstructed: bool = False


def _reconstructed(text: str) -> tuple[str, bool]:
    """(the rest of a note, whether it marks a reconstructed row)."""
    mark = str(RECONSTRUCTED)
    if text == mark:
        return "", True
    if text.startswith(mark + ": "):
        return text[len(mark) + 2 :], True
    return text, False


def member_timeline(member: Member) -> list[TimelineEvent]:
    """Everything that happened to the member, in date order, from the
    histories (status, placements, exemptions, discipline, candidacy,
    residence contact, dated profile changes): seven queries."""
    events: list[TimelineEvent] = []
    for c in Candidacy.objects.filter(member=member).select_related(
        "helper_1", "helper_2", "created_by"
    ):
        events.append(
            TimelineEvent(
                c.proposed_on,
                _("Đề nghị kết nạp"),
                _("Người giúp đỡ: %(a)s, %(b)s") % {"a": c.helper_1, "b": c.helper_2},
                by=c.created_by,
            )
        )
    for p in member.status_periods.select_related("created_by"):
        note, past = _reconstructed(p.note)
        detail = " · ".join(x for x in (p.decision_number, note) if x)
        events.append(
            TimelineEvent(
                p.valid_from, p.get_status_display(), detail, p.valid_to, p.created_by, past
            )
        )
    for p in member.placements.select_related("unit", "created_by"):
        title = (
            _("Sinh hoạt tại %(unit)s")
            if p.kind == PlacementKind.PERMANENT
            else _("Sinh hoạt tạm thời tại %(unit)s")
        ) % {"unit": p.unit.name}
        reason, past = _reconstructed(p.reason)
        scope = [
            _("chuyển đến từ: %(kind)s") % {"kind": p.get_arrived_from_display()}
            if p.arrived_from
            else "",
            _("chuyển đi: %(kind)s") % {"kind": p.get_left_to_display()} if p.left_to else "",
        ]
        detail = " · ".join(x for x in (reason, p.decision_number, *scope) if x)
        events.append(TimelineEvent(p.valid_from, title, detail, p.valid_to, p.created_by, past))
    for c in member.profile_changes.select_related("created_by"):
        field = Member._meta.get_field(c.field)
        old = _display(field, profile_value(c.field, c.previous))
        new = _display(field, profile_value(c.field, c.value))
        events.append(
            TimelineEvent(
                c.changed_on,
                _("Thay đổi %(field)s: %(old)s → %(new)s")
                % {"field": field.verbose_name, "old": old, "new": new},
                c.note,
                by=c.created_by,
            )
        )
    for e in member.exemptions.select_related("created_by"):
        note, past = _reconstructed(e.note)
        events.append(
            TimelineEvent(
                e.valid_from,
                _("Miễn công tác và sinh hoạt đảng"),
                " · ".join(x for x in (str(e.get_reason_display()), note) if x),
                e.valid_to,
                e.created_by,
                past,
            )
        )
    for d in Discipline.objects.filter(member=member).select_related("created_by"):
        events.append(
            TimelineEvent(
                d.decided_on,
                _("Kỷ luật: %(form)s") % {"form": d.get_form_display()},
                d.fault + (" · " + _("tự giác nhận khuyết điểm") if d.self_reported else ""),
                by=d.created_by,
            )
        )
    for r in ResidenceContact.objects.filter(member=member).select_related("unit", "created_by"):
        events.append(
            TimelineEvent(
                r.valid_from,
                _("Liên hệ nơi cư trú: %(unit)s") % {"unit": r.unit.name},
                r.address,
                r.valid_to,
                r.created_by,
            )
        )
    events.sort(key=lambda e: e.day)
    return events


CACHE_FIELDS = ["unit", "status", "is_exempt"]


@dataclass
class DossierChange:
    at: object
    user: object
    reason: str
    changes: list  # (field label, old, new)


def dossier_changes(member: Member, *, revealed: bool = False) -> list[DossierChange]:
    """Who changed what in the confidential dossier, when, and the previous
    value, newest first (from django-simple-history). CCCD and card numbers
    masked unless `revealed` (chibo/masking.py)."""
    records = list(
        member.history.select_related("history_user").order_by("history_date", "history_id")
    )
    out: list[DossierChange] = []
    for prev, rec in zip([None, *records], records, strict=False):
        if prev is None:
            out.append(
                DossierChange(
                    rec.history_date,
                    rec.history_user,
                    rec.history_change_reason or _t("Nhập hồ sơ"),
                    [],
                )
            )
            continue
        # The cached current cell / status / exemption are written by the
        # lifecycle services without a dossier version; their history (with
        # its author) is the timeline, so the diff would only misattribute them.
        delta = rec.diff_against(prev, excluded_fields=CACHE_FIELDS)
        changes = []
        for c in delta.changes:
            field = Member._meta.get_field(c.field)
            old, new = _display(field, c.old), _display(field, c.new)
            if c.field in ("national_id", "card_number") and not revealed:
                old, new = mask(c.old) or old, mask(c.new) or new
            changes.append((field.verbose_name, old, new))
        if changes:
            out.append(
                DossierChange(
                    rec.history_date, rec.history_user, rec.history_change_reason or "", changes
                )
            )
    out.reverse()
    return out


def _display(field, value) -> str:
    if value in (None, ""):
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _t("Có") if value else _t("Không")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if field.is_relation:
        unit = Unit.objects.filter(pk=value).first()
        return unit.name if unit else str(value)
    return str(value)


# --- Residence contact (Quy định 213-QĐ/TW) ---------------------------------------------


def residence_contacts_of(unit: Unit, day: date) -> list:
    """Members keeping contact with `unit` (their residence cell) on `day`, each
    with `.comments` and their last twelve monthly evaluations: three queries."""
    contacts = list(
        ResidenceContact.objects.filter(valid_on(day), unit=unit)
        .select_related("member", "member__unit")
        .order_by("member__sort_key")
    )
    ids = [c.member_id for c in contacts]
    comments: dict[int, list] = {}
    for row in ResidenceComment.objects.filter(contact__in=contacts).order_by("-year"):
        comments.setdefault(row.contact_id, []).append(row)
    evaluations: dict[int, list] = {}
    for row in CivilServantEvaluation.objects.filter(member_id__in=ids).order_by("-month"):
        evaluations.setdefault(row.member_id, []).append(row)
    for c in contacts:
        c.comment_rows = comments.get(c.pk, [])
        c.evaluation_rows = evaluations.get(c.member_id, [])[:12]
    return contacts


# --- The member list ------------------------------------------------------------------

# Age bands of the list filter: (code, label, youngest, oldest) in whole years.
AGE_BANDS = [
    ("u30", _l("Dưới 30 tuổi"), 0, 29),
    ("30_45", _l("30–45 tuổi"), 30, 45),
    ("46_60", _l("46–60 tuổi"), 46, 60),
    ("61_75", _l("61–75 tuổi"), 61, 75),
    ("o75", _l("Trên 75 tuổi"), 76, 200),
]
# The status filter: the default is the party members on the roll now.
STATUS_CURRENT = ""
STATUS_ANY = "all"


def member_list(
    user,
    *,
    q: str = "",
    unit: Unit | None = None,
    status: str = STATUS_CURRENT,
    gender: str = "",
    age_band: str = "",
    category: str = "",
    civil_servant: bool | None = None,
    exempt: bool | None = None,
    day: date | None = None,
) -> QuerySet[Member]:
    """The members the user may see, filtered, in Vietnamese name order.

    The search ignores case and diacritics ("nguyen van an" finds "Nguyễn Văn
    An") by matching the folded query against the stored folded name; digits
    also match the card number and national ID. On PostgreSQL a trigram index
    serves the substring search (members migration 0004).
    """
    day = day or date.today()
    qs = members_for(user).select_related("unit")
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if status == STATUS_CURRENT:
        qs = qs.filter(status__in=MEMBER_STATUSES)
    elif status != STATUS_ANY:
        qs = qs.filter(status=status)
    if gender:
        qs = qs.filter(gender=gender)
    for code, _label, youngest, oldest in AGE_BANDS:
        if code == age_band:
            qs = qs.filter(
                birth_date__lte=years_before(day, youngest),
                birth_date__gt=years_before(day, oldest + 1),
            )
    if category:
        qs = qs.filter(unit__category=category)
    if civil_servant is not None:
        qs = qs.filter(is_civil_servant=civil_servant)
    if exempt is not None:
        qs = qs.filter(is_exempt=exempt)
    needle = fold(q)
    if needle.isdigit():
        qs = qs.filter(
            Q(card_number__startswith=needle)
            | Q(national_id__startswith=needle)
            | Q(dossier_number__contains=needle)
        )
    elif needle:
        qs = qs.filter(search_name__contains=needle)
    return qs.order_by("sort_key", "id")


def membership_in_cell(member_ids, unit: Unit, start: date, end: date) -> dict[int, list[tuple]]:
    """{member id: [(from, to exclusive or None), ...]}: the periods within
    [start, end] in which each was a party member (probationary or official:
    not yet a candidate, not yet gone) placed permanently in `unit`. What a
    cell may hold against a member, dues or absences, covers only these.
    Two queries."""
    placements = Placement.objects.filter(
        member_id__in=member_ids, unit=unit, kind=PlacementKind.PERMANENT, valid_from__lte=end
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=start))
    statuses = StatusPeriod.objects.filter(
        member_id__in=member_ids, status__in=MEMBER_STATUSES, valid_from__lte=end
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=start))
    member_periods: dict[int, list[tuple]] = {}
    for member_id, a, b in statuses.values_list("member_id", "valid_from", "valid_to"):
        member_periods.setdefault(member_id, []).append((a, b))
    out: dict[int, list[tuple]] = {}
    for member_id, a, b in placements.values_list("member_id", "valid_from", "valid_to"):
        for c, d in member_periods.get(member_id, []):
            lo = max(a, c)
            hi = b if d is None else (d if b is None else min(b, d))
            if hi is None or hi > lo:
                out.setdefault(member_id, []).append((lo, hi))
    return out


def in_periods(periods: list[tuple], day: date) -> bool:
    return any(a <= day and (b is None or b > day) for a, b in periods)


# --- The counted profile as of a date (members.models.ProfileChange) ----------


def profile_on(day: date, members=None) -> dict[int, dict[str, object]]:
    """The counted profile fields whose value on `day` differs from the
    member's current one: {member_id: {field: value on day}}. A member (or a
    field) missing from the answer had on `day` the value Member holds now.

    One query over the changes after `day` (few: most levels never change), so
    a form can count the current columns in SQL and correct the figures with
    this; `members` (ids or a queryset) narrows it."""
    changes = ProfileChange.objects.filter(changed_on__gt=day)
    if members is not None:
        changes = changes.filter(member__in=members)
    result: dict[int, dict[str, object]] = {}
    rows = changes.order_by("member_id", "field", "changed_on", "pk").values_list(
        "member_id", "field", "previous"
    )
    for member_id, field, previous in rows:
        values = result.setdefault(member_id, {})
        if field not in values:  # the first change after the day holds the value of the day
            values[field] = profile_value(field, previous)
    return result


def member_profile_on(member: Member, day: date) -> dict[str, object]:
    """Every counted profile field of one member as it was on `day`."""
    values = {f: getattr(member, f) for f in DATED_PROFILE_FIELDS}
    values.update(profile_on(day, [member.pk]).get(member.pk, {}))
    return values
