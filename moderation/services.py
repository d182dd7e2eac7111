"""Moderation writes and the one moderation entry point for Django code.

``review_text`` is the only way member text is checked: chat, bubbles, messages, blogs,
usernames. It keeps this process's compiled matcher in step with the staff-edited watched
words, then asks the pure engine for a verdict.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from minimentors.audit import audit_record
from minimentors.events import send_event_on_commit
from minimentors.hours import hours_status

from . import engine
from .models import ALERT_STEPS, Alert, VerdictOverride, WatchedWord, WatchedWordsVersion
from .realtime import alert_frame, alert_groups_for_alert

logger = logging.getLogger(__name__)

# How often a process asks the database whether the watched words changed. A change reaches
# every process within this many seconds, without a restart.
WATCHED_WORDS_CHECK_SECONDS = 1.0
PACK_FORMAT = "minimentors-watched-words"
# The labelled messages every engine change is measured against (also used by the tests).
LABELLED_CORPUS = Path(__file__).resolve().parent / "data" / "labelled_messages.jsonl"
PACK_VERSION = 1


class _MatcherState:
    def __init__(self) -> None:
        self.version: int | None = None
        self.checked_at = 0.0
        self.lock = threading.Lock()


_state = _MatcherState()


def _current_version() -> int:
    row = WatchedWordsVersion.objects.filter(pk=1).values_list("version", flat=True).first()
    return row or 0


def watched_entries() -> list[engine.WatchedEntry]:
    return [
        engine.WatchedEntry(id=word.pk, term=word.term, action=word.action, category=word.category)
        for word in WatchedWord.objects.all()
    ]


def matcher_refresh(*, force: bool = False) -> None:
    """Rebuild this process's matcher if the watched words changed since it was built."""
    now = time.monotonic()
    if not force and now - _state.checked_at < WATCHED_WORDS_CHECK_SECONDS:
        return
    with _state.lock:
        _state.checked_at = now
        try:
            version = _current_version()
            entries = watched_entries() if force or version != _state.version else None
        except DatabaseError:
            # The engine needs no database: a database that is not there or not migrated yet
            # (``manage.py moderate`` on a fresh install) or briefly unreachable leaves the
            # lists already loaded (the builtin ones at least); the next check tries again.
            logger.warning("Watched words could not be read; reviewing with the lists loaded.")
            return
        if entries is not None:
            engine.set_watched_entries(entries)
            _state.version = version


def warm_up() -> None:
    """Build the engine and this process's watched words now, so the first child to post
    after a restart does not wait for them (about two seconds). A database that is not ready
    yet is logged; the first message then builds them instead."""
    engine.get_engine()
    try:
        matcher_refresh(force=True)
    except DatabaseError:
        logger.warning("Watched words not loaded at start; the first message will load them.")


def review_text(
    *,
    text: str,
    context: str,
    history: Sequence[tuple[str, str]] = (),
    sender: str | None = None,
) -> engine.Verdict:
    """The verdict on one piece of member text. Raises only if the engine itself fails; callers
    must then hold the text back (never show it unchecked) and alert staff."""
    matcher_refresh()
    return engine.review(text, context=context, history=history, sender=sender)


# --- Watched words ---------------------------------------------------------------------------


def _bump_version() -> None:
    updated = WatchedWordsVersion.objects.filter(pk=1).update(version=F("version") + 1)
    if not updated:
        WatchedWordsVersion.objects.create(pk=1, version=1)


@transaction.atomic
def watched_word_save(*, word: WatchedWord, actor: Any) -> WatchedWord:
    """Create or change a watched word; every process picks it up within a second."""
    word.term = " ".join(word.term.split()).lower()
    created = word.pk is None
    if created and actor is not None and getattr(actor, "pk", None):
        word.created_by = actor
    word.save()
    _bump_version()
    audit_record(
        actor=actor,
        action="watched_word.created" if created else "watched_word.changed",
        target=word,
        term=word.term,
        word_action=word.action,
        category=word.category,
    )
    transaction.on_commit(lambda: matcher_refresh(force=True))
    return word


@transaction.atomic
def watched_word_delete(*, word: WatchedWord, actor: Any) -> None:
    audit_record(actor=actor, action="watched_word.deleted", target=word, term=word.term)
    word.delete()
    _bump_version()
    transaction.on_commit(lambda: matcher_refresh(force=True))


