from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """An account. What it may see and do comes from its roles on the unit tree
    (organizations.Role), never from Django's groups."""

    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("tài khoản")
        verbose_name_plural = _("tài khoản")

    def __str__(self) -> str:
        return self.full_name or self.username


class AuditEvent(models.Model):
    """Who did what, when, to which record: one row per business action.

    Written by every service (chibo.audit.audit_record); never updated or
    deleted. `unit_path` is the path of the unit the action concerned, so the
    log can be scoped like everything else.
    """

    at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("thao tác"), max_length=64, db_index=True)
    target_type = models.CharField(_("loại đối tượng"), max_length=64, blank=True)
    target_id = models.BigIntegerField(_("mã đối tượng"), null=True, blank=True)
    unit_path = models.CharField(max_length=255, blank=True, db_index=True)
    summary = models.TextField(_("tóm tắt"), blank=True)
    data = models.JSONField(_("chi tiết"), default=dict, blank=True)

    class Meta:
        verbose_name = _("nhật ký thao tác")
        verbose_name_plural = _("nhật ký thao tác")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.actor} {self.action}"
