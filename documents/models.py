"""A committee's own .docx templates: an administrator uploads a replacement
for one kind of document; the committee and every unit under it then get
their .docx from it. Nothing is overwritten: a new upload is a new row, and a
template stops being used by being retired, so past uploads stay answerable."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from documents import kinds
from organizations.models import Unit


class DocumentTemplate(models.Model):
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("cấp ủy dùng mẫu"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Mẫu dùng cho cấp ủy này và mọi chi bộ, đảng bộ trực thuộc."),
    )
    kind = models.CharField(_("loại văn bản"), max_length=40)
    file = models.FileField(_("tệp mẫu (.docx)"), upload_to="mau-van-ban/%Y/")
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tải lên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("tải lên lúc"), auto_now_add=True)
    retired_at = models.DateTimeField(_("thôi dùng từ"), null=True, blank=True)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người cho thôi dùng"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("mẫu văn bản của cấp ủy")
        verbose_name_plural = _("mẫu văn bản của cấp ủy")
        ordering = ["unit_id", "kind", "-uploaded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "kind"],
                condition=Q(retired_at__isnull=True),
                name="document_template_one_in_use",
            )
        ]

    def __str__(self) -> str:
        return f"{kinds.label_of(self.kind)} – {self.unit}"

    @property
    def in_use(self) -> bool:
        return self.retired_at is None
