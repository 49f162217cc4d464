"""The official layout (Hướng dẫn 36-HD/VPTW) as a .docx template: A4, the
margins of the PDF, Times New Roman 14 pt (Liberation Serif has its metrics
where Word is not installed), the issuer and "ĐẢNG CỘNG SẢN VIỆT NAM" header,
the title, and a signature block kept on the page of the paragraph before it.

Text is written with docxtpl's Jinja tags over the same context as the PDF's
template, so an administrator can open the default, restyle it in Word,
keep the tags and upload it as the committee's own.
"""

import io

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from chibo.pdf import svg_to_png

FONT = "Times New Roman"
BODY_PT = 14


def new_document(*, landscape: bool = False) -> DocxDocument:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(BODY_PT)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    style.paragraph_format.space_after = Pt(3)
    style.paragraph_format.line_spacing = 1.15
    for name in ("Table Grid",):
        doc.styles[name].font.name = FONT
    _page_number_footer(section)
    return doc


def _page_number_footer(section) -> None:
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run()
    for tag, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if tag:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), tag)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)
    run.font.size = Pt(11)


def para(
    container,
    text: str = "",
    *,
    bold: bool = False,
    italic: bool = False,
    align: str | None = "justify",
    size: float | None = None,
    underline: bool = False,
    keep_with_next: bool = False,
    upper: bool = False,
):
    p = container.add_paragraph()
    p.alignment = {
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
        None: None,
    }[align]
    if keep_with_next:
        p.paragraph_format.keep_with_next = True
    if text:
        run = p.add_run(text.upper() if upper else text)
        run.bold, run.italic, run.underline = bold, italic, underline
        if size:
            run.font.size = Pt(size)
    return p


def cell_text(cell, text, **kwargs):
    """The first paragraph of a new cell, then new ones."""
    first = cell.paragraphs[0]
    if not first.text and not first.runs:
        p = first
        p.alignment = (
            WD_ALIGN_PARAGRAPH.CENTER if kwargs.get("align", "center") == "center" else None
        )
        run = p.add_run(text)
        run.bold = kwargs.get("bold", False)
        run.italic = kwargs.get("italic", False)
        run.underline = kwargs.get("underline", False)
        if kwargs.get("size"):
            run.font.size = Pt(kwargs["size"])
        return p
    return para(cell, text, **{"align": "center", **kwargs})


def _no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    table._tbl.tblPr.append(borders)


# Office's extension that puts an SVG beside a picture's PNG (Word 2016 and
# later, LibreOffice draw the SVG; older readers the PNG).
SVG_BLIP_EXT = "{96DAC541-7B7A-43D3-8B79-37D633B846F1}"
SVG_NS = "http://schemas.microsoft.com/office/drawing/2016/SVG/main"


def svg_picture(container, svg: str, *, width_mm: float) -> None:
    """A chart in its own centred paragraph: the SVG the page and the PDF
    draw, with a PNG of it for readers that cannot draw SVG."""
    p = container.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.keep_together = True
    run = p.add_run()
    shape = run.add_picture(io.BytesIO(svg_to_png(svg, width_mm=width_mm)), width=Mm(width_mm))
    document_part = run.part
    package = document_part.package
    svg_part = Part(
        PackURI(package.next_partname("/word/media/chart%d.svg")),
        "image/svg+xml",
        svg.encode("utf-8"),
        package,
    )
    rid = document_part.relate_to(svg_part, RT.IMAGE)
    inline = shape._inline
    # docPr ids must be unique in the document, and pictures made in a
    # sub-document do not see each other's: number them on the package
    package.chibo_pictures = getattr(package, "chibo_pictures", 0) + 1
    inline.docPr.id = 1000 + package.chibo_pictures
    blip = inline.graphic.graphicData.pic.blipFill.blip
    ext_list = OxmlElement("a:extLst")
    ext = OxmlElement("a:ext")
    ext.set("uri", SVG_BLIP_EXT)
    svg_blip = ext.makeelement(f"{{{SVG_NS}}}svgBlip", nsmap={"asvg": SVG_NS})
    svg_blip.set(qn("r:embed"), rid)
    ext.append(svg_blip)
    ext_list.append(ext)
    blip.append(ext_list)


