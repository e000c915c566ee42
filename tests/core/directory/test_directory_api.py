"""The directory through the API: the same people and agencies as the directory pages, no more.

Verified, active people of approved agencies are found; a sensitive agency's staff only by that
agency's own verified staff; anyone else is 404 like an id that never existed. A sensitive agency
is listed with its gateway contact, never its own contact details.
"""

import pytest
from django.test import Client as Browser
from django_tenants.utils import schema_context

from core.directory.models import ApprovalState
from tenants.models import Council
from tests.conftest import sign_in
from tests.core.clients_api import conftest as team_fixtures
from tests.core.clients_api.conftest import GATEWAY, Team, practitioner
from tests.factories import AgencyFactory

# The team of the client API tests, and its lead social worker signed in: a directory of four agencies.
team = team_fixtures.team
as_member = team_fixtures.as_member

pytestmark = pytest.mark.council_side

PEOPLE = "/api/v1/practitioners/"
AGENCIES = "/api/v1/agencies/"
PERSON_KEYS = {"id", "name", "job_title", "agency_id", "agency", "email", "mobile", "landline", "preferred_contact"}


def person_url(practitioner_id: object) -> str:
    return f"/api/v1/practitioners/{practitioner_id}/"


def _ids(response: object) -> set[str]:
    return {row["id"] for row in response.json()["results"]}  # type: ignore[attr-defined]


def test_search_finds_colleagues_with_their_contact_details(as_member: Browser, team: Team) -> None:
    response = as_member.get(PEOPLE, {"q": "nurse"})
    assert response.status_code == 200
    body = response.json()
    assert body["more"] is False
    [nurse] = body["results"]
    assert set(nurse) == PERSON_KEYS
    assert nurse["id"] == str(team.nurse.pk)
    assert nurse["name"] == "Nia Nurse"
    assert nurse["agency"] == "Alpha Primary School"
    assert nurse["landline"] == "01632 960 333"


def test_search_by_agency(as_member: Browser, team: Team) -> None:
    response = as_member.get(PEOPLE, {"agency": str(team.children.pk)})
    assert _ids(response) == {str(team.member.pk), str(team.outsider.pk)}


def test_search_needs_a_criterion(as_member: Browser) -> None:
    assert as_member.get(PEOPLE).status_code == 400
    assert as_member.get(PEOPLE, {"q": "  "}).status_code == 400


@pytest.mark.parametrize("params", [{"q": "x", "council": "beta"}, {"agency": "not-a-uuid"}, {"q": "x" * 101}])
def test_unknown_or_invalid_parameters_are_400(as_member: Browser, team: Team, params: dict[str, str]) -> None:
    assert as_member.get(PEOPLE, params).status_code == 400


def test_a_sensitive_agencys_staff_are_hidden_from_outsiders(as_member: Browser, team: Team) -> None:
    assert _ids(as_member.get(PEOPLE, {"q": "recovery"})) == set()
    assert as_member.get(PEOPLE, {"agency": str(team.recovery.pk)}).status_code == 400
    for hidden in (team.recovery_worker, team.recovery_peer):
        assert as_member.get(person_url(hidden.pk)).status_code == 404


def test_a_sensitive_agencys_own_staff_find_each_other(client_a: Browser, council_a: Council, team: Team) -> None:
    sign_in(client_a, team.recovery_worker.user, council_a)
    response = client_a.get(PEOPLE, {"agency": str(team.recovery.pk)})
    assert _ids(response) == {str(team.recovery_worker.pk), str(team.recovery_peer.pk)}
    assert client_a.get(person_url(team.recovery_peer.pk)).status_code == 200


def test_unverified_inactive_and_unapproved_people_are_not_found(
    as_member: Browser, council_a: Council, team: Team
) -> None:
    with schema_context(council_a.schema_name):
        unverified = practitioner(team.children, "Una", "Unverified")
        unverified.verified_at = None
        unverified.save()
        gone = practitioner(team.children, "Gil", "Gone")
        gone.user.is_active = False
        gone.user.save()
        pending = AgencyFactory(
            name="Alpha Pending", email_domains=["pending.example"], approval_state=ApprovalState.PENDING
        )
        waiting = practitioner(pending, "Wes", "Waiting")
    for who in (unverified, gone, waiting):
        assert as_member.get(person_url(who.pk)).status_code == 404
        assert str(who.pk) not in _ids(as_member.get(PEOPLE, {"q": who.user.last_name}))


def test_a_profile(as_member: Browser, team: Team) -> None:
    response = as_member.get(person_url(team.nurse.pk))
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(team.nurse.pk)
    assert body["email"] == team.nurse.user.email
    assert {"expertise", "availability", "agency_type"} <= set(body)


def test_ones_own_profile_even_before_verification(client_a: Browser, council_a: Council, team: Team) -> None:
    with schema_context(council_a.schema_name):
        newcomer = practitioner(team.children, "Nell", "Newcomer")
        newcomer.verified_at = None
        newcomer.save()
    sign_in(client_a, newcomer.user, council_a)
    assert client_a.get(person_url(newcomer.pk)).status_code == 200
    assert client_a.get(person_url(team.nurse.pk)).status_code == 200  # approved, verified colleagues are listed


def test_an_unknown_practitioner_is_404(as_member: Browser) -> None:
    assert as_member.get(person_url("00000000-0000-4000-8000-000000000000")).status_code == 404


def test_agencies_sensitive_ones_show_the_gateway_only(as_member: Browser, council_a: Council, team: Team) -> None:
    with schema_context(council_a.schema_name):
        AgencyFactory(name="Alpha Pending", email_domains=["pending.example"], approval_state=ApprovalState.PENDING)
    response = as_member.get(AGENCIES)
    assert response.status_code == 200
    rows = {row["name"]: row for row in response.json()["results"]}
    assert "Alpha Pending" not in rows
    recovery = rows["Alpha Recovery Service"]
    assert recovery["kind"] == "confidential_service"
    assert recovery["contact_via"] == GATEWAY
    assert "contact_email" not in recovery
    assert "contact_phone" not in recovery
    assert not {"practitioners", "staff"} & set(recovery)
    school = rows["Alpha Primary School"]
    assert school["kind"] == "agency"
    assert {"contact_email", "contact_phone"} <= set(school)
    assert "contact_via" not in school


def test_the_directory_api_is_for_signed_in_practitioners_only(client_a: Browser, team: Team) -> None:
    for path in (PEOPLE + "?q=nurse", person_url(team.nurse.pk), AGENCIES):
        assert client_a.get(path).status_code in (401, 403)
