"""IDOR matrix (TEN-2): every route that takes an id, asked for another council's object, says "not found".

A council-A administrator — the most powerful council role — asks council A's site for council B's
objects. Each route with a parameter must have an entry here; a route without one fails the test,
so new routes join the matrix as they are written.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent
from core.directory.models import Practitioner, Role
from core.directory.services.invitations import _hash
from tenants.models import Council
from tests.conftest import sign_in
from tests.core.access.test_route_inventory import routes
from tests.factories import AgencyFactory, PractitionerFactory

pytestmark = pytest.mark.council_side


@dataclass(frozen=True)
class Probe:
    method: str
    path: Callable[[dict[str, object]], str]
    refused: Callable[[object], bool]
    unchanged: Callable[[dict[str, object]], bool] = lambda objects: True


def _not_found(response: object) -> bool:
    return response.status_code == 404  # type: ignore[attr-defined]


def _invalid_link(response: object) -> bool:
    return response.status_code == 200 and "This link does not work" in response.content.decode()  # type: ignore[attr-defined]


def _b_practitioner_untouched(objects: dict[str, object]) -> bool:
    with schema_context("council_beta"):
        practitioner = Practitioner.objects.select_related("user").get(pk=objects["b_practitioner"].pk)
        return practitioner.verified_at is None and practitioner.user.is_active and not practitioner.is_agency_manager


def _b_agency_untouched(objects: dict[str, object]) -> bool:
    from core.directory.models import Agency, ApprovalState

    with schema_context("council_beta"):
        agency = Agency.objects.get(pk=objects["b_practitioner"].agency_id)
    return agency.name == "Beta Family Services" and agency.approval_state == ApprovalState.APPROVED


def _b_client_id(objects: dict[str, object]) -> object:
    """A council-B client with a council-B practitioner in its team, made on first use (client API probes)."""
    if "b_api_client" not in objects:
        from tests.factories import ClientFactory, InvolvementFactory

        with schema_context("council_beta"):
            client = ClientFactory(first_name="Bea", surname="Beta")
            InvolvementFactory(client=client, practitioner=objects["b_practitioner"], role="Key worker")
        objects["b_api_client"] = client
    return objects["b_api_client"].pk  # type: ignore[attr-defined]


def _b_client_team_untouched(objects: dict[str, object]) -> bool:
    from core.clients.models import Involvement

    with schema_context("council_beta"):
        team = list(Involvement.objects.filter(client_id=_b_client_id(objects)).values_list("role", "ended_on"))
    return team == [("Key worker", None)]


def _client_api(suffix: str) -> Callable[[dict[str, object]], str]:
    return lambda objects: f"/api/v1/clients/{_b_client_id(objects)}/{suffix}"


def _client_page(suffix: str) -> Callable[[dict[str, object]], str]:
    return lambda objects: f"/clients/{_b_client_id(objects)}/{suffix}"


def _b_client_untouched(objects: dict[str, object]) -> bool:
    """The team as it was, and nobody invited or told of a change (client pages probes)."""
    from core.clients.models import TeamActivity, TeamInvitation

    with schema_context("council_beta"):
        quiet = not TeamInvitation.objects.exists() and not TeamActivity.objects.exists()
    return quiet and _b_client_team_untouched(objects)


def _b_consent_id(objects: dict[str, object]) -> object:
    """A current consent of the council-B client (client pages probes)."""
    if "b_consent" not in objects:
        import datetime

        from core.clients.models import Consent

        with schema_context("council_beta"):
            objects["b_consent"] = Consent.objects.create(
                client_id=_b_client_id(objects),
                given_by="Bea Beta",
                relationship=Consent.Relationship.CLIENT,
                given_on=datetime.date(2026, 1, 5),
                evidence="signed form",
                recorded_by=objects["b_practitioner"],
            )
    return objects["b_consent"].pk  # type: ignore[attr-defined]


def _b_consent_untouched(objects: dict[str, object]) -> bool:
    from core.clients.models import Client, Consent

    with schema_context("council_beta"):
        consent = Consent.objects.get(pk=_b_consent_id(objects))
        client = Client.objects.get(pk=_b_client_id(objects))
    return consent.is_current and client.withheld_from_search_since is None and _b_client_untouched(objects)


def _b_alert_id(objects: dict[str, object]) -> object:
    """An open council-B alert about the council-B practitioner (privacy officer probes)."""
    if "b_alert" not in objects:
        import datetime

        from core.governance.models import Alert, AlertKind

        with schema_context("council_beta"):
            start = datetime.datetime(2026, 11, 30, 13, tzinfo=datetime.UTC)
            objects["b_alert"] = Alert.objects.create(
                kind=AlertKind.BURST,
                practitioner=objects["b_practitioner"],
                period_start=start,
                period_end=start + datetime.timedelta(days=1),
                summary="20 searches within ten minutes",
            )
    return objects["b_alert"].pk  # type: ignore[attr-defined]


def _b_alert_untouched(objects: dict[str, object]) -> bool:
    from core.governance.models import Alert

    with schema_context("council_beta"):
        alert = Alert.objects.get(pk=_b_alert_id(objects))
    return alert.state == Alert.State.OPEN and alert.assigned_to_id is None


def _b_join_request_id(objects: dict[str, object]) -> object:
    """A pending request to join the council-B client's team (client pages probes)."""
    if "b_join_request" not in objects:
        from core.clients.models import JoinRequest

        with schema_context("council_beta"):
            asker = PractitionerFactory(agency=objects["b_practitioner"].agency, user__email="ask@beta.example")
            objects["b_join_request"] = JoinRequest.objects.create(
                client_id=_b_client_id(objects), practitioner=asker, role="Nurse", reason="Referral"
            )
    return objects["b_join_request"].pk  # type: ignore[attr-defined]


