"""Chat pages. Thin: authorise through the role helpers, read through selectors, render."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from minimentors.roles import member_required


@member_required
def lobby(request: HttpRequest) -> HttpResponse:
    return render(request, "chat/lobby.html")
