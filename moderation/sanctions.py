"""Sanctions: warn, mute, block from the whole site, and lift. One function changes each, in
one transaction, and writes the audit row.

Safeguarding comes before sanctions: a member with an open risk alert (self-harm, abuse,
grooming) can only be blocked once a counsellor or the Safeguarding Team has agreed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from minimentors.audit import audit_record
from minimentors.roles import is_counsellor, is_moderator, is_safeguarding, is_staff_member
from minimentors.sockets import member_sockets_close

from .models import RISK_CATEGORIES, Alert, BlockApproval, Sanction

BLOCKED = "blocked"
# Where the site-block middleware leaves the block notice for the blocked page (the member is
# logged out by then, so the page cannot look it up).
BLOCK_NOTICE_KEY = "block_notice"
MUTED = "muted"


class SanctionRefused(Exception):
    """The sanction cannot be applied; the message says why, for staff."""


class SafeguardingFirst(SanctionRefused):
    """Blocking needs a counsellor's or the Safeguarding Team's agreement first."""


def _in_force(kind: str, now: datetime) -> Q:
    return Q(kind=kind, lifted_at__isnull=True) & (Q(ends_at__isnull=True) | Q(ends_at__gt=now))


def sanction_in_force(member: Any, kind: str, now: datetime | None = None) -> Sanction | None:
    now = now or timezone.now()
    return Sanction.objects.filter(_in_force(kind, now), member=member).first()


def block_notice(member: Any) -> str | None:
    """What a blocked member is told, in words a child understands: until when, and why. None
    when they are not blocked. Shown by the login form and the blocked page."""
    block = sanction_in_force(member, Sanction.Kind.BLOCK)
    if block is None:
        return None
    if block.ends_at is None:
        until = "a moderator lets you back"
    else:
        until = date_format(timezone.localtime(block.ends_at), "l j F, P")  # "… 10 a.m."
    stopped = _full_stop(f"A moderator has stopped your account until {until}")
    return f"{stopped} This is why: {_full_stop(block.reason)}"


def _full_stop(sentence: str) -> str:
    """End ``sentence`` with one full stop (a time like "10 a.m." already has it)."""
    sentence = sentence.strip()
    return sentence if not sentence or sentence[-1] in ".!?" else sentence + "."


def member_restriction(user: Any) -> str | None:
    """``"blocked"``, ``"muted"`` or ``None``: asked by every chat door (for every message)
    and the moderators' member page (the login form and the site-block middleware ask
    ``block_notice``). It is one indexed query written out by hand: building it through the
    ORM took eight times as long as running it, on every message."""
    if not getattr(user, "pk", None):
        return None
    ops = connection.ops
    sql = (
        f"SELECT kind FROM {ops.quote_name(Sanction._meta.db_table)} "  # noqa: S608 (names quoted, values bound)
        "WHERE member_id = %s AND lifted_at IS NULL AND kind IN (%s, %s) "
        "AND (ends_at IS NULL OR ends_at > %s)"
    )
    now = ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, Sanction.Kind.BLOCK.value, Sanction.Kind.MUTE.value, now])
        kinds = {kind for (kind,) in cursor.fetchall()}
    if Sanction.Kind.BLOCK in kinds:
        return BLOCKED
    if Sanction.Kind.MUTE in kinds:
        return MUTED
    return None


def open_risk_alerts(member: Any):
    alerts = Alert.objects.filter(member=member).exclude(status=Alert.Status.RESOLVED)
    return [a for a in alerts if RISK_CATEGORIES & set(a.categories)]


def _member_sessions_end(member: Any) -> int:
    """Delete every stored session of ``member`` (the middleware catches any other store)."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(member.pk):
            session.delete()
            ended += 1
    return ended


def _require_moderator(actor: Any) -> None:
    if not is_moderator(actor):
        raise SanctionRefused("Only moderators can apply or lift sanctions.")


STAFF_NOT_SANCTIONED = (
    "Staff can't be warned, muted or blocked here (and nobody can sanction themselves). "
    "Speak to whoever manages staff accounts."
)


def can_be_sanctioned(member: Any, actor: Any) -> bool:
    """Only children and mentors are sanctioned: never staff (any staff role, admin access or a
    superuser) and never the moderator themselves, so moderators cannot lock each other, or
    every moderator, out of the site. Lifting stays open to undo what was done before."""
    if getattr(member, "pk", None) == getattr(actor, "pk", None):
        return False
    is_admin = getattr(member, "is_staff", False) or getattr(member, "is_superuser", False)
    return not (is_admin or is_staff_member(member))


