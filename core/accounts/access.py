"""Deny by default: every route needs a signed-in user who passed both factors, unless it says otherwise.

A view opts out only by being marked, in the URLconf where it is routed:

* ``public_page(view)`` — anyone (the platform's service page, order form and terms, statements, the sign-in
  and password-reset pages);
* ``sign_in_step(view)`` — the pages between the password and the second factor;
* ``passkey_step(view)`` — the pages someone who must add a passkey (their council requires one of their
  role, and they signed in with a code) may still reach; every other page sends them there first.

``VerifiedAccessMiddleware`` enforces it for pages, the API and the Django admin alike. A meta-test
walks both URLconfs so that no route escapes (tests/core/accounts/test_access_meta.py).
"""

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin, signed_in_user_id
from core.audit.services.events import audit_record

# The session key sign_in_session sets (it imports this module's neighbours, so it is named here too).
PASSKEY_NEEDED_KEY = "patchwork_passkey_needed"

View = TypeVar("View", bound=Callable[..., Any])

PUBLIC = "public"
SIGN_IN_STEP = "sign-in-step"
PASSKEY_STEP = "passkey-step"


def public_page(view: View) -> View:
    view.patchwork_access = PUBLIC  # type: ignore[attr-defined]
    return view


def sign_in_step(view: View) -> View:
    view.patchwork_access = SIGN_IN_STEP  # type: ignore[attr-defined]
    return view


def passkey_step(view: View) -> View:
    view.patchwork_access = PASSKEY_STEP  # type: ignore[attr-defined]
    return view


def access_of(view: Callable[..., Any]) -> str | None:
    return getattr(view, "patchwork_access", None)


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


class VerifiedAccessMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        if access_of(view) in (PUBLIC, SIGN_IN_STEP):
            return None
        user = request.user
        if user.is_authenticated and user.is_verified():  # type: ignore[union-attr]
            if access_of(view) == PASSKEY_STEP or not request.session.get(PASSKEY_NEEDED_KEY):
                return None
            if is_api_request(request):
                return JsonResponse({"detail": "Add a passkey first: your council requires one."}, status=403)
            return redirect("account-passkeys")
        audit_record(
            action=AuditAction.ACCESS_DENIED,
            outcome=AuditOutcome.DENIED,
            origin=Origin.from_request(request),
            actor_id=signed_in_user_id(request),
            reason="not signed in with two factors",
        )
        if is_api_request(request):
            detail = "Sign in with your password and second factor first."
            # An API view that answers in a format of its own (FHIR) refuses in that format too.
            refusal = getattr(getattr(view, "view_class", None), "not_signed_in_response", None)
            return refusal(detail) if refusal else JsonResponse({"detail": detail}, status=403)
        return redirect_to_login(request.get_full_path(), login_url=reverse("sign-in"))

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """Every refusal is recorded: a view that raises PermissionDenied leaves a denied event."""
        if isinstance(exception, PermissionDenied):
            audit_record(
                action=AuditAction.ACCESS_DENIED,
                outcome=AuditOutcome.DENIED,
                origin=Origin.from_request(request),
                actor_id=signed_in_user_id(request),
                reason=str(exception)[:300] or "permission denied",
            )
        return None
