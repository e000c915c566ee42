"""A first single sign-on by someone with a pending invitation and no account (AUTH-2).

The provider proves the email; the invitation authorises the account. The person finishes it on
"Finish creating your account" (no password), and is then signed in (the provider's MFA claim) or taken to
set up our second factor. An unusable invitation, one to another agency, or a page reached without this
session's own recent flow at this council's site is refused, audited, and nothing is created or linked.
"""

import uuid

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent
from core.directory.models import Agency, Invitation, Practitioner, Role
from core.sso.models import IdentityProvider, SsoDevice, SsoIdentity
from tenants.models import Council
from tests.conftest import host_of
from tests.core.sso.conftest import provider_configure, provider_user, sso_sign_in
from tests.core.sso.saml_idp import PASSWORD_CONTEXT, KeyPair, encoded, key_pair, post_to_acs, to_idp
from tests.factories import AgencyFactory, PractitionerFactory

pytestmark = pytest.mark.council_side

NEW = "new@trust.example"
MFA = {"amr": ["pwd", "mfa"]}
PAGE = "/sign-in/organisation/invitation/"


@pytest.fixture
def manager(council_a: Council, trust: Agency) -> Practitioner:
    with schema_context(council_a.schema_name):
        return PractitionerFactory(
            agency=trust, user__email="manager@trust.example", is_agency_manager=True, is_council_admin=True
        )


@pytest.fixture
def configured(council_a: Council, trust: Agency, manager: Practitioner, provider_url: str) -> str:
    provider_configure(council_a, trust, manager, provider_url)
    return provider_url


def _invite(council: Council, agency: Agency, inviter: Practitioner, **changes: object) -> Invitation:
    values: dict[str, object] = {
        "email": NEW,
        "agency": agency,
        "role": Role.PRACTITIONER,
        "token_hash": uuid.uuid4().hex * 2,
        "invited_by": inviter,
        "job_title": "Health visitor",
        "expires_at": timezone.now() + timezone.timedelta(days=3),
    }
    values.update(changes)
    with schema_context(council.schema_name):
        return Invitation.objects.create(**values)


def _sub() -> str:
    return f"sub-{uuid.uuid4()}"


def _signed_in(client: Client) -> bool:
    return client.get("/").status_code == 200


def _events(council: Council, action: str) -> list[AuditEvent]:
    with schema_context(council.schema_name):
        return list(AuditEvent.objects.filter(action=action).order_by("occurred_at"))


def _nothing_created(council: Council, invitation: Invitation | None = None) -> None:
    with schema_context(council.schema_name):
        assert not get_user_model().objects.filter(email=NEW).exists()
        assert SsoIdentity.objects.count() == 0
        if invitation is not None:
            assert Invitation.objects.get(pk=invitation.pk).accepted_at is None
    assert _events(council, AuditAction.INVITATION_ACCEPTED) == []
    assert _events(council, AuditAction.SSO_LINKED) == []


def _refused(response: object, council: Council, reason: str) -> None:
    assert response.status_code == 403  # type: ignore[attr-defined]
    assert "You cannot sign in this way" in response.content.decode()  # type: ignore[attr-defined]
    reasons = [event.reason for event in _events(council, AuditAction.SIGN_IN_FAILED)]
    assert any(reason in text for text in reasons), reasons


def _to_page(client: Client, provider_url: str, sub: str, **claims: object) -> None:
    provider_user(provider_url, sub, email=NEW, email_verified=True, **claims)
    response = sso_sign_in(client, NEW, sub)
    assert response.status_code == 302, response.content.decode()[:2000]  # type: ignore[attr-defined]
    assert response.url == PAGE  # type: ignore[attr-defined]


def _finish(client: Client, **changes: str) -> object:
    return client.post(PAGE, {"first_name": "Nia", "last_name": "Okafor", "job_title": "Health visitor", **changes})


# --- The invitation accepted -----------------------------------------------------------------------


