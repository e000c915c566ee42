"""The team as a FHIR R4 CareTeam: valid FHIR (checked with fhir.resources), the same visibility
policy as the team, and sensitive involvements as restricted, member-less placeholders."""

import datetime
import json

import pytest
from django.test import Client as Browser
from django_tenants.utils import schema_context
from fhir.resources.R4B.careteam import CareTeam
from fhir.resources.R4B.operationoutcome import OperationOutcome

from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.clients.fhir import GATEWAY_CONTACT_EXTENSION
from core.clients.models import Family, FamilyMember, Involvement
from core.governance.rules import FamilyTeams, SensitiveMode
from tenants.models import Council
from tests.conftest import sign_in
from tests.core.clients_api.conftest import GATEWAY, Team, care_team_url
from tests.core.governance.rulebook import consent_given, rules_in_force, sensitive_rules
from tests.factories import TEST_PASSWORD, ClientFactory, InvolvementFactory, UserFactory

pytestmark = pytest.mark.council_side

CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"


def _care_team(browser: Browser, team: Team) -> dict:
    response = browser.get(care_team_url(team.client.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    return json.loads(response.content)


def test_care_team_is_a_valid_fhir_r4_resource(as_member: Browser, team: Team) -> None:
    resource = _care_team(as_member, team)
    care_team = CareTeam.model_validate(resource)  # raises on anything that is not FHIR
    assert care_team.id == str(team.client.pk)
    assert care_team.status == "active"
    [coding] = care_team.category[0].coding
    assert (coding.system, coding.code) == ("http://loinc.org", "LA27976-2")
    assert coding.display == "Longitudinal care-coordination focused care team"
    assert care_team.subject.reference == "#patient"
    assert care_team.subject.display == "Jade Hughes"
    [patient] = resource["contained"]
    assert patient["resourceType"] == "Patient"
    assert patient["birthDate"] == "2014-06-02"
    assert patient["identifier"] == [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9434765919"}]


def test_practitioners_are_members_on_behalf_of_their_agency(as_member: Browser, team: Team) -> None:
    resource = _care_team(as_member, team)
    members = [participant for participant in resource["participant"] if "member" in participant]
    assert [participant["member"] for participant in members] == [
        {"reference": f"Practitioner/{team.member.pk}", "display": "Maya Member"},
        {"reference": f"Practitioner/{team.nurse.pk}", "display": "Nia Nurse"},
    ]
    lead, nurse = members
    assert lead["role"] == [{"text": "Social worker"}, {"text": "Lead professional"}]
    assert lead["onBehalfOf"] == {
        "reference": f"Organization/{team.children.pk}",
        "display": "Alpha Children's Services",
    }
    assert nurse["role"] == [{"text": "School nurse"}]
    assert nurse["period"] == {"start": "2026-02-01"}
    # The team's start is the earliest the viewer may see: never a hidden confidential service's date.
    assert resource["period"] == {"start": "2026-01-05"}


def test_sensitive_involvement_is_a_restricted_placeholder_participant(as_member: Browser, team: Team) -> None:
    resource = _care_team(as_member, team)
    CareTeam.model_validate(resource)
    placeholders = [participant for participant in resource["participant"] if "member" not in participant]
    assert placeholders == [
        {
            "extension": [{"url": GATEWAY_CONTACT_EXTENSION, "valueString": GATEWAY}],
            "role": [{"text": "Confidential service"}],
        }
    ]
    assert {"code": "R", "display": "restricted", "system": CONFIDENTIALITY} in resource["meta"]["security"]
    assert any(GATEWAY in note["text"] for note in resource["note"])
    raw = json.dumps(resource)
    for secret in ("Rory", "Petra", "Recovery worker", "Peer mentor", "recovery.example", "2025-11-03", "2025-12-01"):
        assert secret not in raw, secret
    assert str(team.recovery.pk) not in raw
    assert str(team.recovery_worker.pk) not in raw


def test_without_sensitive_involvements_the_care_team_is_not_labelled_restricted(
    as_member: Browser, council_a: Council, team: Team
) -> None:
    with schema_context(council_a.schema_name):
        Involvement.objects.filter(practitioner__agency=team.recovery).delete()
    resource = _care_team(as_member, team)
    CareTeam.model_validate(resource)
    assert "meta" not in resource
    assert "note" not in resource
    assert all("member" in participant for participant in resource["participant"])


def test_the_sensitive_agency_itself_sees_its_staff_as_members(
    client_a: Browser, council_a: Council, team: Team
) -> None:
    sign_in(client_a, team.recovery_worker.user, council_a)
    resource = _care_team(client_a, team)
    CareTeam.model_validate(resource)
    assert "meta" not in resource
    displays = {participant["member"]["display"] for participant in resource["participant"]}
    assert displays == {"Maya Member", "Nia Nurse", "Rory Recovery", "Petra Peer"}


def test_previously_involved_practitioners_carry_an_end_date(
    as_member: Browser, council_a: Council, team: Team
) -> None:
    with schema_context(council_a.schema_name):
        InvolvementFactory(
            client=team.client,
            practitioner=team.outsider,
            started_on=datetime.date(2025, 6, 1),
            ended_on=datetime.date(2025, 12, 31),
        )
    resource = _care_team(as_member, team)
    CareTeam.model_validate(resource)
    [ended] = [p for p in resource["participant"] if p.get("period", {}).get("end")]
    assert ended["member"]["reference"] == f"Practitioner/{team.outsider.pk}"
    assert ended["period"] == {"start": "2025-06-01", "end": "2025-12-31"}
    assert resource["period"] == {"start": "2025-06-01"}


def _operation_outcome(response: object, status: int, code: str) -> OperationOutcome:
    """A refusal answered as FHIR: an OperationOutcome with one error issue of ``code``."""
    assert response.status_code == status
    assert response["Content-Type"] == "application/fhir+json"
    outcome = OperationOutcome.model_validate(json.loads(response.content))  # raises on anything that is not FHIR
    [issue] = outcome.issue
    assert (issue.severity, issue.code) == ("error", code)
    return outcome


def test_outsiders_and_other_councils_get_404_and_the_view_is_audited(
    as_outsider: Browser, council_a: Council, council_b: Council, team: Team
) -> None:
    outsider = as_outsider.get(care_team_url(team.client.pk))
    _operation_outcome(outsider, 404, "not-found")
    with schema_context(council_b.schema_name):
        b_client = ClientFactory()
    other_council = as_outsider.get(care_team_url(b_client.pk))
    _operation_outcome(other_council, 404, "not-found")
    never_existed = as_outsider.get(care_team_url("00000000-0000-4000-8000-000000000000"))
    # Not in the team, another council's client, no such client: the same answer, byte for byte.
    assert outsider.content == other_council.content == never_existed.content
    with schema_context(council_a.schema_name):
        outcomes = set(
            AuditEvent.objects.filter(action=AuditAction.CLIENT_VIEWED, actor_id=team.outsider.user.pk).values_list(
                "outcome", flat=True
            )
        )
    assert outcomes == {AuditOutcome.DENIED}


def test_member_views_of_the_care_team_are_audited(as_member: Browser, council_a: Council, team: Team) -> None:
    _care_team(as_member, team)
    with schema_context(council_a.schema_name):
        assert AuditEvent.objects.filter(
            action=AuditAction.CLIENT_VIEWED, actor_id=team.member.user.pk, outcome=AuditOutcome.SUCCESS
        ).exists()


def test_plain_json_is_offered_too(as_member: Browser, team: Team) -> None:
    response = as_member.get(care_team_url(team.client.pk), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["resourceType"] == "CareTeam"


def test_a_former_lead_carries_their_period_and_their_role_but_not_lead_professional(
    as_member: Browser, council_a: Council, team: Team
) -> None:
    with schema_context(council_a.schema_name):
        InvolvementFactory(
            client=team.client,
            practitioner=team.outsider,
            role="Family support worker",
            is_lead=True,  # lead while involved (as records kept from before ending stay)
            started_on=datetime.date(2025, 6, 1),
            ended_on=datetime.date(2025, 12, 31),
        )
    resource = _care_team(as_member, team)
    CareTeam.model_validate(resource)
    [former] = [p for p in resource["participant"] if p.get("member", {}).get("display") == "Otto Outsider"]
    assert former["period"] == {"start": "2025-06-01", "end": "2025-12-31"}
    assert former["role"] == [{"text": "Family support worker"}]
    leads = [p["member"]["display"] for p in resource["participant"] if {"text": "Lead professional"} in p["role"]]
    assert leads == ["Maya Member"]


def test_a_signed_in_user_who_is_not_a_practitioner_gets_a_403_operation_outcome(
    client_a: Browser, council_a: Council, team: Team
) -> None:
    with schema_context(council_a.schema_name):
        user = UserFactory(email="not-a-practitioner@alpha.example")
    sign_in(client_a, user, council_a)
    _operation_outcome(client_a.get(care_team_url(team.client.pk)), 403, "forbidden")


def test_a_password_only_session_gets_a_403_operation_outcome(client_a: Browser, team: Team) -> None:
    response = client_a.post("/sign-in/", {"email": team.member.user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    _operation_outcome(client_a.get(care_team_url(team.client.pk)), 403, "forbidden")


def test_a_refusal_asked_for_as_plain_json_is_still_an_operation_outcome(as_outsider: Browser, team: Team) -> None:
    response = as_outsider.get(care_team_url(team.client.pk), HTTP_ACCEPT="application/json")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    OperationOutcome.model_validate(response.json())


def _secrets_of(team: Team) -> list[str]:
    """Everything that would tell the viewer the recovery service or its workers are involved."""
    worker, peer = team.recovery_worker, team.recovery_peer
    return [
        "Rory Recovery",
        "Petra Peer",
        str(worker.pk),
        str(peer.pk),
        worker.user.email,
        peer.user.email,
        "Alpha Recovery Service",
        str(team.recovery.pk),
    ]


@pytest.mark.parametrize(
    ("mode", "consent", "seen"),
    [
        (SensitiveMode.HIDDEN, False, "nothing"),
        (SensitiveMode.PLACEHOLDER, False, "placeholder"),
        (SensitiveMode.WITH_CONSENT, False, "nothing"),
        (SensitiveMode.WITH_CONSENT, True, "full"),
    ],
    ids=["hidden", "placeholder", "with-consent-without-consent", "with-consent-with-consent"],
)
def test_the_care_team_carries_no_participant_the_policy_hides_in_any_mode(
    as_member: Browser, council_a: Council, team: Team, mode: SensitiveMode, consent: bool, seen: str
) -> None:
    with schema_context(council_a.schema_name):
        rules_in_force(sensitive_rules(team.recovery, mode, family_teams=FamilyTeams.FULL))
        if consent:
            consent_given(team.client, team.member, services=(team.recovery,))
        # A relative's team is never part of the client's CareTeam, whatever the family rule.
        sibling = ClientFactory(first_name="Kai", surname="Hughes")
        family = Family.objects.create(name="Hughes household")
        FamilyMember.objects.create(family=family, client=team.client, relationship=FamilyMember.Relationship.CHILD)
        FamilyMember.objects.create(family=family, client=sibling, relationship=FamilyMember.Relationship.SIBLING)
        InvolvementFactory(client=sibling, practitioner=team.outsider, role="Family support worker")
    resource = _care_team(as_member, team)
    CareTeam.model_validate(resource)
    raw = json.dumps(resource)
    assert "Otto" not in raw
    assert "Kai" not in raw
    assert "Maya Member" in raw  # the visible members are there: the test would see a dropped participant
    assert "Nia Nurse" in raw
    if seen == "full":
        for shown in ("Rory Recovery", "Petra Peer", str(team.recovery.pk), "Alpha Recovery Service"):
            assert shown in raw, shown
        assert "meta" not in resource
        return
    for secret in _secrets_of(team):
        assert secret not in raw, secret
    if seen == "placeholder":
        assert GATEWAY in raw
        assert len([p for p in resource["participant"] if "member" not in p]) == 1
        assert resource["meta"]["security"][0]["code"] == "R"
    else:
        assert GATEWAY not in raw
        assert "onfidential service" not in raw
        assert "meta" not in resource
        assert "note" not in resource
        assert all("member" in participant for participant in resource["participant"])