@dataclass(frozen=True)
class LabelledMessage:
    text: str
    context: str
    expected: tuple[str, ...]


@dataclass(frozen=True)
class WatchedWordEffect:
    """What a watched-word change would do to the labelled corpus."""

    new_hits: tuple[LabelledMessage, ...]  # labelled harmful, caught only with the change
    new_false_positives: tuple[LabelledMessage, ...]  # labelled clean, caught with the change
    lost_hits: tuple[LabelledMessage, ...]  # labelled harmful, missed with the change


def labelled_corpus() -> list[LabelledMessage]:
    path = LABELLED_CORPUS
    corpus = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                item = json.loads(line)
                corpus.append(
                    LabelledMessage(
                        text=item["text"],
                        context=item.get("context", "general"),
                        expected=tuple(item.get("expected", ())),
                    )
                )
    return corpus


def watched_word_effect(
    *, proposed: engine.WatchedEntry, replacing: int | None = None
) -> WatchedWordEffect:
    """Compare verdicts on the labelled corpus with and without ``proposed`` (which replaces
    the entry with id ``replacing`` when editing)."""
    current = watched_entries()
    before = engine.Engine(current)
    after = engine.Engine([e for e in current if e.id != replacing] + [proposed])
    new_hits: list[LabelledMessage] = []
    false_positives: list[LabelledMessage] = []
    lost: list[LabelledMessage] = []
    for item in labelled_corpus():
        was = before.review(item.text, context=item.context).action != "allow"
        now = after.review(item.text, context=item.context).action != "allow"
        if now and not was:
            (new_hits if item.expected else false_positives).append(item)
        elif was and not now and item.expected:
            lost.append(item)
    return WatchedWordEffect(tuple(new_hits), tuple(false_positives), tuple(lost))


def watched_words_export(words: Iterable[WatchedWord]) -> dict[str, Any]:
    """A versioned word pack other deployments can import."""
    return {
        "format": PACK_FORMAT,
        "version": PACK_VERSION,
        "entries": [
            {"term": w.term, "action": w.action, "category": w.category, "note": w.note}
            for w in words
        ],
    }


class PackError(ValueError):
    """A word pack that cannot be imported; the message says why in plain words."""


@transaction.atomic
def watched_words_import(*, pack: Any, actor: Any) -> int:
    """Add or update every entry of a pack, all or nothing. Returns how many were imported."""
    if not isinstance(pack, dict) or pack.get("format") != PACK_FORMAT:
        raise PackError("This file is not a MiniMentors watched-words pack.")
    if pack.get("version") != PACK_VERSION:
        raise PackError(f"This pack is version {pack.get('version')!r}; we read version 1.")
    entries = pack.get("entries")
    if not isinstance(entries, list):
        raise PackError("The pack has no list of entries.")
    actions = set(WatchedWord.Action.values)
    count = 0
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise PackError(f"Entry {number} is not a word entry.")
        term = " ".join(str(entry.get("term", "")).split()).lower()
        action, category = entry.get("action"), entry.get("category")
        if (
            not term
            or len(term) > 100
            or action not in actions
            or category not in engine.CATEGORIES
        ):
            raise PackError(f"Entry {number} needs a term, an action and a known category.")
        word, _ = WatchedWord.objects.get_or_create(
            term=term, category=category, defaults={"action": action, "created_by": None}
        )
        word.action = action
        word.note = str(entry.get("note", ""))[:200]
        word.save()
        count += 1
    _bump_version()
    audit_record(actor=actor, action="watched_words.imported", entries=count)
    transaction.on_commit(lambda: matcher_refresh(force=True))
    return count


# --- Alerts ------------------------------------------------------------------------------------


def _alert_send(alert: Alert, *, reraised: bool = False) -> None:
    """Push ``alert`` to every staff feed allowed to see it, once the transaction commits.
    Out of hours a risk alert also goes to the on-call staff; an alert raised again goes to
    every staff member on duty."""
    out_of_hours = not hours_status().is_open
    send_event_on_commit(
        {"type": "alert.raised", "frame": alert_frame(alert, reraised=reraised)},
        alert_groups_for_alert(alert, reraised=reraised, out_of_hours=out_of_hours),
    )


