"""The Safeguarding Team's work in Django admin. Only the team sees these models (the access
rules are the ``has_*_permission`` hooks of ``TeamOnly``); every case and export opened is
audited; status changes, meetings, referrals, summaries, sharing and exports go through the
services, which keep the rules (a case closes only with an outcome, a referral needs the
"child told first" answer, an export needs a second team member)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from minimentors.audit import audit_record
from minimentors.roles import is_safeguarding

from . import exports, services
from .models import (
    Case,
    CaseTransition,
    ConversationSummary,
    Escalation,
    LegalHold,
    Meeting,
    Referral,
    SharingRecord,
    TranscriptExport,
)


class TeamOnly:
    """The Safeguarding Team, and nobody else, sees and works on these records."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_safeguarding(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_safeguarding(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_safeguarding(request.user)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_safeguarding(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _day(day: Any) -> Any:
    """The start of ``day`` (UK time), to sort dated records among timed ones."""
    from datetime import datetime, time

    from minimentors.hours import UK

    return datetime.combine(day, time.min, tzinfo=UK)


def _service_error(error: services.SafeguardingError) -> ValidationError:
    return ValidationError(error.message)


class EscalationInline(TeamOnly, admin.TabularInline):
    model = Escalation
    extra = 0
    fields = ("shared_at", "counsellor", "reason", "note_ids", "concern_ids")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TransitionInline(EscalationInline):
    model = CaseTransition
    fields = ("at", "from_status", "to_status", "by", "note")
    readonly_fields = fields
    verbose_name_plural = "status changes"


class NeedsDoing(admin.SimpleListFilter):
    title = "what needs doing"
    parameter_name = "needs"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("overdue", "Overdue actions"), ("quiet", "No activity for a while")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Case]) -> QuerySet[Case]:
        from django.conf import settings

        if self.value() == "overdue":
            return (
                queryset.filter(
                    meetings__action_due__lt=timezone.localdate(),
                    meetings__action_done_at__isnull=True,
                )
                .exclude(status=Case.Status.CLOSED)
                .distinct()
            )
        if self.value() == "quiet":
            return queryset.exclude(status=Case.Status.CLOSED).filter(
                last_activity_at__lt=timezone.now() - settings.CASE_QUIET_AFTER
            )
        return queryset


class CaseForm(forms.ModelForm):
    move_to = forms.ChoiceField(
        label="Change status to", required=False,
        choices=[("", "(keep as it is)"), *Case.Status.choices],
    )  # fmt: skip

    class Meta:
        model = Case
        fields = ("risk_level", "owner", "outcome")


@admin.register(Case)
class CaseAdmin(TeamOnly, admin.ModelAdmin):
    form = CaseForm
    list_display = ("__str__", "child", "status", "risk_level", "owner", "last_activity_at")
    list_filter = (NeedsDoing, "status", "risk_level", "started_from")
    search_fields = ("child__username",)
    fieldsets = (
        (None, {"fields": ("child", "status", "move_to", "risk_level", "owner", "started_from",
                           "opened_at", "outcome")}),
        ("What counsellors shared", {"fields": ("shared_notes", "shared_concerns")}),
        ("Work on this case", {"fields": ("work_links", "chronology")}),
    )  # fmt: skip
    readonly_fields = ("child", "status", "started_from", "opened_at", "shared_notes",
                       "shared_concerns", "work_links", "chronology")  # fmt: skip
    inlines = [EscalationInline, TransitionInline]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # cases open from an escalation (or the team's direct-case service)

    @admin.display(description="Notes shared by counsellors")
    def shared_notes(self, case: Case) -> str:
        return format_html_join(
            "", "<p><strong>{} by {}</strong> ({}): {} <em>Decision:</em> {}</p>",
            ((n.written_at.strftime("%d %b %Y %H:%M"), n.author or "a counsellor",
              n.get_category_display(), n.what_happened, n.decision)
             for n in case.notes.select_related("author")),
        )  # fmt: skip

    @admin.display(description="Concerns shared")
    def shared_concerns(self, case: Case) -> str:
        return format_html_join(
            "", "<p><strong>{}</strong> ({}) raised by {}: {}</p>",
            ((c.created_at.strftime("%d %b %Y %H:%M"), c.get_category_display(),
              c.raised_by or "someone", c.words)
             for c in case.concerns.select_related("raised_by")),
        )  # fmt: skip

    @admin.display(description="Record")
    def work_links(self, case: Case) -> str:
        links = [
            ("safeguarding_meeting_add", "Record a meeting"),
            ("safeguarding_referral_add", "Record a referral"),
            ("safeguarding_conversationsummary_add", "Write a conversation summary"),
            ("safeguarding_sharingrecord_add", "Log information shared"),
            ("safeguarding_transcriptexport_add", "Record a transcript request"),
        ]
        return format_html_join(
            " · ", '<a href="{}?case={}">{}</a>',
            ((reverse(f"admin:{name}"), case.pk, label) for name, label in links),
        )  # fmt: skip

    @admin.display(description="Chronology of the case")
    def chronology(self, case: Case) -> str:
        rows: list[tuple[Any, str]] = [(case.opened_at, "Case opened")]
        rows += [(e.shared_at, f"Escalated by {e.counsellor}: {e.reason}")
                 for e in case.escalations.all()]  # fmt: skip
        rows += [(t.at, f"Status: {t}") for t in case.transitions.all()]
        rows += [(_day(m.held_on), f"Meeting: {m.decision}") for m in case.meetings.all()]
        rows += [
            (_day(r.made_on), f"{r} (child told first: {r.get_child_told_first_display()})")
            for r in case.referrals.all()
        ]
        rows += [(s.shared_at, str(s)) for s in case.sharing_records.all()]
        rows.sort(key=lambda row: row[0], reverse=True)
        return format_html_join(
            "", "<p>{} · {}</p>",
            ((timezone.localtime(at).strftime("%d %b %Y %H:%M"), text) for at, text in rows),
        )  # fmt: skip

    def save_model(self, request: HttpRequest, obj: Case, form: Any, change: bool) -> None:
        move_to = form.cleaned_data.get("move_to")
        moving = bool(move_to) and move_to != obj.status
        fields: dict[str, Any] = {"risk_level": obj.risk_level, "owner": obj.owner}
        if not moving:  # a transition saves the outcome itself, or refuses it
            fields["outcome"] = obj.outcome
        Case.objects.filter(pk=obj.pk).update(**fields)
        if moving:
            try:
                services.case_transition(
                    case=obj, to=move_to, actor=request.user, outcome=obj.outcome
                )
            except services.SafeguardingError as error:
                messages.error(request, error.message)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        case = self.get_object(request, object_id)
        if case is not None and self.has_view_permission(request, case):
            audit_record(actor=request.user, action="case.read", target=case)
        return super().change_view(request, object_id, form_url, extra_context)


