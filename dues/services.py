"""Every write to dues: a member's category and base, reliefs, payments, the
configured fixed amounts and kept shares. Each validates, keeps history
(periods are closed, never rewritten; payment corrections stay in
DuesPayment's history table) and records who did it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.audit import audit_record
from chibo.dates import first_of_month, last_day, mmyyyy, month_shift
from chibo.errors import ServiceError
from dues import rules
from dues.choices import RELIEF_PERCENTS, DuesCategory, ReliefReason, ShareKind
from dues.models import DuesBasis, DuesRelief, DuesShare, FixedRate
from dues.selectors import expectations, leave_periods, on_leave_in
from meetings.choices import DuesChannel
from meetings.models import DuesPayment, Meeting
from members.models import Member
from members.selectors import membership_in_cell
from organizations.models import Unit
from organizations.selectors import can_edit


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _money(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đ"


def _check_reach(actor, unit: Unit | None, *, routine: bool = False) -> None:
    if not getattr(actor, "pk", None):
        return
    if unit is None or not can_edit(actor, unit, routine=routine):
        name = unit.name if unit is not None else ""
        raise ServiceError(_("Bạn không có quyền ghi đảng phí của “%(unit)s”.") % {"unit": name})


def _check_admin(actor) -> None:
    if getattr(actor, "pk", None) and not actor.is_superuser:
        raise ServiceError(_("Chỉ quản trị viên được đặt mức đảng phí và tỷ lệ trích giữ lại."))


def parse_amount(text, what: str = "") -> int | None:
    """An amount in đồng typed by a person ("52.500", "52,500", "52500 đ");
    None when empty. Letters or a negative amount: a Vietnamese refusal."""
    if text is None:
        return None
    if isinstance(text, int | float) and not isinstance(text, bool):
        if text < 0:
            raise ServiceError(_("Số tiền không được âm."))
        if int(text) != text:
            raise ServiceError(_("Số tiền phải là số đồng, không có phần lẻ."))
        return int(text)
    raw = str(text).strip().lower().removesuffix("đ").removesuffix("đồng").strip()
    if not raw:
        return None
    clean = raw.replace(".", "").replace(",", "").replace(" ", "")
    if clean.startswith("-"):
        raise ServiceError(_("Số tiền không được âm."))
    if not clean.isdigit():
        raise ServiceError(
            _("“%(text)s” không phải là số tiền: chỉ ghi chữ số (đồng), ví dụ 52.500%(what)s.")
            % {"text": str(text).strip(), "what": f" ({what})" if what else ""}
        )
    return int(clean)


# --- Category and base --------------------------------------------------------


def _check_base(category: str, base: int | None, month: date) -> None:
    rs = rules.rule_set_for(month)
    if category not in DuesCategory.values:
        raise ServiceError(_("Đối tượng đóng đảng phí không hợp lệ."))
    if rs.needs_base(category) and not base:
        raise ServiceError(
            _("Đối tượng “%(category)s” cần ghi căn cứ tính (số đồng mỗi tháng).")
            % {"category": DuesCategory(category).label}
        )
    if base is not None and base > 1_000_000_000:
        raise ServiceError(
            _("Căn cứ tính %(base)s quá lớn; xin kiểm tra lại.") % {"base": _money(base)}
        )
    if category == DuesCategory.ABROAD_OTHER and rs.needs_base(category):
        lo, hi = rules.ABROAD_RANGE
        if not lo <= (base or 0) <= hi:
            raise ServiceError(
                _("Đảng viên ở nước ngoài đóng từ %(lo)s đến %(hi)s mỗi tháng.")
                % {"lo": _money(lo), "hi": _money(hi)}
            )


@transaction.atomic
def basis_set(
    *, actor, member: Member, category: str, base: int | None, since: date, note: str = ""
) -> DuesBasis:
    """The member's dues category and base from the month `since` on (a raise,
    retirement, going abroad). The basis in force before ends then; one that
    starts later is refused (enter history in order)."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    _check_reach(actor, member.unit)
    since = first_of_month(since)
    _check_base(category, base, since)
    if member.admitted_on and since < first_of_month(member.admitted_on):
        raise ServiceError(
            _("Tháng %(month)s trước khi %(name)s vào Đảng (%(day)s).")
            % {
                "month": mmyyyy(since),
                "name": member.full_name,
                "day": member.admitted_on.strftime("%d/%m/%Y"),
            }
        )
    later = member.dues_bases.filter(valid_from__gte=since).order_by("valid_from").first()
    if later is not None:
        if later.valid_from == since and later.category == category and later.base == base:
            return later
        raise ServiceError(
            _("Đã có căn cứ đóng đảng phí từ tháng %(month)s; chỉ ghi được từ tháng sau đó.")
            % {"month": mmyyyy(later.valid_from)}
        )
    current = member.dues_bases.filter(valid_to__isnull=True).first()
    if current is not None:
        if current.category == category and current.base == base:
            return current
        current.valid_to = since
        current.save(update_fields=["valid_to"])
    basis = DuesBasis.objects.create(
        member=member,
        category=category,
        base=base if base else None,
        valid_from=since,
        note=note.strip()[:255],
        created_by=_user(actor),
    )
    audit_record(
        actor=actor,
        action="dues_basis_set",
        target=member,
        unit=member.unit,
        summary=_("Đối tượng đóng đảng phí của %(name)s từ tháng %(month)s: %(category)s")
        % {
            "name": member.full_name,
            "month": mmyyyy(since),
            "category": DuesCategory(category).label,
        },
        data={"category": category, "base": base, "since": since},
    )
    return basis


