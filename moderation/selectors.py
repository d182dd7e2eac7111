"""Reads for the moderation pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When

from .context import message_context
from .models import Alert, Sanction


def alert_queue() -> QuerySet[Alert]:
    """Open alerts and reports: most severe first, then oldest first (so what waited overnight
    is at the top at opening time)."""
    return (
        Alert.objects.exclude(status=Alert.Status.RESOLVED)
        .select_related("member", "reporter", "handled_by")
        .annotate(
            unacknowledged=Case(
                When(status=Alert.Status.NEW, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )  # fmt: skip
        .order_by("-severity", "unacknowledged", "raised_at")
    )


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


def queue_items(limit: int = 50) -> list[QueueItem]:
    return [
        QueueItem(alert, message_context(alert.message_id), member_history(alert.member, 10))
        for alert in alert_queue()[:limit]
    ]


def reports_by(member: Any) -> QuerySet[Alert]:
    return Alert.objects.filter(reporter=member, kind=Alert.Kind.REPORT).order_by("-raised_at")
