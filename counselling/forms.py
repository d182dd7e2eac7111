"""Counselling forms: labels are the accessible names of the contract."""

from __future__ import annotations

from django import forms

from .models import WEEKDAYS, Concern, ToldFirst


class ConcernForm(forms.Form):
    category = forms.ChoiceField(
        label="What worries you", choices=Concern.Category.choices, widget=forms.RadioSelect
    )
    words = forms.CharField(
        label="Tell us more",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What did they say or do? Use their words if you can.",
    )


class NoteForm(forms.Form):
    category = forms.ChoiceField(label="What it is about", choices=Concern.Category.choices)
    what_happened = forms.CharField(
        label="What happened", max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )
    child_words = forms.CharField(
        label="The child's own words", required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    decision = forms.CharField(
        label="Decision", max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    reasons = forms.CharField(
        label="Why", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    who_was_told = forms.CharField(label="Who was told", required=False, max_length=1000)
    child_told_first = forms.ChoiceField(
        label="Was the child told first?",
        required=False,
        choices=[("", "Nobody else was told"), *ToldFirst.choices],
    )
    not_told_because = forms.CharField(
        label="If not, why not", required=False, max_length=2000,
    )  # fmt: skip


class AmendForm(forms.Form):
    text = forms.CharField(label="Amendment", max_length=10000, widget=forms.Textarea)
    reason = forms.CharField(label="Why it is needed", max_length=2000)


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label="Why do you need to open this child's notes?",
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class OfferForm(forms.Form):
    weekday = forms.TypedChoiceField(label="Day", coerce=int, choices=list(enumerate(WEEKDAYS)))
    at = forms.TimeField(label="Time", widget=forms.TimeInput(attrs={"type": "time"}))


class EscalateForm(forms.Form):
    reason = forms.CharField(
        label="Why the Safeguarding Team needs to know", max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    notes = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=[])
    concerns = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=[])

    def __init__(self, *args, notes=(), concerns=(), **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["notes"].choices = [(n.pk, str(n)) for n in notes]
        self.fields["concerns"].choices = [(c.pk, str(c)) for c in concerns]
