"""Signing in with an agency's own OpenID provider, against a real provider over HTTP (AUTH-2).

With the provider's MFA claim the session is signed in, the claim recorded; without it our second
factor is asked. Every refusal leaves nothing linked or created, and is in the audit trail.
"""

import uuid

import httpx
import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent
from core.directory.models import Agency, ApprovalState, Practitioner
from core.sso.models import SsoDevice, SsoIdentity
from tenants.models import Council
from tests.conftest import TEST_BACKUP_CODE, host_of
from tests.core.sso.conftest import at_provider, provider_configure, provider_user, sso_sign_in, to_provider
from tests.factories import AgencyFactory, PractitionerFactory

pytestmark = pytest.mark.council_side

MFA = {"amr": ["pwd", "mfa"]}


@pytest.fixture
def configured(council_a: Council, trust: Agency, admin_a: Practitioner, provider_url: str) -> str:
    provider_configure(council_a, trust, admin_a, provider_url)
    return provider_url


def _sub() -> str:
    return f"sub-{uuid.uuid4()}"


def _signed_in(client: Client) -> bool:
    response = client.get("/")
    return response.status_code == 200


def _events(council: Council, action: str) -> list[AuditEvent]:
    with schema_context(council.schema_name):
        return list(AuditEvent.objects.filter(action=action).order_by("occurred_at"))


def _links(council: Council) -> int:
    with schema_context(council.schema_name):
        return SsoIdentity.objects.count()


def _refused(response: object, council: Council, reason: str) -> None:
    assert response.status_code == 403  # type: ignore[attr-defined]
    assert "You cannot sign in this way" in response.content.decode()  # type: ignore[attr-defined]
    assert any(reason in event.reason for event in _events(council, AuditAction.SIGN_IN_FAILED)), [
        event.reason for event in _events(council, AuditAction.SIGN_IN_FAILED)
    ]
    assert _links(council) == 0


def test_the_sign_in_page_offers_the_organisation_sign_in(client_a: Client) -> None:
    page = client_a.get("/sign-in/").content.decode()
    assert "Sign in with your organisation&#x27;s account" in page or "Sign in with your organisation's account" in page
    assert 'href="/sign-in/organisation/"' in page


def test_with_the_mfa_claim_the_session_is_signed_in_and_the_claim_recorded(
    client_a: Client, council_a: Council, nurse: Practitioner, configured: str
) -> None:
    sub = _sub()
    provider_user(configured, sub, email="nurse@trust.example", email_verified=True, **MFA)
    response = sso_sign_in(client_a, "nurse@trust.example", sub)
    assert response.status_code == 302
    assert response.url == "/"
    assert _signed_in(client_a)
    [sign_in] = _events(council_a, AuditAction.SIGN_IN)
    with schema_context(council_a.schema_name):
        device = SsoDevice.objects.get(user=nurse.user)
        assert sign_in.object_id == device.persistent_id
        assert device.mfa_claim == "amr mfa"
        identity = SsoIdentity.objects.get(user=nurse.user)
        assert identity.subject == sub
    assert len(_events(council_a, AuditAction.SSO_LINKED)) == 1

    # A second sign-in uses the link (by subject) and links nothing more.
    second = Client(HTTP_HOST=host_of(council_a))
    assert sso_sign_in(second, "nurse@trust.example", sub).status_code == 302
    assert _signed_in(second)
    assert len(_events(council_a, AuditAction.SSO_LINKED)) == 1


def test_without_the_mfa_claim_our_code_is_asked_and_nothing_is_signed_in_before_it(
    client_a: Client, council_a: Council, nurse: Practitioner, configured: str
) -> None:
    from core.accounts.models import BackupCode, BackupCodeDevice, backup_code_digest

    with schema_context(council_a.schema_name):
        device = BackupCodeDevice.objects.create(user=nurse.user, name="Backup codes")
        BackupCode.objects.create(device=device, digest=backup_code_digest(device_id=device.pk, code=TEST_BACKUP_CODE))
    sub = _sub()
    provider_user(configured, sub, email="nurse@trust.example", email_verified=True, amr=["pwd"])
    response = sso_sign_in(client_a, "nurse@trust.example", sub)
    assert response.status_code == 302
    assert response.url == "/sign-in/code/"
    assert not _signed_in(client_a)
    assert _events(council_a, AuditAction.SIGN_IN) == []
    assert client_a.post("/sign-in/code/", {"code": TEST_BACKUP_CODE}).status_code == 302
    assert _signed_in(client_a)


