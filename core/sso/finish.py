"""After an agency's provider answered and its answer was checked (OpenID Connect or SAML): what happens next is the
same for both — the person's invitation to finish, a refusal page, a session signed in on the strength of the
provider's second factor, or our own second factor, exactly as after a password."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django_otp import user_has_device

from core.accounts.sign_in_session import sign_in_complete, sign_in_pending_start
from core.sso.invitation_views import invitation_flow_start
from core.sso.models import IdentityProvider
from core.sso.services.sign_in import SsoAccount, sso_device_for


def provider_page(request: HttpRequest, url: str) -> HttpResponse:
    """Send the browser on to the agency's provider. Not with a redirect: one that follows a form's POST to another
    site is refused by the browser under our Content-Security-Policy (``form-action 'self'``), and loosening that
    for every provider would loosen it on every page. A page that moves on at once (a meta refresh: no script) and
    has a button to follow if it does not."""
    return render(request, "sso/continue_to_provider.html", {"url": url})


def refusal_page(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "sso/sign_in_refused.html", {"message": message}, status=403)


def sign_in_finish(
    request: HttpRequest,
    *,
    provider: IdentityProvider,
    account: SsoAccount,
    subject: str,
    claim: str,
    first_name: str,
    last_name: str,
) -> HttpResponse:
    """``claim`` is what in the answer shows the provider asked for a second factor ("" if nothing does)."""
    if account.invitation is not None:  # no account yet: the invitation's, once the person finishes it
        return invitation_flow_start(
            request,
            provider=provider,
            invitation=account.invitation,
            subject=subject,
            mfa_claim=claim,
            first_name=first_name,
            last_name=last_name,
        )
    if account.user is None:
        return refusal_page(request, account.message)
    if claim:
        device = sso_device_for(user=account.user, provider=provider, claim=claim)
        sign_in_complete(request=request, user=account.user, device=device)
        return redirect("home")
    # No second factor at the provider: ours, exactly as after a password.
    sign_in_pending_start(request=request, user=account.user)
    return redirect("sign-in-code" if user_has_device(account.user) else "sign-in-set-up")
