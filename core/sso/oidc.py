"""OpenID Connect, the relying party's side: discovery, the authorisation request (state, nonce,
PKCE), the code exchange and the ID token's checks. No database here: what to do with the person
the provider names is ``core.sso.services.sign_in``.

The ID token is trusted only after its signature is checked against the provider's published keys
(JWKS) and its issuer, audience, expiry and nonce are those of this request: a token issued to
another client, by another provider, or for another sign-in, is refused.
"""

import ipaddress
import secrets
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.conf import settings
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

SCOPES = "openid email profile"
SIGNING_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"]
CLOCK_LEEWAY = 60  # seconds of difference allowed between our clock and the provider's


class ProviderError(Exception):
    """The provider could not be reached, or answered something we cannot use. The message is for people."""


@dataclass(frozen=True)
class Discovery:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


@dataclass(frozen=True)
class AuthorisationRequest:
    """What the browser is sent to the provider with, and what the session keeps to check the answer."""

    url: str
    state: str
    nonce: str
    code_verifier: str


def issuer_normalised(issuer: str) -> str:
    return issuer.strip().rstrip("/")


def public_address_check(url: str) -> None:
    """Refuse a provider's address that leads inside (loopback, private, link-local such as the cloud's metadata
    service): the server fetches what an administrator typed, so it must not become a way in. Checked before each
    request; the demo and the tests allow their local provider (``SSO_PROVIDERS_MAY_BE_LOCAL``)."""
    if settings.SSO_PROVIDERS_MAY_BE_LOCAL:
        return
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise ProviderError("The provider's address must start with https://.")
    try:
        addresses = {
            info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
        }
    except (OSError, UnicodeError) as error:
        raise ProviderError(f"The provider's name {parts.hostname} does not resolve.") from error
    if not addresses or not all(ipaddress.ip_address(address.split("%")[0]).is_global for address in addresses):
        raise ProviderError(f"The provider's address {parts.hostname} is not on the public internet.")


def _get_json(url: str) -> dict[str, Any]:
    public_address_check(url)
    try:
        response = httpx.get(url, timeout=settings.SSO_HTTP_TIMEOUT, follow_redirects=False)
        response.raise_for_status()
        body = response.json()
    except httpx.HTTPError as error:
        raise ProviderError(f"The provider did not answer at {url} ({error.__class__.__name__}).") from error
    except ValueError as error:
        raise ProviderError(f"The provider's answer at {url} is not JSON.") from error
    if not isinstance(body, dict):
        raise ProviderError(f"The provider's answer at {url} is not a JSON object.")
    return body


def discover(issuer: str) -> Discovery:
    """The provider's discovery document, which must name the issuer exactly as configured."""
    issuer = issuer_normalised(issuer)
    document = _get_json(f"{issuer}/.well-known/openid-configuration")
    if issuer_normalised(str(document.get("issuer", ""))) != issuer:
        raise ProviderError("The provider's discovery document names another issuer than the one configured.")
    try:
        return Discovery(
            issuer=issuer,
            authorization_endpoint=str(document["authorization_endpoint"]),
            token_endpoint=str(document["token_endpoint"]),
            jwks_uri=str(document["jwks_uri"]),
        )
    except KeyError as error:
        raise ProviderError(f"The provider's discovery document has no {error.args[0]}.") from error


def authorisation_request(
    *, discovery: Discovery, client_id: str, redirect_uri: str, login_hint: str = ""
) -> AuthorisationRequest:
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    code_verifier = secrets.token_urlsafe(64)
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": SCOPES,
        "state": state,
        "nonce": nonce,
        "code_challenge": create_s256_code_challenge(code_verifier),
        "code_challenge_method": "S256",
    }
    if login_hint:
        query["login_hint"] = login_hint
    separator = "&" if "?" in discovery.authorization_endpoint else "?"
    return AuthorisationRequest(
        url=f"{discovery.authorization_endpoint}{separator}{urlencode(query)}",
        state=state,
        nonce=nonce,
        code_verifier=code_verifier,
    )


def code_exchange(
    *, discovery: Discovery, client_id: str, client_secret: str, code: str, redirect_uri: str, code_verifier: str
) -> str:
    """The ID token (still unchecked) for an authorisation code."""
    public_address_check(discovery.token_endpoint)
    try:
        response = httpx.post(
            discovery.token_endpoint,
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": code_verifier,
            },
            auth=(client_id, client_secret),
            timeout=settings.SSO_HTTP_TIMEOUT,
            follow_redirects=False,
        )
        response.raise_for_status()
        body = response.json()
    except (httpx.HTTPError, ValueError) as error:
        raise ProviderError("The provider refused to exchange the sign-in code.") from error
    id_token = body.get("id_token") if isinstance(body, dict) else None
    if not isinstance(id_token, str) or not id_token:
        raise ProviderError("The provider's answer has no ID token.")
    return id_token


def id_token_claims(*, discovery: Discovery, id_token: str, client_id: str, nonce: str) -> dict[str, Any]:
    """The ID token's claims, once its signature (the provider's JWKS), issuer, audience, expiry and nonce hold."""
    keys = KeySet.import_key_set(_get_json(discovery.jwks_uri))  # type: ignore[arg-type]
    try:
        token = jwt.decode(id_token, keys, algorithms=SIGNING_ALGORITHMS)
        jwt.JWTClaimsRegistry(
            leeway=CLOCK_LEEWAY,
            iss={"essential": True, "value": discovery.issuer},
            aud={"essential": True, "value": client_id},
            exp={"essential": True},
            sub={"essential": True},
            nonce={"essential": True, "value": nonce},
        ).validate(token.claims)
    except (JoseError, ValueError) as error:
        raise ProviderError(f"The ID token is not valid ({error.__class__.__name__}).") from error
    claims = dict(token.claims)
    audience = claims.get("aud")
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != client_id:
        raise ProviderError("The ID token was issued to another client.")
    return claims


def mfa_claim(claims: dict[str, Any], *, amr_values: list[str], acr_values: list[str]) -> str:
    """What in the ID token shows the provider asked for a second factor (``amr mfa``), or "" if nothing does."""
    amr = claims.get("amr")
    if isinstance(amr, list):
        shown = sorted({value for value in amr if isinstance(value, str)} & set(amr_values))
        if shown:
            return "amr " + " ".join(shown)
    acr = claims.get("acr")
    if isinstance(acr, str) and acr and acr in acr_values:
        return f"acr {acr}"[:250]
    return ""