class CaseChild(TeamOnly, admin.ModelAdmin):
    """Records that belong to a case: the add form starts from ``?case=<id>``; saving goes
    through the service that keeps the record's rules."""

    list_filter = ("case__status",)
    search_fields = ("case__child__username",)
    service: Any = None

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"case": request.GET.get("case")}

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        self.service(obj, request.user)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):  # type: ignore[no-untyped-def]
        form = super().get_form(request, obj, change, **kwargs)
        admin_self = self

        class Checked(form):  # type: ignore[misc, valid-type]
            def _post_clean(self) -> None:
                super()._post_clean()
                check = getattr(admin_self, "check_record", None)
                if check is not None and not self.errors:
                    try:
                        check(self.instance)
                    except services.SafeguardingError as error:
                        self.add_error(None, _service_error(error))

        return Checked

    def response_add(self, request: HttpRequest, obj: Any, post_url_continue: Any = None):  # type: ignore[no-untyped-def]
        return HttpResponseRedirect(reverse("admin:safeguarding_case_change", args=[obj.case_id]))


@admin.register(Meeting)
class MeetingAdmin(CaseChild):
    list_display = ("__str__", "decision", "action_by", "action_due", "action_done_at")
    fields = ("case", "held_on", "attendees", "minutes", "decision", "action_by", "action_due",
              "action_done_at")  # fmt: skip
    raw_id_fields = ("case",)

    def service(self, obj: Meeting, actor: Any) -> None:
        services.meeting_record(meeting=obj, actor=actor)


@admin.register(Referral)
class ReferralAdmin(CaseChild):
    list_display = ("__str__", "case", "method", "reference", "child_told_first")
    fields = ("case", "to", "authority", "contact", "made_on", "method", "reference",
              "child_told_first", "not_told_because", "outcome")  # fmt: skip
    raw_id_fields = ("case",)

    def check_record(self, obj: Referral) -> None:
        services.referral_check(obj)

    def service(self, obj: Referral, actor: Any) -> None:
        services.referral_record(referral=obj, actor=actor)


@admin.register(ConversationSummary)
class SummaryAdmin(CaseChild):
    fields = ("case", "text")
    raw_id_fields = ("case",)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        case = Case.objects.filter(pk=request.GET.get("case") or 0).first()
        return {
            "case": request.GET.get("case"),
            "text": services.summary_draft(case) if case else "",
        }

    def service(self, obj: ConversationSummary, actor: Any) -> None:
        services.summary_save(summary=obj, actor=actor)


