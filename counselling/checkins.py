"""Weekly chats: a counsellor offers a weekday and time; the child says yes or no in their
lobby (live); at the time beat opens a bubble for both (live); a chat the child never wrote
in shows as missed on the dashboard."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from chat import bubbles as chat_bubbles
from chat import services as chat_services
from chat.models import Message
from minimentors.audit import audit_record
from minimentors.events import group_name, send_event_on_commit
from minimentors.hours import UK, hours_status, parse_opening_hours
from minimentors.roles import is_child

from .models import CheckIn, CheckInPlan
from .permissions import can_counsel
from .services import CounsellingError

# Beat opens a weekly chat up to this long after its time (a worker that was down catches up).
CATCH_UP = timedelta(hours=1)
# A weekly chat the child has not written in by then is missed.
MISSED_AFTER = timedelta(minutes=30)


def _frame_to(user_id: int, frame: dict[str, Any]) -> None:
    send_event_on_commit({"type": "frame.relay", "frame": frame}, [group_name("user", user_id)])


@transaction.atomic
def checkin_offer(*, counsellor: Any, child: Any, weekday: int, at: time) -> CheckInPlan:
    """Offer ``child`` a weekly chat; an earlier plan between them ends. The child's lobby
    shows the offer at once."""
    if not can_counsel(counsellor) or not is_child(child):
        raise CounsellingError("Counsellors can offer weekly chats to children.")
    if not 0 <= weekday <= 6:
        raise CounsellingError("Please choose a day of the week.")
    hours = parse_opening_hours(settings.OPENING_HOURS)
    closes = hours.closes or time(23, 59)
    if not (hours.opens <= at < closes):
        raise CounsellingError("Please choose a time when MiniMentors are open.")
    CheckInPlan.objects.filter(
        child=child,
        counsellor=counsellor,
        status__in=[CheckInPlan.Status.OFFERED, CheckInPlan.Status.ACCEPTED],
    ).update(status=CheckInPlan.Status.ENDED)
    plan = CheckInPlan.objects.create(child=child, counsellor=counsellor, weekday=weekday, at=at)
    audit_record(actor=counsellor, action="checkin.offered", target=plan, child=child.pk)
    _frame_to(child.pk, {"type": "checkin_offer", "id": plan.pk, "when": plan.when_words})
    return plan


@transaction.atomic
def checkin_answer(*, child: Any, plan_id: int, yes: bool) -> CheckInPlan:
    """The child says "Yes please" or "No thanks"; their counsellor hears it live."""
    plan = (
        CheckInPlan.objects.select_for_update()
        .filter(pk=plan_id, child=child, status=CheckInPlan.Status.OFFERED)
        .first()
    )
    if plan is None:
        raise CounsellingError("That offer has ended. A counsellor can offer again.")
    plan.status = CheckInPlan.Status.ACCEPTED if yes else CheckInPlan.Status.DECLINED
    plan.answered_at = timezone.now()
    plan.save(update_fields=["status", "answered_at"])
    audit_record(actor=child, action=f"checkin.{plan.status}", target=plan)
    _frame_to(
        plan.counsellor_id,
        {"type": "checkin_answer", "id": plan.pk, "member": child.username, "yes": yes},
    )
    return plan


def _latest_due(plan: CheckInPlan, now: datetime) -> datetime:
    """The plan's most recent time at or before ``now`` (UK wall clock)."""
    local = timezone.localtime(now, UK)
    days_back = (local.weekday() - plan.weekday) % 7
    due = datetime.combine(local.date() - timedelta(days=days_back), plan.at, tzinfo=UK)
    if due > local:
        due -= timedelta(days=7)
    return due


def checkins_open_due(*, now: datetime | None = None) -> list[int]:
    """Beat, every tick: open each accepted weekly chat whose time has come (once), as a
    bubble for the counsellor and the child; the child's lobby moves to it by itself.
    Returns the new check-ins' ids."""
    now = now or timezone.now()
    if not hours_status(now).is_open:
        return []
    opened = []
    for plan in CheckInPlan.objects.filter(status=CheckInPlan.Status.ACCEPTED).select_related(
        "child", "counsellor"
    ):
        due = _latest_due(plan, now)
        if now - due > CATCH_UP or CheckIn.objects.filter(plan=plan, due_at=due).exists():
            continue
        try:
            with transaction.atomic():
                checkin = CheckIn.objects.create(plan=plan, due_at=due)
                room = chat_bubbles.bubble_open_with_child(
                    counsellor=plan.counsellor, child=plan.child
                )
                checkin.room = room
                checkin.save(update_fields=["room"])
                audit_record(actor=None, action="checkin.opened", target=checkin)
        except (IntegrityError, chat_services.ChatError):
            continue  # another beat run opened it, or the chat could not open: next tick
        opened.append(checkin.pk)
    return opened


def checkins_mark_missed(*, now: datetime | None = None) -> int:
    """Weekly chats opened over ``MISSED_AFTER`` ago: attended if the child wrote, else
    missed (shown on the dashboard)."""
    now = now or timezone.now()
    changed = 0
    for checkin in CheckIn.objects.filter(
        status=CheckIn.Status.OPENED, due_at__lt=now - MISSED_AFTER
    ).select_related("plan"):
        wrote = Message.objects.filter(room=checkin.room, author=checkin.plan.child_id).exists()
        checkin.status = CheckIn.Status.ATTENDED if wrote else CheckIn.Status.MISSED
        checkin.save(update_fields=["status"])
        changed += 1
    return changed
