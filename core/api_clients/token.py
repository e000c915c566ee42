"""``POST /api/v1/oauth/token/``: an API client exchanges its id and secret for a short-lived access token.

Client credentials only. Each answer is audited as the client (when the id names one): issued, or refused
and why. A revoked client, or one whose agency is suspended, is refused before its secret is even checked.
"""

import base64
import binascii
import json
from typing import Any
from urllib.parse import unquote_plus

from django.http import HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.views import TokenView

from core.api_clients.models import ApiClient
from core.api_clients.selectors import api_client_for_client_id
from core.api_clients.validator import refusal_of
from core.audit.models import ActorType, AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record

GRANT_TYPE = "client_credentials"
# Where it is routed (core/api_clients/urls.py): the OpenAPI schema names it too, for any council's site.
TOKEN_PATH = "/api/v1/oauth/token/"  # noqa: S105  (a route, not a secret)


def _client_id_of(request: HttpRequest) -> str:
    """The client id the request names: HTTP Basic (RFC 6749 2.3.1, form-encoded) or the form's ``client_id``."""
    header = request.headers.get("Authorization", "")
    if header[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return ""
        return unquote_plus(decoded.partition(":")[0])
    return request.POST.get("client_id", "")


def _error(status: int, error: str, description: str) -> HttpResponse:
    body = json.dumps({"error": error, "error_description": description})
    response = HttpResponse(body, status=status, content_type="application/json")
    response["Cache-Control"] = "no-store"
    if status == 401:
        response["WWW-Authenticate"] = 'Basic realm="patchwork"'
    return response


def _audit(*, request: HttpRequest, api_client: ApiClient | None, issued: bool, reason: str = "") -> None:
    audit_record(
        action=AuditAction.API_TOKEN_ISSUED if issued else AuditAction.API_TOKEN_REFUSED,
        outcome=AuditOutcome.SUCCESS if issued else AuditOutcome.DENIED,
        origin=Origin.from_request(request),
        actor_id=api_client.pk if api_client else None,
        actor_type=ActorType.API_CLIENT if api_client else "",
        object_type="api_client",
        object_id=api_client.pk if api_client else "",
        related_ids=[api_client.agency_id] if api_client else [],
        reason=reason,
    )


@method_decorator(csrf_exempt, name="dispatch")
class ApiClientTokenView(TokenView):
    http_method_names = ["post", "options"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.POST.get("grant_type") != GRANT_TYPE:
            _audit(request=request, api_client=None, issued=False, reason="grant type other than client credentials")
            return _error(400, "unsupported_grant_type", "Only the client_credentials grant is supported.")
        api_client = api_client_for_client_id(client_id=_client_id_of(request))
        refusal = refusal_of(api_client)
        if api_client is not None and refusal is not None:
            _audit(request=request, api_client=api_client, issued=False, reason=refusal)
            return _error(401, "invalid_client", "This client may not have a token.")
        response = super().post(request, *args, **kwargs)
        if response.status_code == 200:
            _audit(request=request, api_client=api_client, issued=True)
        else:
            _audit(request=request, api_client=api_client, issued=False, reason=f"refused: {response.status_code}")
        return response
