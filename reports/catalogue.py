"""The catalogue of reports.

Each report is a class with a `name` (used in URLs and on the command line),
a Vietnamese title, and whether it is read on a date (the structure then) or
over a period (what happened between two dates). `run(unit, params)` returns a
`Table`; with `params.by_children` the same figures broken down by the
unit's direct sub-units. Every report reads the histories (reports/selectors),
so a past date gives the past answer.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

from chibo.dates import years_before
from chibo.spreadsheets import CellError, parse_date
from meetings.rules import attendance_target
from members.choices import Education, Gender
from members.rules import probation_ends_on
from organizations.models import (
    CELL_LEVELS,
    GRASSROOTS_LEVELS,
    AdministrativeUnit,
    Body,
    Category,
    Level,
    Restructure,
    Unit,
)
from reports.selectors import (
    MemberCounts,
    Snapshot,
    cell_months,
    committee_sizes,
    community_roles,
    meeting_figures,
    member_counts_by_unit,
    member_rows,
    members_awaiting_decision,
    months_of,
    months_owed_by_branch,
    organization_ratings_by_level,
    outermost,
    population_on,
    probationary_on,
    rating_counts_by_branch,
    restructures_touching,
    roll_up,
    snapshot,
    status_changes,
)
from reports.tables import Column, Section, Table, pct
from reviews.models import MemberReview, OrganizationReview
from reviews.rules import ORDER as RATING_ORDER
from reviews.rules import SHORT as RATING_SHORT
from reviews.rules import Level as RatingLevel
from reviews.rules import rule_set_for_year
from reviews.selectors import member_results


class ReportError(Exception):
    """Something the user asked for that cannot be answered; the message says why."""


@dataclass
class Params:
    day: date | None = None
    start: date | None = None
    end: date | None = None
    by_children: bool = False

    @property
    def as_of(self) -> date:
        return self.day or self.end

    @property
    def year(self) -> int:
        """The year a yearly report is about (its period lies in one year)."""
        return (self.start or self.as_of).year


REGISTRY: dict[str, "Report"] = {}


def register(cls):
    REGISTRY[cls.name] = cls()
    return cls


def get_report(name: str) -> "Report | None":
    return REGISTRY.get(name)


def catalogue() -> list["Report"]:
    return list(REGISTRY.values())


class Report:
    name = ""
    title = ""
    short_title = ""  # in download names and sheet names; the title if empty
    description = ""
    periodic = False  # False: on a date; True: over a period
    # A periodic report about one calendar year (the annual review): asked for
    # with a year; the structure is read on the year's last day.
    yearly = False

    # How the breakdown adds up to the summary: for each additive column of
    # the breakdown, the summary figures its rows sum to, each (section
    # index, row: an index, "totals", or "rows" for the number of rows,
    # column key). Checked for every report of the catalogue by
    # tests/reports/test_breakdown_sums.py, with a restructure in the period.
    sums_to: dict[str, list[tuple]] = {}

    def run(self, unit: Unit, params: Params) -> Table:
        snap = snapshot(
            unit, params.as_of, start=params.start if self.periodic and params.by_children else None
        )
        if snap is None:
            raise ReportError(
                _("“%(unit)s” chưa thành lập hoặc đã giải thể vào ngày %(day)s.")
                % {"unit": unit.name, "day": params.as_of.strftime("%d/%m/%Y")}
            )
        table = Table(
            report=self.name,
            title=str(self.title),
            unit_id=unit.pk,
            unit_name=snap.root.name,
            day=None if self.periodic else params.day,
            start=params.start if self.periodic else None,
            end=params.end if self.periodic else None,
            by_children=params.by_children,
            year=params.year if self.yearly else None,
            short_title=str(self.short_title or self.title),
        )
        if params.by_children:
            table.sections = [self.breakdown(snap, params)]
        else:
            table.sections = self.sections(snap, params)
        self.finish(table, snap, params)
        # Plain values only (no lazy text): what the page shows is exactly what
        # the files and a frozen submission hold.
        return Table.from_dict(table.as_dict())

    def sections(self, snap: Snapshot, params: Params) -> list[Section]:
        raise NotImplementedError

    def breakdown(self, snap: Snapshot, params: Params) -> Section:
        raise NotImplementedError

    def finish(self, table: Table, snap: Snapshot, params: Params) -> None:
        """Anything the table carries besides its sections (an official
        form's header, version and cross-checks: reports/statforms)."""


def _children_section(
    snap: Snapshot, title: str, columns: list[Column], figures, totals=None
) -> Section:
    """A breakdown section: one row per direct sub-unit, `figures(child)` its cells."""
    children = snap.children
    rows = [[c.label, *figures(c)] for c in children]
    return Section(
        title=title,
        columns=[Column("unit", _("Đơn vị trực thuộc"), "text"), *columns],
        rows=rows,
        totals=totals,
        row_units=[c.id for c in children],
    )


def _category_keys(labels) -> list[str]:
    """The colour key of each kind-of-cell row (its Category value), so a kind
    of cell has one colour on every chart."""
    by_label = {str(c.label): c.value for c in Category}
    return [by_label.get(str(label), "value") for label in labels]


def _sum_rows(rows: list[list], columns: list[Column]) -> list:
    """A totals line: the sum of each integer column (shares are recomputed by
    the caller where they make sense)."""
    out: list = [_("Tổng cộng")]
    for i, col in enumerate(columns[1:], start=1):
        out.append(sum(r[i] or 0 for r in rows) if col.kind == "int" else None)
    return out


# --- structure ------------------------------------------------------------------


@register
class StructureReport(Report):
    name = "structure"
    sums_to = {
        "grassroots": [(0, "totals", "count")],
        "cells": [(1, "totals", "count"), (0, 1, "count")],
        "members": [(2, 0, "all")],
        "official": [(2, 0, "official")],
        "probationary": [(2, 0, "probationary")],
        "exempt": [(2, 0, "exempt")],
        Body.EXECUTIVE: [(4, 0, "members")],
        Body.STANDING: [(4, 1, "members")],
        Body.CELL_COMMITTEE: [(4, 2, "members")],
        "households": [(5, 1, "households")],
        "people": [(5, 1, "people")],
    }
    title = _("Tổ chức đảng và đảng viên")
    description = _(
        "Tổ chức cơ sở đảng theo loại hình, chi bộ theo loại, đảng viên chính thức, dự bị, "
        "miễn sinh hoạt trong mỗi loại."
    )

    member_columns = [
        Column("members", _("Đảng viên")),
        Column("official", _("Chính thức")),
        Column("probationary", _("Dự bị")),
        Column("exempt", _("Miễn sinh hoạt")),
    ]

    def sections(self, snap, params):
        own = member_counts_by_unit(snap)
        subtree = roll_up(snap, own)

        def line(label, units, counts_of):
            c = MemberCounts()
            for u in units:
                c.add(counts_of.get(u.id, MemberCounts()))
            return [label, len(units), c.total, c.official, c.probationary, c.exempt]

        grassroots = [
            line(
                Level(level).label,
                [u for u in snap.units if u.level == level],
                subtree,
            )
            for level in GRASSROOTS_LEVELS
        ]
        cols1 = [
            Column("kind", _("Loại hình"), "text"),
            Column("count", _("Số tổ chức")),
            *self.member_columns,
        ]
        cells = [u for u in snap.units if u.level == Level.CELL]
        by_category = []
        for category in Category:
            units = [u for u in cells if u.category == category]
            if units:
                by_category.append(line(category.label, units, own))
        cols2 = [
            Column("category", _("Loại chi bộ"), "text"),
            Column("count", _("Số chi bộ")),
            *self.member_columns,
        ]
        everyone = MemberCounts()
        for c in own.values():
            everyone.add(c)
        sizes = committee_sizes(snap)
        below = [u for u in snap.units if u.id != snap.root.id]
        own_sizes = sizes.get(snap.root.id, {})
        committee_columns = [
            Column("body", _("Cấp ủy"), "text"),
            Column("units", _("Số tổ chức có")),
            Column("members", _("Số cấp ủy viên")),
        ]
        committee_rows = [
            [
                label,
                sum(1 for u in below if sizes.get(u.id, {}).get(body)),
                sum(sizes.get(u.id, {}).get(body, 0) for u in below),
            ]
            for body, label in COMMITTEE_BODIES
        ]
        return [
            Section(
                title=_("Tổ chức cơ sở đảng"),
                columns=cols1,
                rows=grassroots,
                totals=_sum_rows(grassroots, cols1),
            ),
            Section(
                title=_("Chi bộ trực thuộc đảng bộ cơ sở, theo loại"),
                columns=cols2,
                rows=by_category,
                totals=_sum_rows(by_category, cols2),
                chart={
                    "type": "bar",
                    "title": _("Đảng viên theo loại chi bộ"),
                    "labels": [r[0] for r in by_category],
                    "values": [r[2] for r in by_category],
                    "keys": _category_keys(r[0] for r in by_category),
                },
            ),
            Section(
                title=_("Đảng viên"),
                columns=[
                    Column("all", _("Tổng số đảng viên")),
                    *self.member_columns[1:],
                ],
                rows=[[everyone.total, everyone.official, everyone.probationary, everyone.exempt]],
                chart={
                    "type": "pie",
                    "title": _("Đảng viên chính thức và dự bị"),
                    "labels": [_("Chính thức"), _("Dự bị")],
                    "values": [everyone.official, everyone.probationary],
                    "keys": ["official", "probationary"],
                },
            ),
            Section(
                title=_("Cấp ủy của %(unit)s") % {"unit": snap.root.name},
                columns=[
                    Column("body", _("Cấp ủy"), "text"),
                    Column("members", _("Số cấp ủy viên")),
                ],
                rows=[
                    [label, own_sizes.get(body, 0)]
                    for body, label in COMMITTEE_BODIES
                    if body in own_sizes
                ],
                note=_("Một người giữ chức vụ ở nhiều cơ quan được tính ở mỗi cơ quan."),
            ),
            Section(
                title=_("Cấp ủy của các tổ chức đảng trực thuộc"),
                columns=committee_columns,
                rows=committee_rows,
            ),
            self._population(snap),
        ]

    @staticmethod
    def _population(snap) -> Section:
        counts = population_on(snap)
        own = counts.get(snap.root.id)
        below = outermost(snap, counts)
        latest = max((counts[i][2] for i in below), default=None)
        rows = [
            [
                snap.root.name,
                1 if own else 0,
                own[0] if own else 0,
                own[1] if own else 0,
                own[2].strftime("%d/%m/%Y") if own else "",
            ],
            [
                _("Các đơn vị trực thuộc"),
                len(below),
                sum(counts[i][0] for i in below),
                sum(counts[i][1] for i in below),
                latest.strftime("%d/%m/%Y") if latest else "",
            ],
        ]
        return Section(
            title=_("Hộ gia đình và nhân khẩu trên địa bàn"),
            columns=[
                Column("line", _("Địa bàn"), "text"),
                Column("localities", _("Số địa bàn có số liệu")),
                Column("households", _("Số hộ")),
                Column("people", _("Số nhân khẩu")),
                Column("counted_on", _("Số liệu mới nhất ngày"), "text"),
            ],
            rows=rows,
            note=_(
                "Theo số liệu ghi gần nhất trước ngày báo cáo; số liệu của một địa bàn đã gồm "
                "các địa bàn nhỏ hơn thuộc nó."
            ),
        )

    def breakdown(self, snap, params):
        subtree = roll_up(snap, member_counts_by_unit(snap))
        grassroots = defaultdict(int)
        cells = defaultdict(int)
        for u in snap.units:
            branch = snap.branch_of(u.id)
            if branch is None:
                continue
            if u.level in GRASSROOTS_LEVELS:
                grassroots[branch] += 1
            if u.level in CELL_LEVELS:
                cells[branch] += 1
        seated: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for unit_id, by_body in committee_sizes(snap).items():
            branch = snap.branch_of(unit_id)
            if branch is not None:
                for body, n in by_body.items():
                    seated[branch][body] += n
        counts = population_on(snap)
        people: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for unit_id in outermost(snap, counts):
            branch = snap.branch_of(unit_id)
            people[branch][0] += counts[unit_id][0]
            people[branch][1] += counts[unit_id][1]
        columns = [
            Column("grassroots", _("Tổ chức cơ sở đảng")),
            Column("cells", _("Chi bộ")),
            *self.member_columns,
            *(Column(body, label) for body, label in COMMITTEE_BODIES),
            Column("households", _("Số hộ")),
            Column("people", _("Số nhân khẩu")),
        ]

        def figures(child):
            c = subtree.get(child.id, MemberCounts())
            return [
                grassroots[child.id],
                cells[child.id],
                c.total,
                c.official,
                c.probationary,
                c.exempt,
                *(seated[child.id][body] for body, _label in COMMITTEE_BODIES),
                *people[child.id],
            ]

        section = _children_section(snap, _("Theo đơn vị trực thuộc"), columns, figures)
        section.totals = _sum_rows(section.rows, section.columns)
        section.chart = {
            "type": "stacked",
            "sort": True,
            "title": _("Đảng viên theo đơn vị trực thuộc"),
            "labels": [r[0] for r in section.rows],
            "series": [
                {
                    "label": _("Chính thức"),
                    "key": "official",
                    "values": [r[4] for r in section.rows],
                },
                {
                    "label": _("Dự bị"),
                    "key": "probationary",
                    "values": [r[5] for r in section.rows],
                },
            ],
        }
        return section


# The bodies whose size the structure report gives (seed 002: an executive
# committee of 11, a standing committee of 3).
COMMITTEE_BODIES = [
    (Body.EXECUTIVE, _("Ủy viên Ban Chấp hành")),
    (Body.STANDING, _("Ủy viên Ban Thường vụ")),
    (Body.CELL_COMMITTEE, _("Chi ủy viên")),
]


# --- agency cell coverage (seed 001) ---------------------------------------------

LOCALITY_GROUPS = [
    ("commune", _("Xã"), (AdministrativeUnit.Kind.COMMUNE,)),
    ("ward", _("Phường"), (AdministrativeUnit.Kind.WARD,)),
    (
        "township",
        _("Thị trấn, đặc khu"),
        (AdministrativeUnit.Kind.TOWNSHIP, AdministrativeUnit.Kind.SPECIAL_ZONE),
    ),
]
LOCALITY_KINDS = {k for _key, _label, kinds in LOCALITY_GROUPS for k in kinds}


def _coverage_by_locality(snap: Snapshot):
    """For each locality (a unit of the subtree linked to a commune, ward,
    township or special zone): its kind, its agency cells on the day, the
    members in them, and all its members."""
    own = member_counts_by_unit(snap)
    subtree = roll_up(snap, own)
    localities = [u for u in snap.units if u.locality_kind in LOCALITY_KINDS]
    by_path = {u.path: u for u in localities}
    agency_cells: dict[int, int] = defaultdict(int)
    agency_members: dict[int, int] = defaultdict(int)
    for u in snap.units:
        if u.level not in CELL_LEVELS or u.category != Category.AGENCY:
            continue
        # the nearest locality above (or at) the cell
        for cut in range(len(u.path), 0, -8):
            locality = by_path.get(u.path[:cut])
            if locality is not None:
                agency_cells[locality.id] += 1
                agency_members[locality.id] += own.get(u.id, MemberCounts()).total
                break
    return [
        {
            "unit": loc,
            "kind": loc.locality_kind,
            "cells": agency_cells[loc.id],
            "agency_members": agency_members[loc.id],
            "members": subtree.get(loc.id, MemberCounts()).total,
        }
        for loc in localities
    ]


def _coverage_figures(items: list[dict]) -> list:
    n = len(items)
    covered = sum(1 for i in items if i["cells"])
    cells = sum(i["cells"] for i in items)
    agency = sum(i["agency_members"] for i in items)
    members = sum(i["members"] for i in items)
    return [n, covered, pct(covered, n), cells, agency, members, pct(agency, members)]


COVERAGE_COLUMNS = [
    Column("localities", _("Số xã, phường, thị trấn")),
    Column("covered", _("Có chi bộ cơ quan")),
    Column("covered_pct", _("Tỷ lệ có chi bộ cơ quan (%)"), "pct"),
    Column("cells", _("Số chi bộ cơ quan")),
    Column("agency_members", _("Đảng viên trong chi bộ cơ quan")),
    Column("members", _("Đảng viên của các địa phương")),
    Column("agency_pct", _("Tỷ lệ đảng viên chi bộ cơ quan (%)"), "pct"),
]


@register
class AgencyCellCoverageReport(Report):
    name = "agency_cell_coverage"
    sums_to = {
        key: [(0, "totals", key)]
        for key in ("localities", "covered", "cells", "agency_members", "members")
    }
    title = _("Chi bộ cơ quan xã, phường, thị trấn")
    short_title = _("Chi bộ cơ quan")
    description = _(
        "Số xã, phường, thị trấn có chi bộ cơ quan trên tổng số, tỷ lệ theo loại địa phương; "
        "đảng viên trong chi bộ cơ quan và tỷ lệ trên tổng số đảng viên của các địa phương."
    )

    def sections(self, snap, params):
        items = _coverage_by_locality(snap)
        unknown = [
            u for u in snap.units if u.locality_id and not u.locality_kind and u.id != snap.root.id
        ]
        rows = []
        for _key, label, kinds in LOCALITY_GROUPS:
            group = [i for i in items if i["kind"] in kinds]
            rows.append([str(label), *_coverage_figures(group)])
        return [
            Section(
                title=_("Chi bộ cơ quan theo loại địa phương"),
                columns=[Column("kind", _("Loại địa phương"), "text"), *COVERAGE_COLUMNS],
                rows=rows,
                totals=[_("Tổng cộng"), *_coverage_figures(items)],
                chart={
                    "type": "bar",
                    "title": _("Tỷ lệ địa phương có chi bộ cơ quan (%)"),
                    "labels": [r[0] for r in rows],
                    "values": [r[3] or 0 for r in rows],
                    "max": 100,
                },
                note=(
                    _(
                        "%(n)s đơn vị gắn với đơn vị hành chính chưa có vào ngày %(day)s và không "
                        "suy ra được loại địa phương lúc đó (%(names)s): hãy ghi địa bàn của các "
                        "đơn vị này theo đơn vị hành chính trước ngày 01/7/2025."
                    )
                    % {
                        "n": len(unknown),
                        "day": snap.day.strftime("%d/%m/%Y"),
                        "names": ", ".join(u.name for u in unknown[:5]),
                    }
                    if unknown
                    else ""
                ),
            )
        ]

    def breakdown(self, snap, params):
        items = _coverage_by_locality(snap)
        by_branch = defaultdict(list)
        for i in items:
            branch = snap.branch_of(i["unit"].id)
            if branch is not None:
                by_branch[branch].append(i)
        section = _children_section(
            snap,
            _("Theo đơn vị trực thuộc"),
            COVERAGE_COLUMNS,
            lambda child: _coverage_figures(by_branch[child.id]),
            totals=[_("Tổng cộng"), *_coverage_figures(items)],
        )
        labels = [r[0] for r in section.rows]
        section.chart = [
            {
                "type": "bar",
                "sort": True,
                "title": _("Tỷ lệ địa phương có chi bộ cơ quan (%)"),
                "labels": labels,
                "values": [r[3] or 0 for r in section.rows],
                "max": 100,
            },
            {
                "type": "bar",
                "sort": True,
                "title": _("Tỷ lệ đảng viên chi bộ cơ quan (%)"),
                "labels": labels,
                "values": [r[7] or 0 for r in section.rows],
                "max": 100,
            },
        ]
        return section


# --- composition (seed 000) -----------------------------------------------------


AGE_BANDS = [  # (label, lowest age, highest age) inclusive
    (_("Đến 30 tuổi"), 0, 30),
    (_("Từ 31 đến 40 tuổi"), 31, 40),
    (_("Từ 41 đến 50 tuổi"), 41, 50),
    (_("Từ 51 đến 60 tuổi"), 51, 60),
    (_("Từ 61 đến 70 tuổi"), 61, 70),
    (_("Trên 70 tuổi"), 71, 200),
]
PARTY_AGE_BANDS = [
    (_("Dưới 10 năm"), 0, 9),
    (_("Từ 10 đến dưới 20 năm"), 10, 19),
    (_("Từ 20 đến dưới 30 năm"), 20, 29),
    (_("Từ 30 đến dưới 40 năm"), 30, 39),
    (_("Từ 40 đến dưới 50 năm"), 40, 49),
    (_("Từ 50 năm trở lên"), 50, 200),
]


def _band_case(column: str, day: date, bands) -> tuple[str, list]:
    """SQL giving the index of the band the age (whole years on `day`, counted
    from the date in `column`) falls in; -1 when the date is unknown."""
    sql, params = ["CASE WHEN " + column + " IS NULL THEN -1"], []
    for i, (_label, _low, high) in enumerate(bands[:-1]):
        # age <= high  <=>  born after `day` minus (high + 1) years
        sql.append(f"WHEN {column} > %s THEN {i}")
        params.append(years_before(day, high + 1))
    sql.append(f"ELSE {len(bands) - 1} END")
    return " ".join(sql), params


def _share_rows(labelled: list[tuple[str, int]], total: int) -> list[list]:
    return [[str(label), n, pct(n, total)] for label, n in labelled]


SHARE_COLUMNS = [
    Column("label", _("Tiêu chí"), "text"),
    Column("members", _("Số đảng viên")),
    Column("share", _("Tỷ lệ (%)"), "pct"),
]


@register
class CompositionReport(Report):
    name = "composition"
    sums_to = {
        "members": [(0, 0, "members")],
        "civil_servants": [(6, 0, "members")],
        "retired": [(6, 1, "members")],
    }
    title = _("Cơ cấu đội ngũ đảng viên")
    short_title = _("Cơ cấu đảng viên")
    description = _(
        "Đảng viên theo độ tuổi, giới tính, dân tộc, trình độ học vấn, tuổi đảng; "
        "cán bộ, công chức; đã nghỉ hưu."
    )

    def sections(self, snap, params):
        age_sql, age_params = _band_case("m.birth_date", snap.day, AGE_BANDS)
        party_sql, party_params = _band_case("m.admitted_on", snap.day, PARTY_AGE_BANDS)
        rows = member_rows(
            snap,
            [
                "m.gender",
                "m.ethnicity",
                "m.education",
                "m.is_civil_servant",
                "m.is_retired",
                age_sql,
                party_sql,
            ],
            age_params + party_params,
        )
        a: dict = defaultdict(int)
        ethnicity: dict[str, int] = defaultdict(int)
        education: dict[str, int] = defaultdict(int)
        for gender, ethnic, edu, civil, retired, age, party, n in rows:
            a["total"] += n
            a["women"] += n if gender == Gender.FEMALE else 0
            a["civil_servants"] += n if civil else 0
            a["retired"] += n if retired else 0
            a[f"age{age}"] += n
            a[f"party{party}"] += n
            ethnicity[ethnic or ""] += n
            education[edu or ""] += n
        total = a["total"]
        ethnic = sorted(ethnicity.items(), key=lambda kv: (-kv[1], kv[0]))

        def section(title, labelled, chart=None):
            return Section(
                title=title,
                columns=SHARE_COLUMNS,
                rows=_share_rows(labelled, total),
                chart=chart,
            )

        ages = [(label, a[f"age{i}"]) for i, (label, _lo, _hi) in enumerate(AGE_BANDS)]
        genders = [(_("Nam"), total - a["women"]), (_("Nữ"), a["women"])]
        educations = [(e.label, education.get(e.value, 0)) for e in Education]
        educations.append((_("Chưa cập nhật"), education.get("", 0)))
        party = [(label, a[f"party{i}"]) for i, (label, _lo, _hi) in enumerate(PARTY_AGE_BANDS)]
        others = [
            (_("Cán bộ, công chức"), a["civil_servants"]),
            (_("Đã nghỉ hưu"), a["retired"]),
        ]
        return [
            Section(
                title=_("Tổng số đảng viên"),
                columns=[Column("members", _("Số đảng viên"))],
                rows=[[total]],
            ),
            section(
                _("Độ tuổi"),
                ages,
                chart={
                    "type": "bar",
                    "title": _("Đảng viên theo độ tuổi"),
                    "labels": [str(label) for label, _n in ages],
                    "values": [n for _label, n in ages],
                },
            ),
            section(
                _("Giới tính"),
                genders,
                chart={
                    "type": "pie",
                    "title": _("Đảng viên theo giới tính"),
                    "labels": [str(label) for label, _n in genders],
                    "values": [n for _label, n in genders],
                },
            ),
            section(_("Dân tộc"), [(e or _("Chưa cập nhật"), n) for e, n in ethnic]),
            section(_("Trình độ giáo dục phổ thông"), educations),
            section(_("Tuổi đảng"), party),
            section(_("Thành phần khác"), others),
        ]

    def breakdown(self, snap, params):
        old = years_before(snap.day, 61)  # over 60: born on or before this day
        young = years_before(snap.day, 31)  # 30 or under: born after this day
        per_unit = member_rows(
            snap,
            ["p.unit_id"],
            [Gender.FEMALE, young, old],
            aggregates=(
                "SUM(CASE WHEN m.gender = %s THEN 1 ELSE 0 END)",
                "SUM(CASE WHEN m.ethnicity <> 'Kinh' THEN 1 ELSE 0 END)",
                "SUM(CASE WHEN m.is_civil_servant THEN 1 ELSE 0 END)",
                "SUM(CASE WHEN m.is_retired THEN 1 ELSE 0 END)",
                "SUM(CASE WHEN m.birth_date > %s THEN 1 ELSE 0 END)",
                "SUM(CASE WHEN m.birth_date <= %s THEN 1 ELSE 0 END)",
            ),
        )
        keys = ["total", "women", "minority", "civil_servants", "retired", "young", "old"]
        sums: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(keys, 0))
        for unit_id, *figures in per_unit:
            branch = snap.branch_of(unit_id)
            if branch is None:
                continue
            for k, n in zip(keys, figures, strict=True):
                sums[branch][k] += n or 0
        columns = [
            Column("members", _("Đảng viên")),
            Column("women_pct", _("Nữ (%)"), "pct"),
            Column("minority_pct", _("Dân tộc thiểu số (%)"), "pct"),
            Column("young_pct", _("Đến 30 tuổi (%)"), "pct"),
            Column("old_pct", _("Trên 60 tuổi (%)"), "pct"),
            Column("civil_servants", _("Cán bộ, công chức")),
            Column("retired", _("Đã nghỉ hưu")),
        ]

        def figures_of(s):
            t = s["total"]
            return [
                t,
                pct(s["women"], t),
                pct(s["minority"], t),
                pct(s["young"], t),
                pct(s["old"], t),
                s["civil_servants"],
                s["retired"],
            ]

        everything = dict.fromkeys(keys, 0)
        for s in sums.values():
            for k in keys:
                everything[k] += s[k]
        section = _children_section(
            snap,
            _("Theo đơn vị trực thuộc"),
            columns,
            lambda child: figures_of(sums[child.id]),
            totals=[_("Tổng cộng"), *figures_of(everything)],
        )
        # small multiples: each share compared across the sub-units, largest first
        section.chart = [
            {
                "type": "bar",
                "sort": True,
                "title": title,
                "labels": [r[0] for r in section.rows],
                "values": [r[i] or 0 for r in section.rows],
                "max": 100,
            }
            for title, i in (
                (_("Tỷ lệ đảng viên nữ (%)"), 2),
                (_("Tỷ lệ đảng viên đến 30 tuổi (%)"), 4),
                (_("Tỷ lệ đảng viên trên 60 tuổi (%)"), 5),
            )
        ]
        return section


