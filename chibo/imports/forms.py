"""The upload form of every kind: the file, the kind's own options, and
whether to import the valid rows only."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from chibo.imports.kinds import ImportKind
from chibo.spreadsheets import too_big_message


class UploadForm(forms.Form):
    file = forms.FileField(
        error_messages={
            "required": _("Hãy chọn tệp cần nhập."),
            "empty": _("Tệp trống, không có dữ liệu."),
        },
    )

    def __init__(self, *args, kind: ImportKind, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].label = kind.file_label
        self.option_names = []
        for name, field in kind.option_fields(user).items():
            self.fields[name] = field
            self.option_names.append(name)
        self.fields["skip_invalid"] = forms.BooleanField(
            label=_("Chỉ nhập các dòng hợp lệ (bỏ qua dòng lỗi)"), required=False
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.CHIBO_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(too_big_message(limit))
        return upload

    def options(self) -> dict:
        return {
            "skip_invalid": self.cleaned_data["skip_invalid"],
            **{name: self.cleaned_data[name] for name in self.option_names},
        }
