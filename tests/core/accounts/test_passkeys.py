"""Passkeys (SECURITY.md AUTH-2): added and removed on the account page, used after the password or on their
own, refused where the account may not sign in, and bound to the council's site they were made at.

A software authenticator (``SoftKey``: an ECDSA P-256 key, as a platform authenticator holds) signs what the
browser would send; everything on the server side is the real ceremony, database and session.
"""

import base64
import hashlib
import json
import os

import cbor2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import Client
from django_otp_webauthn.models import WebAuthnCredential
from django_tenants.utils import schema_context

from core.accounts.models import User
from core.audit.models import AuditAction
from core.council.models import GOVERNANCE_ROW, CouncilGovernance
from core.directory.models import ApprovalState
from tenants.models import Council
from tests.conftest import host_of, sign_in
from tests.core.accounts.helpers import audit_events, code_step, give_backup_code, password_step
from tests.factories import PractitionerFactory


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class SoftKey:
    """A passkey on a software authenticator: makes (attestation "none") and signs (assertions) like one."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(16)
        self.sign_count = 0

    def cose_public_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    def _client_data(self, kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}).encode()

    def registration(self, *, options: dict, origin: str) -> dict:
        rp_id = options["rp"]["id"]
        auth_data = (
            hashlib.sha256(rp_id.encode()).digest()
            + bytes([0x45])  # user present, user verified, attested credential data
            + (0).to_bytes(4, "big")
            + bytes(16)  # AAGUID
            + len(self.credential_id).to_bytes(2, "big")
            + self.credential_id
            + self.cose_public_key()
        )
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        return {
            "id": b64(self.credential_id),
            "rawId": b64(self.credential_id),
            "type": "public-key",
            "response": {"clientDataJSON": b64(client_data), "attestationObject": b64(attestation)},
            "clientExtensionResults": {"credProps": {"rk": True}},
        }

    def assertion(self, *, challenge: str, rp_id: str, origin: str) -> dict:
        self.sign_count += 1
        auth_data = hashlib.sha256(rp_id.encode()).digest() + bytes([0x05]) + self.sign_count.to_bytes(4, "big")
        client_data = self._client_data("webauthn.get", challenge, origin)
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return {
            "id": b64(self.credential_id),
            "rawId": b64(self.credential_id),
            "type": "public-key",
            "response": {
                "authenticatorData": b64(auth_data),
                "clientDataJSON": b64(client_data),
                "signature": b64(signature),
            },
            "clientExtensionResults": {},
        }

    def held_by(self, user: User, council: Council | None, name: str = "Work laptop") -> WebAuthnCredential:
        """The passkey as if registered at ``council``'s site earlier."""
        with schema_context(council.schema_name if council else "public"):
            return WebAuthnCredential.objects.create(
                user=user,
                name=name,
                credential_id=self.credential_id,
                public_key=self.cose_public_key(),
                sign_count=0,
                aaguid="00000000-0000-0000-0000-000000000000",
                discoverable=True,
                confirmed=True,
            )


def origin_of(council: Council) -> str:
    return f"http://{host_of(council)}"


def use_passkey(client: Client, key: SoftKey, *, at: Council, origin: str | None = None, rp_id: str | None = None):
    """What the browser does with ``key`` on ``at``'s sign-in page (or signs for another site's, if told)."""
    options = client.post("/sign-in/passkey/begin/").json()
    assertion = key.assertion(
        challenge=options["challenge"], rp_id=rp_id or options["rpId"], origin=origin or origin_of(at)
    )
    return client.post("/sign-in/passkey/complete/", json.dumps(assertion), content_type="application/json")


def signed_in(client: Client) -> bool:
    return client.get("/account/passkeys/").status_code == 200


@pytest.fixture
def person(council_a: Council) -> User:
    with schema_context(council_a.schema_name):
        return PractitionerFactory(user__email="sam.cole@agency.example").user