def parse_params(
    report: Report,
    *,
    day: str | None = None,
    start: str | None = None,
    end: str | None = None,
    year: str | None = None,
    by_children: bool = False,
    today: date | None = None,
) -> Params:
    """Params from dd/mm/yyyy texts (query string or command line); ReportError
    with a Vietnamese message when a date is not a date or the period is upside
    down. A report on a date defaults to today; a period to this year so far;
    a yearly report to last year (this year's review is not done before its
    end), as the review results page does."""
    today = today or date.today()
    if report.yearly:
        return _yearly_params(year, start, end, by_children, today)

    def parse(text):
        value = parse_date((text or "").strip())
        if value is not None and not (date(1930, 1, 1) <= value <= date(2200, 12, 31)):
            raise ReportError(
                _("Ngày %(day)s nằm ngoài khoảng thời gian có thể báo cáo.")
                % {"day": value.strftime("%d/%m/%Y")}
            )
        return value

    try:
        if report.periodic:
            end_day = parse(end) or today
            start_day = parse(start) or date(end_day.year, 1, 1)
            if start_day > end_day:
                raise ReportError(
                    _("Ngày bắt đầu (%(start)s) sau ngày kết thúc (%(end)s).")
                    % {
                        "start": start_day.strftime("%d/%m/%Y"),
                        "end": end_day.strftime("%d/%m/%Y"),
                    }
                )
            return Params(start=start_day, end=end_day, by_children=by_children)
        return Params(day=parse(day) or today, by_children=by_children)
    except CellError as exc:
        raise ReportError(str(exc)) from exc


