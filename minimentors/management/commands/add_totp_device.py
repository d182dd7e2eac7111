"""Give a staff member an authenticator-app second factor for admin (django-otp TOTP).

    python manage.py add_totp_device USERNAME

Prints the otpauth:// address to put into an authenticator app (or show as a QR code). In
production staff reach admin only with a code from it (``STAFF_TWO_FACTOR``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from minimentors.models import User
from minimentors.roles import is_staff_member


class Command(BaseCommand):
    help = "Add an authenticator-app second factor for a staff member."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        user = User.objects.filter(username__iexact=username).first()
        if user is None or not is_staff_member(user):
            raise CommandError(f"There is no staff member called {username!r}.")
        device = TOTPDevice.objects.create(user=user, name="authenticator app", confirmed=True)
        self.stdout.write(f"Add this to {user.username}'s authenticator app:\n{device.config_url}")
