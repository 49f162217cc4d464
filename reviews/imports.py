"""Ratings of past years (kết quả xếp loại) as a kind of import
(chibo.imports): one row per member or party organization rated.

A row names the year, the unit (for a member, the cell they belonged to on
31/12 of that year; for an organization, the organization itself), the
member (empty for an organization's row), the level and who decided it.
Each row is written by reviews.services.review_record_past into the year's
review cycle (cycle_for opens it, through review_open_cycle, when the year
has none), so the ratings report, the member's profile and the review pages
read it as a decision taken through the pages. Members are recorded before
organizations (an organization's rules read its members' levels). The
year's rules are checked: a broken one is a warning (the decision was taken
then), kept with the decision. The same file twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo.errors import ServiceError
from chibo.imports import NEW, UNCHANGED, ImportContext, ImportKind, RowOutcome, rolled_back
from chibo.spreadsheets import CellError, Column, Row, cell_text, header_key
from chibo.text import fold
from members.finders import MemberFinder
from members.models import Member
from organizations.models import Role, Unit
from organizations.selectors import UnitFinder, role_paths, sees_everything
from reviews.models import MemberReview, OrganizationReview
from reviews.rules import FIRST_YEAR, REASONS_FOR, SHORT, Reason
from reviews.rules import Level as Rating
from reviews.services import cycle_for, review_record_past

EDIT_KINDS = (Role.Kind.ADMIN, Role.Kind.STAFF)
LEVELS = {
    header_key(word): level
    for level, words in {
        Rating.EXCELLENT: ("HTXSNV", "Xuất sắc", "Hoàn thành xuất sắc nhiệm vụ", "HTXS"),
        Rating.GOOD: ("HTTNV", "Tốt", "Hoàn thành tốt nhiệm vụ", "HTT"),
        Rating.COMPLETED: ("HTNV", "Hoàn thành", "Hoàn thành nhiệm vụ", "HT"),
        Rating.NOT_COMPLETED: ("KHTNV", "Không hoàn thành", "Không hoàn thành nhiệm vụ", "KHT"),
    }.items()
    for word in words
}

COLUMNS = [
    Column("year", "Năm", aliases=("Năm đánh giá", "Năm xếp loại"), kind="digits", required=True),
    Column(
        "unit",
        "Đơn vị",
        aliases=("Chi bộ", "Tổ chức đảng"),
        required=True,
        help="Của đảng viên: chi bộ nơi sinh hoạt ngày 31/12 năm đó. Của tổ chức đảng: chính tổ "
        "chức được xếp loại (tên hoặc mã).",
    ),
    Column(
        "full_name",
        "Họ và tên",
        aliases=("Họ tên",),
        help="Để trống (cả số thẻ) nếu dòng là xếp loại của tổ chức đảng.",
    ),
    Column("card_number", "Số thẻ đảng viên", aliases=("Số thẻ",), kind="digits"),
    Column(
        "level",
        "Mức xếp loại",
        aliases=("Xếp loại", "Kết quả xếp loại", "Mức"),
        required=True,
        help="HTXSNV, HTTNV, HTNV, KHTNV (hoặc ghi đầy đủ: Hoàn thành tốt nhiệm vụ…).",
    ),
    Column(
        "decided_by",
        "Cấp quyết định",
        aliases=("Cấp ủy quyết định", "Quyết định của"),
        help="Cấp ủy đã quyết định, ví dụ Đảng ủy phường Một (ghi vào quyết định).",
    ),
    Column(
        "exemplary",
        "Tiêu biểu",
        help="Của tổ chức đảng xếp loại HTXSNV: ghi “x” nếu là tiêu biểu (biểu 7A).",
    ),
    Column(
        "reasons",
        "Lý do (biểu 7B)",
        aliases=("Lý do",),
        help="Của đảng viên xếp loại HTNV (mặt còn hạn chế: 1 chưa tận tuỵ với công việc; 2 còn "
        "khuyết điểm trong công tác, sinh hoạt đảng; 3 người đứng đầu, bí thư chưa hoàn thành "
        "nhiệm vụ) hoặc KHTNV (vi phạm tư cách: 1 bị thi hành kỷ luật trong năm; 2 qua kiểm điểm "
        "phát hiện vi phạm; 3 cơ quan quản lý, chi bộ đánh giá không hoàn thành nhiệm vụ; 4 không "
        "chấp hành sự phân công): số hoặc lời, cách nhau bằng dấu chấm phẩy.",
    ),
]


@dataclass(slots=True)
class RatingRow(RowOutcome):
    year: int | None = None
    unit_pk: int | None = None
    member_pk: int | None = None
    level: str = ""
    decided_by: str = ""
    exemplary: bool = False
    reasons: tuple = ()

    def order(self):
        return (self.year or 0, self.member_pk is None, self.row)


def _sees_all(actor) -> bool:
    return actor is None or not getattr(actor, "pk", None) or sees_everything(actor)


class PastRatingsKind(ImportKind):
    name = "ratings"
    slug = "xep-loai-cac-nam"
    title = gettext_lazy("Kết quả xếp loại các năm trước")
    description = gettext_lazy(
        "Một dòng một đảng viên hoặc một tổ chức đảng đã được xếp loại: năm, đơn vị, mức xếp "
        "loại và cấp đã quyết định. Kết quả được ghi như cấp ủy đã quyết định và công bố, vào "
        "đợt đánh giá của năm đó (mở đợt nếu chưa có)."
    )
    columns = COLUMNS
    example = {
        "year": "2024",
        "unit": "Chi bộ khu phố 1",
        "full_name": "Nguyễn Văn An",
        "card_number": "12345678",
        "level": "HTTNV",
        "decided_by": "Đảng ủy phường Một",
        "exemplary": "",
        "reasons": "",
    }
    template_title = gettext_lazy(
        "KẾT QUẢ XẾP LOẠI — điền từ dòng 3; dòng của tổ chức đảng để trống họ tên"
    )
    file_label = gettext_lazy("Tệp kết quả xếp loại (.xlsx hoặc .csv)")
    subject_label = gettext_lazy("Đảng viên / tổ chức")
    key_label = gettext_lazy("Số thẻ")
    done_message = gettext_lazy("Đã ghi %(new)s kết quả xếp loại (%(unchanged)s đã có).")
    audit_action = "rating_import"

    def may_use(self, user) -> bool:
        return sees_everything(user) or bool(role_paths(user, EDIT_KINDS))

    def scope_path(self, actor) -> str:
        paths = [] if _sees_all(actor) else role_paths(actor, EDIT_KINDS)
        return min(paths, key=len) if paths else ""

    def analyse(self, rows: Iterator[Row], ctx: ImportContext) -> list[RatingRow]:
        units = Unit.objects.all()
        if not _sees_all(ctx.actor):
            paths = role_paths(ctx.actor, EDIT_KINDS)
            units = [u for u in units if any(u.path.startswith(p) for p in paths)]
        finder, people = UnitFinder(units), MemberFinder()
        out = [_parse(row, ctx.header, finder, people) for row in rows]
        seen: dict[tuple, int] = {}
        for r in out:
            key = (r.year, r.unit_pk if r.member_pk is None else None, r.member_pk)
            if not r.errors and key in seen:
                r.error(
                    ctx.header("full_name" if r.member_pk else "unit"),
                    _("Đã có ở dòng %(row)s.") % {"row": seen[key]},
                )
            seen.setdefault(key, r.row)

        def trial():
            for r in sorted((r for r in out if not r.errors), key=RatingRow.order):
                try:
                    with transaction.atomic():
                        _write(r, ctx.actor, ctx.header)
                except ServiceError as exc:
                    r.error("", " ".join(exc.messages))

        rolled_back(trial)
        return out

    def apply(self, rows: list[RatingRow], ctx: ImportContext) -> dict:
        new = []
        for r in sorted(rows, key=RatingRow.order):
            review = _write(r, ctx.actor, ctx.header)
            if r.outcome == NEW:
                new.append([type(review).__name__, review.pk])
        return {"new": new}


def _parse(row: Row, header, units: UnitFinder, people: MemberFinder) -> RatingRow:
    v = row.values
    r = RatingRow(row=row.number, key=cell_text(v.get("card_number")))
    text = cell_text(v.get("year"))
    this_year = date.today().year
    if not text.isdigit() or not FIRST_YEAR <= int(text) <= this_year:
        r.error(
            header("year"),
            _("Năm “%(year)s” không hợp lệ: từ %(first)s đến %(last)s.")
            % {"year": text, "first": FIRST_YEAR, "last": this_year},
        )
    else:
        r.year = int(text)
    unit = None
    try:
        unit = units.find(v.get("unit"))
        r.unit_pk = unit.pk
    except CellError as exc:
        r.error(header("unit"), exc.message)
    level_text = cell_text(v.get("level"))
    r.level = LEVELS.get(header_key(level_text), "")
    if not r.level:
        r.error(
            header("level"),
            _("Không hiểu mức xếp loại “%(text)s” (HTXSNV, HTTNV, HTNV, KHTNV).")
            % {"text": level_text}
            if level_text
            else _("Thiếu mức xếp loại."),
        )
    else:
        r.notes.append(SHORT[r.level])
    r.decided_by = cell_text(v.get("decided_by"))
    r.exemplary = fold(cell_text(v.get("exemplary"))) in ("x", "co", "1", "tieu bieu")
    try:
        r.reasons = _parse_reasons(v.get("reasons"), r.level)
    except ServiceError as exc:
        r.error(header("reasons"), exc.messages[0])
    is_person = bool(cell_text(v.get("full_name")) or r.key)
    if unit is not None:
        if is_person:
            try:
                member = people.find(unit=unit, name=v.get("full_name"), card=v.get("card_number"))
                r.member_pk, r.name = member.pk, member.full_name
            except CellError as exc:
                r.error(header("card_number" if r.key else "full_name"), exc.message)
        else:
            r.name = unit.name
            r.notes.append(_("Tổ chức đảng"))
    return r


def _write(r: RatingRow, actor, header):
    unit = Unit.objects.get(pk=r.unit_pk)
    cycle = cycle_for(actor=actor, unit=unit, year=r.year)
    if r.member_pk is not None:
        review = MemberReview.objects.filter(cycle=cycle, member_id=r.member_pk).first()
        if review is None:
            member = Member.objects.get(pk=r.member_pk)
            raise ServiceError(
                _(
                    "Ngày 31/12/%(year)s %(name)s không sinh hoạt ở %(unit)s (hoặc được miễn "
                    "sinh hoạt): không có trong đợt đánh giá năm đó."
                )
                % {"year": r.year, "name": member.full_name, "unit": cycle.unit.name}
            )
        if not review.cell.path.startswith(unit.path):
            raise ServiceError(
                _("Ngày 31/12/%(year)s %(name)s sinh hoạt ở %(cell)s, không phải %(unit)s.")
                % {
                    "year": r.year,
                    "name": review.member.full_name,
                    "cell": review.cell.name,
                    "unit": unit.name,
                }
            )
    else:
        review = OrganizationReview.objects.filter(cycle=cycle, unit=unit).first()
        if review is None:
            raise ServiceError(
                _(
                    "%(unit)s không có trong đợt đánh giá năm %(year)s (chưa thành lập hoặc đã giải thể)."
                )
                % {"unit": unit.name, "year": r.year}
            )
    already = review.decided_level == r.level
    marks = {"exemplary": r.exemplary} if r.member_pk is None else {"reasons": r.reasons}
    already = already and all(
        getattr(review, k) == (list(v) if k == "reasons" else v) for k, v in marks.items()
    )
    review, broken = review_record_past(
        actor=actor, review=review, level=r.level, decided_by=r.decided_by, **marks
    )
    r.outcome = UNCHANGED if already else NEW
    for check in broken:
        r.warn(header("level"), check.message)
    return review


def _parse_reasons(value, level: str) -> tuple:
    """Biểu 7B's reasons as offices write them: the numbers of the form's
    lines for the level (1–3 under HTNV, 1–4 under KHTNV) or their words."""
    text = cell_text(value)
    if not text:
        return ()
    allowed = REASONS_FOR.get(level, ())
    out = []
    for part in (p.strip() for p in text.replace(",", ";").split(";")):
        if not part:
            continue
        key = fold(part).rstrip(")").strip()
        found = None
        if key.isdigit() and 1 <= int(key) <= len(allowed):
            found = allowed[int(key) - 1]
        else:
            found = next((r for r in Reason if key and key in fold(str(r.label))), None)
        if found is None:
            raise ServiceError(_("Không hiểu lý do “%(text)s”.") % {"text": part})
        if found not in allowed:
            raise ServiceError(
                _("Lý do “%(text)s” không dùng cho mức %(level)s.")
                % {"text": part, "level": SHORT.get(level, level or "—")}
            )
        out.append(found.value)
    return tuple(dict.fromkeys(out))