def test_with_the_mfa_claim_the_account_is_created_from_the_invitation_and_signed_in(
    client_a: Client, council_a: Council, trust: Agency, manager: Practitioner, configured: str
) -> None:
    invitation = _invite(council_a, trust, manager, role=Role.AGENCY_MANAGER)
    sub = _sub()
    _to_page(client_a, configured, sub, given_name="Nia", family_name="Okafor", **MFA)
    _nothing_created(council_a, invitation)  # nothing before the page is submitted
    page = client_a.get(PAGE)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Finish creating your account" in text
    assert 'value="Nia"' in text
    assert 'value="Okafor"' in text
    assert 'value="Health visitor"' in text
    assert 'type="password"' not in text

    response = _finish(client_a, job_title="Lead health visitor")
    assert response.status_code == 302
    assert response.url == "/"  # type: ignore[attr-defined]
    assert _signed_in(client_a)
    with schema_context(council_a.schema_name):
        user = get_user_model().objects.get(email=NEW)
        assert not user.has_usable_password()
        assert (user.first_name, user.last_name) == ("Nia", "Okafor")
        practitioner = Practitioner.objects.get(user=user)
        assert practitioner.agency_id == trust.pk
        assert practitioner.is_agency_manager
        assert not practitioner.is_council_admin
        assert practitioner.job_title == "Lead health visitor"
        assert practitioner.verified_at is not None  # the council's invitation of a manager vouches
        assert Invitation.objects.get(pk=invitation.pk).accepted_at is not None
        assert SsoIdentity.objects.get(user=user).subject == sub
        device = SsoDevice.objects.get(user=user)
    [accepted] = _events(council_a, AuditAction.INVITATION_ACCEPTED)
    assert "single sign-on" in accepted.reason
    assert accepted.object_id == str(practitioner.pk)
    assert len(_events(council_a, AuditAction.SSO_LINKED)) == 1
    [sign_in] = _events(council_a, AuditAction.SIGN_IN)
    assert sign_in.object_id == device.persistent_id

    # Used once: the page is gone for this session.
    assert client_a.get(PAGE).status_code == 403
    # A second sign-in links by subject: the same account, nothing more created or linked.
    later = Client(HTTP_HOST=host_of(council_a))
    assert sso_sign_in(later, NEW, sub).url == "/"  # type: ignore[attr-defined]
    assert _signed_in(later)
    with schema_context(council_a.schema_name):
        assert get_user_model().objects.filter(email=NEW).count() == 1
    assert len(_events(council_a, AuditAction.SSO_LINKED)) == 1
    assert len(_events(council_a, AuditAction.INVITATION_ACCEPTED)) == 1


def test_without_the_mfa_claim_the_account_is_created_and_our_second_factor_set_up_next(
    client_a: Client, council_a: Council, trust: Agency, manager: Practitioner, configured: str
) -> None:
    _invite(council_a, trust, manager, first_name="Invited", last_name="Name")
    _to_page(client_a, configured, _sub(), amr=["pwd"])
    text = client_a.get(PAGE).content.decode()
    assert 'value="Invited"' in text  # the provider sent no names: the invitation's
    response = _finish(client_a)
    assert response.status_code == 302
    assert response.url == "/sign-in/set-up/"  # type: ignore[attr-defined]
    assert not _signed_in(client_a)
    assert _events(council_a, AuditAction.SIGN_IN) == []
    assert client_a.get("/sign-in/set-up/").status_code == 200
    with schema_context(council_a.schema_name):
        user = get_user_model().objects.get(email=NEW)
        assert not user.has_usable_password()
        assert Practitioner.objects.get(user=user).verified_at is not None  # the agency manager vouches
        assert not SsoDevice.objects.filter(user=user).exists()


def test_the_page_asks_again_when_a_field_is_missing(
    client_a: Client, council_a: Council, trust: Agency, manager: Practitioner, configured: str
) -> None:
    _invite(council_a, trust, manager, job_title="")
    _to_page(client_a, configured, _sub(), **MFA)
    response = _finish(client_a, job_title="")
    assert response.status_code == 200
    text = response.content.decode()
    assert "govuk-error-summary" in text
    assert "Error: Finish creating your account" in text
    _nothing_created(council_a)
    assert _finish(client_a).url == "/"  # type: ignore[attr-defined]


# --- Refusals: audited, nothing created or linked --------------------------------------------------


