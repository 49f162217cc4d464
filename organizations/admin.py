"""The unit tree in the admin site: read only (every change goes through
organizations/services.py, which records history and the audit trail),
except the term length per level, which is a setting; and the accounts with
the roles they hold on units."""

from datetime import date

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from chibo.audit import audit_record
from chibo.models import User
from organizations.models import (
    CommunityPost,
    Restructure,
    Role,
    Seat,
    Term,
    TermLength,
    Unit,
    UnitVersion,
)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class VersionInline(admin.TabularInline):
    model = UnitVersion
    fk_name = "unit"
    extra = 0
    fields = ["valid_from", "valid_to", "name", "level", "category", "parent", "change"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Unit)
class UnitAdmin(ReadOnly):
    list_display = ["name", "code", "level", "category", "parent", "founded_on", "dissolved_on"]
    list_filter = ["level", "category"]
    search_fields = ["name", "code"]
    inlines = [VersionInline]


@admin.register(Restructure)
class RestructureAdmin(ReadOnly):
    list_display = ["effective_on", "kind", "decision_number", "decision_date", "summary"]
    list_filter = ["kind"]
    search_fields = ["decision_number", "summary"]


@admin.register(Term)
class TermAdmin(ReadOnly):
    list_display = ["unit", "name", "valid_from", "due_on", "valid_to"]
    search_fields = ["unit__name"]


@admin.register(Seat)
class SeatAdmin(ReadOnly):
    list_display = ["unit", "position", "body", "member", "valid_from", "valid_to"]
    list_filter = ["position", "body"]
    search_fields = ["unit__name", "member__full_name"]


@admin.register(CommunityPost)
class CommunityPostAdmin(ReadOnly):
    list_display = ["unit", "kind", "person_name", "member", "valid_from", "valid_to"]
    list_filter = ["kind"]


@admin.register(TermLength)
class TermLengthAdmin(admin.ModelAdmin):
    list_display = ["level", "months"]


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