def test_someone_with_only_the_providers_factor_is_taken_to_set_up_ours_when_the_claim_is_missing(
    client_a: Client, council_a: Council, nurse: Practitioner, configured: str
) -> None:
    sub = _sub()
    provider_user(configured, sub, email="nurse@trust.example", email_verified=True, **MFA)
    assert sso_sign_in(client_a, "nurse@trust.example", sub).url == "/"
    provider_user(configured, sub, email="nurse@trust.example", email_verified=True, amr=["pwd"])
    later = Client(HTTP_HOST=host_of(council_a))
    response = sso_sign_in(later, "nurse@trust.example", sub)
    assert response.url == "/sign-in/set-up/"
    assert later.get("/sign-in/set-up/").status_code == 200  # the set-up page itself, not a code page
    # The provider's device never accepts a typed code, at the password sign-in either.
    password = Client(HTTP_HOST=host_of(council_a))
    from tests.factories import TEST_PASSWORD

    assert password.post("/sign-in/", {"email": "nurse@trust.example", "password": TEST_PASSWORD}).url == (
        "/sign-in/set-up/"
    )


def test_an_acr_value_the_provider_is_configured_with_counts_as_the_second_factor(
    client_a: Client, council_a: Council, nurse: Practitioner, configured: str
) -> None:
    from core.sso.models import IdentityProvider

    with schema_context(council_a.schema_name):
        IdentityProvider.objects.update(mfa_acr_values=["urn:example:loa:mfa"])
    sub = _sub()
    provider_user(configured, sub, email="nurse@trust.example", email_verified=True, acr="urn:example:loa:mfa")
    assert sso_sign_in(client_a, "nurse@trust.example", sub).url == "/"
    with schema_context(council_a.schema_name):
        assert SsoDevice.objects.get(user=nurse.user).mfa_claim == "acr urn:example:loa:mfa"


# --- Refusals: each refused, audited, nothing linked or created ------------------------------------


def test_an_unverified_email_is_refused(
    client_a: Client, council_a: Council, nurse: Practitioner, configured: str
) -> None:
    sub = _sub()
    provider_user(configured, sub, email="nurse@trust.example", email_verified=False, **MFA)
    _refused(sso_sign_in(client_a, "nurse@trust.example", sub), council_a, "email not verified")
    assert not _signed_in(client_a)


def test_an_email_outside_the_agencys_domains_is_refused(
    client_a: Client, council_a: Council, nurse: Practitioner, configured: str
) -> None:
    sub = _sub()
    provider_user(configured, sub, email="nurse@elsewhere.example", email_verified=True, **MFA)
    _refused(sso_sign_in(client_a, "nurse@trust.example", sub), council_a, "outside the agency's domains")


def test_an_unknown_account_is_refused_and_none_is_created(
    client_a: Client, council_a: Council, nurse: Practitioner, configured: str
) -> None:
    from django.contrib.auth import get_user_model

    with schema_context(council_a.schema_name):
        accounts = get_user_model().objects.count()
    sub = _sub()
    provider_user(configured, sub, email="stranger@trust.example", email_verified=True, **MFA)
    _refused(sso_sign_in(client_a, "stranger@trust.example", sub), council_a, "unknown account")
    with schema_context(council_a.schema_name):
        assert get_user_model().objects.count() == accounts


def test_the_provider_of_another_agency_than_the_accounts_is_refused(
    client_a: Client, council_a: Council, trust: Agency, configured: str
) -> None:
    with schema_context(council_a.schema_name):
        other = AgencyFactory(name="Alpha Youth Service", email_domains=["youth.example"])
        # An account of another agency, whose email happens to be in the trust's domain.
        PractitionerFactory(agency=other, user__email="moved@trust.example")
    sub = _sub()
    provider_user(configured, sub, email="moved@trust.example", email_verified=True, **MFA)
    _refused(sso_sign_in(client_a, "moved@trust.example", sub), council_a, "another agency")


