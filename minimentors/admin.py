"""Admin for accounts, schools and the audit log. Access rules live in the has_*_permission
hooks and ask the role helpers."""

from __future__ import annotations

from django.contrib import admin

from .audit import audit_record
from .models import AuditEntry, DeletionRecord, School
from .roles import is_safeguarding


class ReadOnlyAdmin(admin.ModelAdmin):
    """A model staff may read in admin but never change there (writes go through services).
    ``may_read`` names who may read; every record opened is written to the audit log."""

    def may_read(self, user) -> bool:
        return is_safeguarding(user)

    def has_module_permission(self, request) -> bool:
        return self.may_read(request.user) or request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200:
            record = self.get_object(request, object_id)
            if record is not None:
                audit_record(actor=request.user, action="admin.read", target=record)
        return response


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
class AuditEntryAdmin(ReadOnlyAdmin):
    """The audit log is append-only: the Safeguarding Team reads it."""

    list_display = ("created_at", "actor_username", "action", "target_type", "target_id")
    list_filter = ("action",)
    search_fields = ("actor_username", "action", "target_id")


@admin.register(DeletionRecord)
class DeletionRecordAdmin(ReadOnlyAdmin):
    """What the retention job deleted, per run and kind (how many, the cut-off, when)."""

    list_display = ("ran_at", "kind", "deleted", "cutoff", "run")
    list_filter = ("kind",)