def _yearly_params(year, start, end, by_children: bool, today: date) -> Params:
    """A year from `year` (yyyy), else from the period given (which must lie
    in one year), else last year."""
    text = (year or "").strip()
    if text:
        if not (text.isdigit() and 1930 <= int(text) <= today.year):
            raise ReportError(
                _("Năm “%(year)s” không hợp lệ: nhập năm bốn chữ số, đến năm %(now)s.")
                % {"year": text, "now": today.year}
            )
        chosen = int(text)
    elif start or end:
        params = parse_params(
            _PeriodOnly(), start=start, end=end, by_children=by_children, today=today
        )
        if params.start.year != params.end.year:
            raise ReportError(
                _("Báo cáo này tính theo năm: từ ngày và đến ngày phải trong cùng một năm.")
            )
        chosen = params.start.year
    else:
        chosen = today.year - 1
    return Params(start=date(chosen, 1, 1), end=date(chosen, 12, 31), by_children=by_children)


class _PeriodOnly:
    periodic = True
    yearly = False


# --- admissions (seed 004) --------------------------------------------------------

RESIDENTIAL_CATEGORIES = (Category.RESIDENTIAL, Category.VILLAGE)


def _by_category(rows) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for category, level, n in rows:
        if level in CELL_LEVELS:
            out[category or Category.OTHER] += n
        else:  # placed in a committee itself (should not happen): keep the count
            out[Category.OTHER] += n
    return out


