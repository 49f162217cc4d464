"""Members in Django's admin: read only. Dossiers change through the app's
pages, which go through members/services.py (history, checks, audit); the
admin shows the rows and the dossier's change history to administrators."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from chibo.text import fold
from members.models import (
    Award,
    Badge,
    Candidacy,
    CivilServantEvaluation,
    Discipline,
    Exemption,
    Member,
    PartyCard,
    Placement,
    ProfileChange,
    ResidenceComment,
    ResidenceContact,
    StatusPeriod,
)


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PlacementInline(ReadOnlyMixin, admin.TabularInline):
    model = Placement
    fk_name = "member"
    extra = 0
    fields = [
        "unit",
        "kind",
        "valid_from",
        "valid_to",
        "reason",
        "decision_number",
        "arrived_from",
        "left_to",
    ]


class StatusInline(ReadOnlyMixin, admin.TabularInline):
    model = StatusPeriod
    extra = 0
    fields = ["status", "valid_from", "valid_to", "decision_number", "note"]


class ProfileChangeInline(ReadOnlyMixin, admin.TabularInline):
    model = ProfileChange
    extra = 0
    fields = ["field", "previous", "value", "changed_on", "note", "created_by"]


@admin.register(Member)
class MemberAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["full_name", "gender", "birth_date", "unit", "status", "card_number"]
    list_filter = ["status", "gender", "is_exempt", "is_civil_servant", "occupation_category"]
    search_fields = ["search_name", "card_number", "national_id"]
    list_select_related = ["unit"]
    inlines = [StatusInline, PlacementInline, ProfileChangeInline]
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, fold(search_term))


for model in (
    Candidacy,
    Discipline,
    Exemption,
    ResidenceContact,
    ResidenceComment,
    CivilServantEvaluation,
    Award,
    Badge,
    PartyCard,
):
    admin.site.register(
        model,
        type(
            f"{model.__name__}Admin",
            (ReadOnlyMixin, admin.ModelAdmin),
            {"raw_id_fields": [f.name for f in model._meta.fields if f.many_to_one]},
        ),
    )
