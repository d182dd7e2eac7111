"""Member pages counselling owns: a mentor's concern, a child's weekly-chat offers."""

from django.urls import path

from . import views

app_name = "care"
urlpatterns = [
    path("concerns/new/<int:bubble_id>/", views.concern_raise, name="concern_raise"),
    path("weekly-chats/offers/", views.weekly_chat_offers, name="offers"),
    path("weekly-chats/<int:plan_id>/answer/", views.weekly_chat_answer, name="answer"),
]
