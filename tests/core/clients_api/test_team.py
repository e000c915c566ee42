"""The team around a client through the API: the visibility policy on the payload (AZ-2, TEN-2, AUD-1).

A member sees every member in full; a sensitive agency's involvement reaches other agencies as a
placeholder with exactly two keys; anyone outside the team, and any other council's client, is 404.
"""

import datetime
import json
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.clients.models import Family, FamilyMember, Involvement
from core.governance.rules import FamilyTeams, Rules
from tenants.models import Council
from tests.conftest import sign_in
from tests.core.clients_api.conftest import GATEWAY, Team, care_team_url, team_url
from tests.core.governance.rulebook import rules_in_force
from tests.factories import ClientFactory, InvolvementFactory

pytestmark = pytest.mark.council_side

PRACTITIONER_KEYS = {
    "kind",
    "involvement_id",
    "practitioner_id",
    "name",
    "job_title",
    "agency",
    "agency_type",
    "role",
    "is_lead",
    "email",
    "mobile",
    "landline",
    "preferred_contact",
    "started_on",
    "ended_on",
    "last_contact_on",
    "next_contact_on",
    "join_reason",
    "agency_suspended",
}
FORBIDDEN_PLACEHOLDER_KEYS = {"name", "email", "mobile", "landline", "agency", "agency_type", "role", "job_title"}


def _by_kind(members: list[dict[str, object]], kind: str) -> list[dict[str, object]]:
    return [member for member in members if member["kind"] == kind]


def test_member_sees_the_client_and_every_other_agency_in_full(as_member: Browser, team: Team) -> None:
    response = as_member.get(team_url(team.client.pk))
    assert response.status_code == 200
    body = response.json()
    assert body["client"] == {
        "id": str(team.client.pk),
        "first_name": "Jade",
        "surname": "Hughes",
        "date_of_birth": "2014-06-02",
        "address_line": "",
        "town": "",
        "postcode": "WS13 6YY",
        "nhs_number": "9434765919",
        "unique_pupil_number": "",
        "victorian_student_number": "",
        "local_case_id": "",
    }
    assert body["legal_basis"] == team.client.legal_basis.title
    practitioners = _by_kind(body["current"], "practitioner")
    assert [member["name"] for member in practitioners] == [team.member.user.full_name, team.nurse.user.full_name]
    lead, nurse = practitioners
    assert set(nurse) == PRACTITIONER_KEYS
    assert nurse == {
        "kind": "practitioner",
        "involvement_id": nurse["involvement_id"],
        "practitioner_id": str(team.nurse.pk),
        "name": "Nia Nurse",
        "job_title": "School nurse",
        "agency": "Alpha Primary School",
        "agency_type": "Education",
        "role": "School nurse",
        "is_lead": False,
        "email": "nia.nurse@school.example",
        "mobile": "",
        "landline": "01632 960 333",
        "preferred_contact": "Email",
        "started_on": "2026-02-01",
        "ended_on": None,
        "last_contact_on": None,
        "next_contact_on": None,
        "join_reason": "",
        "agency_suspended": False,
    }
    assert lead["is_lead"] is True
    assert lead["mobile"] == "07700 900 001"
    assert lead["preferred_contact"] == "Mobile"
    assert body["previous"] == []
    assert body["family"] == []
    assert body["family_name"] is None


def test_sensitive_involvement_is_one_placeholder_with_exactly_two_keys(as_member: Browser, team: Team) -> None:
    response = as_member.get(team_url(team.client.pk))
    placeholders = _by_kind(response.json()["current"], "confidential_service")
    assert placeholders == [{"kind": "confidential_service", "contact_via": GATEWAY}]  # two workers, one placeholder
    assert not FORBIDDEN_PLACEHOLDER_KEYS & set(placeholders[0])
    body = response.content.decode()
    for secret in ("Rory", "Recovery worker", "Petra", "Peer mentor", "recovery.example", "Alpha Recovery Service"):
        assert secret not in body, secret
    for hidden_date in ("2025-11-03", "2025-12-01"):
        assert hidden_date not in body


