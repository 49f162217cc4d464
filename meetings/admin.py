"""Read-mostly admin: every change goes through meetings/services.py, so the
admin shows meetings and their parts without letting anyone edit them here."""

from django.contrib import admin

from meetings.models import Attendance, DuesPayment, Guest, Meeting, MinutesVersion, Vote


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AttendanceInline(ReadOnlyInline):
    model = Attendance
    fields = ["member", "status", "reason", "official", "exempt", "restriction"]
    readonly_fields = fields


class GuestInline(ReadOnlyInline):
    model = Guest
    fields = ["name", "title", "follows_cell"]
    readonly_fields = fields


class VoteInline(ReadOnlyInline):
    model = Vote
    fields = ["subject", "kind", "yes", "no", "abstain", "denominator", "needed", "passed"]
    readonly_fields = fields


class VersionInline(ReadOnlyInline):
    model = MinutesVersion
    fields = ["number", "adopted_at", "reason"]
    readonly_fields = fields


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = [
        "unit",
        "kind",
        "month",
        "held_on",
        "present_count",
        "summoned_count",
        "adopted_at",
    ]
    list_filter = ["kind", "month"]
    search_fields = ["unit__name", "thematic_subject"]
    list_select_related = ["unit"]
    raw_id_fields = ["unit"]
    inlines = [AttendanceInline, GuestInline, VoteInline, VersionInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DuesPayment)
class DuesPaymentAdmin(admin.ModelAdmin):
    list_display = ["member", "unit", "month", "amount"]
    list_filter = ["month"]
    list_select_related = ["member", "unit"]
    raw_id_fields = ["member", "unit", "meeting"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
