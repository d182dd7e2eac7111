"""Admin for accounts, schools and the audit log. Access rules live in the has_*_permission
hooks and ask the role helpers."""

from __future__ import annotations

from django.contrib import admin

from .models import AuditEntry, School
from .roles import is_safeguarding


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    """Schools' contact details are for the Safeguarding Team only."""

    list_display = ("name", "area", "lead_teacher_name", "safeguarding_lead_name")
    search_fields = ("name", "area")

    def has_module_permission(self, request) -> bool:
        return is_safeguarding(request.user) or request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only."""

    list_display = ("created_at", "actor_username", "action", "target_type", "target_id")
    list_filter = ("action",)
    search_fields = ("actor_username", "action", "target_id")

    def has_module_permission(self, request) -> bool:
        return is_safeguarding(request.user) or request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