def test_the_team_sees_why_each_member_joined_but_never_a_confidential_services_reason(
    as_member: Browser, council_a: Council, team: Team
) -> None:
    with schema_context(council_a.schema_name):
        Involvement.objects.filter(client=team.client, practitioner=team.nurse).update(
            join_reason="Attendance has dropped this term"
        )
        Involvement.objects.filter(client=team.client, practitioner=team.recovery_worker).update(
            join_reason="Referred by the GP for alcohol support"
        )
    response = as_member.get(team_url(team.client.pk))
    current = response.json()["current"]
    nurse = next(member for member in current if member.get("name") == "Nia Nurse")
    assert nurse["join_reason"] == "Attendance has dropped this term"
    placeholder = _by_kind(current, "confidential_service")[0]
    assert "join_reason" not in placeholder
    assert "alcohol" not in response.content.decode()


def test_sensitive_agency_sees_its_own_staff_in_full(client_a: Browser, council_a: Council, team: Team) -> None:
    sign_in(client_a, team.recovery_worker.user, council_a)
    current = client_a.get(team_url(team.client.pk)).json()["current"]
    assert _by_kind(current, "confidential_service") == []
    names = {member["name"] for member in current}
    assert {"Rory Recovery", "Petra Peer", "Maya Member", "Nia Nurse"} == names


def test_previously_involved_members_are_listed_with_their_end_date(
    as_member: Browser, council_a: Council, team: Team
) -> None:
    with schema_context(council_a.schema_name):
        InvolvementFactory(
            client=team.client,
            practitioner=team.outsider,
            role="Family support worker",
            started_on=datetime.date(2025, 6, 1),
            ended_on=datetime.date(2025, 12, 31),
        )
    previous = as_member.get(team_url(team.client.pk)).json()["previous"]
    assert [(member["name"], member["ended_on"]) for member in previous] == [("Otto Outsider", "2025-12-31")]


def test_a_former_lead_is_previously_involved_with_their_role_and_not_as_lead(
    as_member: Browser, council_a: Council, team: Team
) -> None:
    with schema_context(council_a.schema_name):
        InvolvementFactory(
            client=team.client,
            practitioner=team.outsider,
            role="Family support worker",
            is_lead=True,
            started_on=datetime.date(2025, 6, 1),
            ended_on=datetime.date(2025, 12, 31),
        )
    body = as_member.get(team_url(team.client.pk)).json()
    [former] = body["previous"]
    assert (former["name"], former["role"], former["is_lead"]) == ("Otto Outsider", "Family support worker", False)
    assert (former["started_on"], former["ended_on"]) == ("2025-06-01", "2025-12-31")
    assert [member["name"] for member in body["current"] if member.get("is_lead")] == ["Maya Member"]


def test_family_shows_each_relatives_team_through_the_same_policy(
    as_member: Browser, council_a: Council, team: Team
) -> None:
    with schema_context(council_a.schema_name):
        sibling = ClientFactory(first_name="Kai", surname="Hughes", date_of_birth=datetime.date(2016, 9, 9))
        family = Family.objects.create(name="Hughes household")
        FamilyMember.objects.create(family=family, client=team.client, relationship=FamilyMember.Relationship.CHILD)
        FamilyMember.objects.create(family=family, client=sibling, relationship=FamilyMember.Relationship.SIBLING)
        InvolvementFactory(
            client=sibling, practitioner=team.nurse, role="School nurse", started_on=datetime.date(2026, 1, 1)
        )
        InvolvementFactory(
            client=sibling,
            practitioner=team.recovery_worker,
            role="Recovery worker",
            started_on=datetime.date(2026, 2, 1),
        )
    # By default the council shows which agencies work with a relative: no names, no contacts.
    body = as_member.get(team_url(team.client.pk)).json()
    assert body["family_name"] == "Hughes household"
    assert body["family_teams"] == "agencies"
    [relative] = body["family"]
    assert (relative["client_id"], relative["first_name"], relative["relationship"]) == (
        str(sibling.pk),
        "Kai",
        "Sibling",
    )
    assert relative["members"] == []
    assert relative["agencies"] == ["Alpha Primary School", "A confidential service"]
    assert "Nia" not in json.dumps(body["family"])
    # In full, when the council's rules say so: through the same policy as the client's own team.
    with schema_context(council_a.schema_name):
        rules_in_force(Rules(family_teams=FamilyTeams.FULL))
    body = as_member.get(team_url(team.client.pk)).json()
    [relative] = body["family"]
    assert body["family_teams"] == "full"
    assert relative["agencies"] == []
    assert [member["kind"] for member in relative["members"]] == ["practitioner", "confidential_service"]
    assert relative["members"][1] == {"kind": "confidential_service", "contact_via": GATEWAY}
    # Not at all.
    with schema_context(council_a.schema_name):
        rules_in_force(Rules(family_teams=FamilyTeams.NONE))
    [relative] = as_member.get(team_url(team.client.pk)).json()["family"]
    assert (relative["first_name"], relative["members"], relative["agencies"]) == ("Kai", [], [])


