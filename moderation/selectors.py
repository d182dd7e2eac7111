"""Reads for the moderation pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from .context import message_context
from .models import RISK_CATEGORIES, Alert, Sanction

QUEUE_PAGE_SIZE = 50
# Kinds that are about a child's safety whatever their categories: a mentor's concern, a
# hand-over to a counsellor, and a message held because moderation itself failed.
RISK_KINDS = (Alert.Kind.CONCERN, Alert.Kind.HANDOVER, Alert.Kind.SYSTEM)


def _is_risk() -> Q:
    """A child may be at risk: a risk category (the JSON list holds it as a quoted string, the
    same text on SQLite and PostgreSQL), a risk kind, or handed to a counsellor."""
    by_category = Q()
    for category in sorted(RISK_CATEGORIES):
        by_category |= Q(categories__icontains=f'"{category}"')
    return by_category | Q(kind__in=RISK_KINDS) | Q(handed_to_counsellor=True)


def alert_queue() -> QuerySet[Alert]:
    """Open alerts and reports: every risk alert first, whatever its age (so a flood of older
    reports can never bury a newer cry for help or a mentor's concern); then most severe,
    new before acknowledged, and oldest first (what waited overnight is at the top at
    opening time)."""
    return (
        Alert.objects.exclude(status=Alert.Status.RESOLVED)
        .select_related("member", "reporter", "handled_by")
        .annotate(
            not_risk=Case(
                When(_is_risk(), then=Value(0)), default=Value(1), output_field=IntegerField()
            ),
            unacknowledged=Case(
                When(status=Alert.Status.NEW, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )  # fmt: skip
        .order_by("not_risk", "-severity", "unacknowledged", "raised_at", "pk")
    )


@dataclass(frozen=True)
class QueueCounts:
    open: int
    risk: int
    new: int


def queue_counts() -> QueueCounts:
    """How many alerts are open, how many of them are about a child at risk, how many new."""
    counts = Alert.objects.exclude(status=Alert.Status.RESOLVED).aggregate(
        open=Count("pk"),
        risk=Count("pk", filter=_is_risk()),
        new=Count("pk", filter=Q(status=Alert.Status.NEW)),
    )
    return QueueCounts(**counts)


@dataclass(frozen=True)
class MemberHistory:
    alerts: list[Alert]
    sanctions: list[Sanction]


def member_history(member: Any, limit: int = 20) -> MemberHistory:
    if member is None:
        return MemberHistory([], [])
    return MemberHistory(
        alerts=list(Alert.objects.filter(member=member).order_by("-raised_at")[:limit]),
        sanctions=list(
            Sanction.objects.filter(member=member)
            .select_related("created_by", "lifted_by", "approved_by")
            .order_by("-created_at")[:limit]
        ),
    )


@dataclass(frozen=True)
class QueueItem:
    alert: Alert
    context: list[dict[str, Any]]
    history: MemberHistory


def queue_items(limit: int = QUEUE_PAGE_SIZE) -> list[QueueItem]:
    return [_queue_item(alert) for alert in alert_queue()[:limit]]


def _queue_item(alert: Alert) -> QueueItem:
    return QueueItem(alert, message_context(alert.message_id), member_history(alert.member, 10))


def queue_page(number: Any, per_page: int = QUEUE_PAGE_SIZE) -> Page:
    """One page of the queue (``number`` as typed in the address; anything odd gives the first
    or last page), its ``object_list`` made of ``QueueItem``s."""
    page = Paginator(alert_queue(), per_page).get_page(number)
    items: Any = [_queue_item(alert) for alert in page.object_list]
    page.object_list = items
    return page


def reports_by(member: Any) -> QuerySet[Alert]:
    return Alert.objects.filter(reporter=member, kind=Alert.Kind.REPORT).order_by("-raised_at")
