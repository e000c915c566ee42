"""A council administrator sets an agency's single sign-on: the secret is write-only and encrypted at rest."""

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent
from core.directory.models import Agency, Practitioner
from core.sso.encryption import secret_decrypt
from core.sso.models import IdentityProvider
from tenants.models import Council
from tests.conftest import sign_in
from tests.core.administration import person
from tests.core.sso.conftest import CLIENT_SECRET

pytestmark = pytest.mark.council_side


def _form(issuer: str, **changes: str) -> dict[str, str]:
    return {
        "display_name": "Early Help staff account",
        "issuer": issuer,
        "client_id": "patchwork",
        "client_secret": CLIENT_SECRET,
        "mfa_amr_values": "mfa, otp",
        "mfa_acr_values": "",
        "enabled": "on",
        "action": "save",
        **changes,
    }


def _page(agency: Agency) -> str:
    return f"/administration/agencies/{agency.pk}/single-sign-on/"


def _provider(council: Council) -> IdentityProvider | None:
    with schema_context(council.schema_name):
        return IdentityProvider.objects.first()


def test_set_then_change_without_the_secret_which_stays_encrypted_and_is_never_shown(
    as_admin: Client, council_a: Council, home_agency: Agency, provider_url: str
) -> None:
    assert as_admin.get(f"/administration/agencies/{home_agency.pk}/").content.decode().count(_page(home_agency)) == 1
    response = as_admin.post(_page(home_agency), _form(provider_url))
    assert response.status_code == 302, response.content.decode()[:3000]
    provider = _provider(council_a)
    assert provider is not None
    assert provider.enabled
    assert provider.mfa_amr_values == ["mfa", "otp"]
    # At rest: not the plain secret, in the column itself; it decrypts.
    with schema_context(council_a.schema_name), connection.cursor() as cursor:
        cursor.execute("select client_secret_encrypted from sso_identityprovider")
        [(stored,)] = cursor.fetchall()
    assert CLIENT_SECRET not in stored
    assert secret_decrypt(stored) == CLIENT_SECRET

    page = as_admin.get(_page(home_agency)).content.decode()
    assert CLIENT_SECRET not in page
    assert stored not in page

    response = as_admin.post(
        _page(home_agency), _form(provider_url, client_secret="", display_name="Renamed", enabled="")
    )
    assert response.status_code == 302
    provider = _provider(council_a)
    assert provider.display_name == "Renamed"
    assert not provider.enabled
    assert secret_decrypt(provider.client_secret_encrypted) == CLIENT_SECRET
    with schema_context(council_a.schema_name):
        events = list(AuditEvent.objects.filter(action=AuditAction.IDENTITY_PROVIDER_CHANGED).order_by("occurred_at"))
    assert len(events) == 2
    assert events[0].changes["client_secret"] == {"old": None, "new": "(changed)"}
    assert "client_secret" not in events[1].changes
    assert events[1].changes["enabled"] == {"old": True, "new": False}
    for event in events:
        assert CLIENT_SECRET not in str(event.changes)


def test_a_first_setting_needs_the_secret(as_admin: Client, council_a: Council, home_agency: Agency) -> None:
    response = as_admin.post(_page(home_agency), _form("https://idp.example", client_secret=""))
    assert response.status_code == 200
    assert "Enter the client secret" in response.content.decode()
    assert _provider(council_a) is None


def test_checking_the_provider_fetches_its_discovery_document(
    as_admin: Client, council_a: Council, home_agency: Agency, provider_url: str
) -> None:
    response = as_admin.post(_page(home_agency), _form(provider_url, action="check"), follow=True)
    assert "The provider answered" in response.content.decode()
    failing = as_admin.post(_page(home_agency), _form("http://localhost:9", action="check"))
    assert failing.status_code == 200
    assert "The provider could not be checked" in failing.content.decode()
    assert _provider(council_a) is None  # checking saves nothing


def test_another_councils_agency_is_not_found_and_unchanged(
    as_admin: Client, council_b: Council, provider_url: str
) -> None:
    from tests.factories import AgencyFactory

    with schema_context(council_b.schema_name):
        beta = AgencyFactory(name="Beta Trust", email_domains=["beta-trust.example"])
    assert as_admin.get(_page(beta)).status_code == 404
    assert as_admin.post(_page(beta), _form(provider_url)).status_code == 404
    assert _provider(council_b) is None


def test_someone_who_is_not_an_administrator_is_refused(
    client_a: Client, council_a: Council, home_agency: Agency, provider_url: str
) -> None:
    worker: Practitioner = person(council_a, home_agency, "worker@earlyhelp.example")
    sign_in(client_a, worker.user, council_a)
    assert client_a.get(_page(home_agency)).status_code == 403
    assert client_a.post(_page(home_agency), _form(provider_url)).status_code == 403
    assert _provider(council_a) is None


def test_an_issuer_without_https_is_refused(as_admin: Client, council_a: Council, home_agency: Agency) -> None:
    response = as_admin.post(_page(home_agency), _form("http://idp.example"))
    assert response.status_code == 200
    assert "https://" in response.content.decode()
    assert _provider(council_a) is None


@pytest.mark.parametrize(
    "issuer",
    ["https://127.0.0.1:8443", "https://localhost", "https://169.254.169.254", "https://10.1.2.3", "https://[::1]"],
    ids=["loopback", "localhost", "cloud-metadata", "private", "ipv6-loopback"],
)
def test_a_provider_address_inside_the_network_is_never_fetched(
    as_admin: Client, council_a: Council, home_agency: Agency, settings: object, issuer: str
) -> None:
    settings.SSO_PROVIDERS_MAY_BE_LOCAL = False  # type: ignore[attr-defined]  # as in production
    response = as_admin.post(_page(home_agency), _form(issuer, action="check"))
    assert response.status_code == 200
    assert "is not on the public internet" in response.content.decode()
    assert _provider(council_a) is None


def test_in_production_even_a_provider_on_this_machine_needs_https(
    as_admin: Client, council_a: Council, home_agency: Agency, settings: object, provider_url: str
) -> None:
    settings.SSO_PROVIDERS_MAY_BE_LOCAL = False  # type: ignore[attr-defined]
    response = as_admin.post(_page(home_agency), _form(provider_url))  # the test provider: http://localhost
    assert response.status_code == 200
    assert "https://" in response.content.decode()
    assert _provider(council_a) is None
