"""The 1,000-row report PDF by engine, beside the floor of each engine.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chibo_bench .venv/bin/python bench/bench_pdf.py

The report is the structure report of the demo province broken down by its
~1,000 grassroots organizations (`seed_demo --scale province`); on a database
without it, a table of the same shape (1,000 rows, 7 columns) is made up.
Printed, each the best of RUNS runs, with the pages and the size:
- WeasyPrint, the current markup (reports/pdf/report.html);
- WeasyPrint, light markup: fixed table layout with its column widths, no
  class on each cell, no "keep each row whole" rule;
- Typst (reports/pdf/report.typ), what reports/pdf.py uses past
  CHIBO_PDF_TYPST_ROWS rows;
- the floor of each engine: a plain 1,002-row table (header, 1,000 rows,
  totals) with nothing else on the page.
Each PDF is read back (pypdf) to check that its last row is there.

Typst memoizes its work inside a process, so compiling the same document
twice in one process takes a fraction of the first time: each Typst run here
compiles in a fresh process (the time is taken around the compile alone,
plus the preparation of the data in this process for the report).
"""

from common import BenchFailure, database_label  # noqa: I001 (sets Django up first)

import io
import json
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date

import typst
from django.conf import settings
from django.template import Context, Template
from pypdf import PdfReader
from weasyprint import HTML

from chibo.pdf import _base_url, _typst_source
from organizations.models import Unit
from reports.catalogue import Params, get_report
from reports.documents import document_context
from reports.pdf import to_pdf, typst_data
from reports.tables import Column, Section, Table

RUNS = 2

LIGHT = Template(
    """{% extends "pdf/official_base.html" %}{% load reports_tags %}
{% block style %}
  table.light { width: 100%; border-collapse: collapse; table-layout: fixed; font-size: 10pt; }
  table.light th, table.light td { border: 0.5pt solid #000; padding: 0.6mm 1.5mm; }
  table.light td + td, table.light th + th { text-align: right; }
  table.light tfoot { display: table-row-group; }
{% endblock %}
{% block doc_title %}Báo cáo{% endblock %}
{% block doc_subtitle %}{{ table.title }}{% endblock %}
{% block body %}{% for s in table.sections %}
<h2>{{ forloop.counter }}. {{ s.title }}</h2>
<table class="light"><colgroup><col style="width:34%">{% for c in s.columns|slice:"1:" %}<col>{% endfor %}</colgroup>
<thead><tr>{% for c in s.columns %}<th>{{ c.label }}</th>{% endfor %}</tr></thead>
<tbody>{% for row in s.rows %}<tr>{% for v, c in row|pairs:s.columns %}<td>{{ v|figure:c.kind }}</td>{% endfor %}</tr>{% endfor %}</tbody>
{% if s.totals %}<tfoot><tr>{% for v, c in s.totals|pairs:s.columns %}<th>{{ v|figure:c.kind }}</th>{% endfor %}</tr></tfoot>{% endif %}
</table>{% endfor %}{% endblock %}"""
)


def the_table() -> tuple[Table, str]:
    province = Unit.objects.filter(code="DEMO-TINH").first()
    if province is not None and province.children.count() >= 900:
        table = get_report("structure").run(province, Params(day=date.today(), by_children=True))
        return table, f"structure report of {province.name} by sub-unit"
    columns = [Column("unit", "Đơn vị trực thuộc", "text")] + [
        Column(f"c{i}", label)
        for i, label in enumerate(["Tổ chức cơ sở", "Chi bộ", "Đảng viên", "Chính thức", "Dự bị"])
    ]
    columns.append(Column("pct", "Tỷ lệ (%)", "pct"))
    rows = [
        [f"Đảng bộ xã Phước Thiền số {i}", 1, 5, 100 + i, 90 + i, 10, 12.5] for i in range(1000)
    ]
    section = Section(
        "Theo đơn vị trực thuộc", columns, rows, ["Tổng cộng", 1000, 5000, 0, 0, 0, None]
    )
    table = Table("structure", "Tổ chức đảng và đảng viên", 0, "Đảng bộ tỉnh Thử", day=date.today())
    table.sections = [section]
    table.by_children = True
    return table, "a made-up table of the same shape (no province demo in this database)"


def plain_rows(table: Table) -> tuple[list[str], list[list[str]]]:
    section = max(table.sections, key=lambda s: len(s.rows))
    header = [str(c.label) for c in section.columns]
    rows = [[str(v) for v in row] for row in section.rows]
    if section.totals:
        rows.append([str(v) for v in section.totals])
    return header, rows


