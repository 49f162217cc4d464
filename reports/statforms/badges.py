"""Badges, cards and transfers (7-BTCTW 2017, II–IV: "Thống kê về nghiệp vụ
công tác đảng viên"): party badges awarded by milestone, party cards issued,
reissued and replaced, and transfers in and out counted as "lượt"
(temporary and permanent), each counted where the member's permanent cell
lay on the day."""

from collections import defaultdict

from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.choices import CardEvent, PlacementKind
from members.models import Badge, PartyCard, Placement
from members.rules import BADGE_YEARS
from organizations.models import UnitVersion
from reports.catalogue import _children_section, register
from reports.statforms import reads
from reports.statforms.base import (
    FormReport,
    FormVersion,
    Line,
    standard_section,
    sum_checks,
    year_before,
)
from reports.tables import Column

SET_2012 = (
    "Trong bộ biểu 2012, huy hiệu ở Biểu 8-TCTW, thẻ và giới thiệu sinh hoạt ở Biểu 10-TCTW; "
    "biểu này in các dòng theo Biểu 7-BTCTW (2017)."
)
NOT_KEPT = (
    "Dòng “chuyển đến / chuyển đi chưa đúng quy định”, “phát hiện giả mạo” của Biểu 7-BTCTW chưa "
    "có dữ liệu trong phần mềm: không in."
)


def _lines(proxy: str) -> tuple[Line, ...]:
    badges = tuple(f"II.{i}" for i in range(1, len(BADGE_YEARS) + 1))
    lines = [Line("II", "Tặng Huy hiệu Đảng", "badges", badges, strong=True, proxy=proxy)]
    for i, years in enumerate(BADGE_YEARS, start=1):
        lines.append(Line(f"II.{i}", f"- Huy hiệu {years} năm tuổi Đảng", f"badge_{years}"))
    lines += [
        Line("III", "Phát thẻ đảng viên", "cards", ("III.1", "III.2", "III.3"), strong=True),
        Line("III.1", "- Phát thẻ cho đảng viên chính thức", f"card_{CardEvent.ISSUED}"),
        Line("III.2", "- Cấp lại do mất", f"card_{CardEvent.REISSUED}"),
        Line("III.3", "- Đổi do hỏng", f"card_{CardEvent.REPLACED}"),
        Line(
            "IV",
            "Giới thiệu sinh hoạt đảng (lượt)",
            "transfers",
            ("IV.1", "IV.2", "IV.3", "IV.4"),
            strong=True,
            proxy=NOT_KEPT,
        ),
        Line("IV.1", "- Tạm thời: đi", "temporary_out"),
        Line("IV.2", "- Tạm thời: đến", "temporary_in"),
        Line("IV.3", "- Chính thức: đi", "permanent_out"),
        Line("IV.4", "- Chính thức: đến", "permanent_in"),
    ]
    return tuple(lines)


def _on_day_sql(table: str, day_column: str) -> str:
    """Rows of `table` whose member's permanent cell lay in the subtree on
    the row's day, with that cell's path."""
    p, v = Placement._meta.db_table, UnitVersion._meta.db_table
    return f"""
        FROM {table} x
        JOIN {p} p ON p.member_id = x.member_id AND p.kind = %s
             AND p.valid_from <= x.{day_column} AND (p.valid_to IS NULL OR p.valid_to > x.{day_column})
        JOIN {v} v ON v.unit_id = p.unit_id AND v.valid_from <= x.{day_column}
             AND (v.valid_to IS NULL OR v.valid_to > x.{day_column}) AND v.path LIKE %s
        WHERE x.{day_column} >= %s AND x.{day_column} <= %s
    """


