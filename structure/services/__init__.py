"""The writes that change the tree and its members together, one service per
action, in one module per family (as Zulip's actions/): restructuring.py
(upgrade, merge, split, dissolve, and the roles that follow a merged unit),
seats.py (committee seats), plans.py (several restructures under one
decision, applied together or previewed). Re-exported here so callers need
not know which module holds what.

They sit above both apps they touch: the tree's own steps come from
organizations/services.py (its underscored helpers serve both layers and
nothing else), the members move through members.services.member_place, so
their placement history says where they were on any date. Every service
runs in one transaction, is recorded as a Restructure (with its decision)
or a dated seat, and deletes nothing."""

from structure.services.plans import Operation, PlanResult, plan_apply, plan_preview
from structure.services.restructuring import (
    _members_in,
    unit_dissolve,
    unit_merge,
    unit_split,
    unit_upgrade,
)
from structure.services.seats import seat_assign

__all__ = [
    "Operation",
    "PlanResult",
    "_members_in",
    "plan_apply",
    "plan_preview",
    "seat_assign",
    "unit_dissolve",
    "unit_merge",
    "unit_split",
    "unit_upgrade",
]
