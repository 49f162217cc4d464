"""The unit tree in the admin site: read only (every change goes through
organizations/services.py, which records history and the audit trail),
except the term length per level, which is a setting."""

from django.contrib import admin

from organizations.models import (
    CommunityPost,
    Restructure,
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