@pytest.fixture
def client_a(council_a: Council) -> Client:
    return Client(HTTP_HOST=host_of(council_a))


# --- Passwordless ---------------------------------------------------------------------------------------------


def test_a_passkey_alone_signs_in_through_the_same_record(client_a: Client, council_a: Council, person: User):
    key = SoftKey()
    credential = key.held_by(person, council_a)
    response = use_passkey(client_a, key, at=council_a)
    assert response.status_code == 200, response.content
    assert response.json()["redirect_url"] == "/"
    assert signed_in(client_a)
    [event] = audit_events(council_a, action=AuditAction.SIGN_IN, actor_id=person.pk)
    assert event.object_id == credential.persistent_id


def test_the_challenge_asks_for_the_person_to_unlock_the_passkey(client_a: Client, council_a: Council):
    options = client_a.post("/sign-in/passkey/begin/").json()
    assert options["userVerification"] == "required"
    assert options["rpId"] == host_of(council_a)
    assert "allowCredentials" not in options or options["allowCredentials"] == []


def test_a_passkey_made_at_council_a_is_not_accepted_at_council_b(council_a: Council, council_b: Council, person: User):
    key = SoftKey()
    key.held_by(person, council_a)
    client_b = Client(HTTP_HOST=host_of(council_b))
    # Signed for council A's site, sent to council B's; and signed as if for B: neither signs in.
    for origin, rp_id in ((origin_of(council_a), host_of(council_a)), (origin_of(council_b), host_of(council_b))):
        response = use_passkey(client_b, key, at=council_b, origin=origin, rp_id=rp_id)
        assert response.status_code == 403
    assert not signed_in(client_b)
    assert audit_events(council_b, action=AuditAction.SIGN_IN) == []
    with schema_context(council_a.schema_name):
        assert WebAuthnCredential.objects.get(user=person).sign_count == 0


def test_a_passkey_signed_for_another_origin_is_refused_and_recorded_but_locks_nobody_out(
    client_a: Client, council_a: Council, person: User
):
    key = SoftKey()
    key.held_by(person, council_a)
    response = use_passkey(client_a, key, at=council_a, origin="http://evil.example")
    assert response.status_code == 403
    assert not signed_in(client_a)
    [failure] = audit_events(council_a, action=AuditAction.SIGN_IN_FAILED, actor_id=person.pk)
    assert failure.reason.startswith("passkey")
    with schema_context(council_a.schema_name):
        # No password came first: whoever sent it only named the credential, so its owner's count stays.
        assert User.objects.get(pk=person.pk).failed_sign_ins == 0


def test_each_challenge_is_used_once(client_a: Client, council_a: Council, person: User):
    key = SoftKey()
    key.held_by(person, council_a)
    options = client_a.post("/sign-in/passkey/begin/").json()
    assertion = key.assertion(challenge=options["challenge"], rp_id=options["rpId"], origin=origin_of(council_a))
    body = json.dumps(assertion)
    assert client_a.post("/sign-in/passkey/complete/", body, content_type="application/json").status_code == 200
    replay = Client(HTTP_HOST=host_of(council_a))
    assert replay.post("/sign-in/passkey/complete/", body, content_type="application/json").status_code == 400
    assert not signed_in(replay)


@pytest.mark.parametrize("body", ["not json", "[]", json.dumps({"id": "x", "response": {}})])
def test_malformed_answers_are_refused(client_a: Client, council_a: Council, body: str):
    client_a.post("/sign-in/passkey/begin/")
    response = client_a.post("/sign-in/passkey/complete/", body, content_type="application/json")
    assert response.status_code == 403
    assert not signed_in(client_a)


