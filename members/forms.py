"""Forms of the members pages. They only parse and present; every rule is
checked by the service the view calls (members/services.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.concurrency import SeenMixin
from chibo.forms import DayField, MonthField, QuickSelect
from chibo.phones import validate_phone
from members.choices import AwardKind, CardEvent, DecisionLevel, Gender, Status, TransferScope
from members.models import Discipline, Exemption, Member, Rating
from members.rules import BADGE_YEARS, RemovalGround
from members.selectors import AGE_BANDS, STATUS_ANY, STATUS_CURRENT
from members.services import PROFILE_FIELDS
from organizations.models import CELL_LEVELS, Category, Unit
from organizations.selectors import units_for

YES_NO = [("", _("Tất cả")), ("yes", _("Có")), ("no", _("Không"))]


def date_field(label, required=True):
    return DayField(label=label, required=required)


def pick(label, choices):
    """A required choice that starts empty: a record as grave as a removal
    ground, a disciplinary form or a rating must never be saved by leaving
    the first option as it was."""
    return forms.ChoiceField(
        label=label,
        choices=[("", _("— Chọn —")), *choices],
        error_messages={"required": _("Hãy chọn một mục.")},
    )


def cells_for(user, *, exclude: Unit | None = None):
    qs = units_for(user).filter(level__in=CELL_LEVELS, dissolved_on__isnull=True).order_by("path")
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return qs


class MemberFilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm theo tên, số thẻ, số CCCD"), required=False, max_length=100)
    unit = forms.IntegerField(label=_("Đơn vị"), required=False)
    status = forms.ChoiceField(
        label=_("Tình trạng"),
        required=False,
        widget=QuickSelect,
        choices=[(STATUS_CURRENT, _("Đảng viên hiện có")), (STATUS_ANY, _("Tất cả"))]
        + list(Status.choices),
    )
    gender = forms.ChoiceField(
        label=_("Giới tính"),
        required=False,
        widget=QuickSelect,
        choices=[("", _("Tất cả")), *Gender.choices],
    )
    age_band = forms.ChoiceField(
        label=_("Độ tuổi"),
        required=False,
        widget=QuickSelect,
        choices=[("", _("Tất cả"))] + [(code, label) for code, label, _a, _b in AGE_BANDS],
    )
    category = forms.ChoiceField(
        label=_("Loại chi bộ"),
        required=False,
        widget=QuickSelect,
        choices=[("", _("Tất cả")), *Category.choices],
    )
    civil_servant = forms.ChoiceField(
        label=_("Cán bộ, công chức"), required=False, choices=YES_NO, widget=QuickSelect
    )
    exempt = forms.ChoiceField(
        label=_("Miễn sinh hoạt"), required=False, choices=YES_NO, widget=QuickSelect
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the list template renders the unit options itself (see members/views.py)
        self.fields["unit"].error_messages["invalid"] = _("Đơn vị không hợp lệ.")

    def filters(self) -> dict:
        data = self.cleaned_data
        flag = {"yes": True, "no": False}
        return {
            "q": data["q"],
            "status": data["status"],
            "gender": data["gender"],
            "age_band": data["age_band"],
            "category": data["category"],
            "civil_servant": flag.get(data["civil_servant"]),
            "exempt": flag.get(data["exempt"]),
        }


class ProfileForm(SeenMixin, forms.ModelForm):
    changed_on = DayField(
        label=_("Trình độ, nghề nghiệp thay đổi từ ngày"),
        required=False,
        help_text=_(
            "Khi đảng viên thực sự thay đổi (học xong, được phong chức danh, nghỉ hưu, thôi là "
            "đoàn viên…): ghi ngày thay đổi, biểu thống kê của các kỳ trước vẫn tính theo giá "
            "trị cũ. Để trống nếu chỉ sửa chỗ ghi sai: giá trị mới đúng cho mọi kỳ."
        ),
    )

    class Meta:
        model = Member
        fields = PROFILE_FIELDS
        field_classes = {
            "birth_date": DayField,
            "admitted_on": DayField,
            "probation_from": DayField,
            "official_on": DayField,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].validators.append(validate_phone)
        # the date of a change sits under the fields it dates
        order = list(PROFILE_FIELDS)
        order.insert(order.index("married_to_foreigner") + 1, "changed_on")
        self.order_fields(order)

    def validate_unique(self):
        """Left to the service, which says which number is taken, in Vietnamese."""


# With what Biểu 2 (new members) counts: levels, occupation group, youth
# union, re-admission; the rest of the dossier is completed after admission.
CANDIDATE_FIELDS = (
    "full_name",
    "gender",
    "birth_date",
    "national_id",
    "ethnicity",
    "religion",
    "residence",
    "phone",
    "education",
    "qualification",
    "theory_level",
    "occupation",
    "occupation_category",
    "workplace",
    "is_youth_union_member",
    "is_readmitted",
)


RECEIVE_FIELDS = (
    "full_name",
    "gender",
    "birth_date",
    "national_id",
    "ethnicity",
    "religion",
    "phone",
    "residence",
    "education",
    "qualification",
    "academic_title",
    "theory_level",
    "occupation",
    "occupation_category",
    "workplace",
    "is_youth_union_member",
    "is_discharged_soldier",
    "admitted_on",
    "official_on",
    "card_number",
    "dossier_number",
)


class ReceiveForm(forms.ModelForm):
    """Tiếp nhận đảng viên chuyển đến: the dossier as the letter brings it."""

    day = date_field(_("Ngày tiếp nhận"))
    arrived_from = pick(_("Chuyển đến từ"), TransferScope.choices)
    decision_number = forms.CharField(
        label=_("Số giấy giới thiệu sinh hoạt đảng"), required=False, max_length=64
    )

    class Meta:
        model = Member
        fields = RECEIVE_FIELDS
        field_classes = {"birth_date": DayField, "admitted_on": DayField, "official_on": DayField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].validators.append(validate_phone)
        self.fields["admitted_on"].required = True
        self.order_fields(["day", "arrived_from", "decision_number", *RECEIVE_FIELDS])

    def validate_unique(self):
        """Left to the service."""


class CandidateForm(forms.ModelForm):
    proposed_on = date_field(_("Ngày đề nghị"))
    helper_1 = forms.ModelChoiceField(
        label=_("Người giúp đỡ thứ nhất"), queryset=Member.objects.none()
    )
    helper_2 = forms.ModelChoiceField(
        label=_("Người giúp đỡ thứ hai"), queryset=Member.objects.none()
    )

    class Meta:
        model = Member
        fields = CANDIDATE_FIELDS
        field_classes = {"birth_date": DayField}

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        officials = Member.objects.filter(unit=unit, status=Status.OFFICIAL).order_by("sort_key")
        self.fields["helper_1"].queryset = officials
        self.fields["helper_2"].queryset = officials
        self.fields["phone"].validators.append(validate_phone)

    def validate_unique(self):
        """Left to the service."""


def votes_for_field():
    return forms.IntegerField(label=_("Số đảng viên chính thức tán thành"), min_value=0)


def officials_field():
    return forms.IntegerField(
        label=_("Tổng số đảng viên chính thức của chi bộ"),
        min_value=1,
        help_text=_("Đã điền sẵn số đảng viên chính thức hiện có của chi bộ; sửa nếu khác."),
    )


class AdmitForm(forms.Form):
    decided_on = date_field(_("Ngày quyết định kết nạp"))
    ceremony_on = date_field(_("Ngày lễ kết nạp"))
    votes_for = votes_for_field()
    officials = officials_field()
    decision_number = forms.CharField(label=_("Số quyết định"), required=False, max_length=64)


class RecognizeForm(forms.Form):
    day = date_field(_("Ngày công nhận chính thức"))
    votes_for = votes_for_field()
    officials = officials_field()
    decision_number = forms.CharField(label=_("Số quyết định"), required=False, max_length=64)
    card_number = forms.CharField(label=_("Số thẻ đảng viên"), required=False, max_length=20)


class RejectForm(forms.Form):
    day = date_field(_("Ngày quyết định"))
    reason = forms.CharField(label=_("Lý do"), required=False, max_length=200)
    decision_number = forms.CharField(label=_("Số quyết định"), required=False, max_length=64)


class TransferForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Chuyển đến chi bộ"), queryset=Unit.objects.none())
    day = date_field(_("Từ ngày"))
    decision_number = forms.CharField(label=_("Số quyết định"), required=False, max_length=64)
    reason = forms.CharField(label=_("Lý do"), required=False, max_length=200)

    def __init__(self, *args, user, member: Member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = cells_for(user, exclude=member.unit)


class TransferOutForm(forms.Form):
    day = date_field(_("Ngày chuyển"))
    destination = forms.CharField(label=_("Nơi chuyển đến"), max_length=200)
    destination_kind = pick(_("Nơi chuyển đến thuộc"), TransferScope.choices)
    decision_number = forms.CharField(label=_("Số giấy giới thiệu"), required=False, max_length=64)


class TemporaryForm(forms.Form):
    host = forms.ModelChoiceField(
        label=_("Chi bộ sinh hoạt tạm thời"), queryset=Unit.objects.none()
    )
    day = date_field(_("Từ ngày"))
    until = date_field(_("Đến ngày (dự kiến)"), required=False)
    reason = forms.CharField(label=_("Lý do"), required=False, max_length=200)

    def __init__(self, *args, user, member: Member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host"].queryset = cells_for(user, exclude=member.unit)


class DayForm(forms.Form):
    day = date_field(_("Ngày"))


class ExemptForm(forms.Form):
    day = date_field(_("Miễn từ ngày"))
    reason = pick(_("Lý do"), Exemption.Reason.choices)
    decision_number = forms.CharField(label=_("Số quyết định"), required=False, max_length=64)
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=200)


class RemoveForm(forms.Form):
    day = date_field(_("Ngày xóa tên"))
    ground = pick(_("Lý do xóa tên"), RemovalGround.choices)
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=200)
    decision_number = forms.CharField(label=_("Số quyết định"), required=False, max_length=64)


class DisciplineForm(forms.Form):
    form = pick(_("Hình thức kỷ luật"), Discipline.Form.choices)
    day = date_field(_("Ngày quyết định"))
    fault = forms.CharField(label=_("Nội dung vi phạm"), widget=forms.Textarea(attrs={"rows": 3}))
    self_reported = forms.BooleanField(label=_("Tự giác nhận khuyết điểm"), required=False)
    corrected = forms.BooleanField(label=_("Đã khắc phục hậu quả"), required=False)
    decision_number = forms.CharField(label=_("Số quyết định"), required=False, max_length=64)
    level = forms.ChoiceField(
        label=_("Cấp quyết định"),
        choices=[("", "—"), *DecisionLevel.choices],
        required=False,
    )


class DeathForm(forms.Form):
    day = date_field(_("Ngày từ trần"))
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=200)


class ResidenceForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Chi bộ nơi cư trú"), queryset=Unit.objects.none())
    day = date_field(_("Từ ngày"))
    address = forms.CharField(label=_("Địa chỉ cư trú"), required=False, max_length=200)

    def __init__(self, *args, user, member: Member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = cells_for(user, exclude=member.unit)


class EvaluationForm(forms.Form):
    month = MonthField(label=_("Tháng (mm/yyyy)"))
    result = pick(_("Kết quả"), Rating.choices)
    agency = forms.CharField(label=_("Cơ quan đánh giá"), required=False, max_length=200)
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=200)


class CommentForm(forms.Form):
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    comment = forms.CharField(label=_("Nhận xét"), widget=forms.Textarea(attrs={"rows": 3}))


class AwardForm(forms.Form):
    kind = pick(_("Hình thức khen thưởng"), AwardKind.choices)
    level = pick(_("Cấp khen thưởng"), DecisionLevel.choices)
    title = forms.CharField(label=_("Tên khen thưởng"), required=False, max_length=255)
    reason = forms.CharField(label=_("Thành tích"), required=False, max_length=255)
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=64)
    day = date_field(_("Ngày quyết định"))


class BadgeForm(forms.Form):
    years = forms.TypedChoiceField(
        label=_("Huy hiệu"),
        coerce=int,
        choices=[(y, _("%(y)s năm tuổi Đảng") % {"y": y}) for y in BADGE_YEARS],
    )
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=64)
    day = date_field(_("Ngày trao tặng"))


class CardForm(forms.Form):
    event = pick(_("Hình thức"), CardEvent.choices)
    number = forms.CharField(label=_("Số thẻ đảng viên"), max_length=20)
    day = date_field(_("Ngày cấp"))
    decision_number = forms.CharField(label=_("Số quyết định"), required=False, max_length=64)
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=200)
