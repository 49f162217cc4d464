"""Two people editing one record: the second save is told what changed.

The one rule for every form that overwrites a record (a member's dossier, a
meeting, its attendance, …): the page carries what it showed, signed, in a
hidden field (`FIELD`, "_seen"); the save locks the record's row, reads it
again, and if anything the page showed has changed meanwhile, writes nothing
and says what, field by field, with who saved last:

    Trong lúc bạn sửa, Nguyễn Thị Lan đã lưu thay đổi (14:05): Số điện thoại:
    “0912…” → “0987…”. Lần lưu này chưa được ghi: xem lại rồi bấm Ghi lần nữa.

The page shown again carries the new state, so a second "Ghi", with the other
person's change in view, saves. A post without the field (a script, an older
page) is saved as before.

A ModelForm takes `SeenMixin` and the view saves through `form.guard()`:

    class ProfileForm(SeenMixin, forms.ModelForm): ...

    with form.guard():
        services.member_update(...)

A page that is not one ModelForm (attendance: a row per member) gives its own
state, a {label: text} dict, to `token` when it renders and to `guarded` when
it saves.
"""

import json
import zlib
from collections.abc import Callable
from contextlib import contextmanager
from datetime import date, datetime, time

from django import forms
from django.core import signing
from django.db import models, transaction
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from chibo.errors import ServiceError

FIELD = "_seen"
_SALT = "chibo.concurrency"


class EditConflict(ServiceError):
    """The record changed since the page was shown; `changes` lists how."""

    def __init__(self, message, changes):
        super().__init__(message)
        self.changes = changes


def _text(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("có") if value else _("không")
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, list | tuple | set):
        return ", ".join(sorted(_text(v) for v in value)) or "—"
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


def token(state: dict[str, str]) -> str:
    """What the page shows, signed, for its hidden field."""
    raw = json.dumps(state, ensure_ascii=False, sort_keys=True).encode()
    return signing.dumps(zlib.compress(raw).hex(), salt=_SALT, compress=False)


def _read(value: str) -> dict | None:
    try:
        return json.loads(zlib.decompress(bytes.fromhex(signing.loads(value, salt=_SALT))))
    except (signing.BadSignature, ValueError, zlib.error, TypeError):
        return None


def changes(seen: str, now: dict[str, str]) -> list[tuple[str, str, str]]:
    """(label, as the page showed it, as it is now) for each difference."""
    before = _read(seen)
    if before is None:  # tampered or mangled: take it as "saw nothing"
        return [(label, "?", value) for label, value in now.items()][:1]
    keys = list(dict.fromkeys([*before, *now]))
    return [
        (k, before.get(k, "—"), now.get(k, "—"))
        for k in keys
        if before.get(k, "—") != now.get(k, "—")
    ]


def conflict_message(diff, who: str = "") -> str:
    shown = "; ".join(f"{label}: “{a}” → “{b}”" for label, a, b in diff[:12])
    if len(diff) > 12:
        shown += _("; và %(n)s thay đổi khác") % {"n": len(diff) - 12}
    head = (
        _("Trong lúc bạn sửa, %(who)s đã lưu thay đổi") % {"who": who}
        if who
        else _("Trong lúc bạn sửa, người khác đã lưu thay đổi")
    )
    return _("%(head)s: %(changes)s. Lần lưu này chưa được ghi: xem lại rồi bấm Ghi lần nữa.") % {
        "head": head,
        "changes": shown,
    }


def _last_editor(obj) -> str:
    """Who saved `obj` last, and when, from the audit trail."""
    from django.utils import timezone

    from chibo.models import AuditEvent

    if obj is None or not getattr(obj, "pk", None):
        return ""
    event = (
        AuditEvent.objects.filter(target_type=obj._meta.label_lower, target_id=obj.pk)
        .select_related("actor")
        .order_by("-pk")
        .first()
    )
    if event is None or event.actor is None:
        return ""
    return f"{event.actor} ({timezone.localtime(event.at):%H:%M})"


@contextmanager
def guarded(
    seen: str | None,
    *,
    lock: models.QuerySet,
    state: Callable[[], dict[str, str]],
    record=None,
    describe: Callable[[list], list] | None = None,
):
    """One transaction in which the rows of `lock` are locked, `state()` read
    again and compared with what the page showed (`seen`); EditConflict if it
    changed. The save inside the block is in the same transaction.
    `describe` turns the differences' keys and values into what the user
    reads (a form's labels and choices)."""
    with transaction.atomic():
        list(lock.select_for_update().values_list("pk", flat=True))
        if seen:
            diff = changes(seen, state())
            if diff:
                shown = describe(diff) if describe else diff
                raise EditConflict(conflict_message(shown, _last_editor(record)), shown)
        yield


def instance_state(instance: models.Model, form: forms.BaseForm) -> dict[str, str]:
    """{field name: value as text} of the form's fields as `instance` holds
    them: stored values, not labels, which a form may change as it is built."""
    names = [n for n in form.fields if n != FIELD]
    values = model_to_dict(instance, fields=names)
    return {name: _text(values.get(name, getattr(instance, name, None))) for name in names}


def form_describe(form: forms.BaseForm):
    """Differences keyed by field name, as the form's labels and choices."""

    def shown(field, text):
        choices = getattr(field, "choices", None)
        if choices:
            return str(dict((str(k), v) for k, v in choices).get(text, text))
        return text

    def describe(diff):
        out = []
        for name, before, now in diff:
            field = form.fields.get(name)
            if field is None:
                out.append((name, before, now))
            else:
                label = str(field.label or name)
                out.append((label, shown(field, before), shown(field, now)))
        return out

    return describe


class SeenMixin:
    """For a ModelForm editing a stored record: the hidden `_seen` field, and
    `guard()` to save under the rule (see the module's docstring)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[FIELD] = forms.CharField(widget=forms.HiddenInput, required=False)

    def get_initial_for_field(self, field, field_name):
        # when rendered, so that fields a subclass adds or drops are counted
        if field_name == FIELD:
            return token(instance_state(self.instance, self)) if self.instance.pk else ""
        return super().get_initial_for_field(field, field_name)

    def _fresh(self):
        return type(self.instance)._default_manager.get(pk=self.instance.pk)

    @contextmanager
    def guard(self):
        model = type(self.instance)
        seen = self.data.get(FIELD) if self.is_bound else None
        try:
            with guarded(
                seen if self.instance.pk else None,
                lock=model._default_manager.filter(pk=self.instance.pk),
                state=lambda: instance_state(self._fresh(), self),
                record=self.instance,
                describe=form_describe(self),
            ):
                yield
        except EditConflict:
            # shown again with what is stored now: a second save, seen, goes through
            self.data = self.data.copy()
            self.data[FIELD] = token(instance_state(self._fresh(), self))
            raise
