"""The retention table and the job that keeps it: what is deleted, counted from when, after how
long, and what is never deleted while it is held.

"Notes about you are kept for six years and then they are deleted." Every kind of record is a
row of ``RETENTION_TABLE`` (an auditor reads it here and in the README); the period is six
years unless ``RETENTION_YEARS`` (settings) says otherwise for a kind. A system check
(``minimentors.checks``) stops the site if a row names a model or field that does not exist.

**Six calendar years, UK time.** A record is deleted by the first run after the same wall-clock
moment six years later (``years_before``): written 1 March 2020 at 12:00, it goes on the first
run after 1 March 2026 at 12:00. A record written on 29 February is kept until 28 February six
years later has passed, and goes on 1 March, the first day past its six years when that year has
no 29 February.

**Holds.** Nothing about a child is deleted while the Safeguarding Team holds it: while any of
their cases is open, until six years after their last case closed, and while a legal hold is on
them. The team's app registers who is held (``register_hold_source``), because it sits above.

**The job** deletes in batches of ``PURGE_BATCH`` rows, one short transaction each, reading only
ids (never the rows' content), so chat never waits long for the database; one run at a time (a
second worker's run at the same moment does nothing); and it writes one ``DeletionRecord`` per
kind per run: how many, the cut-off and when, never content or names.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from .audit_guard import retention_deletes_allowed
from .hours import UK

SIX_YEARS = 6
PURGE_BATCH = 200
LOCK_KEY = "retention:purge-running"
LOCK_SECONDS = 6 * 60 * 60


@dataclass(frozen=True)
class RetentionRule:
    model: str  # "app_label.ModelName"
    written_field: str  # the date it counts from
    child_field: str | None = None  # the child it is about, for holds
    where: Callable[[], Q] | None = None  # which rows of the model this row covers
    description: str = ""

    @property
    def years(self) -> int:
        return int(getattr(settings, "RETENTION_YEARS", {}).get(self.model, SIX_YEARS))


def _closed_account() -> Q:
    return Q(is_staff=False, is_superuser=False)


def _private_rooms() -> Q:
    return ~Q(kind="general")


RETENTION_TABLE: tuple[RetentionRule, ...] = (
    RetentionRule("counselling.NoteAmendment", "written_at", "note__child",
                  description="amendments to counsellors' notes"),
    RetentionRule("counselling.ConcernNote", "written_at", "child",
                  description="counsellors' dated notes"),
    RetentionRule("counselling.Concern", "created_at", "child", description="concerns"),
    RetentionRule("counselling.BreakGlassRead", "read_at", "child",
                  description="break-glass reads and their reasons"),
    RetentionRule("counselling.CheckIn", "due_at", "plan__child", description="weekly chats"),
    RetentionRule("counselling.CheckInPlan", "created_at", "child",
                  description="weekly chat offers"),
    RetentionRule("moderation.Alert", "raised_at", "member",
                  description="alerts, reports and appeals"),
    RetentionRule("moderation.Sanction", "created_at", "member", description="sanctions"),
    RetentionRule("moderation.BlockApproval", "approved_at", "member",
                  description="agreements to block"),
    RetentionRule("moderation.VerdictOverride", "created_at",
                  description="moderators' corrections of the filter"),
    RetentionRule("chat.Message", "sent_at", "author",
                  description="chat, bubble and private messages"),
    RetentionRule("chat.BubbleRequest", "created_at", "child", description="bubble requests"),
    RetentionRule("chat.Room", "created_at", "memberships__user", _private_rooms,
                  description="bubbles and private-message threads"),
    RetentionRule("chat.BlogComment", "created_at", "author", description="blog comments"),
    RetentionRule("chat.BlogPost", "created_at", "author", description="blog posts"),
    RetentionRule("safeguarding.SharingRecord", "case__closed_at", "case__child",
                  description="the information-sharing log (from when the case closed)"),
    RetentionRule("safeguarding.TranscriptExport", "case__closed_at", "case__child",
                  description="transcript exports and their files (from when the case closed)"),
    RetentionRule("safeguarding.Case", "closed_at", "child",
                  description="cases and everything under them (from when they closed)"),
    RetentionRule("safeguarding.LegalHold", "lifted_at", "child",
                  description="legal holds (from when they were lifted)"),
    RetentionRule("minimentors.AuditEntry", "created_at", description="the audit log"),
    RetentionRule("minimentors.DeletionRecord", "ran_at",
                  description="the records of what this job deleted"),
    RetentionRule("minimentors.User", "last_login", "pk", _closed_account,
                  description="member accounts unused for six years (from their last login)"),
)  # fmt: skip


HoldSource = Callable[[datetime], Iterable[int]]
_hold_sources: list[HoldSource] = []


def register_hold_source(source: HoldSource) -> None:
    """``source(cutoff)`` gives the ids of children whose records are held at ``cutoff``."""
    _hold_sources.append(source)


def held_children(cutoff: datetime) -> set[int]:
    return {child for source in _hold_sources for child in source(cutoff)}


def years_before(moment: datetime, years: int) -> datetime:
    """The same UK wall-clock moment ``years`` earlier (29 February becomes 28 February)."""
    local = timezone.localtime(moment, UK)
    try:
        return local.replace(year=local.year - years)
    except ValueError:  # 29 February
        return local.replace(year=local.year - years, day=28)


def expired(rule: RetentionRule, *, now: datetime, held: set[int]) -> QuerySet[Model]:
    """The rows of ``rule`` past their period at ``now``, except those about held children."""
    model = apps.get_model(rule.model)
    cutoff = years_before(now, rule.years)
    written_before = Q(**{f"{rule.written_field}__lt": cutoff})
    if rule.model == "minimentors.User":  # an account that never logged in: from joining
        written_before |= Q(last_login__isnull=True, date_joined__lt=cutoff)
    rows = model._default_manager.filter(written_before)
    if rule.where is not None:
        rows = rows.filter(rule.where())
    if rule.child_field and held:
        rows = rows.exclude(**{f"{rule.child_field}__in": held})
    return rows


def _delete_in_batches(rows: QuerySet[Model]) -> int:
    """Delete ``rows`` ``PURGE_BATCH`` at a time, each batch in its own short transaction,
    reading only their ids, with ``PURGE_PAUSE_SECONDS`` between batches: on SQLite every
    write waits for the one before it, so chat's next message waits for one short batch at
    most, never for the whole purge. Django deletes a batch without loading it when nothing
    cascades or listens; otherwise it collects what depends on the batch (bounded by it)."""
    deleted = 0
    model = rows.model
    while True:
        ids = list(rows.values_list("pk", flat=True)[:PURGE_BATCH])
        if not ids:
            return deleted
        if deleted:
            time.sleep(settings.PURGE_PAUSE_SECONDS)
        with transaction.atomic(), retention_deletes_allowed():
            # The audit log's triggers let only this job delete (minimentors.audit_guard).
            _, per_model = model._default_manager.filter(pk__in=ids).delete()
        deleted += per_model.get(model._meta.label, 0)


def purge_expired(*, now: datetime | None = None, dry_run: bool = False) -> dict[str, int] | None:
    """Delete every record past its retention period, except what is held. Returns counts per
    model label (never content), or None when another run is already going (it does nothing).
    Each kind's count is written as a ``DeletionRecord`` (not on a dry run)."""
    from .models import DeletionRecord

    now = now or timezone.now()
    if not dry_run and not cache.add(LOCK_KEY, str(uuid.uuid4()), timeout=LOCK_SECONDS):
        return None
    try:
        run = uuid.uuid4()
        counts: dict[str, int] = {}
        for rule in RETENTION_TABLE:
            cutoff = years_before(now, rule.years)
            rows = expired(rule, now=now, held=held_children(cutoff))
            counts[rule.model] = rows.count() if dry_run else _delete_in_batches(rows)
            if not dry_run:
                DeletionRecord.objects.create(
                    run=run, kind=rule.model, deleted=counts[rule.model], cutoff=cutoff
                )
        return counts
    finally:
        if not dry_run:
            cache.delete(LOCK_KEY)
