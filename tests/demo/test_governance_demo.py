"""The demo's information governance: each live council's first rulebook (one sensitive mode each), break-glass
roles and a privacy officer, consent in the council that shows a service only with consent, and a past break-glass
access and alerts to look at, each backed by the audit events behind it — and none of it written twice."""

import dataclasses
import datetime
from collections.abc import Iterator

import pytest
from django.contrib.auth.hashers import make_password
from django.db.models import Q
from django.utils.text import slugify
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.clients.models import BreakGlassAccess, Client, Consent, Involvement
from core.directory.models import Agency, Practitioner
from core.governance.models import Alert, AlertKind, RulebookVersion
from core.governance.rules import FamilyTeams, SensitiveMode
from core.governance.selectors import rules_current
from core.subject_access.models import SubjectAccessRequest
from demo import populate as populate_module
from demo.governance import CONSENTS_CURRENT
from demo.populate import TODAY, DemoSummary, council_demo_populate
from tenants.models import Council
from tests.factories import AgencyFactory

pytestmark = pytest.mark.council_side

PASSWORD = "demo-password-123"
COUNCILS = {"staffordshire": "council_a", "brighton-hove": "council_a", "yarra": "council_b"}
JURISDICTIONS = {"staffordshire": "england", "brighton-hove": "england", "yarra": "victoria"}


@pytest.fixture(scope="module")
def password_hash() -> str:
    return make_password(PASSWORD)


def populated(place: str, request: pytest.FixtureRequest, password_hash: str) -> Iterator[DemoSummary]:
    """``place``'s demo in its test council; the caller runs inside its schema (tests using it ask for ``db``)."""
    council: Council = request.getfixturevalue(COUNCILS[place])
    with schema_context(council.schema_name):
        yield council_demo_populate(place=place, jurisdiction=JURISDICTIONS[place], password_hash=password_hash)


@pytest.fixture
def staffordshire(db: None, request: pytest.FixtureRequest, password_hash: str) -> Iterator[DemoSummary]:
    yield from populated("staffordshire", request, password_hash)


@pytest.fixture
def yarra(db: None, request: pytest.FixtureRequest, password_hash: str) -> Iterator[DemoSummary]:
    yield from populated("yarra", request, password_hash)


def practitioner(email: str) -> Practitioner:
    return Practitioner.objects.select_related("user", "agency").get(user__email=email)


def governance_counts() -> dict[str, int]:
    return {
        "rulebook versions": RulebookVersion.objects.count(),
        "alerts": Alert.objects.count(),
        "break-glass accesses": BreakGlassAccess.objects.count(),
        "consents": Consent.objects.count(),
        "withheld clients": Client.objects.filter(withheld_from_search_since__isnull=False).count(),
        "privacy officers": Practitioner.objects.filter(is_privacy_officer=True).count(),
        "break-glass holders": Practitioner.objects.exclude(break_glass_role="").count(),
        "audit events": AuditEvent.objects.count(),
        "subject access requests": SubjectAccessRequest.objects.count(),
    }


# The rulebook: one council for each sensitive mode ----------------------------------------------------------------

EXPECTED = {
    # place: (mode, family teams, the break-glass holder's email and role, the privacy officer's email)
    "staffordshire": (
        SensitiveMode.PLACEHOLDER,
        FamilyTeams.AGENCIES,
        "amy.collier@staffordshire-childrens.example",
        "Multi-Agency Safeguarding Hub (MASH)",
        "helen.bradbury@staffordshire-earlyhelp.example",
    ),
    "brighton-hove": (
        SensitiveMode.HIDDEN,
        FamilyTeams.FULL,
        "nadia.rahman@bhcc-childrens.example",
        "Front Door for Families (MASH)",
        "fiona.marsh@bhcc-familyhubs.example",
    ),
    "yarra": (
        SensitiveMode.WITH_CONSENT,
        FamilyTeams.AGENCIES,
        "sarah.kowalski@dffh-childprotection.example",
        "Child Protection After Hours",
        "megan.obrien@yarra-youth.example",
    ),
}


