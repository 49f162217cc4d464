from django import forms
from django.utils.translation import gettext_lazy as _

from reviews.rules import LEVEL_CHOICES, Reason

COUNT_ERRORS = {
    "required": _("Cần nhập số phiếu."),
    "invalid": _("Số phiếu phải là số nguyên."),
    "min_value": _("Số phiếu không được âm."),
    "max_value": _("Số phiếu quá lớn."),
}
SCORE_ERRORS = {"invalid": _("Điểm phải là số nguyên.")}
# Django's own message for a NUL character is not translated into Vietnamese.
NULL_ERROR = {"null_characters_not_allowed": _("Nội dung có ký tự không hợp lệ, hãy gõ lại.")}


def _text(label, rows: int, required_message=None, **kwargs):
    errors = dict(NULL_ERROR)
    if required_message:
        errors["required"] = required_message
    return forms.CharField(
        label=label, widget=forms.Textarea(attrs={"rows": rows}), error_messages=errors, **kwargs
    )


class OpenCycleForm(forms.Form):
    unit = forms.TypedChoiceField(
        label=_("Đơn vị"),
        coerce=int,
        choices=(),
        error_messages={
            "invalid_choice": _("Bạn không được mở đợt đánh giá cho đơn vị này."),
            "required": _("Cần chọn đơn vị."),
        },
    )
    year = forms.IntegerField(
        label=_("Năm đánh giá"),
        # a year after this one is refused by review_open_cycle, naming the range
        min_value=2018,
        error_messages={
            "invalid": _("Năm phải là số, ví dụ 2025."),
            "min_value": _("Năm đánh giá phải từ 2018."),
        },
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]


class SelfReviewForm(forms.Form):
    text = _text(_("Nội dung tự kiểm điểm"), 6, _("Cần ghi nội dung tự kiểm điểm."))
    score_general = forms.IntegerField(
        label=_("Điểm tiêu chí chung (tối đa 30)"), required=False, error_messages=SCORE_ERRORS
    )
    score_results = forms.IntegerField(
        label=_("Điểm kết quả thực hiện nhiệm vụ (tối đa 70)"),
        required=False,
        error_messages=SCORE_ERRORS,
    )


class CommentForm(forms.Form):
    text = _text(_("Nhận xét của chi bộ"), 4, _("Cần ghi nội dung nhận xét."))
    outstanding = forms.BooleanField(
        label=_("Có kết quả, sản phẩm nổi bật (điều kiện HTXSNV theo Quy định 366-QĐ/TW)"),
        required=False,
    )


class ResidenceCommentForm(forms.Form):
    text = _text(_("Nhận xét của chi bộ nơi cư trú"), 3, _("Cần ghi nội dung nhận xét."))


def _count(label):
    return forms.IntegerField(
        label=label, min_value=0, max_value=10000, initial=0, error_messages=COUNT_ERRORS
    )


class VoteForm(forms.Form):
    present = _count(_("Số đảng viên biểu quyết"))
    excellent = _count(_("Phiếu HTXSNV"))
    good = _count(_("Phiếu HTTNV"))
    completed = _count(_("Phiếu HTNV"))
    not_completed = _count(_("Phiếu KHTNV"))


class LevelForm(forms.Form):
    # an empty first choice: pressing the button by mistake proposes nothing
    level = forms.ChoiceField(
        label=_("Mức xếp loại"),
        choices=[("", _("– Chọn mức xếp loại –")), *LEVEL_CHOICES],
        error_messages={
            "invalid_choice": _("Mức xếp loại không hợp lệ."),
            "required": _("Cần chọn mức xếp loại."),
        },
    )


class DecideForm(LevelForm):
    override_reason = _text(
        _("Lý do vẫn quyết định (chỉ khi mức này trái quy định)"), 2, required=False
    )


class MemberDecideForm(DecideForm):
    reasons = forms.MultipleChoiceField(
        label=_(
            "Lý do (biểu 7B): với mức HTNV, các mặt còn hạn chế; với mức KHTNV, vi phạm tư cách"
        ),
        choices=Reason.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": _("Lý do không hợp lệ.")},
    )


class OrganizationDecideForm(DecideForm):
    exemplary = forms.BooleanField(
        label=_("Tiêu biểu (chỉ với mức hoàn thành xuất sắc nhiệm vụ, biểu 7A)"), required=False
    )


class ReturnForm(forms.Form):
    reason = _text(_("Lý do trả lại"), 2, _("Cần ghi lý do trả lại."))


class OrganizationSelfForm(forms.Form):
    text = _text(
        _("Báo cáo kiểm điểm của tập thể"), 6, _("Cần ghi nội dung tự kiểm điểm của tập thể.")
    )
