"""An editable Word file beside every PDF: every address that serves a PDF
has a .docx twin, every kind of file made in the background that comes as a
PDF comes as a .docx too, and every kind of document renders both."""

from django.urls import URLPattern, URLResolver, get_resolver

from chibo.exports import _KINDS as EXPORT_KINDS
from documents.kinds import all_kinds


def _routes(resolver=None, prefix=""):
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.default_args


def test_every_pdf_address_has_a_docx_twin():
    routes = list(_routes())
    pdfs = [r for r, _args in routes if r.endswith(".pdf")]
    assert len(pdfs) >= 5  # minutes, resolution, self-review, vote summary, decision list
    for route in pdfs:
        assert route[: -len(".pdf")] + ".docx" in {r for r, _a in routes}, route


def test_every_file_kind_made_as_pdf_is_made_as_docx_too():
    with_pdf = [k for k in EXPORT_KINDS.values() if "pdf" in k.formats]
    assert {k.name for k in with_pdf} >= {"reports.report", "reports.submission"}
    assert [k.name for k in with_pdf if "docx" not in k.formats] == []


def test_every_document_kind_has_a_word_template():
    kinds = all_kinds()
    assert {k.key for k in kinds} >= {"minutes", "resolution", "report"}
    assert [k.key for k in kinds if k.build_docx is None or not k.pdf_template] == []
