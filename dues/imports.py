"""Dues as kinds of import (chibo.imports): the dues book an office kept on
paper or in Excel (one row per member and year, one column per month), and
the payments exported from the national public-service portal (one row per
payment). Every row is checked by the same service as the sheet
(dues.services.dues_collect), run in a transaction that is rolled back; a
payment already recorded with the same amount is "unchanged", so sending the
same file twice changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo.dates import DateError, first_of_month, last_day, parse_month
from chibo.errors import ServiceError
from chibo.imports import NEW, UNCHANGED, UPDATED, ImportContext, ImportKind, RowOutcome
from chibo.spreadsheets import CellError, Column, Row, cell_digits, cell_text, parse_date
from chibo.text import fold
from dues.services import Entry, dues_collect, parse_amount
from meetings.choices import DuesChannel
from meetings.models import DuesPayment
from members.choices import PlacementKind
from members.models import Member, Placement
from organizations.models import Role
from organizations.selectors import role_paths, sees_everything

EDIT_KINDS = (Role.Kind.ADMIN, Role.Kind.STAFF)  # office staff import; secretaries use the sheet

MONTH_COLUMNS = [
    Column(f"m{k}", f"Tháng {k}", aliases=(f"T{k}", f"Tháng {k:02d}"), kind="number")
    for k in range(1, 13)
]
WHO_COLUMNS = [
    Column("full_name", "Họ và tên", aliases=("Họ tên",), required=True),
    Column(
        "card_number",
        "Số thẻ đảng viên",
        aliases=("Số thẻ",),
        kind="digits",
        help=gettext_lazy("Số thẻ hoặc số CCCD để nhận ra đảng viên"),
    ),
    Column("national_id", "Số CCCD", aliases=("CCCD", "Số căn cước"), kind="digits"),
]


class _TrialOver(Exception):
    """Rolls back the trial run of the checks."""


@dataclass(slots=True)
class PaymentRow(RowOutcome):
    member_id: int | None = None
    payments: list = field(default_factory=list)  # [(unit id, month, amount, channel, reference)]


def _may_use(user) -> bool:
    return sees_everything(user) or bool(role_paths(user, EDIT_KINDS))


def _scope_path(actor) -> str:
    if actor is None or not getattr(actor, "pk", None) or sees_everything(actor):
        return ""
    paths = role_paths(actor, EDIT_KINDS)
    return min(paths, key=len) if paths else ""


def _find_member(r: RowOutcome, values: dict, header) -> Member | None:
    card = cell_digits(values.get("card_number"))
    nid = cell_digits(values.get("national_id"), width=12)
    name = cell_text(values.get("full_name"))
    r.name, r.key = name, card or nid
    if not card and not nid:
        r.error(header("card_number"), _("Cần số thẻ đảng viên hoặc số CCCD để nhận ra đảng viên."))
        return None
    member = None
    if card:
        member = Member.objects.filter(card_number=card).select_related("unit").first()
    if member is None and nid:
        member = Member.objects.filter(national_id=nid).select_related("unit").first()
    if member is None:
        column = header("card_number") if card else header("national_id")
        r.error(
            column, _("Không có đảng viên nào có số %(k)s trong danh sách.") % {"k": card or nid}
        )
        return None
    if name and fold(name) != member.search_name:
        r.error(
            header("full_name"),
            _("Số %(k)s là của đảng viên %(name)s, không phải “%(typed)s”.")
            % {"k": card or nid, "name": member.full_name, "typed": name},
        )
        return None
    return member


def _cell_of(member: Member, month: date):
    """The cell the member was placed in (permanently) during `month`: the
    one on its first day, else the first they joined in it."""
    placements = list(
        Placement.objects.filter(
            member=member, kind=PlacementKind.PERMANENT, valid_from__lte=last_day(month)
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=month))
        .select_related("unit")
        .order_by("valid_from")
    )
    on_first = [p for p in placements if p.valid_from <= month]
    chosen = on_first[-1] if on_first else (placements[0] if placements else None)
    return chosen.unit if chosen else None


def _try(
    r: PaymentRow, member: Member, month: date, amount: int, channel: str, reference, column, actor
):
    """Check one payment with the service in a savepoint, rolled back later."""
    unit = _cell_of(member, month)
    if unit is None:
        r.error(
            column,
            _(
                "%(name)s không sinh hoạt ở chi bộ nào trong tháng %(m)s (trước khi vào Đảng hoặc sau khi ra khỏi chi bộ)."
            )
            % {"name": member.full_name, "m": month.strftime("%m/%Y")},
        )
        return
    existing = DuesPayment.objects.filter(member=member, month=month).first()
    try:
        with transaction.atomic():
            dues_collect(
                actor=actor,
                unit=unit,
                month=month,
                entries={member.pk: Entry(amount, channel=channel, reference=reference)},
                source="import",
            )
    except ServiceError as exc:
        for message in exc.messages:
            r.error(column, message)
        return
    if existing is None:
        outcome = NEW
    elif existing.amount == amount and existing.channel == channel:
        outcome = UNCHANGED
    else:
        outcome = UPDATED
        r.changes[f"{month:%m/%Y}"] = (existing.amount, amount)
    r.payments.append((unit.pk, month, amount, channel, reference, outcome))


def _outcome(r: PaymentRow) -> None:
    if r.errors:
        return
    outcomes = {p[5] for p in r.payments}
    r.outcome = NEW if NEW in outcomes else (UPDATED if UPDATED in outcomes else UNCHANGED)


def _apply(rows: list[PaymentRow], ctx: ImportContext) -> dict:
    from organizations.models import Unit

    units: dict[int, Unit] = {}
    written = []
    for r in rows:
        for unit_id, month, amount, channel, reference, outcome in r.payments:
            if outcome == UNCHANGED:
                continue
            unit = units.get(unit_id) or units.setdefault(unit_id, Unit.objects.get(pk=unit_id))
            dues_collect(
                actor=ctx.actor,
                unit=unit,
                month=month,
                entries={r.member_id: Entry(amount, channel=channel, reference=reference)},
                source="import",
            )
            written.append([r.member_id, month])
    return {"payments": written}


class DuesPaidKind(ImportKind):
    name = "dues_paid"
    slug = "dang-phi-da-nop"
    title = gettext_lazy("Đảng phí đã nộp (sổ thu nộp)")
    description = gettext_lazy(
        "Một dòng một đảng viên trong một năm, mỗi tháng một cột: số tiền đã nộp (đồng). Ô để "
        "trống là chưa nộp (không xóa số đã ghi). Đảng phí ghi vào chi bộ đảng viên sinh hoạt "
        "trong tháng đó; tháng trước khi vào Đảng hoặc sau khi chuyển đi bị từ chối."
    )
    columns = [
        *WHO_COLUMNS,
        Column("year", "Năm", required=True, kind="number"),
        *MONTH_COLUMNS,
        Column("channel", "Hình thức nộp", help=gettext_lazy("Tiền mặt (mặc định) hoặc Cổng DVC")),
    ]
    example = {
        "full_name": "Nguyễn Văn An",
        "card_number": "79000123",
        "national_id": "",
        "year": 2025,
        **{f"m{k}": 50000 for k in range(1, 13)},
        "channel": "Tiền mặt",
    }
    template_title = gettext_lazy("SỔ THU NỘP ĐẢNG PHÍ — một dòng một đảng viên, điền từ dòng 3")
    subject_label = gettext_lazy("Họ và tên")
    key_label = gettext_lazy("Số thẻ / CCCD")
    done_message = gettext_lazy(
        "Đã nhập đảng phí: %(new)s dòng có tháng mới, %(updated)s dòng sửa."
    )

    def may_use(self, user) -> bool:
        return _may_use(user)

    def scope_path(self, actor) -> str:
        return _scope_path(actor)

    def analyse(self, rows: Iterator[Row], ctx: ImportContext) -> list[PaymentRow]:
        out: list[PaymentRow] = []
        try:
            with transaction.atomic():
                for row in rows:
                    out.append(self._check(row, ctx))
                raise _TrialOver
        except _TrialOver:
            pass
        return out

    def _check(self, row: Row, ctx: ImportContext) -> PaymentRow:
        r = PaymentRow(row=row.number)
        v = row.values
        member = _find_member(r, v, ctx.header)
        year_text = cell_text(v.get("year"))
        if not year_text.isdigit() or not 1950 <= int(year_text) <= date.today().year:
            r.error(ctx.header("year"), _("Năm “%(y)s” không hợp lệ.") % {"y": year_text})
        channel = _channel(r, v.get("channel"), ctx.header("channel"))
        if r.errors or member is None:
            return r
        r.member_id = member.pk
        year = int(year_text)
        for k in range(1, 13):
            raw = v.get(f"m{k}")
            column = ctx.header(f"m{k}")
            try:
                amount = parse_amount(raw)
            except ServiceError as exc:
                r.error(column, exc.messages[0])
                continue
            if not amount:
                continue
            _try(r, member, date(year, k, 1), amount, channel, "", column, ctx.actor)
        if not r.errors and not r.payments:
            r.outcome = UNCHANGED
            r.notes.append(_("Không có tháng nào có số tiền."))
        _outcome(r)
        return r

    def apply(self, rows: list[PaymentRow], ctx: ImportContext) -> dict:
        return _apply(rows, ctx)


def _channel(r: RowOutcome, raw, column) -> str:
    text = fold(cell_text(raw))
    if not text or text in ("tien mat", "tm", "cash"):
        return DuesChannel.CASH
    if "cong" in text or "dvc" in text or "portal" in text or "truc tuyen" in text:
        return DuesChannel.PORTAL
    r.error(
        column,
        _("Hình thức nộp “%(v)s” không rõ: ghi “Tiền mặt” hoặc “Cổng DVC”.")
        % {"v": cell_text(raw)},
    )
    return DuesChannel.CASH


class PortalPaymentsKind(ImportKind):
    name = "dues_portal"
    slug = "dang-phi-cong-dich-vu-cong"
    title = gettext_lazy("Đảng phí nộp qua Cổng Dịch vụ công")
    description = gettext_lazy(
        "Danh sách giao dịch tải từ Cổng Dịch vụ công quốc gia: một dòng một lần nộp, với kỳ "
        "đóng (tháng/năm) và số tiền. Giao dịch đã nhập (cùng mã) được giữ nguyên."
    )
    columns = [
        Column("reference", "Mã giao dịch", aliases=("Mã hồ sơ", "Mã GD"), required=True),
        *WHO_COLUMNS,
        Column(
            "month",
            "Kỳ đóng",
            aliases=("Tháng đóng", "Kỳ"),
            required=True,
            help=gettext_lazy("mm/yyyy"),
        ),
        Column("amount", "Số tiền", aliases=("Số tiền (đồng)",), required=True, kind="number"),
        Column("paid_on", "Ngày nộp", aliases=("Ngày giao dịch",), kind="date"),
    ]
    example = {
        "reference": "DVC-2026-000123",
        "full_name": "Nguyễn Văn An",
        "card_number": "79000123",
        "national_id": "",
        "month": "03/2026",
        "amount": 52500,
        "paid_on": date(2026, 3, 5),
    }
    template_title = gettext_lazy("GIAO DỊCH ĐẢNG PHÍ TRÊN CỔNG DỊCH VỤ CÔNG — điền từ dòng 3")
    subject_label = gettext_lazy("Họ và tên")
    key_label = gettext_lazy("Mã giao dịch")
    done_message = gettext_lazy("Đã nhập %(new)s giao dịch mới, %(updated)s giao dịch sửa.")

    def may_use(self, user) -> bool:
        return _may_use(user)

    def scope_path(self, actor) -> str:
        return _scope_path(actor)

    def analyse(self, rows: Iterator[Row], ctx: ImportContext) -> list[PaymentRow]:
        out: list[PaymentRow] = []
        seen: dict[str, int] = {}
        try:
            with transaction.atomic():
                for row in rows:
                    r = self._check(row, ctx)
                    ref = cell_text(row.values.get("reference"))
                    if ref and ref in seen:
                        r.error(
                            ctx.header("reference"),
                            _("Mã giao dịch %(r)s đã có ở dòng %(n)s.")
                            % {"r": ref, "n": seen[ref]},
                        )
                    seen.setdefault(ref, row.number)
                    out.append(r)
                raise _TrialOver
        except _TrialOver:
            pass
        return out

    def _check(self, row: Row, ctx: ImportContext) -> PaymentRow:
        v = row.values
        r = PaymentRow(row=row.number)
        reference = cell_text(v.get("reference"))
        member = _find_member(r, v, ctx.header)
        r.key = reference
        if not reference:
            r.error(ctx.header("reference"), _("Thiếu mã giao dịch."))
        month = None
        try:
            month = parse_month(cell_text(v.get("month")))
            if month is None:
                r.error(ctx.header("month"), _("Thiếu kỳ đóng (mm/yyyy)."))
        except DateError as exc:
            r.error(ctx.header("month"), exc.message)
        try:
            amount = parse_amount(v.get("amount"))
            if not amount:
                r.error(ctx.header("amount"), _("Thiếu số tiền."))
        except ServiceError as exc:
            amount = None
            r.error(ctx.header("amount"), exc.messages[0])
        try:
            paid_on = parse_date(v.get("paid_on"))
            if paid_on and paid_on > date.today():
                r.error(ctx.header("paid_on"), _("Ngày nộp sau ngày hôm nay."))
        except CellError as exc:
            r.error(ctx.header("paid_on"), exc.message)
        if r.errors or member is None:
            return r
        r.member_id = member.pk
        month = first_of_month(month)
        done = DuesPayment.objects.filter(reference=reference, channel=DuesChannel.PORTAL).first()
        if done is not None and (done.member_id != member.pk or done.month != month):
            r.error(
                ctx.header("reference"),
                _("Mã giao dịch %(r)s đã được ghi cho đảng viên khác hoặc kỳ khác.")
                % {"r": reference},
            )
            return r
        _try(
            r, member, month, amount, DuesChannel.PORTAL, reference, ctx.header("amount"), ctx.actor
        )
        _outcome(r)
        return r

    def apply(self, rows: list[PaymentRow], ctx: ImportContext) -> dict:
        return _apply(rows, ctx)
