"""A real OpenID provider (oidc-provider-mock on Flask and authlib) on a free local port, and helpers
that play the browser's part at it: the tests drive the whole flow over HTTP, nothing is mocked."""

import html
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import oidc_provider_mock
import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from core.audit.origin import NO_ORIGIN
from core.directory.models import Agency, Practitioner
from core.sso.models import IdentityProvider
from core.sso.services.providers import ProviderSettings, identity_provider_save
from tenants.models import Council
from tests.factories import AgencyFactory, PractitionerFactory

CLIENT_ID = "patchwork-test-client"
CLIENT_SECRET = "a-client-secret-for-the-test-provider"


@pytest.fixture(scope="session")
def provider_url() -> Iterator[str]:
    with oidc_provider_mock.run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


def provider_user(provider_url: str, sub: str, **claims: object) -> None:
    """What the provider says of this person in its ID tokens (its ``PUT /users/<sub>``)."""
    response = httpx.put(f"{provider_url}/users/{sub}", json=claims, timeout=5)
    assert response.status_code == 204, response.text


def provider_configure(council: Council, agency: Agency, admin: Practitioner, provider_url: str) -> IdentityProvider:
    with schema_context(council.schema_name):
        return identity_provider_save(
            actor=admin,
            agency=agency,
            values=ProviderSettings(
                display_name="Test provider", issuer=provider_url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET
            ),
            origin=NO_ORIGIN,
        )


def to_provider(client: Client, email: str) -> str:
    """The work email on our page: the provider's authorisation address the browser is sent to."""
    response = client.post("/sign-in/organisation/", {"email": email})
    return provider_url_on(response)


def provider_url_on(response: object) -> str:
    """Where the page that sends the browser on to the provider sends it: its meta refresh, and its button."""
    assert response.status_code == 200, response.content.decode()[:2000]  # type: ignore[attr-defined]
    page = response.content.decode()  # type: ignore[attr-defined]
    refresh = re.search(r'<meta http-equiv="refresh" content="0;url=([^"]+)">', page)
    button = re.search(r'id="continue-to-provider" href="([^"]+)"', page)
    assert refresh, page[:2000]
    assert button, page[:2000]
    assert refresh.group(1) == button.group(1)
    return html.unescape(button.group(1))


def at_provider(authorize_url: str, sub: str) -> str:
    """The person signs in at the provider as ``sub``: the callback address (path and query) it sends them back to."""
    response = httpx.post(authorize_url, data={"sub": sub}, follow_redirects=False, timeout=5)
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["location"])
    return f"{location.path}?{location.query}"


def sso_sign_in(client: Client, email: str, sub: str) -> object:
    return client.get(at_provider(to_provider(client, email), sub))


# The agency every test here signs in to: a health trust of council A, with its administrator and a nurse.
@pytest.fixture
def trust(council_a: Council) -> Agency:
    with schema_context(council_a.schema_name):
        return AgencyFactory(name="Alpha Health Trust", email_domains=["trust.example"])


@pytest.fixture
def admin_a(council_a: Council, trust: Agency) -> Practitioner:
    with schema_context(council_a.schema_name):
        return PractitionerFactory(agency=trust, user__email="admin@trust.example", is_council_admin=True)


@pytest.fixture
def nurse(council_a: Council, trust: Agency) -> Practitioner:
    with schema_context(council_a.schema_name):
        return PractitionerFactory(agency=trust, user__email="nurse@trust.example", verified_at=timezone.now())
