"""Forms of the organization pages. Dates are typed dd/mm/yyyy."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from chibo.forms import DayField
from organizations.models import (
    BaseType,
    Body,
    Category,
    CommunityPost,
    EconomicSector,
    EnterpriseForm,
    Level,
    Position,
    ServiceKind,
    Unit,
)
from organizations.services import ALLOWED_CHILD_LEVELS

# No party unit, term or post is dated before the Party's founding (03/02/1930);
# a year like 0001 or 9999 is a typing slip, and past 9999 the date arithmetic
# (a term's end, the day before a change) would fail.
EARLIEST_DAY = date(1930, 2, 3)
LATEST_DAY = date(2100, 12, 31)


def validate_plausible_day(day: date) -> None:
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValidationError(
            _("Ngày %(day)s không hợp lệ: hãy ghi một ngày từ 03/02/1930 đến 31/12/2100.")
            % {"day": f"{day.day:02d}/{day.month:02d}/{day.year:04d}"}
        )


def date_field(label, required=True, **kwargs) -> DayField:
    return DayField(label=label, required=required, validators=[validate_plausible_day], **kwargs)


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class AsOfForm(forms.Form):
    ngay = date_field(_("Xem cơ cấu tại ngày"), required=False)


class DecisionForm(forms.Form):
    """The decision every restructure carries."""

    decision_number = forms.CharField(label=_("Số quyết định"), max_length=64)
    decision_date = date_field(_("Ngày ký quyết định"))
    effective_on = date_field(_("Ngày có hiệu lực"))

    def __init__(self, *args, unit: Unit, units, **kwargs):
        self.unit = unit
        self.units = units  # the active units the user may edit
        super().__init__(*args, **kwargs)

    def decision(self) -> dict:
        d = self.cleaned_data
        return {
            "decision_number": d["decision_number"],
            "decision_date": d["decision_date"],
            "effective_on": d["effective_on"],
        }


class RenameForm(DecisionForm):
    name = forms.CharField(label=_("Tên mới"), max_length=255)


class MoveForm(DecisionForm):
    parent = UnitChoiceField(label=_("Chuyển sang trực thuộc"), queryset=Unit.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = (
            self.units.filter(
                level__in=[
                    Level.PROVINCIAL,
                    Level.DISTRICT,
                    Level.BLOC,
                    Level.GRASSROOTS_COMMITTEE,
                    Level.GRASSROOTS_CELL,
                    Level.CELL,
                ]
            )
            .exclude(path__startswith=self.unit.path)
            .exclude(pk=self.unit.parent_id)
            .order_by("path")
        )


class UpgradeForm(DecisionForm):
    parent = UnitChoiceField(
        label=_("Trực thuộc (khi thành chi bộ cơ sở)"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("Để trống: cấp ủy trên của đảng bộ cơ sở hiện tại."),
    )
    cell_names = forms.CharField(
        label=_("Tên các chi bộ trực thuộc (khi thành đảng bộ cơ sở), mỗi dòng một tên"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Đảng viên được chuyển về chi bộ ở dòng đầu; có thể chuyển tiếp sau."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.unit.level == Level.CELL:
            del self.fields["cell_names"]
            self.fields["parent"].queryset = self.units.filter(
                level__in=[Level.PROVINCIAL, Level.DISTRICT, Level.BLOC]
            ).order_by("path")
        else:
            del self.fields["parent"]


class MergeForm(DecisionForm):
    others = forms.ModelMultipleChoiceField(
        label=_("Hợp nhất với"),
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    mode = forms.ChoiceField(
        label=_("Đơn vị sau hợp nhất"),
        choices=[
            ("into", _("Giữ đơn vị này, các đơn vị kia sáp nhập vào")),
            ("new", _("Lập đơn vị mới")),
        ],
        widget=forms.RadioSelect,
        initial="into",
    )
    name = forms.CharField(label=_("Tên đơn vị mới"), max_length=255, required=False)
    code = forms.CharField(label=_("Mã đơn vị mới"), max_length=32, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        qs = self.units.filter(level=self.unit.level).exclude(pk=self.unit.pk)
        if self.unit.parent_id:
            qs = qs.filter(path__startswith=self.unit.parent.path)
        self.fields["others"].queryset = qs.order_by("path")
        self.fields["others"].label_from_instance = lambda u: u.name

    def clean(self):
        data = super().clean()
        if data.get("mode") == "new" and not (data.get("name") or "").strip():
            self.add_error("name", _("Cần ghi tên đơn vị mới."))
        return data


class MemberDestinationsMixin:
    """One select per member of the unit: where that member goes."""

    member_choices_label = _("Nơi sinh hoạt mới")

    def add_member_fields(self, members, choices, *, blank_label):
        self.members = members
        for m in members:
            self.fields[f"m_{m.pk}"] = forms.TypedChoiceField(
                label=m.full_name,
                choices=[("", blank_label), *choices],
                required=False,
                coerce=int,
                empty_value=None,
            )

    def member_fields(self):
        return [self[f"m_{m.pk}"] for m in self.members]

    def member_assignments(self) -> dict[int, int]:
        return {
            m.pk: self.cleaned_data.get(f"m_{m.pk}")
            for m in self.members
            if self.cleaned_data.get(f"m_{m.pk}") is not None
        }


class DissolveForm(MemberDestinationsMixin, DecisionForm):
    destination = UnitChoiceField(
        label=_("Chuyển tất cả đảng viên về"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("— chọn cho từng người bên dưới —"),
    )
    children_to = UnitChoiceField(
        label=_("Chuyển các đơn vị trực thuộc về"), queryset=Unit.objects.none(), required=False
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        # the cells of the same committee first (seed 003: the ward's residential cells)
        candidates = self.units.filter(level__in=[Level.CELL, Level.GRASSROOTS_CELL]).exclude(
            path__startswith=self.unit.path
        )
        near = []
        if self.unit.parent_id:
            near = list(candidates.filter(path__startswith=self.unit.parent.path).order_by("path"))
            candidates = candidates.exclude(path__startswith=self.unit.parent.path)
        cells = (near + list(candidates.order_by("path")[: max(0, 500 - len(near))]))[:500]
        self.cells = {c.pk: c for c in cells}
        self.fields["destination"].queryset = self.units.filter(pk__in=self.cells)
        self.fields["destination"].label_from_instance = lambda u: u.name
        self.add_member_fields(
            members, [(c.pk, c.name) for c in cells], blank_label=_("— như ô chung ở trên —")
        )
        if not members:
            del self.fields["destination"]
        if self.unit.children.filter(dissolved_on__isnull=True).exists():
            self.fields["children_to"].queryset = (
                self.units.filter(
                    level__in=[
                        Level.PROVINCIAL,
                        Level.DISTRICT,
                        Level.BLOC,
                        Level.GRASSROOTS_COMMITTEE,
                    ]
                )
                .exclude(path__startswith=self.unit.path)
                .order_by("path")
            )
        else:
            del self.fields["children_to"]

    def service_kwargs(self) -> dict:
        return {
            "destination": self.cleaned_data.get("destination"),
            "assignments": {k: self.cells[v] for k, v in self.member_assignments().items()},
            "children_to": self.cleaned_data.get("children_to"),
        }


class SplitForm(MemberDestinationsMixin, DecisionForm):
    part_names = forms.CharField(
        label=_("Tên các đơn vị mới, mỗi dòng một tên"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    MAX_PARTS = 6

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(i, _("Đơn vị mới ở dòng %(n)s") % {"n": i + 1}) for i in range(self.MAX_PARTS)]
        self.add_member_fields(members, choices, blank_label=_("— chọn —"))
        self.children = list(self.unit.children.filter(dissolved_on__isnull=True))
        for c in self.children:
            self.fields[f"c_{c.pk}"] = forms.TypedChoiceField(
                label=c.name,
                choices=[("", _("— chọn —")), *choices],
                coerce=int,
                required=False,
                empty_value=None,
            )

    def clean_part_names(self):
        names = [n.strip() for n in self.cleaned_data["part_names"].splitlines() if n.strip()]
        if len(names) < 2:
            raise forms.ValidationError(_("Cần ít nhất hai tên đơn vị mới."))
        if len(names) > self.MAX_PARTS:
            raise forms.ValidationError(_("Tối đa %(n)s đơn vị mới.") % {"n": self.MAX_PARTS})
        return names

    def child_fields(self):
        return [self[f"c_{c.pk}"] for c in self.children]

    def service_kwargs(self) -> dict:
        return {
            "parts": [{"name": n} for n in self.cleaned_data["part_names"]],
            "assignments": self.member_assignments(),
            "child_assignments": {
                c.pk: self.cleaned_data.get(f"c_{c.pk}")
                for c in self.children
                if self.cleaned_data.get(f"c_{c.pk}") is not None
            },
        }


class FoundForm(DecisionForm):
    name = forms.CharField(label=_("Tên đơn vị"), max_length=255)
    level = forms.ChoiceField(label=_("Cấp"), choices=Level.choices)
    category = forms.ChoiceField(
        label=_("Loại chi bộ"), choices=[("", "—"), *Category.choices], required=False
    )
    code = forms.CharField(label=_("Mã đơn vị"), max_length=32, required=False)
    administrative_unit = forms.CharField(
        label=_("Địa bàn: đơn vị hành chính (mã hoặc tên)"),
        max_length=200,
        required=False,
        help_text=_("Đơn vị hành chính có hiệu lực vào ngày thành lập, kể cả trước 01/7/2025."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

        allowed = ALLOWED_CHILD_LEVELS.get(self.unit.level, ())
        self.fields["level"].choices = [(v, label) for v, label in Level.choices if v in allowed]


class TermForm(forms.Form):
    congress_on = date_field(_("Ngày đại hội"))
    name = forms.CharField(
        label=_("Tên nhiệm kỳ"), max_length=64, required=False, help_text=_("Ví dụ: 2025–2027")
    )
    due_on = date_field(
        _("Hết nhiệm kỳ (để trống: tính theo độ dài nhiệm kỳ của cấp)"), required=False
    )
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=64, required=False)


class SeatForm(forms.Form):
    member = forms.TypedChoiceField(label=_("Đảng viên"), coerce=int)
    position = forms.ChoiceField(label=_("Chức vụ"), choices=Position.choices)
    body = forms.ChoiceField(label=_("Thuộc"), choices=Body.choices)
    valid_from = date_field(_("Từ ngày"))
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=64, required=False)

    def __init__(self, *args, members, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(m.pk, m.full_name) for m in members]
        self.fields["body"].choices = [(b, Body(b).label) for b in bodies]


class SeatEndForm(forms.Form):
    seat = forms.IntegerField(widget=forms.HiddenInput)
    day = date_field(_("Thôi giữ chức từ ngày"))


class PostForm(forms.Form):
    kind = forms.ChoiceField(label=_("Chức danh"), choices=CommunityPost.Kind.choices)
    member = forms.TypedChoiceField(
        label=_("Là đảng viên của chi bộ"), coerce=int, required=False, empty_value=None
    )
    person_name = forms.CharField(
        label=_("Họ và tên (nếu không phải đảng viên của chi bộ)"), max_length=150, required=False
    )
    valid_from = date_field(_("Từ ngày"))

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", _("— không phải đảng viên —"))] + [
            (m.pk, m.full_name) for m in members
        ]

    def clean(self):
        data = super().clean()
        if not data.get("member") and not (data.get("person_name") or "").strip():
            raise forms.ValidationError(_("Chọn đảng viên hoặc ghi họ và tên người giữ chức danh."))
        return data


class LocalityForm(forms.Form):
    """The administrative unit a committee serves, typed as its code or its
    name (with the district and province after commas where needed); checked
    against the units in force on the date by the selector."""

    administrative_unit = forms.CharField(
        label=_("Đơn vị hành chính (mã hoặc tên)"),
        max_length=200,
        required=False,
        help_text=_(
            "Ví dụ “Thị trấn Sóc Sơn, Huyện Sóc Sơn” (trước 01/7/2025) hoặc “Xã Sóc Sơn” (từ "
            "01/7/2025), hoặc mã 5 chữ số. Để trống: bỏ gắn địa bàn."
        ),
    )
    effective_on = date_field(_("Từ ngày"))


def _share(label):
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=100,
        error_messages={
            "invalid": _("Tỷ lệ vốn phải là một số nguyên (%)."),
            "min_value": _("Tỷ lệ vốn từ 0 đến 100%."),
            "max_value": _("Tỷ lệ vốn từ 0 đến 100%."),
        },
    )


class TypeForm(forms.Form):
    """A grassroots organization's type for Biểu 5 (loại hình cơ sở), from a
    date; checked again by organizations.services.unit_set_type."""

    base_type = forms.ChoiceField(
        label=_("Loại hình cơ sở"), choices=[("", "—"), *BaseType.choices], required=False
    )
    enterprise_form = forms.ChoiceField(
        label=_("Loại hình doanh nghiệp"),
        choices=[("", "—"), *EnterpriseForm.choices],
        required=False,
    )
    state_capital = _share(_("Vốn nhà nước (%)"))
    foreign_capital = _share(_("Vốn nước ngoài (%)"))
    economic_sector = forms.ChoiceField(
        label=_("Ngành kinh tế (doanh nghiệp; biểu 5 bộ 2012)"),
        choices=[("", "—"), *EconomicSector.choices],
        required=False,
    )
    service_kind = forms.ChoiceField(
        label=_("Loại đơn vị sự nghiệp (biểu 5 bộ 2012)"),
        choices=[("", "—"), *ServiceKind.choices],
        required=False,
    )
    no_masses = forms.BooleanField(
        label=_("Không còn quần chúng (không còn người ngoài Đảng để kết nạp)"), required=False
    )
    effective_on = date_field(_("Từ ngày"))


class PopulationForm(forms.Form):
    counted_on = date_field(_("Số liệu tại ngày"))
    households = forms.IntegerField(
        label=_("Số hộ gia đình"),
        min_value=0,
        error_messages={
            "invalid": _("Số hộ phải là một số nguyên."),
            "min_value": _("Số hộ không được âm."),
        },
    )
    people = forms.IntegerField(
        label=_("Số nhân khẩu"),
        min_value=0,
        error_messages={
            "invalid": _("Số nhân khẩu phải là một số nguyên."),
            "min_value": _("Số nhân khẩu không được âm."),
        },
    )
    note = forms.CharField(label=_("Nguồn số liệu"), max_length=255, required=False)


def today() -> date:
    return date.today()