@register
class AdmissionsReport(Report):
    name = "admissions"
    sums_to = {
        "admitted": [(0, "totals", "admitted")],
        "recognized": [(0, "totals", "recognized")],
        "overdue": [(2, "rows", None)],
    }
    title = _("Kết nạp đảng viên và công nhận đảng viên chính thức")
    short_title = _("Kết nạp đảng viên")
    description = _(
        "Đảng viên được kết nạp trong kỳ theo loại chi bộ, đảng viên dự bị được công nhận "
        "chính thức, đảng viên dự bị quá 12 tháng chưa được xét."
    )
    periodic = True

    def _overdue(self, snap: Snapshot, end: date):
        out = []
        for member_id, name, unit_id, start in probationary_on(snap):
            if start is None:
                continue
            ends = probation_ends_on(start)
            if ends <= end:
                out.append((member_id, name, unit_id, start, ends, (end - ends).days))
        return sorted(out, key=lambda r: -r[5])

    def sections(self, snap, params):
        admitted = _by_category(status_changes(snap, params.start, params.end, kind="admitted"))
        recognized = _by_category(status_changes(snap, params.start, params.end, kind="recognized"))
        total_admitted = sum(admitted.values())
        columns = [
            Column("category", _("Loại chi bộ"), "text"),
            Column("admitted", _("Kết nạp")),
            Column("share", _("Tỷ lệ (%)"), "pct"),
            Column("recognized", _("Công nhận chính thức")),
        ]
        rows = [
            [
                c.label,
                admitted.get(c.value, 0),
                pct(admitted.get(c.value, 0), total_admitted),
                recognized.get(c.value, 0),
            ]
            for c in Category
            if admitted.get(c.value) or recognized.get(c.value)
        ]
        residential = sum(admitted.get(c, 0) for c in RESIDENTIAL_CATEGORIES)
        overdue = self._overdue(snap, params.end)
        return [
            Section(
                title=_("Kết nạp và công nhận chính thức theo loại chi bộ"),
                columns=columns,
                rows=rows,
                totals=[
                    _("Tổng cộng"),
                    total_admitted,
                    pct(total_admitted, total_admitted),
                    sum(recognized.values()),
                ],
                chart={
                    "type": "bar",
                    "title": _("Đảng viên mới kết nạp theo loại chi bộ"),
                    "labels": [r[0] for r in rows],
                    "values": [r[1] for r in rows],
                    "keys": _category_keys(r[0] for r in rows),
                },
            ),
            Section(
                title=_("Kết nạp ở chi bộ khu dân cư"),
                columns=[
                    Column("residential", _("Kết nạp ở chi bộ tổ dân phố, thôn, ấp")),
                    Column("admitted", _("Tổng số kết nạp")),
                    Column("share", _("Tỷ lệ (%)"), "pct"),
                ],
                rows=[[residential, total_admitted, pct(residential, total_admitted)]],
            ),
            Section(
                title=_("Đảng viên dự bị quá 12 tháng chưa được xét công nhận"),
                columns=[
                    Column("name", _("Họ và tên"), "text"),
                    Column("cell", _("Chi bộ"), "text"),
                    Column("start", _("Ngày kết nạp"), "text"),
                    Column("ends", _("Hết hạn dự bị"), "text"),
                    Column("days", _("Số ngày quá hạn")),
                ],
                rows=[
                    [
                        name,
                        snap.by_id[unit].name if unit in snap.by_id else "",
                        start.strftime("%d/%m/%Y"),
                        ends.strftime("%d/%m/%Y"),
                        days,
                    ]
                    for _mid, name, unit, start, ends, days in overdue
                ],
                note=_("Tính đến ngày %(day)s.") % {"day": params.end.strftime("%d/%m/%Y")},
            ),
        ]

    def breakdown(self, snap, params):
        def per_branch(rows):
            out: dict[int, int] = defaultdict(int)
            for unit_id, n in rows:
                branch = snap.branch_of(unit_id)
                if branch is not None:
                    out[branch] += n
            return out

        # counted under the sub-unit the member's cell lay under that day
        admitted = defaultdict(
            int, status_changes(snap, params.start, params.end, kind="admitted", by_branch=True)
        )
        recognized = defaultdict(
            int, status_changes(snap, params.start, params.end, kind="recognized", by_branch=True)
        )
        overdue = per_branch([(r[2], 1) for r in self._overdue(snap, params.end)])
        columns = [
            Column("admitted", _("Kết nạp")),
            Column("recognized", _("Công nhận chính thức")),
            Column("overdue", _("Dự bị quá hạn chưa xét")),
        ]
        section = _children_section(
            snap,
            _("Theo đơn vị trực thuộc"),
            columns,
            lambda c: [admitted[c.id], recognized[c.id], overdue[c.id]],
        )
        section.totals = _sum_rows(section.rows, section.columns)
        labels = [r[0] for r in section.rows]
        section.chart = [
            {
                "type": "bar",
                "sort": True,
                "title": _("Đảng viên kết nạp trong kỳ"),
                "labels": labels,
                "values": [r[1] for r in section.rows],
            }
        ]
        if any(r[3] for r in section.rows):
            # overdue is a fault: every bar in the colour of a missed target
            section.chart.append(
                {
                    "type": "bar",
                    "sort": True,
                    "title": _("Dự bị quá hạn chưa xét công nhận chính thức"),
                    "labels": labels,
                    "values": [r[3] for r in section.rows],
                    "keys": ["missed"] * len(labels),
                }
            )
        return section


