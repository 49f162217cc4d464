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


class ImportBatch(models.Model):
    """One spreadsheet import (chibo.imports): who sent which file, what the preview found,
    and what applying it changed. Kept for good, like the audit trail.

    The file itself is kept (`content`) between the preview and the
    confirmation, and afterwards so that what was imported can be shown again.
    `result` holds the outcome of every row:
    {"rows": [{"row": 7, "outcome": "new" | "updated" | "unchanged" | "error",
               "name": ..., "changes": {field: [old, new]}, "errors": [...]}],
     "columns": {...}} and `errors` the flat list
    [{"row": R, "column": "…", "message": "…"}], R as the spreadsheet shows it.

    `kind` names a kind registered with chibo.imports (no fixed choices: an app
    adds a kind without a migration here); chibo.imports checks it.
    """

    class Status(models.TextChoices):
        ANALYSING = "analysing", _("Đang kiểm tra")
        PREVIEWED = "previewed", _("Đã kiểm tra, chờ xác nhận")
        RUNNING = "running", _("Đang nhập")
        DONE = "done", _("Đã nhập xong")
        FAILED = "failed", _("Không nhập được")

    kind = models.CharField(_("loại"), max_length=32, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nhập"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("thời điểm tải lên"), auto_now_add=True)
    finished_at = models.DateTimeField(_("thời điểm nhập xong"), null=True, blank=True)
    file_name = models.CharField(_("tên tệp"), max_length=255)
    file_size = models.PositiveBigIntegerField(_("dung lượng (byte)"))
    sha256 = models.CharField(max_length=64, db_index=True)
    content = models.BinaryField(editable=False)
    options = models.JSONField(_("tùy chọn"), default=dict, blank=True)
    status = models.CharField(_("trạng thái"), max_length=16, choices=Status.choices)
    total_rows = models.PositiveIntegerField(_("số dòng"), default=0)
    processed_rows = models.PositiveIntegerField(_("số dòng đã xử lý"), default=0)
    new_count = models.PositiveIntegerField(_("thêm mới"), default=0)
    updated_count = models.PositiveIntegerField(_("cập nhật"), default=0)
    unchanged_count = models.PositiveIntegerField(_("không đổi"), default=0)
    error_count = models.PositiveIntegerField(_("dòng lỗi"), default=0)
    message = models.TextField(_("thông báo"), blank=True)
    result = models.JSONField(_("kết quả từng dòng"), default=dict, blank=True)
    errors = models.JSONField(_("lỗi"), default=list, blank=True)
    # the unit whose scope the importer acted in (scopes the list of imports)
    unit_path = models.CharField(max_length=255, blank=True, db_index=True)
    # the last sign of life of whoever works on it (every progress report);
    # none for CHIBO_IMPORT_STALE_MINUTES: its worker is gone (imports.lost)
    heartbeat_at = models.DateTimeField(_("lần cuối báo tiến độ"), null=True, blank=True)

    class Meta:
        verbose_name = _("lần nhập dữ liệu")
        verbose_name_plural = _("các lần nhập dữ liệu")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))

    @property
    def is_working(self) -> bool:
        return self.status in (self.Status.ANALYSING, self.Status.RUNNING)

    @property
    def silent_for(self):
        """How long since the last sign of life (a progress report, the claim)."""
        from django.utils import timezone

        return timezone.now() - (self.heartbeat_at or self.created_at)

    @property
    def waiting_for_worker(self) -> bool:
        """Working, but nobody has reported progress for a minute: no
        background worker has taken it (none running?)."""
        from datetime import timedelta

        return (
            self.is_working and not self.processed_rows and self.silent_for > timedelta(minutes=1)
        )

    @property
    def may_retry(self) -> bool:
        return self.status == self.Status.FAILED and bool((self.options or {}).get("lost_in"))


def generated_storage():
    """Where generated files are kept: STORAGES["generated"], a folder every
    web server and worker shares (or an object store), never served as
    static or media files: a download goes through the access check."""
    from django.core.files.storage import storages

    return storages["generated"]


class GeneratedFile(models.Model):
    """A file made in the background: a roster, a report, a document, in any
    format (XLSX, CSV, PDF, DOCX…). One row per request that had to be worked
    on; its `fingerprint` (kind, parameters, format, whose data, and the
    version of the data, see chibo.exports) lets a later request with the same
    fingerprint reuse the finished file instead of making it again, while it
    has not expired. Who asked for it is kept with it; who may download it is
    decided again at every download (chibo.exports.generated_file_for_user_or_404).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ xử lý")
        RUNNING = "running", _("Đang tạo tệp")
        DONE = "done", _("Đã xong")
        FAILED = "failed", _("Không tạo được")

    LIVE = (Status.QUEUED, Status.RUNNING)

    kind = models.CharField(_("loại"), max_length=64)
    params = models.JSONField(_("tham số"), default=dict, blank=True)
    format = models.CharField(_("định dạng"), max_length=8)
    title = models.CharField(_("tên"), max_length=255)
    # whose data it holds: requests of the same scope get the same file
    scope = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, db_index=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người yêu cầu"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    done = models.PositiveIntegerField(_("đã xử lý"), default=0)
    total = models.PositiveIntegerField(_("tổng số"), default=0)
    phase = models.CharField(_("bước"), max_length=120, blank=True)
    file = models.FileField(storage=generated_storage, max_length=255, blank=True)
    file_name = models.CharField(_("tên tệp tải về"), max_length=255, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"), default=0)
    message = models.TextField(_("thông báo"), blank=True)
    back_url = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(_("thời điểm yêu cầu"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("giữ đến"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("tệp tạo ở chế độ nền")
        verbose_name_plural = _("tệp tạo ở chế độ nền")
        ordering = ["-created_at", "-id"]
        constraints = [
            # two requests at once (a double click, two board members) share
            # one job: only one queued or running job per fingerprint
            models.UniqueConstraint(
                fields=["fingerprint"],
                condition=models.Q(status__in=["queued", "running"]),
                name="generatedfile_one_live_job",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return 0
        return min(99, round(100 * self.done / self.total))

    @property
    def is_working(self) -> bool:
        return self.status in self.LIVE
