"""Reading documents back as a person would see them: the text of a PDF (and
the fonts it embeds), the text of a .docx in reading order."""

import io

from docx import Document
from pypdf import PdfReader


def pdf_pages(data: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def pdf_fonts(data: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(data))
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    return fonts


def docx_text(data: bytes) -> str:
    """Paragraphs and table cells in document order, one space between."""
    doc = Document(io.BytesIO(data))
    out = []
    body = doc.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            out.append("".join(t.text or "" for t in child.iter() if t.tag.endswith("}t")))
        elif tag == "tbl":
            for cell in child.iter():
                if cell.tag.endswith("}tc"):
                    out.append(
                        " ".join(
                            "".join(t.text or "" for t in p.iter() if t.tag.endswith("}t"))
                            for p in cell.iter()
                            if p.tag.endswith("}p")
                        )
                    )
    return " ".join(" ".join(out).split())


def docx_fonts(data: bytes) -> set[str]:
    doc = Document(io.BytesIO(data))
    return {s.font.name for s in doc.styles if getattr(s, "font", None) and s.font.name}


def pdf_body_size(data: bytes) -> float:
    """The size in points of most of a PDF's text (by characters)."""
    from collections import Counter

    sizes: Counter = Counter()

    def visit(text, cm, tm, font, size):
        scale = (tm[0] * cm[0]) or (tm[3] * cm[3]) or 1
        if text.strip():
            sizes[round(abs(size * scale), 1)] += len(text.strip())

    for page in PdfReader(io.BytesIO(data)).pages:
        page.extract_text(visitor_text=visit)
    return sizes.most_common(1)[0][0]


def docx_body_size(data: bytes) -> float:
    return Document(io.BytesIO(data)).styles["Normal"].font.size.pt