# --- dual roles (seed 004) ---------------------------------------------------------

DUAL_ROLE_LINES = [
    ("village_head_members", _("Trưởng thôn, tổ trưởng tổ dân phố là đảng viên")),
    ("front_head_members", _("Trưởng ban công tác Mặt trận là đảng viên")),
    ("secretary_village_head", _("Bí thư chi bộ đồng thời là trưởng thôn, tổ trưởng")),
    ("deputy_village_head", _("Phó bí thư đồng thời là trưởng thôn, tổ trưởng")),
    ("secretary_front_head", _("Bí thư chi bộ đồng thời là trưởng ban công tác Mặt trận")),
    ("deputy_front_head", _("Phó bí thư đồng thời là trưởng ban công tác Mặt trận")),
]


def _dual_role_flags(cell: dict) -> dict[str, bool]:
    vh, fh = cell["village_head"], cell["front_head"]
    return {
        "village_head_members": bool(vh),
        "front_head_members": bool(fh),
        "secretary_village_head": bool(vh) and vh == cell["secretary"],
        "deputy_village_head": bool(vh) and vh in cell["deputies"],
        "secretary_front_head": bool(fh) and fh == cell["secretary"],
        "deputy_front_head": bool(fh) and fh in cell["deputies"],
    }


def _dual_role_counts(cells: list[dict]) -> dict[str, int]:
    counts = dict.fromkeys([k for k, _label in DUAL_ROLE_LINES], 0)
    for cell in cells:
        for key, flag in _dual_role_flags(cell).items():
            counts[key] += flag
    counts["areas"] = len(cells)
    return counts


@register
class DualRolesReport(Report):
    name = "dual_roles"
    sums_to = {
        "areas": [(0, 0, "areas")],
        "village_head_members": [(0, 0, "count")],
        "front_head_members": [(0, 1, "count")],
        "secretary_village_head": [(0, 2, "count")],
        "secretary_front_head": [(0, 4, "count")],
    }
    title = _("Đảng viên giữ chức danh ở thôn, tổ dân phố")
    short_title = _("Đảng viên kiêm chức danh thôn, tổ dân phố")
    description = _(
        "Ở các chi bộ thôn, tổ dân phố: trưởng thôn, tổ trưởng và trưởng ban công tác Mặt trận "
        "là đảng viên; bí thư, phó bí thư kiêm các chức danh đó."
    )

    def sections(self, snap, params):
        cells = community_roles(snap, RESIDENTIAL_CATEGORIES)
        counts = _dual_role_counts(list(cells.values()))
        areas = counts["areas"]
        rows = [
            [str(label), counts[key], areas, pct(counts[key], areas)]
            for key, label in DUAL_ROLE_LINES
        ]
        return [
            Section(
                title=_("Chức danh ở thôn, tổ dân phố và đảng viên kiêm nhiệm"),
                columns=[
                    Column("line", _("Chỉ tiêu"), "text"),
                    Column("count", _("Số lượng")),
                    Column("areas", _("Trên tổng số thôn, tổ dân phố")),
                    Column("share", _("Tỷ lệ (%)"), "pct"),
                ],
                rows=rows,
                chart={
                    "type": "bar",
                    "title": _("Tỷ lệ (%)"),
                    "labels": [r[0] for r in rows],
                    "values": [r[3] or 0 for r in rows],
                    "max": 100,
                },
                note=_("Tính trên các chi bộ tổ dân phố, thôn, ấp, bản (mỗi chi bộ một địa bàn)."),
            )
        ]

    def breakdown(self, snap, params):
        cells = community_roles(snap, RESIDENTIAL_CATEGORIES)
        by_branch: dict[int, list] = defaultdict(list)
        for unit_id, cell in cells.items():
            branch = snap.branch_of(unit_id)
            if branch is not None:
                by_branch[branch].append(cell)
        keys = [
            "village_head_members",
            "front_head_members",
            "secretary_village_head",
            "secretary_front_head",
        ]
        columns = [
            Column("areas", _("Thôn, tổ dân phố")),
            Column("village_head_members", _("Trưởng thôn là đảng viên")),
            Column("front_head_members", _("Trưởng ban Mặt trận là đảng viên")),
            Column("secretary_village_head", _("Bí thư kiêm trưởng thôn")),
            Column("secretary_front_head", _("Bí thư kiêm trưởng ban Mặt trận")),
        ]

        def figures(child):
            c = _dual_role_counts(by_branch[child.id])
            return [c["areas"], *(c[k] for k in keys)]

        section = _children_section(snap, _("Theo đơn vị trực thuộc"), columns, figures)
        section.totals = _sum_rows(section.rows, section.columns)
        # the share of each sub-unit's villages and residential groups, so
        # that a ward of 30 compares with a commune of 8
        section.chart = [
            {
                "type": "bar",
                "sort": True,
                "title": title,
                "labels": [r[0] for r in section.rows],
                "values": [pct(r[i], r[1]) or 0 for r in section.rows],
                "max": 100,
            }
            for title, i in (
                (_("Trưởng thôn, tổ trưởng là đảng viên (%)"), 2),
                (_("Bí thư chi bộ kiêm trưởng thôn, tổ trưởng (%)"), 4),
            )
        ]
        return section


# --- meeting attendance (seed 004) ------------------------------------------------------


