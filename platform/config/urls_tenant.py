"""URLs of a council's site (``<slug>.<PLATFORM_DOMAIN>``). Runs in the council's schema."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.views import accessibility_statement, privacy_notice
from core.accounts.apis import MeApi
from core.accounts.views import SignInView, SignOutView
from core.home.views import home

api_v1 = [
    path("me/", MeApi.as_view(), name="me"),
    path("schema/", SpectacularAPIView.as_view(api_version="1", urlconf="config.urls_tenant"), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-v1:schema"), name="docs"),
]

urlpatterns = [
    path("", home, name="home"),
    path("sign-in/", SignInView.as_view(), name="sign-in"),
    path("sign-out/", SignOutView.as_view(), name="sign-out"),
    path("api/v1/", include((api_v1, "api-v1"))),
    path("accessibility/", accessibility_statement, name="accessibility"),
    path("privacy/", privacy_notice, name="privacy"),
]