def _b_join_request_untouched(objects: dict[str, object]) -> bool:
    from core.clients.models import JoinRequest

    with schema_context("council_beta"):
        pending = JoinRequest.objects.get(pk=_b_join_request_id(objects)).decision == JoinRequest.Decision.PENDING
    return pending and _b_client_untouched(objects)


def _b_sensitive_agency_id(objects: dict[str, object]) -> object:
    """A council-B sensitive agency (rulebook probes)."""
    if "b_sensitive" not in objects:
        with schema_context("council_beta"):
            objects["b_sensitive"] = AgencyFactory(name="Beta Recovery", is_sensitive=True, gateway_contact="Duty")
    return objects["b_sensitive"].pk  # type: ignore[attr-defined]


def _b_rulebook_version(objects: dict[str, object]) -> int:
    """Council B's first rulebook version (council A has none)."""
    if "b_version" not in objects:
        from core.governance.models import RulebookVersion
        from core.governance.rules import Rules

        with schema_context("council_beta"):
            objects["b_version"] = RulebookVersion.objects.create(
                number=1, rules=Rules(result_cap=5).to_json(), reason="Beta's own"
            )
    return objects["b_version"].number  # type: ignore[attr-defined]


def _no_rulebook_change(objects: dict[str, object]) -> bool:
    from core.governance.models import RulebookVersion

    with schema_context("council_beta"):
        beta = RulebookVersion.objects.count()
    with schema_context("council_alpha"):
        alpha = RulebookVersion.objects.count()
    return alpha == 0 and beta == (1 if "b_version" in objects else 0)


def _b_practitioner_without_role(objects: dict[str, object]) -> bool:
    with schema_context("council_beta"):
        role = Practitioner.objects.get(pk=objects["b_practitioner"].pk).break_glass_role
    return role == "" and _b_practitioner_untouched(objects)


def _b_agreement_id(objects: dict[str, object]) -> object:
    """A council-B data-sharing agreement (its row only: the document is never reached)."""
    if "b_agreement" not in objects:
        import datetime

        from core.council.models import DataSharingAgreement

        with schema_context("council_beta"):
            objects["b_agreement"] = DataSharingAgreement.objects.create(
                signed_on=datetime.date(2026, 1, 5),
                review_on=datetime.date(2027, 1, 5),
                document="agreements/council_beta/never-read.pdf",
                document_size=1,
                recorded_by=objects["b_practitioner"],
            )
    return objects["b_agreement"].pk  # type: ignore[attr-defined]


def _b_unread(objects: dict[str, object]) -> bool:
    return not any(_events_in(schema, AuditAction.AGREEMENT_DOWNLOADED) for schema in ("council_alpha", "council_beta"))


def _events_in(schema: str, action: str) -> bool:
    with schema_context(schema):
        return AuditEvent.objects.filter(action=action).exists()


def _b_not_privacy_officer(objects: dict[str, object]) -> bool:
    with schema_context("council_beta"):
        return not Practitioner.objects.get(pk=objects["b_practitioner"].pk).is_privacy_officer


# Beyond any id council A's own legal bases take: an integer id names a row in each schema.
B_LEGAL_BASIS_ID = 987_654


def _b_legal_basis_id(objects: dict[str, object]) -> int:
    if "b_legal_basis" not in objects:
        from core.governance.models import LegalBasis

        with schema_context("council_beta"):
            objects["b_legal_basis"] = LegalBasis.objects.create(
                id=B_LEGAL_BASIS_ID, code="beta-only", title="Beta only", is_accepted=True
            )
    return B_LEGAL_BASIS_ID


def _b_legal_basis_untouched(objects: dict[str, object]) -> bool:
    from core.governance.models import LegalBasis

    with schema_context("council_beta"):
        return LegalBasis.objects.get(id=_b_legal_basis_id(objects)).is_accepted


def _b_passkey_id(objects: dict[str, object]) -> object:
    """A passkey of the council-B practitioner (account page probes)."""
    if "b_passkey" not in objects:
        from django_otp_webauthn.models import WebAuthnCredential

        with schema_context("council_beta"):
            objects["b_passkey"] = WebAuthnCredential.objects.create(
                user=objects["b_practitioner"].user,  # type: ignore[attr-defined]
                name="Beta laptop",
                credential_id=b"beta-passkey-credential",
                public_key=b"\x00",
                aaguid="00000000-0000-0000-0000-000000000000",
                confirmed=True,
            )
    return objects["b_passkey"].pk  # type: ignore[attr-defined]


