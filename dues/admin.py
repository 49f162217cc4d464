"""Dues configuration in the admin site: the fixed amounts the public text
does not give and the share each kind of organization keeps, each with its
validity months. An administrator adds rows through the services (which
refuse overlapping dates and record who did it); a row is never edited or
deleted: a new period ends with a new row. The members' categories, bases
and reliefs are read only here (they change through the pages)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from chibo.dates import DateError, month_shift, parse_month
from chibo.errors import ServiceError
from dues import services
from dues.models import DuesBasis, DuesRelief, DuesShare, FixedRate
from dues.rules import RULE_SETS


class _PeriodForm(forms.ModelForm):
    first_month = forms.CharField(label=_("Từ tháng (mm/yyyy)"))
    last_month = forms.CharField(label=_("Đến hết tháng (mm/yyyy)"), required=False)

    def _month(self, name):
        try:
            return parse_month(self.cleaned_data.get(name, ""))
        except DateError as exc:
            raise ValidationError(exc.message) from exc

    def clean_first_month(self):
        return self._month("first_month")

    def clean_last_month(self):
        return self._month("last_month")


class FixedRateForm(_PeriodForm):
    rule_set = forms.ChoiceField(label=_("Quy định"), choices=[(r.code, r.name) for r in RULE_SETS])

    class Meta:
        model = FixedRate
        fields = ["rule_set", "category", "amount", "note"]


class DuesShareForm(_PeriodForm):
    class Meta:
        model = DuesShare
        fields = ["kind", "kept_percent", "note"]


class _ConfigAdmin(admin.ModelAdmin):
    """Add through the service; nothing is changed or deleted."""

    service = None

    def has_change_permission(self, request, obj=None):
        return obj is None and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        data = {k: v for k, v in form.cleaned_data.items()}
        try:
            row = self.write(request.user, data)
        except ServiceError as exc:
            raise ValidationError(exc.messages) from exc
        obj.__dict__.update({k: v for k, v in row.__dict__.items() if k != "_state"})
        obj._state.adding = False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        write = self.write

        class Checked(form):
            def clean(inner):
                cleaned = super().clean()
                if inner.errors:
                    return cleaned
                # run the service in a rolled-back transaction: its refusal
                # (overlapping dates) is shown on the form, nothing written
                from django.db import transaction

                try:
                    with transaction.atomic():
                        write(request.user, dict(cleaned))
                        transaction.set_rollback(True)
                except ServiceError as exc:
                    raise ValidationError(exc.messages) from exc
                return cleaned

        return Checked


@admin.register(FixedRate)
class FixedRateAdmin(_ConfigAdmin):
    form = FixedRateForm
    list_display = ["rule_set", "category", "amount", "valid_from", "until", "note"]
    list_filter = ["rule_set", "category"]

    @admin.display(description=_("đến hết tháng"))
    def until(self, obj):
        return month_shift(obj.valid_to, -1).strftime("%m/%Y") if obj.valid_to else "–"

    def write(self, user, d):
        return services.fixed_rate_set(
            actor=user,
            rule_set=d["rule_set"],
            category=d["category"],
            amount=d["amount"],
            first_month=d["first_month"],
            last_month=d.get("last_month"),
            note=d.get("note", ""),
        )


@admin.register(DuesShare)
class DuesShareAdmin(_ConfigAdmin):
    form = DuesShareForm
    list_display = ["kind", "kept_percent", "valid_from", "until", "note"]

    until = FixedRateAdmin.until

    def write(self, user, d):
        return services.share_set(
            actor=user,
            kind=d["kind"],
            kept_percent=d["kept_percent"],
            first_month=d["first_month"],
            last_month=d.get("last_month"),
            note=d.get("note", ""),
        )


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DuesBasis)
class DuesBasisAdmin(_ReadOnly):
    list_display = ["member", "category", "base", "valid_from", "valid_to"]
    raw_id_fields = ["member"]


@admin.register(DuesRelief)
class DuesReliefAdmin(_ReadOnly):
    list_display = ["member", "percent", "reason", "valid_from", "valid_to", "decision_number"]
    raw_id_fields = ["member"]
