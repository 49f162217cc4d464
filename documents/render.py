"""Every document in both formats from one context: the PDF (WeasyPrint, the
record) and the .docx (docxtpl, for Word), so the two never disagree.

    render("minutes", context, "docx", unit=meeting.unit) -> bytes
    response("minutes", context, "pdf", "bien-ban-chi-bo-1-2026-12-01", unit=...)

The background "generated file" mechanism calls `render` the same way.
"""

import io
from functools import lru_cache

import jinja2
from django.http import HttpResponse
from docxtpl import DocxTemplate

from chibo.pdf import render_pdf
from chibo.text import plain
from documents import kinds
from documents.selectors import template_in_use
from organizations.models import Unit

FORMATS = ("pdf", "docx")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _jinja() -> jinja2.Environment:
    return jinja2.Environment(autoescape=True, undefined=jinja2.ChainableUndefined)


@lru_cache(maxsize=32)
def default_docx(key: str) -> bytes:
    """The shipped .docx template of a kind, built from code."""
    out = io.BytesIO()
    kinds.get(key).build_docx().save(out)
    return out.getvalue()


def docx_template_bytes(key: str, unit: Unit | None) -> bytes:
    replacement = template_in_use(key, unit)
    if replacement is None:
        return default_docx(key)
    with replacement.file.open("rb") as f:
        return f.read()


def render_docx_from(template: bytes, context: dict, parts=None) -> bytes:
    doc = DocxTemplate(io.BytesIO(template))
    context = plain(context)
    if parts is not None:
        context.update(parts(doc, context))
    doc.render(context, _jinja(), autoescape=True)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def render(key: str, context: dict, fmt: str, *, unit: Unit | None = None) -> bytes:
    """A document of kind `key` in `fmt` ("pdf" or "docx"); the .docx from the
    template the unit's committee uses (its own, else the shipped one)."""
    kind = kinds.get(key)
    if fmt == "pdf":
        return render_pdf(kind.pdf_template, context)
    if fmt == "docx":
        return render_docx_from(docx_template_bytes(key, unit), context, kind.docx_parts)
    raise ValueError(fmt)


def response(
    key: str,
    context: dict,
    fmt: str,
    filename_stem: str,
    *,
    unit: Unit | None = None,
    inline: bool = False,
) -> HttpResponse:
    """An HTTP response carrying the document, downloaded as `filename_stem.fmt`."""
    body = render(key, context, fmt, unit=unit)
    out = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    disposition = "inline" if inline and fmt == "pdf" else "attachment"
    out["Content-Disposition"] = f'{disposition}; filename="{filename_stem}.{fmt}"'
    return out
