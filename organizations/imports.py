"""The unit tree as a kind of import (chibo.imports), for offices setting up.

One row per unit: name, code, level, category, parent (its code or name,
earlier in the file or already in chibo), administrative unit, founding date.
Every row goes through the same service as the pages
(organizations.services.unit_found): the check runs it in a transaction that
is rolled back (so its rules, the tree's order of levels for instance, give
the row's errors), and applying runs it again for real. A row whose code
already exists with the same name is left as it is, so sending the same file
twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo.errors import ServiceError
from chibo.imports import NEW, UNCHANGED, UPDATED, ImportContext, ImportKind, RowOutcome
from chibo.spreadsheets import CellError, Row, cell_text, parse_date
from chibo.text import fold
from organizations.forms import validate_plausible_day
from organizations.models import TYPE_FIELDS, AdministrativeUnit, Level, Role, Unit
from organizations.resources import (
    COLUMNS,
    parse_base_type,
    parse_category,
    parse_economic_sector,
    parse_enterprise_form,
    parse_flag,
    parse_level,
    parse_service_kind,
    parse_share,
)
from organizations.selectors import (
    administrative_unit_find,
    closest_unit_names,
    role_paths,
    sees_everything,
    units_for,
)
from organizations.services import clean_type, unit_found, unit_set_type


@dataclass(slots=True)
class UnitRow(RowOutcome):
    level: str = ""
    category: str = ""
    parent_pk: int | None = None  # a unit already in chibo
    parent_row: int | None = None  # or a unit founded by an earlier row of the file
    administrative_unit_pk: int | None = None
    founded_on: date | None = None
    unit_pk: int | None = None  # the unit an UNCHANGED (or UPDATED) row is
    unit_type: dict | None = None  # Biểu 5's type, when the row gives one
    type_from: date | None = None  # from when an existing unit has that type


class UnitTreeKind(ImportKind):
    name = "units"
    slug = "cay-to-chuc"
    title = gettext_lazy("Cây tổ chức")
    description = gettext_lazy(
        "Một dòng một tổ chức đảng; cột “Trực thuộc” ghi mã hoặc tên đơn vị cấp trên (ở dòng "
        "trên trong tệp, hoặc đã có). Đơn vị đã có cùng mã và cùng tên được giữ nguyên; nếu dòng "
        "ghi loại hình cơ sở khác, loại hình được đổi từ ngày ở cột “Loại hình từ ngày”."
    )
    columns = COLUMNS
    example = {
        "name": "Chi bộ khu phố 7",
        "code": "P1-KP7",
        "level": "Chi bộ trực thuộc",
        "category": "Khu phố",
        "parent": "Đảng bộ phường Một",
        "administrative_unit": "",
        "founded_on": date(2025, 7, 1),
        "base_type": "",
        "enterprise_form": "",
        "state_capital": "",
        "foreign_capital": "",
        "economic_sector": "",
        "service_kind": "",
        "no_masses": "",
        "type_from": "",
    }
    required_when_new = ("founded_on",)
    template_title = gettext_lazy(
        "DANH SÁCH TỔ CHỨC ĐẢNG — điền từ dòng 3; đơn vị cấp trên ghi ở dòng trên đơn vị cấp dưới"
    )
    file_label = gettext_lazy("Tệp danh sách đơn vị (.xlsx hoặc .csv)")
    subject_label = gettext_lazy("Tên đơn vị")
    key_label = gettext_lazy("Mã đơn vị")
    done_message = gettext_lazy("Đã nhập %(new)s đơn vị mới (%(unchanged)s đơn vị đã có).")
    audit_action = "unit_import"

    def may_use(self, user) -> bool:
        # office staff and administrators (editable_units' roles), without a query per page
        return sees_everything(user) or bool(role_paths(user, (Role.Kind.ADMIN, Role.Kind.STAFF)))

    def analyse(self, rows: Iterator[Row], ctx: ImportContext) -> list[UnitRow]:
        out: list[UnitRow] = []
        try:
            with transaction.atomic():
                _check_rows(list(rows), actor=ctx.actor, header=ctx.header, out=out)
                raise _TrialOver
        except _TrialOver:
            pass
        return out

    def apply(self, rows: list[UnitRow], ctx: ImportContext) -> dict:
        units: dict[int, Unit] = {}
        new = []
        for r in rows:
            if r.outcome in (UNCHANGED, UPDATED):
                units[r.row] = Unit.objects.get(pk=r.unit_pk)
                if r.outcome == UPDATED:
                    unit_set_type(
                        actor=ctx.actor,
                        unit=units[r.row],
                        effective_on=r.type_from or date.today(),
                        **r.unit_type,
                    )
                continue
            parent = units[r.parent_row] if r.parent_row else None
            if r.parent_pk:
                parent = Unit.objects.get(pk=r.parent_pk)
            unit = unit_found(
                actor=ctx.actor,
                name=r.name,
                level=r.level,
                parent=parent,
                category=r.category,
                code=r.key or None,
                administrative_unit=AdministrativeUnit.objects.get(pk=r.administrative_unit_pk)
                if r.administrative_unit_pk
                else None,
                founded_on=r.founded_on,
                unit_type=r.unit_type,
            )
            units[r.row] = unit
            new.append(unit.pk)
        return {"new": new}


class _TrialOver(Exception):
    """Rolls back the trial run of the checks."""


def _check_rows(rows: list[Row], *, actor, header, out: list[UnitRow]) -> None:
    by_code: dict[str, tuple[Unit, UnitRow]] = {}
    by_name: dict[str, list[tuple[Unit, UnitRow]]] = {}
    visible = Unit.objects.all() if actor is None else units_for(actor)

    def find_parent(text: str) -> tuple[Unit, UnitRow | None]:
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
            return found, None
        same = [u for u in visible.filter(dissolved_on__isnull=True, name__iexact=text)]
        if not same:
            same = [
                u
                for u in visible.filter(dissolved_on__isnull=True, name__icontains=text[-20:])
                if fold(u.name) == key
            ]
        if len(same) == 1:
            return same[0], None
        if len(same) > 1:
            raise ServiceError(
                _("Có nhiều đơn vị tên “%(name)s”; hãy ghi mã đơn vị cấp trên.") % {"name": text}
            )
        message = _(
            "Không tìm thấy đơn vị cấp trên “%(name)s” (trong tệp hoặc trong phạm vi của bạn)."
        ) % {"name": text}
        names = [u.name for units in by_name.values() for u, _r in units]
        names += list(visible.filter(dissolved_on__isnull=True).values_list("name", flat=True))
        close = closest_unit_names(text, names)
        if close:
            message += " " + _("Có phải: %(names)s?") % {
                "names": ", ".join(f"“{name}”" for name in close)
            }
        raise ServiceError(message)

    for row in rows:
        v = row.values
        r = UnitRow(row=row.number, name=cell_text(v.get("name")))
        out.append(r)
        try:
            r.level = parse_level(v.get("level"))
            r.notes.append(_("Cấp: %(level)s") % {"level": Level(r.level).label})
        except ServiceError as exc:
            r.error(header("level"), exc.messages[0])
        try:
            r.category = parse_category(v.get("category"))
        except ServiceError as exc:
            r.error(header("category"), exc.messages[0])
        parent = None
        parent_text = cell_text(v.get("parent"))
        if parent_text:
            try:
                parent, parent_row = find_parent(parent_text)
            except ServiceError as exc:
                r.error(header("parent"), exc.messages[0])
            else:
                r.notes.append(_("Trực thuộc: %(name)s") % {"name": parent.name})
                if parent_row is not None:
                    r.parent_row = parent_row.row
                else:
                    r.parent_pk = parent.pk
        try:
            r.founded_on = parse_date(v.get("founded_on"))
        except CellError as exc:
            r.error(header("founded_on"), exc.message)
        else:
            if r.founded_on is None:
                r.error(header("founded_on"), _("Thiếu ngày thành lập."))
            else:
                try:
                    validate_plausible_day(r.founded_on)
                except ValidationError as exc:
                    r.error(header("founded_on"), exc.messages[0])
        admin = None
        admin_text = cell_text(v.get("administrative_unit"))
        if admin_text and r.founded_on is not None:
            # the unit in force on the founding day: a pre-2025 township for a
            # committee founded in 1990, the 2025 commune for one founded since
            try:
                admin = administrative_unit_find(admin_text, r.founded_on)
                r.administrative_unit_pk = admin.pk
            except ServiceError as exc:
                r.error(header("administrative_unit"), exc.messages[0])
        _read_type(r, v, header)
        r.key = code = cell_text(v.get("code"))
        if not r.name:
            r.error(header("name"), _("Thiếu tên đơn vị."))
        if r.errors:
            continue
        existing = Unit.objects.filter(code=code).first() if code else None
        if existing is not None:
            if not visible.filter(pk=existing.pk).exists():
                # codes are unique everywhere, but a unit outside the user's
                # reach is not named (nor taken as this row's unit)
                r.error(
                    header("code"),
                    _("Mã “%(code)s” đã được dùng cho một đơn vị ngoài phạm vi của bạn.")
                    % {"code": code},
                )
                continue
            if fold(existing.name) != fold(r.name):
                r.error(
                    header("code"),
                    _("Mã “%(code)s” đã dùng cho đơn vị “%(name)s”.")
                    % {"code": code, "name": existing.name},
                )
                continue
            r.outcome = UNCHANGED
            r.unit_pk = existing.pk
            unit = existing
            if r.unit_type is not None:
                wanted = {**clean_type(level=existing.level), **r.unit_type}
                if wanted != {f: getattr(existing, f) for f in TYPE_FIELDS}:
                    try:
                        with transaction.atomic():
                            unit_set_type(
                                actor=actor,
                                unit=existing,
                                effective_on=r.type_from or date.today(),
                                **r.unit_type,
                            )
                    except ServiceError as exc:
                        r.error(header("base_type"), " ".join(exc.messages))
                        continue
                    r.outcome = UPDATED
                    r.notes.append(_("Đổi loại hình cơ sở"))
        else:
            try:
                with transaction.atomic():
                    unit = unit_found(
                        actor=actor,
                        name=r.name,
                        level=r.level,
                        parent=parent,
                        category=r.category,
                        code=code or None,
                        administrative_unit=admin,
                        founded_on=r.founded_on,
                        unit_type=r.unit_type,
                    )
            except ServiceError as exc:
                r.error("", " ".join(exc.messages))
                continue
            r.outcome = NEW
        if code:
            by_code[code] = (unit, r if r.outcome == NEW else None)
        by_name.setdefault(fold(r.name), []).append((unit, r if r.outcome == NEW else None))


def _read_type(r: UnitRow, v: dict, header) -> None:
    """The row's Biểu 5 type, if any of its columns is filled."""
    keys = TYPE_FIELDS
    if not any(cell_text(v.get(k)) for k in keys):
        return
    out: dict = {}
    parsers = {
        "base_type": parse_base_type,
        "enterprise_form": parse_enterprise_form,
        "state_capital": lambda x: parse_share(x, _("Vốn nhà nước")),
        "foreign_capital": lambda x: parse_share(x, _("Vốn nước ngoài")),
        "economic_sector": parse_economic_sector,
        "service_kind": parse_service_kind,
        "no_masses": parse_flag,
    }
    for key, parse in parsers.items():
        try:
            out[key] = parse(v.get(key))
        except ServiceError as exc:
            r.error(header(key), exc.messages[0])
    try:
        r.type_from = parse_date(v.get("type_from"))
    except CellError as exc:
        r.error(header("type_from"), exc.message)
    r.unit_type = out
