"""python manage.py add_member USERNAME --role ROLE [--school NAME] [--age-group GROUP]"""

from __future__ import annotations

import getpass
import os
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from minimentors.models import AgeGroup, School
from minimentors.roles import Role
from minimentors.services import member_add


class Command(BaseCommand):
    help = "Add a member or staff account. Password from MINIMENTORS_PASSWORD, else a prompt."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--school", help="School name (children and mentors).")
        parser.add_argument("--age-group", choices=AgeGroup.values, default="")

    def handle(self, *args, username: str, role: str, school: str | None, age_group: str, **kw):
        school_obj = None
        if school:
            school_obj = School.objects.filter(name__iexact=school).first()
            if school_obj is None:
                raise CommandError(f"There is no school called {school!r}.")
        password = os.environ.get("MINIMENTORS_PASSWORD") or self._prompt_password()
        try:
            user = member_add(
                username=username,
                password=password,
                role=role,
                school=school_obj,
                age_group=age_group,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"Added {user.username} as {role}.")

    def _prompt_password(self) -> str:
        if not sys.stdin.isatty():
            raise CommandError("Set MINIMENTORS_PASSWORD, or run this in a terminal to type one.")
        try:
            first = getpass.getpass("Password: ")
            again = getpass.getpass("Password (again): ")
        except (EOFError, KeyboardInterrupt) as error:
            raise CommandError("No password was typed; nothing was added.") from error
        if first != again:
            raise CommandError("The two passwords are different.")
        return first
