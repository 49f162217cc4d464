"""PDFs in the official Party document layout, rendered with WeasyPrint.

Templates extend templates/pdf/official_base.html, whose stylesheet is
static/pdf/official.css. Assets resolve against the static folder (no
network: offices run on closed networks) and the text is set in Liberation
Serif (Debian's fonts-liberation, installed by the make targets), which has
Times New Roman's metrics and every Vietnamese glyph.
"""

from django.conf import settings
from django.template.loader import render_to_string


def _base_url() -> str:
    static_dirs = getattr(settings, "STATICFILES_DIRS", [])
    return str(static_dirs[0] if static_dirs else settings.BASE_DIR / "static") + "/"


def render_pdf(template_name: str, context: dict | None = None) -> bytes:
    """Render a Django template to PDF bytes."""
    from weasyprint import HTML

    html = render_to_string(template_name, context or {})
    return HTML(string=html, base_url=_base_url()).write_pdf()
