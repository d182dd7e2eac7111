"""Moderation pages. Thin: check the role, parse a form, call one service, render or redirect.

/moderation/ and everything that acts on alerts or members is for moderators only; reporting,
"my reports" and appeals are for every member.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from minimentors.form_limits import member_form_limited
from minimentors.models import User
from minimentors.roles import Role, member_required, role_required

from . import selectors
from .access import access_alert
from .forms import (
    AppealForm,
    ApprovalForm,
    LiftForm,
    OverrideForm,
    ReportForm,
    ResolveForm,
    SanctionForm,
)
from .held import hide_everything_by
from .models import Alert, WatchedWord
from .sanctions import (
    BLOCK_NOTICE_KEY,
    STAFF_NOT_SANCTIONED,
    SanctionRefused,
    block_approval_grant,
    can_be_sanctioned,
    member_restriction,
    sanction_block,
    sanction_in_force,
    sanction_lift,
    sanction_mute,
    sanction_warn,
)
from .services import (
    AlertTransitionRefused,
    alert_transition,
    appeal_submit,
    held_content_decide,
    report_submit,
    verdict_override_record,
)


def _errors_in_words(form) -> str:
    """A form's errors as one sentence for a flash message (the page redirects)."""
    return " ".join(error for errors in form.errors.values() for error in errors)


def _refused(request: HttpRequest, form, back: str) -> HttpResponse:
    """A form that could not be used: 400, its errors in words, and the way back."""
    context = {"refusal": _errors_in_words(form), "back": back}
    return render(request, "moderation/refused.html", context, status=400)


@role_required(Role.MODERATOR)
def queue(request: HttpRequest) -> HttpResponse:
    page = selectors.queue_page(request.GET.get("page"))
    return render(
        request,
        "moderation/queue.html",
        {
            "page": page,
            "items": page.object_list,
            "counts": selectors.queue_counts(),
            "resolve_form": ResolveForm(),
            "sanction_form": SanctionForm(),
            "override_form": OverrideForm(),
        },
    )


@require_POST
@role_required(Role.MODERATOR)
def alert_act(request: HttpRequest, alert_id: int, action: str) -> HttpResponse:
    alert = access_alert(request.user, alert_id)
    try:
        if action == "acknowledge":
            alert_transition(alert=alert, step="acknowledge", actor=request.user)
        elif action == "resolve":
            form = ResolveForm(request.POST)
            outcome = form.cleaned_data["outcome"] if form.is_valid() else ""
            alert_transition(alert=alert, step="resolve", actor=request.user, outcome=outcome)
        elif action == "handover":
            alert_transition(
                alert=alert,
                step="hand_over",
                actor=request.user,
                note=request.POST.get("note", "")[:2000],
            )
        elif action in ("approve", "reject"):
            held_content_decide(alert=alert, approve=action == "approve", actor=request.user)
        elif action == "override":
            form = OverrideForm(request.POST)
            if not form.is_valid():
                return _refused(request, form, reverse("moderation:queue"))
            data = form.cleaned_data
            word = None
            if data["watch_term"]:
                word = WatchedWord(
                    term=data["watch_term"],
                    action=data["watch_action"],
                    category=data["watch_category"],
                    note=f"Added from alert {alert.pk}",
                )
            verdict_override_record(
                alert=alert,
                kind=data["kind"],
                text=alert.summary,
                original_action="flag" if alert.kind == Alert.Kind.MESSAGE else "allow",
                original_categories=alert.categories,
                actor=request.user,
                note=data["note"],
                add_watched_word=word,
            )
        else:
            return HttpResponse(status=404)
    except (AlertTransitionRefused, LookupError) as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"Alert {alert.pk}: done.")
    return redirect("moderation:queue")


@role_required(Role.MODERATOR, Role.COUNSELLOR, Role.SAFEGUARDING)
def member_detail(request: HttpRequest, member_id: int) -> HttpResponse:
    member = get_object_or_404(User, pk=member_id)
    return render(
        request,
        "moderation/member.html",
        {
            "member": member,
            "history": selectors.member_history(member),
            "restriction": member_restriction(member),
            "can_sanction": can_be_sanctioned(member, request.user),
            "staff_not_sanctioned": STAFF_NOT_SANCTIONED,
            "sanction_form": SanctionForm(),
            "lift_form": LiftForm(),
            "approval_form": ApprovalForm(),
        },
    )


