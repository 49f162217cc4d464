"""What every request goes through before a view sees it: the one place where
typed input is cleaned and hostile input refused, so no view has to.

- Control characters (U+0001…U+001F but tab, line feed and carriage return,
  and DEL) are dropped from every value of the query string and the form:
  a name pasted from another program is stored as it reads, and no export
  meets a character the file format cannot hold. A NUL (U+0000), which no
  database column takes (PostgreSQL refuses it), refuses the request with a
  Vietnamese message instead.
- An id in the address (`/dang-vien/<id>/`) or a number in the query string
  (`?cell=…`) beyond what a database id can be (2⁶³ − 1) answers 404, like
  any id that names nothing: SQLite would otherwise raise OverflowError.
- A unique constraint the database refuses (two staff saving the same CCCD
  at the same moment: both passed the form's check) shows the form's own
  Vietnamese message (chibo.integrity), never a 500 page.
"""

import re

from csp.middleware import CSPMiddleware as _CSPMiddleware
from django.db import IntegrityError
from django.http import Http404, HttpResponseBadRequest, QueryDict
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

MAX_ID = 2**63 - 1
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DIGITS = re.compile(r"\s*[+-]?\d+\s*")


def clean_text(value: str) -> str:
    """`value` without control characters (tab, LF, CR kept)."""
    return _CONTROL.sub("", value)


def _has_nul(data: QueryDict) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in data.lists())


def _cleaned(data: QueryDict) -> QueryDict:
    if not any(
        _CONTROL.search(key) or any(_CONTROL.search(v) for v in values)
        for key, values in data.lists()
    ):
        return data
    out = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        out.setlist(clean_text(key), [clean_text(v) for v in values])
    out._mutable = False
    return out


def too_big(value) -> bool:
    """An integer, or digits, beyond any database id."""
    if isinstance(value, int):
        return abs(value) > MAX_ID
    return isinstance(value, str) and bool(_DIGITS.fullmatch(value)) and abs(int(value)) > MAX_ID


class HostileInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        post = request.POST if request.method == "POST" else None
        if _has_nul(request.GET) or (post is not None and _has_nul(post)):
            message = _(
                "Dữ liệu gửi lên có ký tự không hợp lệ (ký tự NUL), thường do dán từ một "
                "chương trình khác. Xin gõ lại nội dung rồi gửi lại. Chưa có gì được ghi."
            )
            return HttpResponseBadRequest(
                render_to_string("400.html", {"message": message}, request=request)
            )
        request.GET = _cleaned(request.GET)
        if post is not None:
            request.POST = _cleaned(post)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        numbers = [*view_args, *view_kwargs.values()]
        if any(too_big(v) for v in numbers) or any(
            too_big(v) for values in request.GET.lists() for v in values[1]
        ):
            raise Http404(_("Không tìm thấy."))
        return None

    def process_exception(self, request, exception):
        if isinstance(exception, OverflowError):
            # a number typed in a form, too big for the database's integer
            raise Http404(_("Không tìm thấy.")) from exception
        if isinstance(exception, IntegrityError):
            from chibo.integrity import response_for

            return response_for(request, exception)
        return None


class CSPMiddleware(_CSPMiddleware):
    """django-csp's policy (settings.CONTENT_SECURITY_POLICY) on every page;
    the admin site's own templates carry a few inline styles, allowed there
    alone (no inline script anywhere)."""

    def process_response(self, request, response):
        if request.path.startswith("/quan-tri/"):
            response._csp_update = {"style-src": ["'unsafe-inline'"]}
        return super().process_response(request, response)
