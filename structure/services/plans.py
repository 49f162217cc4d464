"""Several restructures under one decision: a plan (the 2025 commune mergers
of a province, the reorganization of a ward's cells) is a list of
operations, each one of the services of the tree (found, rename, move,
upgrade, merge, split, dissolve with destination), with the plan's decision
number, decision date and effective date. `plan_apply` runs them in order in
one transaction: all or nothing. `plan_preview` runs them the same way in a
savepoint it rolls back, and returns the tree before and after.

A step may name a unit that an earlier step of the same plan founds (by the
name or code given there) as a plain string; a unit of the database is
passed as a Unit. The spreadsheet of a plan only parses rows into
operations: every check is the services'."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from chibo.errors import ServiceError
from chibo.text import fold
from members.selectors import tree_on
from organizations.models import Restructure, Unit
from organizations.services import one_plan, unit_found, unit_move, unit_rename
from structure.services.restructuring import unit_dissolve, unit_merge, unit_split, unit_upgrade

KINDS = [k.value for k in Restructure.Kind]


@dataclass
class Operation:
    """One step of a plan. Which fields matter depends on `kind`:

    - found: name, level, parent, category, code, administrative_unit
    - rename: unit, name
    - move: unit, parent
    - upgrade: unit, parent (cell → grassroots cell), cell_names, assignments
    - merge: units, and into (sáp nhập) or name / code / parent (hợp nhất)
    - split: unit, parts, assignments, child_assignments
    - dissolve: unit, destination or assignments, children_to

    A unit is a Unit, or a string naming a unit founded by an earlier step."""

    kind: str
    unit: Unit | str | None = None
    units: list = field(default_factory=list)
    name: str = ""
    code: str = ""
    level: str = ""
    category: str = ""
    parent: Unit | str | None = None
    into: Unit | str | None = None
    destination: Unit | str | None = None
    children_to: Unit | str | None = None
    administrative_unit: object = None
    cell_names: list[str] = field(default_factory=list)
    parts: list[dict] = field(default_factory=list)
    assignments: dict = field(default_factory=dict)
    child_assignments: dict = field(default_factory=dict)


@dataclass
class StepError:
    step: int  # 1-based, as the plan's rows are numbered
    kind: str
    message: str

    def as_dict(self) -> dict:
        return {"step": self.step, "kind": self.kind, "message": self.message}


@dataclass
class PlanResult:
    restructures: list[Restructure] = field(default_factory=list)
    errors: list[StepError] = field(default_factory=list)
    applied: bool = False
    before: list[dict] = field(default_factory=list)
    after: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "applied": self.applied,
            "steps": [
                {"kind": r.kind, "summary": r.summary, "effective_on": r.effective_on}
                for r in self.restructures
            ],
            "errors": [e.as_dict() for e in self.errors],
            "before": self.before,
            "after": self.after,
        }


class _Rollback(Exception):
    pass


def plan_apply(
    operations: list[Operation],
    *,
    actor,
    decision_number: str,
    decision_date: date,
    effective_on: date,
    dry_run: bool = False,
    root: Unit | None = None,
) -> PlanResult:
    """Run every operation with the plan's decision, in order, in one
    transaction. Each step runs in its own savepoint, so that a refused step
    is reported (with its number) and the following ones are still tried;
    if any step is refused, or with `dry_run`, nothing is kept. The result
    holds the tree under `root` (the user's whole reach if None) the day
    before the effective date and on it, as the plan leaves it."""
    result = PlanResult()
    decision = {
        "decision_number": decision_number,
        "decision_date": decision_date,
        "effective_on": effective_on,
    }
    if not operations:
        result.errors.append(StepError(0, "", _("Kế hoạch không có bước nào.")))
        return result
    if effective_on is None:
        result.errors.append(StepError(0, "", _("Cần ghi ngày hiệu lực.")))
        return result
    result.before = _tree(effective_on - timedelta(days=1), root, actor)
    try:
        with transaction.atomic(), one_plan():
            founded: dict[str, Unit] = {}
            for number, op in enumerate(operations, start=1):
                try:
                    with transaction.atomic():
                        r = _run(op, actor=actor, founded=founded, decision=decision)
                except ServiceError as exc:
                    result.errors.append(StepError(number, op.kind, " ".join(exc.messages)))
                    continue
                result.restructures.append(r)
            result.after = _tree(effective_on, root, actor)
            if dry_run or not result.ok:
                raise _Rollback
            result.applied = True
    except _Rollback:
        pass
    return result


def plan_preview(operations: list[Operation], **kwargs) -> PlanResult:
    """`plan_apply` in a transaction rolled back: the tree before and after,
    and every step's refusal, with nothing kept."""
    return plan_apply(operations, dry_run=True, **kwargs)


def _tree(day: date, root: Unit | None, actor) -> list[dict]:
    """The tree of `day` as plain rows (they outlive the rolled-back rows
    they were read from)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return [
        {
            "unit_id": n.unit_id,
            "name": n.name,
            "level": n.version.level,
            "parent_id": n.version.parent_id,
            "depth": n.depth,
            "members": n.members,
        }
        for n in tree_on(day, root=root, user=user)
    ]


def _run(op: Operation, *, actor, founded: dict[str, Unit], decision: dict) -> Restructure:
    def unit(ref, what: str = "") -> Unit | None:
        if ref is None or ref == "":
            return None
        if isinstance(ref, Unit):
            return Unit.objects.get(pk=ref.pk)  # fresh: an earlier step may have changed it
        found = founded.get(fold(str(ref)))
        if found is None:
            raise ServiceError(
                _("Không tìm thấy đơn vị “%(name)s” trong các bước trước của kế hoạch.")
                % {"name": ref}
            )
        return Unit.objects.get(pk=found.pk)

    def remember(new: Unit, *keys: str) -> None:
        for key in (new.name, new.code, *keys):
            if key:
                founded[fold(key)] = new

    kind = op.kind
    if kind not in KINDS:
        raise ServiceError(_("Không hiểu loại sắp xếp “%(kind)s”.") % {"kind": kind})
    if kind == Restructure.Kind.FOUND:
        new = unit_found(
            actor=actor,
            name=op.name,
            level=op.level,
            parent=unit(op.parent),
            category=op.category,
            code=op.code or None,
            administrative_unit=op.administrative_unit,
            founded_on=decision["effective_on"],
            decision_number=decision["decision_number"] or "",
            decision_date=decision["decision_date"],
        )
        remember(new)
        return new.versions.get().restructure
    target = unit(op.unit)
    if target is None and kind != Restructure.Kind.MERGE:
        raise ServiceError(_("Cần ghi đơn vị."))
    if kind == Restructure.Kind.RENAME:
        return unit_rename(actor=actor, unit=target, name=op.name, **decision)
    if kind == Restructure.Kind.MOVE:
        parent = unit(op.parent)
        if parent is None:
            raise ServiceError(_("Cần ghi đơn vị cấp trên mới."))
        return unit_move(actor=actor, unit=target, parent=parent, **decision)
    if kind == Restructure.Kind.UPGRADE:
        return unit_upgrade(
            actor=actor,
            unit=target,
            parent=unit(op.parent),
            cell_names=op.cell_names,
            assignments=op.assignments,
            **decision,
        )
    if kind == Restructure.Kind.MERGE:
        units = [unit(u) for u in op.units]
        r = unit_merge(
            actor=actor,
            units=[u for u in units if u is not None],
            into=unit(op.into),
            name=op.name,
            code=op.code or None,
            parent=unit(op.parent),
            administrative_unit=op.administrative_unit,
            **decision,
        )
        if r.data.get("created"):
            remember(Unit.objects.get(pk=r.data["into"]))
        return r
    if kind == Restructure.Kind.SPLIT:
        r = unit_split(
            actor=actor,
            unit=target,
            parts=op.parts,
            assignments=op.assignments,
            child_assignments=op.child_assignments,
            **decision,
        )
        for new in Unit.objects.filter(pk__in=r.data.get("parts", [])):
            remember(new)
        return r
    # dissolve
    return unit_dissolve(
        actor=actor,
        unit=target,
        destination=unit(op.destination),
        assignments={k: unit(v) for k, v in (op.assignments or {}).items()},
        children_to=unit(op.children_to),
        **decision,
    )
