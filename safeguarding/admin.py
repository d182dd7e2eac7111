"""The Safeguarding Team's cases in Django admin: only the team sees them, and every case
opened is audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html_join

from minimentors.audit import audit_record
from minimentors.roles import is_safeguarding

from .models import Case, Escalation


class TeamOnly:
    """Admin access rules, in the hooks Django gives: the Safeguarding Team only."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_safeguarding(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_safeguarding(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_safeguarding(request.user)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EscalationInline(TeamOnly, admin.TabularInline):
    model = Escalation
    extra = 0
    fields = ("shared_at", "counsellor", "reason", "note_ids", "concern_ids")
    readonly_fields = fields
    can_delete = False


@admin.register(Case)
class CaseAdmin(TeamOnly, admin.ModelAdmin):
    list_display = ("__str__", "child", "status", "risk_level", "owner", "opened_at")
    list_filter = ("status", "risk_level", "started_from")
    search_fields = ("child__username",)
    fields = ("child", "status", "risk_level", "owner", "started_from", "opened_at",
              "shared_notes", "shared_concerns", "outcome")  # fmt: skip
    readonly_fields = ("child", "status", "started_from", "opened_at", "shared_notes",
                       "shared_concerns")  # fmt: skip
    inlines = [EscalationInline]

    @admin.display(description="Notes shared by counsellors")
    def shared_notes(self, case: Case) -> str:
        return format_html_join(
            "",
            "<p><strong>{} by {}</strong> ({}): {} <em>Decision:</em> {}</p>",
            (
                (n.written_at.strftime("%d %b %Y %H:%M"), n.author or "a counsellor",
                 n.get_category_display(), n.what_happened, n.decision)
                for n in case.notes.select_related("author")
            ),
        )  # fmt: skip

    @admin.display(description="Concerns shared")
    def shared_concerns(self, case: Case) -> str:
        return format_html_join(
            "",
            "<p><strong>{}</strong> ({}) raised by {}: {}</p>",
            (
                (c.created_at.strftime("%d %b %Y %H:%M"), c.get_category_display(),
                 c.raised_by or "someone", c.words)
                for c in case.concerns.select_related("raised_by")
            ),
        )  # fmt: skip

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        case = self.get_object(request, object_id)
        if case is not None and self.has_view_permission(request, case):
            audit_record(actor=request.user, action="case.read", target=case)
        return super().change_view(request, object_id, form_url, extra_context)
