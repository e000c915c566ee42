"""URLs of the platform site (``PLATFORM_DOMAIN``): catalogue, operator console, admin.

Every route needs a signed-in user with both factors unless marked otherwise (core/accounts/access.py).
"""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import include, path, reverse

from config.views import accessibility_statement, privacy_notice
from console.views.offboarding import offboarding_export
from core.accounts.access import public_page
from onboarding.views import landing, order, order_confirmation, security_statement, terms


def admin_login(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    """The admin's own password-only login page is never used: everyone signs in with two factors,
    and someone already signed in who is not platform staff is refused rather than sent round."""
    if request.user.is_authenticated:
        raise PermissionDenied("The admin is for platform staff.")
    return redirect_to_login(request.GET.get("next", "/admin/"), login_url=reverse("sign-in"))


admin.site.login = admin_login  # type: ignore[method-assign]

urlpatterns = [
    path("", public_page(landing), name="landing"),
    path("order/", public_page(order), name="order"),
    path("order/placed/", public_page(order_confirmation), name="order-confirmation"),
    path("terms/", public_page(terms), name="terms"),
    path("security/", public_page(security_statement), name="security"),
    path("", include("core.accounts.urls")),
    path("console/", include("console.urls")),
    path("admin/", admin.site.urls),
    path("accessibility/", public_page(accessibility_statement), name="accessibility"),
    path("privacy/", public_page(privacy_notice), name="privacy"),
    # A leaving council's DPO downloads its final export by a single-use link (console/views/offboarding.py).
    path("leaving/export/<str:token>/", public_page(offboarding_export), name="offboarding-export"),
]

# Under /api/ every error is JSON, as the API views answer; elsewhere the site's own pages.
handler400 = "config.api.bad_request"
handler403 = "config.api.permission_denied"
handler404 = "config.api.page_not_found"
handler500 = "config.api.server_error"
