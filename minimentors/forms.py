"""Forms: they parse and validate input and call one service."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from .hooks import member_block_notice
from .models import AgeGroup
from .services import (
    CryForHelpName,
    JoinCodesPaused,
    child_sign_up,
    join_code_try,
    school_named,
    sign_up_cry_for_help,
    username_check,
    username_taken,
)


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": (
            "That username and password don't match. Check them and try again. "
            "If you have forgotten your password, ask the teacher who runs MiniMentors."
        ),
        "inactive": "This account is switched off. Ask the teacher who runs MiniMentors.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Username"
        self.fields["password"].label = "Password"

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        notice = member_block_notice(user)
        if notice is not None:
            raise ValidationError(
                f"{notice} You can't log in until then. If you think this is a mistake, you "
                "can ask us to look again at /moderation/appeal/.",
                code="blocked",
            )


class SignUpForm(forms.Form):
    username = forms.CharField(
        label="Username",
        max_length=24,
        help_text="Make up a name. Don't use your real name.",
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        help_text="At least 8 letters or numbers. Don't tell anyone.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label="Type your password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    # No age is chosen for the child: a pre-selected one would be wrong for most of them.
    age_group = forms.ChoiceField(
        label="How old are you?", choices=[("", "Choose your age"), *AgeGroup.choices]
    )
    # Typed, never chosen from a list: the page must not tell anyone which schools take part
    # (a list would show a stranger where to find the children who use MiniMentors).
    school = forms.CharField(
        label="Your school",
        max_length=200,
        help_text="Type your school's name.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    join_code = forms.CharField(
        label="Join code",
        max_length=32,
        help_text="Your teacher will give you this code.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    # The name and refusal when the name typed was a cry for help (see ``clean``).
    cry_for_help: tuple[str, CryForHelpName] | None = None
    # True when wrong join codes are paused for this address or school (the page says 429).
    paused = False

    def __init__(self, *args, address: str = "unknown", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.address = address

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        try:
            # Whether the name is taken is only said once the join code matched (``clean``).
            username_check(username, check_taken=False)
        except CryForHelpName as refused:
            self.cry_for_help = (username, refused)
            raise
        return username

    def clean(self) -> dict:
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", "The two passwords are different. Try again.")
        if data.get("password") and data.get("username"):
            try:
                validate_password(data["password"])
            except ValidationError as error:
                self.add_error("password", error)
        name, code = data.get("school"), data.get("join_code")
        school = school_named(name) if name else None
        code_matches = False
        if name and code:
            try:
                code_matches = join_code_try(school=school, code=code, address=self.address)
            except JoinCodesPaused as paused:
                self.paused = True
                self.add_error("join_code", paused)
            else:
                if not code_matches:
                    # The same words for a school we do not know and a wrong code: the page
                    # never confirms that a school takes part.
                    self.add_error(
                        "join_code",
                        "That join code doesn't match the school you typed. Check the "
                        "school's name and the code with the teacher who runs MiniMentors.",
                    )
        data["school"] = school if code_matches else None
        if code_matches and data.get("username") and "username" not in self.errors:
            try:
                username_taken(data["username"])
            except ValidationError as taken:
                self.add_error("username", taken)
        if code_matches and self.cry_for_help is not None:
            username, refused = self.cry_for_help
            sign_up_cry_for_help(refused=refused, username=username, school=school)
        return data

    def save(self):
        data = self.cleaned_data
        return child_sign_up(
            username=data["username"],
            password=data["password"],
            age_group=data["age_group"],
            school=data["school"],
            join_code=data["join_code"],
        )
