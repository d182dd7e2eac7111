"""Admin forms for watched words: a change is previewed against the labelled messages before
it can be saved."""

from __future__ import annotations

from django import forms

from . import engine
from .models import WatchedWord
from .services import watched_word_effect

PREVIEW_LIMIT = 10
# Longer than this, a block is "until lifted" (and timedelta cannot add millions of days).
MAX_BLOCK_DAYS = 3650


class WatchedWordForm(forms.ModelForm):
    confirm_effect = forms.BooleanField(
        required=False,
        label="I have read the effect on the labelled messages",
        help_text="Save once to see what this word would catch, then tick this and save again.",
    )

    class Meta:
        model = WatchedWord
        fields = ["term", "action", "category", "note"]

    def clean_term(self) -> str:
        term = " ".join(self.cleaned_data["term"].split()).lower()
        if not term:
            raise forms.ValidationError("Type the word or phrase to watch for.")
        return term

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        proposed = engine.WatchedEntry(
            id="proposed", term=data["term"], action=data["action"], category=data["category"]
        )
        self.effect = watched_word_effect(proposed=proposed, replacing=self.instance.pk)
        if not data.get("confirm_effect"):
            raise forms.ValidationError(self.effect_summary())
        return data

    def effect_summary(self) -> list[str]:
        effect = self.effect
        lines = [
            f"Effect on the labelled messages: {len(effect.new_hits)} newly caught harmful, "
            f"{len(effect.new_false_positives)} newly caught CLEAN (false positives), "
            f"{len(effect.lost_hits)} harmful no longer caught."
        ]
        for label, items in (
            ("False positive", effect.new_false_positives),
            ("Newly caught", effect.new_hits),
            ("No longer caught", effect.lost_hits),
        ):
            lines += [f"{label}: {item.text!r}" for item in items[:PREVIEW_LIMIT]]
        lines.append("Tick the box below and save again to keep this change.")
        return lines


class PackImportForm(forms.Form):
    pack = forms.FileField(label="Word pack (.json)")


class ResolveForm(forms.Form):
    outcome = forms.CharField(label="What was done", widget=forms.Textarea(attrs={"rows": 2}))


class SanctionForm(forms.Form):
    kind = forms.ChoiceField(
        label="Action",
        choices=[("warn", "Warn"), ("mute", "Mute"), ("block", "Block from the site")],
    )
    reason = forms.CharField(
        label="Reason (the member will read this)", widget=forms.Textarea(attrs={"rows": 2})
    )
    minutes = forms.IntegerField(
        label="Mute for how many minutes", min_value=1, max_value=60 * 24 * 30, required=False
    )
    days = forms.IntegerField(
        label="Block for how many days (empty: until lifted)",
        min_value=1,
        max_value=MAX_BLOCK_DAYS,
        required=False,
        error_messages={
            "max_value": f"A block can last at most {MAX_BLOCK_DAYS} days. Leave it empty to "
            "block until a moderator lifts it."
        },
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("kind") == "mute" and not data.get("minutes"):
            self.add_error("minutes", "Say how long the mute lasts.")
        return data


class LiftForm(forms.Form):
    kind = forms.ChoiceField(choices=[("mute", "Unmute"), ("block", "Unblock")])
    reason = forms.CharField(label="Why", widget=forms.Textarea(attrs={"rows": 2}))


class ApprovalForm(forms.Form):
    note = forms.CharField(
        label="Note for the moderator", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class OverrideForm(forms.Form):
    kind = forms.ChoiceField(
        label="The filter was wrong",
        choices=[
            ("false_positive", "It was fine: it should not have been caught"),
            ("missed", "It should have been caught"),
        ],
    )
    note = forms.CharField(label="Note", required=False)
    watch_term = forms.CharField(
        label="Also add a watched word (optional)",
        required=False,
        max_length=100,
        error_messages={"max_length": "A watched word can have at most 100 characters."},
    )
    watch_action = forms.ChoiceField(choices=WatchedWord.Action.choices, required=False)
    watch_category = forms.ChoiceField(
        choices=[("", "—"), *[(c, c) for c in engine.CATEGORIES]], required=False
    )

    def clean(self) -> dict:
        data = super().clean()
        term = " ".join((data.get("watch_term") or "").split()).lower()
        data["watch_term"] = term
        if term and not (data.get("watch_action") and data.get("watch_category")):
            self.add_error("watch_term", "A watched word needs an action and a category.")
        elif (
            term and WatchedWord.objects.filter(term=term, category=data["watch_category"]).exists()
        ):
            self.add_error(
                "watch_term",
                "That word is already on the watched words list for this category. "
                "Change it in the watched words page instead.",
            )
        return data


class ReportForm(forms.Form):
    words = forms.CharField(
        label="What happened?",
        max_length=2000,
        help_text="Tell us in your own words. Only the moderators will read this.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    room = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    # A message is reported with the "Report" button beside it (``chat``), which checks the
    # reporter can see it; this form names no message.
    NAMES_NO_MESSAGE = (
        "To tell us about a message, press Report beside it in the chat. "
        "You can still tell us anything here."
    )


class AppealForm(forms.Form):
    username = forms.CharField(label="Username", max_length=24, required=False)
    password = forms.CharField(label="Password", required=False, widget=forms.PasswordInput)
    words = forms.CharField(
        label="Why should we look again?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
