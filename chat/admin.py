"""Chat in Django admin: read-only for the Safeguarding Team (messages are evidence)."""

from django.contrib import admin

from minimentors.roles import is_safeguarding

from .models import BubbleRequest, Message, Room


class ReadOnlyForSafeguarding(admin.ModelAdmin):
    def has_view_permission(self, request, obj=None) -> bool:
        return is_safeguarding(request.user)

    def has_module_permission(self, request) -> bool:
        return is_safeguarding(request.user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Room)
class RoomAdmin(ReadOnlyForSafeguarding):
    list_display = ["name", "kind", "slug", "created_at", "closed_at", "risk_flagged_at"]
    list_filter = ["kind"]


@admin.register(Message)
class MessageAdmin(ReadOnlyForSafeguarding):
    list_display = ["id", "room", "author", "action", "severity", "held", "sent_at"]
    list_filter = ["action", "held"]
    raw_id_fields = ["room", "author"]


@admin.register(BubbleRequest)
class BubbleRequestAdmin(ReadOnlyForSafeguarding):
    list_display = ["id", "child", "status", "mentor", "created_at", "accepted_at"]
    list_filter = ["status"]
