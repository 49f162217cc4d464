"""The kinds of document the application prints, each as a PDF (the record)
and as an editable .docx (what an office edits and signs in Word).

An app registers its kinds when it loads (its AppConfig.ready): the Django
template of the PDF and a function that builds the default .docx template
(docxtpl: the same context, written as {{ c.unit }}). Every kind then gets
both formats through documents.render, and an administrator may replace its
.docx template for a committee (documents.models.DocumentTemplate).
"""

from collections.abc import Callable
from dataclasses import dataclass

from docx.document import Document as DocxDocument


@dataclass(frozen=True)
class DocumentKind:
    key: str  # "minutes", stored with a replacement template
    label: str  # what the admin page lists
    pdf_template: str  # a Django template extending pdf/official_base.html
    build_docx: Callable[[], DocxDocument]  # the default .docx template
    # Parts a template cannot spell with tags (a report's tables, whose columns
    # vary): (DocxTemplate, context) -> extra context, e.g. {"body": Subdoc}.
    docx_parts: Callable | None = None


_KINDS: dict[str, DocumentKind] = {}


def register(kind: DocumentKind) -> DocumentKind:
    _KINDS[kind.key] = kind
    return kind


def get(key: str) -> DocumentKind:
    return _KINDS[key]


def all_kinds() -> list[DocumentKind]:
    return sorted(_KINDS.values(), key=lambda k: str(k.label))


def choices() -> list[tuple[str, str]]:
    return [(k.key, str(k.label)) for k in all_kinds()]


def label_of(key: str) -> str:
    kind = _KINDS.get(key)
    return str(kind.label) if kind else key
