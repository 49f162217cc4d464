"""Biểu 2, section III: the grassroots organizations at the period's end,
those among them that admitted members in the period and those with no
non-members left to admit ("không còn quần chúng").

2017 set (2-BTCTW, [C2]): "III. Số tổ chức cơ sở đảng có đến cuối kỳ báo
cáo", 1. Đảng bộ cơ sở and 2. Chi bộ cơ sở, each "trong đó: có kết nạp đảng
viên / không còn quần chúng". 2012 set (2-TCTW, [C1]): "III. Số đơn vị cơ sở
có đến cuối kỳ", 1. chưa có TCCSĐ (units without a party organization, which
chibo does not hold: a visible gap with its reason), 2. đã có TCCSĐ with the
same two "trong đó".

A grassroots organization "có kết nạp" when one of the period's admissions
(reads.admitted, the same admissions as section I) was in a cell under it on
the day of admission, as the tree stood that day: a cell moved to another
organization later still counts for the one it admitted under;
"không còn quần chúng" is the flag on its version of the period's last day
(organizations.models.UnitFields.no_masses). A grassroots committee under
another (a đảng bộ bộ phận) is not counted, as in Biểu 5.
"""

from datetime import date

from organizations.models import GRASSROOTS_LEVELS, Level, UnitVersion, path_ids, valid_on
from reports.statforms import reads
from reports.statforms.base import Line, standard_section, year_before

NO_UNITS = (
    "Phần mềm quản lý các tổ chức đảng, không có danh sách đơn vị cơ sở chưa có tổ chức cơ sở "
    "đảng: dòng để trống."
)
NO_TOTAL = "Dòng tổng gồm cả đơn vị chưa có tổ chức cơ sở đảng (không có dữ liệu): để trống."


def section_lines(v2017: bool) -> tuple[Line, ...]:
    if v2017:
        lines = [
            Line(
                "III",
                "III. Số tổ chức cơ sở đảng có đến cuối kỳ báo cáo",
                "g_total",
                ("III.1", "III.2"),
                strong=True,
            )
        ]
        for n, label, level in (
            (1, "1. Đảng bộ cơ sở", "committee"),
            (2, "2. Chi bộ cơ sở", "cell"),
        ):
            lines += [
                Line(f"III.{n}", label, f"{level}_total", strong=True),
                Line(f"III.{n}a", "Trong đó: + Có kết nạp đảng viên", f"{level}_admitting"),
                Line(f"III.{n}b", "+ Không còn quần chúng", f"{level}_no_masses"),
            ]
        return tuple(lines)
    return (
        Line("III", "III. Số đơn vị cơ sở có đến cuối kỳ", "", strong=True, proxy=NO_TOTAL),
        Line("III.1", "1. Chưa có tổ chức cơ sở đảng", "", proxy=NO_UNITS),
        Line("III.2", "2. Đã có tổ chức cơ sở đảng", "g_total", strong=True),
        Line("III.2a", "Trong đó: có kết nạp đảng viên", "g_admitting"),
        Line("III.2b", "Không còn quần chúng", "g_no_masses"),
    )


def grassroots_figures(
    root_id: int, start: date, end: date, admitted_in: set[str] | None = None
) -> dict[str, int]:
    """The section's figures for the period start..end. Two queries for the
    organizations of the end day, and one for the cells' paths on the days
    of the period's admissions, unless given (`admitted_in`, read under the
    root's path of the end day)."""
    root = UnitVersion.objects.filter(valid_on(end), unit_id=root_id).values_list("path", flat=True)
    root_path = root.first()
    f = {
        k: 0
        for k in (
            "g_total",
            "g_admitting",
            "g_no_masses",
            *(
                f"{lv}_{x}"
                for lv in ("committee", "cell")
                for x in ("total", "admitting", "no_masses")
            ),
        )
    }
    if root_path is None:
        return f
    rows = list(
        UnitVersion.objects.filter(
            valid_on(end), path__startswith=root_path, level__in=GRASSROOTS_LEVELS
        ).values_list("unit_id", "level", "path", "no_masses")
    )
    ids = {r[0] for r in rows}
    outer = [r for r in rows if not any(a in ids for a in path_ids(r[2])[:-1])]
    admitting: set[int] = set()
    if admitted_in is None:
        counted = reads.admitted(root_path, start, end, ())
        admitted_in = {path for path, _n in reads.count_groups(counted, ["path"])}
    for path in admitted_in:
        admitting.update(path_ids(path))
    for unit_id, level, _path, no_masses in outer:
        kind = "committee" if level == Level.GRASSROOTS_COMMITTEE else "cell"
        for prefix in ("g", kind):
            f[f"{prefix}_total"] += 1
            f[f"{prefix}_admitting"] += unit_id in admitting
            f[f"{prefix}_no_masses"] += bool(no_masses)
    return f


TITLE = "III. Tổ chức cơ sở đảng có đến cuối kỳ"


def section(snap, params, v2017: bool, title: str = TITLE, admitted_in: set[str] | None = None):
    """Section III of Biểu 2 for the report's unit and period, beside the
    same period a year before; `admitted_in`, the cells' paths of the
    period's admissions if already read."""
    lines = section_lines(v2017)
    this = grassroots_figures(snap.root.id, params.start, params.end, admitted_in)
    before = year_before(params)
    last = grassroots_figures(snap.root.id, before.start, before.end)
    s = standard_section(title, lines, this, last)
    for row, line in zip(s.rows, lines, strict=True):
        if not line.key:  # no data in chibo: a visible gap, its reason under the form
            row[2:] = [None, None, None]
    return s
