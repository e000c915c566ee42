"""Consent: recording it and its withdrawal (services), and what it covers (selectors), from both sides.

The recovery service in the team's council is shown only with consent; a second sensitive service (sexual
health) is a placeholder, so a consent cannot name it.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.audit.origin import Origin
from core.clients.consent import (
    ConsentValues,
    consent_cover,
    consent_current_prefetch,
    consent_record,
    consent_services_available,
    consent_summary,
    consent_withdraw,
    consents_for_client,
)
from core.clients.models import Client, Consent
from core.clients.services import NewClient, client_create
from core.directory.models import Agency, Practitioner
from core.governance.models import LegalBasis
from core.governance.rules import Rules, SensitiveMode, SensitiveService
from core.governance.visibility import NO_CONSENT, Detail, policy_for
from core.notifications.models import Notification
from tenants.models import Council
from tests.core.clients.conftest import Team
from tests.core.governance.rulebook import rules_in_force
from tests.factories import AgencyFactory, InvolvementFactory, PractitionerFactory, verified_practitioner

pytestmark = pytest.mark.council_side

ORIGIN = Origin(ip_address="192.0.2.10", user_agent="test", path="/", base_url="https://alpha.example")
GIVEN_ON = datetime.date(2026, 3, 1)


def with_consent_rules(*with_consent: Agency, placeholder: tuple[Agency, ...] = ()) -> None:
    """Put rules in force (inside the council's schema) showing these agencies only with consent."""
    services = {str(agency.pk): SensitiveService(mode=SensitiveMode.WITH_CONSENT) for agency in with_consent}
    services |= {str(agency.pk): SensitiveService(mode=SensitiveMode.PLACEHOLDER) for agency in placeholder}
    rules_in_force(Rules(sensitive_services=services))


def health_service_and_rules(council: Council, team: Team) -> Agency:
    """A second sensitive service, shown as a placeholder; the recovery service is shown only with consent."""
    with schema_context(council.schema_name):
        agency = AgencyFactory(
            name="Alpha Sexual Health", is_sensitive=True, gateway_contact="Clinic line", email_domains=["sh.example"]
        )
        with_consent_rules(team.recovery, placeholder=(agency,))
    return agency


@pytest.fixture
def health(council_a: Council, team: Team) -> Agency:
    return health_service_and_rules(council_a, team)


def values(**overrides: object) -> ConsentValues:
    fields: dict[str, object] = {
        "given_by": "Kerry Hughes",
        "relationship": Consent.Relationship.PARENT,
        "given_on": GIVEN_ON,
        "evidence": "Signed form, on file",
    }
    return ConsentValues(**(fields | overrides))  # type: ignore[arg-type]


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("occurred_at", "pk"))


# Recording consent ---------------------------------------------------------------------------------------


def test_a_member_records_consent_to_chosen_services_audited_by_id(
    council_a: Council, team: Team, health: Agency
) -> None:
    with schema_context(council_a.schema_name):
        consent = consent_record(
            actor=team.nurse,
            client=team.client,
            values=values(covers_all_services=False, services=(str(team.recovery.pk),)),
            origin=ORIGIN,
        )
        consent.refresh_from_db()
        assert (consent.given_by, consent.relationship, consent.given_on) == ("Kerry Hughes", "parent", GIVEN_ON)
        assert consent.recorded_by == team.nurse
        assert list(consent.services.all()) == [team.recovery]
        [event] = _events(AuditAction.CONSENT_RECORDED)
        assert event.outcome == AuditOutcome.SUCCESS
        assert event.actor_id == team.nurse.user_id
        assert event.object_id == str(team.client.pk)
        assert event.related_ids == [str(consent.pk), str(team.recovery.pk)]
        assert event.ip_address == "192.0.2.10"
        for personal in ("Kerry", "Hughes", "Jade", "Signed form"):
            assert personal not in event.reason