def _require_sanctionable(member: Any, actor: Any) -> None:
    _require_moderator(actor)
    if not can_be_sanctioned(member, actor):
        raise SanctionRefused(STAFF_NOT_SANCTIONED)


@transaction.atomic
def sanction_warn(*, member: Any, actor: Any, reason: str) -> Sanction:
    """The member sees a kind notice the next time they open a page."""
    _require_sanctionable(member, actor)
    sanction = Sanction.objects.create(
        member=member, kind=Sanction.Kind.WARN, reason=reason, created_by=actor
    )
    audit_record(actor=actor, action="sanction.warn", target=member, sanction=sanction.pk)
    return sanction


@transaction.atomic
def sanction_mute(*, member: Any, actor: Any, reason: str, minutes: int) -> Sanction:
    """The member can read but not post until the mute ends (or is lifted)."""
    _require_sanctionable(member, actor)
    if minutes <= 0:
        raise SanctionRefused("A mute lasts at least one minute.")
    sanction = Sanction.objects.create(
        member=member,
        kind=Sanction.Kind.MUTE,
        reason=reason,
        created_by=actor,
        ends_at=timezone.now() + timedelta(minutes=minutes),
    )
    audit_record(actor=actor, action="sanction.mute", target=member, sanction=sanction.pk,
                 minutes=minutes)  # fmt: skip
    return sanction


@transaction.atomic
def block_approval_grant(*, member: Any, approver: Any, note: str = "") -> BlockApproval:
    """A counsellor or the Safeguarding Team agrees that ``member`` may be blocked."""
    if not (is_counsellor(approver) or is_safeguarding(approver)):
        raise SanctionRefused("Only a counsellor or the Safeguarding Team can agree to this.")
    approval = BlockApproval.objects.create(member=member, approved_by=approver, note=note)
    audit_record(actor=approver, action="sanction.block_approved", target=member)
    return approval


@transaction.atomic
def sanction_block(*, member: Any, actor: Any, reason: str, days: int | None = None) -> Sanction:
    """Block ``member`` from the whole site at once: their sessions end, and after commit every
    open socket on every Daphne process is closed with 4403. Raises ``SafeguardingFirst`` if
    the member has an open risk alert and nobody from counselling or safeguarding agreed."""
    _require_sanctionable(member, actor)
    approval = None
    risks = open_risk_alerts(member)
    if risks:
        newest_risk = max(alert.raised_at for alert in risks)
        approval = (
            BlockApproval.objects.select_for_update()
            .filter(member=member, used_at__isnull=True, approved_at__gte=newest_risk)
            .order_by("-approved_at")
            .first()
        )
        if approval is None:
            raise SafeguardingFirst(
                f"{member} has an open risk alert. A counsellor or the Safeguarding Team must "
                "agree before they can be blocked."
            )
        approval.used_at = timezone.now()
        approval.save(update_fields=["used_at"])
    sanction = Sanction.objects.create(
        member=member,
        kind=Sanction.Kind.BLOCK,
        reason=reason,
        created_by=actor,
        ends_at=timezone.now() + timedelta(days=days) if days else None,
        approved_by=approval.approved_by if approval else None,
    )
    ended = _member_sessions_end(member)
    audit_record(actor=actor, action="sanction.block", target=member, sanction=sanction.pk,
                 sessions_ended=ended)  # fmt: skip
    member_sockets_close(user_id=member.pk)
    return sanction


@transaction.atomic
def sanction_lift(*, member: Any, actor: Any, kind: str, reason: str) -> int:
    """Unmute or unblock: every sanction of ``kind`` in force ends now. Returns how many."""
    _require_moderator(actor)
    now = timezone.now()
    lifted = Sanction.objects.filter(_in_force(kind, now), member=member).update(
        lifted_at=now, lifted_by=actor, lift_reason=reason
    )
    audit_record(actor=actor, action=f"sanction.{kind}.lifted", target=member, lifted=lifted)
    return lifted


def warning_unseen(member: Any) -> Sanction | None:
    return Sanction.objects.filter(
        member=member, kind=Sanction.Kind.WARN, seen_at__isnull=True
    ).first()


def warning_mark_seen(sanction: Sanction) -> None:
    Sanction.objects.filter(pk=sanction.pk, seen_at__isnull=True).update(seen_at=timezone.now())
