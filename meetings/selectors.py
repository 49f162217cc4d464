"""Reads of meetings, scoped to the user through organizations.selectors.

The tracker aggregates in the database: one grouped query over meetings for
the cells on screen and one for the whole scope's totals, whatever the
number of cells.
"""

from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.lookups import LessThan
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.dates import dmy, in_words, month_shift
from chibo.text import fold
from documents.header import locality_of, signer_on
from meetings import rules
from meetings.models import (
    REGULAR_KINDS,
    THEMATIC_KINDS,
    Attendance,
    AttendanceStatus,
    Guest,
    Meeting,
    MeetingBody,
    MeetingKind,
)
from members.choices import MEMBER_STATUSES, PlacementKind
from members.models import Exemption, Member, Placement, StatusPeriod
from members.selectors import CellMemberOn, members_on
from organizations.models import CELL_LEVELS, Body, Position, Role, Seat, Unit, valid_on
from organizations.selectors import role_paths, scope_q, units_for


def meetings_for(user) -> QuerySet[Meeting]:
    """Meetings of the units the user may see."""
    if not getattr(user, "is_authenticated", False):
        return Meeting.objects.none()
    return Meeting.objects.filter(scope_q(user, "unit__path"))


def meeting_for_user_or_404(user, pk) -> Meeting:
    try:
        return meetings_for(user).select_related("unit").get(pk=pk)
    except (Meeting.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Không tìm thấy cuộc sinh hoạt.") from exc


def committee_members_on(unit: Unit, day: date, body: str | None = None) -> list[CellMemberOn]:
    """Members holding a seat in `unit`'s committee on `day` (any body, or
    only `body`, e.g. a cell's chi ủy), with their status, exemption and
    temporary transfer then; four queries."""
    seats = Seat.objects.filter(valid_on(day), unit=unit).select_related("member")
    if body is not None:
        seats = seats.filter(body=body)
    members = {s.member_id: s.member for s in seats}
    statuses = dict(
        StatusPeriod.objects.filter(
            valid_on(day), member_id__in=members, status__in=MEMBER_STATUSES
        ).values_list("member_id", "status")
    )
    exempt = set(
        Exemption.objects.filter(valid_on(day), member_id__in=members).values_list(
            "member_id", flat=True
        )
    )
    placements = {}
    away = {}
    for p in Placement.objects.filter(valid_on(day), member_id__in=members).select_related("unit"):
        (away if p.kind == PlacementKind.TEMPORARY else placements)[p.member_id] = p
    rows = [
        CellMemberOn(
            member=m,
            status=statuses[pk],
            placement=placements.get(pk),
            exempt=pk in exempt,
            away=away.get(pk),
        )
        for pk, m in members.items()
        if pk in statuses
    ]
    rows.sort(key=lambda r: r.member.sort_key)
    return rows


def has_cell_committee_on(unit: Unit, day: date) -> bool:
    """Whether the cell has a cell committee (chi ủy) on `day`: someone holds a
    seat in it then (Điều lệ, Điều 24: a cell of 9 or more official members
    elects one)."""
    return (
        unit.is_cell
        and Seat.objects.filter(valid_on(day), unit=unit, body=Body.CELL_COMMITTEE).exists()
    )


def ever_had_cell_committee(unit: Unit) -> bool:
    """Whether the meeting form offers “Họp chi ủy”: the exact date is checked
    by meeting_create, since the form does not know it before it is posted."""
    return unit.is_cell and Seat.objects.filter(unit=unit, body=Body.CELL_COMMITTEE).exists()


def member_names(unit: Unit, day: date) -> list[str]:
    """The names the meeting form offers for its chair and secretary: the
    cell's members on `day` (a committee's seat holders), in name order."""
    rows = members_on(unit, day) if unit.is_cell else committee_members_on(unit, day)
    return [r.member.full_name for r in rows]


def recent_meetings(unit: Unit, limit: int = 6) -> list[Meeting]:
    return list(unit.meetings.order_by("-held_on", "-pk")[:limit])


def _named(text: str, signer: dict, deputy: str) -> str:
    """A chair recorded by position only ("Bí thư chi bộ", from before the form
    asked for a name) is the holder of that seat on the meeting date."""
    if not rules.is_title_only(text):
        return text
    if "pho" in fold(text).split() and deputy:
        return deputy
    if fold(text).startswith("bi thu") and signer["title"] == "BÍ THƯ" and signer["name"]:
        return signer["name"]
    return text


def _deputy_on(unit: Unit, day: date) -> str:
    seat = (
        Seat.objects.filter(
            valid_on(day),
            unit=unit,
            position__in=(Position.STANDING_DEPUTY, Position.DEPUTY_SECRETARY),
        )
        .select_related("member")
        .order_by("position", "member__sort_key")
        .first()
    )
    return seat.member.full_name if seat else ""


def _vote_line(v) -> dict:
    counted = v.denominator
    return {
        "subject": v.subject,
        "kind_label": str(v.get_kind_display()),
        "yes": v.yes,
        "no": v.no,
        "abstain": v.abstain,
        "denominator": counted,
        "needed": v.needed,
        "passed": v.passed,
        "yes_percent": percent_text(v.yes, counted),
        "result": str(_("Thông qua") if v.passed else _("Không thông qua")),
    }


def percent_text(part: int, whole: int) -> str:
    """ "93,3%": one decimal, Vietnamese comma; "" for an empty whole."""
    if not whole:
        return ""
    return f"{100 * part / whole:.1f}".replace(".", ",").replace(",0", "") + "%"


def minutes_content(meeting: Meeting) -> dict:
    """What the minutes say, as display-ready text: the same dict renders the
    page, the PDF and the frozen snapshot of each adopted version."""
    parent, place_name = locality_of(meeting.unit)
    rows = list(meeting.attendance.select_related("member").order_by("member__sort_key"))
    figures = rules.attendance_figures(rows)
    labels = dict(AttendanceStatus.choices)
    attendance = [
        {
            "name": a.member.full_name,
            "status": a.status,
            "status_label": str(labels[a.status]),
            "reason": a.reason,
            "official": a.official,
        }
        for a in rows
    ]
    summoned = figures["summoned"]
    signer = signer_on(
        meeting.unit, meeting.held_on, cell_committee=meeting.body == MeetingBody.CELL_COMMITTEE
    )
    deputy = _deputy_on(meeting.unit, meeting.held_on)
    chair = _named(meeting.chair, signer, deputy)
    secretary = _named(meeting.secretary, signer, deputy)
    return {
        "unit": meeting.unit.name,
        "parent": parent.name if parent else "",
        "number": meeting.number,
        "place_name": place_name,
        "date_words": in_words(meeting.held_on),
        "kind": meeting.kind,
        "kind_label": meeting.title_label,
        "body": meeting.body,
        "period": meeting.month.strftime("%m/%Y"),
        "held_on": dmy(meeting.held_on),
        "starts_at": meeting.starts_at.strftime("%H:%M"),
        "ends_at": meeting.ends_at.strftime("%H:%M"),
        "duration": meeting.duration_minutes,
        "place": meeting.place,
        "chair": chair,
        "secretary": secretary,
        "signer": signer,
        # names the documents print but the records do not give (no bí thư on
        # the date, a chair recorded by position only): the page asks for them
        "missing_names": [
            label
            for label, name in (
                (str(_("người chủ trì")), None if rules.is_title_only(chair) else chair),
                (str(_("thư ký")), None if rules.is_title_only(secretary) else secretary),
                (str(_("bí thư ký thay mặt")), signer["name"]),
            )
            if not name
        ],
        "thematic_subject": meeting.thematic_subject,
        "agenda": meeting.agenda,
        "documents": meeting.documents,
        "documents_sent_on": dmy(meeting.documents_sent_on) if meeting.documents_sent_on else "",
        "opening": meeting.opening,
        "last_month_review": meeting.last_month_review,
        "next_month_tasks": meeting.next_month_tasks,
        "conclusions": meeting.conclusions,
        "resolution_text": meeting.resolution_text,
        "figures": figures,
        "percent": round(100 * figures["present"] / summoned, 1) if summoned else None,
        "attendance": attendance,
        "absentees": [a for a in attendance if a["status"] != AttendanceStatus.PRESENT],
        "guests": [
            {"name": g.name, "title": g.title, "follows_cell": g.follows_cell}
            for g in meeting.guests.all()
        ],
        "votes": [_vote_line(v) for v in meeting.votes.all()],
    }


# --- The tracker -----------------------------------------------------------------


def _short_q() -> Q:
    """Meetings shorter than the minimum of the rule set in force on their date."""
    q = Q(pk__in=[])
    sets = rules.RULE_SETS
    for i, rs in enumerate(sets):
        in_force = Q(held_on__gte=rs.valid_from)
        if i + 1 < len(sets):
            in_force &= Q(held_on__lt=sets[i + 1].valid_from)
        if rs.min_minutes_regular is not None:
            q |= (
                in_force
                & Q(kind__in=[MeetingKind.REGULAR, MeetingKind.THEMATIC])
                & Q(duration_minutes__lt=rs.min_minutes_regular)
            )
        if rs.min_minutes_combined is not None:
            q |= (
                in_force
                & Q(kind=MeetingKind.COMBINED)
                & Q(duration_minutes__lt=rs.min_minutes_combined)
            )
    return q


def _low_attendance_q() -> Q:
    """Meetings whose attendance is under the target of the cell's category."""
    whens = [
        When(unit__category=category, then=Value(int(target * 100)))
        for category, target in rules.ATTENDANCE_TARGETS.items()
    ]
    target = Case(
        *whens,
        default=Value(int(rules.DEFAULT_ATTENDANCE_TARGET * 100)),
        output_field=IntegerField(),
    )
    return Q(attendance_taken=True, summoned_count__gt=0) & Q(
        LessThan(F("present_count") * 100, F("summoned_count") * target)
    )


def _documents_late_q() -> Q:
    """Meetings whose documents reached the members less than a day before
    (Hướng dẫn 42-HD/BTCTW; rules.documents_sent_late)."""
    return Q(
        held_on__gte=rules.DOCUMENTS_RULE_FROM,
        documents_sent_on__isnull=False,
        # less than DOCUMENTS_DAYS_BEFORE (1) day before: sent on the day or later
        documents_sent_on__gte=F("held_on"),
    )


def _in_year(year: int) -> dict:
    """A range on `month` (an index can serve it; month__year cannot)."""
    return {"month__gte": date(year, 1, 1), "month__lte": date(year, 12, 1)}


def _followed_q() -> Q:
    """Meetings attended by the superior committee member who follows the cell
    (seed 004: at least once a quarter)."""
    return Q(Exists(Guest.objects.filter(meeting=OuterRef("pk"), follows_cell=True)))


def _month_aggregates(meetings: QuerySet[Meeting]):
    return (
        meetings.values("unit_id", "month")
        .order_by()
        .annotate(
            regular=Count("pk", filter=Q(kind__in=REGULAR_KINDS)),
            first_regular=Min("held_on", filter=Q(kind__in=REGULAR_KINDS)),
            thematic=Count("pk", filter=Q(kind__in=THEMATIC_KINDS)),
            short=Count("pk", filter=_short_q()),
            low=Count("pk", filter=_low_attendance_q()),
            docs_late=Count("pk", filter=_documents_late_q()),
            followed=Count("pk", filter=_followed_q()),
        )
    )


@dataclass
class MonthState:
    month: date
    state: str  # held, late, missing, pending, future, inactive
    held_on: date | None = None
    thematic: int = 0
    short: int = 0
    low: int = 0
    docs_late: int = 0
    followed: int = 0

    LABELS = {
        "held": "✓",
        "late": "T",
        "missing": "✗",
        "pending": "…",
        "future": "",
        "inactive": "–",
    }

    @property
    def symbol(self) -> str:
        return self.LABELS[self.state]


@dataclass
class TrackerRow:
    unit: Unit
    months: list[MonthState]
    thematic_by_quarter: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    quarters: list[tuple[int, str]] = field(default_factory=list)  # (thematic, flag)
    followed_by_quarter: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    followed_quarters: list[tuple[int, str]] = field(default_factory=list)  # (meetings, flag)

    @property
    def missing(self) -> int:
        return sum(1 for m in self.months if m.state == "missing")

    @property
    def late(self) -> int:
        return sum(1 for m in self.months if m.state == "late")

    @property
    def short(self) -> int:
        return sum(m.short for m in self.months)

    @property
    def low(self) -> int:
        return sum(m.low for m in self.months)

    def quarter_flags(self, today: date, year: int, counts: list[int] | None = None) -> list[str]:
        """Per quarter: ok, missing (ended with none of `counts`, by default
        thematic meetings), open, future."""
        out = []
        for q, n in enumerate(self.thematic_by_quarter if counts is None else counts):
            start = date(year, 3 * q + 1, 1)
            end = date(year, 3 * q + 3, monthrange(year, 3 * q + 3)[1])
            if n:
                out.append("ok")
            elif self.unit.founded_on > end or (
                self.unit.dissolved_on and self.unit.dissolved_on <= start
            ):
                out.append("inactive")
            elif end < today:
                out.append("missing")
            elif start <= today:
                out.append("open")
            else:
                out.append("future")
        return out


def _month_state(unit: Unit, month: date, agg: dict | None, today: date) -> MonthState:
    end = month.replace(day=monthrange(month.year, month.month)[1])
    if unit.founded_on > end or (unit.dissolved_on and unit.dissolved_on <= month):
        state = "inactive"
    elif agg and agg["regular"]:
        held = agg["first_regular"]
        state = "late" if (held.year, held.month) > (month.year, month.month) else "held"
    elif month > today:
        state = "future"
    elif end >= today:
        state = "pending"  # the month is not over yet
    else:
        state = "missing"
    ms = MonthState(month=month, state=state)
    if agg:
        ms.held_on = agg["first_regular"]
        ms.thematic, ms.short, ms.low = agg["thematic"], agg["short"], agg["low"]
        ms.docs_late = agg["docs_late"]
        ms.followed = agg["followed"]
    return ms


def tracker_cells(user, root: Unit, year: int) -> QuerySet[Unit]:
    """The cells under `root` the user may see, alive at some time in `year`."""
    return (
        units_for(user)
        .filter(
            path__startswith=root.path, level__in=CELL_LEVELS, founded_on__lte=date(year, 12, 31)
        )
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=date(year, 1, 1)))
        .order_by("path")
    )


