"""A first single sign-on by someone who has an invitation but no account yet: "Finish creating your account".

The provider has proved the email; the invitation authorises the account. Between the provider's answer
and this page the session keeps the invitation, the provider, the provider's subject and the MFA claim it
found, bound to this council's schema and that provider, for ten minutes, and used once (as the sign-in's
own flow is). Nothing is created before the person submits the page.
"""

import datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from core.accounts.sign_in_session import sign_in_complete, sign_in_pending_start
from core.audit.origin import Origin
from core.directory.models import Invitation
from core.sso.forms import InvitationFinishForm
from core.sso.models import IdentityProvider
from core.sso.services.sign_in import (
    INVITATION_UNUSABLE,
    sso_device_for,
    sso_invitation_accept,
    sso_sign_in_refused,
)

INVITATION_FLOW_KEY = "patchwork_sso_invitation"
INVITATION_FLOW_FOR = datetime.timedelta(minutes=10)
SIGN_IN_FAILED = "Signing in with your organisation's account did not work. Try again, or sign in with your password."


def invitation_flow_start(
    request: HttpRequest,
    *,
    provider: IdentityProvider,
    invitation: Invitation,
    subject: str,
    mfa_claim: str,
    first_name: str,
    last_name: str,
) -> HttpResponse:
    """Keep what the provider said, and send the person to finish creating their account."""
    request.session[INVITATION_FLOW_KEY] = {
        "invitation": str(invitation.pk),
        "provider": str(provider.pk),
        "subject": subject,
        "mfa_claim": mfa_claim,
        "first_name": first_name[:100],
        "last_name": last_name[:100],
        "schema": connection.schema_name,
        "started": timezone.now().isoformat(),
    }
    return redirect("sign-in-organisation-invitation")


def _refusal_page(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "sso/sign_in_refused.html", {"message": message}, status=403)


def _uuid(value: object) -> UUID | None:
    try:
        return UUID(str(value))
    except ValueError:
        return None


def _flow_checked(flow: object) -> tuple[IdentityProvider | None, Invitation | None, str]:
    """The provider and the still-usable invitation this session's flow names; else why not."""
    if not isinstance(flow, dict):
        return None, None, "no invitation sign-in under way in this session"
    if flow.get("schema") != connection.schema_name:
        return None, None, "invitation sign-in started at another council's site"
    try:
        started = datetime.datetime.fromisoformat(str(flow.get("started")))
    except ValueError:
        return None, None, "invitation sign-in malformed"
    if timezone.now() - started > INVITATION_FLOW_FOR or not flow.get("subject"):
        return None, None, "invitation sign-in expired"
    provider_id, invitation_id = _uuid(flow.get("provider")), _uuid(flow.get("invitation"))
    provider = (
        IdentityProvider.objects.select_related("agency").filter(pk=provider_id, enabled=True).first()
        if provider_id
        else None
    )
    if provider is None:
        return None, None, "provider unknown or turned off"
    invitation = (
        Invitation.objects.select_related("agency")
        .filter(
            pk=invitation_id,
            agency_id=provider.agency_id,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .first()
        if invitation_id
        else None
    )
    if invitation is None:
        return provider, None, "invitation no longer usable"
    return provider, invitation, ""


@transaction.non_atomic_requests
@require_http_methods(["GET", "POST"])
def sign_in_organisation_invitation(request: HttpRequest) -> HttpResponse:
    """Finish creating the account: names and job title. Then signed in (the provider's second factor) or on
    to setting up ours."""
    origin = Origin.from_request(request)
    flow: Any = request.session.get(INVITATION_FLOW_KEY)
    provider, invitation, problem = _flow_checked(flow)
    if provider is None or invitation is None:
        request.session.pop(INVITATION_FLOW_KEY, None)
        sso_sign_in_refused(provider=provider, reason=problem, origin=origin)
        return _refusal_page(request, INVITATION_UNUSABLE if provider else SIGN_IN_FAILED)
    initial = {
        "first_name": flow.get("first_name") or invitation.first_name,
        "last_name": flow.get("last_name") or invitation.last_name,
        "job_title": invitation.job_title,
    }
    form = InvitationFinishForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        request.session.pop(INVITATION_FLOW_KEY, None)  # used once, whatever happens next
        try:
            user = sso_invitation_accept(
                provider=provider,
                subject=str(flow["subject"]),
                invitation_id=invitation.pk,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                job_title=form.cleaned_data["job_title"],
                origin=origin,
            )
        except ValidationError:
            return _refusal_page(request, INVITATION_UNUSABLE)
        claim = str(flow.get("mfa_claim") or "")
        if claim:
            device = sso_device_for(user=user, provider=provider, claim=claim)
            sign_in_complete(request=request, user=user, device=device)
            return redirect("home")
        # No second factor at the provider: ours, set up now, exactly as after accepting an invitation's link.
        sign_in_pending_start(request=request, user=user)
        return redirect("sign-in-set-up")
    return render(request, "sso/invitation_finish.html", {"form": form, "invitation": invitation, "provider": provider})