def _b_passkey_untouched(objects: dict[str, object]) -> bool:
    from django_otp_webauthn.models import WebAuthnCredential

    with schema_context("council_beta"):
        return WebAuthnCredential.objects.filter(pk=_b_passkey_id(objects), name="Beta laptop").exists()


def _b_session_id(objects: dict[str, object]) -> object:
    """A session of the council-B practitioner, with an id no council-A session has (ids count per schema)."""
    if "b_session" not in objects:
        from core.accounts.models import UserSession

        with schema_context("council_beta"):
            objects["b_session"] = UserSession.objects.create(
                pk=9_000_001, session_key="beta-session-key-for-probes", user=objects["b_practitioner"].user
            )
    return objects["b_session"].pk  # type: ignore[attr-defined]


def _b_session_untouched(objects: dict[str, object]) -> bool:
    from core.accounts.models import UserSession

    with schema_context("council_beta"):
        return UserSession.objects.filter(pk=_b_session_id(objects), session_key="beta-session-key-for-probes").exists()


COUNCIL_MATRIX: dict[str, list[Probe]] = {
    "practitioner-action": [
        Probe(
            "post",
            lambda o, action=action: f"/team/practitioners/{o['b_practitioner'].pk}/{action}/",
            _not_found,
            _b_practitioner_untouched,
        )
        for action in ("verify", "unlock", "make-manager", "reactivate")
    ],
    "practitioner-deactivate": [
        Probe(
            method,
            lambda o: f"/team/practitioners/{o['b_practitioner'].pk}/deactivate/",
            _not_found,
            _b_practitioner_untouched,
        )
        for method in ("get", "post")
    ],
    "invitation": [
        Probe("get", lambda o: f"/invitations/{o['b_token']}/", _not_found),
        Probe("post", lambda o: f"/invitations/{o['b_token']}/", _not_found),
    ],
    "password-reset-confirm": [
        Probe("get", lambda o: f"/password-reset/{o['b_uid']}/{o['b_reset_token']}/", _invalid_link),
    ],
    "directory-person": [Probe("get", lambda o: f"/directory/people/{o['b_practitioner'].pk}/", _not_found)],
    "directory-person-photo": [
        Probe("get", lambda o: f"/directory/people/{o['b_practitioner'].pk}/photo/", _not_found),
    ],
    "directory-agency": [Probe("get", lambda o: f"/directory/agencies/{o['b_practitioner'].agency_id}/", _not_found)],
    "api-v1:client-team": [Probe("get", _client_api("team/"), _not_found)],
    "api-v1:client-correct": [Probe("patch", _client_api(""), _not_found, _b_client_untouched)],
    "api-v1:client-involvement-start": [
        Probe("post", _client_api("involvements/"), _not_found, _b_client_team_untouched)
    ],
    "api-v1:client-involvement-mine": [
        Probe("patch", _client_api("involvements/mine/"), _not_found, _b_client_team_untouched)
    ],
    "api-v1:client-involvement-mine-end": [
        Probe("post", _client_api("involvements/mine/end/"), _not_found, _b_client_team_untouched)
    ],
    "api-v1:client-fhir-care-team": [Probe("get", _client_api("fhir/care-team/"), _not_found)],
    "api-v1:client-team-invitation-create": [
        Probe("post", _client_api("invitations/"), _not_found, _b_client_untouched)
    ],
    "api-v1:practitioner-detail": [
        Probe("get", lambda o: f"/api/v1/practitioners/{o['b_practitioner'].pk}/", _not_found)
    ],
    "client-team": [Probe("get", _client_page(""), _not_found)],
    "administration-agency": [
        Probe("get", lambda o: f"/administration/agencies/{o['b_practitioner'].agency_id}/", _not_found)
    ],
    "administration-agency-edit": [
        Probe(
            method,
            lambda o: f"/administration/agencies/{o['b_practitioner'].agency_id}/edit/",
            _not_found,
            _b_agency_untouched,
        )
        for method in ("get", "post")
    ],
    "administration-agency-state": [
        Probe(
            method,
            lambda o, transition=transition: f"/administration/agencies/{o['b_practitioner'].agency_id}/{transition}/",
            _not_found,
            _b_agency_untouched,
        )
        for method in ("get", "post")
        for transition in ("approve", "suspend")
    ],
    "administration-agency-manager": [
        Probe(
            "post",
            lambda o, action=action: (
                f"/administration/agencies/{o['b_practitioner'].agency_id}/managers/{o['b_practitioner'].pk}/{action}/"
            ),
            _not_found,
            _b_practitioner_untouched,
        )
        for action in ("appoint", "remove")
    ],
    "council-agreement-document": [
        Probe("get", lambda o: f"/administration/agreements/{_b_agreement_id(o)}/document/", _not_found, _b_unread)
    ],
    "council-privacy-officer": [
        Probe(
            "post",
            lambda o, action=action: f"/administration/privacy-officers/{o['b_practitioner'].pk}/{action}/",
            _not_found,
            _b_not_privacy_officer,
        )
        for action in ("appoint", "remove")
    ],
    "council-legal-basis": [
        Probe(
            "post",
            lambda o, action=action: f"/administration/legal-bases/{_b_legal_basis_id(o)}/{action}/",
            _not_found,
            _b_legal_basis_untouched,
        )
        for action in ("retire", "accept")
    ],
    "council-rules-sensitive-service": [
        Probe(
            method,
            lambda o: f"/administration/rules/sensitive-services/{_b_sensitive_agency_id(o)}/",
            _not_found,
            _no_rulebook_change,
        )
        for method in ("get", "post")
    ],
    "council-rules-version": [
        Probe("get", lambda o: f"/administration/rules/history/{_b_rulebook_version(o)}/", _not_found)
    ],
    "council-break-glass-role": [
        Probe(
            "post",
            lambda o, action=action: f"/administration/break-glass-roles/{o['b_practitioner'].pk}/{action}/",
            _not_found,
            _b_practitioner_without_role,
        )
        for action in ("give", "take-away")
    ],
    "client-join-request": [
        Probe(
            method,
            lambda o: f"/clients/{_b_client_id(o)}/join-requests/{_b_join_request_id(o)}/",
            _not_found,
            _b_join_request_untouched,
        )
        for method in ("get", "post")
    ],
    "administration-import-job": [Probe("get", lambda o: f"/administration/imports/jobs/{o['b_import']}/", _not_found)],
    "administration-import-report": [
        Probe("get", lambda o: f"/administration/imports/jobs/{o['b_import']}/problems.csv", _not_found)
    ],
    **{
        name: [Probe(method, _client_page(suffix), _not_found, _b_client_untouched) for method in ("get", "post")]
        for name, suffix in (
            ("client-join", "join/"),
            ("involvement-update", "my-involvement/"),
            ("involvement-end", "my-involvement/end/"),
            ("team-invite", "invite/"),
            ("client-correct", "correct/"),
            ("client-consent", "consent/"),
        )
    },
    "consent-withdraw": [
        Probe(
            method,
            lambda o: f"/clients/{_b_client_id(o)}/consent/{_b_consent_id(o)}/withdraw/",
            _not_found,
            _b_consent_untouched,
        )
        for method in ("get", "post")
    ],
    "privacy-client": [Probe("get", lambda o: f"/privacy-officer/clients/{_b_client_id(o)}/", _not_found)],
    "privacy-client-csv": [
        Probe("get", lambda o: f"/privacy-officer/clients/{_b_client_id(o)}/access.csv", _not_found)
    ],
    "privacy-practitioner": [
        Probe("get", lambda o: f"/privacy-officer/practitioners/{o['b_practitioner'].pk}/", _not_found)
    ],
    "privacy-practitioner-csv": [
        Probe("get", lambda o: f"/privacy-officer/practitioners/{o['b_practitioner'].pk}/activity.csv", _not_found)
    ],
    "privacy-alert": [Probe("get", lambda o: f"/privacy-officer/alerts/{_b_alert_id(o)}/", _not_found)],
    **{
        name: [
            Probe(
                "post",
                lambda o, action=action: f"/privacy-officer/alerts/{_b_alert_id(o)}/{action}/",
                _not_found,
                _b_alert_untouched,
            )
        ]
        for name, action in (("privacy-alert-assign", "assign"), ("privacy-alert-close", "close"))
    },
    "account-passkey-remove": [
        Probe("post", lambda o: f"/account/passkeys/{_b_passkey_id(o)}/remove/", _not_found, _b_passkey_untouched)
    ],
    "session-sign-out": [
        Probe("post", lambda o: f"/account/sessions/{_b_session_id(o)}/sign-out/", _not_found, _b_session_untouched)
    ],
}


