"""The dues documents, PDF and .docx: the cell's dues book of a year (sổ thu
nộp đảng phí) and a committee's monthly remittance list, signed for the unit
by its secretary in office (documents.header)."""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy

from documents import docx_builder as b
from documents.header import official_header
from documents.kinds import DocumentKind, register
from organizations.models import Unit


def document_context(unit: Unit, *, today: date | None = None, **extra) -> dict:
    return {**official_header(unit, today or timezone.localdate()), **extra}


def _book_rows(book: dict) -> list[list[str]]:
    """The book's table as text, one list per line: TT, name, 12 months, total."""

    def money(v):
        return f"{v:,}".replace(",", ".") if v else ""

    rows = []
    for i, line in enumerate(book["lines"], 1):
        cells = []
        for c in line["cells"]:
            if c["paid"]:
                mark = ("*" if c["portal"] else "") + ("†" if c["received_in"] else "")
                cells.append(money(c["paid"]) + mark)
            elif c["exempt"]:
                cells.append("miễn")
            elif not c["member"]:
                cells.append("–")
            else:
                cells.append("")
        rows.append([str(i), line["member"].full_name, *cells, money(line["total"])])
    rows.append(["", "Cộng", *[money(t) for t in book["month_totals"]], money(book["total"])])
    rows.append(
        [
            "",
            f"Trích giữ lại ({book['kept_percent']}%)",
            *[money(t) for t in book["kept"]],
            money(book["kept_total"]),
        ]
    )
    rows.append(
        ["", "Nộp cấp trên", *[money(t) for t in book["remitted"]], money(book["remitted_total"])]
    )
    return rows


NOTE = (
    "(*) nộp qua Cổng Dịch vụ công quốc gia; (†) đóng trước hoặc đóng bù, thu vào tháng ghi "
    "dưới bảng và tính vào số thu của tháng đó; “miễn”: được miễn đóng; “–”: chưa là đảng "
    "viên của chi bộ."
)


def advance_lines(book: dict) -> list[str]:
    """The payments made ahead or late, one sentence each."""

    def money(v):
        return f"{v:,}".replace(",", ".")

    return [
        f"{a.name}: {'đóng trước' if a.ahead else 'đóng bù'} các tháng {a.months_text}, "
        f"thu tháng {a.received_in:%m/%Y}, {money(a.total)} đ"
        for a in book["advances"]
    ]


def book_context(unit: Unit, book: dict) -> dict:
    return document_context(
        unit, book=book, rows=_book_rows(book), note=NOTE, advances=advance_lines(book)
    )


def book_typst_data(context: dict) -> dict:
    """What dues/pdf/book.typ reads: every text ready-made."""
    book, rows = context["book"], context["rows"]
    return {
        "title": f"Sổ thu, nộp đảng phí {book['year']}",
        "landscape": True,
        "issuer": context["issuer"],
        "issuer_parent": context["issuer_parent"],
        "doc_number": "",
        "place_date": context["date_line"],
        "signer": dict(context["signer"]),
        "doc_title": "Sổ thu, nộp đảng phí",
        "subtitle": f"{book['unit'].name} – năm {book['year']}",
        "columns": ["TT", "Họ và tên", *[f"T{k}" for k in range(1, 13)], "Cộng"],
        "rows": rows[:-3],
        "totals": rows[-3:],
        "note": context["note"],
        "advances_title": "Đóng trước, đóng bù",
        "advances": context["advances"],
    }


def build_book():
    doc = b.new_document(landscape=True)
    b.header(doc)
    b.title(doc, "SỔ THU, NỘP ĐẢNG PHÍ", "{{ book.unit.name }} – năm {{ book.year }}")
    b.grid(
        doc,
        ["TT", "Họ và tên", *[f"T{k}" for k in range(1, 13)], "Cộng"],
        [f"{{{{ r[{k}] }}}}" for k in range(15)],
        "r in rows",
        size=9,
    )
    b.para(doc, "{{ note }}", italic=True)
    b.para(doc, "{% for a in advances %}{{ a }}{% if not loop.last %}; {% endif %}{% endfor %}")
    b.para(doc, "", keep_with_next=True)
    b.signatures(doc, [b.SPACE], b.SIGNER)
    return doc


def money(v) -> str:
    return f"{v:,}".replace(",", ".") if v else "0"


def remittance_context(unit: Unit, r: dict) -> dict:
    rows = [
        [
            str(i),
            line.unit.name,
            str(line.paid_count),
            money(line.collected),
            money(line.kept),
            money(line.remitted),
        ]
        for i, line in enumerate(r["lines"], 1)
    ]
    rows.append(
        [
            "",
            "Cộng",
            str(sum(line.paid_count for line in r["lines"])),
            money(sum(line.collected for line in r["lines"])),
            money(sum(line.kept for line in r["lines"])),
            money(r["received"]),
        ]
    )
    summary = (
        f"Tổng số thu: {money(r['total_collected'])} đ; {unit.name} nhận {money(r['received'])} đ"
        f"{' và thu trực tiếp ' + money(r['own_collected']) + ' đ' if r['own_collected'] else ''}, "
        f"trích giữ lại {money(r['kept_here'])} đ ({r['kept_percent']}%), nộp cấp trên "
        f"{money(r['sent_up'])} đ."
    )
    return document_context(
        unit, r=r, rows=rows, summary=summary, month_text=r["month"].strftime("%m/%Y")
    )


def build_remittance():
    doc = b.new_document()
    b.header(doc)
    b.title(doc, "DANH SÁCH THU, NỘP ĐẢNG PHÍ", "{{ r.unit.name }} – tháng {{ month_text }}")
    b.grid(
        doc,
        ["TT", "Đơn vị", "Số đảng viên đã đóng", "Số thu", "Trích giữ lại", "Nộp lên"],
        [f"{{{{ row[{k}] }}}}" for k in range(6)],
        "row in rows",
    )
    b.para(doc, "{{ summary }}")
    b.para(doc, "", keep_with_next=True)
    b.signatures(doc, [b.SPACE], b.SIGNER)
    return doc


BOOK = register(
    DocumentKind(
        key="dues_book",
        label=gettext_lazy("Sổ thu, nộp đảng phí"),
        pdf_template="dues/pdf/book.html",
        build_docx=build_book,
    )
)
REMITTANCE = register(
    DocumentKind(
        key="dues_remittance",
        label=gettext_lazy("Danh sách thu, nộp đảng phí hằng tháng"),
        pdf_template="dues/pdf/remittance.html",
        build_docx=build_remittance,
    )
)
