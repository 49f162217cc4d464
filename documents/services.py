"""The writes of the document templates: upload a committee's own .docx for a
kind of document (the one it replaced is retired, not overwritten), retire it
(back to the shipped default)."""

import io
import zipfile

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from docxtpl import DocxTemplate
from jinja2 import TemplateSyntaxError

from chibo.audit import audit_record
from chibo.errors import ServiceError
from documents import kinds
from documents.models import DocumentTemplate
from organizations.models import COMMITTEE_LEVELS, Unit

MAX_TEMPLATE_BYTES = 5 * 1024 * 1024


def _check_docx(data: bytes, name: str) -> None:
    """A .docx whose tags docxtpl can read, or a Vietnamese message."""
    if not data.startswith(b"PK\x03\x04"):
        raise ServiceError(
            _("Tệp “%(name)s” không phải tệp Word .docx (hãy lưu mẫu dưới dạng .docx).")
            % {"name": name}
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            z.getinfo("word/document.xml")
    except (zipfile.BadZipFile, KeyError) as exc:
        raise ServiceError(
            _("Tệp “%(name)s” hỏng hoặc không phải văn bản Word.") % {"name": name}
        ) from exc
    try:
        DocxTemplate(io.BytesIO(data)).get_undeclared_template_variables()
    except TemplateSyntaxError as exc:
        raise ServiceError(
            _(
                "Mẫu “%(name)s” có thẻ viết sai (dòng %(line)s): %(error)s. Hãy sửa thẻ {{ … }} / {%% … %%}."
            )
            % {"name": name, "line": exc.lineno, "error": exc.message}
        ) from exc


@transaction.atomic
def document_template_upload(
    *, actor, unit: Unit, kind: str, file: UploadedFile, note: str = ""
) -> DocumentTemplate:
    """`unit`'s own .docx template for `kind`, used from now on by it and every
    unit under it; the template it had in use is retired."""
    if kind not in dict(kinds.choices()):
        raise ServiceError(_("Loại văn bản không hợp lệ."))
    if unit.level not in COMMITTEE_LEVELS:
        raise ServiceError(
            _("Mẫu văn bản được đặt cho một cấp ủy (đảng bộ); “%(unit)s” không phải cấp ủy.")
            % {"unit": unit.name}
        )
    if file.size > MAX_TEMPLATE_BYTES:
        raise ServiceError(_("Tệp mẫu lớn quá 5 MB."))
    data = file.read()
    file.seek(0)
    _check_docx(data, file.name)
    now = timezone.now()
    for old in DocumentTemplate.objects.select_for_update().filter(
        unit=unit, kind=kind, retired_at__isnull=True
    ):
        old.retired_at, old.retired_by = now, actor if getattr(actor, "pk", None) else None
        old.save(update_fields=["retired_at", "retired_by"])
    template = DocumentTemplate(
        unit=unit,
        kind=kind,
        note=(note or "").strip(),
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    template.file.save(f"{kind}-{unit.pk}.docx", file, save=False)
    template.save()
    audit_record(
        actor=actor,
        action="document_template_upload",
        target=template,
        unit=unit,
        summary=_("Đặt mẫu %(kind)s riêng cho %(unit)s")
        % {"kind": kinds.label_of(kind), "unit": unit.name},
    )
    return template


@transaction.atomic
def document_template_retire(*, actor, template: DocumentTemplate) -> DocumentTemplate:
    """Stop using a committee's own template: back to the one above, or the default."""
    template = DocumentTemplate.objects.select_for_update().get(pk=template.pk)
    if template.retired_at is not None:
        raise ServiceError(_("Mẫu này đã thôi dùng."))
    template.retired_at = timezone.now()
    template.retired_by = actor if getattr(actor, "pk", None) else None
    template.save(update_fields=["retired_at", "retired_by"])
    audit_record(
        actor=actor,
        action="document_template_retire",
        target=template,
        unit=template.unit,
        summary=_("Thôi dùng mẫu %(kind)s riêng của %(unit)s")
        % {"kind": kinds.label_of(template.kind), "unit": template.unit.name},
    )
    return template
