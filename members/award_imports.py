"""Awards and discipline as a kind of import (chibo.imports): the register
an office keeps of khen thưởng and kỷ luật, one decision per row. A row is
for a member (by card number or CCCD) or, for an award, for a party
organization (by its code or name). Every row goes through the same
services as the pages (members.services.award_record, member_discipline)
in a transaction that is rolled back to check it; a row already recorded
(same person or unit, decision number and form) is "unchanged"."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo.errors import ServiceError
from chibo.imports import NEW, UNCHANGED, ImportContext, ImportKind, RowOutcome
from chibo.spreadsheets import CellError, Column, Row, cell_digits, cell_text, parse_date
from chibo.text import fold
from members.choices import AwardKind, DecisionLevel
from members.models import Award, Discipline, Member
from members.services import award_record, member_discipline
from organizations.models import Role, Unit
from organizations.selectors import role_paths, sees_everything

EDIT_KINDS = (Role.Kind.ADMIN, Role.Kind.STAFF)
AWARD, DISCIPLINE = "award", "discipline"


def _choice(text: str, choices) -> str | None:
    """A choice by its label (accents and case ignored) or its value."""
    needle = fold(text)
    for value, label in choices:
        if needle in (fold(str(label)), fold(value)):
            return value
    return None


@dataclass(slots=True)
class AwardRow(RowOutcome):
    what: str = ""
    member_id: int | None = None
    unit_id: int | None = None
    form: str = ""
    level: str = ""
    title: str = ""
    number: str = ""
    day: date | None = None


class _TrialOver(Exception):
    pass


class AwardsDisciplineKind(ImportKind):
    name = "awards"
    slug = "khen-thuong-ky-luat"
    title = gettext_lazy("Khen thưởng, kỷ luật")
    description = gettext_lazy(
        "Một dòng một quyết định. “Loại”: Khen thưởng hoặc Kỷ luật. Khen thưởng đảng viên: ghi số "
        "thẻ hoặc CCCD; khen thưởng tổ chức đảng: ghi mã hoặc tên tổ chức ở cột “Tổ chức đảng”. "
        "Kỷ luật cần nội dung vi phạm."
    )
    columns = [
        Column("what", "Loại", required=True, help=gettext_lazy("Khen thưởng / Kỷ luật")),
        Column("full_name", "Họ và tên", aliases=("Họ tên",)),
        Column("card_number", "Số thẻ đảng viên", aliases=("Số thẻ",), kind="digits"),
        Column("national_id", "Số CCCD", aliases=("CCCD",), kind="digits"),
        Column("unit", "Tổ chức đảng", help=gettext_lazy("mã hoặc tên, cho khen thưởng tổ chức")),
        Column(
            "form",
            "Hình thức",
            required=True,
            help=gettext_lazy(
                "Khen thưởng: Cờ thi đua, Bằng khen, Giấy khen, Huân chương, Huy chương, Danh hiệu, "
                "Kỷ niệm chương; kỷ luật: Khiển trách, Cảnh cáo, Cách chức, Khai trừ"
            ),
        ),
        Column(
            "level",
            "Cấp quyết định",
            aliases=("Cấp",),
            help=gettext_lazy(
                "Nhà nước, Trung ương, Tỉnh ủy…, Cấp trên cơ sở, Đảng ủy cơ sở, Chi bộ"
            ),
        ),
        Column("title", "Nội dung", aliases=("Tên khen thưởng", "Nội dung vi phạm")),
        Column("number", "Số quyết định", required=True),
        Column("day", "Ngày quyết định", required=True, kind="date"),
    ]
    example = {
        "what": "Khen thưởng",
        "full_name": "Nguyễn Văn An",
        "card_number": "79000123",
        "national_id": "",
        "unit": "",
        "form": "Bằng khen",
        "level": "Tỉnh ủy, thành ủy và tương đương",
        "title": "Hoàn thành xuất sắc nhiệm vụ 5 năm liền",
        "number": "123-QĐ/TU",
        "day": date(2025, 9, 2),
    }
    template_title = gettext_lazy("KHEN THƯỞNG, KỶ LUẬT — một dòng một quyết định, điền từ dòng 3")
    subject_label = gettext_lazy("Đảng viên / tổ chức")
    key_label = gettext_lazy("Số quyết định")
    done_message = gettext_lazy("Đã nhập %(new)s quyết định (%(unchanged)s đã có).")

    def may_use(self, user) -> bool:
        return sees_everything(user) or bool(role_paths(user, EDIT_KINDS))

    def scope_path(self, actor) -> str:
        if actor is None or not getattr(actor, "pk", None) or sees_everything(actor):
            return ""
        paths = role_paths(actor, EDIT_KINDS)
        return min(paths, key=len) if paths else ""

    def analyse(self, rows: Iterator[Row], ctx: ImportContext) -> list[AwardRow]:
        out = []
        try:
            with transaction.atomic():
                for row in rows:
                    r = self._parse(row, ctx.header)
                    if not r.errors:
                        self._try(r, ctx)
                    out.append(r)
                raise _TrialOver
        except _TrialOver:
            pass
        return out

    def _parse(self, row: Row, header) -> AwardRow:
        v = row.values
        r = AwardRow(row=row.number)
        what = fold(cell_text(v.get("what")))
        r.what = AWARD if "khen" in what else (DISCIPLINE if "ky luat" in what else "")
        if not r.what:
            r.error(header("what"), _("Loại phải là “Khen thưởng” hoặc “Kỷ luật”."))
        card = cell_digits(v.get("card_number"))
        nid = cell_digits(v.get("national_id"), width=12)
        unit_text = cell_text(v.get("unit"))
        name = cell_text(v.get("full_name"))
        if card or nid:
            member = Member.objects.filter(card_number=card).first() if card else None
            if member is None and nid:
                member = Member.objects.filter(national_id=nid).first()
            if member is None:
                r.error(
                    header("card_number" if card else "national_id"),
                    _("Không có đảng viên nào có số %(k)s trong danh sách.") % {"k": card or nid},
                )
            elif name and fold(name) != member.search_name:
                r.error(
                    header("full_name"),
                    _("Số %(k)s là của đảng viên %(name)s, không phải “%(typed)s”.")
                    % {"k": card or nid, "name": member.full_name, "typed": name},
                )
            else:
                r.member_id, r.name = member.pk, member.full_name
        elif unit_text:
            if r.what == DISCIPLINE:
                r.error(header("unit"), _("Kỷ luật ghi cho đảng viên: cần số thẻ hoặc CCCD."))
            unit = Unit.objects.filter(Q(code=unit_text) | Q(name__iexact=unit_text)).first()
            if unit is None:
                r.error(header("unit"), _("Không có tổ chức đảng “%(u)s”.") % {"u": unit_text})
            else:
                r.unit_id, r.name = unit.pk, unit.name
        else:
            r.error(
                header("card_number"),
                _("Cần số thẻ hoặc CCCD của đảng viên, hoặc tên tổ chức đảng được khen thưởng."),
            )
        form_text = cell_text(v.get("form"))
        choices = AwardKind.choices if r.what == AWARD else Discipline.Form.choices
        r.form = _choice(form_text, choices) or ""
        if r.what and not r.form:
            r.error(
                header("form"),
                _("Hình thức “%(f)s” không có; chọn một trong: %(list)s.")
                % {"f": form_text, "list": ", ".join(str(label) for _v, label in choices)},
            )
        level_text = cell_text(v.get("level"))
        r.level = _choice(level_text, DecisionLevel.choices) or "" if level_text else ""
        if level_text and not r.level:
            r.error(header("level"), _("Cấp quyết định “%(c)s” không có.") % {"c": level_text})
        if r.what == AWARD and not level_text:
            r.error(header("level"), _("Khen thưởng cần ghi cấp khen thưởng."))
        r.title = cell_text(v.get("title"))
        r.number = r.key = cell_text(v.get("number"))
        try:
            r.day = parse_date(v.get("day"))
            if r.day is None:
                r.error(header("day"), _("Thiếu ngày quyết định."))
        except CellError as exc:
            r.error(header("day"), exc.message)
        return r

    def _exists(self, r: AwardRow) -> bool:
        if r.what == AWARD:
            return Award.objects.filter(
                member_id=r.member_id, unit_id=r.unit_id, kind=r.form, decision_number=r.number
            ).exists()
        return Discipline.objects.filter(
            member_id=r.member_id, form=r.form, decision_number=r.number, decided_on=r.day
        ).exists()

    def _write(self, r: AwardRow, actor):
        if r.what == AWARD:
            return award_record(
                actor=actor,
                kind=r.form,
                level=r.level,
                decision_number=r.number,
                day=r.day,
                member=Member.objects.get(pk=r.member_id) if r.member_id else None,
                unit=Unit.objects.get(pk=r.unit_id) if r.unit_id else None,
                title=r.title,
            )
        return member_discipline(
            actor=actor,
            member=Member.objects.get(pk=r.member_id),
            form=r.form,
            day=r.day,
            fault=r.title,
            decision_number=r.number,
            level=r.level,
        )

    def _try(self, r: AwardRow, ctx: ImportContext) -> None:
        if self._exists(r):
            r.outcome = UNCHANGED
            return
        try:
            with transaction.atomic():
                self._write(r, ctx.actor)
        except ServiceError as exc:
            column = ctx.header("title") if "vi phạm" in exc.messages[0] else ctx.header("number")
            for message in exc.messages:
                r.error(column, message)
            return
        r.outcome = NEW

    def apply(self, rows: list[AwardRow], ctx: ImportContext) -> dict:
        made = []
        for r in rows:
            if r.outcome == NEW:
                made.append(self._write(r, ctx.actor).pk)
        return {"new": made}
