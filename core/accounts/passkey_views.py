"""Passkeys: the account page that lists, adds and removes them, and the two ceremonies' JSON endpoints.

The ceremonies are django-otp-webauthn's, through its browser script; the endpoints are ours, so that signing
in with a passkey goes where signing in with a code goes: ``sign_in_complete`` after the same checks (never the
library's own login, which would skip them), and every failure counted and recorded.

Signing in with a passkey has two forms. After the password (a pending sign-in in the session) it is the
second factor, and only that person's passkeys are accepted. With no pending sign-in it is the whole
sign-in: the passkey says who it is, and the person unlocked it on their own device (user verification).
"""

import json
from typing import Any

from django.contrib import auth, messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware import csrf
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp_webauthn import exceptions as webauthn_errors
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.utils import rewrite_exceptions
from django_otp_webauthn.views import BeginCredentialRegistrationView, CompleteCredentialRegistrationView
from webauthn.helpers import parse_authentication_credential_json

from core.accounts.models import User
from core.accounts.services.passkeys import (
    passkey_added,
    passkey_failure_record,
    passkey_remove,
    passkey_required,
    passkey_sign_in_refused,
    passkeys_of,
)
from core.accounts.services.sessions import session_forget
from core.accounts.sign_in_session import passkey_needed, passkey_now_held, pending_user, sign_in_complete
from core.audit.origin import Origin

NEXT_KEY = "patchwork_next"  # where the sign-in goes afterwards (the same key as core.accounts.views)
AUTHENTICATION_STATE_KEY = "patchwork_passkey_challenge"
REFUSED = "That passkey cannot be used to sign in here. Sign in with your password and code instead."


def script_configuration(request: HttpRequest) -> dict[str, Any]:
    """What the library's browser script reads (a JSON data block, never an inline script)."""
    return {
        "autocompleteLoginFieldSelector": None,
        "nextFieldSelector": "input[name='next']",
        "csrfToken": csrf.get_token(request),
        "beginAuthenticationUrl": reverse("sign-in-passkey-begin"),
        "completeAuthenticationUrl": reverse("sign-in-passkey-complete"),
        "beginRegistrationUrl": reverse("account-passkey-register-begin"),
        "completeRegistrationUrl": reverse("account-passkey-register-complete"),
    }


def account_passkeys(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "passkeys": passkeys_of(user),  # type: ignore[arg-type]
        "passkey_configuration": script_configuration(request),
        "must_add": passkey_needed(request),
        "required": passkey_required(user),  # type: ignore[arg-type]
    }
    return render(request, "accounts/passkeys.html", context)


@require_POST
def account_passkey_remove(request: HttpRequest, credential_id: int) -> HttpResponse:
    """Remove one of the person's passkeys. If it is the one this session was signed in with, the session
    rests on nothing any more: it ends, and they are told why."""
    device = getattr(request.user, "otp_device", None)
    signed_in_with_it = isinstance(device, WebAuthnCredential) and device.pk == credential_id
    passkey_remove(user=request.user, credential_id=credential_id, origin=Origin.from_request(request))  # type: ignore[arg-type]
    if signed_in_with_it:
        session_forget(session_key=request.session.session_key)
        auth.logout(request)
        messages.success(request, "You removed the passkey you signed in with, so you are signed out.")
        return redirect("sign-in")
    messages.success(request, "The passkey is removed. It can no longer be used to sign in here.")
    return redirect("account-passkeys")


class PasskeyRegisterBegin(BeginCredentialRegistrationView):
    """The options for a new passkey, for the person signed in (both factors: the access middleware)."""


class PasskeyRegisterComplete(CompleteCredentialRegistrationView):
    """The new passkey checked by the library (challenge, origin, relying party), then named and recorded."""

    def post(self, *args: Any, **kwargs: Any) -> JsonResponse:
        user = self.get_user()
        state = self.get_state()
        with rewrite_exceptions():
            credential = self.get_helper().register_complete(user=user, state=state, data=self.request.data)
        passkey_added(user=user, credential=credential, origin=Origin.from_request(self.request))
        passkey_now_held(self.request)
        messages.success(self.request, "Your passkey is added.")
        return JsonResponse({"id": credential.pk})


def _json_body(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _refused(detail: str = REFUSED, status: int = 403) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": "refused"}, status=status)


@never_cache
@require_POST
def passkey_sign_in_begin(request: HttpRequest) -> JsonResponse:
    """A challenge for the browser to sign. After the password: only that person's passkeys are asked for."""
    user = pending_user(request)
    helper = WebAuthnCredential.get_webauthn_helper(request=request)
    options, state = helper.authenticate_begin(user=user, require_user_verification=user is None)
    request.session[AUTHENTICATION_STATE_KEY] = state
    return JsonResponse(options)


def _credential_owner(data: dict[str, Any]) -> User | None:
    """Whose passkey the browser says this is, if it is one made here (the answer is not yet trusted)."""
    try:
        credential = parse_authentication_credential_json(data)
        return WebAuthnCredential.get_by_credential_id(credential.raw_id).user
    except Exception:
        return None


@never_cache
@require_POST
def passkey_sign_in_complete(request: HttpRequest) -> JsonResponse:
    """The signed challenge: checked, then the same checks as a code, then signed in. Each challenge once."""
    origin = Origin.from_request(request)
    state = request.session.pop(AUTHENTICATION_STATE_KEY, None)
    request.session.save()  # the challenge is spent even if what follows fails
    pending = pending_user(request)
    second_factor = pending is not None
    data = _json_body(request)
    if not state:
        return _refused("Start again: the passkey request has expired.", status=400)
    helper = WebAuthnCredential.get_webauthn_helper(request=request)
    try:
        with rewrite_exceptions():
            credential = helper.authenticate_complete(user=pending, state=state, data=data)
    except (webauthn_errors.OTPWebAuthnApiError, KeyError, ValueError, TypeError) as error:
        owner = pending or _credential_owner(data)
        passkey_failure_record(user=owner, second_factor=second_factor, reason=type(error).__name__[:80], origin=origin)
        if pending is not None and pending_user(request) is None:  # that failure locked the account
            return _refused("Sign in again.")
        return _refused()
    user = credential.user
    if not credential.confirmed or passkey_sign_in_refused(user=user, second_factor=second_factor, origin=origin):
        return _refused()
    sign_in_complete(request=request, user=user, device=credential)
    next_url = request.session.pop(NEXT_KEY, None) or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    return JsonResponse({"id": credential.pk, "redirect_url": next_url or reverse("home")})


# Failures are counted in a transaction of their own (services/sign_in.py): never inside the request's.
passkey_sign_in_complete = transaction.non_atomic_requests(passkey_sign_in_complete)