@admin.register(SharingRecord)
class SharingRecordAdmin(CaseChild):
    list_display = ("__str__", "case", "what", "basis", "shared_by", "sha256")
    fields = ("case", "what", "with_whom", "basis", "why", "sha256", "export")
    readonly_fields = ("sha256", "export")
    raw_id_fields = ("case",)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the log is never changed once written

    def service(self, obj: SharingRecord, actor: Any) -> None:
        services.sharing_record(record=obj, actor=actor)


class ProduceForm(forms.Form):
    with_whom = forms.CharField(label="Who the transcript is going to", max_length=300)


@admin.register(TranscriptExport)
class TranscriptExportAdmin(CaseChild):
    list_display = ("__str__", "case", "status", "recorded_by", "approved_by", "sha256")
    fields = ("case", "requested_by", "request_reference", "requester_contact", "date_from",
              "date_to", "include_other_usernames", "why", "basis", "status", "recorded_by",
              "approved_by", "produced_by", "produced_at", "sha256", "download")  # fmt: skip
    readonly_fields = ("status", "recorded_by", "approved_by", "produced_by", "produced_at",
                       "sha256", "download")  # fmt: skip
    raw_id_fields = ("case",)
    actions = ["approve"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_safeguarding(request.user) and (obj is None or obj.status == "requested")

    def service(self, obj: TranscriptExport, actor: Any) -> None:
        exports.export_request(export=obj, actor=actor)

    @admin.action(description="Approve (a second team member)")
    def approve(self, request: HttpRequest, queryset: QuerySet[TranscriptExport]) -> None:
        for export in queryset:
            try:
                exports.export_approve(export=export, approver=request.user)
                messages.success(request, f"{export} approved.")
            except services.SafeguardingError as error:
                messages.error(request, f"{export}: {error.message}")

    @admin.display(description="PDF")
    def download(self, export: TranscriptExport) -> str:
        if export.status == TranscriptExport.Status.PRODUCED:
            url = reverse("admin:safeguarding_export_download", args=[export.pk])
            return format_html('<a href="{}">Download the PDF</a>', url)
        if export.status == TranscriptExport.Status.APPROVED:
            url = reverse("admin:safeguarding_export_produce", args=[export.pk])
            return format_html('<a href="{}">Produce the PDF</a>', url)
        return "Waiting for a second team member to approve it."

    def get_urls(self):  # type: ignore[no-untyped-def]
        own = [
            path("<int:export_id>/produce/", self.admin_site.admin_view(self.produce_view),
                 name="safeguarding_export_produce"),
            path("<int:export_id>/download/", self.admin_site.admin_view(self.download_view),
                 name="safeguarding_export_download"),
        ]  # fmt: skip
        return own + super().get_urls()

    def produce_view(self, request: HttpRequest, export_id: int) -> HttpResponse:
        if not is_safeguarding(request.user):
            raise Http404
        export = get_object_or_404(TranscriptExport, pk=export_id)
        form = ProduceForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                exports.export_produce(
                    export=export, actor=request.user, with_whom=form.cleaned_data["with_whom"]
                )
                messages.success(request, "The PDF is ready, and the sharing log has its row.")
            except services.SafeguardingError as error:
                messages.error(request, error.message)
            return HttpResponseRedirect(
                reverse("admin:safeguarding_transcriptexport_change", args=[export.pk])
            )
        from django.template.response import TemplateResponse

        return TemplateResponse(request, "admin/safeguarding/produce.html", {
            **self.admin_site.each_context(request), "form": form, "export": export,
            "title": f"Produce {export}",
        })  # fmt: skip

    def download_view(self, request: HttpRequest, export_id: int) -> HttpResponse:
        if not is_safeguarding(request.user):
            raise Http404
        export = get_object_or_404(TranscriptExport, pk=export_id, status="produced")
        exports.export_read_record(export=export, actor=request.user)
        return FileResponse(
            export.file.open("rb"), as_attachment=True,
            filename=f"minimentors-transcript-{export.request_reference}.pdf",
            content_type="application/pdf",
        )  # fmt: skip

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        export = self.get_object(request, object_id)
        if export is not None and is_safeguarding(request.user):
            audit_record(actor=request.user, action="export.read", target=export.case)
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(LegalHold)
class LegalHoldAdmin(TeamOnly, admin.ModelAdmin):
    """The team keeps everything about a child, whatever its age, while a hold is in force."""

    list_display = ("child", "placed_by", "placed_at", "lifted_at")
    fields = ("child", "reason", "lifted_at")
    raw_id_fields = ("child",)

    def save_model(self, request: HttpRequest, obj: LegalHold, form: Any, change: bool) -> None:
        if change:
            obj.save(update_fields=["lifted_at", "reason"])
            audit_record(actor=request.user, action="legal_hold.changed", target=obj.child)
            return
        try:
            services.legal_hold_place(child=obj.child, actor=request.user, reason=obj.reason)
        except services.SafeguardingError as error:
            messages.error(request, error.message)