@pytest.mark.parametrize("unusable", ["expired", "revoked", "accepted"])
def test_an_unusable_invitation_is_refused_at_the_providers_answer(
    client_a: Client, council_a: Council, trust: Agency, manager: Practitioner, configured: str, unusable: str
) -> None:
    now = timezone.now()
    changes = {
        "expired": {"expires_at": now - timezone.timedelta(minutes=1)},
        "revoked": {"revoked_at": now},
        "accepted": {"accepted_at": now},
    }[unusable]
    invitation = _invite(council_a, trust, manager, **changes)
    sub = _sub()
    provider_user(configured, sub, email=NEW, email_verified=True, **MFA)
    _refused(sso_sign_in(client_a, NEW, sub), council_a, "unknown account")
    assert client_a.get(PAGE).status_code == 403
    assert not _signed_in(client_a)
    with schema_context(council_a.schema_name):
        assert not get_user_model().objects.filter(email=NEW).exists()
        assert SsoIdentity.objects.count() == 0
        assert Invitation.objects.get(pk=invitation.pk).accepted_at == changes.get("accepted_at")


def test_an_invitation_to_another_agency_of_the_council_is_refused(
    client_a: Client, council_a: Council, trust: Agency, manager: Practitioner, configured: str
) -> None:
    with schema_context(council_a.schema_name):
        other = AgencyFactory(name="Alpha Youth Service", email_domains=["trust.example"])
    invitation = _invite(council_a, other, manager)
    sub = _sub()
    provider_user(configured, sub, email=NEW, email_verified=True, **MFA)
    _refused(sso_sign_in(client_a, NEW, sub), council_a, "invitation is to another agency")
    assert client_a.get(PAGE).status_code == 403
    _nothing_created(council_a, invitation)


def test_the_invitation_revoked_while_the_page_is_open_is_refused(
    client_a: Client, council_a: Council, trust: Agency, manager: Practitioner, configured: str
) -> None:
    invitation = _invite(council_a, trust, manager)
    _to_page(client_a, configured, _sub(), **MFA)
    with schema_context(council_a.schema_name):
        Invitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())
    response = _finish(client_a)
    _refused(response, council_a, "invitation no longer usable")
    assert "Your invitation does not work any more" in response.content.decode()  # type: ignore[attr-defined]
    _nothing_created(council_a, invitation)
    assert not _signed_in(client_a)


def test_the_invitation_accepted_between_the_check_and_the_account_leaves_nothing_half_made(
    client_a: Client, council_a: Council, trust: Agency, manager: Practitioner, configured: str
) -> None:
    """The service itself refuses (and records) an invitation that is no longer usable, or another agency's."""
    from django.core.exceptions import ValidationError

    from core.audit.origin import NO_ORIGIN
    from core.sso.services.sign_in import sso_invitation_accept

    with schema_context(council_a.schema_name):
        other = AgencyFactory(name="Alpha Youth Service", email_domains=["trust.example"])
    elsewhere = _invite(council_a, other, manager)
    with schema_context(council_a.schema_name):
        provider = IdentityProvider.objects.get(agency=trust)
        for invitation_id in (elsewhere.pk, uuid.uuid4()):
            with pytest.raises(ValidationError):
                sso_invitation_accept(
                    provider=provider,
                    subject=_sub(),
                    invitation_id=invitation_id,
                    first_name="Nia",
                    last_name="Okafor",
                    job_title="Health visitor",
                    origin=NO_ORIGIN,
                )
    _nothing_created(council_a, elsewhere)
    assert len(_events(council_a, AuditAction.INVITATION_REFUSED)) == 2


def test_the_page_without_a_flow_is_refused(client_a: Client, council_a: Council, trust: Agency) -> None:
    _refused(client_a.get(PAGE), council_a, "no invitation sign-in under way")
    _refused(_finish(client_a), council_a, "no invitation sign-in under way")
    _nothing_created(council_a)


def test_an_expired_flow_is_refused(
    client_a: Client,
    council_a: Council,
    trust: Agency,
    manager: Practitioner,
    configured: str,
    time_machine: object,
) -> None:
    invitation = _invite(council_a, trust, manager)
    _to_page(client_a, configured, _sub(), **MFA)
    time_machine.move_to(timezone.now() + timezone.timedelta(minutes=11))  # type: ignore[attr-defined]
    _refused(_finish(client_a), council_a, "invitation sign-in expired")
    _nothing_created(council_a, invitation)