def test_practitioner_outside_the_team_gets_404_and_a_denied_audit_row(
    as_outsider: Browser, council_a: Council, team: Team
) -> None:
    response = as_outsider.get(team_url(team.client.pk))
    assert response.status_code == 404
    assert "Hughes" not in response.content.decode()
    with schema_context(council_a.schema_name):
        denied = AuditEvent.objects.get(action=AuditAction.CLIENT_VIEWED, actor_id=team.outsider.user.pk)
    assert (denied.outcome, denied.object_id) == (AuditOutcome.DENIED, str(team.client.pk))


def test_previously_involved_practitioner_no_longer_sees_the_team(
    client_a: Browser, council_a: Council, team: Team
) -> None:
    with schema_context(council_a.schema_name):
        InvolvementFactory(
            client=team.client,
            practitioner=team.outsider,
            started_on=datetime.date(2025, 6, 1),
            ended_on=datetime.date(2025, 12, 31),
        )
    sign_in(client_a, team.outsider.user, council_a)
    assert client_a.get(team_url(team.client.pk)).status_code == 404


def test_unknown_client_and_hidden_client_look_the_same(as_outsider: Browser, team: Team) -> None:
    unknown = as_outsider.get(team_url("00000000-0000-4000-8000-000000000000"))
    hidden = as_outsider.get(team_url(team.client.pk))
    assert unknown.status_code == hidden.status_code == 404
    assert unknown.json() == hidden.json()


def test_another_councils_client_is_404(as_member: Browser, council_b: Council, team: Team) -> None:
    with schema_context(council_b.schema_name):
        b_client = ClientFactory(first_name="Jade", surname="Hughes")
    assert as_member.get(team_url(b_client.pk)).status_code == 404


def test_each_view_of_the_team_leaves_an_audit_row(as_member: Browser, council_a: Council, team: Team) -> None:
    as_member.get(team_url(team.client.pk))
    with schema_context(council_a.schema_name):
        viewed = AuditEvent.objects.get(action=AuditAction.CLIENT_VIEWED, actor_id=team.member.user.pk)
    assert (viewed.outcome, viewed.object_id, viewed.path) == (
        AuditOutcome.SUCCESS,
        str(team.client.pk),
        team_url(team.client.pk),
    )


@pytest.mark.parametrize("path", [team_url, care_team_url])
def test_query_count_does_not_grow_with_the_team(
    as_member: Browser, council_a: Council, team: Team, path: Callable[[object], str]
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert as_member.get(path(team.client.pk)).status_code == 200
        return len(captured)

    before = queries()
    with schema_context(council_a.schema_name):
        for _ in range(3):
            InvolvementFactory(client=team.client, practitioner__agency=team.school)
            InvolvementFactory(client=team.client, ended_on=datetime.date(2026, 3, 1))
    assert queries() == before
