"""Signing in with an agency's SAML 2.0 provider (AUTH-2), with Responses signed by a test key pair.

With an MFA AuthnContextClassRef the session is signed in, the context recorded; without it our second
factor is asked. Every refusal (unsigned, another key, altered, another council's ACS or audience,
another agency's provider, a replay, expired, wrong issuer) is audited, and nothing is linked.
"""

import datetime
import uuid

import pytest
from django.test import Client
from django_tenants.utils import schema_context
from lxml import etree

from core.audit.models import AuditAction, AuditEvent
from core.audit.origin import NO_ORIGIN
from core.directory.models import Agency, Practitioner
from core.sso.models import IdentityProvider, Protocol, SsoDevice, SsoIdentity
from core.sso.saml import ASSERTION_NS
from core.sso.services.providers import ProviderSettings, identity_provider_save
from tenants.models import Council
from tests.conftest import TEST_BACKUP_CODE, host_of
from tests.core.sso.saml_idp import (
    IDP_ENTITY_ID,
    IDP_SSO_URL,
    PASSWORD_CONTEXT,
    Answer,
    KeyPair,
    encoded,
    key_pair,
    post_to_acs,
    to_idp,
)
from tests.factories import AgencyFactory, PractitionerFactory

pytestmark = pytest.mark.council_side

NURSE = "nurse@trust.example"


@pytest.fixture(scope="module")
def idp_keys() -> KeyPair:
    return key_pair()


@pytest.fixture(scope="module")
def other_keys() -> KeyPair:
    return key_pair("Another IdP")


def saml_configure(
    council: Council, agency: Agency, admin: Practitioner, keys: KeyPair, entity_id: str = IDP_ENTITY_ID
) -> IdentityProvider:
    with schema_context(council.schema_name):
        return identity_provider_save(
            actor=admin,
            agency=agency,
            values=ProviderSettings(
                protocol=Protocol.SAML,
                display_name="Trust SAML",
                saml_entity_id=entity_id,
                saml_sso_url=IDP_SSO_URL,
                saml_certificate=keys.cert_pem,
            ),
            origin=NO_ORIGIN,
        )


@pytest.fixture
def configured(council_a: Council, trust: Agency, admin_a: Practitioner, idp_keys: KeyPair) -> IdentityProvider:
    return saml_configure(council_a, trust, admin_a, idp_keys)


def _answer(client: Client, email: str = NURSE, **changes: object) -> tuple[Answer, str]:
    sent = to_idp(client, email)
    answer = Answer(request_id=sent.request_id, acs_url=sent.acs_url, audience=sent.issuer, email=email)
    for name, value in changes.items():
        setattr(answer, name, value)
    return answer, sent.relay_state


def _signed_in(client: Client) -> bool:
    return client.get("/").status_code == 200


def _events(council: Council, action: str) -> list[AuditEvent]:
    with schema_context(council.schema_name):
        return list(AuditEvent.objects.filter(action=action).order_by("occurred_at"))


def _links(council: Council) -> int:
    with schema_context(council.schema_name):
        return SsoIdentity.objects.count()


def _refused(response: object, council: Council, reason: str) -> None:
    assert response.status_code == 403  # type: ignore[attr-defined]
    assert "You cannot sign in this way" in response.content.decode()  # type: ignore[attr-defined]
    reasons = [event.reason for event in _events(council, AuditAction.SIGN_IN_FAILED)]
    assert any(reason in text for text in reasons), reasons
    assert _links(council) == 0
    assert _events(council, AuditAction.SIGN_IN) == []


# --- The request and the metadata ------------------------------------------------------------------


def test_the_authn_request_goes_to_the_providers_sso_url_with_our_entity_id_and_acs(
    client_a: Client, council_a: Council, nurse: Practitioner, configured: IdentityProvider
) -> None:
    sent = to_idp(client_a, NURSE)
    host = host_of(council_a)
    assert sent.url.startswith(IDP_SSO_URL + "?SAMLRequest=")
    assert sent.issuer == f"http://{host}/sign-in/organisation/saml/"
    assert sent.acs_url == f"http://{host}/sign-in/organisation/saml/acs/"
    assert sent.request_id.startswith("_")
    assert not _signed_in(client_a)