def _required(due: dict[int, tuple[str, list[date]]], key) -> tuple[dict, dict, dict]:
    """From the months each cell owes: regular meetings required, thematic
    meetings required (one per whole quarter) and cells, each by
    `key(cell, category)`."""
    regular: dict = defaultdict(int)
    thematic: dict = defaultdict(int)
    cells: dict = defaultdict(int)
    for unit_id, (category, months) in due.items():
        k = key(unit_id, category)
        regular[k] += len(months)
        cells[k] += 1
        quarters: dict = defaultdict(int)
        for month in months:
            quarters[(month.year, (month.month - 1) // 3)] += 1
        thematic[k] += sum(1 for n in quarters.values() if n == 3)
    return regular, thematic, cells


@register
class MeetingAttendanceReport(Report):
    name = "meeting_attendance"
    sums_to = {
        "regular_due": [(0, "totals", "regular_due")],
        "regular": [(0, "totals", "regular")],
        "thematic": [(0, "totals", "thematic")],
        "unexcused": [(1, "totals", "unexcused")],
    }
    title = _("Sinh hoạt chi bộ và tỷ lệ đảng viên dự sinh hoạt")
    short_title = _("Tỷ lệ sinh hoạt")
    description = _(
        "Sinh hoạt thường kỳ đã họp so với phải họp, sinh hoạt chuyên đề, tỷ lệ dự sinh hoạt "
        "theo loại chi bộ so với chỉ tiêu, vắng có lý do và không lý do."
    )
    periodic = True

    def sections(self, snap, params):
        months = months_of(params.start, params.end, date.today())
        due = cell_months(snap, months)
        regular_due, thematic_due, cells = _required(due, lambda u, c: c or Category.OTHER)
        figures = {(k or Category.OTHER): rest for k, *rest in meeting_figures(snap, months)}
        categories = [c for c in Category if c.value in cells or c.value in figures]
        held_rows, attendance_rows = [], []
        for c in categories:
            regular, thematic, present, summoned, excused, unexcused = figures.get(c.value, [0] * 6)
            held_rows.append(
                [
                    c.label,
                    cells.get(c.value, 0),
                    regular_due.get(c.value, 0),
                    regular,
                    pct(regular, regular_due.get(c.value, 0)),
                    thematic_due.get(c.value, 0),
                    thematic,
                ]
            )
            target = float(attendance_target(c.value) * 100)
            rate = pct(present, summoned)
            attendance_rows.append(
                [
                    c.label,
                    summoned,
                    present,
                    rate,
                    round(target, 1),
                    "" if rate is None else (_("Đạt") if rate >= target else _("Chưa đạt")),
                    excused,
                    unexcused,
                ]
            )
        held_columns = [
            Column("category", _("Loại chi bộ"), "text"),
            Column("cells", _("Số chi bộ")),
            Column("regular_due", _("Sinh hoạt thường kỳ phải họp")),
            Column("regular", _("Đã họp")),
            Column("regular_pct", _("Tỷ lệ (%)"), "pct"),
            Column("thematic_due", _("Chuyên đề phải họp (mỗi quý)")),
            Column("thematic", _("Chuyên đề đã họp")),
        ]
        held_totals = _sum_rows(held_rows, held_columns)
        held_totals[4] = pct(held_totals[3], held_totals[2])
        attendance_columns = [
            Column("category", _("Loại chi bộ"), "text"),
            Column("summoned", _("Lượt triệu tập")),
            Column("present", _("Lượt có mặt")),
            Column("rate", _("Tỷ lệ dự sinh hoạt (%)"), "pct"),
            Column("target", _("Chỉ tiêu (%)"), "pct"),
            Column("met", _("Đánh giá"), "text"),
            Column("excused", _("Vắng có lý do")),
            Column("unexcused", _("Vắng không lý do")),
        ]
        attendance_totals = _sum_rows(attendance_rows, attendance_columns)
        attendance_totals[3] = pct(attendance_totals[2], attendance_totals[1])
        note = (
            _("Các tháng đã hết từ %(first)s đến %(last)s.")
            % {"first": months[0].strftime("%m/%Y"), "last": months[-1].strftime("%m/%Y")}
            if months
            else _("Trong kỳ chưa có tháng nào kết thúc.")
        )
        return [
            Section(
                title=_("Sinh hoạt thường kỳ và chuyên đề theo loại chi bộ"),
                columns=held_columns,
                rows=held_rows,
                totals=held_totals,
                note=note,
            ),
            Section(
                title=_("Tỷ lệ đảng viên dự sinh hoạt so với chỉ tiêu"),
                columns=attendance_columns,
                rows=attendance_rows,
                totals=attendance_totals,
                chart={
                    "type": "bar",
                    "title": _("Tỷ lệ dự sinh hoạt (%) so với chỉ tiêu"),
                    "labels": [r[0] for r in attendance_rows],
                    "values": [r[3] or 0 for r in attendance_rows],
                    "max": 100,
                    # per kind of cell: 85% residential and village, 95% others
                    "target": [r[4] for r in attendance_rows],
                    "target_label": _("Chỉ tiêu theo loại chi bộ"),
                },
            ),
        ]

    def breakdown(self, snap, params):
        months = months_of(params.start, params.end, date.today())
        # each month and meeting under the sub-unit its cell lay under then
        regular_due = months_owed_by_branch(snap, months)
        sums: dict = defaultdict(lambda: [0] * 6)
        for branch, *rest in meeting_figures(snap, months, by_branch=True):
            sums[branch] = [a + b for a, b in zip(sums[branch], rest, strict=True)]
        columns = [
            Column("regular_due", _("Thường kỳ phải họp")),
            Column("regular", _("Đã họp")),
            Column("regular_pct", _("Tỷ lệ (%)"), "pct"),
            Column("thematic", _("Chuyên đề đã họp")),
            Column("rate", _("Tỷ lệ dự sinh hoạt (%)"), "pct"),
            Column("unexcused", _("Vắng không lý do")),
        ]

        def figures(child):
            regular, thematic, present, summoned, _excused, unexcused = sums[child.id]
            required = regular_due.get(child.id, 0)
            return [
                required,
                regular,
                pct(regular, required),
                thematic,
                pct(present, summoned),
                unexcused,
            ]

        section = _children_section(snap, _("Theo đơn vị trực thuộc"), columns, figures)
        totals = _sum_rows(section.rows, section.columns)
        everything = [0] * 6
        for s in sums.values():
            everything = [a + b for a, b in zip(everything, s, strict=True)]
        totals[3] = pct(totals[2], totals[1])
        totals[5] = pct(everything[2], everything[3])
        section.totals = totals
        section.chart = {
            "type": "bar",
            "sort": True,
            "title": _("Tỷ lệ dự sinh hoạt (%) so với chỉ tiêu"),
            "labels": [r[0] for r in section.rows],
            "values": [r[5] or 0 for r in section.rows],
            "max": 100,
            # a cell against its kind's target; a committee's cells have several
            "target": [
                float(attendance_target(c.category) * 100) if c.level in CELL_LEVELS else None
                for c in snap.children
            ],
            "target_label": _("Chỉ tiêu (85% chi bộ khu dân cư, 95% chi bộ khác)"),
        }
        return section


# --- restructuring (seeds 002 and 003) ---------------------------------------------------


def _shape(snap: Snapshot | None) -> dict:
    """Units directly under the root, grassroots organizations, cells and
    members of a snapshot (all zero when the unit did not exist)."""
    if snap is None:
        return {"direct": 0, "grassroots": 0, "cells": 0, "members": 0, "per_child": {}}
    subtree = roll_up(snap, member_counts_by_unit(snap))
    return {
        "direct": sum(1 for u in snap.units if u.parent_id == snap.root.id),
        "grassroots": sum(
            1 for u in snap.units if u.level in GRASSROOTS_LEVELS and u.id != snap.root.id
        ),
        "cells": sum(1 for u in snap.units if u.level in CELL_LEVELS and u.id != snap.root.id),
        "members": subtree.get(snap.root.id, MemberCounts()).total,
        "subtree": subtree,
        "snap": snap,
    }


@register
class RestructuringReport(Report):
    name = "restructuring"
    sums_to = {
        "grassroots_before": [(1, 1, "before")],
        "grassroots_after": [(1, 1, "after")],
        "cells_before": [(1, 2, "before")],
        "cells_after": [(1, 2, "after")],
    }
    title = _("Sắp xếp, kiện toàn tổ chức")
    short_title = _("Sắp xếp tổ chức")
    description = _(
        "Đơn vị thành lập, giải thể, hợp nhất, chuyển trực thuộc trong kỳ; số đơn vị trực thuộc "
        "trước và sau; đảng viên chuyển sinh hoạt theo các quyết định đó."
    )
    periodic = True

    def _events(self, snap, params):
        pairs = restructures_touching(snap, params.start, params.end)
        ids = {rid for rid, _path in pairs}
        events = list(Restructure.objects.filter(pk__in=ids).order_by("effective_on", "pk"))
        return events, pairs

    @staticmethod
    def _moved(event) -> int:
        members = (event.data or {}).get("members") or {}
        return len(members) if isinstance(members, dict) else 0

    def sections(self, snap, params):
        events, _pairs = self._events(snap, params)
        before_day = params.start - timedelta(days=1)
        unit = Unit(pk=snap.root.id)
        before = _shape(snapshot(unit, before_day))
        after = _shape(snap)
        by_kind = []
        for kind in Restructure.Kind:
            chosen = [e for e in events if e.kind == kind]
            if chosen:
                by_kind.append([kind.label, len(chosen), sum(self._moved(e) for e in chosen)])
        kind_columns = [
            Column("kind", _("Loại sắp xếp"), "text"),
            Column("decisions", _("Số quyết định")),
            Column("members", _("Đảng viên chuyển sinh hoạt")),
        ]
        shape_rows = [
            [str(label), before[key], after[key], after[key] - before[key]]
            for key, label in (
                ("direct", _("Đơn vị trực thuộc trực tiếp")),
                ("grassroots", _("Tổ chức cơ sở đảng")),
                ("cells", _("Chi bộ")),
                ("members", _("Đảng viên")),
            )
        ]
        return [
            Section(
                title=_("Quyết định sắp xếp tổ chức trong kỳ"),
                columns=kind_columns,
                rows=by_kind,
                totals=_sum_rows(by_kind, kind_columns),
            ),
            Section(
                title=_("Trước và sau sắp xếp"),
                columns=[
                    Column("line", _("Chỉ tiêu"), "text"),
                    Column("before", _("Ngày %(d)s") % {"d": before_day.strftime("%d/%m/%Y")}),
                    Column("after", _("Ngày %(d)s") % {"d": params.end.strftime("%d/%m/%Y")}),
                    Column("change", _("Tăng (+), giảm (−)")),
                ],
                rows=shape_rows,
                chart={
                    "type": "bar",
                    "title": _("Đơn vị trực thuộc trực tiếp: trước và sau"),
                    "labels": [_("Trước"), _("Sau")],
                    "values": [before["direct"], after["direct"]],
                },
            ),
            Section(
                title=_("Danh sách quyết định"),
                columns=[
                    Column("day", _("Ngày hiệu lực"), "text"),
                    Column("number", _("Số quyết định"), "text"),
                    Column("kind", _("Loại"), "text"),
                    Column("summary", _("Nội dung"), "text"),
                    Column("members", _("Đảng viên chuyển sinh hoạt")),
                ],
                rows=[
                    [
                        e.effective_on.strftime("%d/%m/%Y"),
                        e.decision_number,
                        e.get_kind_display(),
                        e.summary,
                        self._moved(e),
                    ]
                    for e in events
                ],
            ),
        ]

    def breakdown(self, snap, params):
        events, pairs = self._events(snap, params)
        moved = {e.pk: self._moved(e) for e in events}
        depth = len(snap.root.path)
        touched: dict[int, set] = defaultdict(set)
        for rid, path in pairs:
            if len(path) > depth:
                touched[int(path[depth : depth + 8])].add(rid)
        before = snapshot(Unit(pk=snap.root.id), params.start - timedelta(days=1))

        # direct sub-units per unit, counted once per date (a scan of the
        # 5,779 units for each of 1,000 sub-units took 2.7 s)
        children_of = {
            id(s): Counter(u.parent_id for u in s.units) for s in (before, snap) if s is not None
        }

        def direct(s, unit_id):
            return children_of[id(s)][unit_id] if s else 0

        # Members before and after by sub-unit are the structure report's
        # breakdown on the two dates; left out here to keep this one fast.
        def tally(s):
            """{sub-unit: [grassroots organizations, cells]} in each sub-unit's subtree."""
            out: dict[int, list[int]] = defaultdict(lambda: [0, 0])
            for u in s.units if s else []:
                branch = s.branch_of(u.id)
                if branch is not None:
                    out[branch][0] += u.level in GRASSROOTS_LEVELS
                    out[branch][1] += u.level in CELL_LEVELS
            return out

        then, now = tally(before), tally(Snapshot(root=snap.root, day=snap.day, units=snap.units))
        columns = [
            Column("decisions", _("Quyết định liên quan")),
            Column("moved", _("Đảng viên chuyển sinh hoạt")),
            Column("direct_before", _("Đơn vị trực thuộc đầu kỳ")),
            Column("direct_after", _("Đơn vị trực thuộc cuối kỳ")),
            Column("grassroots_before", _("Tổ chức cơ sở đảng đầu kỳ")),
            Column("grassroots_after", _("Tổ chức cơ sở đảng cuối kỳ")),
            Column("cells_before", _("Chi bộ đầu kỳ")),
            Column("cells_after", _("Chi bộ cuối kỳ")),
        ]
        section = _children_section(
            snap,
            _("Theo đơn vị trực thuộc"),
            columns,
            lambda c: [
                len(touched[c.id]),
                sum(moved.get(r, 0) for r in touched[c.id]),
                direct(before, c.id),
                direct(snap, c.id),
                then[c.id][0],
                now[c.id][0],
                then[c.id][1],
                now[c.id][1],
            ],
        )
        section.note = _("Một quyết định liên quan đến nhiều đơn vị được tính ở mỗi đơn vị đó.")
        labels = [r[0] for r in section.rows]
        section.chart = [
            {
                "type": "bar",
                "sort": True,
                "title": _("Đảng viên chuyển sinh hoạt do sắp xếp tổ chức"),
                "labels": labels,
                "values": [r[2] for r in section.rows],
            },
            {
                "type": "bar",
                "sort": True,
                "title": _("Quyết định sắp xếp liên quan"),
                "labels": labels,
                "values": [r[1] for r in section.rows],
            },
        ]
        return section


# --- ratings (annual review) ------------------------------------------------------------


def _rating_label(level: str) -> str:
    return f"{RatingLevel(level).label} ({RATING_SHORT[level]})"


RATING_COLUMNS = [
    Column("level", _("Mức xếp loại"), "text"),
    Column("count", _("Năm nay")),
    Column("share", _("Tỷ lệ (%)"), "pct"),
    Column("last_count", _("Năm trước")),
    Column("last_share", _("Tỷ lệ năm trước (%)"), "pct"),
    Column("change", _("Tăng (+), giảm (−)")),
]


def _rating_section(title: str, counts: dict, last: dict, year: int, chart_title=None) -> Section:
    """One line per level, this year and last: count, share, change."""
    total, last_total = sum(counts.values()), sum(last.values())
    rows = [
        [
            _rating_label(level),
            counts.get(level, 0),
            pct(counts.get(level, 0), total),
            last.get(level, 0),
            pct(last.get(level, 0), last_total),
            counts.get(level, 0) - last.get(level, 0),
        ]
        for level in RATING_ORDER
    ]
    columns = [
        RATING_COLUMNS[0],
        Column("count", _("Năm %(y)s") % {"y": year}),
        RATING_COLUMNS[2],
        Column("last_count", _("Năm %(y)s") % {"y": year - 1}),
        Column("last_share", _("Tỷ lệ năm %(y)s (%%)") % {"y": year - 1}, "pct"),
        RATING_COLUMNS[5],
    ]
    section = Section(
        title=title,
        columns=columns,
        rows=rows,
        totals=[
            _("Tổng số được xếp loại"),
            total,
            pct(total, total),
            last_total,
            pct(last_total, last_total),
            total - last_total,
        ],
    )
    if chart_title and total:
        section.chart = {
            "type": "pie",
            "title": chart_title,
            "labels": [RATING_SHORT[level] for level in RATING_ORDER],
            "values": [r[1] for r in rows],
            "keys": [str(level) for level in RATING_ORDER],
        }
    return section


def _good_or_better(counts: dict) -> int:
    return counts.get(RatingLevel.EXCELLENT, 0) + counts.get(RatingLevel.GOOD, 0)


@register
class RatingsReport(Report):
    """Counts the levels the competent committee has decided (published ones
    included, as published reviews are decided ones): that is what the
    reviews app's results page shows (reviews.selectors.member_results, reused
    here), and a proposal of the cell may still be changed by the committee.
    Reviews still awaiting a decision are given in a note, not counted.
    Members and organizations are counted where they were rated (the
    review's path), so a member who moved cells since stays in the old one."""

    name = "ratings"
    sums_to = {
        "rated": [(0, "totals", "count")],
        "excellent": [(0, 0, "count")],
        "good": [(0, 1, "count")],
        "completed": [(0, 2, "count")],
        "not_completed": [(0, 3, "count")],
        "orgs": [(1, "totals", "count"), (2, "totals", "count")],
    }
    title = _("Kết quả đánh giá, xếp loại chất lượng")
    short_title = _("Xếp loại chất lượng")
    description = _(
        "Đảng viên và tổ chức đảng theo mức xếp loại trong năm, tỷ lệ từng mức, so với năm trước."
    )
    periodic = True
    yearly = True

    @staticmethod
    def _unit(snap: Snapshot) -> Unit:
        # The subtree's path in the year rated (the results selector reads `path`).
        return Unit(pk=snap.root.id, name=snap.root.name, path=snap.root.path)

    def sections(self, snap, params):
        year = params.year
        line = member_results(self._unit(snap), year, by_child=False)[0]
        members = {f.level: f.count for f in line.figures}
        members_last = {f.level: f.last_count for f in line.figures}
        pending = members_awaiting_decision(snap.root.path, year)
        orgs = {
            kind: {year: defaultdict(int), year - 1: defaultdict(int)}
            for kind in ("cells", "grassroots")
        }
        orgs_pending = 0
        for y, unit_level, level, n in organization_ratings_by_level(snap.root.path, year):
            if not level:
                orgs_pending += n if y == year else 0
                continue
            kind = "grassroots" if unit_level in GRASSROOTS_LEVELS else "cells"
            orgs[kind][y][level] += n
        rs = rule_set_for_year(year)
        member_section = _rating_section(
            _("Đảng viên"),
            members,
            members_last,
            year,
            chart_title=_("Đảng viên theo mức xếp loại năm %(y)s") % {"y": year},
        )
        notes = [
            _("Tính các mức cấp ủy có thẩm quyền đã quyết định (kể cả đã công bố).")
            + (" " + _("Năm %(y)s áp dụng %(r)s.") % {"y": year, "r": rs.regulation} if rs else "")
        ]
        if pending:
            notes.append(
                _("Còn %(n)s đảng viên chưa có quyết định xếp loại, chưa tính.") % {"n": pending}
            )
        member_section.note = " ".join(notes)
        cells = _rating_section(
            _("Chi bộ trực thuộc đảng bộ cơ sở"),
            orgs["cells"][year],
            orgs["cells"][year - 1],
            year,
            chart_title=_("Chi bộ theo mức xếp loại năm %(y)s") % {"y": year},
        )
        if orgs_pending:
            cells.note = _("Còn %(n)s tổ chức đảng chưa có quyết định xếp loại, chưa tính.") % {
                "n": orgs_pending
            }
        grassroots = _rating_section(
            _("Tổ chức cơ sở đảng"),
            orgs["grassroots"][year],
            orgs["grassroots"][year - 1],
            year,
        )
        return [member_section, cells, grassroots]

    def breakdown(self, snap, params):
        year = params.year
        members = rating_counts_by_branch(MemberReview, snap, year)
        orgs = rating_counts_by_branch(OrganizationReview, snap, year)
        columns = [
            Column("rated", _("Đảng viên xếp loại")),
            Column("excellent", "HTXSNV"),
            Column("good", "HTTNV"),
            Column("completed", "HTNV"),
            Column("not_completed", "KHTNV"),
            Column("good_pct", _("HTTNV trở lên (%)"), "pct"),
            Column("last_good_pct", _("HTTNV trở lên năm %(y)s (%%)") % {"y": year - 1}, "pct"),
            Column("orgs", _("Tổ chức đảng xếp loại")),
            Column("orgs_good_pct", _("Tổ chức HTTNV trở lên (%)"), "pct"),
        ]
        everything = {"this": defaultdict(int), "last": defaultdict(int), "orgs": defaultdict(int)}
        none = {year: {}, year - 1: {}}

        def figures_of(this, last, org):
            rated, last_rated, orgs_rated = (
                sum(this.values()),
                sum(last.values()),
                sum(org.values()),
            )
            return [
                rated,
                *(this.get(level, 0) for level in RATING_ORDER),
                pct(_good_or_better(this), rated),
                pct(_good_or_better(last), last_rated),
                orgs_rated,
                pct(_good_or_better(org), orgs_rated),
            ]

        def figures(child):
            this, last = members.get(child.id, none)[year], members.get(child.id, none)[year - 1]
            org = orgs.get(child.id, none)[year]
            for key, counts in (("this", this), ("last", last), ("orgs", org)):
                for level, n in counts.items():
                    everything[key][level] += n
            return figures_of(this, last, org)

        section = _children_section(snap, _("Theo đơn vị trực thuộc"), columns, figures)
        section.totals = [
            _("Tổng cộng"),
            *figures_of(everything["this"], everything["last"], everything["orgs"]),
        ]
        # every level's share of each sub-unit, in the levels' own colours,
        # the sub-unit with the most rated good or better first
        levels = [("excellent", 2, "HTXSNV"), ("good", 3, "HTTNV"), ("completed", 4, "HTNV")]
        levels.append(("not_completed", 5, "KHTNV"))
        shares = {
            "type": "stacked",
            "percent": True,
            "sort": True,
            "lead": 2,
            "lead_label": _("Số cuối mỗi thanh: tỷ lệ HTTNV trở lên (%)"),
            "title": _("Mức xếp loại đảng viên năm %(y)s theo đơn vị (%%)") % {"y": year},
            "labels": [r[0] for r in section.rows],
            "series": [
                {"label": label, "key": key, "values": [r[i] for r in section.rows]}
                for key, i, label in levels
            ],
        }
        rs = rule_set_for_year(year)
        if rs is not None and rs.excellent_cap is not None:
            # the cap of the rule set: excellent at most 20% of those rated good or better
            def excellent_share(row):
                excellent, good = row[2], row[3]
                return pct(excellent, excellent + good) or 0

            section.chart = [shares]
            section.chart.append(
                {
                    "type": "bar",
                    "sort": True,
                    "title": _("HTXSNV trên số đảng viên HTTNV trở lên năm %(y)s (%%)")
                    % {"y": year},
                    "labels": [r[0] for r in section.rows],
                    "values": [excellent_share(r) for r in section.rows],
                    "max": 100,
                    "target": float(rs.excellent_cap * 100),
                    "cap": True,
                    "target_label": _("Tối đa theo %(r)s") % {"r": rs.regulation},
                }
            )
        else:
            section.chart = [shares]
        section.note = _(
            "Tính các mức cấp ủy có thẩm quyền đã quyết định (kể cả đã công bố), "
            "ở đơn vị nơi được đánh giá."
        )
        return section


# --- party dues (issue 13) ---------------------------------------------------------------


@register
class DuesReport(Report):
    """The dues a committee reports upward: what its cells collected each
    month (cash and portal), the voluntary higher payments, and what the
    committee kept and sent up under the shares in force."""

    name = "dues"
    sums_to = {
        "paid": [(0, "totals", "paid")],
        "collected": [(0, "totals", "collected")],
        "portal": [(0, "totals", "portal")],
    }
    title = _("Thu, nộp đảng phí")
    short_title = _("Đảng phí")
    description = _(
        "Số đảng viên đã đóng và số thu đảng phí theo tháng (tiền mặt và qua Cổng Dịch vụ "
        "công), đóng tự nguyện cao hơn mức quy định, trích giữ lại và nộp cấp trên."
    )
    periodic = True

    def sections(self, snap, params):
        from dues.selectors import dues_figures

        months = months_of(params.start, params.end, date.today())
        unit = Unit.objects.get(pk=snap.root.id)
        found = dues_figures(unit, months)
        rows = []
        for m in months:
            paid, collected, portal, voluntary = found["months"][m]
            kept, sent_up = found["shares"][m]
            rows.append([m.strftime("%m/%Y"), paid, collected, portal, voluntary, kept, sent_up])
        columns = [
            Column("month", _("Tháng"), "text"),
            Column("paid", _("Lượt đảng viên đã đóng")),
            Column("collected", _("Số thu (đồng)")),
            Column("portal", _("Trong đó qua Cổng DVC (đồng)")),
            Column("voluntary", _("Lượt đóng tự nguyện cao hơn")),
            Column("kept", _("Trích giữ lại trong đảng bộ (đồng)")),
            Column("sent_up", _("Nộp cấp trên (đồng)")),
        ]
        return [
            Section(
                title=_("Thu, nộp đảng phí theo tháng"),
                columns=columns,
                rows=rows,
                totals=_sum_rows(rows, columns),
                note=_("Tỷ lệ trích giữ lại theo cấu hình đang có hiệu lực mỗi tháng."),
                chart={
                    "type": "bar",
                    "title": _("Số thu đảng phí (đồng) theo tháng"),
                    "labels": [r[0] for r in rows],
                    "values": [r[2] for r in rows],
                },
            )
        ]

    def breakdown(self, snap, params):
        from dues.selectors import dues_figures

        months = months_of(params.start, params.end, date.today())
        branches = dues_figures(snap.root, months)["branches"]
        columns = [
            Column("paid", _("Lượt đảng viên đã đóng")),
            Column("collected", _("Số thu (đồng)")),
            Column("portal", _("Trong đó qua Cổng DVC (đồng)")),
        ]
        section = _children_section(
            snap, _("Theo đơn vị trực thuộc"), columns, lambda c: branches[c.id][:3]
        )
        section.totals = _sum_rows(section.rows, section.columns)
        section.chart = {
            "type": "bar",
            "sort": True,
            "title": _("Số thu đảng phí (đồng) theo đơn vị trực thuộc"),
            "labels": [r[0] for r in section.rows],
            "values": [r[2] or 0 for r in section.rows],
        }
        return section
