"""Moderation in Django admin: watched words (with a preview of their effect, and word packs
to export and import) and a read-only view of alerts. Writes go through services."""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from minimentors.admin import ReadOnlyAdmin
from minimentors.roles import is_moderator, is_safeguarding

from .forms import PackImportForm, WatchedWordForm
from .models import Alert, WatchedWord
from .services import (
    PackError,
    watched_word_delete,
    watched_word_save,
    watched_words_export,
    watched_words_import,
)


@admin.register(WatchedWord)
class WatchedWordAdmin(admin.ModelAdmin):
    form = WatchedWordForm
    list_display = ("term", "action", "category", "note", "updated_at")
    list_filter = ("action", "category")
    search_fields = ("term", "note")
    actions = ["export_pack"]
    change_list_template = "admin/moderation/watchedword/change_list.html"

    def has_module_permission(self, request) -> bool:
        return is_moderator(request.user) or request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    has_add_permission = has_module_permission

    def has_change_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def save_model(self, request, obj, form, change) -> None:
        watched_word_save(word=obj, actor=request.user)

    def delete_model(self, request, obj) -> None:
        watched_word_delete(word=obj, actor=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for word in queryset:
            watched_word_delete(word=word, actor=request.user)

    @admin.action(description="Export the selected words as a word pack")
    def export_pack(self, request, queryset):
        body = json.dumps(watched_words_export(queryset), indent=2, ensure_ascii=False)
        response = HttpResponse(body, content_type="application/json")
        response["Content-Disposition"] = 'attachment; filename="watched-words.json"'
        return response

    def get_urls(self):
        extra = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_pack_view),
                name="moderation_watchedword_import",
            )
        ]
        return extra + super().get_urls()

    def import_pack_view(self, request):
        if not self.has_add_permission(request):
            return redirect("admin:index")
        form = PackImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                pack = json.loads(form.cleaned_data["pack"].read().decode("utf-8"))
                count = watched_words_import(pack=pack, actor=request.user)
            except (UnicodeDecodeError, json.JSONDecodeError):
                form.add_error("pack", "This file is not readable JSON.")
            except RecursionError:  # nested deeper than any word pack is
                form.add_error("pack", "This file is not a MiniMentors watched-words pack.")
            except PackError as error:
                form.add_error("pack", str(error))
            else:
                messages.success(request, f"Imported {count} watched words.")
                return redirect("admin:moderation_watchedword_changelist")
        context = {**self.admin_site.each_context(request), "form": form, "title": "Import words"}
        status = 400 if request.method == "POST" else 200
        return render(request, "admin/moderation/watchedword/import.html", context, status=status)


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    """Read-only here: moderators act on alerts in the moderation queue."""

    list_display = ("raised_at", "kind", "severity", "status", "member", "room", "summary")
    list_filter = ("status", "kind", "severity")

    search_fields = ("member__username", "summary")

    def may_read(self, user) -> bool:
        """Moderators, and the Safeguarding Team (alerts are evidence on their cases)."""
        return is_moderator(user) or is_safeguarding(user)