@transaction.atomic
def raise_alert(
    *,
    categories: Sequence[str],
    severity: int,
    member: Any,
    summary: str,
    reason: str = "",
    room: str = "",
    message_id: int | None = None,
    kind: str = Alert.Kind.MESSAGE,
    reporter: Any = None,
    reporter_words: str = "",
    held_subject: str = "",
) -> Alert:
    """Store an alert and push it to staff once the transaction commits."""
    alert = Alert.objects.create(
        held_subject=held_subject,
        reporter=reporter,
        reporter_words=reporter_words,
        kind=kind,
        categories=list(categories),
        severity=max(0, min(3, severity)),
        member=member if getattr(member, "pk", None) else None,
        room=room,
        message_id=message_id,
        summary=summary[:300],
        reason=reason,
    )
    _alert_send(alert)
    return alert


def alert_member_text(*, text: str, verdict: engine.Verdict, where: str) -> Alert:
    """Staff's alert for flagged text typed outside a chat, such as a cry for help typed as a
    name at sign-up (``MEMBER_TEXT_ALERT``). The words are in the alert: there may be no
    account or message to read them from."""
    what = "Cry for help" if verdict.is_cry_for_help else "Flagged words"
    return raise_alert(
        categories=verdict.categories,
        severity=verdict.severity,
        member=None,
        summary=f"{what} typed on {where}: \u201c{text}\u201d",
        reason=getattr(verdict, "reason", ""),
    )


# --- The alert workflow ----------------------------------------------------------------------


class AlertTransitionRefused(Exception):
    """That step is not allowed for the alert as it is (see ``ALERT_STEPS``)."""


@transaction.atomic
def held_content_decide(*, alert: Alert, approve: bool, actor: Any) -> Alert:
    """A moderator publishes or refuses the content an alert holds (a blog post or comment),
    through the handler the layer above registered; the alert is resolved with the outcome."""
    from .held import decide

    if not alert.held_subject:
        raise AlertTransitionRefused("This alert holds nothing back.")
    decide(alert.held_subject, approve=approve, actor=actor)
    outcome = "Approved and published." if approve else "Not published."
    return alert_transition(alert=alert, step="resolve", actor=actor, outcome=outcome)


@transaction.atomic
def alert_transition(
    *, alert: Alert, step: str, actor: Any, outcome: str = "", note: str = ""
) -> Alert:
    """Take one step of the alert workflow (``ALERT_STEPS``) and write its audit row; the only
    writer of an alert's status. ``resolve`` needs an outcome; ``hand_over`` keeps the
    moderator's note for the counsellors and pushes the alert to them; ``raise_again`` (beat,
    ``actor`` None) pushes it to every staff member on duty, once. The alert row is locked,
    so two staff acting at once take one step each, in turn."""
    rule = ALERT_STEPS.get(step)
    if rule is None:
        raise AlertTransitionRefused(f"There is no alert step called {step!r}.")
    alert = Alert.objects.select_for_update().select_related("member").get(pk=alert.pk)
    if alert.status not in rule.from_statuses:
        raise AlertTransitionRefused(
            f"An alert that is {alert.get_status_display().lower()} cannot be given the "
            f"step {step.replace('_', ' ')}."
        )
    if step == "resolve" and not outcome.strip():
        raise AlertTransitionRefused("Say what was done before resolving the alert.")
    if step == "raise_again" and alert.reraised_at is not None:
        raise AlertTransitionRefused("This alert was raised again already.")
    now = timezone.now()
    from_status = alert.status
    if step == "raise_again":
        alert.reraised_at = now
    else:
        alert.handled_by = actor
        alert.handled_at = now
    if rule.to == Alert.Status.ACKNOWLEDGED and alert.acknowledged_at is None:
        alert.acknowledged_at = now
    if step == "hand_over":
        alert.handed_to_counsellor = True
        alert.handover_note = note.strip()[:2000]
    if outcome.strip():
        alert.outcome = outcome.strip()
    alert.status = rule.to
    alert.save()
    audit_record(
        actor=actor,
        action=f"alert.{step}",
        target=alert,
        from_status=from_status,
        to_status=rule.to,
        outcome=bool(outcome.strip()),
    )
    if rule.push:
        _alert_send(alert, reraised=rule.push == "everyone")
    return alert


