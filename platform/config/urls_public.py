"""URLs of the platform site (``PLATFORM_DOMAIN``): catalogue, operator console, admin.

Every route needs a signed-in user with both factors unless marked otherwise (core/accounts/access.py).
"""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from config.views import accessibility_statement, privacy_notice
from core.accounts.access import public_page
from onboarding.views import landing

# The admin's own password-only login page is never used: everyone signs in with two factors.
admin.site.login = RedirectView.as_view(pattern_name="sign-in", query_string=True)  # type: ignore[method-assign]

urlpatterns = [
    path("", public_page(landing), name="landing"),
    path("", include("core.accounts.urls")),
    path("console/", include("console.urls")),
    path("admin/", admin.site.urls),
    path("accessibility/", public_page(accessibility_statement), name="accessibility"),
    path("privacy/", public_page(privacy_notice), name="privacy"),
]