def tracker_rows(cells: list[Unit], year: int, today: date | None = None) -> list[TrackerRow]:
    """The month-by-cell grid for `cells` (one grouped query)."""
    today = today or timezone.localdate()
    aggs: dict[tuple[int, date], dict] = {}
    if cells:
        # the cell's own meetings: its committee's monthly meeting is not the cell's
        meetings = Meeting.objects.filter(
            unit_id__in=[c.pk for c in cells], body=MeetingBody.UNIT, **_in_year(year)
        )
        for a in _month_aggregates(meetings):
            aggs[(a["unit_id"], a["month"])] = a
    rows = []
    for cell in cells:
        months = [
            _month_state(cell, date(year, m, 1), aggs.get((cell.pk, date(year, m, 1))), today)
            for m in range(1, 13)
        ]
        row = TrackerRow(unit=cell, months=months)
        for ms in months:
            row.thematic_by_quarter[(ms.month.month - 1) // 3] += ms.thematic
            row.followed_by_quarter[(ms.month.month - 1) // 3] += ms.followed
        row.quarters = list(
            zip(row.thematic_by_quarter, row.quarter_flags(today, year), strict=True)
        )
        # seed 004: the superior committee member following the cell attends
        # its meetings at least once a quarter
        row.followed_quarters = list(
            zip(
                row.followed_by_quarter,
                row.quarter_flags(today, year, row.followed_by_quarter),
                strict=True,
            )
        )
        rows.append(row)
    return rows


def _index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _months_due(founded: date, dissolved: date | None, year: int, today: date) -> int:
    """Months of `year` that ended before `today` while the cell existed
    (founded by the month's last day, not dissolved by its first)."""
    first = max(_index(date(year, 1, 1)), _index(founded))
    last = min(_index(date(year, 12, 1)), _index(today) - 1)
    if dissolved is not None:
        last = min(last, _index(dissolved) - (1 if dissolved.day == 1 else 0))
    return max(last - first + 1, 0)


def tracker_summary(cells: QuerySet[Unit], year: int, today: date | None = None) -> dict:
    """Totals for every cell of the scope: two queries whatever its size."""
    today = today or timezone.localdate()
    spans = list(cells.values_list("founded_on", "dissolved_on"))
    due = sum(_months_due(founded, dissolved, year, today) for founded, dissolved in spans)
    meetings = Meeting.objects.filter(
        unit__in=cells.values("pk"), body=MeetingBody.UNIT, **_in_year(year)
    )
    totals = meetings.aggregate(
        meetings=Count("pk"),
        thematic=Count("pk", filter=Q(kind__in=THEMATIC_KINDS)),
        short=Count("pk", filter=_short_q()),
        low=Count("pk", filter=_low_attendance_q()),
        docs_late=Count("pk", filter=_documents_late_q()),
        late=Count(
            "pk",
            filter=Q(kind__in=REGULAR_KINDS)
            & (Q(held_on__year__gt=F("month__year")) | Q(held_on__month__gt=F("month__month"))),
        ),
        present=Sum("present_count", filter=Q(attendance_taken=True)),
        summoned=Sum("summoned_count", filter=Q(attendance_taken=True)),
    )
    held_due = (
        meetings.filter(
            kind__in=REGULAR_KINDS,
            month__lt=date(today.year, today.month, 1),
        ).count()
        if year <= today.year
        else 0
    )
    summoned = totals["summoned"] or 0
    return {
        "cells": len(spans),
        "due": due,
        "held_due": held_due,
        "missing": max(due - held_due, 0),
        "percent": round(100 * (totals["present"] or 0) / summoned, 1) if summoned else None,
        **totals,
    }


def secretary_cells_this_month(user, today: date | None = None, limit: int = 5) -> list[dict]:
    """The cells the user is the secretary of (a cell-secretary role), each with
    this month's regular meeting (None if not recorded yet) and last month's
    when it is still missing: what the home page offers to record first."""
    today = today or timezone.localdate()
    paths = role_paths(user, (Role.Kind.SECRETARY,))
    if not paths:
        return []
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(path=path)
    cells = list(
        Unit.objects.filter(q, level__in=CELL_LEVELS, dissolved_on__isnull=True).order_by("path")[
            :limit
        ]
    )
    month = today.replace(day=1)
    last = month_shift(month, -1)
    held = {
        (m.unit_id, m.month): m
        for m in Meeting.objects.filter(
            unit__in=cells, month__in=[month, last], kind__in=REGULAR_KINDS, body=MeetingBody.UNIT
        )
    }
    return [
        {
            "unit": c,
            "month": month,
            "meeting": held.get((c.pk, month)),
            "last_month": last,
            "last_missing": c.founded_on <= last and (c.pk, last) not in held,
        }
        for c in cells
    ]


def home_warnings(user, today: date | None = None, limit: int = 8) -> dict | None:
    """The tracker's warnings for the user's whole scope: cells that did not
    meet last month, cells with no thematic meeting last quarter, this year's
    short meetings and meetings under the attendance target. A handful of
    queries."""
    today = today or timezone.localdate()
    cells = units_for(user).filter(level__in=CELL_LEVELS, dissolved_on__isnull=True)
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    cells_then = cells.filter(founded_on__lte=last_month)
    missing_qs = cells_then.exclude(
        pk__in=Meeting.objects.filter(
            month=last_month, kind__in=REGULAR_KINDS, body=MeetingBody.UNIT
        ).values("unit_id")
    ).order_by("path")
    missing = list(missing_qs[:limit])
    if not missing and not cells.exists():
        return None
    missing_count = missing_qs.count() if len(missing) == limit else len(missing)
    q = (today.month - 1) // 3  # this quarter; the last complete one is q-1
    if q == 0:
        q_start, q_end = date(today.year - 1, 10, 1), date(today.year - 1, 12, 1)
    else:
        q_start, q_end = date(today.year, 3 * q - 2, 1), date(today.year, 3 * q, 1)
    no_thematic = (
        cells.filter(founded_on__lte=q_start)
        .exclude(
            pk__in=Meeting.objects.filter(
                month__gte=q_start, month__lte=q_end, kind__in=THEMATIC_KINDS, body=MeetingBody.UNIT
            ).values("unit_id")
        )
        .count()
    )
    year_totals = Meeting.objects.filter(
        unit__in=cells.values("pk"), body=MeetingBody.UNIT, **_in_year(last_month.year)
    ).aggregate(short=Count("pk", filter=_short_q()), low=Count("pk", filter=_low_attendance_q()))
    return {
        "last_month": last_month,
        "missing": missing,
        "missing_count": missing_count,
        "quarter": f"{(q_start.month - 1) // 3 + 1}/{q_start.year}",
        "no_thematic": no_thematic,
        "year": last_month.year,
        "short": year_totals["short"],
        "low": year_totals["low"],
    }


def absent_three_months(unit: Unit, month: date) -> list:
    """Members absent without reason from the cell's regular meetings in at
    least three months of `month`'s year up to `month` (Điều lệ Đảng, Điều 8:
    three months in a year, running or not, is a ground for removal). One query."""
    held = OuterRef("meeting__held_on")
    # only absences from meetings held while the person was a party member
    # placed in this cell (an attendance sheet entered later may say more)
    placed = Placement.objects.filter(
        member=OuterRef("member_id"),
        unit=unit,
        kind=PlacementKind.PERMANENT,
        valid_from__lte=held,
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=held))
    member_then = StatusPeriod.objects.filter(
        member=OuterRef("member_id"), status__in=MEMBER_STATUSES, valid_from__lte=held
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=held))
    rows = (
        Attendance.objects.filter(
            meeting__unit=unit,
            meeting__body=MeetingBody.UNIT,
            meeting__kind__in=REGULAR_KINDS,
            meeting__month__gte=date(month.year, 1, 1),
            meeting__month__lte=month,
            status=AttendanceStatus.UNEXCUSED,
        )
        .filter(Exists(placed), Exists(member_then))
        .values("member_id")
        .annotate(months=Count("meeting__month", distinct=True))
        .filter(months__gte=rules.REMOVAL_MONTHS_IN_YEAR)
    )
    return list(Member.objects.filter(pk__in=rows.values("member_id")).order_by("sort_key"))
