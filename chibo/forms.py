from datetime import date, datetime

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from chibo import dates


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Tên đăng nhập hoặc mật khẩu không đúng. Xin kiểm tra lại (chú ý chữ hoa, chữ thường)."
        ),
        "inactive": _("Tài khoản này đã bị khóa."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Tên đăng nhập")
        self.fields["password"].label = _("Mật khẩu")
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})


# --- One date input everywhere ---------------------------------------------------
#
# A text box, never the browser's date/month/time picker: those follow the
# browser's language ("12/01/2026", "07:30 PM", "December 2026" in an English
# browser). What is typed goes through chibo.dates, the one parser.


class _TypedInput(forms.TextInput):
    hint = ""
    shown = staticmethod(str)

    def __init__(self, attrs=None):
        base = {"placeholder": self.hint, "inputmode": "numeric", "autocomplete": "off"}
        base["size"] = len(self.hint) + 2
        super().__init__({**base, **(attrs or {})})

    def format_value(self, value):
        if hasattr(value, "year") or hasattr(value, "hour"):
            return self.shown(value)
        return super().format_value(value)


class DayInput(_TypedInput):
    hint = dates.DAY_HINT
    shown = staticmethod(dates.dmy)


class MonthInput(_TypedInput):
    hint = dates.MONTH_HINT
    shown = staticmethod(dates.mmyyyy)


class TimeInput(_TypedInput):
    hint = dates.TIME_HINT
    shown = staticmethod(dates.hhmm)


class _TypedField(forms.Field):
    parse = None

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not isinstance(value, str):
            return value
        try:
            return type(self).parse(value)
        except dates.DateError as exc:
            raise ValidationError(exc.message, code="invalid") from exc


class DayField(_TypedField):
    """dd/mm/yyyy; also 1/12/26, 01.12.2026, 01-12-2026."""

    widget = DayInput
    parse = staticmethod(dates.parse_day)

    def to_python(self, value):
        if isinstance(value, datetime):
            return value.date()
        return super().to_python(value)


class MonthField(_TypedField):
    """mm/yyyy (12/2026, 12/26, 2026-12): the first day of that month."""

    widget = MonthInput
    parse = staticmethod(dates.parse_month)

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace(day=1) if isinstance(value, date) else value


class TimeField(_TypedField):
    """HH:MM (also 7h30, 19.30)."""

    widget = TimeInput
    parse = staticmethod(dates.parse_time)


# --- A select drawn in Python ------------------------------------------------------


def _attrs_html(attrs: dict) -> str:
    # django/forms/widgets/attrs.html: False left out, True as a bare name
    return "".join(
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
        for name, value in attrs.items()
        if value is not False
    )


class QuickSelect(forms.Select):
    """forms.Select drawn by Python rather than one template per option:
    the same HTML, character for character (tests/chibo/test_quick_select.py),
    for the filters of the pages everyone opens (the member list's six
    selects were a fifth of its time). Grouped choices go the usual way."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        if self.allow_multiple_selected or any(group for group, *_ in widget["optgroups"]):
            return super().render(name, value, attrs, renderer)
        options = "".join(
            format_html(
                '\n  <option value="{}"{}>{}</option>\n',
                option["value"],
                mark_safe(_attrs_html(option["attrs"])),
                option["label"],
            )
            for _group, choices, _index in widget["optgroups"]
            for option in choices
        )
        return format_html(
            '<select name="{}"{}>{}\n</select>',
            widget["name"],
            mark_safe(_attrs_html(widget["attrs"])),
            mark_safe(options),
        )