def _b_break_glass_id(objects: dict[str, object]) -> object:
    """A council-B emergency access, opened by council B's practitioner to council B's client."""
    if "b_break_glass" not in objects:
        import datetime

        from django.utils import timezone

        from core.clients.models import BreakGlassAccess

        with schema_context("council_beta"):
            objects["b_break_glass"] = BreakGlassAccess.objects.create(
                client_id=_b_client_id(objects),
                practitioner=objects["b_practitioner"],
                role="Duty team",
                reason="Out-of-hours emergency placement",
                explanation="Placement at night",
                expires_at=timezone.now() + datetime.timedelta(hours=1),
            )
    return objects["b_break_glass"].pk  # type: ignore[attr-defined]


def _b_break_glass_untouched(objects: dict[str, object]) -> bool:
    from core.clients.models import BreakGlassAccess

    with schema_context("council_beta"):
        access = BreakGlassAccess.objects.get(pk=_b_break_glass_id(objects))
    return access.ended_at is None and access.review == BreakGlassAccess.Review.PENDING


def _refused_to_a_non_privacy_officer(response: object) -> bool:
    """The administrator is no privacy officer: the review pages are closed to them whatever the id (a privacy
    officer asking for another council's access is not found: tests/core/clients/test_break_glass_review.py)."""
    return response.status_code in (403, 404)  # type: ignore[attr-defined]


