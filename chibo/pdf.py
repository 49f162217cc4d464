"""PDFs in the official Party document layout.

Two engines, chosen by measurement (bench/bench_pdf.py): WeasyPrint for
documents (templates extending templates/pdf/official_base.html; assets
resolve against the static folder, no network), and Typst for long tables,
which it sets about ten times faster (templates importing
templates/pdf/official.typ, fed their data as JSON). Both use fonts
installed on the server that cover every Vietnamese glyph: Liberation Serif
(Debian's fonts-liberation2, installed by the make targets), with Times New
Roman's metrics. The HTML templates' stylesheet is static/pdf/official.css.
"""

import json
from pathlib import Path

from django.conf import settings
from django.template import engines
from django.template.loader import render_to_string


def _base_url() -> str:
    static_dirs = getattr(settings, "STATICFILES_DIRS", [])
    return str(static_dirs[0] if static_dirs else settings.BASE_DIR / "static") + "/"


def render_pdf(template_name: str, context: dict | None = None) -> bytes:
    """Render a Django template to PDF bytes."""
    from weasyprint import HTML

    html = render_to_string(template_name, context or {})
    return HTML(string=html, base_url=_base_url()).write_pdf()


def _typst_source(template_name: str) -> Path:
    """The .typ file for `template_name`, found where Django finds templates
    (templates/ and each app's templates/), without parsing it as one."""
    for loader in engines["django"].engine.template_loaders:
        for origin in loader.get_template_sources(template_name):
            path = Path(origin.name)
            if path.is_file():
                return path
    raise FileNotFoundError(template_name)


def render_typst(template_name: str, data: dict) -> bytes:
    """Compile a Typst template to PDF bytes; the template reads `data` as
    `json(bytes(sys.inputs.data))`. Imports resolve from the project folder
    ("/templates/pdf/official.typ"). Only the fonts in CHIBO_TYPST_FONT_PATHS
    are used, so the same document comes out on every server."""
    import typst

    return typst.compile(
        str(_typst_source(template_name)),
        root=str(settings.BASE_DIR),
        sys_inputs={"data": json.dumps(data, ensure_ascii=False, default=str)},
        font_paths=[p for p in settings.CHIBO_TYPST_FONT_PATHS if Path(p).is_dir()],
        ignore_system_fonts=True,
    )


_PICTURE = b"""#set page(width: auto, height: auto, margin: 0pt, fill: white)
#image(bytes(sys.inputs.svg), format: "svg", width: float(sys.inputs.width) * 1mm)
"""


def svg_to_png(svg: str, *, width_mm: float, ppi: int = 200) -> bytes:
    """An SVG (a report's chart) drawn as a PNG by Typst, with the documents'
    fonts: the picture a word processor shows where it cannot draw the SVG."""
    import typst

    return typst.compile(
        _PICTURE,
        format="png",
        ppi=ppi,
        sys_inputs={"svg": svg, "width": str(width_mm)},
        font_paths=[p for p in settings.CHIBO_TYPST_FONT_PATHS if Path(p).is_dir()],
        ignore_system_fonts=True,
    )
