"""The audit trail every service writes to."""

from datetime import date
from typing import Any

from django.db import models

from chibo.models import AuditEvent


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    return value


def audit_record(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    unit=None,
    summary: str = "",
    data: dict | None = None,
) -> AuditEvent:
    """Record that `actor` did `action` on `target` (inside the caller's transaction)."""
    event = audit_event(
        actor=actor, action=action, target=target, unit=unit, summary=summary, data=data
    )
    event.save()
    return event


def audit_event(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    unit=None,
    summary: str = "",
    data: dict | None = None,
) -> AuditEvent:
    """The record audit_record writes, not saved yet: a service writing many
    records at once (an attendance sheet's meetings) saves them together
    with audit_record_many."""
    return AuditEvent(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=target.pk if target is not None else None,
        unit_path=getattr(unit, "path", "") or "",
        summary=summary,
        data=_jsonable(data or {}),
    )


def audit_record_many(events: list[AuditEvent]) -> list[AuditEvent]:
    """Save records made by audit_event, in their order, in a few queries."""
    return AuditEvent.objects.bulk_create(events, batch_size=2000)