@pytest.mark.parametrize("place", list(EXPECTED))
def test_each_live_council_has_its_first_rulebook_its_mode_and_its_roles(
    place: str, db: None, request: pytest.FixtureRequest, password_hash: str
) -> None:
    for summary in populated(place, request, password_hash):
        mode, family_teams, holder_email, role_name, officer_email = EXPECTED[place]
        version = RulebookVersion.objects.select_related("changed_by").get()
        assert version.number == 1
        assert version.changed_by.is_council_admin
        assert version.reason.strip()
        assert version.changes
        assert AuditEvent.objects.filter(action=AuditAction.RULEBOOK_CHANGED, object_id="1").count() == 1

        rules = rules_current()
        sensitive = list(Agency.objects.filter(is_sensitive=True))
        assert sensitive
        for agency in sensitive:
            assert rules.sensitive_service(agency.pk).mode == mode
            members = Involvement.objects.filter(practitioner__agency=agency, ended_on__isnull=True)
            assert members.count() >= 10  # a caseload, in other agencies' teams too
            assert members.values("practitioner").distinct().count() >= 2
        assert set(rules.sensitive_services) == {str(agency.pk) for agency in sensitive}
        assert rules.family_teams == family_teams

        keys = [role.key for role in rules.break_glass_roles]
        assert len(keys) >= 2
        assert keys == [slugify(role.name) for role in rules.break_glass_roles]
        holder = practitioner(holder_email)
        assert rules.break_glass_role(holder.break_glass_role).name == role_name
        assert not holder.is_privacy_officer
        officer = practitioner(officer_email)
        assert officer.is_privacy_officer
        assert officer.user.is_active
        assert AuditEvent.objects.filter(
            action=AuditAction.PRIVACY_OFFICER_APPOINTED, object_id=str(officer.pk)
        ).exists()
        assert AuditEvent.objects.filter(action=AuditAction.BREAK_GLASS_ROLE_CHANGED, object_id=str(holder.pk)).exists()

        accounts = {account.email: account.description for account in summary.accounts}
        assert role_name in accounts[holder_email]
        assert "Privacy officer" in accounts[officer_email]


def test_staffordshire_lets_childrens_social_care_see_its_sensitive_service_in_full(
    staffordshire: DemoSummary,
) -> None:
    social_care = Agency.objects.get(name__contains="Children's Social Care")
    for agency in Agency.objects.filter(is_sensitive=True):
        assert rules_current().sensitive_service(agency.pk).seen_in_full_by == {str(social_care.pk)}


def test_only_one_council_shows_family_members_teams_in_full() -> None:
    from demo.places import PLACES

    assert sorted(place.governance.family_teams for place in PLACES.values()) == [
        FamilyTeams.AGENCIES,
        FamilyTeams.AGENCIES,
        FamilyTeams.FULL,
    ]
    assert sorted(place.governance.sensitive_mode for place in PLACES.values()) == sorted(SensitiveMode)


# Consent (Yarra) ---------------------------------------------------------------------------------------------------


def test_yarra_clients_consent_to_the_aod_service_and_one_has_withdrawn(yarra: DemoSummary) -> None:
    aod = Agency.objects.get(is_sensitive=True)
    with_aod = set(
        Involvement.objects.filter(practitioner__agency=aod, ended_on__isnull=True).values_list("client", flat=True)
    )
    current = list(Consent.objects.filter(withdrawn_on__isnull=True).prefetch_related("services"))
    assert len(current) == CONSENTS_CURRENT  # as the README says
    for consent in current:
        assert consent.client_id in with_aod
        assert consent.covers_all_services or aod in consent.services.all()
        assert consent.given_by.strip()
        assert consent.evidence.strip()
        assert consent.relationship in Consent.Relationship.values
        assert consent.given_on < TODAY
        team = Involvement.objects.filter(client=consent.client_id, ended_on__isnull=True)
        assert team.filter(practitioner=consent.recorded_by).exists()
        assert consent.client.withheld_from_search_since is None
    assert {consent.covers_all_services for consent in current} == {True, False}

    withdrawn = Consent.objects.select_related("client").get(withdrawn_on__isnull=False)
    assert withdrawn.client_id in with_aod
    assert withdrawn.given_on < withdrawn.withdrawn_on < TODAY
    assert withdrawn.withdrawn_by is not None
    assert withdrawn.withdrawal_note
    assert withdrawn.client.withheld_from_search_since is not None
    assert withdrawn.client.withheld_from_search_since.date() == withdrawn.withdrawn_on
    assert Client.objects.filter(withheld_from_search_since__isnull=False).count() == 1

    consented = {consent.client_id for consent in current} | {withdrawn.client_id}
    assert with_aod - consented, "some clients of the AOD service have not consented"
    social_worker = practitioner("sarah.kowalski@dffh-childprotection.example")
    theirs = set(social_worker.involvements.filter(ended_on__isnull=True).values_list("client", flat=True)) & with_aod
    # The README sends newcomers to her teams to see all three: consented, withdrawn, not consented.
    assert theirs & {consent.client_id for consent in current}
    assert withdrawn.client_id in theirs
    assert theirs - consented
    assert AuditEvent.objects.filter(action=AuditAction.CONSENT_RECORDED).count() == len(current) + 1
    assert AuditEvent.objects.filter(action=AuditAction.CONSENT_WITHDRAWN, object_id=str(withdrawn.client_id)).exists()


