"""The API's side of an API client's request: DRF authentication, and how the OpenAPI schema describes it.

``ApiClientMiddleware`` has already checked the bearer token, the scope, the rate and the practitioner; this
class hands DRF the practitioner's account and the token, ahead of session authentication (whose CSRF check is
for browsers, not for a system holding a token).
"""

import re
from typing import Any

from django.urls import Resolver404, resolve
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from core.api_clients.scopes import ANY_SCOPE_ROUTES, SCOPES, scope_for_route
from core.api_clients.token import TOKEN_PATH


class ApiClientAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        django_request = request._request
        if getattr(django_request, "api_client", None) is None or not hasattr(django_request, "api_access_token"):
            return None
        return django_request.user, django_request.api_access_token


class ApiClientAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = ApiClientAuthentication
    name = "oauth2"

    def get_security_requirement(self, auto_schema: Any) -> dict[str, list[str]] | None:
        """The scope an operation needs of an API client; none at all for an operation API clients may not use."""
        url_name = _url_name(auto_schema.path)
        needed = scope_for_route(url_name)
        if needed is not None:
            return {self.name: [needed]}
        return {self.name: []} if url_name in ANY_SCOPE_ROUTES else None

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "oauth2",
            "description": (
                "For an agency's case-management system, registered by the council administrator. Exchange the "
                "client id and secret for a token at the token URL (client credentials, HTTP Basic), then send "
                "`Authorization: Bearer <token>` and `Patchwork-Practitioner: <work email>`: the practitioner of "
                "your agency the call is made for. You see and change exactly what they could."
            ),
            "flows": {
                "clientCredentials": {
                    "tokenUrl": TOKEN_PATH,
                    "scopes": dict(SCOPES),
                }
            },
        }


_PLACEHOLDER = re.compile(r"\{[^}]+\}")
_ANY_ID = "00000000-0000-4000-8000-000000000000"


def _url_name(path: str) -> str | None:
    """The route name behind an OpenAPI path (``{client_id}`` and the like stand for any id)."""
    try:
        match = resolve(_PLACEHOLDER.sub(_ANY_ID, path), urlconf="config.urls_tenant")
    except Resolver404:
        return None
    return match.url_name if match.namespace == "api-v1" else None