def test_the_metadata_is_public_and_names_our_entity_id_and_acs(client_a: Client, council_a: Council) -> None:
    response = client_a.get("/sign-in/organisation/saml/metadata/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/samlmetadata+xml"
    root = etree.fromstring(response.content)
    host = host_of(council_a)
    assert root.get("entityID") == f"http://{host}/sign-in/organisation/saml/"
    acs = root.find(".//{urn:oasis:names:tc:SAML:2.0:metadata}AssertionConsumerService")
    assert acs.get("Location") == f"http://{host}/sign-in/organisation/saml/acs/"


# --- Signing in ------------------------------------------------------------------------------------


@pytest.mark.parametrize("signed", ["response", "assertion"])
def test_with_an_mfa_context_the_session_is_signed_in_and_the_context_recorded(
    client_a: Client,
    council_a: Council,
    nurse: Practitioner,
    configured: IdentityProvider,
    idp_keys: KeyPair,
    signed: str,
) -> None:
    answer, relay = _answer(client_a)
    document = answer.signed_response(idp_keys) if signed == "response" else answer.signed_assertion(idp_keys)
    response = post_to_acs(client_a, host_of(council_a), encoded(document), relay)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response.url == "/"
    assert _signed_in(client_a)
    [sign_in] = _events(council_a, AuditAction.SIGN_IN)
    with schema_context(council_a.schema_name):
        device = SsoDevice.objects.get(user=nurse.user)
        assert sign_in.object_id == device.persistent_id
        assert device.mfa_claim == "AuthnContextClassRef http://schemas.microsoft.com/claims/multipleauthn"
        assert SsoIdentity.objects.get(user=nurse.user).subject == NURSE
    assert len(_events(council_a, AuditAction.SSO_LINKED)) == 1


def test_without_an_mfa_context_our_code_is_asked_first(
    client_a: Client, council_a: Council, nurse: Practitioner, configured: IdentityProvider, idp_keys: KeyPair
) -> None:
    from core.accounts.models import BackupCode, BackupCodeDevice, backup_code_digest

    with schema_context(council_a.schema_name):
        device = BackupCodeDevice.objects.create(user=nurse.user, name="Backup codes")
        BackupCode.objects.create(device=device, digest=backup_code_digest(device_id=device.pk, code=TEST_BACKUP_CODE))
    answer, relay = _answer(client_a, context=PASSWORD_CONTEXT)
    response = post_to_acs(client_a, host_of(council_a), encoded(answer.signed_response(idp_keys)), relay)
    assert response.status_code == 302
    assert response.url == "/sign-in/code/"
    assert not _signed_in(client_a)
    assert _events(council_a, AuditAction.SIGN_IN) == []
    assert client_a.post("/sign-in/code/", {"code": TEST_BACKUP_CODE}).status_code == 302
    assert _signed_in(client_a)


def test_an_unknown_account_is_refused_and_none_is_created(
    client_a: Client, council_a: Council, nurse: Practitioner, configured: IdentityProvider, idp_keys: KeyPair
) -> None:
    from django.contrib.auth import get_user_model

    with schema_context(council_a.schema_name):
        accounts = get_user_model().objects.count()
    answer, relay = _answer(client_a, email="stranger@trust.example")
    response = post_to_acs(client_a, host_of(council_a), encoded(answer.signed_response(idp_keys)), relay)
    _refused(response, council_a, "unknown account")
    with schema_context(council_a.schema_name):
        assert get_user_model().objects.count() == accounts


# --- Refusals: each refused, audited, nothing linked -----------------------------------------------


def test_an_unsigned_response_is_refused(
    client_a: Client, council_a: Council, nurse: Practitioner, configured: IdentityProvider
) -> None:
    answer, relay = _answer(client_a)
    response = post_to_acs(client_a, host_of(council_a), encoded(answer.response(answer.assertion())), relay)
    _refused(response, council_a, "not signed")
    assert not _signed_in(client_a)


def test_a_response_signed_by_another_key_is_refused(
    client_a: Client, council_a: Council, nurse: Practitioner, configured: IdentityProvider, other_keys: KeyPair
) -> None:
    answer, relay = _answer(client_a)
    response = post_to_acs(client_a, host_of(council_a), encoded(answer.signed_response(other_keys)), relay)
    _refused(response, council_a, "signature does not hold")


def test_a_response_altered_after_signing_is_refused(
    client_a: Client, council_a: Council, nurse: Practitioner, configured: IdentityProvider, idp_keys: KeyPair
) -> None:
    with schema_context(council_a.schema_name):
        PractitionerFactory(agency=nurse.agency, user__email="manager@trust.example")
    answer, relay = _answer(client_a, email="nurse@trust.example")
    document = answer.signed_response(idp_keys)
    document.find(f".//{{{ASSERTION_NS}}}NameID").text = "manager@trust.example"
    response = post_to_acs(client_a, host_of(council_a), encoded(document), relay)
    _refused(response, council_a, "signature does not hold")


def test_an_unsigned_assertion_wrapped_beside_the_signed_one_is_never_read(
    client_a: Client, council_a: Council, nurse: Practitioner, configured: IdentityProvider, idp_keys: KeyPair
) -> None:
    with schema_context(council_a.schema_name):
        manager = PractitionerFactory(agency=nurse.agency, user__email="manager@trust.example")
    answer, relay = _answer(client_a)
    genuine = answer.signed_assertion(idp_keys)  # the nurse's, signed
    evil = Answer(**{**answer.__dict__, "email": "manager@trust.example"}).assertion()  # unsigned
    document = answer.response(evil, genuine.find(f"{{{ASSERTION_NS}}}Assertion"))
    response = post_to_acs(client_a, host_of(council_a), encoded(document), relay)
    assert response.status_code == 302
    with schema_context(council_a.schema_name):
        assert SsoIdentity.objects.get().user_id == nurse.user_id
        assert not SsoIdentity.objects.filter(user=manager.user).exists()


def test_a_response_for_another_councils_acs_or_audience_is_refused(
    client_a: Client,
    council_a: Council,
    council_b: Council,
    nurse: Practitioner,
    configured: IdentityProvider,
    idp_keys: KeyPair,
) -> None:
    at_b = f"http://{host_of(council_b)}"
    answer, relay = _answer(client_a, acs_url=f"{at_b}/sign-in/organisation/saml/acs/")
    response = post_to_acs(client_a, host_of(council_a), encoded(answer.signed_response(idp_keys)), relay)
    _refused(response, council_a, "another assertion consumer service")

    browser = Client(HTTP_HOST=host_of(council_a))
    answer, relay = _answer(browser, audience=f"{at_b}/sign-in/organisation/saml/")
    _refused(
        post_to_acs(browser, host_of(council_a), encoded(answer.signed_response(idp_keys)), relay),
        council_a,
        "another audience",
    )
    assert not _signed_in(browser)


def test_a_response_posted_to_another_councils_site_is_refused(
    client_a: Client,
    council_a: Council,
    council_b: Council,
    nurse: Practitioner,
    configured: IdentityProvider,
    idp_keys: KeyPair,
) -> None:
    # Answered to council A's request, but posted to council B's ACS by a browser with no flow there.
    answer, relay = _answer(client_a)
    at_b = Client(HTTP_HOST=host_of(council_b))
    _refused(
        post_to_acs(at_b, host_of(council_b), encoded(answer.signed_response(idp_keys)), relay),
        council_b,
        "no SAML sign-in under way",
    )
    with schema_context(council_b.schema_name):
        assert SsoIdentity.objects.count() == 0


def test_another_agencys_provider_is_refused(
    client_a: Client,
    council_a: Council,
    nurse: Practitioner,
    configured: IdentityProvider,
    admin_a: Practitioner,
    other_keys: KeyPair,
) -> None:
    with schema_context(council_a.schema_name):
        youth = AgencyFactory(name="Alpha Youth Service", email_domains=["youth.example"])
    saml_configure(council_a, youth, admin_a, other_keys, entity_id="https://idp.youth.example/saml")
    # The youth service's provider vouches for the nurse, to the sign-in the nurse started with the trust's.
    answer, relay = _answer(client_a, issuer="https://idp.youth.example/saml")
    response = post_to_acs(client_a, host_of(council_a), encoded(answer.signed_response(other_keys)), relay)
    _refused(response, council_a, "signature does not hold")


def test_a_replayed_response_is_refused(
    client_a: Client, council_a: Council, nurse: Practitioner, configured: IdentityProvider, idp_keys: KeyPair
) -> None:
    answer, relay = _answer(client_a, context=PASSWORD_CONTEXT)
    document = encoded(answer.signed_response(idp_keys))
    assert post_to_acs(client_a, host_of(council_a), document, relay).status_code == 302  # our code is asked
    with schema_context(council_a.schema_name):
        SsoIdentity.objects.all().delete()
    # The same response again, in the same browser: its request is no longer in the flow.
    _refused(post_to_acs(client_a, host_of(council_a), document, relay), council_a, "no SAML sign-in under way")
    # And to a new sign-in: it answers another request.
    fresh = Client(HTTP_HOST=host_of(council_a))
    sent = to_idp(fresh, NURSE)
    _refused(post_to_acs(fresh, host_of(council_a), document, sent.relay_state), council_a, "another request")


def test_an_expired_response_is_refused(
    client_a: Client, council_a: Council, nurse: Practitioner, configured: IdentityProvider, idp_keys: KeyPair
) -> None:
    issued = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=7)
    answer, relay = _answer(client_a, issued=issued)
    response = post_to_acs(client_a, host_of(council_a), encoded(answer.signed_response(idp_keys)), relay)
    _refused(response, council_a, "expired")


