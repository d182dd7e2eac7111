from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import LogoutView
from django.urls import include, path
from django.views.generic import RedirectView

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("safety/", views.safety, name="safety"),
    path("rules/", views.rules, name="rules"),
    path("healthz", views.healthz, name="healthz"),
    path("hours/", views.hours, name="hours"),
    path("favicon.ico", RedirectView.as_view(url="/static/favicon.svg", permanent=True)),
    path("accounts/login/", views.MemberLoginView.as_view(), name="login"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    path("accounts/signup/", views.signup, name="signup"),
    path("chat/", include("chat.urls")),
    path("messages/", include("chat.urls_messages")),
    path("blogs/", include("chat.urls_blogs")),
    path("moderation/", include("moderation.urls")),
    path("counselling/", include("counselling.urls")),
    path("", include("counselling.member_urls")),
    path("admin/", admin.site.urls),
]

if settings.STAFF_TWO_FACTOR:
    # Staff reach admin only with a verified second factor (a TOTP device, django-otp).
    from django_otp.admin import OTPAdminSite

    admin.site.__class__ = OTPAdminSite

handler403 = "minimentors.views.forbidden"
handler404 = "minimentors.views.not_found"
handler500 = "minimentors.views.server_error"