COUNCIL_MATRIX |= {
    "client-break-glass": [
        Probe(method, _client_page("break-glass/"), _not_found, _b_client_untouched) for method in ("get", "post")
    ],
    "break-glass-end": [
        Probe("post", lambda o: f"/break-glass/{_b_break_glass_id(o)}/end/", _not_found, _b_break_glass_untouched)
    ],
    "break-glass-review": [
        Probe(
            method,
            lambda o: f"/break-glass/reviews/{_b_break_glass_id(o)}/",
            _refused_to_a_non_privacy_officer,
            _b_break_glass_untouched,
        )
        for method in ("get", "post")
    ],
}


def _b_notice_id(objects: dict[str, object]) -> object:
    """An unread council-B notice of council B's practitioner (notification centre probes)."""
    if "b_notice" not in objects:
        from core.inbox.models import Notice, NoticeKind

        with schema_context("council_beta"):
            objects["b_notice"] = Notice.objects.create(
                recipient=objects["b_practitioner"].user,
                kind=NoticeKind.TEAM_CHANGE,
                text="Kim Beta joined the team around one of your clients.",
                link="/",
            )
    return objects["b_notice"].pk  # type: ignore[attr-defined]


def _b_notice_unread(objects: dict[str, object]) -> bool:
    from core.inbox.models import Notice

    with schema_context("council_beta"):
        return Notice.objects.get(pk=_b_notice_id(objects)).read_at is None


COUNCIL_MATRIX |= {
    "notification-open": [
        Probe("get", lambda o: f"/notifications/{_b_notice_id(o)}/", _not_found, _b_notice_unread),
    ],
}


def _b_subject_access_id(objects: dict[str, object]) -> object:
    """A council-B subject access request about the council-B client, its export ready to download."""
    if "b_subject_access" not in objects:
        import datetime

        from django.utils import timezone

        from core.subject_access.models import SubjectAccessRequest

        with schema_context("council_beta"):
            objects["b_subject_access"] = SubjectAccessRequest.objects.create(
                client_id=_b_client_id(objects),
                jurisdiction="victoria",
                received_on=datetime.date(2026, 1, 31),
                due_on=datetime.date(2026, 3, 2),
                state=SubjectAccessRequest.State.READY,
                recorded_by=objects["b_practitioner"],
                export_started_by=objects["b_practitioner"],
                download_nonce="beta-nonce",
                link_expires_at=timezone.now() + datetime.timedelta(days=7),
            )
    return objects["b_subject_access"].pk  # type: ignore[attr-defined]


def _b_subject_access_link(objects: dict[str, object]) -> str:
    from core.subject_access.services.exports import download_token

    _b_subject_access_id(objects)
    with schema_context("council_beta"):
        return f"/privacy-officer/subject-access/download/{download_token(objects['b_subject_access'])}/"


def _b_subject_access_untouched(objects: dict[str, object]) -> bool:
    import datetime

    from core.subject_access.models import SubjectAccessRequest

    with schema_context("council_beta"):
        request = SubjectAccessRequest.objects.get(pk=_b_subject_access_id(objects))
        beta = SubjectAccessRequest.objects.count()
    with schema_context("council_alpha"):
        alpha = SubjectAccessRequest.objects.count()
    return (
        alpha == 0
        and beta == 1
        and request.state == SubjectAccessRequest.State.READY
        and request.due_on == datetime.date(2026, 3, 2)
        and request.download_nonce == "beta-nonce"
    )


def _subject_access_page(suffix: str) -> Callable[[dict[str, object]], str]:
    return lambda objects: f"/privacy-officer/subject-access/{_b_subject_access_id(objects)}/{suffix}"


COUNCIL_MATRIX |= {
    "subject-access-record": [
        Probe(
            method, lambda o: f"/privacy-officer/subject-access/new/{_b_client_id(o)}/", _not_found, _b_client_untouched
        )
        for method in ("get", "post")
    ],
    "subject-access-request": [Probe("get", _subject_access_page(""), _not_found, _b_subject_access_untouched)],
    "subject-access-export": [Probe("post", _subject_access_page("export/"), _not_found, _b_subject_access_untouched)],
    **{
        name: [
            Probe(method, _subject_access_page(suffix), _not_found, _b_subject_access_untouched)
            for method in ("get", "post")
        ]
        for name, suffix in (("subject-access-extend", "extend/"), ("subject-access-close", "close/"))
    },
    "subject-access-download": [
        Probe(method, _b_subject_access_link, _not_found, _b_subject_access_untouched) for method in ("get", "post")
    ],
}


def _b_retention_objects(objects: dict[str, object]) -> dict[str, object]:
    """A council-B list waiting for its privacy officer, a legal hold and an erasure request on the council-B client
    (retention probes), made on first use."""
    if "b_run" not in objects:
        import datetime

        from core.retention.models import ErasureRequest, LegalHold, RetentionRun

        client_id = _b_client_id(objects)
        with schema_context("council_beta"):
            objects["b_run"] = RetentionRun.objects.create(
                prepared_on=datetime.date(2026, 11, 30), periods={}, cutoffs={}, counts={"clients": 0}
            )
            objects["b_hold"] = LegalHold.objects.create(
                client_id=client_id, reason="Proceedings", placed_by=objects["b_practitioner"]
            )
            objects["b_erasure"] = ErasureRequest.objects.create(
                client_id=client_id,
                client_reference=client_id,
                received_on=datetime.date(2026, 11, 1),
                grounds=ErasureRequest.Grounds.OBJECTION,
                recorded_by=objects["b_practitioner"],
            )
    return objects


