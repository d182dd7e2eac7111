"""The retention table: what is deleted, and how long after it was written.

Notes and records are kept for six years from when they were written, then deleted by
``purge_expired`` (run daily by Celery beat). Each app adds its own rows here as it lands; a
system check (``minimentors.checks``) stops the site if a row names a model or field that
does not exist, so no kind of record is silently never deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from .audit_guard import retention_deletes_allowed

SIX_YEARS = 6


@dataclass(frozen=True)
class RetentionRule:
    model: str  # "app_label.ModelName"
    written_field: str
    years: int


RETENTION_TABLE: tuple[RetentionRule, ...] = (
    RetentionRule("minimentors.AuditEntry", "created_at", SIX_YEARS),
    RetentionRule("chat.Message", "sent_at", SIX_YEARS),
    RetentionRule("moderation.Alert", "raised_at", SIX_YEARS),
    RetentionRule("moderation.Sanction", "created_at", SIX_YEARS),
    RetentionRule("moderation.BlockApproval", "approved_at", SIX_YEARS),
    RetentionRule("moderation.VerdictOverride", "created_at", SIX_YEARS),
)


def years_before(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)


def purge_expired(*, now: datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Delete every record older than its retention period. Returns counts per model label,
    never content. The only code that may delete audit entries: the database refuses anyone
    else (``minimentors.audit_guard``)."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    for rule in RETENTION_TABLE:
        model = apps.get_model(rule.model)
        cutoff = years_before(now, rule.years)
        expired = model._default_manager.filter(**{f"{rule.written_field}__lt": cutoff})
        if dry_run:
            counts[rule.model] = expired.count()
            continue
        with transaction.atomic(), retention_deletes_allowed():
            # The audit log's triggers let only this job delete (minimentors.audit_guard).
            _, per_model = expired.delete()
        counts[rule.model] = per_model.get(model._meta.label, 0)
    return counts