def test_a_suspended_agencys_practitioner_is_refused_even_with_a_passkey(
    client_a: Client, council_a: Council, person: User
):
    key = SoftKey()
    key.held_by(person, council_a)
    with schema_context(council_a.schema_name):
        person.practitioner.agency.__class__.objects.filter(pk=person.practitioner.agency_id).update(
            approval_state=ApprovalState.SUSPENDED
        )
    response = use_passkey(client_a, key, at=council_a)
    assert response.status_code == 403
    assert not signed_in(client_a)
    [refusal] = audit_events(council_a, action=AuditAction.SIGN_IN_FAILED, actor_id=person.pk)
    assert refusal.reason == "agency suspended"
    assert audit_events(council_a, action=AuditAction.SIGN_IN) == []


def test_a_locked_account_is_refused_even_with_a_passkey(client_a: Client, council_a: Council, person: User):
    from django.utils import timezone

    key = SoftKey()
    key.held_by(person, council_a)
    with schema_context(council_a.schema_name):
        User.objects.filter(pk=person.pk).update(locked_until=timezone.now() + timezone.timedelta(minutes=10))
    assert use_passkey(client_a, key, at=council_a).status_code == 403
    assert not signed_in(client_a)


# --- Second factor --------------------------------------------------------------------------------------------


def test_a_passkey_after_the_password_is_the_second_factor(client_a: Client, council_a: Council, person: User):
    key = SoftKey()
    key.held_by(person, council_a)
    assert password_step(client_a, person.email).url == "/sign-in/code/"
    page = client_a.get("/sign-in/code/")
    assert b"Use a passkey" in page.content
    options = client_a.post("/sign-in/passkey/begin/").json()
    assert [entry["id"] for entry in options["allowCredentials"]] == [b64(key.credential_id)]
    assertion = key.assertion(challenge=options["challenge"], rp_id=options["rpId"], origin=origin_of(council_a))
    response = client_a.post("/sign-in/passkey/complete/", json.dumps(assertion), content_type="application/json")
    assert response.status_code == 200
    assert signed_in(client_a)


def test_after_the_password_only_that_persons_passkey_is_accepted(client_a: Client, council_a: Council, person: User):
    with schema_context(council_a.schema_name):
        other = PractitionerFactory(user__email="other@agency.example").user
    other_key = SoftKey()
    other_key.held_by(other, council_a)
    give_backup_code(person, council_a)
    password_step(client_a, person.email)
    response = use_passkey(client_a, other_key, at=council_a)
    assert response.status_code == 403
    assert not signed_in(client_a)
    [failure] = audit_events(council_a, action=AuditAction.SECOND_FACTOR_FAILED, actor_id=person.pk)
    assert failure.reason.startswith("passkey")
    assert audit_events(council_a, action=AuditAction.SIGN_IN) == []


def test_a_bad_passkey_after_the_password_counts_towards_the_lockout(
    client_a: Client, council_a: Council, person: User
):
    key = SoftKey()
    key.held_by(person, council_a)
    password_step(client_a, person.email)
    response = use_passkey(client_a, key, at=council_a, origin="http://evil.example")
    assert response.status_code == 403
    assert not signed_in(client_a)
    with schema_context(council_a.schema_name):
        assert User.objects.get(pk=person.pk).failed_sign_ins == 1  # as a wrong code would


# --- The account page -----------------------------------------------------------------------------------------


def test_the_page_lists_passkeys_and_says_adding_one_needs_javascript(
    client_a: Client, council_a: Council, person: User
):
    SoftKey().held_by(person, council_a, name="Office PC")
    sign_in(client_a, person, council_a)
    page = client_a.get("/account/passkeys/")
    assert page.status_code == 200
    assert b"Office PC" in page.content
    assert b"needs a browser with JavaScript" in page.content
    assert b"otp_webauthn_register.js" in page.content
    assert b"<script>" not in page.content  # no inline script (CSP)
    assert b"/account/passkeys/" in client_a.get("/account/sessions/").content