def _b_retention_untouched(objects: dict[str, object]) -> bool:
    from core.clients.models import Client
    from core.retention.models import ErasureRequest, LegalHold, RetentionRun

    found = _b_retention_objects(objects)
    with schema_context("council_beta"):
        client = Client.objects.filter(pk=_b_client_id(objects)).first()
        run = RetentionRun.objects.get(pk=found["b_run"].pk)  # type: ignore[attr-defined]
        hold = LegalHold.objects.get(pk=found["b_hold"].pk)  # type: ignore[attr-defined]
        request = ErasureRequest.objects.get(pk=found["b_erasure"].pk)  # type: ignore[attr-defined]
        held = LegalHold.objects.filter(client_id=_b_client_id(objects)).count() == 1
    return (
        client is not None
        and client.restricted_since is None
        and run.state == RetentionRun.State.PENDING
        and hold.is_current
        and held
        and request.decision == ErasureRequest.Decision.PENDING
    )


def _b_id(name: str) -> Callable[[dict[str, object]], object]:
    return lambda objects: _b_retention_objects(objects)[name].pk  # type: ignore[attr-defined]


COUNCIL_MATRIX |= {
    "privacy-client-restrict": [
        Probe(
            "post",
            lambda o: f"/privacy-officer/clients/{_b_client_id(o)}/restrict/",
            _not_found,
            _b_retention_untouched,
        )
    ],
    "privacy-client-restriction-lift": [
        Probe(
            "post",
            lambda o: f"/privacy-officer/clients/{_b_client_id(o)}/restriction/lift/",
            _not_found,
            _b_retention_untouched,
        )
    ],
    "retention-run": [
        Probe("get", lambda o: f"/privacy-officer/retention/{_b_id('b_run')(o)}/", _not_found, _b_retention_untouched)
    ],
    **{
        name: [
            Probe(
                "post",
                lambda o, action=action: f"/privacy-officer/retention/{_b_id('b_run')(o)}/{action}/",
                _not_found,
                _b_retention_untouched,
            )
        ]
        for name, action in (("retention-run-approve", "approve"), ("retention-run-reject", "reject"))
    },
    "retention-client": [
        Probe(
            "get",
            lambda o: f"/privacy-officer/clients/{_b_client_id(o)}/retention/",
            _not_found,
            _b_retention_untouched,
        )
    ],
    "retention-hold-place": [
        Probe(
            "post",
            lambda o: f"/privacy-officer/clients/{_b_client_id(o)}/legal-hold/",
            _not_found,
            _b_retention_untouched,
        )
    ],
    "retention-hold-lift": [
        Probe(
            "post",
            lambda o: f"/privacy-officer/legal-holds/{_b_id('b_hold')(o)}/lift/",
            _not_found,
            _b_retention_untouched,
        )
    ],
    "erasure-request-new": [
        Probe(
            "post",
            lambda o: f"/privacy-officer/clients/{_b_client_id(o)}/erasure-requests/",
            _not_found,
            _b_retention_untouched,
        )
    ],
    "erasure-request": [
        Probe(
            "get",
            lambda o: f"/privacy-officer/erasure-requests/{_b_id('b_erasure')(o)}/",
            _not_found,
            _b_retention_untouched,
        )
    ],
    "erasure-request-decide": [
        Probe(
            "post",
            lambda o: f"/privacy-officer/erasure-requests/{_b_id('b_erasure')(o)}/decide/",
            _not_found,
            _b_retention_untouched,
        )
    ],
}


def _b_meeting_id(objects: dict[str, object]) -> object:
    """A council-B meeting of the council-B client's team, its practitioner invited (teamwork probes)."""
    if "b_meeting" not in objects:
        import datetime

        from django.utils import timezone

        from core.teamwork.models import Meeting, MeetingInvitation

        client_id = _b_client_id(objects)
        with schema_context("council_beta"):
            starts = timezone.now() + datetime.timedelta(days=3)
            meeting = Meeting.objects.create(
                client_id=client_id,
                organiser=objects["b_practitioner"],
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=1),
                place="Beta Town Hall",
            )
            MeetingInvitation.objects.create(meeting=meeting, practitioner=objects["b_practitioner"])
        objects["b_meeting"] = meeting
    return objects["b_meeting"].pk  # type: ignore[attr-defined]


def _b_teamwork_untouched(objects: dict[str, object]) -> bool:
    """No message to the council-B team, its meeting as it was, nobody told anything."""
    from core.inbox.models import Notice
    from core.teamwork.models import Meeting, MeetingInvitation, MeetingReply, TeamMessage

    with schema_context("council_beta"):
        quiet = not TeamMessage.objects.exists() and not Notice.objects.exists()
        meetings = list(Meeting.objects.values_list("sequence", "cancelled_at", "place"))
        replies = set(MeetingInvitation.objects.values_list("reply", flat=True))
    expected = [(0, None, "Beta Town Hall")] if "b_meeting" in objects else []
    return quiet and meetings == expected and replies <= {MeetingReply.NONE} and _b_client_untouched(objects)