def test_only_the_council_showing_a_service_with_consent_has_consent_records(staffordshire: DemoSummary) -> None:
    assert not Consent.objects.exists()
    assert not Client.objects.filter(withheld_from_search_since__isnull=False).exists()


# Break-glass and alerts (Staffordshire) ----------------------------------------------------------------------------


def assert_evidence_is_real(alert: Alert) -> list[AuditEvent]:
    """The evidence's audit events are the practitioner's, within the alert's period, and name its clients."""
    evidence = alert.evidence
    assert set(evidence) >= {"count", "audit_event_ids", "client_ids"}
    events = list(AuditEvent.objects.filter(pk__in=evidence["audit_event_ids"]))
    assert len(events) == len(evidence["audit_event_ids"]) > 0
    assert {event.actor_id for event in events} == {alert.practitioner.user_id}
    assert all(alert.period_start <= event.occurred_at <= alert.period_end for event in events)
    named = {event.object_id for event in events if event.object_id} | {
        related for event in events for related in event.related_ids
    }
    assert set(evidence["client_ids"]) <= named
    assert Client.objects.filter(pk__in=evidence["client_ids"]).count() == len(evidence["client_ids"])
    return events


def test_staffordshire_has_a_past_break_glass_access_waiting_for_review(staffordshire: DemoSummary) -> None:
    access = BreakGlassAccess.objects.select_related("practitioner", "client").get()
    assert access.review == BreakGlassAccess.Review.PENDING
    assert access.opened_at < access.expires_at < datetime.datetime.now(tz=datetime.UTC)
    rules = rules_current()
    role = rules.break_glass_role(access.practitioner.break_glass_role)
    assert role is not None
    assert role.name == access.role
    assert access.reason in rules.break_glass_reasons
    assert access.explanation
    assert not Involvement.objects.filter(client=access.client, practitioner=access.practitioner).exists()

    alert = Alert.objects.get(kind=AlertKind.BREAK_GLASS)
    assert alert.practitioner == access.practitioner
    assert alert.state == Alert.State.OPEN
    assert (alert.period_start, alert.period_end) == (access.opened_at, access.expires_at)
    assert alert.evidence["client_ids"] == [str(access.client_id)]
    assert alert.evidence["break_glass_id"] == str(access.pk)  # the alert's page links to the access's review
    events = assert_evidence_is_real(alert)
    assert AuditAction.BREAK_GLASS_OPENED in {event.action for event in events}


def test_staffordshire_has_a_subject_access_request_waiting_for_its_privacy_officer(staffordshire: DemoSummary) -> None:
    request = SubjectAccessRequest.objects.select_related("recorded_by__user", "client").get()
    assert request.recorded_by.user.email == EXPECTED["staffordshire"][4]
    assert request.received_on == TODAY - datetime.timedelta(days=21)
    assert request.state == SubjectAccessRequest.State.RECEIVED
    assert request.client is not None


