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
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=target.pk if target is not None else None,
        unit_path=getattr(unit, "path", "") or "",
        summary=summary,
        data=_jsonable(data or {}),
    )
