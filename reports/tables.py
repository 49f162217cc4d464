"""The plain structure every report returns, and every output reads.

A report is a title, what it covers (unit, date or period) and sections; each
section a table (columns, rows, totals) and maybe a chart spec. The page, the
XLSX/CSV/JSON files, the PDF and a frozen submission all read this one
structure, so they cannot disagree.
"""

from dataclasses import asdict, dataclass, field
from datetime import date

from chibo.dates import dmy, last_day, mmyyyy
from chibo.spreadsheets import parse_date
from chibo.text import plain


@dataclass
class Column:
    key: str
    label: str
    kind: str = "int"  # text | int | pct


@dataclass
class Section:
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    totals: list | None = None
    chart: dict | None = None
    note: str = ""
    # Per row, the unit the row is about (for drill-down links), or None.
    row_units: list[int | None] = field(default_factory=list)
    # An official form's section (reports/statforms): per row its official
    # code ("A", "B", "B2a") and its marks ("strong": a total line; "proxy":
    # wording not confirmed against the regulation's text).
    codes: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


@dataclass
class Table:
    report: str
    title: str
    unit_id: int
    unit_name: str
    day: date | None = None
    start: date | None = None
    end: date | None = None
    by_children: bool = False
    sections: list[Section] = field(default_factory=list)
    year: int | None = None  # a report on a year (the annual review)
    # the report's name in download names ("Tỷ lệ sinh hoạt"); the title if empty
    short_title: str = ""
    # An official statistics form (reports/statforms): its number, version,
    # source, title lines, proxies and cross-checks; None for other reports.
    form: dict | None = None

    @property
    def period_words(self) -> str:
        """The period as download names carry it: "2026", "12/2026",
        "ngày 01/12/2026", "từ 01/01/2026 đến 15/06/2026"."""
        if self.year:
            return str(self.year)
        if self.day:
            return f"ngày {dmy(self.day)}"
        start, end = self.start, self.end
        if (start.month, start.day, end.month, end.day) == (
            1,
            1,
            12,
            31,
        ) and start.year == end.year:
            return str(start.year)
        if start.day == 1 and end == last_day(start):
            return mmyyyy(start)
        return f"từ {dmy(start)} đến {dmy(end)}"

    @property
    def scope_text(self) -> str:
        if self.year:
            return f"Năm {self.year}"
        if self.day:
            return f"Tính đến ngày {self.day:%d/%m/%Y}"
        return f"Từ ngày {self.start:%d/%m/%Y} đến ngày {self.end:%d/%m/%Y}"

    def as_dict(self) -> dict:
        data = plain(asdict(self))
        for key in ("day", "start", "end"):
            value = data[key]
            data[key] = value.strftime("%d/%m/%Y") if value else None
        data["scope"] = self.scope_text
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Table":
        sections = [
            Section(
                **{
                    **s,
                    "columns": [Column(**c) for c in s["columns"]],
                }
            )
            for s in data["sections"]
        ]
        return cls(
            report=data["report"],
            title=data["title"],
            unit_id=data["unit_id"],
            unit_name=data["unit_name"],
            day=parse_date(data.get("day")),
            start=parse_date(data.get("start")),
            end=parse_date(data.get("end")),
            by_children=data.get("by_children", False),
            sections=sections,
            year=data.get("year"),
            short_title=data.get("short_title", ""),
            form=data.get("form"),
        )


def pct(part: int | float, whole: int | float) -> float | None:
    """A share in percent with one decimal, as the field reports write it."""
    if not whole:
        return None
    return round(100.0 * part / whole + 1e-9, 1)