def _words_verdict(words: str) -> engine.Verdict | None:
    """Every free text a member types goes through moderation: a report's, a help request's,
    an appeal's words too (a cry for help typed there is a cry for help)."""
    if not words:
        return None
    return review_text(text=words, context="message")


@transaction.atomic
def report_submit(
    *,
    reporter: Any,
    words: str,
    message_id: int | None = None,
    room: str = "",
    member: Any = None,
    categories: Sequence[str] = (),
    severity: int = 2,
) -> Alert:
    """A member reports a message (or asks for help, or tells a moderator anything from any
    page). It becomes an alert with the reporter's words; the reporter can follow it. A cry
    for help in the words is a risk alert about the reporter, for counsellors (in the report
    itself when it is about the reporter, else in a second alert). ``message_id`` is only
    passed by ``chat.services.message_report``, after checking the reporter can see that
    message (the queue shows its text); no page passes one it was sent."""
    words = (words or "").strip()[:2000]
    summary = f"Report from {reporter}: {words[:120]}" if words else f"Report from {reporter}"
    categories = list(categories)
    verdict = _words_verdict(words)
    about_reporter = member is None or getattr(member, "pk", None) == reporter.pk
    if verdict is not None and verdict.is_cry_for_help and about_reporter:
        categories = sorted(set(categories) | set(verdict.categories))
        severity = max(severity, verdict.severity)
        member = reporter
    alert = raise_alert(
        categories=categories,
        severity=severity,
        member=member,
        summary=summary,
        room=room,
        message_id=message_id,
        kind=Alert.Kind.REPORT,
        reporter=reporter,
        reporter_words=words,
    )
    if verdict is not None and verdict.is_cry_for_help and not about_reporter:
        raise_alert(
            categories=verdict.categories,
            severity=verdict.severity,
            member=reporter,
            summary=f"Cry for help in a report by {reporter}: \u201c{words[:200]}\u201d",
            reason=verdict.reason,
            kind=Alert.Kind.REPORT,
            reporter=reporter,
            reporter_words=words,
        )
    return alert


@transaction.atomic
def appeal_submit(*, member: Any, words: str) -> Alert:
    """A blocked or muted member asks us to look again; it reaches the moderation queue (a
    cry for help in it reaches counsellors too)."""
    words = (words or "").strip()[:2000]
    verdict = _words_verdict(words)
    cry = verdict is not None and verdict.is_cry_for_help
    return raise_alert(
        categories=list(verdict.categories) if cry and verdict else [],
        severity=verdict.severity if cry and verdict else 1,
        member=member,
        summary=f"Appeal from {member}: {words[:120]}",
        kind=Alert.Kind.APPEAL,
        reporter=member,
        reporter_words=words,
    )


@transaction.atomic
def verdict_override_record(
    *, alert: Alert | None, kind: str, text: str, original_action: str,
    original_categories: Sequence[str], actor: Any, note: str = "",
    add_watched_word: WatchedWord | None = None,
) -> VerdictOverride:  # fmt: skip
    """Mark a verdict wrong, for the word-list review; optionally add a watched word too."""
    word = watched_word_save(word=add_watched_word, actor=actor) if add_watched_word else None
    override = VerdictOverride.objects.create(
        kind=kind,
        alert=alert,
        message_id=alert.message_id if alert else None,
        text=text,
        original_action=original_action,
        original_categories=list(original_categories),
        note=note,
        watched_word=word,
        created_by=actor,
    )
    audit_record(actor=actor, action="verdict.overridden", target=override, kind=kind)
    return override


def alerts_reraise_due(*, now: datetime | None = None) -> list[int]:
    """Raise again, to every staff member on duty, each high-severity alert nobody has
    acknowledged within ``ALERT_REPEAT_AFTER`` (each once, through ``alert_transition``).
    Returns the ids raised again."""
    now = now or timezone.now()
    due = Alert.objects.filter(
        status=Alert.Status.NEW, severity__gte=3, reraised_at__isnull=True,
        raised_at__lte=now - settings.ALERT_REPEAT_AFTER,
    ).values_list("pk", flat=True)  # fmt: skip
    raised = []
    for alert_id in list(due):
        try:
            alert_transition(alert=Alert(pk=alert_id), step="raise_again", actor=None)
        except AlertTransitionRefused:
            continue  # acknowledged (or raised again) in the meantime
        raised.append(alert_id)
    return raised
