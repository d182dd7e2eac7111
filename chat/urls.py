from django.urls import path

from . import views

app_name = "chat"
urlpatterns = [
    path("", views.lobby, name="lobby"),
    path("rooms/<slug:slug>/", views.room, name="room"),
    path("bubbles/request/", views.bubble_request_create, name="bubble_request"),
    path(
        "bubbles/requests/<int:request_id>/cancel/",
        views.bubble_request_cancel,
        name="bubble_request_cancel",
    ),
    path(
        "bubbles/requests/<int:request_id>/accept/",
        views.bubble_request_accept,
        name="bubble_request_accept",
    ),
    path("bubbles/open/", views.bubble_open, name="bubble_open"),
    path("bubbles/<int:bubble_id>/", views.bubble, name="bubble"),
    path("bubbles/<int:bubble_id>/join/", views.bubble_join, name="bubble_join"),
    path("bubbles/<int:bubble_id>/end/", views.bubble_end, name="bubble_end"),
    path("messages/<int:message_id>/report/", views.message_report, name="message_report"),
    path("help/", views.help_request, name="help"),
]
