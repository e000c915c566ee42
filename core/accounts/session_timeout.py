"""Sessions end after 15 minutes without activity and 12 hours after sign-in (SECURITY.md SES-1).

The limits are the platform's, not a council's: no council can loosen them.
"""

import time
from collections.abc import Callable

from django.contrib import auth, messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse

from core.accounts.services.sessions import session_forget, session_touch
from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record

IDLE_SECONDS = 15 * 60
ABSOLUTE_SECONDS = 12 * 60 * 60
WARNING_SECONDS = 2 * 60  # the "you will be signed out" dialog appears this long before
LAST_ACTIVITY_KEY = "patchwork_last_activity"
SIGNED_IN_AT_KEY = "patchwork_signed_in_at"
TOUCH_EVERY_SECONDS = 30


def session_start_clock(request: HttpRequest) -> None:
    now = time.time()
    request.session[SIGNED_IN_AT_KEY] = now
    request.session[LAST_ACTIVITY_KEY] = now


def session_keep_alive(request: HttpRequest) -> None:
    request.session[LAST_ACTIVITY_KEY] = time.time()


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            expired = self._expired_because(request)
            if expired:
                return self._sign_out(request, expired)
            now = time.time()
            if now - request.session.get(LAST_ACTIVITY_KEY, 0) > TOUCH_EVERY_SECONDS:
                request.session[LAST_ACTIVITY_KEY] = now
                session_touch(session_key=request.session.session_key or "")
        return self.get_response(request)

    @staticmethod
    def _expired_because(request: HttpRequest) -> str | None:
        now = time.time()
        signed_in_at = request.session.get(SIGNED_IN_AT_KEY)
        last_activity = request.session.get(LAST_ACTIVITY_KEY)
        if signed_in_at is None or last_activity is None:
            return "no sign-in time"  # not signed in by our sign-in flow: treat as expired
        if now - signed_in_at > ABSOLUTE_SECONDS:
            return "12 hours since sign-in"
        if now - last_activity > IDLE_SECONDS:
            return "15 minutes without activity"
        return None

    @staticmethod
    def _sign_out(request: HttpRequest, reason: str) -> HttpResponse:
        audit_record(
            action=AuditAction.SESSION_EXPIRED,
            outcome=AuditOutcome.SUCCESS,
            origin=Origin.from_request(request),
            actor_id=request.user.pk,
            reason=reason,
        )
        session_forget(session_key=request.session.session_key)
        auth.logout(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": "Your session has ended. Sign in again."}, status=403)
        messages.info(request, "You were signed out to protect the information in Patchwork. Sign in again.")
        return redirect_to_login(request.get_full_path(), login_url=reverse("sign-in"))