def test_consent_covering_a_service_lets_the_team_see_it(council_a: Council, team: Team, health: Agency) -> None:
    with schema_context(council_a.schema_name):
        policy = policy_for(team.nurse)
        assert policy.agency_detail(team.recovery, consent_cover(team.client)) is Detail.HIDDEN
        consent_record(
            actor=team.member,
            client=team.client,
            values=values(covers_all_services=False, services=(team.recovery.pk,)),
            origin=ORIGIN,
        )
        cover = consent_cover(team.client)
        assert cover.agency_ids == frozenset({str(team.recovery.pk)})
        assert not cover.all_services
        assert policy.agency_detail(team.recovery, cover) is Detail.FULL
        assert policy.agency_detail(health, cover) is Detail.PLACEHOLDER  # its mode, whatever the consent says


def test_consent_to_all_services_covers_every_service_shown_with_consent(
    council_a: Council, team: Team, health: Agency
) -> None:
    with schema_context(council_a.schema_name):
        consent_record(actor=team.member, client=team.client, values=values(), origin=ORIGIN)
        cover = consent_cover(team.client)
        assert cover.all_services
        assert cover.covers(team.recovery.pk)


def test_the_cover_from_prefetched_consents_needs_no_query(
    council_a: Council, team: Team, health: Agency, django_assert_num_queries: object
) -> None:
    with schema_context(council_a.schema_name):
        consent_record(
            actor=team.member,
            client=team.client,
            values=values(covers_all_services=False, services=(team.recovery.pk,)),
            origin=ORIGIN,
        )
        client = Client.objects.prefetch_related(consent_current_prefetch()).get(pk=team.client.pk)
        with django_assert_num_queries(0):  # type: ignore[operator]
            cover = consent_cover(client)
        assert cover.agency_ids == frozenset({str(team.recovery.pk)})


def test_recording_consent_brings_a_withheld_client_back_into_search(
    council_a: Council, team: Team, health: Agency
) -> None:
    with schema_context(council_a.schema_name):
        Client.objects.filter(pk=team.client.pk).update(withheld_from_search_since=timezone.now())
        consent_record(actor=team.member, client=team.client, values=values(), origin=ORIGIN)
        assert Client.objects.get(pk=team.client.pk).withheld_from_search_since is None
        [event] = _events(AuditAction.CONSENT_RECORDED)
        assert "found by searches again" in event.reason


def test_someone_outside_the_team_cannot_record_consent(council_a: Council, team: Team, health: Agency) -> None:
    with schema_context(council_a.schema_name):
        Client.objects.filter(pk=team.client.pk).update(withheld_from_search_since=timezone.now())
        for outsider in (team.outsider, team.recovery_colleague):
            with pytest.raises(PermissionDenied):
                consent_record(actor=outsider, client=team.client, values=values(), origin=ORIGIN)
        assert not Consent.objects.exists()
        assert Client.objects.get(pk=team.client.pk).withheld_from_search_since is not None
        assert _events(AuditAction.CONSENT_RECORDED) == []


def test_a_former_member_cannot_record_consent(council_a: Council, team: Team, health: Agency) -> None:
    with schema_context(council_a.schema_name):
        team.member_involvement.ended_on = datetime.date(2026, 3, 2)
        team.member_involvement.is_lead = False
        team.member_involvement.save(update_fields=["ended_on", "is_lead"])
        with pytest.raises(PermissionDenied):
            consent_record(actor=team.member, client=team.client, values=values(), origin=ORIGIN)
        assert not Consent.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"given_on": datetime.date(2099, 1, 1)}, "given_on", "must be today or in the past"),
        ({"given_on": None}, "given_on", "Enter the date consent was given"),
        ({"given_by": "  "}, "given_by", "Enter who gave consent"),
        ({"given_by": "x" * 201}, "given_by", "no more than 200 characters"),
        ({"evidence": ""}, "evidence", "Say how consent was given"),
        ({"evidence": "x" * 301}, "evidence", "no more than 300 characters"),
        ({"relationship": "neighbour"}, "relationship", "Choose their relationship"),
        ({"covers_all_services": False}, "services", "Choose the services the consent covers"),
    ],
)
def test_consent_is_checked_before_anything_is_recorded(
    council_a: Council, team: Team, health: Agency, overrides: dict[str, object], field: str, message: str
) -> None:
    with schema_context(council_a.schema_name):
        with pytest.raises(ValidationError) as refused:
            consent_record(actor=team.member, client=team.client, values=values(**overrides), origin=ORIGIN)
        assert message in " ".join(refused.value.message_dict[field])
        assert not Consent.objects.exists()
        assert _events(AuditAction.CONSENT_RECORDED) == []