def test_a_passkey_is_added_through_the_ceremony_and_recorded(client_a: Client, council_a: Council, person: User):
    sign_in(client_a, person, council_a)
    options = client_a.post("/account/passkeys/register/begin/").json()
    assert options["rp"]["id"] == host_of(council_a)
    key = SoftKey()
    response = client_a.post(
        "/account/passkeys/register/complete/",
        json.dumps(key.registration(options=options, origin=origin_of(council_a))),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    with schema_context(council_a.schema_name):
        credential = WebAuthnCredential.objects.get(user=person)
    assert credential.name.startswith("Passkey added")
    [added] = audit_events(council_a, action=AuditAction.PASSKEY_ADDED, actor_id=person.pk)
    assert added.object_id == str(credential.pk)
    # And it signs in on its own.
    assert use_passkey(Client(HTTP_HOST=host_of(council_a)), key, at=council_a).status_code == 200


def test_a_passkey_made_for_another_origin_is_not_added(client_a: Client, council_a: Council, person: User):
    sign_in(client_a, person, council_a)
    options = client_a.post("/account/passkeys/register/begin/").json()
    response = client_a.post(
        "/account/passkeys/register/complete/",
        json.dumps(SoftKey().registration(options=options, origin="http://evil.example")),
        content_type="application/json",
    )
    assert response.status_code >= 400
    with schema_context(council_a.schema_name):
        assert not WebAuthnCredential.objects.filter(user=person).exists()
    assert audit_events(council_a, action=AuditAction.PASSKEY_ADDED) == []


def test_adding_a_passkey_needs_both_factors(client_a: Client, council_a: Council, person: User):
    give_backup_code(person, council_a)
    password_step(client_a, person.email)
    response = client_a.post("/account/passkeys/register/begin/")
    assert response.status_code == 302
    assert response.url.startswith("/sign-in/")


def test_removing_a_passkey_is_recorded(client_a: Client, council_a: Council, person: User):
    credential = SoftKey().held_by(person, council_a)
    sign_in(client_a, person, council_a)
    response = client_a.post(f"/account/passkeys/{credential.pk}/remove/")
    assert response.status_code == 302
    with schema_context(council_a.schema_name):
        assert not WebAuthnCredential.objects.filter(pk=credential.pk).exists()
    [removed] = audit_events(council_a, action=AuditAction.PASSKEY_REMOVED, actor_id=person.pk)
    assert removed.object_id == str(credential.pk)


def test_removing_the_passkey_this_session_was_signed_in_with_signs_out(
    client_a: Client, council_a: Council, person: User
):
    key = SoftKey()
    credential = key.held_by(person, council_a)
    assert use_passkey(client_a, key, at=council_a).status_code == 200
    response = client_a.post(f"/account/passkeys/{credential.pk}/remove/")
    assert response.status_code == 302
    assert response.url == "/sign-in/"
    assert not signed_in(client_a)
    assert len(audit_events(council_a, action=AuditAction.PASSKEY_REMOVED, actor_id=person.pk)) == 1


def test_another_persons_passkey_cannot_be_removed(client_a: Client, council_a: Council, person: User):
    with schema_context(council_a.schema_name):
        other = PractitionerFactory(user__email="other@agency.example").user
    theirs = SoftKey().held_by(other, council_a)
    sign_in(client_a, person, council_a)
    assert client_a.post(f"/account/passkeys/{theirs.pk}/remove/").status_code == 404
    assert client_a.get(f"/account/passkeys/{theirs.pk}/remove/").status_code == 405
    with schema_context(council_a.schema_name):
        assert WebAuthnCredential.objects.filter(pk=theirs.pk).exists()
    assert audit_events(council_a, action=AuditAction.PASSKEY_REMOVED) == []


# --- A council's requirement ----------------------------------------------------------------------------------


def require_passkeys(council: Council) -> None:
    with schema_context(council.schema_name):
        CouncilGovernance.objects.update_or_create(id=GOVERNANCE_ROW, defaults={"passkeys_required": True})


@pytest.fixture
def administrator(council_a: Council) -> User:
    with schema_context(council_a.schema_name):
        return PractitionerFactory(user__email="admin@agency.example", is_council_admin=True).user


def test_an_administrator_is_taken_to_add_a_passkey_first(client_a: Client, council_a: Council, administrator: User):
    require_passkeys(council_a)
    sign_in(client_a, administrator, council_a)
    for path in ("/", "/account/sessions/", "/administration/setup/"):
        response = client_a.get(path)
        assert response.status_code == 302, path
        assert response.url == "/account/passkeys/", path
    page = client_a.get("/account/passkeys/")
    assert b"Your council requires you to sign in with a passkey" in page.content
    # Once one is added, the rest opens.
    options = client_a.post("/account/passkeys/register/begin/").json()
    client_a.post(
        "/account/passkeys/register/complete/",
        json.dumps(SoftKey().registration(options=options, origin=origin_of(council_a))),
        content_type="application/json",
    )
    assert client_a.get("/account/sessions/").status_code == 200


def test_a_practitioner_is_not_required_to(client_a: Client, council_a: Council, person: User):
    require_passkeys(council_a)
    sign_in(client_a, person, council_a)
    assert client_a.get("/account/sessions/").status_code == 200


def test_once_they_have_a_passkey_a_code_is_not_enough(client_a: Client, council_a: Council, administrator: User):
    require_passkeys(council_a)
    key = SoftKey()
    key.held_by(administrator, council_a)
    code = give_backup_code(administrator, council_a)
    password_step(client_a, administrator.email)
    page = client_a.get("/sign-in/code/")
    assert b"Use your passkey" in page.content
    assert b'name="code"' not in page.content
    refused = code_step(client_a, code)
    assert refused.status_code == 200
    assert not signed_in(client_a)
    [denied] = audit_events(council_a, action=AuditAction.SECOND_FACTOR_FAILED, actor_id=administrator.pk)
    assert denied.reason == "the council requires a passkey"
    # The code is still unspent, and the passkey works.
    response = use_passkey(client_a, key, at=council_a)
    assert response.status_code == 200
    assert client_a.get("/account/sessions/").status_code == 200


def test_the_council_administrator_sets_the_requirement_and_it_is_recorded(
    client_a: Client, council_a: Council, administrator: User
):
    SoftKey().held_by(administrator, council_a)  # so that requiring passkeys does not stop them at once
    sign_in(client_a, administrator, council_a)
    assert client_a.get("/administration/passkeys/").status_code == 200
    assert client_a.post("/administration/passkeys/", {"required": "on"}).status_code == 302
    with schema_context(council_a.schema_name):
        assert CouncilGovernance.objects.get(id=GOVERNANCE_ROW).passkeys_required
    [changed] = audit_events(council_a, action=AuditAction.PASSKEYS_REQUIRED_CHANGED, actor_id=administrator.pk)
    assert changed.changes == {"passkeys_required": {"old": False, "new": True}}


def test_a_practitioner_cannot_set_the_requirement(client_a: Client, council_a: Council, person: User):
    sign_in(client_a, person, council_a)
    assert client_a.post("/administration/passkeys/", {"required": "on"}).status_code == 403
    with schema_context(council_a.schema_name):
        assert not CouncilGovernance.objects.filter(passkeys_required=True).exists()
    assert audit_events(council_a, action=AuditAction.PASSKEYS_REQUIRED_CHANGED) == []


# --- Platform staff -------------------------------------------------------------------------------------------


def test_platform_staff_can_sign_in_with_a_passkey_on_the_platform_site(db: None):
    from tests.factories import UserFactory

    staff = UserFactory(email="ops@patchwork.example", is_staff=True)
    key = SoftKey()
    key.held_by(staff, None)
    client = Client(HTTP_HOST="localhost")
    options = client.post("/sign-in/passkey/begin/").json()
    assertion = key.assertion(challenge=options["challenge"], rp_id="localhost", origin="http://localhost")
    response = client.post("/sign-in/passkey/complete/", json.dumps(assertion), content_type="application/json")
    assert response.status_code == 200
    assert client.get("/account/passkeys/").status_code == 200
