"""A unique constraint refused by the database becomes the form's own message.

Every service checks for duplicates before it writes ("Số CCCD … đã được dùng
cho một người khác"), but two staff saving the same CCCD at the same moment
both pass that check, and the database refuses the second row. That
IntegrityError reaches chibo.middleware, which comes here, the one mechanism
(no try/except per view):

1. The request is answered once more, through its own view: the service's
   check now sees the row the other person committed and the form shows its
   usual message, with what the user typed. A service writes in one
   transaction, so the refused attempt left nothing behind.
2. If the database refuses again (a constraint no form checks), the page says
   what was refused, in Vietnamese, from `MESSAGES` (constraint or column
   name to message; apps add theirs with `register`), and that nothing was
   saved; status 409.
"""

import logging
import re

from django.db import IntegrityError, connection
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

MESSAGES = {
    "national_id": _("Số CCCD này đã được dùng cho một người khác."),
    "card_number": _("Số thẻ đảng viên này đã được dùng cho một đảng viên khác."),
    "code": _("Mã đơn vị này đã được dùng cho một đơn vị khác."),
    "attendance_once": _("Điểm danh của đảng viên này trong buổi sinh hoạt đã có."),
    "dues_once_per_month": _("Đảng phí tháng này của đảng viên đã được ghi."),
}
GENERIC = _(
    "Dữ liệu này vừa được ghi ở một nơi khác cùng lúc (trùng với một bản ghi đã có). "
    "Chưa có gì được ghi; xin tải lại trang, xem lại rồi thử lại."
)
_RETRIED = "_chibo_integrity_retried"


def register(name: str, message) -> None:
    """The message for a unique constraint (its name, or the column's)."""
    MESSAGES[name] = message


def message_for(exc: IntegrityError) -> str:
    text = str(exc)
    cause = getattr(exc, "__cause__", None)
    diag = getattr(cause, "diag", None)
    name = getattr(diag, "constraint_name", None) or ""
    if name in MESSAGES:
        return str(MESSAGES[name])
    # SQLite: "UNIQUE constraint failed: members_member.national_id";
    # PostgreSQL: 'duplicate key value violates unique constraint "…_key"
    # DETAIL: Key (national_id)=(…) already exists.'
    for column in re.findall(r"\.(\w+)|Key \((\w+)\)", text):
        for part in column:
            if part and part in MESSAGES:
                return str(MESSAGES[part])
    for key, message in MESSAGES.items():
        if key in name or re.search(rf"\b{re.escape(key)}\b", text):
            return str(message)
    return str(GENERIC)


def response_for(request, exc: IntegrityError):
    """Answer the request again through its view (the form now says what is
    duplicated), or a page with the constraint's message."""
    match = getattr(request, "resolver_match", None)
    clean = not connection.in_atomic_block  # no request-wide transaction left broken
    if match is not None and clean and not getattr(request, _RETRIED, False):
        setattr(request, _RETRIED, True)
        try:
            response = match.func(request, *match.args, **match.kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            return response
        except IntegrityError as again:
            exc = again
    logger.warning("unique constraint refused on %s: %s", request.path, exc)
    return render(request, "409.html", {"message": message_for(exc)}, status=409)
