from django.urls import path

from .consumers import StaffAlertConsumer

websocket_urlpatterns = [
    path("ws/staff/alerts/", StaffAlertConsumer.as_asgi()),
]
