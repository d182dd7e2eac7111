"""Counselling's services: concerns, notes and amendments, audited reads, break-glass,
escalation, and weekly chats opened by the real beat entry."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from chat import services as chat_services
from chat.models import Membership, Room
from counselling import checkins, services
from counselling.models import BreakGlassRead, CheckIn, CheckInPlan, Concern, ConcernNote
from minimentors.access import NotFound
from minimentors.events import capture_events, group_name
from minimentors.models import AuditEntry
from moderation.realtime import COUNSELLORS_GROUP
from safeguarding.models import Case

pytestmark = pytest.mark.django_db
UK = ZoneInfo("Europe/London")

NOTE = {
    "category": "hurt_at_home",
    "what_happened": "Said her stepdad shouts and she is scared to go home.",
    "decision": "Tell the Safeguarding Team today.",
    "reasons": "Possible harm at home.",
    "who_was_told": "Safeguarding Team",
    "child_told_first": "yes",
}


def test_a_mentors_concern_reaches_every_counsellor_live_with_the_moments_messages(
    child, mentor, bubble
):
    chat_services.post_message(author=child, room=bubble, text="i dont want to go home")
    with capture_events() as sent:
        concern = services.concern_raise(
            raised_by=mentor, room=bubble, category="hurt_at_home", words="she is scared of home"
        )
    assert concern.child == child and concern.severity == 3 and len(concern.message_ids) == 1
    [event] = sent
    assert COUNSELLORS_GROUP in event.groups
    assert {k: event.frame[k] for k in ("type", "id", "member", "category", "summary")} == {
        "type": "concern", "id": concern.pk, "member": child.username,
        "category": "Hurt at home", "summary": "she is scared of home",
    }  # fmt: skip
    assert AuditEntry.objects.filter(action="concern.raised", actor=mentor).exists()


def test_a_cry_for_help_in_the_mentors_words_makes_any_concern_most_urgent(mentor, bubble):
    concern = services.concern_raise(
        raised_by=mentor, room=bubble, category="other", words="she told me she wants to die"
    )
    assert concern.severity == 3


def test_a_child_cannot_raise_a_concern(child, bubble):
    with pytest.raises(services.CounsellingError):
        services.concern_raise(raised_by=child, room=bubble, category="other", words="x")


def test_concerns_move_only_along_their_workflow(mentor, counsellor, bubble):
    concern = services.concern_raise(raised_by=mentor, room=bubble, category="very_upset", words="")
    services.concern_transition(concern=concern, step="pick_up", actor=counsellor)
    with pytest.raises(services.CounsellingError):
        services.concern_transition(concern=concern, step="pick_up", actor=counsellor)
    services.concern_transition(concern=concern, step="close", actor=counsellor)
    concern.refresh_from_db()
    assert concern.status == Concern.Status.CLOSED and concern.picked_up_by == counsellor


def test_a_note_can_be_changed_in_the_grace_period_and_only_amended_after(
    child, counsellor, settings
):
    settings.COUNSELLING_NOTE_GRACE = timedelta(minutes=15)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        note = services.note_write(author=counsellor, child=child, **NOTE)
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        services.note_edit(note=note, actor=counsellor, **{**NOTE, "decision": "Call today."})
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        with pytest.raises(services.CounsellingError, match="can't be changed any more"):
            services.note_edit(note=note, actor=counsellor, **{**NOTE, "decision": "Changed."})
        services.note_amend(
            note=note, actor=counsellor, text="She later said it was her uncle.", reason="New info"
        )
    note.refresh_from_db()
    assert note.decision == "Call today."  # the earlier text stays
    assert [a.text for a in note.amendments.all()] == ["She later said it was her uncle."]
    actions = list(AuditEntry.objects.filter(target_type="counselling.concernnote")
                   .order_by("id").values_list("action", flat=True))  # fmt: skip
    assert actions == ["note.written", "note.edited", "note.amended"]


def test_a_note_says_whether_the_child_was_told_first(child, counsellor):
    with pytest.raises(services.CounsellingError, match="told first"):
        services.note_write(author=counsellor, child=child, **{**NOTE, "child_told_first": ""})
    with pytest.raises(services.CounsellingError, match="why the child was not told"):
        services.note_write(author=counsellor, child=child, **{**NOTE, "child_told_first": "no"})
    services.note_write(
        author=counsellor, child=child,
        **{**NOTE, "child_told_first": "no", "not_told_because": "It could put her at risk."},
    )  # fmt: skip


def test_opening_a_child_with_no_link_needs_a_reason_which_is_kept(child, counsellor, make_member):
    stranger = make_member("counsellor", "cal-counsellor")
    with pytest.raises(services.BreakGlassNeeded):
        services.access_child(stranger, child.username)
    with pytest.raises(services.BreakGlassNeeded):
        services.access_child(stranger, child.username, reason="   ")
    opened = services.access_child(
        stranger, child.username, reason="Covering for Carol, who is off sick today."
    )
    assert opened == child
    read = BreakGlassRead.objects.get()
    assert read.counsellor == stranger and "Carol" in read.reason
    assert AuditEntry.objects.filter(action="counselling.break_glass", actor=stranger).exists()
    with pytest.raises(NotFound):
        services.access_child(stranger, "nobody-by-this-name")


def test_a_counsellor_with_a_note_about_the_child_needs_no_reason(child, counsellor):
    services.note_write(author=counsellor, child=child, **NOTE)
    assert services.access_child(counsellor, child.username) == child


def test_reading_a_transcript_is_audited_and_limited_to_the_childs_rooms(
    child, other_child, counsellor, bubble, general_room
):
    chat_services.post_message(author=child, room=bubble, text="hello")
    lines = services.transcript_read(counsellor=counsellor, child=child, room=bubble)
    assert [line.original_text for line in lines] == ["hello"]
    assert AuditEntry.objects.filter(action="counselling.transcript_read").count() == 1
    with pytest.raises(NotFound):
        services.transcript_read(counsellor=counsellor, child=other_child, room=bubble)


def test_telling_the_safeguarding_team_opens_the_case_and_adds_to_it(
    child, counsellor, mentor, bubble
):
    note = services.note_write(author=counsellor, child=child, **NOTE)
    concern = services.concern_raise(raised_by=mentor, room=bubble, category="hurt_at_home",
                                     words="scared")  # fmt: skip
    services.escalate_to_safeguarding(
        counsellor=counsellor, child=child, note_ids=[note.pk], concern_ids=[concern.pk],
        reason="Possible harm at home.",
    )  # fmt: skip
    case = Case.objects.get()
    assert case.child == child and list(case.notes.all()) == [note]
    assert list(case.concerns.all()) == [concern]
    second = services.note_write(author=counsellor, child=child, **NOTE)
    services.escalate_to_safeguarding(counsellor=counsellor, child=child, note_ids=[second.pk],
                                      concern_ids=[], reason="More worries.")  # fmt: skip
    assert Case.objects.count() == 1 and case.notes.count() == 2
    assert case.escalations.count() == 2
    from counselling.selectors import case_status_of

    assert case_status_of(child) == "new"
    note.refresh_from_db()
    assert note.shared_with_safeguarding_at is not None


def test_a_weekly_chat_offer_reaches_the_childs_lobby_and_the_answer_the_counsellor(
    child, counsellor
):
    with capture_events() as sent:
        plan = checkins.checkin_offer(counsellor=counsellor, child=child, weekday=1, at=time(16))
    assert [(e.groups, e.frame["type"]) for e in sent] == [
        ((group_name("user", child.pk),), "checkin_offer")
    ]
    assert sent[0].frame["when"] == "every Tuesday at 4pm"
    with capture_events() as sent:
        checkins.checkin_answer(child=child, plan_id=plan.pk, yes=True)
    assert sent[0].groups == (group_name("user", counsellor.pk),) and sent[0].frame["yes"]
    with pytest.raises(services.CounsellingError):
        checkins.checkin_answer(child=child, plan_id=plan.pk, yes=False)  # already answered


def test_a_weekly_chat_must_be_in_opening_hours(child, counsellor, settings):
    settings.OPENING_HOURS = "08:00-20:00"
    with pytest.raises(services.CounsellingError, match="open"):
        checkins.checkin_offer(counsellor=counsellor, child=child, weekday=1, at=time(21))


def test_a_weekly_chat_opens_at_its_time_through_the_real_beat_entry(child, counsellor):
    from minimentors.celery import app

    app.loader.import_default_modules()  # what a worker does at start: autodiscovery
    [entry] = [e for e in app.conf.beat_schedule.values()
               if e["task"] == "counselling.tasks.checkins_open_due"]  # fmt: skip
    task = app.tasks[entry["task"]]
    plan = checkins.checkin_offer(counsellor=counsellor, child=child, weekday=1, at=time(16))
    checkins.checkin_answer(child=child, plan_id=plan.pk, yes=True)
    tuesday_4pm = datetime(2026, 12, 1, 16, 0, tzinfo=UK)
    with time_machine.travel(tuesday_4pm - timedelta(minutes=1), tick=False):
        assert task.apply().get() == []  # not yet
    with time_machine.travel(tuesday_4pm + timedelta(seconds=30), tick=False):
        with capture_events() as sent:
            [checkin_id] = task.apply().get()
        assert task.apply().get() == []  # once only
    checkin = CheckIn.objects.get(pk=checkin_id)
    room = checkin.room
    assert room.is_bubble and {m.user for m in Membership.objects.filter(room=room)} == {
        child, counsellor
    }  # fmt: skip
    moved = [e.frame for e in sent if e.groups == (group_name("user", child.pk),)]
    assert moved == [{"type": "bubble_accepted", "id": room.pk, "url": f"/chat/bubbles/{room.pk}/"}]
    with time_machine.travel(tuesday_4pm + timedelta(minutes=45), tick=False):
        assert checkins.checkins_mark_missed() == 1
    assert CheckIn.objects.get().status == CheckIn.Status.MISSED
    assert CheckInPlan.objects.get().status == CheckInPlan.Status.ACCEPTED
    assert Room.objects.filter(kind=Room.Kind.BUBBLE).count() == 1
    assert ConcernNote.objects.count() == 0
