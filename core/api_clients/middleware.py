"""A bearer request to ``/api/``: an API client, acting for one practitioner of its own agency.

Runs just before the deny-by-default middleware (core/accounts/access.py). For an ``/api/`` request carrying
``Authorization: Bearer``, it answers the request itself unless every check passes:

* the token is valid at this council (tokens live in the council's schema: another council's is unknown here),
  and its client is neither revoked nor of a suspended agency — else 401;
* the route is one API clients may use, and the token has the scope it needs (core/api_clients/scopes.py) —
  else 403;
* the client is within its rate limit — else 429 with ``Retry-After``;
* ``Patchwork-Practitioner`` names the work email of an active, verified practitioner of the client's own
  agency — else 403.

Then the request goes on as that practitioner: ``request.user`` is their account, marked verified for this
request only (the client's credentials stand in for the second factor), so the views ask the one visibility
policy with the practitioner as the viewer and a client never sees or writes more than they could. Every audit
event the request writes is the client's (core/api_clients/acting.py). Every refusal is audited as the client.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from oauth2_provider.oauth2_backends import get_oauthlib_core

from core.accounts.access import PUBLIC, access_of, is_api_request
from core.api_clients.acting import Acting, acting_begin, acting_now, acting_scope
from core.api_clients.memory import ApiClientMemory
from core.api_clients.models import ApiClient
from core.api_clients.scopes import ANY_SCOPE_ROUTES, scope_for_route
from core.api_clients.selectors import api_client_for_application
from core.api_clients.throttling import ApiClientRateThrottle
from core.api_clients.validator import refusal_of
from core.audit.models import ActorType, AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.directory.models import Practitioner

PRACTITIONER_HEADER = "Patchwork-Practitioner"
API_NAMESPACE = "api-v1"


def _bearer(request: HttpRequest) -> bool:
    return request.headers.get("Authorization", "")[:7].lower() == "bearer "


def _refused(
    request: HttpRequest,
    view: Callable[..., Any],
    *,
    status: int,
    detail: str,
    reason: str,
    api_client: ApiClient | None = None,
) -> HttpResponse:
    audit_record(
        action=AuditAction.ACCESS_DENIED,
        outcome=AuditOutcome.DENIED,
        origin=Origin.from_request(request),
        actor_id=api_client.pk if api_client else None,
        actor_type=ActorType.API_CLIENT if api_client else "",
        reason=reason,
    )
    # An API view that answers in a format of its own (FHIR) refuses in that format too, as for a person.
    own_format = getattr(getattr(view, "view_class", None), "not_signed_in_response", None)
    response = own_format(detail) if own_format else JsonResponse({"detail": detail})
    response.status_code = status
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api", error="invalid_token"'
    return response


def _call_recorded(request: HttpRequest, response: HttpResponse, acting: Acting) -> None:
    """Every call is in the council's audit as the client's. Most views record what they did (a search, a team seen,
    an involvement started), and those rows are the client's already; a call that recorded nothing (a directory
    read, a refusal by a serializer) gets one row of its own: which route, what answer, for whom."""
    match = request.resolver_match
    audit_record(
        action=AuditAction.API_CALLED,
        outcome=AuditOutcome.SUCCESS if response.status_code < 400 else AuditOutcome.FAILURE,
        origin=Origin.from_request(request),
        actor_id=acting.api_client_id,
        actor_type=ActorType.API_CLIENT,
        object_type="route",
        object_id=match.url_name if match is not None and match.url_name else "",
        reason=f"{request.method} answered {response.status_code} (API client acting for practitioner "
        f"{acting.practitioner_id})",
    )


def practitioner_acting(*, api_client: ApiClient, email: str) -> Practitioner | None:
    """The active, verified practitioner of the client's own agency with this work email; None for anyone else."""
    email = email.strip().lower()
    if not email or len(email) > 254:
        return None
    return (
        Practitioner.objects.select_related("user", "agency")
        .filter(
            agency_id=api_client.agency_id,
            user__email=email,
            user__is_active=True,
            verified_at__isnull=False,
        )
        .first()
    )


def _always_verified() -> bool:
    return True


class ApiClientMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with acting_scope():
            response = self.get_response(request)
            acting = acting_now()
            if acting is not None and acting.recorded == 0:
                _call_recorded(request, response, acting)
            return response

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        if not is_api_request(request) or not _bearer(request) or access_of(view) == PUBLIC:
            return None
        valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
        token = getattr(oauth_request, "access_token", None)
        if not valid or token is None:
            return _refused(
                request, view, status=401, detail="The access token is not valid here.", reason="invalid bearer token"
            )
        api_client = api_client_for_application(application_id=token.application_id)
        refusal = refusal_of(api_client)
        if api_client is None or refusal is not None:
            return _refused(
                request,
                view,
                status=401,
                detail="The access token is not valid here.",
                reason=refusal or "",
                api_client=api_client,
            )
        match = request.resolver_match
        url_name = match.url_name if match is not None and match.namespace == API_NAMESPACE else None
        needed = scope_for_route(url_name)
        if needed is None and url_name not in ANY_SCOPE_ROUTES:
            return _refused(
                request,
                view,
                status=403,
                detail="API clients may not use this route.",
                reason=f"route not open to API clients: {url_name or request.path}",
                api_client=api_client,
            )
        if needed is not None and needed not in token.scope.split():
            return _refused(
                request,
                view,
                status=403,
                detail=f"This needs the {needed} scope.",
                reason=f"missing scope {needed}",
                api_client=api_client,
            )
        request.api_client = api_client  # type: ignore[attr-defined]
        throttle = ApiClientRateThrottle()
        if not throttle.allow_request(request, None):
            response = _refused(
                request,
                view,
                status=429,
                detail="Too many requests: slow down.",
                reason=f"rate limit {settings.API_CLIENT_RATE_LIMIT}",
                api_client=api_client,
            )
            response["Retry-After"] = str(max(1, int(throttle.wait() or 1)))
            return response
        practitioner = practitioner_acting(api_client=api_client, email=request.headers.get(PRACTITIONER_HEADER, ""))
        if practitioner is None:
            return _refused(
                request,
                view,
                status=403,
                detail=f"{PRACTITIONER_HEADER} must name the work email of an active practitioner of your agency.",
                reason="no such practitioner of the client's agency",
                api_client=api_client,
            )
        user = practitioner.user
        user.is_verified = _always_verified  # type: ignore[attr-defined]
        request.user = user
        request.api_access_token = token  # type: ignore[attr-defined]
        request.session = ApiClientMemory(api_client_id=api_client.pk, practitioner_id=practitioner.pk)
        acting_begin(Acting(api_client_id=api_client.pk, practitioner_id=practitioner.pk, practitioner_user_id=user.pk))
        return None
