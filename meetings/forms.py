from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chibo.concurrency import SeenMixin
from chibo.forms import DayField, MonthField, TimeField
from meetings.models import Meeting, MeetingBody, MeetingKind, Restriction, Vote
from meetings.services import MEETING_FIELDS, TEXT_FIELDS
from organizations.models import Role, valid_on


class MeetingForm(SeenMixin, forms.ModelForm):
    month = MonthField(label=_("Sinh hoạt của tháng"))
    held_on = DayField(label=_("Ngày họp"))

    class Meta:
        model = Meeting
        fields = list(MEETING_FIELDS)
        field_classes = {
            "starts_at": TimeField,
            "ends_at": TimeField,
            "documents_sent_on": DayField,
        }
        widgets = {
            "documents": forms.Textarea(attrs={"rows": 2}),
            "agenda": forms.Textarea(attrs={"rows": 3}),
            "opening": forms.Textarea(attrs={"rows": 3}),
            "last_month_review": forms.Textarea(attrs={"rows": 4}),
            "next_month_tasks": forms.Textarea(attrs={"rows": 4}),
            "conclusions": forms.Textarea(attrs={"rows": 3}),
            "resolution_text": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, offer_cell_committee: bool = False, names: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        # the cell's members to pick the chair and the minutes' secretary from
        # (a <datalist>: typing any other name is still possible, e.g. a guest)
        self.names = list(names)
        for name in ("chair", "secretary"):
            self.fields[name].widget.attrs.update({"list": "member-names", "autocomplete": "off"})
        self.fields["chair"].help_text = _("Họ và tên người chủ trì (thường là bí thư).")
        self.fields["secretary"].help_text = _("Họ và tên người ghi biên bản.")
        self.fields["documents"].help_text = _(
            "Tài liệu gửi đảng viên trước cuộc họp (Hướng dẫn 42-HD/BTCTW: ít nhất 1 ngày trước)."
        )
        body = self.fields["body"]
        body.label = _("Cuộc họp của")
        body.required = False
        body.choices = [
            (MeetingBody.UNIT, _("Chi bộ / cấp ủy (sinh hoạt chung)")),
            (MeetingBody.CELL_COMMITTEE, _("Họp chi ủy")),
        ]
        body.initial = MeetingBody.UNIT
        if self.instance.pk:
            # who is expected depends on it: fixed once recorded
            body.disabled = True
        elif not offer_cell_committee:
            # only a cell with a chi ủy is offered “Họp chi ủy”; a forged post is
            # still refused by meeting_create with a clear message
            body.widget = forms.HiddenInput()
        self.fields["kind"].initial = MeetingKind.REGULAR
        self.fields["number"].help_text = _("Ví dụ: 05 (in thành “Số 05-BB/CB”)")

    def _post_clean(self):
        # The form only parses input; meeting_create / meeting_update check the
        # rules with clear Vietnamese messages (the database keeps them too).
        return None


class CorrectionForm(forms.Form):
    reason = forms.CharField(label=_("Lý do đính chính"), max_length=500)

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        for name in TEXT_FIELDS:
            model_field = Meeting._meta.get_field(name)
            field = model_field.formfield(required=False)
            field.initial = getattr(meeting, name)
            self.fields[name] = field


class GuestForm(forms.Form):
    """A guest by name, or one of the accounts of the committees above the
    cell (the superior committee member who follows it)."""

    user = forms.ModelChoiceField(
        label=_("Cán bộ cấp trên (có tài khoản)"),
        queryset=None,
        required=False,
        error_messages={
            "invalid_choice": _("Người được chọn không thuộc cấp ủy cấp trên của chi bộ này.")
        },
    )
    name = forms.CharField(label=_("Họ và tên"), max_length=150, required=False)
    title = forms.CharField(label=_("Chức vụ, đơn vị"), max_length=255, required=False)
    follows_cell = forms.BooleanField(
        label=_("Cấp ủy viên cấp trên phụ trách chi bộ"), required=False
    )

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["user"].queryset = (
            get_user_model()
            .objects.filter(
                pk__in=Role.objects.filter(valid_on(today), unit_id__in=unit.ancestor_ids())
                .exclude(kind=Role.Kind.ADMIN)
                .values("user_id")
            )
            .order_by("full_name")
        )

    def clean(self):
        data = super().clean()
        if not data.get("name") and not data.get("user"):
            raise forms.ValidationError(_("Xin nhập họ tên khách mời hoặc chọn cán bộ cấp trên."))
        return data


class VoteForm(forms.Form):
    subject = forms.CharField(label=_("Nội dung biểu quyết"), max_length=500)
    kind = forms.ChoiceField(label=_("Loại"), choices=Vote.Kind.choices)
    yes = forms.IntegerField(label=_("Tán thành"), min_value=0)
    no = forms.IntegerField(label=_("Không tán thành"), min_value=0, initial=0)
    abstain = forms.IntegerField(label=_("Không biểu quyết"), min_value=0, initial=0)


RESTRICTION_CHOICES = Restriction.choices
