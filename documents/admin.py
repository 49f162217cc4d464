"""The administrator's page for the committees' own .docx templates: upload
one (the shipped default of each kind can be downloaded from the same page
as a starting point), or retire one. Uploads are never edited in place."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from chibo.errors import ServiceError
from documents import kinds, services
from documents.models import DocumentTemplate
from documents.render import CONTENT_TYPES, default_docx
from organizations.models import COMMITTEE_LEVELS, Unit


class UploadForm(forms.ModelForm):
    kind = forms.ChoiceField(label=_("Loại văn bản"))

    class Meta:
        model = DocumentTemplate
        fields = ["unit", "kind", "file", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "— Chọn —"), *kinds.choices()]
        self.fields["unit"].queryset = Unit.objects.filter(
            level__in=COMMITTEE_LEVELS, dissolved_on__isnull=True
        ).order_by("path")
        links = format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:documents_default", args=[k.key]), k.label)
                for k in kinds.all_kinds()
            ),
        )
        self.fields["file"].help_text = format_html(
            "{} {}",
            _(
                "Tệp Word .docx giữ nguyên các thẻ {{ … }} của mẫu mặc định. "
                "Tải mẫu mặc định để sửa:"
            ),
            links,
        )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.instance = services.document_template_upload(
                actor=self.request_user,
                unit=data["unit"],
                kind=data["kind"],
                file=data["file"],
                note=data.get("note", ""),
            )
        except ServiceError as exc:
            raise forms.ValidationError(exc.messages) from exc
        return data


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(admin.ModelAdmin):
    form = UploadForm
    list_display = ["unit", "kind_label", "uploaded_at", "uploaded_by", "in_use_label", "note"]
    list_filter = ["kind", ("retired_at", admin.EmptyFieldListFilter)]
    search_fields = ["unit__name", "note"]
    actions = ["retire"]

    @admin.display(description=_("loại văn bản"), ordering="kind")
    def kind_label(self, obj):
        return kinds.label_of(obj.kind)

    @admin.display(description=_("đang dùng"), boolean=True)
    def in_use_label(self, obj):
        return obj.in_use

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request_user = request.user
        return form

    def save_model(self, request, obj, form, change):
        """Saved by document_template_upload in the form's clean (with the audit
        record and the retirement of the template it replaces)."""

    @admin.action(description=_("Thôi dùng mẫu đã chọn (trở về mẫu cấp trên hoặc mặc định)"))
    def retire(self, request, queryset):
        done = 0
        for template in queryset.filter(retired_at__isnull=True):
            try:
                services.document_template_retire(actor=request.user, template=template)
                done += 1
            except ServiceError as exc:
                for message in exc.messages:
                    self.message_user(request, message, messages.ERROR)
        self.message_user(request, _("Đã cho thôi dùng %(n)s mẫu.") % {"n": done})

    def get_urls(self):
        return [
            path(
                "mac-dinh/<slug:key>/",
                self.admin_site.admin_view(self.default_view),
                name="documents_default",
            ),
            *super().get_urls(),
        ]

    def default_view(self, request, key: str):
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            kinds.get(key)
        except KeyError as exc:
            raise PermissionDenied from exc
        response = HttpResponse(default_docx(key), content_type=CONTENT_TYPES["docx"])
        response["Content-Disposition"] = f'attachment; filename="mau-{key}.docx"'
        return response
