"""What every page needs: whether MiniMentors are on, and the helplines for this member."""

from __future__ import annotations

from django.http import HttpRequest

from .hours import helplines_for, hours_status
from .roles import is_member, is_staff_member, primary_role, role_names


def site(request: HttpRequest) -> dict:
    user = request.user
    status = hours_status()
    return {
        "hours": status,
        "helplines": helplines_for(getattr(user, "age_group", "")),
        "user_role": primary_role(user),
        "user_roles": sorted(role_names(user)),
        "user_is_member": is_member(user),
        "user_is_staff_member": is_staff_member(user),
    }
