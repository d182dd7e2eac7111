"""Chat in Django admin: read-only for the Safeguarding Team (messages are evidence); every
record opened is audited."""

from django.contrib import admin

from minimentors.admin import ReadOnlyAdmin

from .models import BubbleRequest, Message, Room


@admin.register(Room)
class RoomAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "slug", "created_at", "closed_at", "risk_flagged_at"]
    list_filter = ["kind"]


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    """The team searches and filters a child's messages: by child (search or ``?author``),
    room, date and verdict."""

    list_display = ["id", "sent_at", "room", "author", "original_text", "action", "held"]
    list_filter = [
        "action",
        "held",
        "room__kind",
        "sent_at",
        ("room", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["author__username", "original_text"]
    date_hierarchy = "sent_at"
    raw_id_fields = ["room", "author"]


@admin.register(BubbleRequest)
class BubbleRequestAdmin(ReadOnlyAdmin):
    list_display = ["id", "child", "status", "mentor", "created_at", "accepted_at"]
    list_filter = ["status"]
