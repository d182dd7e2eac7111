"""The audit log: one function writes every audited act."""

from __future__ import annotations

from typing import Any

from .models import AuditEntry


def audit_record(*, actor: Any, action: str, target: Any = None, **detail: Any) -> AuditEntry:
    """Append one audit row. ``detail`` must never hold message or note content, only ids and
    labels, so the log itself is safe to show to an auditor."""
    target_type = target_id = ""
    if target is not None:
        target_type = f"{target._meta.app_label}.{target._meta.model_name}"
        target_id = str(target.pk)
    return AuditEntry.objects.create(
        actor_id=getattr(actor, "pk", None),
        actor_username=getattr(actor, "username", "") or "system",
        action=action,
        target_type=target_type,
        target_id=target_id,
        detail=detail,
    )