def test_a_wrong_issuer_is_refused(
    client_a: Client, council_a: Council, nurse: Practitioner, configured: IdentityProvider, idp_keys: KeyPair
) -> None:
    answer, relay = _answer(client_a, issuer="https://impostor.example/saml")
    response = post_to_acs(client_a, host_of(council_a), encoded(answer.signed_response(idp_keys)), relay)
    _refused(response, council_a, "issuer")


def test_a_failed_status_or_a_tampered_relay_state_or_garbage_is_refused(
    client_a: Client, council_a: Council, nurse: Practitioner, configured: IdentityProvider, idp_keys: KeyPair
) -> None:
    host = host_of(council_a)
    answer, relay = _answer(client_a, status="urn:oasis:names:tc:SAML:2.0:status:Requester")
    _refused(post_to_acs(client_a, host, encoded(answer.signed_response(idp_keys)), relay), council_a, "status")
    answer, relay = _answer(client_a)
    _refused(
        post_to_acs(client_a, host, encoded(answer.signed_response(idp_keys)), relay + "x"),
        council_a,
        "RelayState does not match",
    )
    answer, relay = _answer(client_a)
    _refused(post_to_acs(client_a, host, "not base64 <xml>", relay), council_a, "not base64 XML")
    doctype = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "y">]><r>&x;</r>'
    import base64

    answer, relay = _answer(client_a)
    _refused(post_to_acs(client_a, host, base64.b64encode(doctype).decode(), relay), council_a, "document type")
    # A GET of the ACS with no parked response.
    _refused(client_a.get(f"/sign-in/organisation/saml/acs/?received={uuid.uuid4()}"), council_a, "no SAML response")


