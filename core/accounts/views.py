"""Signing in (password, then second factor), signing out, sessions. The same views serve the
platform site (platform staff, ``public`` schema) and every council site (its own schema)."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timesince import timesince
from django.views.decorators.http import require_POST
from django_otp import user_has_device

from core.accounts.forms import (
    GENERIC_SIGN_IN_ERROR,
    CodeForm,
    PasswordResetRequestForm,
    SetUpCodeForm,
    SignInForm,
)
from core.accounts.models import UserSession
from core.accounts.passkey_views import script_configuration
from core.accounts.services.devices import (
    totp_device_confirm,
    totp_device_pending,
    totp_qr_code_data_uri,
    totp_secret_for_typing,
)
from core.accounts.services.passkeys import code_refused_for_passkey_holder, has_passkey, passkey_required
from core.accounts.services.sessions import SessionIsCurrent, session_end, session_forget, sessions_end_others
from core.accounts.services.sign_in import (
    MAX_FAILURES,
    sign_in_code_check,
    sign_in_password_check,
    sign_in_set_up_refused,
)
from core.accounts.session_timeout import session_keep_alive
from core.accounts.sign_in_session import pending_user, sign_in_abandon, sign_in_complete, sign_in_pending_start
from core.accounts.user_agents import user_agent_describe
from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin, signed_in_user_id
from core.audit.services.events import audit_record

NEXT_KEY = "patchwork_next"


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return candidate
    return reverse("home")


# Failures are counted in a transaction of their own (services/sign_in.py): never inside the request's.
@transaction.non_atomic_requests
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.user.is_verified():
        return redirect(_safe_next(request, request.GET.get("next")))
    form = SignInForm(request.POST or None)
    failed = False
    if request.method == "POST" and form.is_valid():
        step = sign_in_password_check(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password"],
            origin=Origin.from_request(request),
        )
        if step.accepted:
            sign_in_pending_start(request=request, user=step.user)
            request.session[NEXT_KEY] = _safe_next(request, request.POST.get("next"))
            if user_has_device(step.user):
                return redirect("sign-in-code")
            return redirect("sign-in-set-up")
        failed = True
    elif request.method == "POST":
        failed = True
    context = {
        "form": form,
        "failed": failed,
        "generic_error": GENERIC_SIGN_IN_ERROR,
        "next": request.GET.get("next", ""),
        "max_failures": MAX_FAILURES,
        "passkey_configuration": script_configuration(request),
    }
    return render(request, "accounts/sign_in.html", context, status=200)


@transaction.non_atomic_requests
def sign_in_code(request: HttpRequest) -> HttpResponse:
    user = pending_user(request)
    if user is None:
        return redirect("sign-in")
    if not user_has_device(user):
        return redirect("sign-in-set-up")
    form = CodeForm(request.POST or None)
    passkey_only = passkey_required(user) and has_passkey(user)
    if request.method == "POST" and code_refused_for_passkey_holder(user=user, origin=Origin.from_request(request)):
        form = CodeForm()
        messages.error(request, "Use your passkey to sign in: your council requires it.")
    elif request.method == "POST" and form.is_valid():
        device = sign_in_code_check(user=user, token=form.cleaned_data["code"], origin=Origin.from_request(request))
        if device is not None:
            sign_in_complete(request=request, user=user, device=device)
            return redirect(request.session.pop(NEXT_KEY, None) or reverse("home"))
        form.add_error("code", "Enter a correct code. Codes from the app change every 30 seconds.")
        if pending_user(request) is None:  # that failure locked the account
            messages.error(request, GENERIC_SIGN_IN_ERROR)
            return redirect("sign-in")
    context = {
        "form": form,
        "has_passkey": passkey_only or has_passkey(user),
        "passkey_only": passkey_only,
        "passkey_configuration": script_configuration(request),
    }
    return render(request, "accounts/sign_in_code.html", context)


def sign_in_set_up(request: HttpRequest) -> HttpResponse:
    """First sign-in: set up an authenticator app. Nobody reaches Patchwork without a second factor."""
    user = pending_user(request)
    if user is None:
        return redirect("sign-in")
    if user_has_device(user):
        return redirect("sign-in-code")
    if sign_in_set_up_refused(user=user, origin=Origin.from_request(request)):  # e.g. its agency suspended since
        sign_in_abandon(request=request)
        messages.error(request, GENERIC_SIGN_IN_ERROR)
        return redirect("sign-in")
    device = totp_device_pending(user=user)
    form = SetUpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = totp_device_confirm(
            user=user, device=device, token=form.cleaned_data["code"], origin=Origin.from_request(request)
        )
        if codes is not None:
            sign_in_complete(request=request, user=user, device=device)
            next_url = request.session.pop(NEXT_KEY, None) or reverse("home")
            return render(request, "accounts/backup_codes.html", {"codes": codes, "next_url": next_url})
        form.add_error("code", "Enter the code the app shows now. If it does not work, check the phone's clock.")
    context = {
        "form": form,
        "qr_code": totp_qr_code_data_uri(device=device),
        "secret": totp_secret_for_typing(device),
    }
    return render(request, "accounts/sign_in_set_up.html", context)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit_record(
            action=AuditAction.SIGN_OUT,
            outcome=AuditOutcome.SUCCESS,
            origin=Origin.from_request(request),
            actor_id=request.user.pk,
        )
        session_forget(session_key=request.session.session_key)
    auth.logout(request)
    messages.success(request, "You have signed out.")
    return redirect("sign-in")


@dataclass(frozen=True)
class _SessionShown:
    """One of the person's sessions as the sessions page reads it: in words, never by its key."""

    id: int
    browser: str
    signed_in_at: datetime.datetime
    signed_in_ago: str
    last_active_at: datetime.datetime
    last_active_ago: str
    network_address: str
    is_current: bool