def _temporary(root_path, start, end):
    """(home path, host path) of the temporary transfers begun in the period. One query."""
    p, v = Placement._meta.db_table, UnitVersion._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT hv.path, tv.path FROM {p} t
            JOIN {v} tv ON tv.unit_id = t.unit_id AND tv.valid_from <= t.valid_from
                 AND (tv.valid_to IS NULL OR tv.valid_to > t.valid_from)
            LEFT JOIN {p} h ON h.member_id = t.member_id AND h.kind = %s
                 AND h.valid_from <= t.valid_from AND (h.valid_to IS NULL OR h.valid_to > t.valid_from)
            LEFT JOIN {v} hv ON hv.unit_id = h.unit_id AND hv.valid_from <= t.valid_from
                 AND (hv.valid_to IS NULL OR hv.valid_to > t.valid_from)
            WHERE t.kind = %s AND t.valid_from >= %s AND t.valid_from <= %s
              AND (tv.path LIKE %s OR hv.path LIKE %s)
            """,
            [
                PlacementKind.PERMANENT,
                PlacementKind.TEMPORARY,
                start,
                end,
                root_path + "%",
                root_path + "%",
            ],
        )
        return cursor.fetchall()


def figures(root_path, params, *, by_branch=False) -> dict:
    f: dict = defaultdict(int)
    per: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    args = [PlacementKind.PERMANENT, root_path + "%", params.start, params.end]
    with connection.cursor() as cursor:
        # counted by cell in the database: rows bounded by the cells, not the members
        badges = _on_day_sql(Badge._meta.db_table, "awarded_on")
        cursor.execute(f"SELECT x.years, v.path, COUNT(*) {badges} GROUP BY x.years, v.path", args)
        for years, path, n in cursor.fetchall():
            f[f"badge_{years}"] += n
            per[reads.branch_segment(root_path, path) or 0]["badges"] += n
        cards = _on_day_sql(PartyCard._meta.db_table, "issued_on")
        cursor.execute(f"SELECT x.event, v.path, COUNT(*) {cards} GROUP BY x.event, v.path", args)
        for event, path, n in cursor.fetchall():
            f[f"card_{event}"] += n
            per[reads.branch_segment(root_path, path) or 0]["cards"] += n
    for home, host in _temporary(root_path, params.start, params.end):
        home_in = bool(home) and home.startswith(root_path)
        host_in = bool(host) and host.startswith(root_path)
        if home_in and not host_in:
            f["temporary_out"] += 1
        if host_in and not home_in:
            f["temporary_in"] += 1
        if by_branch:
            if home_in:
                per[reads.branch_segment(root_path, home) or 0]["temporary_out"] += 1
            if host_in:
                per[reads.branch_segment(root_path, host) or 0]["temporary_in"] += 1
    moved = reads.movement_tally(
        root_path, reads.day_before(params.start), params.end, branches=by_branch
    )
    for event in moved:
        if event.cause in (reads.IN_PROVINCE, reads.IN_DISTRICT, reads.IN_UNKNOWN):
            f["permanent_in"] += event.n
        elif event.cause in (reads.OUT_PROVINCE, reads.OUT_DISTRICT, reads.OUT_UNKNOWN):
            f["permanent_out"] += event.n
        if by_branch and event.cause in (
            reads.IN_PROVINCE,
            reads.IN_DISTRICT,
            reads.IN_UNKNOWN,
            reads.OUT_PROVINCE,
            reads.OUT_DISTRICT,
            reads.OUT_UNKNOWN,
            reads.INTERNAL,
        ):
            key = "permanent_in" if event.sign > 0 else "permanent_out"
            per[reads.branch_segment(root_path, event.path) or 0][key] += event.n
    f["badges"] = sum(f[f"badge_{y}"] for y in BADGE_YEARS)
    f["cards"] = sum(f[f"card_{e.value}"] for e in CardEvent)
    f["transfers"] = f["temporary_out"] + f["temporary_in"] + f["permanent_out"] + f["permanent_in"]
    f["per"] = per
    return f


@register
class BadgesCardsTransfersForm(FormReport):
    name = "badges_cards_transfers"
    form_name = gettext_lazy("Biểu 7")
    title = gettext_lazy("Biểu 7 – Huy hiệu Đảng, thẻ đảng viên, giới thiệu sinh hoạt đảng")
    short_title = gettext_lazy("Biểu 7 huy hiệu thẻ chuyển sinh hoạt")
    description = gettext_lazy(
        "Huy hiệu Đảng trao tặng theo mốc tuổi Đảng, thẻ đảng viên phát, cấp lại, đổi; lượt giới "
        "thiệu sinh hoạt đảng tạm thời và chính thức, đi và đến."
    )
    periodic = True
    versions = {
        "2012": FormVersion("7", "THỐNG KÊ VỀ NGHIỆP VỤ CÔNG TÁC ĐẢNG VIÊN", _lines(SET_2012)),
        "2017": FormVersion("7", "THỐNG KÊ VỀ NGHIỆP VỤ CÔNG TÁC ĐẢNG VIÊN", _lines("")),
    }
    # rows of the form: II is 0, III is 13
    sums_to = {"badges": [(0, 0, "this")], "cards": [(0, 13, "this")]}

    def sections(self, snap, params):
        _set, version = self.version_for(params.end)
        this = figures(snap.root.path, params)
        last = figures(snap.root.path, year_before(params))
        return [standard_section(version.title.capitalize(), version.lines, this, last)]

    def checks(self, table, snap, params):
        _set, version = self.version_for(params.end)
        return sum_checks(table, version.lines)

    def breakdown(self, snap, params):
        per = figures(snap.root.path, params, by_branch=True)["per"]
        keys = ["badges", "cards", "temporary_out", "temporary_in", "permanent_out", "permanent_in"]
        columns = [
            Column("badges", _("Huy hiệu Đảng")),
            Column("cards", _("Thẻ đảng viên")),
            Column("temporary_out", _("Tạm thời đi")),
            Column("temporary_in", _("Tạm thời đến")),
            Column("permanent_out", _("Chính thức đi")),
            Column("permanent_in", _("Chính thức đến")),
        ]
        section = _children_section(
            snap, _("Theo đơn vị trực thuộc"), columns, lambda c: [per[c.id][k] for k in keys]
        )
        section.totals = [
            _("Cộng"),
            *(sum(r[i + 1] for r in section.rows) for i in range(len(keys))),
        ]
        return section
