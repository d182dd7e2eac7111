"""Counsellor pages (``/counselling/``: counsellors only) and the member pages counselling
owns (a mentor raising a concern, a child answering a weekly-chat offer). Thin: the gate,
one service, render or redirect."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from chat.access import access_bubble
from chat.models import Room
from minimentors.access import NotFound
from minimentors.form_limits import member_form_limited
from minimentors.roles import Role, role_required

from . import checkins, selectors, services
from .forms import AmendForm, BreakGlassForm, ConcernForm, EscalateForm, NoteForm, OfferForm
from .models import Concern, ConcernNote

BREAK_GLASS_KEY = "counselling_break_glass"
counsellors_only = role_required(Role.COUNSELLOR)


def _errors(form: Any) -> str:
    return " ".join(error for errors in form.errors.values() for error in errors)


def _child(request: HttpRequest, username: str) -> Any:
    granted = frozenset(request.session.get(BREAK_GLASS_KEY, []))
    return services.access_child(request.user, username, granted=granted)


@counsellors_only
def dashboard(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    return render(
        request,
        "counselling/dashboard.html",
        {
            "concerns": selectors.open_concerns(),
            "risk_alerts": selectors.risk_alerts_for_counsellors(),
            "my_children": selectors.my_children(request.user),
            "query": query,
            "found": selectors.children_named(query),
            "missed": selectors.missed_checkins(),
        },
    )


@require_POST
@counsellors_only
def concern_act(request: HttpRequest, concern_id: int, step: str) -> HttpResponse:
    concern = get_object_or_404(Concern, pk=concern_id)
    try:
        services.concern_transition(concern=concern, step=step, actor=request.user)
    except services.CounsellingError as error:
        messages.info(request, error.message)
    return redirect("counselling:dashboard")


@counsellors_only
def child(request: HttpRequest, username: str) -> HttpResponse:
    try:
        person = _child(request, username)
    except services.BreakGlassNeeded as needed:
        form = BreakGlassForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            person = services.access_child(
                request.user, username, reason=form.cleaned_data["reason"]
            )
            request.session[BREAK_GLASS_KEY] = [
                *request.session.get(BREAK_GLASS_KEY, []),
                person.pk,
            ]
            return redirect("counselling:child", username=person.username)
        return render(
            request,
            "counselling/break_glass.html",
            {"form": form, "username": username, "why": needed.message},
            status=200 if request.method == "GET" else 400,
        )
    show = {kind for kind in request.GET.getlist("show") if kind in selectors.CHRONOLOGY_KINDS}
    entries = selectors.chronology(person, kinds=show or None)
    notes = [entry.note for entry in entries if entry.note is not None]
    services.chronology_read_record(
        counsellor=request.user, child=person, note_ids=[n.pk for n in notes]
    )
    all_notes = ConcernNote.objects.filter(child=person)
    concerns = Concern.objects.filter(child=person)
    return render(
        request,
        "counselling/child.html",
        {
            "child": person,
            "entries": entries,
            "kinds": selectors.CHRONOLOGY_KINDS,
            "showing": show,
            "note_form": NoteForm(),
            "offer_form": OfferForm(),
            "escalate_form": EscalateForm(notes=all_notes, concerns=concerns),
            "all_notes": all_notes,
            "concerns": concerns,
            "rooms": selectors.general_rooms_of(person),
            "case_status": selectors.case_status_of(person),
            "editable": {n.pk for n in notes if services.note_editable(n, request.user)},
        },
    )


@require_POST
@counsellors_only
def note_save(request: HttpRequest, username: str) -> HttpResponse:
    person = _child(request, username)
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect("counselling:child", username=person.username)
    try:
        services.note_write(author=request.user, child=person, **form.cleaned_data)
        messages.success(request, "Your note is saved.")
    except services.CounsellingError as error:
        messages.error(request, error.message)
    return redirect("counselling:child", username=person.username)


@counsellors_only
def note_edit(request: HttpRequest, note_id: int) -> HttpResponse:
    note = get_object_or_404(ConcernNote.objects.select_related("child"), pk=note_id)
    person = _child(request, note.child.username)
    if request.method == "POST":
        form = NoteForm(request.POST)
        if form.is_valid():
            try:
                services.note_edit(note=note, actor=request.user, **form.cleaned_data)
                messages.success(request, "Your note is changed.")
                return redirect("counselling:child", username=person.username)
            except services.CounsellingError as error:
                messages.error(request, error.message)
                return redirect("counselling:child", username=person.username)
    else:
        form = NoteForm(initial={f: getattr(note, f) for f in services.NOTE_FIELDS})
    services.chronology_read_record(counsellor=request.user, child=person, note_ids=[note.pk])
    return render(request, "counselling/note_edit.html", {"form": form, "note": note})


@require_POST
@counsellors_only
def note_amend(request: HttpRequest, note_id: int) -> HttpResponse:
    note = get_object_or_404(ConcernNote.objects.select_related("child"), pk=note_id)
    person = _child(request, note.child.username)
    form = AmendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
    else:
        try:
            services.note_amend(note=note, actor=request.user, **form.cleaned_data)
            messages.success(request, "Your amendment is added under the note.")
        except services.CounsellingError as error:
            messages.error(request, error.message)
    return redirect("counselling:child", username=person.username)


@counsellors_only
def transcript(request: HttpRequest, username: str, room_id: int) -> HttpResponse:
    person = _child(request, username)
    room = get_object_or_404(Room, pk=room_id)
    if not selectors.is_room_of(person, room):
        raise NotFound
    lines = services.transcript_read(counsellor=request.user, child=person, room=room)
    return render(
        request, "counselling/transcript.html", {"child": person, "room": room, "lines": lines}
    )


@require_POST
@counsellors_only
def offer(request: HttpRequest, username: str) -> HttpResponse:
    person = _child(request, username)
    form = OfferForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect("counselling:child", username=person.username)
    try:
        plan = checkins.checkin_offer(counsellor=request.user, child=person, **form.cleaned_data)
        messages.success(
            request, f"{person.username} has been offered a weekly chat {plan.when_words}."
        )
    except services.CounsellingError as error:
        messages.error(request, error.message)
    return redirect("counselling:child", username=person.username)


@require_POST
@counsellors_only
def escalate(request: HttpRequest, username: str) -> HttpResponse:
    person = _child(request, username)
    form = EscalateForm(
        request.POST,
        notes=ConcernNote.objects.filter(child=person),
        concerns=Concern.objects.filter(child=person),
    )
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect("counselling:child", username=person.username)
    try:
        services.escalate_to_safeguarding(
            counsellor=request.user,
            child=person,
            note_ids=form.cleaned_data["notes"],
            concern_ids=form.cleaned_data["concerns"],
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, "The Safeguarding Team has been told.")
    except services.CounsellingError as error:
        messages.error(request, error.message)
    return redirect("counselling:child", username=person.username)


# --- Member pages counselling owns -----------------------------------------------------------


@role_required(Role.MENTOR, Role.COUNSELLOR)
@member_form_limited
def concern_raise(request: HttpRequest, bubble_id: int) -> HttpResponse:
    """ "Raise a concern" in a bubble: the mentor (or counsellor) says what worries them."""
    room = access_bubble(request.user, bubble_id)
    form = ConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.concern_raise(raised_by=request.user, room=room, **form.cleaned_data)
        except services.CounsellingError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                "Thank you for telling us. A counsellor has it now and will look at it soon. "
                "You don't have to sort it out yourself: keep being kind, and don't promise "
                "to keep secrets. A counsellor may join your chat or talk to you afterwards.",
            )
        return redirect("chat:bubble", bubble_id=room.pk)
    return render(request, "counselling/concern_form.html", {"form": form, "room": room})


@role_required(Role.CHILD)
def weekly_chat_offers(request: HttpRequest) -> HttpResponse:
    """The child's open offers, as a part of the lobby (fetched when an offer arrives)."""
    return render(
        request,
        "counselling/offers.html",
        {"offers": selectors.offered_plans_for(request.user)},
    )


@require_POST
@role_required(Role.CHILD)
def weekly_chat_answer(request: HttpRequest, plan_id: int) -> HttpResponse:
    yes = request.POST.get("answer") == "yes"
    try:
        plan = checkins.checkin_answer(child=request.user, plan_id=plan_id, yes=yes)
    except services.CounsellingError as error:
        messages.info(request, error.message)
    else:
        if yes:
            messages.success(
                request,
                f"Great! {plan.counsellor.username} will chat with you {plan.when_words}. "
                "Your chat will open here by itself.",
            )
        else:
            messages.info(
                request, "OK, no weekly chats. You can still talk to a MiniMentor any time."
            )
    return redirect("chat:lobby")
