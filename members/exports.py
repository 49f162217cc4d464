"""The member roster as a file (XLSX or CSV): the list's filtered rows with
the columns and headers of the import (members/resources.py), so an exported
list can be corrected and imported back. One `ExportKind` for chibo.exports:
a ward's roster is made inside the request, the province's by the worker."""

import csv
from collections.abc import Iterator
from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from chibo.exports import CONTENT_TYPES, ExportKind, Output, register
from chibo.masking import mask
from chibo.spreadsheets import build_xlsx, csv_row
from chibo.text import slug
from members.forms import MemberFilterForm
from members.models import Member
from members.resources import DATE_FIELDS, MEMBER_COLUMNS
from members.selectors import keeps_members, member_list
from members.services import roster_full_export_record
from organizations.models import Unit
from organizations.selectors import reach_key, unit_for_user_or_404

TEXT_HEADERS = ("Số CCCD", "Số thẻ đảng viên", "Số điện thoại")
CONFIDENTIAL = ("national_id", "card_number")
FULL = "day_du"  # ?day_du=1: full CCCD and card numbers, office staff only, audited


def wants_full(params: dict) -> bool:
    return str(params.get(FULL, "")) in ("1", "true", "on")


def roster_rows(qs, *, full: bool = False) -> tuple[list[str], list[int], Iterator[list]]:
    """Headers, date column indexes and rows of the roster: the columns of the
    import (members/resources.py MEMBER_COLUMNS), each value written as
    MemberResource writes it (a test holds the two equal), read with one
    values_list query: a province's 100,000 rows through the Resource's
    per-row dehydration take several times longer. CCCD and card numbers
    are masked (chibo/masking.py) unless `full`."""
    keys = [c.key for c in MEMBER_COLUMNS]
    labels = {
        f.name: dict(f.flatchoices)
        for f in Member._meta.fields
        if f.name in keys and f.choices and f.name != "ethnicity"
    }
    flags = {
        f.name
        for f in Member._meta.fields
        if f.name in keys and f.get_internal_type() == "BooleanField"
    }
    fields = [k for k in keys if k != "unit"] + ["unit__code", "unit__name"]

    def rows():
        for values in qs.values_list(*fields).iterator(chunk_size=2000):
            record = dict(zip(fields, values, strict=True))
            row = []
            for key in keys:
                if key == "unit":
                    value = record["unit__code"] or record["unit__name"] or ""
                elif key in flags:
                    value = "x" if record[key] else ""
                elif key in CONFIDENTIAL and not full:
                    value = mask(record[key])
                elif key in labels:
                    value = str(labels[key].get(record[key], "")) if record[key] else ""
                else:
                    value = record[key]
                row.append("" if value is None else value)
            yield row

    dates = [i for i, k in enumerate(keys) if k in DATE_FIELDS]
    return [c.label for c in MEMBER_COLUMNS], dates, rows()


def roster_query(user, params: dict) -> tuple:
    """(queryset, unit) of the list's filters in `params` (the query string
    of the list page), scoped to `user`; Http404 for a unit out of reach,
    ValueError for filters the form refuses."""
    params = {k: v for k, v in (params or {}).items() if k != FULL}
    form = MemberFilterForm(params or None)
    if not params:
        return member_list(user), None
    if not form.is_valid():
        raise ValueError(form.errors)
    unit = None
    if form.cleaned_data["unit"] is not None:
        unit = unit_for_user_or_404(user, form.cleaned_data["unit"])
    return member_list(user, unit=unit, **form.filters()), unit


def _unit(params: dict) -> Unit | None:
    raw = params.get("unit")
    if not raw:
        return None
    unit = Unit.objects.filter(pk=raw).first() if str(raw).isdigit() else None
    if unit is None:
        raise Http404(_("Không tìm thấy đơn vị."))
    return unit


def roster_title(params: dict, day: date | None = None) -> str:
    unit = Unit.objects.filter(pk=params["unit"]).first() if params.get("unit") else None
    return _("DANH SÁCH ĐẢNG VIÊN%(unit)s — ngày %(day)s") % {
        "unit": f" — {unit.name}" if unit else "",
        "day": (day or date.today()).strftime("%d/%m/%Y"),
    }


def roster_scope(user, params: dict) -> str:
    """Who may have this file: a full export (?day_du=1) only office staff
    and administrators (PermissionDenied for reviewers and secretaries), and
    only the one who asked for it, so that no one else reuses it unaudited."""
    key = reach_key(user, _unit(params))
    if wants_full(params):
        if not keeps_members(user):
            raise PermissionDenied(
                _("Chỉ cán bộ văn phòng được xuất danh sách có đầy đủ số CCCD và số thẻ.")
            )
        key = f"{key}:day-du:{user.pk}"
    return key


def roster_estimate(user, params: dict, fmt: str) -> int:
    qs, _unit = roster_query(user, params)
    return qs.count()


def roster_build(user, params: dict, fmt: str, progress) -> Output:
    qs, unit = roster_query(user, params)
    # "danh-sach-dang-vien-chi-bo-khu-pho-1-ngay-01-12-2026.xlsx"
    stem = slug(
        "Danh sách đảng viên",
        unit.name if unit is not None else "",
        "ngày " + date.today().strftime("%d-%m-%Y"),
    )
    full = wants_full(params)
    if full:
        roster_scope(user, params)  # checked again where the file is made
        roster_full_export_record(actor=user, params=params, fmt=fmt, rows=qs.count())
    headers, dates, rows = roster_rows(qs, full=full)
    total = progress.job.total if progress.job is not None else 0

    def counted():
        for i, row in enumerate(rows, 1):
            progress(i, max(total, i))
            yield row

    if fmt == "xlsx":
        texts = [headers.index(h) for h in TEXT_HEADERS]
        content = build_xlsx(
            headers, counted(), title=roster_title(params), date_columns=dates, text_columns=texts
        )
        return Output(content, f"{stem}.xlsx", CONTENT_TYPES["xlsx"])

    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo())

    def lines():
        yield "\ufeff" + writer.writerow(csv_row(headers))  # the BOM so Excel reads UTF-8
        for row in counted():
            yield writer.writerow(
                csv_row(v.strftime("%d/%m/%Y") if isinstance(v, date) else v for v in row)
            )

    return Output(lines(), f"{stem}.csv", CONTENT_TYPES["csv"])


ROSTER = register(
    ExportKind(
        name="members.roster",
        title=roster_title,
        formats=("xlsx", "csv"),
        scope=roster_scope,
        estimate=roster_estimate,
        build=roster_build,
    )
)
