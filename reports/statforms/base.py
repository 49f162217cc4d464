"""The official statistics forms (biểu mẫu thống kê cơ bản) as reports of the
catalogue, versioned by regulation.

A form set is the regulation that fixes the forms' rows (the 2012 set of
12-HD/BTCTW, the 2017 set of 09-HD/BTCTW with 3296-CV/BTCTW); the set in force
on the last day of the period chosen is the one a form is printed by, so a
2016 report prints the 2012 rows and age bands, a 2024 report the 2017 ones.
Each form keeps one `FormVersion` per set it differs in (a set it has none
for uses the latest earlier one); the 2021 set (11-HD/BTCTW, 13/12/2021) has
its place in FORM_SETS once its annex can be read: its body was not public
(shared/forms.md), so the 2017 rows stay in force and the form says so.

Every wording comes from the public reproductions named in forms.md ([C1]:
the 2012 set, [C2]: the 2017 set), not from the regulation's own annex: the
form prints its version and source, and a line whose wording or definition
is not known (forms.md's gaps) carries `proxy`, the reason, shown on the
form beside the line and listed under it.

A form's figures are computed per `Line.key` for the period (Kỳ này) and the
same period a year before (Cùng kỳ năm trước), from the dated histories
only; `finish` adds the header (issuer, "Biểu số …", title with the year or
"có đến …", "Đvt: Người") and the cross-checks (`Check`), printed under the
form, a failed one as a warning naming its rows.
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from chibo.dates import dmy, years_before
from reports.catalogue import Params, Report
from reports.tables import Column, Section, Table, pct


@dataclass(frozen=True)
class FormSet:
    key: str  # "2012"
    name: str  # "Bộ biểu 2012"
    source: str  # the regulation, and where the layout was read
    valid_from: date
    suffix: str  # "TCTW", "BTCTW": the forms are numbered "Biểu số 1-TCTW"
    note: str = ""


FORM_SETS = [
    FormSet(
        "2012",
        "Bộ biểu thống kê cơ bản 2012",
        "Hướng dẫn 12-HD/BTCTW ngày 17/5/2012, Phần II (bố cục theo bản tái hiện công khai "
        "của bộ biểu, chưa đối chiếu phụ lục gốc)",
        date(2012, 5, 17),
        "TCTW",
    ),
    FormSet(
        "2017",
        "Bộ biểu thống kê cơ bản 2017",
        "Hướng dẫn 09-HD/BTCTW ngày 05/6/2017 và Công văn 3296-CV/BTCTW ngày 26/7/2017 (bố cục "
        "theo bản tái hiện công khai của bộ biểu, chưa đối chiếu phụ lục gốc)",
        date(2017, 7, 26),
        "BTCTW",
        note=(
            "Từ 13/12/2021 bộ biểu theo Hướng dẫn 11-HD/BTCTW; phụ lục biểu mẫu của hướng dẫn "
            "này chưa có bản công khai nên biểu vẫn lập theo các chỉ tiêu của bộ biểu 2017."
        ),
    ),
    # FormSet("2021", …, date(2021, 12, 13), …): add with each form's 2021
    # FormVersion when 11-HD/BTCTW's annex is at hand.
]


def form_set_for(day: date) -> FormSet:
    """The set in force on `day`: the latest that began on or before it (a
    period before 2012 is printed by the 2012 set, the oldest kept)."""
    chosen = FORM_SETS[0]
    for form_set in FORM_SETS:
        if form_set.valid_from <= day:
            chosen = form_set
    return chosen


@dataclass(frozen=True)
class Line:
    """One row of a form: its official code, its wording, the figure it shows."""

    code: str  # "A", "B", "B2a": the code the JSON and the higher levels read
    label: str
    key: str  # the figure (FormReport.figures) this row shows
    sum_of: tuple[str, ...] = ()  # codes of the rows it adds up (a formula in XLSX)
    proxy: str = ""  # why the wording or definition is not confirmed
    strong: bool = False  # a heading line (A, B, C, D)


@dataclass(frozen=True)
class FormVersion:
    number: str  # "1": printed "Biểu số 1-BTCTW"
    title: str  # "THỐNG KÊ TĂNG, GIẢM ĐẢNG VIÊN"
    lines: tuple[Line, ...] = ()
    # the lines of the second section, when the form has one (Biểu 4's religions)
    extra: dict = field(default_factory=dict)


@dataclass
class Check:
    label: str  # "D = A + B − C"
    ok: bool
    rows: list[str]  # the codes the check reads, named in the warning
    detail: str = ""

    def as_dict(self) -> dict:
        return {"label": self.label, "ok": self.ok, "rows": self.rows, "detail": self.detail}


STANDARD_COLUMNS = [
    Column("code", _("TT"), "text"),
    Column("label", _("Chỉ tiêu"), "text"),
    Column("this", _("Kỳ này"), "int"),
    Column("last", _("Cùng kỳ năm trước"), "int"),
    Column("pct", _("(%) kỳ này so với cùng kỳ năm trước"), "pct"),
]


def year_before(params: Params) -> Params:
    """The same period (or date) one year earlier: "cùng kỳ năm trước"."""
    if params.day:
        return Params(day=years_before(params.day, 1))
    return Params(start=years_before(params.start, 1), end=years_before(params.end, 1))


def period_line(params: Params, periodic: bool) -> str:
    """The title's second line: "NĂM 2024", "6 THÁNG ĐẦU NĂM 2024", "CÓ ĐẾN
    NGÀY 31/12/2024", or the dates of any other period."""
    if not periodic:
        return f"Có đến ngày {dmy(params.day)}"
    start, end = params.start, params.end
    if start.year == end.year and (start.month, start.day) == (1, 1):
        if (end.month, end.day) == (12, 31):
            return f"Năm {start.year}"
        if (end.month, end.day) == (6, 30):
            return f"6 tháng đầu năm {start.year}"
    if start.year == end.year and (start.month, start.day, end.month, end.day) == (7, 1, 12, 31):
        return f"6 tháng cuối năm {start.year}"
    return f"Từ ngày {dmy(start)} đến ngày {dmy(end)}"


