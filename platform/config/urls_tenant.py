"""URLs of a council's site (``<slug>.<PLATFORM_DOMAIN>``). Runs in the council's schema.

Every route needs a signed-in user with both factors unless marked otherwise (core/accounts/access.py).
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from config.api_docs import api_docs
from config.views import accessibility_statement, privacy_notice
from core.accounts.access import public_page
from core.directory.apis import MeApi
from core.home.views import home

api_v1 = [
    path("me/", MeApi.as_view(), name="me"),
    path("", include("core.clients.api_urls")),
    path("", include("core.directory.api_urls")),
    path("schema/", SpectacularAPIView.as_view(api_version="1", urlconf="config.urls_tenant"), name="schema"),
    path("docs/", api_docs, name="docs"),
]

urlpatterns = [
    path("", home, name="home"),
    path("", include("core.accounts.urls")),
    # Before the directory: its administration/agencies/<id>/<transition>/ would take /single-sign-on/.
    path("", include("core.sso.urls")),
    # Before the directory's too: its agency transition slug would take ".../api-clients/".
    path("", include("core.api_clients.urls")),
    path("", include("core.directory.urls")),
    path("", include("core.council.urls")),
    path("", include("core.clients.urls")),
    path("", include("core.teamwork.urls")),
    path("", include("core.inbox.urls")),
    path("", include("core.privacy.urls")),
    path("", include("core.subject_access.urls")),
    path("", include("core.retention.urls")),
    path("administration/billing/", include("billing.urls")),
    path("administration/support/", include("support.urls")),
    path("api/v1/", include((api_v1, "api-v1"))),
    path("accessibility/", public_page(accessibility_statement), name="accessibility"),
    path("privacy/", public_page(privacy_notice), name="privacy"),
]

# Under /api/ every error is JSON, as the API views answer; elsewhere the site's own pages.
handler400 = "config.api.bad_request"
handler403 = "config.api.permission_denied"
handler404 = "config.api.page_not_found"
handler500 = "config.api.server_error"