def _ago(moment: datetime.datetime, now: datetime.datetime) -> str:
    if now - moment < datetime.timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment, now, depth=1)} ago"


def _session_shown(row: UserSession, *, current: str | None, now: datetime.datetime) -> _SessionShown:
    return _SessionShown(
        id=row.pk,
        browser=user_agent_describe(row.user_agent),
        signed_in_at=row.created_at,
        signed_in_ago=_ago(row.created_at, now),
        last_active_at=row.last_seen_at,
        last_active_ago=_ago(row.last_seen_at, now),
        network_address=row.ip_address or "",
        is_current=row.session_key == current,
    )


def sessions(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        ended = sessions_end_others(
            user=request.user, session_key=request.session.session_key, origin=Origin.from_request(request)
        )
        messages.success(request, f"Signed out of {ended} other session{'s' if ended != 1 else ''}.")
        return redirect("sessions")
    now = timezone.now()
    current = request.session.session_key
    shown = [_session_shown(row, current=current, now=now) for row in UserSession.objects.filter(user=request.user)]
    shown.sort(key=lambda session: not session.is_current)  # this one first, then the rest, latest active first
    return render(
        request,
        "accounts/sessions.html",
        {"sessions": shown, "others": sum(not session.is_current for session in shown)},
    )


@require_POST
def session_sign_out(request: HttpRequest, session_id: int) -> HttpResponse:
    """Sign out of one other session, chosen on the sessions page. Not the person's: 404, nothing ends."""
    try:
        ended = session_end(
            user=request.user,  # type: ignore[arg-type]
            session_id=session_id,
            current_session_key=request.session.session_key,
            origin=Origin.from_request(request),
        )
    except SessionIsCurrent:
        messages.info(request, "That is the session you are using now. To end it, sign out.")
        return redirect("sessions")
    shown = _session_shown(ended, current=None, now=timezone.now())
    messages.success(request, f"Signed out of {shown.browser}, signed in {shown.signed_in_ago}.")
    return redirect("sessions")


@require_POST
def keep_alive(request: HttpRequest) -> HttpResponse:
    """ "Stay signed in": any verified request resets the idle clock; this one does nothing else."""
    session_keep_alive(request)
    return HttpResponse(status=204)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetRequestForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("password-reset-sent")

    def form_valid(self, form: Any) -> HttpResponse:
        audit_record(
            action=AuditAction.PASSWORD_RESET_REQUESTED,
            outcome=AuditOutcome.SUCCESS,
            origin=Origin.from_request(self.request),
            actor_id=signed_in_user_id(self.request),
        )
        return super().form_valid(form)


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_sent.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """A new password from a single-use, short-lived link. It never signs anyone in: the second
    factor is still needed, at the sign-in page."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password-reset-done")
    post_reset_login = False

    def form_valid(self, form: Any) -> HttpResponse:
        from core.accounts.services.passwords import password_changed

        response = super().form_valid(form)
        password_changed(user=form.user, origin=Origin.from_request(self.request))
        return response


class PasswordResetDoneView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_done.html"
