"""Biểu 1: tăng, giảm đảng viên (member movement over a period)."""

from collections import defaultdict
from datetime import date

from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.choices import PlacementKind, Status
from members.models import Placement, StatusPeriod
from organizations.models import UnitVersion
from reports.catalogue import Params, _children_section, register
from reports.selectors import member_counts_by_unit, snapshot
from reports.statforms import reads
from reports.statforms.base import (
    Check,
    FormReport,
    FormVersion,
    Line,
    standard_section,
    sum_checks,
    value_of,
    year_before,
)
from reports.tables import Column

G_PROXY = (
    "Định nghĩa “có mặt” chưa rõ trong bản tái hiện: tính bằng D trừ đảng viên đang sinh hoạt "
    "tạm thời ở nơi khác, cộng đảng viên nơi khác đang sinh hoạt tạm thời tại đơn vị."
)
CODE_PROXY = "Dòng “trong đó” có trong bộ biểu 2017; mã dòng chưa rõ, tạm ghi C3a."


def _lines(v2017: bool) -> tuple[Line, ...]:
    opening = (
        "Tổng số đảng viên cuối kỳ trước chuyển sang"
        if v2017
        else "Đảng viên trong danh sách có đến đầu kỳ báo cáo"
    )
    closing = (
        "Đảng viên trong danh sách cuối kỳ báo cáo"
        if v2017
        else "Đảng viên trong danh sách có đến cuối kỳ báo cáo"
    )
    lines = [
        Line("A", opening, "start", strong=True),
        Line("B", "Đảng viên tăng trong kỳ", "increases", ("B1", "B2", "B3"), strong=True),
        Line("B1", "Kết nạp", "admitted"),
        Line("B2", "Chuyển đến", "moved_in", ("B2a", "B2b")),
        Line("B2a", "a) Tỉnh ủy (và tương đương) khác chuyển đến", "in_province"),
        Line("B2b", "b) Huyện ủy (và tương đương) khác trong tỉnh chuyển đến", "in_district"),
        Line("B3", "Phục hồi đảng tịch", "restored"),
        Line(
            "C", "Đảng viên giảm trong kỳ", "decreases", ("C1", "C2", "C3", "C4", "C5"), strong=True
        ),
        Line("C1", "Từ trần", "death"),
        Line("C2", "Khai trừ", "expelled"),
        Line("C3", "Xóa tên", "removed"),
    ]
    if v2017:
        lines.append(
            Line("C3a", "Trong đó: Đảng viên dự bị", "removed_probationary", proxy=CODE_PROXY)
        )
    lines += [
        Line("C4", "Xin ra khỏi Đảng", "left"),
        Line("C5", "Chuyển đi", "moved_out", ("C5a", "C5b")),
        Line("C5a", "a) Đi tỉnh ủy (và tương đương) khác", "out_province"),
        Line("C5b", "b) Đi huyện ủy (và tương đương) khác trong tỉnh", "out_district"),
        Line("D", closing, "end", strong=True),
    ]
    if not v2017:
        lines += [
            Line("E", "Chênh lệch (chuyển đi − chuyển đến)", "difference"),
            Line("G", "Đảng viên có mặt đến cuối kỳ báo cáo", "present", proxy=G_PROXY),
        ]
    return tuple(lines)


CAUSE_KEYS = {
    reads.ADMITTED: "admitted",
    reads.RESTORED: "restored",
    reads.IN_PROVINCE: "in_province",
    reads.IN_DISTRICT: "in_district",
    reads.IN_UNKNOWN: "in_unknown",
    reads.ENTERED: "entered",
    reads.DEATH: "death",
    reads.EXPELLED: "expelled",
    reads.REMOVED: "removed",
    reads.LEFT: "left",
    reads.OUT_PROVINCE: "out_province",
    reads.OUT_DISTRICT: "out_district",
    reads.OUT_UNKNOWN: "out_unknown",
}


def _list_size(unit, day: date) -> int:
    return reads.list_size(unit.pk, day)