# --- Reliefs ------------------------------------------------------------------


@transaction.atomic
def relief_grant(
    *,
    actor,
    member: Member,
    percent: int,
    reason: str,
    first_month: date,
    last_month: date,
    decision_number: str,
    decided_on: date,
    note: str = "",
) -> DuesRelief:
    """A decision reducing (30, 50, 70%) or exempting (100%) the member's dues
    from `first_month` to `last_month` inclusive, at most 12 months."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    _check_reach(actor, member.unit)
    if percent not in RELIEF_PERCENTS:
        raise ServiceError(_("Mức giảm đảng phí chỉ là 30%, 50%, 70% hoặc miễn (100%)."))
    if reason not in ReliefReason.values:
        raise ServiceError(_("Lý do miễn, giảm đảng phí không hợp lệ."))
    number = (decision_number or "").strip()
    if not number:
        raise ServiceError(_("Cần ghi số quyết định miễn, giảm đảng phí."))
    first, last = first_of_month(first_month), first_of_month(last_month)
    end = month_shift(last, 1)
    n = rules.months_between(first, end)
    if n < 1:
        raise ServiceError(_("Tháng cuối phải từ tháng đầu trở đi."))
    if n > rules.MAX_RELIEF_MONTHS:
        raise ServiceError(
            _(
                "Mỗi quyết định miễn, giảm đảng phí chỉ có hiệu lực tối đa 12 tháng "
                "(từ %(a)s đến %(b)s là %(n)s tháng)."
            )
            % {"a": mmyyyy(first), "b": mmyyyy(last), "n": n}
        )
    if decided_on > timezone.localdate():
        raise ServiceError(_("Ngày quyết định không được sau ngày hôm nay."))
    clash = (
        member.dues_reliefs.filter(valid_from__lt=end)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=first))
        .first()
    )
    if clash is not None:
        raise ServiceError(
            _("Đã có quyết định %(n)s miễn, giảm đảng phí từ %(a)s đến %(b)s trùng thời gian.")
            % {
                "n": clash.decision_number,
                "a": mmyyyy(clash.valid_from),
                "b": mmyyyy(month_shift(clash.valid_to, -1)) if clash.valid_to else "…",
            }
        )
    relief = DuesRelief.objects.create(
        member=member,
        percent=percent,
        reason=reason,
        valid_from=first,
        valid_to=end,
        decision_number=number[:64],
        decided_on=decided_on,
        note=note.strip()[:255],
        created_by=_user(actor),
    )
    audit_record(
        actor=actor,
        action="dues_relief_grant",
        target=member,
        unit=member.unit,
        summary=_("%(what)s đảng phí cho %(name)s từ %(a)s đến %(b)s (QĐ %(n)s)")
        % {
            "what": _("Miễn") if percent == 100 else _("Giảm %(p)s%%") % {"p": percent},
            "name": member.full_name,
            "a": mmyyyy(first),
            "b": mmyyyy(last),
            "n": number,
        },
        data={"percent": percent, "reason": reason, "from": first, "to": end},
    )
    return relief


# --- Payments -----------------------------------------------------------------


PAID_EXPECTED = "expected"  # an entry meaning "paid the expected amount"


@dataclass
class Entry:
    """What the sheet says of one member: `amount` None = not paid,
    PAID_EXPECTED = paid what was expected, else the amount typed."""

    amount: int | str | None
    channel: str = DuesChannel.CASH
    reference: str = ""


def _membership_check(unit: Unit, month: date, members: dict[int, Member], ids) -> dict:
    spans = membership_in_cell(list(ids), unit, month, last_day(month))
    for pk in ids:
        if not spans.get(pk):
            m = members.get(pk)
            if m is None:
                raise ServiceError(
                    _("Có người không phải đảng viên của “%(unit)s” trong tháng %(month)s.")
                    % {"unit": unit.name, "month": mmyyyy(month)}
                )
            raise ServiceError(
                _(
                    "%(name)s không là đảng viên của “%(unit)s” trong tháng %(month)s "
                    "(trước khi vào Đảng, chuyển đến hoặc sau khi ra khỏi chi bộ): "
                    "không ghi đảng phí tháng đó được."
                )
                % {"name": m.full_name, "unit": unit.name, "month": mmyyyy(month)}
            )
    return spans


@transaction.atomic
def dues_collect(
    *,
    actor,
    unit: Unit,
    month: date,
    entries: dict[int, Entry],
    meeting: Meeting | None = None,
    source: str = "sheet",
) -> dict[str, int]:
    """Record the month's dues of members of `unit`, one Entry each. An
    amount above the expected one is a voluntary higher payment; more than ten
    times it (a typing slip), a negative amount, or a month in which the
    person was not a member of the cell are refused, and nothing is written.
    Returns {"created", "updated", "removed", "unchanged"}."""
    _check_reach(actor, unit, routine=True)
    month = first_of_month(month)
    today = timezone.localdate()
    if month > first_of_month(today):
        raise ServiceError(
            _("Chưa đến tháng %(month)s: không ghi đảng phí trước được.") % {"month": mmyyyy(month)}
        )
    if meeting is not None and meeting.unit_id != unit.pk:
        raise ServiceError(_("Cuộc họp không thuộc chi bộ này."))
    members = {m.pk: m for m in Member.objects.filter(pk__in=list(entries))}
    _membership_check(unit, month, members, entries.keys())
    exp = expectations(list(members.values()), [month])
    existing = {
        p.member_id: p for p in DuesPayment.objects.filter(member_id__in=list(entries), month=month)
    }
    counts = {"created": 0, "updated": 0, "removed": 0, "unchanged": 0}
    for pk, entry in entries.items():
        m = members[pk]
        e = exp[(pk, month)]
        old = existing.get(pk)
        if old is not None and old.unit_id != unit.pk:
            raise ServiceError(
                _("%(name)s đã đóng đảng phí tháng %(month)s ở chi bộ khác.")
                % {"name": m.full_name, "month": mmyyyy(month)}
            )
        if entry.channel not in DuesChannel.values:
            raise ServiceError(_("Hình thức nộp đảng phí không hợp lệ."))
        amount = entry.amount
        if amount == PAID_EXPECTED:
            if not e.known:
                raise ServiceError(
                    _(
                        "Chưa biết mức đóng của %(name)s (chưa ghi đối tượng đóng đảng phí): "
                        "xin ghi số tiền đã đóng."
                    )
                    % {"name": m.full_name}
                )
            amount = e.amount if e.amount else None
        if amount is not None and amount < 0:
            raise ServiceError(_("Số tiền đảng phí không được âm."))
        if amount and rules.is_absurd(amount, e.amount or 0):
            raise ServiceError(
                _(
                    "%(amount)s cho đảng phí tháng %(month)s của %(name)s là quá 10 lần mức phải "
                    "đóng (%(expected)s); xin kiểm tra lại."
                )
                % {
                    "amount": _money(amount),
                    "month": mmyyyy(month),
                    "name": m.full_name,
                    "expected": _money(e.amount or 0),
                }
                if e.amount
                else _("%(amount)s quá lớn cho đảng phí một tháng; xin kiểm tra lại.")
                % {"amount": _money(amount)}
            )
        if not amount:
            if old is not None:
                old._history_user = _user(actor)
                old.delete()
                counts["removed"] += 1
            continue
        voluntary = e.amount is not None and amount > e.amount
        values = {
            "amount": amount,
            "channel": entry.channel,
            "expected": e.amount,
            "voluntary": voluntary,
            "reference": (entry.reference or "").strip()[:64],
        }
        if old is None:
            p = DuesPayment(
                member_id=pk,
                unit=unit,
                month=month,
                meeting=meeting,
                recorded_by=_user(actor),
                **values,
            )
            p._history_user = _user(actor)
            p.save()
            counts["created"] += 1
        elif any(getattr(old, k) != v for k, v in values.items() if k != "reference" or v):
            for k, v in values.items():
                if k != "reference" or v:
                    setattr(old, k, v)
            old.recorded_by = _user(actor)
            old._history_user = _user(actor)
            old.save()
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    if counts["created"] or counts["updated"] or counts["removed"]:
        audit_record(
            actor=actor,
            action="dues_collect",
            unit=unit,
            summary=_("Ghi đảng phí tháng %(month)s của %(unit)s")
            % {"month": mmyyyy(month), "unit": unit.name},
            data={"source": source, "counts": counts, "members": sorted(entries)},
        )
    return counts


MAX_MONTHS_AT_ONCE = 12


@transaction.atomic
def dues_collect_months(
    *,
    actor,
    unit: Unit,
    member: Member,
    first_month: date,
    last_month: date,
    received_in: date,
    amount: int | str = PAID_EXPECTED,
    channel: str = DuesChannel.CASH,
    reference: str = "",
) -> list[DuesPayment]:
    """A member on leave from the cell's meetings (miễn sinh hoạt, or sinh
    hoạt tạm thời at another cell) pays late or ahead (đóng bù, đóng trước)
    for several months at once (01-QĐ/TW): one payment per month from
    `first_month` to `last_month`, each `amount` (by default the month's
    expected amount), received by the cell in `received_in`.

    Each month covered is paid (never arrears) and the dues book shows when
    it was paid; the remittance list, the book's totals and the dues report
    count the money in `received_in`, the month the cell had it to send up
    (selectors.counted_in). Refused, writing nothing: a month other than the
    one of payment in which the member was not on leave, a month outside
    membership of the cell, a month already paid, more than 12 months, a
    payment received in a month to come, an absurd amount."""
    _check_reach(actor, unit, routine=True)
    member = Member.objects.select_for_update().get(pk=member.pk)
    first, last = first_of_month(first_month), first_of_month(last_month)
    received = first_of_month(received_in)
    if received > first_of_month(timezone.localdate()):
        raise ServiceError(
            _("Chưa đến tháng %(month)s: không ghi đảng phí thu vào tháng đó được.")
            % {"month": mmyyyy(received)}
        )
    if last < first:
        raise ServiceError(_("Tháng cuối phải từ tháng đầu trở đi."))
    months = []
    month = first
    while month <= last:
        months.append(month)
        month = month_shift(month, 1)
    if len(months) > MAX_MONTHS_AT_ONCE:
        raise ServiceError(
            _(
                "Mỗi lần chỉ ghi đóng trước, đóng bù tối đa %(n)s tháng (từ %(a)s đến %(b)s là %(k)s tháng)."
            )
            % {"n": MAX_MONTHS_AT_ONCE, "a": mmyyyy(first), "b": mmyyyy(last), "k": len(months)}
        )
    if channel not in DuesChannel.values:
        raise ServiceError(_("Hình thức nộp đảng phí không hợp lệ."))
    paid = sorted(
        DuesPayment.objects.filter(member=member, month__in=months).values_list("month", flat=True)
    )
    if paid:
        raise ServiceError(
            _("%(name)s đã đóng đảng phí các tháng %(months)s; chỉ ghi các tháng chưa đóng.")
            % {"name": member.full_name, "months": ", ".join(mmyyyy(m) for m in paid)}
        )
    spans = membership_in_cell([member.pk], unit, first, last_day(last)).get(member.pk, [])
    leave = leave_periods([member.pk], first, last_day(last)).get(member.pk, [])
    for month in months:
        if not any(a < month_shift(month, 1) and (b is None or b > month) for a, b in spans):
            raise ServiceError(
                _(
                    "%(name)s không là đảng viên của “%(unit)s” trong tháng %(month)s "
                    "(trước khi vào Đảng, chuyển đến hoặc sau khi ra khỏi chi bộ): "
                    "không ghi đảng phí tháng đó được."
                )
                % {"name": member.full_name, "unit": unit.name, "month": mmyyyy(month)}
            )
        if month != received and not on_leave_in(leave, month):
            raise ServiceError(
                _(
                    "%(name)s không nghỉ sinh hoạt trong tháng %(month)s: chỉ đảng viên được miễn "
                    "sinh hoạt hoặc đang sinh hoạt tạm thời nơi khác mới đóng trước, đóng bù "
                    "đảng phí cho tháng đó."
                )
                % {"name": member.full_name, "month": mmyyyy(month)}
            )
    exp = expectations([member], months)
    rows = []
    for month in months:
        e = exp[(member.pk, month)]
        value = amount
        if value == PAID_EXPECTED:
            if not e.known:
                raise ServiceError(
                    _(
                        "Chưa biết mức đóng của %(name)s (chưa ghi đối tượng đóng đảng phí): "
                        "xin ghi số tiền mỗi tháng."
                    )
                    % {"name": member.full_name}
                )
            value = e.amount
        if value is None or value < 0:
            raise ServiceError(_("Số tiền đảng phí không được âm."))
        if value and rules.is_absurd(value, e.amount or 0):
            raise ServiceError(
                _(
                    "%(amount)s cho đảng phí tháng %(month)s của %(name)s là quá 10 lần mức phải "
                    "đóng (%(expected)s); xin kiểm tra lại."
                )
                % {
                    "amount": _money(value),
                    "month": mmyyyy(month),
                    "name": member.full_name,
                    "expected": _money(e.amount or 0),
                }
            )
        if not value:  # exempt that month: nothing to pay
            continue
        p = DuesPayment(
            member=member,
            unit=unit,
            month=month,
            amount=value,
            channel=channel,
            expected=e.amount,
            voluntary=e.amount is not None and value > e.amount,
            reference=(reference or "").strip()[:64],
            received_in=None if month == received else received,
            recorded_by=_user(actor),
        )
        p._history_user = _user(actor)
        p.save()
        rows.append(p)
    if not rows:
        raise ServiceError(
            _("%(name)s không phải đóng đảng phí các tháng %(a)s–%(b)s (được miễn).")
            % {"name": member.full_name, "a": mmyyyy(first), "b": mmyyyy(last)}
        )
    late = first < received
    audit_record(
        actor=actor,
        action="dues_collect_months",
        target=member,
        unit=unit,
        summary=_(
            "%(what)s đảng phí của %(name)s các tháng %(a)s–%(b)s, thu tháng %(r)s: %(total)s"
        )
        % {
            "what": _("Đóng bù") if late else _("Đóng trước"),
            "name": member.full_name,
            "a": mmyyyy(first),
            "b": mmyyyy(last),
            "r": mmyyyy(received),
            "total": _money(sum(p.amount for p in rows)),
        },
        data={
            "from": first,
            "to": last,
            "received_in": received,
            "months": [p.month for p in rows],
            "total": sum(p.amount for p in rows),
        },
    )
    return rows


# --- Configuration (administrators) ----------------------------------------------


def _period(first: date, last: date | None) -> tuple[date, date | None]:
    first = first_of_month(first)
    end = month_shift(first_of_month(last), 1) if last else None
    if end is not None and end <= first:
        raise ServiceError(_("Tháng cuối phải từ tháng đầu trở đi."))
    return first, end


def _overlap(qs, first: date, end: date | None):
    qs = qs.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=first))
    if end is not None:
        qs = qs.filter(valid_from__lt=end)
    return qs.first()


def _overlap_message(row) -> str:
    return _("Thời gian trùng với mức đã đặt từ %(a)s%(b)s; xin kết thúc mức đó trước.") % {
        "a": mmyyyy(row.valid_from),
        "b": _(" đến %(m)s") % {"m": mmyyyy(month_shift(row.valid_to, -1))} if row.valid_to else "",
    }


@transaction.atomic
def fixed_rate_set(
    *,
    actor,
    rule_set: str,
    category: str,
    amount: int,
    first_month: date,
    last_month: date | None = None,
    note: str = "",
) -> FixedRate:
    """An administrator's fixed monthly amount for a category under a rule set,
    from a month (to a month). Overlapping dates are refused."""
    _check_admin(actor)
    rs = rules.rule_set_by_code(rule_set)
    if rs is None:
        raise ServiceError(_("Quy định đảng phí không có: %(code)s.") % {"code": rule_set})
    if category not in DuesCategory.values:
        raise ServiceError(_("Đối tượng đóng đảng phí không hợp lệ."))
    if category in rs.percent or category in rs.chosen or category in rs.fixed:
        raise ServiceError(
            _("Mức của “%(category)s” theo %(rules)s do văn bản quy định, không đặt được.")
            % {"category": DuesCategory(category).label, "rules": rs.name}
        )
    if amount is None or amount <= 0 or amount > 1_000_000:
        raise ServiceError(_("Mức đóng phải từ 1 đến 1.000.000 đồng một tháng."))
    first, end = _period(first_month, last_month)
    clash = _overlap(FixedRate.objects.filter(rule_set=rule_set, category=category), first, end)
    if clash is not None:
        raise ServiceError(_overlap_message(clash))
    row = FixedRate.objects.create(
        rule_set=rule_set,
        category=category,
        amount=amount,
        valid_from=first,
        valid_to=end,
        note=note.strip()[:255],
        created_by=_user(actor),
    )
    audit_record(
        actor=actor,
        action="dues_fixed_rate_set",
        target=row,
        summary=_("Mức đảng phí %(category)s theo %(rules)s: %(amount)s từ %(month)s")
        % {
            "category": DuesCategory(category).label,
            "rules": rs.name,
            "amount": _money(amount),
            "month": mmyyyy(first),
        },
        data={"rule_set": rule_set, "category": category, "amount": amount},
    )
    return row


@transaction.atomic
def share_set(
    *,
    actor,
    kind: str,
    kept_percent: int,
    first_month: date,
    last_month: date | None = None,
    note: str = "",
) -> DuesShare:
    """An administrator's kept share for a kind of organization, dated."""
    _check_admin(actor)
    if kind not in ShareKind.values:
        raise ServiceError(_("Loại tổ chức không hợp lệ."))
    if kept_percent is None or not 0 <= kept_percent <= 100:
        raise ServiceError(_("Tỷ lệ trích giữ lại phải từ 0 đến 100%."))
    first, end = _period(first_month, last_month)
    clash = _overlap(DuesShare.objects.filter(kind=kind), first, end)
    if clash is not None:
        raise ServiceError(_overlap_message(clash))
    row = DuesShare.objects.create(
        kind=kind,
        kept_percent=kept_percent,
        valid_from=first,
        valid_to=end,
        note=note.strip()[:255],
        created_by=_user(actor),
    )
    audit_record(
        actor=actor,
        action="dues_share_set",
        target=row,
        summary=_("Tỷ lệ trích giữ lại của %(kind)s: %(p)s%% từ %(month)s")
        % {"kind": ShareKind(kind).label, "p": kept_percent, "month": mmyyyy(first)},
        data={"kind": kind, "kept_percent": kept_percent},
    )
    return row
