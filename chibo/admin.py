"""Django's admin, for administrators: accounts and their roles, and the audit
trail (read only). Business data is changed through the app's own pages,
which go through the services; the admin only shows it."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from chibo.audit import audit_record
from chibo.models import AuditEvent, ImportBatch, User
from organizations.models import Role

admin.site.site_header = _("chibo – quản trị")
admin.site.site_title = _("chibo – quản trị")
admin.site.index_title = _("Quản trị hệ thống")


class RoleInline(admin.TabularInline):
    model = Role
    extra = 0
    raw_id_fields = ["unit"]
    fields = ["unit", "kind", "valid_from", "valid_to"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [RoleInline]
    list_display = ["username", "full_name", "is_active", "is_superuser", "last_login"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Thông tin"), {"fields": ("full_name", "email", "phone")}),
        (_("Quyền"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Thời điểm"), {"fields": ("last_login", "date_joined")}),
    )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="user_change" if change else "user_create",
            target=obj,
            summary=_("Sửa tài khoản %(u)s") % {"u": obj.username}
            if change
            else _("Tạo tài khoản %(u)s") % {"u": obj.username},
            data={"fields": list(form.changed_data)},
        )

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for role in instances:
            is_new = role.pk is None
            role.save()
            audit_record(
                actor=request.user,
                action="role_grant" if is_new else "role_change",
                target=role,
                unit=role.unit,
                summary=str(role),
                data={"kind": role.kind, "valid_to": role.valid_to},
            )
        for role in formset.deleted_objects:
            # A role is ended, never deleted: its past grants stay answerable.
            from datetime import date

            role.valid_to = role.valid_to or date.today()
            role.save(update_fields=["valid_to"])
            audit_record(
                actor=request.user,
                action="role_end",
                target=role,
                unit=role.unit,
                summary=str(role),
            )
        formset.save_m2m()


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
    """Every spreadsheet import (members or units), read only: who, when, which file."""

    list_display = [
        "created_at",
        "created_by",
        "kind",
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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