def test_staffordshire_has_alerts_to_look_at_backed_by_real_searches(staffordshire: DemoSummary) -> None:
    alerts = {alert.kind: alert for alert in Alert.objects.select_related("practitioner__user")}
    assert {AlertKind.BURST, AlertKind.OUT_OF_HOURS, AlertKind.OWN_SURNAME, AlertKind.BREAK_GLASS} <= set(alerts)
    for kind in (AlertKind.BURST, AlertKind.OUT_OF_HOURS, AlertKind.OWN_SURNAME):
        alert = alerts[kind]
        assert alert.state == Alert.State.OPEN
        events = assert_evidence_is_real(alert)
        assert {(event.action, event.outcome) for event in events} == {
            (AuditAction.CLIENT_SEARCH, AuditOutcome.SUCCESS)
        }
        assert alert.evidence["count"] == len(events)
        assert alert.raised_at >= alert.period_end
    burst = alerts[AlertKind.BURST]
    assert burst.evidence["count"] >= rules_current().alerts.burst_searches
    assert burst.period_end - burst.period_start <= datetime.timedelta(minutes=10)

    own = alerts[AlertKind.OWN_SURNAME]
    surnames = set(Client.objects.filter(pk__in=own.evidence["client_ids"]).values_list("surname", flat=True))
    assert surnames == {own.practitioner.user.last_name}

    closed = Alert.objects.get(state=Alert.State.CLOSED)
    assert closed.outcome in Alert.Outcome.values
    assert closed.outcome_note
    assert closed.closed_by.is_privacy_officer
    assert closed.closed_at > closed.raised_at
    assert_evidence_is_real(closed)
    assert AuditEvent.objects.filter(action=AuditAction.ALERT_CLOSED, object_id=str(closed.pk)).count() == 1
    # Each alert is about someone other than the demo's named people, and no evidence carries a name.
    emails = {account.email for account in staffordshire.accounts}
    watched = Practitioner.objects.filter(alerts__isnull=False).distinct()
    assert not watched.filter(user__email__in=emails).exists()
    for alert in Alert.objects.all():
        assert alert.practitioner.user.last_name not in repr(alert.evidence)
        assert AuditEvent.objects.filter(action=AuditAction.ALERT_RAISED, object_id=str(alert.pk)).count() == 1


def test_only_staffordshire_has_alerts_and_break_glass_history(yarra: DemoSummary) -> None:
    assert not Alert.objects.exists()
    assert not BreakGlassAccess.objects.exists()


# Running it again --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("place", ["staffordshire", "yarra"])
def test_running_the_demo_again_adds_nothing_twice(
    place: str, db: None, request: pytest.FixtureRequest, password_hash: str
) -> None:
    for first in populated(place, request, password_hash):
        before = governance_counts()
        assert before["rulebook versions"] == before["privacy officers"] == 1
        assert before["alerts" if place == "staffordshire" else "consents"] > 0
        again = council_demo_populate(place=place, jurisdiction=JURISDICTIONS[place], password_hash=password_hash)
        assert again == dataclasses.replace(first, created=False)
        assert governance_counts() == before


def test_a_demo_made_before_its_rules_existed_is_topped_up(
    council_a: Council, password_hash: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with schema_context(council_a.schema_name):
        with monkeypatch.context() as patched:
            patched.setattr(populate_module, "council_governance_populate", lambda **kwargs: None)
            council_demo_populate(place="staffordshire", jurisdiction="england", password_hash=password_hash)
        assert not RulebookVersion.objects.exists()
        assert not Practitioner.objects.filter(Q(is_privacy_officer=True) | ~Q(break_glass_role="")).exists()

        summary = council_demo_populate(place="staffordshire", jurisdiction="england", password_hash=password_hash)

        assert summary.created is False
        assert RulebookVersion.objects.count() == 1
        assert Alert.objects.filter(kind=AlertKind.BURST).count() == 1
        assert BreakGlassAccess.objects.count() == 1
        assert practitioner("helen.bradbury@staffordshire-earlyhelp.example").is_privacy_officer


def test_a_council_with_its_own_data_gets_no_demo_rules(council_a: Council, password_hash: str) -> None:
    with schema_context(council_a.schema_name):
        AgencyFactory(name="Lichfield Foodbank")
        council_demo_populate(place="staffordshire", jurisdiction="england", password_hash=password_hash)
        assert not RulebookVersion.objects.exists()
        assert not Alert.objects.exists()
        assert not AuditEvent.objects.filter(action=AuditAction.RULEBOOK_CHANGED).exists()