def test_a_consent_names_only_services_shown_with_consent(council_a: Council, team: Team, health: Agency) -> None:
    with schema_context(council_a.schema_name):
        assert consent_services_available() == [team.recovery]
        for outside in (health, team.school, team.children):  # a placeholder, and agencies that are not sensitive
            with pytest.raises(ValidationError) as refused:
                consent_record(
                    actor=team.member,
                    client=team.client,
                    values=values(covers_all_services=False, services=(team.recovery.pk, outside.pk)),
                    origin=ORIGIN,
                )
            assert refused.value.message_dict["services"] == ["Choose only services the council shows with consent"]
        assert not Consent.objects.exists()


def test_a_service_no_longer_shown_with_consent_cannot_be_named(council_a: Council, team: Team, health: Agency) -> None:
    with schema_context(council_a.schema_name):
        with_consent_rules(placeholder=(team.recovery, health))
        with pytest.raises(ValidationError):
            consent_record(
                actor=team.member,
                client=team.client,
                values=values(covers_all_services=False, services=(team.recovery.pk,)),
                origin=ORIGIN,
            )
        assert not Consent.objects.exists()


# Withdrawing it -----------------------------------------------------------------------------------------


def _recorded(team: Team, **overrides: object) -> Consent:
    return consent_record(actor=team.member, client=team.client, values=values(**overrides), origin=ORIGIN)


def test_withdrawal_withholds_the_client_from_search_and_tells_the_lead_without_naming_the_client(
    council_a: Council, team: Team, health: Agency, django_capture_on_commit_callbacks: object
) -> None:
    with schema_context(council_a.schema_name):
        consent = _recorded(team)
        before = timezone.now()
        with django_capture_on_commit_callbacks(execute=False):  # type: ignore[operator]
            consent_withdraw(actor=team.nurse, consent=consent, note="Mother phoned the school", origin=ORIGIN)
        consent.refresh_from_db()
        assert consent.withdrawn_on == timezone.localdate()
        assert consent.withdrawn_by == team.nurse
        assert consent.withdrawal_note == "Mother phoned the school"
        assert Client.objects.get(pk=team.client.pk).withheld_from_search_since >= before
        assert consent_cover(team.client) == NO_CONSENT
        [event] = _events(AuditAction.CONSENT_WITHDRAWN)
        assert (event.actor_id, event.object_id) == (team.nurse.user_id, str(team.client.pk))
        assert event.related_ids == [str(consent.pk)]
        assert "withheld from search" in event.reason
        assert "Mother" not in event.reason
        [email] = Notification.objects.all()
        assert email.to == team.member.user.email  # the lead professional
        assert f"https://alpha.example/clients/{team.client.pk}/" in email.body
        assert "Nia Nurse (Alpha Primary School)" in email.body
        for personal in ("Jade", "Hughes", "2014", "WS13", "9434765919", "Kerry", "Mother phoned"):
            assert personal not in email.body
            assert personal not in email.subject


def test_the_lead_withdrawing_it_themselves_is_not_emailed(council_a: Council, team: Team, health: Agency) -> None:
    with schema_context(council_a.schema_name):
        consent = _recorded(team)
        consent_withdraw(actor=team.member, consent=consent, note="Withdrawn in a meeting", origin=ORIGIN)
        assert not Notification.objects.exists()
        assert Client.objects.get(pk=team.client.pk).withheld_from_search_since is not None