def test_a_suspended_agency_or_a_deactivated_or_locked_account_is_refused(
    client_a: Client, council_a: Council, trust: Agency, nurse: Practitioner, configured: str
) -> None:
    sub = _sub()
    provider_user(configured, sub, email="nurse@trust.example", email_verified=True, **MFA)
    with schema_context(council_a.schema_name):
        type(nurse.user).objects.filter(pk=nurse.user.pk).update(
            locked_until=timezone.now() + timezone.timedelta(minutes=5)
        )
    _refused(sso_sign_in(client_a, "nurse@trust.example", sub), council_a, "account locked")
    with schema_context(council_a.schema_name):
        type(nurse.user).objects.filter(pk=nurse.user.pk).update(locked_until=None, is_active=False)
    _refused(sso_sign_in(Client(HTTP_HOST=host_of(council_a)), "nurse@trust.example", sub), council_a, "deactivated")
    with schema_context(council_a.schema_name):
        type(nurse.user).objects.filter(pk=nurse.user.pk).update(is_active=True)
        # Suspended while the person is at the provider: the sign-in already under way is refused on return.
    browser = Client(HTTP_HOST=host_of(council_a))
    authorize = to_provider(browser, "nurse@trust.example")
    with schema_context(council_a.schema_name):
        Agency.objects.filter(pk=trust.pk).update(approval_state=ApprovalState.SUSPENDED)
    _refused(browser.get(at_provider(authorize, sub)), council_a, "suspended")


def test_a_tampered_state_is_refused(
    client_a: Client, council_a: Council, nurse: Practitioner, configured: str
) -> None:
    sub = _sub()
    provider_user(configured, sub, email="nurse@trust.example", email_verified=True, **MFA)
    callback = at_provider(to_provider(client_a, "nurse@trust.example"), sub)
    tampered = callback.replace("state=", "state=x")
    _refused(client_a.get(tampered), council_a, "state does not match")
    # The state is used once: the genuine answer, after the tampered one, is refused too.
    _refused(client_a.get(callback), council_a, "no sign-in under way")


def test_an_expired_state_is_refused(
    client_a: Client, council_a: Council, nurse: Practitioner, configured: str, time_machine: object
) -> None:
    sub = _sub()
    provider_user(configured, sub, email="nurse@trust.example", email_verified=True, **MFA)
    callback = at_provider(to_provider(client_a, "nurse@trust.example"), sub)
    time_machine.move_to(timezone.now() + timezone.timedelta(minutes=11))  # type: ignore[attr-defined]
    _refused(client_a.get(callback), council_a, "state expired")


def test_an_answer_meant_for_another_councils_site_is_refused(
    client_a: Client, council_a: Council, council_b: Council, nurse: Practitioner, configured: str
) -> None:
    with schema_context(council_b.schema_name):
        beta = AgencyFactory(name="Beta Health Trust", email_domains=["trust.example"])
        admin_b = PractitionerFactory(agency=beta, user__email="admin@trust.example", is_council_admin=True)
        PractitionerFactory(agency=beta, user__email="nurse@trust.example")
    provider_configure(council_b, beta, admin_b, configured)
    sub = _sub()
    provider_user(configured, sub, email="nurse@trust.example", email_verified=True, **MFA)
    to_provider(client_a, "nurse@trust.example")  # a sign-in under way at council A
    at_b = Client(HTTP_HOST=host_of(council_b))
    callback_for_b = at_provider(to_provider(at_b, "nurse@trust.example"), sub)
    _refused(client_a.get(callback_for_b), council_a, "state does not match")
    assert not _signed_in(client_a)
    with schema_context(council_b.schema_name):
        assert SsoIdentity.objects.count() == 0


def test_an_email_whose_agency_has_no_provider_is_told_so(client_a: Client, council_a: Council, trust: Agency) -> None:
    response = client_a.post("/sign-in/organisation/", {"email": "nurse@trust.example"})
    assert response.status_code == 200
    assert "does not sign in to this council" in response.content.decode()


def test_the_provider_refusing_the_code_is_refused(
    client_a: Client, council_a: Council, nurse: Practitioner, configured: str
) -> None:
    sub = _sub()
    provider_user(configured, sub, email="nurse@trust.example", email_verified=True, **MFA)
    callback = at_provider(to_provider(client_a, "nurse@trust.example"), sub)
    state = callback.split("state=")[1].split("&")[0]
    # A code the provider never issued, with the right state.
    _refused(
        client_a.get(f"/sign-in/organisation/callback/?code=forged&state={state}"), council_a, "refused to exchange"
    )
    assert httpx.get(f"{configured}/.well-known/openid-configuration", timeout=5).status_code == 200
