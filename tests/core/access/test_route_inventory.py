"""Every route on both sites is either on the explicit public list or needs both factors (AZ-1, AUTH-1).

The test walks the URLconfs, so a new route is covered the moment it is added: it fails until the
route is either protected or consciously listed here as public.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_tenants.utils import schema_context

from core.accounts.access import PUBLIC, SIGN_IN_STEP, access_of
from tenants.models import Council
from tests.conftest import host_of
from tests.factories import TEST_PASSWORD, PractitionerFactory, UserFactory

PUBLIC_ROUTES = {
    "platform": {
        "landing",
        "order",
        "order-confirmation",
        "terms",
        "security",
        "sign-in",
        "sign-out",
        "password-reset",
        "password-reset-sent",
        "password-reset-confirm",
        "password-reset-done",
        "accessibility",
        "privacy",
        "offboarding-export",
        "sign-in-passkey-begin",
        "sign-in-passkey-complete",
        "passkeys-script-text",
    },
    "council": {
        "sign-in",
        "sign-out",
        "password-reset",
        "password-reset-sent",
        "password-reset-confirm",
        "password-reset-done",
        "accessibility",
        "privacy",
        "invitation",
        "sign-in-passkey-begin",
        "sign-in-passkey-complete",
        "passkeys-script-text",
        "sign-in-organisation",  # single sign-on: the work email, then the agency's provider
        "sign-in-organisation-callback",  # single sign-on: back from the provider (state, nonce, PKCE checked)
        "sign-in-organisation-invitation",  # single sign-on: finish the account an invitation authorises
        "sign-in-organisation-saml-acs",  # SAML: the provider's cross-site POST (signature, audience, request ID)
        "sign-in-organisation-saml-metadata",  # SAML: our service provider metadata, for agencies' IT teams
        "api-client-token",  # an API client proves itself with its id and secret (core/api_clients/token.py)
    },
}
SIGN_IN_STEP_ROUTES = {"sign-in-code", "sign-in-set-up"}
URLCONFS = {"platform": "config.urls_public", "council": "config.urls_tenant"}


@dataclass(frozen=True)
class Route:
    site: str
    name: str
    pattern: str
    view: object


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, object]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name or ''}", prefix + str(entry.pattern), entry.callback


def routes(site: str) -> list[Route]:
    return [Route(site, name, pattern, view) for name, pattern, view in _walk(get_resolver(URLCONFS[site]))]


def _example_path(pattern: str) -> str:
    """A concrete path for a pattern: converters filled with harmless values."""
    import re

    path = pattern.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")
    path = re.sub(r"<uuid:[^>]+>", "00000000-0000-4000-8000-000000000000", path)
    path = re.sub(r"<(?:int|path|str|slug)?:?[^>]+>", "x", path)
    path = re.sub(r"\(\?P<[^>]+>[^)]*\)", "x", path)
    return "/" + path


@pytest.mark.parametrize("site", ["platform", "council"])
def test_only_the_listed_routes_are_public(site: str) -> None:
    public = {route.name for route in routes(site) if access_of(route.view) == PUBLIC}
    assert public == PUBLIC_ROUTES[site]


@pytest.mark.parametrize("site", ["platform", "council"])
def test_only_the_second_factor_pages_are_open_between_the_two_steps(site: str) -> None:
    steps = {route.name for route in routes(site) if access_of(route.view) == SIGN_IN_STEP}
    assert steps == SIGN_IN_STEP_ROUTES


def _password_only(client: Client, email: str) -> None:
    response = client.post("/sign-in/", {"email": email, "password": TEST_PASSWORD})
    assert response.status_code == 302, "the password step should pass"


@pytest.mark.parametrize("site", ["platform", "council"])
def test_no_protected_route_answers_a_password_only_session(site: str, council_a: Council) -> None:
    if site == "council":
        with schema_context(council_a.schema_name):
            PractitionerFactory(user__email="half@agency.example", is_council_admin=True)
        client = Client(HTTP_HOST=host_of(council_a))
    else:
        UserFactory(email="half@patchwork.example", is_staff=True, is_superuser=True)
        client = Client(HTTP_HOST="localhost")
    _password_only(client, "half@agency.example" if site == "council" else "half@patchwork.example")

    checked = 0
    for route in routes(site):
        if access_of(route.view) in (PUBLIC, SIGN_IN_STEP):
            continue
        path = _example_path(route.pattern)
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            assert response.status_code in (302, 403, 404, 405), f"{method.upper()} {path} ({route.name})"
            if response.status_code == 302:
                assert response.url.startswith("/sign-in/"), f"{path} redirected to {response.url}"
            checked += 1
    assert checked >= 6