def weasyprint_floor(table: Table) -> bytes:
    header, rows = plain_rows(table)
    cells = "".join("<tr>" + "".join(f"<td>{v}</td>" for v in r) + "</tr>" for r in rows)
    html = (
        "<html><head><style>table{border-collapse:collapse}td,th{border:0.5pt solid #000}"
        "</style></head><body><table><tr>"
        + "".join(f"<th>{h}</th>" for h in header)
        + f"</tr>{cells}</table></body></html>"
    )
    return HTML(string=html).write_pdf()


def _compile(source, root, data: str, fonts: list[str]) -> tuple[float, bytes]:
    start = time.perf_counter()
    pdf = typst.compile(
        source, root=root, sys_inputs={"data": data}, font_paths=fonts, ignore_system_fonts=True
    )
    return time.perf_counter() - start, pdf


def fresh_typst(source, root, data: dict) -> tuple[float, bytes]:
    """Compile in a new process, where Typst has nothing memoized."""
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
        payload = json.dumps(data, ensure_ascii=False, default=str)
        return pool.submit(
            _compile, source, root, payload, settings.CHIBO_TYPST_FONT_PATHS
        ).result()


def typst_report(table: Table) -> tuple[float, bytes]:
    start = time.perf_counter()
    data = typst_data(document_context(table, today=date.today()))
    prepared = time.perf_counter() - start
    source = str(_typst_source("reports/pdf/report.typ"))
    seconds, pdf = fresh_typst(source, str(settings.BASE_DIR), data)
    return prepared + seconds, pdf


def typst_floor(table: Table) -> tuple[float, bytes]:
    header, rows = plain_rows(table)
    source = (
        '#let d = json(bytes(sys.inputs.data))\n#set text(font: "Liberation Serif")\n'
        "#table(columns: d.n, ..d.cells)\n"
    )
    data = {"n": len(header), "cells": header + [v for r in rows for v in r]}
    return fresh_typst(source.encode(), None, data)


def weasyprint_light(table: Table) -> bytes:
    html = LIGHT.render(Context(document_context(table, today=date.today())))
    return HTML(string=html, base_url=_base_url()).write_pdf()


def run(label: str, make, last_row: str, *, timed_inside: bool = False) -> float:
    """`make()` gives the PDF, or (seconds, PDF) when it times itself."""
    times, pdf = [], b""
    for _ in range(RUNS):
        start = time.perf_counter()
        pdf = make()
        elapsed = time.perf_counter() - start
        if timed_inside:
            elapsed, pdf = pdf
        times.append(elapsed)
    reader = PdfReader(io.BytesIO(pdf))
    text = reader.pages[-1].extract_text() + reader.pages[-2].extract_text()
    if last_row not in " ".join(text.split()):
        raise BenchFailure(f"{label}: the last row ({last_row!r}) is not in the PDF")
    print(
        f"{label:<46} best {min(times):7.2f} s  median {sorted(times)[len(times) // 2]:7.2f} s"
        f"  {len(reader.pages):3d} pages  {len(pdf) / 1024:7.0f} KiB",
        flush=True,
    )
    return min(times)


def main():
    table, what = the_table()
    header, rows = plain_rows(table)
    last_row = rows[-2][0] if table.sections[-1].totals else rows[-1][0]
    print(f"database: {database_label()}")
    print(f"table: {what}; {sum(len(s.rows) for s in table.sections)} rows; best of {RUNS}\n")
    typst_time = run(
        "Typst (reports/pdf/report.typ)", lambda: typst_report(table), last_row, timed_inside=True
    )
    run(
        "  floor: Typst, plain 1,002-row table",
        lambda: typst_floor(table),
        last_row,
        timed_inside=True,
    )
    run("Typst via reports.pdf.to_pdf, warm process", lambda: to_pdf(table), last_row)
    light = run("WeasyPrint, light markup", lambda: weasyprint_light(table), last_row)
    current = run(
        "WeasyPrint, current markup (report.html)",
        lambda: to_pdf(table, engine="weasyprint"),
        last_row,
    )
    run("  floor: WeasyPrint, plain 1,002-row table", lambda: weasyprint_floor(table), last_row)
    print(
        f"\nTypst is {current / typst_time:.0f}x faster than the current WeasyPrint markup, "
        f"{light / typst_time:.0f}x faster than the light one."
    )
    print(f"after: {database_label()}")


if __name__ == "__main__":
    main()
