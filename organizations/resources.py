"""Import of the unit tree from a spreadsheet, for offices setting up.

One row per unit: name, code, level, category, parent (its code or name,
earlier in the file or already in chibo), administrative unit, founding date.
The import is all or nothing: every row goes through the same service as the
pages (organizations.services.unit_found) inside one transaction, which is
rolled back on a preview (dry run) or when any row has an error. A row whose
code already exists with the same name is left as it is, so sending the same
file twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chibo.errors import ServiceError
from chibo.spreadsheets import Column, SpreadsheetError, cell_text, parse_date, read_sheet
from chibo.text import fold
from organizations.forms import validate_plausible_day
from organizations.models import Category, Level, Unit
from organizations.selectors import administrative_unit_find, units_for
from organizations.services import unit_found

COLUMNS = [
    Column("name", "Tên đơn vị", aliases=("Tên", "Tên tổ chức đảng", "Tên chi bộ"), required=True),
    Column("code", "Mã đơn vị", aliases=("Mã",)),
    Column("level", "Cấp", aliases=("Cấp tổ chức",), required=True),
    Column("category", "Loại chi bộ", aliases=("Loại",)),
    Column("parent", "Trực thuộc", aliases=("Đơn vị cấp trên", "Cấp trên", "Mã cấp trên")),
    Column(
        "administrative_unit",
        "Đơn vị hành chính",
        aliases=("Địa bàn", "Mã đơn vị hành chính", "Xã phường"),
    ),
    Column("founded_on", "Ngày thành lập", kind="date"),
]

# What offices write in the "Cấp" column, folded, to the level.
_LEVEL_WORDS = [
    ("chi bo co so", Level.GRASSROOTS_CELL),
    ("dang bo co so", Level.GRASSROOTS_COMMITTEE),
    ("chi bo truc thuoc", Level.CELL),
    ("chi bo", Level.CELL),
    ("to dang", Level.PARTY_GROUP),
    ("dang bo khoi", Level.BLOC),
    ("khoi", Level.BLOC),
    # Đảng bộ cơ quan đảng, đoàn thể / chính quyền group agencies (domain.md);
    # before "quan", which would read them as a district.
    ("dang bo co quan", Level.BLOC),
    # A commune, ward, township, special zone or enterprise committee is a
    # grassroots committee (đảng bộ cơ sở).
    ("dang bo xa", Level.GRASSROOTS_COMMITTEE),
    ("dang bo phuong", Level.GRASSROOTS_COMMITTEE),
    ("dang bo thi tran", Level.GRASSROOTS_COMMITTEE),
    ("dang bo dac khu", Level.GRASSROOTS_COMMITTEE),
    ("dang bo doanh nghiep", Level.GRASSROOTS_COMMITTEE),
    ("huyen", Level.DISTRICT),
    ("quan", Level.DISTRICT),
    ("thi xa", Level.DISTRICT),
    ("tinh", Level.PROVINCIAL),
    ("thanh pho", Level.PROVINCIAL),
]
_CATEGORY_WORDS = [
    ("co quan", Category.AGENCY),
    ("to dan pho", Category.RESIDENTIAL),
    ("khu pho", Category.RESIDENTIAL),
    ("khu dan cu", Category.RESIDENTIAL),
    ("thon", Category.VILLAGE),
    ("ap", Category.VILLAGE),
    ("ban", Category.VILLAGE),
    ("lang", Category.VILLAGE),
    ("cong an", Category.POLICE),
    ("quan su", Category.MILITARY),
    ("truong", Category.SCHOOL),
    ("y te", Category.HEALTH),
    ("doanh nghiep", Category.ENTERPRISE),
    ("khac", Category.OTHER),
]


def parse_level(value) -> str:
    text = fold(cell_text(value))
    if text in Level.values:
        return text
    for label_value, label in Level.choices:
        if text == fold(str(label)):
            return label_value
    padded = f" {text} "
    for words, level in _LEVEL_WORDS:
        if f" {words} " in padded:  # whole words: "quan" is not in "co quan"
            return level
    raise ServiceError(_("Không hiểu cấp “%(value)s”.") % {"value": cell_text(value)})


def parse_category(value) -> str:
    text = fold(cell_text(value))
    if not text:
        return ""
    if text in Category.values:
        return text
    padded = f" {text} "
    for words, category in _CATEGORY_WORDS:
        if f" {words} " in padded or text.startswith(words):
            return category
    raise ServiceError(_("Không hiểu loại chi bộ “%(value)s”.") % {"value": cell_text(value)})


@dataclass
class RowResult:
    row: int
    name: str
    level: str = ""
    parent: str = ""
    outcome: str = "new"  # new | unchanged | error
    errors: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "name": self.name,
            "level": self.level,
            "parent": self.parent,
            "outcome": self.outcome,
            "errors": self.errors,
        }


@dataclass
class ImportResult:
    rows: list[RowResult] = field(default_factory=list)
    file_error: str = ""
    applied: bool = False

    @property
    def errors(self) -> list[dict]:
        out = [{"row": None, "column": "", "message": self.file_error}] if self.file_error else []
        for r in self.rows:
            out += [{"row": r.row, **e} for e in r.errors]
        return out

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "applied": self.applied,
            "new": self.count("new"),
            "unchanged": self.count("unchanged"),
            "errors": self.errors,
            "rows": [r.as_dict() for r in self.rows],
        }


class _Rollback(Exception):
    pass


def import_units(data: bytes, *, actor, filename: str = "", dry_run: bool = False) -> ImportResult:
    """Read the file and found every unit in it, all or nothing. With
    `dry_run`, or when any row has an error, nothing is kept."""
    result = ImportResult()
    try:
        sheet = read_sheet(data, columns=COLUMNS, filename=filename)
        rows = list(sheet.rows)
    except SpreadsheetError as exc:
        result.file_error = exc.message
        return result
    if not rows:
        result.file_error = _("Tệp không có dòng dữ liệu nào.")
        return result
    try:
        with transaction.atomic():
            _found_rows(rows, actor=actor, result=result)
            if dry_run or not result.ok:
                raise _Rollback
            result.applied = True
    except _Rollback:
        pass
    return result


def _found_rows(rows, *, actor, result: ImportResult) -> None:
    by_code: dict[str, Unit] = {}
    by_name: dict[str, list[Unit]] = {}
    visible = Unit.objects.all() if actor is None else units_for(actor)

    def find_parent(text: str) -> Unit:
        key = fold(text)
        if text in by_code:
            return by_code[text]
        if len(by_name.get(key, [])) == 1:
            return by_name[key][0]
        if len(by_name.get(key, [])) > 1:
            raise ServiceError(
                _("Có nhiều đơn vị tên “%(name)s” trong tệp; hãy ghi mã đơn vị cấp trên.")
                % {"name": text}
            )
        found = visible.filter(code=text).first()
        if found:
            return found
        same = [u for u in visible.filter(dissolved_on__isnull=True, name__iexact=text)]
        if not same:
            same = [
                u
                for u in visible.filter(dissolved_on__isnull=True, name__icontains=text[-20:])
                if fold(u.name) == key
            ]
        if len(same) == 1:
            return same[0]
        if len(same) > 1:
            raise ServiceError(
                _("Có nhiều đơn vị tên “%(name)s”; hãy ghi mã đơn vị cấp trên.") % {"name": text}
            )
        raise ServiceError(
            _("Không tìm thấy đơn vị cấp trên “%(name)s” (trong tệp hoặc trong phạm vi của bạn).")
            % {"name": text}
        )

    for row in rows:
        v = row.values
        name = cell_text(v.get("name"))
        out = RowResult(row=row.number, name=name)
        result.rows.append(out)

        def fail(column: str, message: str, out=out) -> None:
            out.outcome = "error"
            out.errors.append({"column": column, "message": message})

        try:
            level = parse_level(v.get("level"))
            out.level = str(Level(level).label)
        except ServiceError as exc:
            fail("Cấp", exc.messages[0])
            level = ""
        try:
            category = parse_category(v.get("category"))
        except ServiceError as exc:
            fail("Loại chi bộ", exc.messages[0])
            category = ""
        parent = None
        parent_text = cell_text(v.get("parent"))
        if parent_text:
            try:
                parent = find_parent(parent_text)
                out.parent = parent.name
            except ServiceError as exc:
                fail("Trực thuộc", exc.messages[0])
        founded_on: date | None = None
        try:
            founded_on = parse_date(v.get("founded_on"))
        except Exception as exc:  # CellError
            fail("Ngày thành lập", getattr(exc, "message", str(exc)))
        else:
            if founded_on is None:
                fail("Ngày thành lập", _("Thiếu ngày thành lập."))
            else:
                try:
                    validate_plausible_day(founded_on)
                except ValidationError as exc:
                    fail("Ngày thành lập", exc.messages[0])
                    founded_on = None
        admin = None
        admin_text = cell_text(v.get("administrative_unit"))
        if admin_text and founded_on is not None:
            # the unit in force on the founding day: a pre-2025 township for a
            # committee founded in 1990, the 2025 commune for one founded since
            try:
                admin = administrative_unit_find(admin_text, founded_on)
            except ServiceError as exc:
                fail("Đơn vị hành chính", exc.messages[0])
        code = cell_text(v.get("code")) or None
        if not name:
            fail("Tên đơn vị", _("Thiếu tên đơn vị."))
        if out.outcome == "error":
            continue
        existing = Unit.objects.filter(code=code).first() if code else None
        if existing is not None:
            if not visible.filter(pk=existing.pk).exists():
                # codes are unique everywhere, but a unit outside the user's
                # reach is not named (nor taken as this row's unit)
                fail(
                    "Mã đơn vị",
                    _("Mã “%(code)s” đã được dùng cho một đơn vị ngoài phạm vi của bạn.")
                    % {"code": code},
                )
                continue
            if fold(existing.name) != fold(name):
                fail(
                    "Mã đơn vị",
                    _("Mã “%(code)s” đã dùng cho đơn vị “%(name)s”.")
                    % {"code": code, "name": existing.name},
                )
                continue
            out.outcome = "unchanged"
            unit = existing
        else:
            try:
                with transaction.atomic():
                    unit = unit_found(
                        actor=actor,
                        name=name,
                        level=level,
                        parent=parent,
                        category=category,
                        code=code,
                        administrative_unit=admin,
                        founded_on=founded_on,
                    )
            except ServiceError as exc:
                fail("", " ".join(exc.messages))
                continue
        if code:
            by_code[code] = unit
        by_name.setdefault(fold(name), []).append(unit)
