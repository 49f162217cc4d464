"""A restructure plan as a spreadsheet (or CSV): one row per operation, one
decision for the whole plan; a kind of import ("plan", chibo.imports) and
`manage.py restructure FILE [--dry-run]`, the same code path.

Each row becomes a structure.services.Operation; the plan is previewed by
plan_preview (every step run in a transaction rolled back, the tree before
and after shown beside the rows) and applied by plan_apply: all steps or
none, whatever "valid rows only" says.

Columns (Hướng dẫn of the template): Thao tác (Thành lập, Đổi tên, Chuyển,
Nâng cấp, Sáp nhập, Hợp nhất, Chia tách, Giải thể), Đơn vị (the unit the
step acts on; several, separated by “;”, for a merger), Tên mới (of a unit
founded, renamed or made by a merger; the parts of a split or the cells of
an upgrade, separated by “;”), Mã mới, Cấp, Loại chi bộ, Trực thuộc (the
parent of a unit founded, moved, merged or upgraded; where a dissolved
unit's sub-units go), Đơn vị nhận (the unit merged into; where a dissolved
unit's members go), Phân bổ (for a split or an upgrade: “Part: member or
sub-unit; …” parts separated by “|”, “còn lại” for everyone not named),
Số quyết định, Ngày quyết định, Ngày hiệu lực (one for the plan: on every
row, or only the first).

A step naming a unit that an earlier step dissolved (or merged away, or
split) is a row error; a unit an earlier step founds is named by its new
name or code. The same plan sent again (its decision already recorded with
the same steps) changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo.errors import ServiceError
from chibo.imports import NEW, UNCHANGED, ImportContext, ImportKind, RowOutcome
from chibo.spreadsheets import CellError, Column, Row, cell_text, header_key, parse_date
from chibo.text import fold, normalize
from members.finders import MemberFinder
from members.selectors import tree_on
from organizations.models import PATH_STEP, Restructure, Unit
from organizations.resources import parse_category, parse_level
from organizations.selectors import UnitFinder
from structure.imports import may_import_structure, units_in_reach
from structure.services import Operation, _members_in, plan_apply, plan_preview

K = Restructure.Kind
ACTIONS = {
    header_key(word): kind
    for kind, words in {
        K.FOUND: ("Thành lập", "Thành lập mới", "found"),
        K.RENAME: ("Đổi tên", "rename"),
        K.MOVE: ("Chuyển", "Chuyển trực thuộc", "Điều chuyển", "move"),
        K.UPGRADE: ("Nâng cấp", "Nâng cấp thành chi bộ cơ sở", "Nâng thành đảng bộ", "upgrade"),
        "absorb": ("Sáp nhập", "Sáp nhập vào"),
        K.MERGE: ("Hợp nhất", "merge"),
        K.SPLIT: ("Chia tách", "Tách", "split"),
        K.DISSOLVE: ("Giải thể", "dissolve"),
    }.items()
    for word in words
}
REST = {header_key(w) for w in ("còn lại", "tất cả", "*", "các đảng viên còn lại")} | {"*"}
_LIST = re.compile(r"\s*[;\n]\s*")
_PARTS = re.compile(r"\s*\|\s*|\n")

COLUMNS = [
    Column(
        "step",
        "Bước",
        aliases=("STT", "TT"),
        help="Số thứ tự (không bắt buộc); các bước chạy theo thứ tự dòng.",
    ),
    Column(
        "action",
        "Thao tác",
        aliases=("Loại", "Hình thức"),
        required=True,
        help="Thành lập, Đổi tên, Chuyển (trực thuộc), Nâng cấp, Sáp nhập (vào một đơn vị có sẵn), "
        "Hợp nhất (thành đơn vị mới), Chia tách, Giải thể.",
    ),
    Column(
        "unit",
        "Đơn vị",
        aliases=("Tên đơn vị", "Đơn vị hiện nay"),
        help="Đơn vị của bước này (tên hoặc mã); sáp nhập, hợp nhất: các đơn vị, cách nhau bởi “;”.",
    ),
    Column(
        "name",
        "Tên mới",
        help="Tên đơn vị thành lập, tên mới khi đổi tên, tên đơn vị sau hợp nhất; chia tách: tên các "
        "đơn vị mới, cách nhau bởi “;”; nâng cấp thành đảng bộ: tên các chi bộ trực thuộc.",
    ),
    Column(
        "code",
        "Mã mới",
        aliases=("Mã đơn vị mới", "Mã"),
        help="Mã của đơn vị mới (nếu có); chia tách: cách nhau bởi “;”.",
    ),
    Column(
        "level", "Cấp", help="Cấp của đơn vị thành lập (Chi bộ, Chi bộ trực thuộc, Đảng bộ cơ sở…)."
    ),
    Column(
        "category",
        "Loại chi bộ",
        help="Của chi bộ thành lập: Tổ dân phố, Thôn, Cơ quan, Trường học…",
    ),
    Column(
        "parent",
        "Trực thuộc",
        aliases=("Cấp trên", "Đơn vị cấp trên"),
        help="Cấp trên của đơn vị thành lập, chuyển đến, hợp nhất, nâng cấp; giải thể: nơi chuyển "
        "các đơn vị trực thuộc đến.",
    ),
    Column(
        "target",
        "Đơn vị nhận",
        aliases=("Sáp nhập vào", "Chuyển đảng viên đến"),
        help="Sáp nhập: đơn vị nhận; giải thể: chi bộ nhận các đảng viên.",
    ),
    Column(
        "assignments",
        "Phân bổ",
        help="Chia tách, nâng cấp: “Tên đơn vị mới: số thẻ hoặc họ tên đảng viên, tên đơn vị trực "
        "thuộc; …”, các đơn vị mới cách nhau bởi “|”; “còn lại” là mọi người chưa ghi.",
    ),
    Column("decision_number", "Số quyết định", aliases=("Số QĐ", "Quyết định"), required=True),
    Column("decision_date", "Ngày quyết định", aliases=("Ngày QĐ",), kind="date"),
    Column("effective_on", "Ngày hiệu lực", aliases=("Hiệu lực từ ngày",), kind="date"),
]


@dataclass(slots=True)
class PlanRow(RowOutcome):
    op: Operation | None = None
    touched: list = field(default_factory=list)  # paths of the units of the database it names
    decision: dict = field(default_factory=dict)  # the row's decision number and dates
    action: str = ""  # as read: "absorb" is a merge into an existing unit
    kind: str = ""  # the Restructure kind it records


class RestructurePlanKind(ImportKind):
    name = "plan"
    slug = "ke-hoach-sap-xep"
    title = gettext_lazy("Kế hoạch sắp xếp tổ chức đảng")
    description = gettext_lazy(
        "Một dòng một bước (thành lập, đổi tên, chuyển, nâng cấp, sáp nhập, hợp nhất, chia tách, "
        "giải thể), cả kế hoạch theo một quyết định và một ngày hiệu lực. Xem trước cây tổ chức "
        "trước và sau; kế hoạch được áp dụng trọn vẹn hoặc không bước nào."
    )
    columns = COLUMNS
    example = {
        "step": 1,
        "action": "Hợp nhất",
        "unit": "Đảng bộ xã An Bình; Đảng bộ xã An Hòa",
        "name": "Đảng bộ xã An Bình Hòa",
        "code": "X-ABH",
        "level": "",
        "category": "",
        "parent": "Đảng bộ tỉnh",
        "target": "",
        "assignments": "",
        "decision_number": "1656/NQ-UBTVQH15",
        "decision_date": date(2025, 6, 16),
        "effective_on": date(2025, 7, 1),
    }
    guide_notes = [
        (
            gettext_lazy("Cả kế hoạch"),
            gettext_lazy(
                "Một quyết định, một ngày hiệu lực: ghi ở dòng đầu (các dòng sau để trống hoặc ghi "
                "giống). Có một bước bị từ chối thì không bước nào được áp dụng."
            ),
        ),
        (
            gettext_lazy("Đơn vị do bước trước tạo"),
            gettext_lazy("Ghi đúng tên hoặc mã mới của nó ở bước trước."),
        ),
        (
            gettext_lazy("Đơn vị đã giải thể"),
            gettext_lazy(
                "Đơn vị đã giải thể, sáp nhập, hợp nhất hay chia tách ở bước trước không dùng được "
                "ở bước sau."
            ),
        ),
    ]
    template_title = gettext_lazy(
        "KẾ HOẠCH SẮP XẾP — điền từ dòng 3; mỗi bước một dòng, theo thứ tự thực hiện"
    )
    file_label = gettext_lazy("Tệp kế hoạch (.xlsx hoặc .csv)")
    subject_label = gettext_lazy("Bước")
    done_message = gettext_lazy("Đã áp dụng kế hoạch: %(new)s bước.")
    audit_action = "plan_import"

    def may_use(self, user) -> bool:
        return may_import_structure(user)

    def analyse(self, rows: Iterator[Row], ctx: ImportContext) -> list[PlanRow]:
        reach = units_in_reach(ctx.actor)
        parser = _Parser(UnitFinder(reach), ctx.header)
        rows = list(rows)
        out = [parser.head(row) for row in rows]
        decision = parser.decision(out)
        if any(r.errors for r in out) or decision is None:
            return out
        done = Restructure.objects.filter(
            decision_number=decision["decision_number"], effective_on=decision["effective_on"]
        ).order_by("pk")
        kinds = list(done.values_list("kind", flat=True))
        if kinds and kinds == [r.kind for r in out]:
            # the same plan, recorded already: its units are merged or renamed
            # by now, so nothing of it is looked up again
            for r in out:
                r.outcome = UNCHANGED
            touched = [u.path for x in done.prefetch_related("units") for u in x.units.all()]
            root = _common_root(touched)
            _trees(ctx, decision["effective_on"], *_stored_trees(decision, root, ctx.actor))
            return out
        for row, r in zip(rows, out, strict=True):
            parser.body(row, r)
        if any(r.errors for r in out):
            return out
        ops = [r.op for r in out]
        root = _common_root([p for r in out for p in r.touched])
        if kinds:
            first = out[0]
            first.error(
                ctx.header("decision_number"),
                _(
                    "Quyết định %(number)s (hiệu lực %(day)s) đã được ghi cho %(n)s thay đổi khác "
                    "với kế hoạch này."
                )
                % {
                    "number": decision["decision_number"],
                    "day": decision["effective_on"].strftime("%d/%m/%Y"),
                    "n": len(kinds),
                },
            )
            return out
        result = plan_preview(ops, actor=ctx.actor, root=root, **decision)
        for e in result.errors:
            target = out[e.step - 1] if 1 <= e.step <= len(out) else out[0]
            target.error("", e.message)
        for r, restructure in zip(
            [r for r in out if not r.errors], result.restructures, strict=False
        ):
            r.notes.append(restructure.summary)
        for r in out:
            if not r.errors:
                r.outcome = NEW
        _trees(ctx, decision["effective_on"], result.before, result.after)
        return out

    def apply(self, rows: list[PlanRow], ctx: ImportContext) -> dict:
        if ctx.batch is not None and ctx.batch.error_count:
            raise ServiceError(
                _("Kế hoạch có bước lỗi: không áp dụng bước nào (không nhập một phần).")
            )
        if all(r.outcome == UNCHANGED for r in rows):
            return {"restructures": []}
        parser = _Parser(None, ctx.header)
        decision = parser.decision(rows, quiet=True)
        result = plan_apply([r.op for r in rows], actor=ctx.actor, **decision)
        if not result.ok:
            raise ServiceError([f"Bước {e.step}: {e.message}" for e in result.errors])
        return {"restructures": [r.pk for r in result.restructures]}


def _trees(ctx: ImportContext, day: date, before, after) -> None:
    ctx.extra["trees"] = {
        "before_day": (day - timedelta(days=1)).strftime("%d/%m/%Y"),
        "after_day": day.strftime("%d/%m/%Y"),
        "before": before,
        "after": after,
    }


def _stored_trees(decision: dict, root, actor):
    user = actor if getattr(actor, "is_authenticated", False) else None
    day = decision["effective_on"]

    def rows(on):
        return [
            {"unit_id": n.unit_id, "name": n.name, "depth": n.depth, "members": n.members}
            for n in tree_on(on, root=root, user=user)
        ]

    return rows(day - timedelta(days=1)), rows(day)


def _common_root(paths: list[str]) -> Unit | None:
    """The lowest unit above every unit the plan names (the tree shown)."""
    if not paths:
        return None
    prefix = paths[0]
    for p in paths[1:]:
        while not p.startswith(prefix):
            prefix = prefix[:-PATH_STEP]
    while prefix:
        unit = Unit.objects.filter(path=prefix).first()
        if unit is not None:
            return unit
        prefix = prefix[:-PATH_STEP]
    return None


class _Parser:
    """Reads the rows in order, remembering the units earlier rows found and
    the ones they dissolve, so a later row's references resolve the way
    plan_apply will run them."""

    def __init__(self, units: UnitFinder | None, header):
        self.units, self.header = units, header
        self.people = MemberFinder()
        self.founded: dict[str, int] = {}  # folded name or code -> the row founding it
        self.gone: dict[int, int] = {}  # unit id -> the row dissolving it
        self._column = ""  # the header of the cell being read, for its error

    # --- the plan's decision ---------------------------------------------------------

    def decision(self, rows: list[PlanRow], *, quiet=False) -> dict | None:
        found: dict[str, tuple] = {}
        values: dict[str, object] = {}
        for r in rows:
            for key, value in r.decision.items():
                if value in (None, ""):
                    continue
                if key in values and values[key] != value:
                    if not quiet:
                        r.error(
                            self.header(key),
                            _("Cả kế hoạch theo một quyết định: dòng %(row)s ghi “%(v)s”.")
                            % {"row": found[key][0], "v": _show(values[key])},
                        )
                    continue
                values.setdefault(key, value)
                found.setdefault(key, (r.row,))
        if rows and not values.get("decision_number") and not quiet:
            rows[0].error(self.header("decision_number"), _("Thiếu số quyết định của kế hoạch."))
        if rows and not values.get("effective_on") and not quiet:
            rows[0].error(self.header("effective_on"), _("Thiếu ngày hiệu lực của kế hoạch."))
        if any(r.errors for r in rows):
            return None
        effective = values["effective_on"]
        return {
            "decision_number": values["decision_number"],
            "decision_date": values.get("decision_date") or effective,
            "effective_on": effective,
        }

    # --- one row ---------------------------------------------------------------------

    def head(self, row: Row) -> PlanRow:
        """The row's action and decision (what says whether the plan is recorded)."""
        v = row.values
        r = PlanRow(row=row.number, name=cell_text(v.get("step")) or "")
        r.decision = {"decision_number": cell_text(v.get("decision_number"))}
        for key in ("decision_date", "effective_on"):
            try:
                r.decision[key] = parse_date(v.get(key))
            except CellError as exc:
                r.error(self.header(key), exc.message)
        text = cell_text(v.get("action"))
        kind = ACTIONS.get(header_key(text))
        if kind is None:
            r.error(
                self.header("action"),
                _("Không hiểu thao tác “%(text)s”.") % {"text": text}
                if text
                else _("Thiếu thao tác."),
            )
            return r
        r.name = f"{r.name}. {text}" if r.name else text
        r.action = kind
        r.kind = K.MERGE if kind == "absorb" else kind
        return r

    def body(self, row: Row, r: PlanRow) -> None:
        """The row's operation, its units looked up."""
        v = row.values
        try:
            r.op = self._operation(r.action, v, r)
        except CellError as exc:
            r.error(self._column, exc.message)
        except ServiceError as exc:
            r.error(self._column, " ".join(exc.messages))

    def _ref(self, text: str, key: str, r: PlanRow, *, required=True):
        """A Unit of the database, or the name of a unit an earlier row founds."""
        self._column = self.header(key)
        text = normalize(text)
        if not text:
            if required:
                raise CellError(_("Cần ghi đơn vị."))
            return None
        if fold(text) in self.founded:
            return text
        unit = self.units.find(text)
        if unit.pk in self.gone:
            raise CellError(
                _("“%(name)s” đã giải thể (hoặc sáp nhập, chia tách) ở dòng %(row)s của kế hoạch.")
                % {"name": unit.name, "row": self.gone[unit.pk]}
            )
        if unit.dissolved_on is not None:
            raise CellError(_("“%(name)s” đã giải thể.") % {"name": unit.name})
        r.touched.append(unit.path[:-PATH_STEP] or unit.path)
        return unit

    def _found(self, r: PlanRow, *names: str) -> None:
        for n in names:
            if n:
                self.founded[fold(n)] = r.row

    def _gone(self, r: PlanRow, *units) -> None:
        for u in units:
            if isinstance(u, Unit):
                self.gone[u.pk] = r.row

    def _operation(self, kind: str, v: dict, r: PlanRow) -> Operation:
        h = self.header
        name = normalize(cell_text(v.get("name")))
        code = cell_text(v.get("code"))
        self._column = h("unit")
        if kind == K.FOUND:
            self._column = h("name")
            if not name:
                raise CellError(_("Cần ghi tên đơn vị thành lập."))
            self._column = h("level")
            level = parse_level(v.get("level"))
            self._column = h("category")
            category = parse_category(v.get("category"))
            parent = self._ref(cell_text(v.get("parent")), "parent", r, required=False)
            self._found(r, name, code)
            return Operation(
                kind=kind, name=name, code=code, level=level, category=category, parent=parent
            )
        if kind in (K.MERGE, "absorb"):
            units = [self._ref(t, "unit", r) for t in _LIST.split(cell_text(v.get("unit"))) if t]
            into = self._ref(cell_text(v.get("target")), "target", r, required=kind == "absorb")
            parent = self._ref(cell_text(v.get("parent")), "parent", r, required=False)
            if into is None:
                self._column = h("name")
                if not name:
                    raise CellError(
                        _("Hợp nhất: cần ghi tên đơn vị mới (hoặc “Đơn vị nhận” nếu sáp nhập).")
                    )
                self._found(r, name, code)
            self._gone(r, *[u for u in units if not (isinstance(into, Unit) and u.pk == into.pk)])
            return Operation(
                kind=K.MERGE,
                units=units,
                into=into,
                name="" if into else name,
                code=code,
                parent=parent,
            )
        unit = self._ref(cell_text(v.get("unit")), "unit", r)
        if kind == K.RENAME:
            self._column = h("name")
            if not name:
                raise CellError(_("Cần ghi tên mới."))
            self._found(r, name)
            return Operation(kind=kind, unit=unit, name=name)
        if kind == K.MOVE:
            parent = self._ref(cell_text(v.get("parent")), "parent", r)
            return Operation(kind=kind, unit=unit, parent=parent)
        if kind == K.DISSOLVE:
            destination = self._ref(cell_text(v.get("target")), "target", r, required=False)
            children_to = self._ref(cell_text(v.get("parent")), "parent", r, required=False)
            self._gone(r, unit)
            return Operation(kind=kind, unit=unit, destination=destination, children_to=children_to)
        names = [n for n in _LIST.split(name) if n]
        if kind == K.UPGRADE:
            parent = self._ref(cell_text(v.get("parent")), "parent", r, required=False)
            assignments, _children = self._assignments(unit, names, cell_text(v.get("assignments")))
            return Operation(
                kind=kind, unit=unit, parent=parent, cell_names=names, assignments=assignments
            )
        # split
        self._column = h("name")
        if len(names) < 2:
            raise CellError(_("Chia tách: ghi tên các đơn vị mới, cách nhau bởi “;”."))
        codes = [c for c in _LIST.split(code)] if code else []
        parts = [
            {"name": n, "code": codes[i] if i < len(codes) else ""} for i, n in enumerate(names)
        ]
        assignments, children = self._assignments(unit, names, cell_text(v.get("assignments")))
        self._found(r, *names, *codes)
        self._gone(r, unit)
        return Operation(
            kind=kind, unit=unit, parts=parts, assignments=assignments, child_assignments=children
        )

    def _assignments(self, unit, names: list[str], text: str) -> tuple[dict, dict]:
        """{member id: part}, {sub-unit id: part} from "Part: a; b | Part 2: c"."""
        self._column = self.header("assignments")
        if not text:
            return {}, {}
        if not isinstance(unit, Unit):
            raise CellError(_("Phân bổ chỉ ghi được cho đơn vị đã có."))
        index = {fold(n): i for i, n in enumerate(names)}
        members, children = {}, {}
        rest = None
        subunits = {
            fold(u.name): u for u in Unit.objects.filter(parent=unit, dissolved_on__isnull=True)
        }
        subunits |= {fold(u.code): u for u in subunits.values() if u.code}
        for chunk in _PARTS.split(text):
            if not chunk.strip():
                continue
            part, sep, items = chunk.partition(":")
            i = index.get(fold(part))
            if not sep or i is None:
                raise CellError(
                    _("Phân bổ: “%(part)s” không phải tên đơn vị mới ghi ở cột Tên mới.")
                    % {"part": part.strip()}
                )
            for item in _LIST.split(items.strip()):
                if not item:
                    continue
                if header_key(item) in REST or item.strip() == "*":
                    rest = i
                    continue
                sub = subunits.get(fold(item))
                if sub is not None:
                    children[sub.pk] = i
                    continue
                card = item.replace(" ", "")
                member = self.people.find(
                    unit=unit,
                    card=card if card.isdigit() else None,
                    name=None if card.isdigit() else item,
                )
                members[member.pk] = i
        if rest is not None:
            for m in _members_in(unit):
                members.setdefault(m.pk, rest)
            for sub in subunits.values():
                children.setdefault(sub.pk, rest)
        return members, children


def _show(value) -> str:
    return value.strftime("%d/%m/%Y") if isinstance(value, date) else str(value)