def test_a_sensitive_worker_is_not_named_to_the_lead(council_a: Council, team: Team, health: Agency) -> None:
    with schema_context(council_a.schema_name):
        consent = _recorded(team, covers_all_services=False, services=(team.recovery.pk,))
        worker = InvolvementFactory(client=team.client, practitioner=team.recovery_colleague).practitioner
        with_consent_rules(health, placeholder=(team.recovery,))
        consent_withdraw(actor=worker, consent=consent, note="Told the peer mentor", origin=ORIGIN)
        [email] = Notification.objects.all()
        assert "Petra" not in email.body
        assert "Recovery" not in email.body
        assert email.body.startswith("A confidential service recorded that consent was withdrawn")


def test_with_another_consent_current_the_client_stays_in_search(
    council_a: Council, team: Team, health: Agency
) -> None:
    with schema_context(council_a.schema_name):
        first = _recorded(team)
        _recorded(team, given_by="Jade Hughes", relationship=Consent.Relationship.CLIENT)
        consent_withdraw(actor=team.nurse, consent=first, note="Mother withdrew hers", origin=ORIGIN)
        assert Client.objects.get(pk=team.client.pk).withheld_from_search_since is None
        assert consent_cover(team.client).all_services
        [event] = _events(AuditAction.CONSENT_WITHDRAWN)
        assert event.reason == "another consent is still current"
        [email] = Notification.objects.all()
        assert "Another consent is still on record" in email.body


def test_a_withdrawn_consent_cannot_be_withdrawn_again(council_a: Council, team: Team, health: Agency) -> None:
    with schema_context(council_a.schema_name):
        consent = _recorded(team)
        consent_withdraw(actor=team.nurse, consent=consent, note="First", origin=ORIGIN)
        withheld_since = Client.objects.get(pk=team.client.pk).withheld_from_search_since
        stale = Consent.objects.get(pk=consent.pk)
        with pytest.raises(ValidationError) as refused:
            consent_withdraw(actor=team.member, consent=stale, note="Second", origin=ORIGIN)
        assert refused.value.messages == [f"This consent was already withdrawn on {_long(timezone.localdate())}."]
        consent.refresh_from_db()
        assert (consent.withdrawn_by, consent.withdrawal_note) == (team.nurse, "First")
        assert Client.objects.get(pk=team.client.pk).withheld_from_search_since == withheld_since
        assert len(_events(AuditAction.CONSENT_WITHDRAWN)) == 1
        assert Notification.objects.count() == 1


def _long(date: datetime.date) -> str:
    return f"{date.day} {date:%B %Y}"


def test_withdrawal_needs_a_note(council_a: Council, team: Team, health: Agency) -> None:
    with schema_context(council_a.schema_name):
        consent = _recorded(team)
        for note in ("", "   ", "x" * 301):
            with pytest.raises(ValidationError) as refused:
                consent_withdraw(actor=team.nurse, consent=consent, note=note, origin=ORIGIN)
            assert "note" in refused.value.message_dict
        assert Consent.objects.get(pk=consent.pk).is_current


def test_someone_outside_the_team_cannot_withdraw_consent(council_a: Council, team: Team, health: Agency) -> None:
    with schema_context(council_a.schema_name):
        consent = _recorded(team)
        with pytest.raises(PermissionDenied):
            consent_withdraw(actor=team.outsider, consent=consent, note="Not mine to say", origin=ORIGIN)
        assert Consent.objects.get(pk=consent.pk).is_current
        assert Client.objects.get(pk=team.client.pk).withheld_from_search_since is None
        assert _events(AuditAction.CONSENT_WITHDRAWN) == []
        assert not Notification.objects.exists()


# Reads --------------------------------------------------------------------------------------------------