def _meeting_page(suffix: str) -> Callable[[dict[str, object]], str]:
    return lambda objects: f"/clients/{_b_client_id(objects)}/meetings/{_b_meeting_id(objects)}/{suffix}"


COUNCIL_MATRIX |= {
    **{
        name: [Probe(method, _client_page(suffix), _not_found, _b_teamwork_untouched) for method in ("get", "post")]
        for name, suffix in (("team-message-new", "messages/new/"), ("meeting-new", "meetings/new/"))
    },
    "meeting": [Probe("get", _meeting_page(""), _not_found, _b_teamwork_untouched)],
    **{
        name: [Probe(method, _meeting_page(suffix), _not_found, _b_teamwork_untouched) for method in ("get", "post")]
        for name, suffix in (("meeting-change", "change/"), ("meeting-cancel", "cancel/"))
    },
    "meeting-reply": [Probe("post", _meeting_page("reply/"), _not_found, _b_teamwork_untouched)],
}


def _b_task_and_check(objects: dict[str, object]) -> dict[str, object]:
    """A council-B task in the B client's team, and an open "still involved?" check on its involvement, with the
    signed link that answers it "no longer involved" (made in council B: the council's schema is in its salt)."""
    if "b_task" not in objects:
        import datetime

        from core.clients.models import Involvement
        from core.teamwork.models import InvolvementCheck, StillInvolvedAnswer, TeamTask
        from core.teamwork.still_involved import still_involved_token

        client_id = _b_client_id(objects)
        with schema_context("council_beta"):
            practitioner = objects["b_practitioner"]
            objects["b_task"] = TeamTask.objects.create(
                client_id=client_id,
                assigned_by=practitioner,
                assignee=practitioner,
                description="Call the school",
                due_on=datetime.date(2027, 1, 5),
            )
            check = InvolvementCheck.objects.create(involvement=Involvement.objects.get(client_id=client_id))
            objects["b_check"] = check
            objects["b_check_token"] = still_involved_token(
                check_id=check.pk, answer=StillInvolvedAnswer.NO_LONGER_INVOLVED
            )
    return objects


def _b_tasks_untouched(objects: dict[str, object]) -> bool:
    from core.teamwork.models import InvolvementCheck, TeamTask

    with schema_context("council_beta"):
        task_open = TeamTask.objects.filter(done_at__isnull=True).count() == TeamTask.objects.count()
        checks_open = not InvolvementCheck.objects.filter(answered_at__isnull=False).exists()
    return task_open and checks_open and _b_client_untouched(objects)


def _link_refused(response: object) -> bool:
    """A link of another council does not even verify here: refused, as an altered link is."""
    return response.status_code == 400 and "This link does not work" in response.content.decode()  # type: ignore[attr-defined]


COUNCIL_MATRIX |= {
    "team-task-give": [
        Probe(method, _client_page("tasks/new/"), _not_found, _b_tasks_untouched) for method in ("get", "post")
    ],
    "team-task-done": [
        Probe(
            "post",
            lambda o: f"/clients/{_b_client_id(o)}/tasks/{_b_task_and_check(o)['b_task'].pk}/done/",  # type: ignore[attr-defined]
            _not_found,
            _b_tasks_untouched,
        )
    ],
    "still-involved-answer": [
        Probe(
            method,
            lambda o: f"/still-involved/{_b_task_and_check(o)['b_check_token']}/",
            _link_refused,
            _b_tasks_untouched,
        )
        for method in ("get", "post")
    ],
}


def _b_invoice_id(objects: dict[str, object]) -> object:
    """A council-B invoice (its row only: the document is never reached)."""
    if "b_invoice" not in objects:
        import datetime

        from tests.billing.rows import invoice

        beta = Council.objects.get(schema_name="council_beta")
        objects["b_invoice"] = invoice(
            beta,
            period=datetime.date(2026, 1, 1),
            subtotal=10_000,
            html_name="invoices/victoria/never-read.html",
            pdf_name="invoices/victoria/never-read.pdf",
        )
    return objects["b_invoice"].pk  # type: ignore[attr-defined]


def _b_invoice_unread(objects: dict[str, object]) -> bool:
    return not any(_events_in(schema, AuditAction.INVOICE_DOWNLOADED) for schema in ("council_alpha", "council_beta"))


COUNCIL_MATRIX |= {
    "council-billing-invoice-document": [
        Probe(
            "get",
            lambda o, kind=kind: f"/administration/billing/invoices/{_b_invoice_id(o)}/document.{kind}",
            _not_found,
            _b_invoice_unread,
        )
        for kind in ("pdf", "html")
    ],
}


def _b_agency_has_no_identity_provider(objects: dict[str, object]) -> bool:
    from core.sso.models import IdentityProvider

    with schema_context("council_beta"):
        return not IdentityProvider.objects.exists()


