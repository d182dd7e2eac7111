"""Moderator pages: only moderators reach them."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from minimentors.roles import Role, role_required


@role_required(Role.MODERATOR)
def queue(request: HttpRequest) -> HttpResponse:
    return render(request, "moderation/queue.html")