@require_POST
@role_required(Role.MODERATOR)
def member_sanction(request: HttpRequest, member_id: int) -> HttpResponse:
    member = get_object_or_404(User, pk=member_id)
    form = SanctionForm(request.POST)
    if not form.is_valid():
        return _refused(request, form, reverse("moderation:member", args=[member.pk]))
    data = form.cleaned_data
    try:
        if data["kind"] == "warn":
            sanction_warn(member=member, actor=request.user, reason=data["reason"])
        elif data["kind"] == "mute":
            sanction_mute(member=member, actor=request.user, reason=data["reason"],
                          minutes=data["minutes"])  # fmt: skip
        else:
            sanction_block(member=member, actor=request.user, reason=data["reason"],
                           days=data["days"])  # fmt: skip
    except SanctionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"{member}: {data['kind']} done.")
    return redirect("moderation:member", member_id=member.pk)


@require_POST
@role_required(Role.MODERATOR)
def member_lift(request: HttpRequest, member_id: int) -> HttpResponse:
    member = get_object_or_404(User, pk=member_id)
    form = LiftForm(request.POST)
    if form.is_valid():
        count = sanction_lift(member=member, actor=request.user, kind=form.cleaned_data["kind"],
                              reason=form.cleaned_data["reason"])  # fmt: skip
        messages.success(request, f"Lifted {count}.")
    else:
        messages.error(request, "Say why you are lifting it.")
    return redirect("moderation:member", member_id=member.pk)


@require_POST
@role_required(Role.MODERATOR)
def member_content_hide(request: HttpRequest, member_id: int) -> HttpResponse:
    """Hide everything a member wrote in blogs and private messages, in one action."""
    member = get_object_or_404(User, pk=member_id)
    hidden = hide_everything_by(member=member, actor=request.user)
    messages.success(request, f"{hidden} of {member}'s posts, comments and messages are hidden.")
    return redirect("moderation:member", member_id=member.pk)


@require_POST
@role_required(Role.COUNSELLOR, Role.SAFEGUARDING)
def member_approve_block(request: HttpRequest, member_id: int) -> HttpResponse:
    member = get_object_or_404(User, pk=member_id)
    form = ApprovalForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    block_approval_grant(member=member, approver=request.user, note=note)
    messages.success(request, f"You agreed that {member} may be blocked.")
    return redirect("moderation:member", member_id=member.pk)


@member_required
@member_form_limited
def report(request: HttpRequest) -> HttpResponse:
    """Report a message, or tell a moderator anything, from any page."""
    form = ReportForm(request.POST or None, initial=request.GET.dict())
    if request.POST.get("message_id") or request.GET.get("message_id"):
        context = {"form": form, "refusal": ReportForm.NAMES_NO_MESSAGE}
        return render(request, "moderation/report.html", context, status=400)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        report_submit(reporter=request.user, words=data["words"], room=data["room"])
        return render(request, "moderation/report_thanks.html")
    return render(request, "moderation/report.html", {"form": form})


@member_required
def my_reports(request: HttpRequest) -> HttpResponse:
    return render(
        request, "moderation/my_reports.html", {"reports": selectors.reports_by(request.user)}
    )


def blocked(request: HttpRequest) -> HttpResponse:
    """Where a blocked member lands: why, until when, and how to appeal. Public, like the help
    pages; the notice comes from the session the site-block middleware left behind."""
    return render(
        request, "moderation/blocked.html", {"notice": request.session.get(BLOCK_NOTICE_KEY)}
    )


@member_form_limited
def appeal(request: HttpRequest) -> HttpResponse:
    """A blocked member (logged out) proves who they are with their password; a muted member
    is logged in. Either way the appeal reaches the moderation queue."""
    form = AppealForm(request.POST or None)
    member = request.user if request.user.is_authenticated else None
    if member is not None:
        del form.fields["username"], form.fields["password"]
    if request.method == "POST" and form.is_valid():
        if member is None:
            member = authenticate(
                request,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
            )
        if member is None:
            form.add_error("password", "That username and password don't match.")
        else:
            appeal_submit(member=member, words=form.cleaned_data["words"])
            return render(request, "moderation/appeal_thanks.html")
    context = {"form": form}
    if member is not None:
        context["mute"] = sanction_in_force(request.user, "mute")
    return render(request, "moderation/appeal.html", context)