COUNCIL_MATRIX |= {
    "administration-agency-sso": [
        Probe(
            method,
            lambda o: f"/administration/agencies/{o['b_practitioner'].agency_id}/single-sign-on/",
            _not_found,
            lambda o: _b_agency_untouched(o) and _b_agency_has_no_identity_provider(o),
        )
        for method in ("get", "post")
    ],
}


def _b_api_client(objects: dict[str, object]) -> object:
    """An API client of council B's agency, made on first use by a council-B administrator."""
    if "b_api_client" not in objects:
        from core.api_clients.services import api_client_create
        from core.audit.origin import NO_ORIGIN

        with schema_context("council_beta"):
            admin_b = PractitionerFactory(
                agency_id=objects["b_practitioner"].agency_id,  # type: ignore[attr-defined]
                is_council_admin=True,
                user__email="admin@beta.example",
            )
            issued = api_client_create(
                actor=admin_b, agency=admin_b.agency, name="Beta case system", scopes=["teams:read"], origin=NO_ORIGIN
            )
        objects["b_api_client"] = issued.api_client
    return objects["b_api_client"]


def _b_api_clients_untouched(objects: dict[str, object]) -> bool:
    from core.api_clients.models import ApiClient

    with schema_context("council_beta"):
        clients = list(ApiClient.objects.all())
    return all(client.revoked_at is None and client.rotated_at is None for client in clients) and len(clients) == (
        1 if "b_api_client" in objects else 0
    )


def _api_client_page(suffix: str) -> Callable[[dict[str, object]], str]:
    return lambda o: (
        f"/administration/agencies/{o['b_practitioner'].agency_id}/api-clients/{_b_api_client(o).pk}/{suffix}"  # type: ignore[attr-defined]
    )


COUNCIL_MATRIX |= {
    "api-clients": [
        Probe(
            method,
            lambda o: f"/administration/agencies/{o['b_practitioner'].agency_id}/api-clients/",  # type: ignore[attr-defined]
            _not_found,
            _b_api_clients_untouched,
        )
        for method in ("get", "post")
    ],
    **{
        name: [
            Probe(method, _api_client_page(suffix), _not_found, _b_api_clients_untouched) for method in ("get", "post")
        ]
        for name, suffix in (("api-client-rotate", "rotate/"), ("api-client-revoke", "revoke/"))
    },
}


# Routes with parameters that hold no council object, and why.
NOT_COUNCIL_OBJECTS = {
    "platform": "the platform site (public schema): no council model is registered in its admin",
}


def _parameterised(site: str) -> set[str]:
    return {route.name for route in routes(site) if re.search(r"<|\(\?P", route.pattern)}


def test_every_council_route_with_an_id_is_in_the_matrix() -> None:
    assert _parameterised("council") == set(COUNCIL_MATRIX)


def test_no_council_model_is_reachable_through_the_platform_admin() -> None:
    council_apps = {"directory", "clients", "governance", "home"}
    assert {model._meta.app_label for model in admin.site._registry} & council_apps == set()
    assert NOT_COUNCIL_OBJECTS["platform"]


@pytest.fixture
def b_objects(council_b: Council) -> dict[str, object]:
    with schema_context(council_b.schema_name):
        agency = AgencyFactory(name="Beta Family Services", email_domains=["beta.example"])
        practitioner = PractitionerFactory(agency=agency, user__email="kim@beta.example", verified_at=None)
        token = "b-council-invitation-token-that-is-long-enough"
        from django.utils import timezone

        from core.directory.models import ImportJob, ImportKind, Invitation

        b_import = ImportJob.objects.create(kind=ImportKind.PRACTITIONERS, uploaded_by=practitioner, csv_text="")
        Invitation.objects.create(
            email="new@beta.example",
            agency=agency,
            role=Role.PRACTITIONER,
            token_hash=_hash(token),
            expires_at=timezone.now() + timezone.timedelta(days=7),
        )
        return {
            "b_practitioner": practitioner,
            "b_token": token,
            "b_import": b_import.pk,
            "b_uid": urlsafe_base64_encode(force_bytes(practitioner.user.pk)),
            "b_reset_token": default_token_generator.make_token(practitioner.user),
        }


@pytest.mark.parametrize(
    ("route", "index"), [(name, i) for name, probes in COUNCIL_MATRIX.items() for i in range(len(probes))]
)
def test_council_a_administrator_cannot_reach_council_b_objects(
    route: str, index: int, council_a: Council, client_a: Client, b_objects: dict[str, object]
) -> None:
    with schema_context(council_a.schema_name):
        # Council administrator and privacy officer: the privacy officer's pages are open to it too.
        admin_a = PractitionerFactory(is_council_admin=True, is_privacy_officer=True, user__email="boss@agency.example")
    sign_in(client_a, admin_a.user, council_a)
    probe = COUNCIL_MATRIX[route][index]
    response = getattr(client_a, probe.method)(probe.path(b_objects))
    assert probe.refused(response), f"{probe.method.upper()} {route}: {response.status_code}"
    assert probe.unchanged(b_objects)
    if route in ("practitioner-action", "practitioner-deactivate"):
        with schema_context(council_a.schema_name):
            denied = AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED, actor_id=admin_a.user.pk)
            assert denied.filter(object_id=str(b_objects["b_practitioner"].pk)).exists()