def standard_section(title: str, lines, this: dict, last: dict) -> Section:
    """The three-column table of most forms: each line's figure this period,
    the same period last year, and the first as a percentage of the second."""
    rows, codes, flags = [], [], []
    for line in lines:
        a, b = this.get(line.key, 0), last.get(line.key, 0)
        rows.append([line.code, line.label, a, b, pct(a, b)])
        codes.append(line.code)
        flags.append(
            " ".join(
                f for f in ("strong" if line.strong else "", "proxy" if line.proxy else "") if f
            )
        )
    return Section(title=title, columns=list(STANDARD_COLUMNS), rows=rows, codes=codes, flags=flags)


def value_of(table: Table, code: str, column: str = "this", section: int = 0):
    """The figure of the row with official code `code` (None if the form has none)."""
    s = table.sections[section]
    if code not in s.codes:
        return None
    keys = [c.key for c in s.columns]
    if column not in keys:
        return None
    return s.rows[s.codes.index(code)][keys.index(column)]


def sum_checks(table: Table, versions_lines, section: int = 0) -> list[Check]:
    """Each line that adds up others (B = B1 + B2 + B3) equals their sum, in
    both columns."""
    out = []
    for line in versions_lines:
        if not line.sum_of:
            continue
        for column in ("this", "last"):
            total = value_of(table, line.code, column, section)
            parts = [value_of(table, c, column, section) or 0 for c in line.sum_of]
            if total is None:
                continue
            ok = total == sum(parts)
            if column == "this" or not ok:
                out.append(
                    Check(
                        label=f"{line.code} = {' + '.join(line.sum_of)}"
                        + ("" if column == "this" else f" ({_('cùng kỳ năm trước')})"),
                        ok=ok,
                        rows=[line.code, *line.sum_of],
                        detail="" if ok else f"{total} ≠ {sum(parts)}",
                    )
                )
    return out


class FormReport(Report):
    """A form of the catalogue: `versions` by set key, `figures` per period."""

    form_name = ""  # "Biểu 1": the catalogue lists the form by it
    versions: dict[str, FormVersion] = {}
    landscape = False

    def version_for(self, day: date) -> tuple[FormSet, FormVersion]:
        chosen = form_set_for(day)
        keys = [s.key for s in FORM_SETS]
        for key in reversed(keys[: keys.index(chosen.key) + 1]):
            if key in self.versions:
                return chosen, self.versions[key]
        first = next(k for k in keys if k in self.versions)
        return chosen, self.versions[first]

    def checks(self, table: Table, snap, params: Params) -> list[Check]:
        return []

    def breakdown_checks(self, table: Table, snap, params: Params) -> list[Check]:
        """Checks of the breakdown by sub-unit: its lines add up to the unit's."""
        return []

    def finish(self, table, snap, params):
        form_set, version = self.version_for(params.as_of)
        proxies = []
        lines = list(version.lines) + [
            line for group in version.extra.values() for line in group if isinstance(line, Line)
        ]
        for line in lines:
            if line.proxy:
                proxies.append({"code": line.code, "label": line.label, "why": line.proxy})
        if params.by_children:
            checks = self.breakdown_checks(table, snap, params)
            _breakdown_charts(table.sections[0])
        else:
            checks = self.checks(table, snap, params)
        table.form = {
            "name": str(self.form_name),
            "number": f"Biểu số {version.number}-{form_set.suffix}",
            "set": form_set.key,
            "set_name": form_set.name,
            "source": form_set.source,
            "set_note": form_set.note if params.as_of >= date(2021, 12, 13) else "",
            "title": version.title,
            "period_line": period_line(params, self.periodic),
            "unit_line": "Đvt: Người",
            "landscape": self.landscape or params.by_children,
            "proxies": proxies,
            "checks": [c.as_dict() for c in checks],
            "warnings": [
                _("Kiểm tra “%(label)s” không khớp (%(detail)s): xem lại các dòng %(rows)s.")
                % {"label": c.label, "detail": c.detail, "rows": ", ".join(c.rows)}
                for c in checks
                if not c.ok
            ],
        }


def _breakdown_charts(section: Section, most: int = 2) -> None:
    """Sorted bars comparing the sub-units on the breakdown's first figures
    (small multiples, one chart per figure)."""
    if section.chart:
        return
    labels = [r[0] for r in section.rows]
    section.chart = [
        {
            "type": "bar",
            "sort": True,
            "title": str(column.label),
            "labels": labels,
            "values": [r[i] or 0 for r in section.rows],
        }
        for i, column in enumerate(section.columns)
        if column.kind == "int"
    ][:most]