# --- Council administration -------------------------------------------------------------------------


def _saml_form(keys: KeyPair, **changes: str) -> dict[str, str]:
    return {
        "protocol": "saml",
        "display_name": "Early Help SAML",
        "saml_entity_id": IDP_ENTITY_ID,
        "saml_sso_url": IDP_SSO_URL,
        "saml_certificate": keys.cert_pem,
        "saml_mfa_contexts": "urn:oasis:names:tc:SAML:2.0:ac:classes:MultiFactor\nhttps://refeds.org/profile/mfa",
        "enabled": "on",
        "action": "save",
        **changes,
    }


def test_the_administrator_saves_a_saml_provider_audited_with_the_certificates_fingerprint(
    as_admin: Client, council_a: Council, home_agency: Agency, idp_keys: KeyPair
) -> None:
    page = f"/administration/agencies/{home_agency.pk}/single-sign-on/"
    shown = as_admin.get(page).content.decode()
    assert f"http://{host_of(council_a)}/sign-in/organisation/saml/acs/" in shown
    response = as_admin.post(page, _saml_form(idp_keys))
    assert response.status_code == 302, response.content.decode()[:3000]
    with schema_context(council_a.schema_name):
        provider = IdentityProvider.objects.get()
        [event] = AuditEvent.objects.filter(action=AuditAction.IDENTITY_PROVIDER_CHANGED)
    assert provider.protocol == Protocol.SAML
    assert provider.saml_entity_id == IDP_ENTITY_ID
    assert provider.saml_mfa_contexts == [
        "https://refeds.org/profile/mfa",
        "urn:oasis:names:tc:SAML:2.0:ac:classes:MultiFactor",
    ]
    assert event.changes["saml_certificate"]["old"] is None
    assert len(event.changes["saml_certificate"]["new"]) == 95  # SHA-256, as hex pairs with colons
    # Changed without pasting the certificate again: the saved one stays.
    assert as_admin.post(page, _saml_form(idp_keys, saml_certificate="", display_name="Renamed")).status_code == 302
    with schema_context(council_a.schema_name):
        provider = IdentityProvider.objects.get()
    assert provider.display_name == "Renamed"
    assert provider.saml_certificate.strip() == idp_keys.cert_pem.strip()