def test_the_records_are_for_members_only(council_a: Council, team: Team, health: Agency) -> None:
    with schema_context(council_a.schema_name):
        _recorded(team)
        records = consents_for_client(viewer=team.nurse, client_id=team.client.pk)
        assert records is not None
        assert [record.consent.given_by for record in records.current] == ["Kerry Hughes"]
        assert records.records[0].recorded_by == "Maya Member (Alpha Children's Services)"
        assert consents_for_client(viewer=team.outsider, client_id=team.client.pk) is None
        assert consents_for_client(viewer=team.recovery_colleague, client_id=team.client.pk) is None


def test_the_records_of_another_councils_client_are_not_found(
    council_a: Council, council_b: Council, team: Team, health: Agency
) -> None:
    with schema_context(council_a.schema_name):
        _recorded(team)
    with schema_context(council_b.schema_name):
        stranger = PractitionerFactory(user__email="kim@beta.example", agency__email_domains=["beta.example"])
        assert consents_for_client(viewer=stranger, client_id=team.client.pk) is None
        assert not Consent.objects.exists()


def test_who_recorded_a_consent_is_named_as_the_policy_allows(council_a: Council, team: Team, health: Agency) -> None:
    with schema_context(council_a.schema_name):
        clinician = InvolvementFactory(
            client=team.client,
            practitioner=_health_worker(health),
            role="Nurse",
        ).practitioner
        consent_record(actor=clinician, client=team.client, values=values(), origin=ORIGIN)
        records = consents_for_client(viewer=team.nurse, client_id=team.client.pk)
        assert records is not None
        assert records.records[0].recorded_by == "A confidential service"
        own = consents_for_client(viewer=clinician, client_id=team.client.pk)
        assert own is not None
        assert own.records[0].recorded_by == "Sam Clinic (Alpha Sexual Health)"


def _health_worker(health: Agency) -> Practitioner:
    return verified_practitioner(health, "Sam", "Clinic")


def test_the_summary_says_since_when_withdrawn_or_none(council_a: Council, team: Team, health: Agency) -> None:
    with schema_context(council_a.schema_name):
        assert consent_summary(team.client).state == "none"
        consent = _recorded(team)
        assert (consent_summary(team.client).state, consent_summary(team.client).on) == ("current", GIVEN_ON)
        consent_withdraw(actor=team.nurse, consent=consent, note="Phoned", origin=ORIGIN)
        client = Client.objects.get(pk=team.client.pk)
        summary = consent_summary(client)
        assert (summary.state, summary.on, summary.withheld_from_search) == (
            "withdrawn",
            timezone.localdate(),
            True,
        )


# Adding a client on a consent basis ----------------------------------------------------------------------


def test_a_client_added_on_a_consent_basis_has_a_consent_record(council_a: Council, team: Team) -> None:
    with schema_context(council_a.schema_name):
        client = client_create(
            viewer=team.member,
            data=NewClient(
                first_name="Noah",
                surname="Quennell",
                date_of_birth=datetime.date(2016, 11, 9),
                postcode="WS13 6YY",
                legal_basis=LegalBasis.objects.get(code="consent"),
                consent_given_by="mother",
                consent_given_on=GIVEN_ON,
            ),
            role="Family support worker",
            origin=ORIGIN,
        )
        [consent] = Consent.objects.filter(client=client)
        assert (consent.given_by, consent.given_on, consent.covers_all_services) == ("mother", GIVEN_ON, True)
        assert consent.recorded_by == team.member
        assert [event.object_id for event in _events(AuditAction.CONSENT_RECORDED)] == [str(client.pk)]


def test_a_client_added_on_a_statutory_basis_has_no_consent_record(council_a: Council, team: Team) -> None:
    with schema_context(council_a.schema_name):
        client = client_create(
            viewer=team.member,
            data=NewClient(
                first_name="Noah",
                surname="Quennell",
                date_of_birth=datetime.date(2016, 11, 9),
                postcode="WS13 6YY",
                legal_basis=LegalBasis.objects.get(code="children-act-2004-s10-s11"),
            ),
            role="Family support worker",
            origin=ORIGIN,
        )
        assert not Consent.objects.filter(client=client).exists()
