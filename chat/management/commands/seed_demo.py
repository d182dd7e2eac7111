"""python manage.py seed_demo: idempotent demo data, for development only."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from minimentors.models import AgeGroup, School, User
from minimentors.roles import Role
from minimentors.services import member_add

DEMO_SCHOOL = "Demo School"
DEMO_JOIN_CODE = "DEMO2026"
DEMO_ACCOUNTS = (
    ("demo-child", Role.CHILD, AgeGroup.AGE_11_13),
    ("demo-child2", Role.CHILD, AgeGroup.AGE_8_10),
    ("demo-mentor", Role.MENTOR, AgeGroup.AGE_14_16),
    ("demo-counsellor", Role.COUNSELLOR, ""),
    ("demo-moderator", Role.MODERATOR, ""),
    ("demo-safeguarding", Role.SAFEGUARDING, ""),
)


class Command(BaseCommand):
    help = "Create demo accounts, the demo school and the general room (development only)."

    def handle(self, *args, **options) -> None:
        if settings.PRODUCTION:
            raise CommandError("seed_demo refuses to run when MINIMENTORS_ENV=production.")
        password = os.environ.get("DEMO_PASSWORD") or settings.DEMO_PASSWORD_DEFAULT
        with transaction.atomic():
            school, _ = School.objects.get_or_create(
                name=DEMO_SCHOOL,
                defaults={
                    "area": "Demo Town",
                    "join_code": DEMO_JOIN_CODE,
                    "lead_teacher_name": "Ms Demo (teacher)",
                    "safeguarding_lead_name": "Mr Demo (safeguarding lead)",
                },
            )
            for username, role, age_group in DEMO_ACCOUNTS:
                user = User.objects.filter(username=username).first()
                if user is None:
                    member_in_school = role in (Role.CHILD, Role.MENTOR)
                    member_add(
                        username=username,
                        password=password,
                        role=role,
                        school=school if member_in_school else None,
                        age_group=age_group,
                    )
                else:
                    user.set_password(password)
                    user.save(update_fields=["password"])
            self._seed_rooms()
        self.stdout.write(f"Demo school: {school.name} (join code {school.join_code})")
        self.stdout.write(
            "Demo logins (password "
            + ("from DEMO_PASSWORD" if os.environ.get("DEMO_PASSWORD") else repr(password))
            + "): "
            + ", ".join(name for name, _, _ in DEMO_ACCOUNTS)
        )

    def _seed_rooms(self) -> None:
        """The general room everybody can join."""
        from chat.models import Room

        Room.objects.get_or_create(
            slug="general", defaults={"kind": Room.Kind.GENERAL, "name": "General"}
        )