def svg_pictures(container, svgs: list[str], *, width_mm: float = 150) -> None:
    """One chart across the page; small multiples two abreast, as in the PDF."""
    if len(svgs) == 1:
        svg_picture(container, svgs[0], width_mm=width_mm)
        return
    table = container.add_table(rows=(len(svgs) + 1) // 2, cols=2)
    _no_borders(table)
    for i, svg in enumerate(svgs):
        cell = table.rows[i // 2].cells[i % 2]
        svg_picture(cell, svg, width_mm=width_mm / 2 - 3)
        first = cell.paragraphs[0]
        if not first.text and not first.runs and len(cell.paragraphs) > 1:
            first._p.getparent().remove(first._p)


def cant_split(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:cantSplit")
    tr_pr.append(el)


def header(doc: DocxDocument) -> None:
    """The issuer (and the committee above it) top left, the Party's name and
    the place and date top right."""
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    left.width, right.width = Mm(75), Mm(90)
    cell_text(left, "{{ issuer_parent|upper }}", size=13)
    cell_text(left, "{{ issuer|upper }}", bold=True, size=13)
    cell_text(left, "*", size=13)
    cell_text(left, "{% if doc_number %}Số {{ doc_number }}{% endif %}", size=13)
    cell_text(right, "ĐẢNG CỘNG SẢN VIỆT NAM", bold=True, underline=True, size=14)
    cell_text(right, "{{ date_line }}", italic=True, size=14)
    para(doc, "")


def title(doc: DocxDocument, text: str, subtitle: str = "") -> None:
    para(doc, text, bold=True, align="center", size=15, keep_with_next=True)
    if subtitle:
        para(doc, subtitle, bold=True, align="center", keep_with_next=True)


def heading(doc: DocxDocument, text: str) -> None:
    para(doc, text, bold=True, align="left", keep_with_next=True)


def grid(
    doc: DocxDocument, headers: list[str], cells: list[str], loop: str, *, size: float = 12
) -> None:
    """A bordered table: a header row, then one row per item of `loop`
    ("a in c.absentees"), the cells written with its tags."""
    table = doc.add_table(rows=4, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell_text(cell, text, bold=True, size=size)
    table.rows[1].cells[0].paragraphs[0].add_run(f"{{%tr for {loop} %}}")
    for cell, text in zip(table.rows[2].cells, cells, strict=True):
        cell_text(cell, text, size=size, align="left")
    table.rows[3].cells[0].paragraphs[0].add_run("{%tr endfor %}")
    for row in table.rows:
        cant_split(row)
    para(doc, "")


def signatures(
    doc: DocxDocument, left: list[tuple[str, dict]], right: list[tuple[str, dict]]
) -> None:
    """Two columns of signature lines, never split from each other nor from
    the paragraph before them (which the caller writes with keep_with_next)."""
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    cant_split(table.rows[0])
    for cell, lines in zip(table.rows[0].cells, (left, right), strict=True):
        for text, style in lines:
            p = cell_text(cell, text, **style)
            p.paragraph_format.keep_with_next = True


SPACE = ("", {})

# The signer's column: "T/M CHI BỘ", "BÍ THƯ", room to sign, the name.
SIGNER = [
    ("{{ signer.on_behalf }}", {"bold": True}),
    ("{{ signer.title }}", {"bold": True}),
    SPACE,
    SPACE,
    SPACE,
    ("{{ signer.name }}", {"bold": True}),
]


def recipients(*lines: str) -> list[tuple[str, dict]]:
    """The "Nơi nhận:" column, one "- …" line each."""
    small = {"align": "left", "size": 12}
    return [("Nơi nhận:", {**small, "italic": True}), *((f"- {line}", small) for line in lines)]


def signed_by(role: str, name: str) -> list[tuple[str, dict]]:
    """A column signed by a person in a role: "THƯ KÝ", room to sign, the name."""
    return [(role, {"bold": True}), SPACE, SPACE, SPACE, (name, {"bold": True})]