def test_the_flow_taken_to_another_councils_site_is_refused(
    client_a: Client,
    council_a: Council,
    council_b: Council,
    trust: Agency,
    manager: Practitioner,
    configured: str,
) -> None:
    invitation = _invite(council_a, trust, manager)
    with schema_context(council_b.schema_name):
        beta = AgencyFactory(name="Beta Health Trust", email_domains=["trust.example"])
        beta_admin = PractitionerFactory(agency=beta, user__email="admin@trust.example", is_council_admin=True)
    beta_invitation = _invite(council_b, beta, beta_admin)
    provider_configure(council_b, beta, beta_admin, configured)
    _to_page(client_a, configured, _sub(), **MFA)
    # The same browser, its cookie and all, at council B's site.
    response = client_a.post(
        PAGE, {"first_name": "Nia", "last_name": "Okafor", "job_title": "Nurse"}, HTTP_HOST=host_of(council_b)
    )
    _refused(response, council_b, "invitation sign-in")
    _nothing_created(council_b, beta_invitation)
    _nothing_created(council_a, invitation)


def test_the_flow_cannot_be_answered_for_by_another_browser(
    client_a: Client, council_a: Council, trust: Agency, manager: Practitioner, configured: str
) -> None:
    invitation = _invite(council_a, trust, manager)
    _to_page(client_a, configured, _sub(), **MFA)
    stranger = Client(HTTP_HOST=host_of(council_a))
    _refused(_finish(stranger), council_a, "no invitation sign-in under way")
    _nothing_created(council_a, invitation)


# --- SAML --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def idp_keys() -> KeyPair:
    return key_pair()


@pytest.mark.parametrize("context", ["mfa", "password"])
def test_saml_an_invitation_with_the_mfa_context_creates_the_account_and_signs_in(
    client_a: Client,
    council_a: Council,
    trust: Agency,
    manager: Practitioner,
    idp_keys: KeyPair,
    context: str,
) -> None:
    from tests.core.sso.saml_idp import Answer
    from tests.core.sso.test_saml import saml_configure

    saml_configure(council_a, trust, manager, idp_keys)
    invitation = _invite(council_a, trust, manager)
    sent = to_idp(client_a, NEW)
    answer = Answer(request_id=sent.request_id, acs_url=sent.acs_url, audience=sent.issuer, email=NEW)
    if context == "password":
        answer.context = PASSWORD_CONTEXT
    response = post_to_acs(client_a, host_of(council_a), encoded(answer.signed_response(idp_keys)), sent.relay_state)
    assert response.status_code == 302, response.content.decode()[:2000]  # type: ignore[attr-defined]
    assert response.url == PAGE  # type: ignore[attr-defined]
    _nothing_created(council_a, invitation)
    assert client_a.get(PAGE).status_code == 200
    finished = _finish(client_a)
    assert finished.url == ("/" if context == "mfa" else "/sign-in/set-up/")  # type: ignore[attr-defined]
    assert _signed_in(client_a) == (context == "mfa")
    with schema_context(council_a.schema_name):
        user = get_user_model().objects.get(email=NEW)
        assert not user.has_usable_password()
        assert Practitioner.objects.get(user=user).agency_id == trust.pk
        assert SsoIdentity.objects.get(user=user).subject == NEW
        assert Invitation.objects.get(pk=invitation.pk).accepted_at is not None
    assert len(_events(council_a, AuditAction.INVITATION_ACCEPTED)) == 1
    assert len(_events(council_a, AuditAction.SSO_LINKED)) == 1


def test_saml_names_are_read_from_the_signed_assertion() -> None:
    """The SAML attributes for the names, when the provider sends them, prefill the page."""
    from lxml import etree

    from core.sso.saml import ASSERTION_NS, GIVEN_NAME_ATTRIBUTES, SURNAME_ATTRIBUTES, _optional_attribute

    assertion = etree.Element(f"{{{ASSERTION_NS}}}Assertion", nsmap={"saml": ASSERTION_NS})
    statement = etree.SubElement(assertion, f"{{{ASSERTION_NS}}}AttributeStatement")
    for name, value in (
        ("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname", "Nia"),
        ("sn", "Okafor"),
    ):
        attribute = etree.SubElement(statement, f"{{{ASSERTION_NS}}}Attribute", Name=name)
        etree.SubElement(attribute, f"{{{ASSERTION_NS}}}AttributeValue").text = value
    assert _optional_attribute(assertion, GIVEN_NAME_ATTRIBUTES) == "Nia"
    assert _optional_attribute(assertion, SURNAME_ATTRIBUTES) == "Okafor"
