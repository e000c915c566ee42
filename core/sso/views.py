"""Single sign-on pages: a council administrator's settings for an agency, and signing in with the
agency's provider (the work email, the trip to the provider, the way back).

What the sign-in keeps in the session between leaving for the provider and coming back (state, nonce,
PKCE verifier) is bound to this council's schema and to the one provider chosen: an answer meant for
another council's site, another provider, or an earlier attempt is refused. It is used once.
"""

import datetime
import secrets
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from config.form_errors import errors_onto
from core.audit.origin import Origin
from core.directory.models import Agency, Practitioner
from core.directory.selectors import practitioner_for_user
from core.sso.encryption import secret_decrypt
from core.sso.finish import provider_page, refusal_page, sign_in_finish
from core.sso.forms import IdentityProviderForm, OrganisationEmailForm
from core.sso.models import IdentityProvider, Protocol
from core.sso.oidc import ProviderError, authorisation_request, code_exchange, discover, id_token_claims, mfa_claim
from core.sso.saml import SamlError, certificate_fingerprint, certificate_loaded
from core.sso.saml_views import acs_url, saml_sign_in_start, sp_entity_id
from core.sso.selectors import provider_for_email, provider_of
from core.sso.services.providers import ProviderSettings, identity_provider_check, identity_provider_save
from core.sso.services.sign_in import sso_account_for, sso_sign_in_refused

FLOW_KEY = "patchwork_sso_flow"
FLOW_FOR = datetime.timedelta(minutes=10)
NOT_HERE = (
    "Your organisation does not sign in to this council's Patchwork with its own account. Sign in with your password."
)
SIGN_IN_FAILED = "Signing in with your organisation's account did not work. Try again, or sign in with your password."


# --- Council administration ------------------------------------------------------------------------


def _administrator(request: HttpRequest) -> Practitioner:
    practitioner = practitioner_for_user(user=request.user)  # type: ignore[arg-type]
    if practitioner is None or not practitioner.is_council_admin:
        raise PermissionDenied("Only council administrators use council administration.")
    return practitioner


@require_http_methods(["GET", "POST"])
def identity_provider(request: HttpRequest, agency_id: UUID) -> HttpResponse:
    """Set, change, check or turn off the agency's provider. The secret is never shown back."""
    actor = _administrator(request)
    agency = get_object_or_404(Agency, pk=agency_id)
    provider = provider_of(agency)
    initial = (
        {
            "protocol": provider.protocol,
            "saml_entity_id": provider.saml_entity_id,
            "saml_sso_url": provider.saml_sso_url,
            "saml_mfa_contexts": ", ".join(provider.saml_mfa_contexts),
            "display_name": provider.display_name,
            "issuer": provider.issuer,
            "client_id": provider.client_id,
            "mfa_amr_values": ", ".join(provider.mfa_amr_values),
            "mfa_acr_values": ", ".join(provider.mfa_acr_values),
            "enabled": provider.enabled,
        }
        if provider
        else {"enabled": True}
    )
    form = IdentityProviderForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = ProviderSettings(**form.cleaned_data)
        if request.POST.get("action") == "check" and values.protocol == Protocol.SAML:
            try:
                certificate = certificate_loaded(
                    values.saml_certificate or (provider.saml_certificate if provider else "")
                )
            except SamlError as error:
                form.add_error("saml_certificate", f"The certificate could not be checked: {error}")
            else:
                until = certificate.not_valid_after_utc.date().isoformat()
                messages.success(request, f"The certificate can be read; it is valid until {until}.")
                return redirect("administration-agency-sso", agency_id=agency.pk)
        elif request.POST.get("action") == "check":
            try:
                identity_provider_check(issuer=values.issuer)
            except ProviderError as error:
                form.add_error("issuer", f"The provider could not be checked: {error}")
            else:
                messages.success(request, "The provider answered: its discovery document names this issuer.")
                return redirect("administration-agency-sso", agency_id=agency.pk)
        else:
            try:
                identity_provider_save(actor=actor, agency=agency, values=values, origin=Origin.from_request(request))
            except ValidationError as error:
                errors_onto(form, error)
            else:
                state = "on" if values.enabled else "off"
                messages.success(request, f"Single sign-on for {agency.name} is saved and turned {state}.")
                return redirect("administration-agency", agency_id=agency.pk)
    origin = Origin.from_request(request)
    context = {
        "agency": agency,
        "provider": provider,
        "form": form,
        "saml_entity_id": sp_entity_id(origin),
        "saml_acs_url": acs_url(origin),
        "saml_fingerprint": certificate_fingerprint(provider.saml_certificate) if provider else "",
    }
    return render(request, "sso/identity_provider.html", context)


# --- Signing in ------------------------------------------------------------------------------------


