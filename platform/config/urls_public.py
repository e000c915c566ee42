"""URLs of the platform site (``PLATFORM_DOMAIN``): catalogue, operator console, admin."""

from django.contrib import admin
from django.urls import include, path

from config.views import accessibility_statement, privacy_notice
from onboarding.views import landing

urlpatterns = [
    path("", landing, name="landing"),
    path("console/", include("console.urls")),
    path("admin/", admin.site.urls),
    path("accessibility/", accessibility_statement, name="accessibility"),
    path("privacy/", privacy_notice, name="privacy"),
]
