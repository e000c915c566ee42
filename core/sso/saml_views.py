"""Signing in with an agency's SAML 2.0 provider: the AuthnRequest, the assertion consumer service, our metadata.

The provider posts its Response from its own site. The session cookie is SameSite=Lax, so a browser does
not send it with that cross-site POST: the ACS only parks the posted response (in the council's cache,
two minutes, under a random key) and redirects the browser to itself by GET, a top-level navigation that
does carry the cookie. Only then is the response checked against the session's flow: this council's
schema, the one provider chosen, the AuthnRequest's ID and RelayState, ten minutes, used once.
"""

import datetime
import secrets
from uuid import UUID

from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from core.audit.origin import Origin
from core.sso.finish import provider_page, refusal_page, sign_in_finish
from core.sso.models import IdentityProvider, Protocol
from core.sso.saml import SamlError, assertion_checked, authn_request, metadata_xml, mfa_context
from core.sso.services.sign_in import sso_account_for, sso_sign_in_refused

FLOW_KEY = "patchwork_sso_flow"  # the same key as the OpenID Connect flow: one sign-in under way at a time
FLOW_FOR = datetime.timedelta(minutes=10)
PARKED_FOR = 120  # seconds between the provider's POST and the browser's GET that follows it
PARKED_PREFIX = "sso-saml-response:"
SP_ENTITY_PATH = "/sign-in/organisation/saml/"  # an identifier, not a page: the metadata is below it
SIGN_IN_FAILED = "Signing in with your organisation's account did not work. Try again, or sign in with your password."


def sp_entity_id(origin: Origin) -> str:
    """Our entity id at this council's site (the audience the provider's assertions must name)."""
    return origin.absolute_url(SP_ENTITY_PATH)


def acs_url(origin: Origin) -> str:
    return origin.absolute_url(reverse("sign-in-organisation-saml-acs"))


def saml_sign_in_start(request: HttpRequest, provider: IdentityProvider) -> HttpResponse:
    """Send the browser to the provider with an AuthnRequest; the session keeps what binds the answer to it."""
    origin = Origin.from_request(request)
    saml_request = authn_request(
        sso_url=provider.saml_sso_url, sp_entity_id=sp_entity_id(origin), acs_url=acs_url(origin), now=timezone.now()
    )
    request.session[FLOW_KEY] = {
        "protocol": Protocol.SAML.value,
        "request_id": saml_request.request_id,
        "relay_state": saml_request.relay_state,
        "provider": str(provider.pk),
        "schema": connection.schema_name,
        "started": timezone.now().isoformat(),
    }
    return provider_page(request, saml_request.url)


def _flow_provider(flow: object, relay_state: str) -> tuple[IdentityProvider | None, str]:
    """The provider this response is for, if the session's SAML flow matches it; else why not."""
    if not isinstance(flow, dict) or flow.get("protocol") != Protocol.SAML:
        return None, "no SAML sign-in under way in this session"
    if not relay_state or not secrets.compare_digest(str(flow.get("relay_state", "")), relay_state):
        return None, "RelayState does not match"
    if flow.get("schema") != connection.schema_name:
        return None, "sign-in started at another council's site"
    try:
        started = datetime.datetime.fromisoformat(str(flow.get("started")))
        provider_id = UUID(str(flow.get("provider")))
    except ValueError:
        return None, "flow malformed"
    if timezone.now() - started > FLOW_FOR:
        return None, "sign-in expired"
    provider = (
        IdentityProvider.objects.select_related("agency")
        .filter(pk=provider_id, enabled=True, protocol=Protocol.SAML)
        .first()
    )
    if provider is None:
        return None, "provider unknown, turned off or no longer SAML"
    return provider, ""


@csrf_exempt  # the provider's cross-site POST: it carries no CSRF token; the response's own checks bind it
@transaction.non_atomic_requests
@require_http_methods(["GET", "POST"])
def saml_acs(request: HttpRequest) -> HttpResponse:
    """The provider's POST is parked and the browser sent back here by GET, where everything is checked."""
    if request.method == "POST":
        key = secrets.token_urlsafe(32)
        parked = {
            "response": request.POST.get("SAMLResponse", "")[:300_000],
            "relay_state": request.POST.get("RelayState", "")[:200],
        }
        cache.set(PARKED_PREFIX + key, parked, PARKED_FOR)
        response = HttpResponseRedirect(f"{reverse('sign-in-organisation-saml-acs')}?received={key}")
        response.status_code = 303
        return response
    return _saml_sign_in(request)


def _saml_sign_in(request: HttpRequest) -> HttpResponse:
    origin = Origin.from_request(request)
    key = request.GET.get("received", "")[:100]
    parked = cache.get(PARKED_PREFIX + key) if key else None
    if parked is not None:
        cache.delete(PARKED_PREFIX + key)  # used once
    flow = request.session.pop(FLOW_KEY, None)  # used once, whatever happens next
    if not isinstance(parked, dict):
        sso_sign_in_refused(provider=None, reason="no SAML response received", origin=origin)
        return refusal_page(request, SIGN_IN_FAILED)
    provider, problem = _flow_provider(flow, str(parked.get("relay_state", "")))
    if provider is None:
        sso_sign_in_refused(provider=None, reason=problem, origin=origin)
        return refusal_page(request, SIGN_IN_FAILED)
    try:
        assertion = assertion_checked(
            saml_response=str(parked.get("response", "")),
            certificate_pem=provider.saml_certificate,
            idp_entity_id=provider.saml_entity_id,
            sp_entity_id=sp_entity_id(origin),
            acs_url=acs_url(origin),
            request_id=str(flow["request_id"]),  # type: ignore[index]
            now=timezone.now(),
        )
    except SamlError as error:
        sso_sign_in_refused(provider=provider, reason=f"SAML: {error}", origin=origin)
        return refusal_page(request, SIGN_IN_FAILED)
    # The provider's signed assertion is what vouches for the email (as email_verified does in OpenID Connect).
    claims = {"sub": assertion.name_id, "email": assertion.email, "email_verified": True}
    account = sso_account_for(provider=provider, claims=claims, origin=origin)
    return sign_in_finish(
        request,
        provider=provider,
        account=account,
        subject=assertion.name_id,
        claim=mfa_context(assertion, accepted=provider.saml_mfa_contexts),
        first_name=assertion.given_name,
        last_name=assertion.family_name,
    )


@require_GET
def saml_metadata(request: HttpRequest) -> HttpResponse:
    """Our service provider metadata at this council's site, for agencies' IT teams."""
    origin = Origin.from_request(request)
    return HttpResponse(
        metadata_xml(sp_entity_id=sp_entity_id(origin), acs_url=acs_url(origin)),
        content_type="application/samlmetadata+xml",
    )
