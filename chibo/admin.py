"""Django's admin, for administrators: the audit trail, the imports and the
files made in the background (read only); accounts and their roles are organizations/admin.py, since a role is
held on a unit. Business data is changed through the app's own pages,
which go through the services; the admin only shows it."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from chibo.imports.kinds import kind_title
from chibo.models import AuditEvent, GeneratedFile, ImportBatch

admin.site.site_header = _("chibo – quản trị")
admin.site.site_title = _("chibo – quản trị")
admin.site.index_title = _("Quản trị hệ thống")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "summary"]
    list_filter = ["action"]
    search_fields = ["summary", "actor__username"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    """Every spreadsheet import (of any kind), read only: who, when, which file."""

    list_display = [
        "created_at",
        "created_by",
        "kind_title",
        "file_name",
        "status",
        "new_count",
        "updated_count",
        "error_count",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["file_name", "sha256", "created_by__username"]
    date_hierarchy = "created_at"
    exclude = ["content"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content")

    @admin.display(description=_("loại"), ordering="kind")
    def kind_title(self, batch: ImportBatch) -> str:
        return kind_title(batch.kind)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# django-tasks-db's results, with Vietnamese column names (its admin labels
# two columns in English outside gettext).
admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    list_display = (
        "id",
        "task_label",
        "status",
        "enqueued_at",
        "started_at",
        "finished_at",
        "priority",
        "queue_name",
    )

    @admin.display(description=_("việc"))
    def task_label(self, obj):
        return obj.task_name

    @admin.display(description=_("chi tiết lỗi"))
    def formatted_traceback(self, obj):
        return super().formatted_traceback(obj)

    @admin.display(description=_("chạy sau"))
    def display_run_after(self, obj):
        return super().display_run_after(obj)


@admin.register(GeneratedFile)
class GeneratedFileAdmin(admin.ModelAdmin):
    """Files made in the background: who asked for what, when, how it went.
    Read only; purge_generated_files deletes the expired ones."""

    list_display = ["created_at", "requested_by", "title", "format", "status", "size", "expires_at"]
    list_filter = ["kind", "format", "status"]
    search_fields = ["title", "requested_by__username"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the purge deletes the file with its row