def _present_correction(root_path: str, day: date) -> int:
    """Members of other lists temporarily here, less members of this list
    temporarily elsewhere, on `day` (Biểu 1-2012, G). One query."""
    p, s, v = Placement._meta.db_table, StatusPeriod._meta.db_table, UnitVersion._meta.db_table
    valid = "{a}.valid_from <= %s AND ({a}.valid_to IS NULL OR {a}.valid_to > %s)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT hv.path, tv.path FROM {p} t
            JOIN {s} s ON s.member_id = t.member_id AND {valid.format(a="s")} AND s.status IN (%s, %s)
            JOIN {v} tv ON tv.unit_id = t.unit_id AND {valid.format(a="tv")}
            LEFT JOIN {p} h ON h.member_id = t.member_id AND h.kind = %s AND {valid.format(a="h")}
            LEFT JOIN {v} hv ON hv.unit_id = h.unit_id AND {valid.format(a="hv")}
            WHERE t.kind = %s AND {valid.format(a="t")}
            """,
            [
                day,
                day,
                Status.PROBATIONARY,
                Status.OFFICIAL,
                day,
                day,
                PlacementKind.PERMANENT,
                day,
                day,
                day,
                day,
                PlacementKind.TEMPORARY,
                day,
                day,
            ],
        )
        rows = cursor.fetchall()
    correction = 0
    for home, host in rows:
        home_in = bool(home) and home.startswith(root_path)
        host_in = bool(host) and host.startswith(root_path)
        correction += (1 if host_in and not home_in else 0) - (1 if home_in and not host_in else 0)
    return correction


def movement_figures(unit, root_path: str, params: Params, *, with_present: bool) -> dict:
    """The figures of Biểu 1 for [params.start, params.end]."""
    day0 = reads.day_before(params.start)
    f: dict = defaultdict(int)
    f["start"] = _list_size(unit, day0)
    f["end"] = _list_size(unit, params.end)
    for tally in reads.movement_tally(root_path, day0, params.end):
        f[CAUSE_KEYS[tally.cause]] += tally.n
        if tally.cause == reads.REMOVED and tally.probationary:
            f["removed_probationary"] += tally.n
    f["moved_in"] = f["in_province"] + f["in_district"] + f["in_unknown"]
    f["increases"] = f["admitted"] + f["moved_in"] + f["restored"]
    f["moved_out"] = f["out_province"] + f["out_district"] + f["out_unknown"]
    f["decreases"] = f["death"] + f["expelled"] + f["removed"] + f["left"] + f["moved_out"]
    f["difference"] = f["moved_out"] - f["moved_in"]
    if with_present:
        f["present"] = f["end"] + _present_correction(root_path, params.end)
    return f


@register
class MemberMovementForm(FormReport):
    name = "member_movement"
    form_name = gettext_lazy("Biểu 1")
    title = gettext_lazy("Biểu 1 – Tăng, giảm đảng viên")
    short_title = gettext_lazy("Biểu 1 tăng giảm đảng viên")
    description = gettext_lazy(
        "Đảng viên đầu kỳ, tăng (kết nạp, chuyển đến, phục hồi), giảm (từ trần, khai trừ, xóa "
        "tên, xin ra, chuyển đi) và cuối kỳ, tính từ lịch sử có ngày tháng."
    )
    periodic = True
    versions = {
        "2012": FormVersion("1", "BÁO CÁO TĂNG GIẢM ĐẢNG VIÊN", _lines(False)),
        "2017": FormVersion("1", "THỐNG KÊ TĂNG, GIẢM ĐẢNG VIÊN", _lines(True)),
    }
    # the breakdown: the list at both ends, and the causes that cannot cross
    # from one sub-unit to another, add up; transfers between sub-units are
    # an increase of one and a decrease of the other, none of the unit's
    # (rows of the 2017 set: C1 is row 8, D row 16)
    sums_to = {
        "start": [(0, 0, "this")],
        "admitted": [(0, 2, "this")],
        "death": [(0, 8, "this")],
        "end": [(0, 16, "this")],
    }

    def sections(self, snap, params):
        _set, version = self.version_for(params.end)
        unit = self._unit(snap)
        with_present = any(line.key == "present" for line in version.lines)
        this = movement_figures(unit, snap.root.path, params, with_present=with_present)
        last = movement_figures(
            unit, snap.root.path, year_before(params), with_present=with_present
        )
        section = standard_section(version.title.capitalize(), version.lines, this, last)
        section.note = _unexplained_note(this)
        return [section]

    @staticmethod
    def _unit(snap):
        from organizations.models import Unit

        return Unit.objects.get(pk=snap.root.id)

    def checks(self, table, snap, params):
        _set, version = self.version_for(params.end)
        out = sum_checks(table, version.lines)
        a, b, c, d = (value_of(table, code) for code in ("A", "B", "C", "D"))
        out.insert(
            0,
            Check(
                label="D = A + B − C",
                ok=d == a + b - c,
                rows=["D", "A", "B", "C"],
                detail=""
                if d == a + b - c
                else f"{d} ≠ {a} + {b} − {c}"
                + (f"; {table.sections[0].note}" if table.sections[0].note else ""),
            ),
        )
        return out

    def breakdown_checks(self, table, snap, params):
        """The sub-units add up to the unit: the lists at both ends, and the
        net movement (moves between sub-units cancel out)."""
        unit = self._unit(snap)
        section = table.sections[0]
        keys = [c.key for c in section.columns]
        sums = {k: sum(r[keys.index(k)] for r in section.rows) for k in ("start", "end")}
        net = sum(r[keys.index("increases")] - r[keys.index("decreases")] for r in section.rows)
        own = {
            "start": _list_size(unit, reads.day_before(params.start)),
            "end": _list_size(unit, params.end),
        }
        tallies = reads.movement_tally(snap.root.path, reads.day_before(params.start), params.end)
        own_net = sum(t.sign * t.n for t in tallies)
        out = []
        for key, code in (("start", "A"), ("end", "D")):
            ok = sums[key] == own[key]
            out.append(
                Check(
                    label=_("Cộng các đơn vị trực thuộc = %(code)s của %(unit)s")
                    % {"code": code, "unit": snap.root.name},
                    ok=ok,
                    rows=[code],
                    detail="" if ok else f"{sums[key]} ≠ {own[key]}",
                )
            )
        ok = net == own_net
        out.append(
            Check(
                label=_("Cộng (B − C) các đơn vị trực thuộc = B − C của %(unit)s")
                % {"unit": snap.root.name},
                ok=ok,
                rows=["B", "C"],
                detail="" if ok else f"{net} ≠ {own_net}",
            )
        )
        return out

    def breakdown(self, snap, params):
        day0 = reads.day_before(params.start)
        root = snap.root
        start_snap = snapshot(self._unit(snap), day0)
        per: dict[int, dict] = defaultdict(lambda: defaultdict(int))

        def add_lists(s, key):
            if s is None:
                return
            for unit_id, counts in member_counts_by_unit(s).items():
                branch = s.branch_of(unit_id)
                if branch is not None:
                    per[branch][key] += counts.total

        add_lists(start_snap, "start")
        add_lists(snap, "end")
        for tally in reads.movement_tally(root.path, day0, params.end, branches=True):
            branch = reads.branch_segment(root.path, tally.path)
            if branch is None:
                continue
            figures = per[branch]
            if tally.sign > 0:
                figures["increases"] += tally.n
                figures["admitted"] += tally.n if tally.cause == reads.ADMITTED else 0
            else:
                figures["decreases"] += tally.n
                figures["death"] += tally.n if tally.cause == reads.DEATH else 0
        columns = [
            Column("start", _("Đầu kỳ (A)")),
            Column("increases", _("Tăng (B)")),
            Column("admitted", _("Trong đó kết nạp")),
            Column("decreases", _("Giảm (C)")),
            Column("death", _("Trong đó từ trần")),
            Column("end", _("Cuối kỳ (D)")),
        ]
        keys = [c.key for c in columns]
        section = _children_section(
            snap,
            _("Tăng, giảm đảng viên theo đơn vị trực thuộc"),
            columns,
            lambda child: [per[child.id][k] for k in keys],
        )
        section.totals = [
            _("Cộng"),
            *(sum(r[i + 1] for r in section.rows) for i in range(len(keys))),
        ]
        section.note = _(
            "Chuyển sinh hoạt giữa các đơn vị trực thuộc là tăng của đơn vị này, giảm của đơn vị "
            "kia, không là tăng, giảm của cả đảng bộ."
        )
        return section


def _unexplained_note(f: dict) -> str:
    if not f.get("entered"):
        return ""
    return _(
        "%(n)s đảng viên vào danh sách trong kỳ mà hồ sơ chưa ghi lý do (nhập hồ sơ vào phần mềm "
        "trong kỳ): không tính vào dòng B; cần ghi rõ kết nạp, chuyển đến hay phục hồi."
    ) % {"n": f["entered"]}