def test_a_certificate_that_is_not_one_is_refused_and_nothing_saved(
    as_admin: Client, council_a: Council, home_agency: Agency, idp_keys: KeyPair
) -> None:
    page = f"/administration/agencies/{home_agency.pk}/single-sign-on/"
    response = as_admin.post(page, _saml_form(idp_keys, saml_certificate="-----BEGIN CERTIFICATE-----\nnope"))
    assert response.status_code == 200
    assert "not a PEM certificate" in response.content.decode()
    response = as_admin.post(page, _saml_form(idp_keys, saml_sso_url="http://idp.example/sso"))
    assert response.status_code == 200
    with schema_context(council_a.schema_name):
        assert not IdentityProvider.objects.exists()


def test_another_councils_agency_is_not_found_and_unchanged(
    as_admin: Client, council_b: Council, idp_keys: KeyPair
) -> None:
    with schema_context(council_b.schema_name):
        beta = AgencyFactory(name="Beta Trust", email_domains=["beta-trust.example"])
    page = f"/administration/agencies/{beta.pk}/single-sign-on/"
    assert as_admin.get(page).status_code == 404
    assert as_admin.post(page, _saml_form(idp_keys)).status_code == 404
    with schema_context(council_b.schema_name):
        assert not IdentityProvider.objects.exists()


def test_checking_a_saml_provider_reads_its_certificate_and_saves_nothing(
    as_admin: Client, council_a: Council, home_agency: Agency, idp_keys: KeyPair
) -> None:
    page = f"/administration/agencies/{home_agency.pk}/single-sign-on/"
    response = as_admin.post(page, _saml_form(idp_keys, action="check"), follow=True)
    assert "The certificate can be read" in response.content.decode()
    failing = as_admin.post(page, _saml_form(idp_keys, action="check", saml_certificate=""))
    assert failing.status_code == 200
    assert "could not be checked" in failing.content.decode()
    with schema_context(council_a.schema_name):
        assert not IdentityProvider.objects.exists()
