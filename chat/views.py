"""Chat pages. Thin: authorise through ``chat.permissions`` and the role helpers, read through
selectors, write through one service, render or redirect."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from minimentors.form_limits import member_form_limited
from minimentors.models import User
from minimentors.roles import is_child, is_counsellor, is_mentor, member_required

from . import bubbles, permissions, selectors, services
from .access import access_bubble, access_room
from .models import Message, Room


@member_required
def lobby(request: HttpRequest) -> HttpResponse:
    user = request.user
    context: dict = {"rooms": selectors.general_rooms(), "is_child": is_child(user)}
    if is_child(user):
        context["waiting_request"] = selectors.child_waiting_request(child=user)
        context["my_bubbles"] = selectors.open_bubbles_of(user=user)
    if is_mentor(user):
        context["is_mentor"] = True
        context["queue"] = selectors.waiting_bubble_requests()
        context["my_bubbles"] = selectors.open_bubbles_of(user=user)
        context["debriefs"] = selectors.debriefs_for_mentor(mentor=user)
    if is_counsellor(user):
        context["is_counsellor"] = True
        context["open_bubbles"] = selectors.all_open_bubbles()
    return render(request, "chat/lobby.html", context)


def _chat_page(request: HttpRequest, room: Room, **extra) -> HttpResponse:
    user = request.user
    context = {
        "room": room,
        "history": selectors.room_history(room=room, user=user),
        "presence": selectors.room_presence(room=room),
        "can_post": permissions.can_post_in_room(user, room),
        "socket_path": {
            "bubble": f"/ws/bubbles/{room.pk}/",
            "thread": f"/ws/threads/{room.pk}/",
        }.get(room.kind, f"/ws/rooms/{room.slug}/"),
        "log_label": {"bubble": "Bubble chat", "thread": f"Messages: {room.name}"}.get(
            room.kind, f"{room.name} chat"
        ),
        **extra,
    }
    return render(request, "chat/room.html", context)


@member_required
def room(request: HttpRequest, slug: str) -> HttpResponse:
    chat_room = access_room(request.user, slug)
    services.room_join(user=request.user, room=chat_room)
    return _chat_page(request, chat_room)


@member_required
def bubble(request: HttpRequest, bubble_id: int) -> HttpResponse:
    user = request.user
    chat_room = access_bubble(user, bubble_id)
    member = permissions.is_room_member(user, chat_room)
    return _chat_page(
        request,
        chat_room,
        members=selectors.bubble_members(room=chat_room),
        staff_reading=not member,
        can_raise_concern=permissions.can_raise_concern(user, chat_room),
        can_join=not member and permissions.can_join_bubble(user, chat_room),
        can_end=permissions.can_end_bubble(user, chat_room),
        show_debrief=(
            is_mentor(user)
            and member
            and chat_room.closed_at is not None
            and chat_room.risk_flagged_at is not None
        ),
    )


@require_POST
@member_required
def bubble_request_create(request: HttpRequest) -> HttpResponse:
    try:
        bubbles.bubble_request_create(child=request.user)
    except services.ChatError as error:
        messages.info(request, error.message)
    return redirect("chat:lobby")


@require_POST
@member_required
def bubble_request_cancel(request: HttpRequest, request_id: int) -> HttpResponse:
    bubbles.bubble_request_cancel(child=request.user, request_id=request_id)
    messages.info(request, "OK, you've stopped waiting. You can ask again any time.")
    return redirect("chat:lobby")


@require_POST
@member_required
def bubble_request_accept(request: HttpRequest, request_id: int) -> HttpResponse:
    try:
        chat_room = bubbles.bubble_request_accept(mentor=request.user, request_id=request_id)
    except services.ChatError as error:
        messages.info(request, error.message)
        return redirect("chat:lobby")
    return redirect("chat:bubble", bubble_id=chat_room.pk)


@require_POST
@member_required
def bubble_open(request: HttpRequest) -> HttpResponse:
    """A counsellor starts a bubble with a child, by the child's username."""
    child = User.objects.filter(username__iexact=request.POST.get("username", "").strip()).first()
    try:
        if child is None:
            raise services.ChatError("invalid", "There is no child with that username.")
        chat_room = bubbles.bubble_open_with_child(counsellor=request.user, child=child)
    except services.ChatError as error:
        messages.info(request, error.message)
        return redirect("chat:lobby")
    return redirect("chat:bubble", bubble_id=chat_room.pk)


@require_POST
@member_required
def bubble_join(request: HttpRequest, bubble_id: int) -> HttpResponse:
    chat_room = access_bubble(request.user, bubble_id)
    try:
        bubbles.bubble_join(counsellor=request.user, room=chat_room)
    except services.ChatError as error:
        messages.info(request, error.message)
    return redirect("chat:bubble", bubble_id=chat_room.pk)


@require_POST
@member_required
def bubble_end(request: HttpRequest, bubble_id: int) -> HttpResponse:
    chat_room = access_bubble(request.user, bubble_id)
    bubbles.bubble_close(user=request.user, room=chat_room)
    return redirect("chat:bubble", bubble_id=chat_room.pk)


def _page_of(chat_room: Room) -> str:
    if chat_room.is_bubble:
        return reverse("chat:bubble", kwargs={"bubble_id": chat_room.pk})
    return reverse("chat:room", kwargs={"slug": chat_room.slug})


@require_POST
@member_required
@member_form_limited
def message_report(request: HttpRequest, message_id: int) -> HttpResponse:
    message = get_object_or_404(Message.objects.select_related("room", "author"), pk=message_id)
    try:
        services.message_report(
            reporter=request.user, message=message, text=request.POST.get("reason", "")
        )
    except services.ChatError as error:
        raise Http404 from error
    messages.info(
        request, "Thank you for telling us. A grown-up from the MiniMentors team will look at it."
    )
    return redirect(_page_of(message.room))


@require_POST
@member_required
@member_form_limited
def help_request(request: HttpRequest) -> HttpResponse:
    room_id = request.POST.get("room", "")
    chat_room = (
        Room.objects.filter(pk=int(room_id)).first()
        if room_id.isascii() and room_id.isdigit() and len(room_id) < 18
        else None
    )
    if chat_room is not None and not permissions.can_read_room(request.user, chat_room):
        chat_room = None
    services.help_request(member=request.user, text=request.POST.get("words", ""), room=chat_room)
    messages.info(
        request,
        "Thank you for asking. A grown-up from the MiniMentors team will look at it soon. "
        "If you need to talk to someone now, call ChildLine free on 0800 1111.",
    )
    return redirect(_page_of(chat_room) if chat_room else reverse("chat:lobby"))