def _redirect_uri(request: HttpRequest) -> str:
    return Origin.from_request(request).absolute_url(reverse("sign-in-organisation-callback"))


@transaction.non_atomic_requests
@require_http_methods(["GET", "POST"])
def sign_in_organisation(request: HttpRequest) -> HttpResponse:
    """Ask the work email, find the agency's provider, and send the browser there."""
    if request.user.is_authenticated and request.user.is_verified():  # type: ignore[union-attr]
        return redirect("home")
    form = OrganisationEmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        provider = provider_for_email(email)
        if provider is None:
            form.add_error("email", NOT_HERE)
        elif provider.protocol == Protocol.SAML:
            return saml_sign_in_start(request, provider)
        else:
            try:
                discovery = discover(provider.issuer)
            except ProviderError as error:
                sso_sign_in_refused(provider=provider, reason=str(error), origin=Origin.from_request(request))
                form.add_error("email", "Your organisation's sign-in service did not answer. Try again later.")
            else:
                auth = authorisation_request(
                    discovery=discovery,
                    client_id=provider.client_id,
                    redirect_uri=_redirect_uri(request),
                    login_hint=email,
                )
                request.session[FLOW_KEY] = {
                    "protocol": Protocol.OIDC.value,
                    "state": auth.state,
                    "nonce": auth.nonce,
                    "code_verifier": auth.code_verifier,
                    "provider": str(provider.pk),
                    "schema": connection.schema_name,
                    "started": timezone.now().isoformat(),
                }
                return provider_page(request, auth.url)
    return render(request, "sso/sign_in_organisation.html", {"form": form})


def _flow_provider(request: HttpRequest, flow: object) -> tuple[IdentityProvider | None, str]:
    """The provider this answer is for, if the session's flow matches it; else why not."""
    if not isinstance(flow, dict) or flow.get("protocol", Protocol.OIDC) != Protocol.OIDC:
        return None, "no sign-in under way in this session"
    state = request.GET.get("state", "")
    if not state or not secrets.compare_digest(str(flow.get("state", "")), state):
        return None, "state does not match"
    if flow.get("schema") != connection.schema_name:
        return None, "sign-in started at another council's site"
    try:
        started = datetime.datetime.fromisoformat(str(flow.get("started")))
    except ValueError:
        return None, "state malformed"
    if timezone.now() - started > FLOW_FOR:
        return None, "state expired"
    provider = (
        IdentityProvider.objects.select_related("agency")
        .filter(pk=flow.get("provider"), enabled=True, protocol=Protocol.OIDC)
        .first()
        if _is_uuid(flow.get("provider"))
        else None
    )
    if provider is None:
        return None, "provider unknown or turned off"
    return provider, ""


def _is_uuid(value: object) -> bool:
    try:
        UUID(str(value))
    except ValueError:
        return False
    return True


@transaction.non_atomic_requests
@require_http_methods(["GET"])
def sign_in_organisation_callback(request: HttpRequest) -> HttpResponse:
    """Back from the provider: check everything, then sign in (its MFA claim) or ask our second factor."""
    origin = Origin.from_request(request)
    flow = request.session.pop(FLOW_KEY, None)  # used once, whatever happens next
    provider, problem = _flow_provider(request, flow)
    if provider is None:
        sso_sign_in_refused(provider=None, reason=problem, origin=origin)
        return refusal_page(request, SIGN_IN_FAILED)
    if request.GET.get("error") or not request.GET.get("code"):
        sso_sign_in_refused(provider=provider, reason="the provider sent no code", origin=origin)
        return refusal_page(request, SIGN_IN_FAILED)
    try:
        discovery = discover(provider.issuer)
        id_token = code_exchange(
            discovery=discovery,
            client_id=provider.client_id,
            client_secret=secret_decrypt(provider.client_secret_encrypted),
            code=request.GET["code"],
            redirect_uri=_redirect_uri(request),
            code_verifier=str(flow["code_verifier"]),  # type: ignore[index]
        )
        claims = id_token_claims(
            discovery=discovery,
            id_token=id_token,
            client_id=provider.client_id,
            nonce=str(flow["nonce"]),  # type: ignore[index]
        )
    except (ProviderError, ValueError) as error:
        sso_sign_in_refused(provider=provider, reason=str(error), origin=origin)
        return refusal_page(request, SIGN_IN_FAILED)
    account = sso_account_for(provider=provider, claims=claims, origin=origin)
    return sign_in_finish(
        request,
        provider=provider,
        account=account,
        subject=str(claims.get("sub", "")),
        claim=mfa_claim(claims, amr_values=provider.mfa_amr_values, acr_values=provider.mfa_acr_values),
        first_name=str(claims.get("given_name") or ""),
        last_name=str(claims.get("family_name") or ""),
    )
