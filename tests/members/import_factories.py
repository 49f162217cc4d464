"""Rosters as offices send them: a title block, Vietnamese headers, rows."""

import csv
import io
from datetime import date

from openpyxl import Workbook

from chibo import imports

HEADERS = [
    "STT",
    "Họ và tên",
    "Giới tính",
    "Ngày sinh",
    "Quê quán",
    "Nơi ở hiện nay",
    "Dân tộc",
    "Số CCCD",
    "Số điện thoại",
    "Ngày vào Đảng",
    "Ngày chính thức",
    "Số thẻ đảng viên",
    "Chi bộ",
]


def roster_row(n: int, cell: str = "Chi bộ khu phố 1", **overrides) -> dict:
    row = {
        "Họ và tên": f"Lê Thị Nhập {n}",
        "Giới tính": "Nữ",
        "Ngày sinh": "15/03/1980",
        "Quê quán": "Nghệ An",
        "Nơi ở hiện nay": f"Số {n}, tổ dân phố 2",
        "Dân tộc": "Kinh",
        "Số CCCD": f"0401800{n:05d}",
        "Số điện thoại": f"09120{n:05d}",
        "Ngày vào Đảng": "03/02/2010",
        "Ngày chính thức": "03/02/2011",
        "Số thẻ đảng viên": f"9{n:07d}",
        "Chi bộ": cell,
    }
    row.update(overrides)
    return row


def _table(rows: list[dict], headers: list[str]) -> list[list]:
    return [[i + 1] + [r.get(h, "") for h in headers[1:]] for i, r in enumerate(rows)]


def roster_xlsx(rows: list[dict], *, headers: list[str] = HEADERS, title: bool = True) -> bytes:
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append(["ĐẢNG BỘ PHƯỜNG MỘT"])
        ws.append(["DANH SÁCH ĐẢNG VIÊN NĂM 2026"])
        ws.append([])
    ws.append(headers)
    for r in _table(rows, headers):
        ws.append([v if v != "" else None for v in r])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def roster_csv(
    rows: list[dict], *, headers: list[str] = HEADERS, delimiter: str = ";", bom: bool = True
) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(_table(rows, headers))
    return (("\ufeff" if bom else "") + buf.getvalue()).encode()


def xlsx_with_dates(rows: list[list], headers: list[str]) -> bytes:
    """Cells as given (real dates stay dates)."""
    wb = Workbook()
    wb.active.append(headers)
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


TODAY = date.today()


def import_file(*, default_unit=None, **kwargs):
    """The roster kind through the pipeline, in one call (what `import_data members` runs)."""
    options = {"default_unit": default_unit.pk} if default_unit is not None else None
    return imports.import_file("members", options=options, **kwargs)
