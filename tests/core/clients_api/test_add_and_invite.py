"""Adding a client and inviting a colleague through the API (journeys 3 and 6).

Adding follows the add page's rules: only after a search in this session, only by a verified
practitioner, and possible matches (same surname and date of birth) are answered 409 until confirmed
as not the person. Inviting is for current team members only: anyone else is 404, recorded, and
nothing is created. Unknown or privileged fields are refused (DP-4).
"""

import datetime
from typing import Any

import pytest
from django.core import mail
from django.test import Client as Browser
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent
from core.clients.models import Client, Involvement, TeamActivity, TeamInvitation
from core.directory.models import ApprovalState
from core.governance.models import LegalBasis
from tenants.models import Council
from tests.conftest import sign_in
from tests.core.clients_api.conftest import Team, post_json, practitioner, search, team_url
from tests.core.notifications.helpers import outbox_table
from tests.factories import AgencyFactory

pytestmark = pytest.mark.council_side

ADD_URL = "/api/v1/clients/"


def invite_url(client_id: object) -> str:
    return f"/api/v1/clients/{client_id}/invitations/"


@pytest.fixture
def bases(council_a: Council) -> dict[str, LegalBasis]:
    with schema_context(council_a.schema_name):
        return {
            "statutory": LegalBasis.objects.create(code="api-statutory", title="API statutory duty"),
            "consent": LegalBasis.objects.create(code="api-consent", title="API consent", requires_consent=True),
            "retired": LegalBasis.objects.create(code="api-retired", title="API retired", is_accepted=False),
        }


def _new(**extra: Any) -> dict[str, Any]:
    return {
        "first_name": "Leo",
        "surname": "Newman",
        "date_of_birth": "2016-09-14",
        "postcode": "ws136yy",
        "legal_basis": "api-statutory",
        "role": "Family support worker",
    } | extra


def _clients(council: Council, surname: str) -> list[Client]:
    with schema_context(council.schema_name):
        return list(Client.objects.filter(surname=surname))


def _searched(browser: Browser, surname: str = "Newman", date_of_birth: str = "2016-09-14") -> None:
    assert search(browser, surname=surname, date_of_birth=date_of_birth).status_code == 200


# --- Adding a client -------------------------------------------------------------------------------


def test_adding_after_a_search_creates_the_client_with_the_viewer_in_the_team(
    as_member: Browser, council_a: Council, team: Team, bases: dict[str, LegalBasis]
) -> None:
    _searched(as_member)
    response = post_json(as_member, ADD_URL, _new(nhs_number="943 476 5870"))
    assert response.status_code == 201, response.content
    [client] = _clients(council_a, "Newman")
    assert response.json() == {"id": str(client.pk)}
    assert response["Location"] == team_url(client.pk)
    with schema_context(council_a.schema_name):
        assert client.postcode == "WS13 6YY"
        assert client.nhs_number == "9434765870"
        assert client.created_by_id == team.member.pk
        assert client.legal_basis_id == bases["statutory"].pk
        [involvement] = Involvement.objects.filter(client=client)
        assert involvement.practitioner_id == team.member.pk
        assert involvement.role == "Family support worker"
        assert AuditEvent.objects.filter(action=AuditAction.CLIENT_ADDED, object_id=str(client.pk)).exists()
    assert as_member.get(response["Location"]).status_code == 200


def test_adding_without_a_search_in_this_session_is_refused(
    as_member: Browser, council_a: Council, bases: dict[str, LegalBasis]
) -> None:
    response = post_json(as_member, ADD_URL, _new())
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert _clients(council_a, "Newman") == []


def test_the_search_page_also_opens_the_way_to_adding(
    as_member: Browser, council_a: Council, bases: dict[str, LegalBasis]
) -> None:
    page = as_member.post(
        "/clients/search/",
        {"surname": "Newman", "date_of_birth_day": "14", "date_of_birth_month": "9", "date_of_birth_year": "2016"},
    )
    assert page.status_code == 200
    assert post_json(as_member, ADD_URL, _new()).status_code == 201


def test_the_api_search_opens_the_add_page_as_the_search_page_does(
    as_member: Browser, bases: dict[str, LegalBasis]
) -> None:
    assert as_member.get("/clients/new/").status_code == 302
    _searched(as_member)
    assert as_member.get("/clients/new/").status_code == 200


def test_a_possible_duplicate_is_409_with_search_hit_fields_only_until_confirmed(
    as_member: Browser, council_a: Council, team: Team, bases: dict[str, LegalBasis]
) -> None:
    _searched(as_member, "Hughes", "2014-06-02")
    details = _new(first_name="Jayde", surname="Hughes", date_of_birth="2014-06-02")
    response = post_json(as_member, ADD_URL, details)
    assert response.status_code == 409
    body = response.json()
    assert body["too_many"] is False
    [hit] = body["results"]
    assert hit["id"] == str(team.client.pk)
    assert set(hit) == {
        "id",
        "first_name",
        "surname",
        "date_of_birth",
        "postcode_district",
        "agencies_involved",
        "in_team",
    }
    assert len(_clients(council_a, "Hughes")) == 1

    confirmed = post_json(as_member, ADD_URL, details | {"confirm_not_duplicate": True})
    assert confirmed.status_code == 201, confirmed.content
    assert len(_clients(council_a, "Hughes")) == 2


def test_confirming_without_having_been_shown_the_matches_still_shows_them(
    as_member: Browser, council_a: Council, team: Team, bases: dict[str, LegalBasis]
) -> None:
    _searched(as_member, "Hughes", "2014-06-02")
    details = _new(surname="Hughes", date_of_birth="2014-06-02", confirm_not_duplicate=True)
    assert post_json(as_member, ADD_URL, details).status_code == 409
    assert len(_clients(council_a, "Hughes")) == 1


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"legal_basis": "no-such-basis"}, "legal_basis"),
        ({"legal_basis": "api-retired"}, "legal_basis"),
        ({"legal_basis": "api-consent"}, "consent_given_by"),
        ({"legal_basis": "api-consent", "consent_given_by": "mother"}, "consent_given_by"),
        (
            {"legal_basis": "api-consent", "consent_given_by": "mother", "consent_given_on": "2999-01-01"},
            "consent_given_on",
        ),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"nhs_number": "12345"}, "nhs_number"),
        ({"created_by": "00000000-0000-4000-8000-000000000000"}, "created_by"),
        ({"council": "council_beta"}, "council"),
        ({"id": "00000000-0000-4000-8000-000000000000"}, "id"),
    ],
)
def test_invalid_or_privileged_input_is_400_and_creates_nothing(
    as_member: Browser, council_a: Council, bases: dict[str, LegalBasis], extra: dict[str, str], field: str
) -> None:
    _searched(as_member)
    response = post_json(as_member, ADD_URL, _new(**extra))
    assert response.status_code == 400
    assert field in response.json()
    assert _clients(council_a, "Newman") == []


def test_consent_given_with_who_and_when_is_accepted(
    as_member: Browser, council_a: Council, bases: dict[str, LegalBasis]
) -> None:
    _searched(as_member)
    details = _new(legal_basis="api-consent", consent_given_by="mother", consent_given_on="2026-01-10")
    assert post_json(as_member, ADD_URL, details).status_code == 201
    [client] = _clients(council_a, "Newman")
    assert client.consent_given_on == datetime.date(2026, 1, 10)


def test_an_unverified_practitioner_cannot_add(
    client_a: Browser, council_a: Council, team: Team, bases: dict[str, LegalBasis]
) -> None:
    with schema_context(council_a.schema_name):
        newcomer = practitioner(team.children, "Nell", "Newcomer")
        newcomer.verified_at = None
        newcomer.save()
    sign_in(client_a, newcomer.user, council_a)
    assert post_json(client_a, ADD_URL, _new()).status_code == 403
    assert _clients(council_a, "Newman") == []


# --- Inviting a colleague --------------------------------------------------------------------------


def _invitations(council: Council, team: Team) -> list[TeamInvitation]:
    with schema_context(council.schema_name):
        return list(TeamInvitation.objects.filter(client=team.client))


def test_a_member_invites_a_registered_colleague(
    as_member: Browser, council_a: Council, team: Team, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(as_member, invite_url(team.client.pk), {"practitioner_id": str(team.outsider.pk)})
    assert response.status_code == 201, response.content
    [invitation] = _invitations(council_a, team)
    assert response.json()["id"] == str(invitation.pk)
    assert response.json()["invitee_id"] == str(team.outsider.pk)
    assert invitation.invited_by_id == team.member.pk
    assert [message.to for message in mail.outbox] == [[team.outsider.user.email]]


def test_a_member_invites_someone_not_yet_registered_by_email(
    as_member: Browser, council_a: Council, team: Team
) -> None:
    response = post_json(as_member, invite_url(team.client.pk), {"email": "New.Person@school.example"})
    assert response.status_code == 201, response.content
    [invitation] = _invitations(council_a, team)
    assert invitation.invitee_id is None
    assert invitation.invitee_email == "new.person@school.example"


def test_a_non_member_cannot_invite_404_recorded_and_nothing_created(
    as_outsider: Browser, council_a: Council, team: Team
) -> None:
    response = post_json(as_outsider, invite_url(team.client.pk), {"email": "someone@school.example"})
    assert response.status_code == 404
    assert _invitations(council_a, team) == []
    with schema_context(council_a.schema_name):
        denied = AuditEvent.objects.get(action=AuditAction.ACCESS_DENIED, actor_id=team.outsider.user.pk)
    assert denied.object_id == str(team.client.pk)


def test_inviting_to_an_unknown_client_is_404(as_member: Browser) -> None:
    response = post_json(as_member, invite_url("00000000-0000-4000-8000-000000000000"), {"email": "a@b.example"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"email": "a@school.example", "practitioner_id": "00000000-0000-4000-8000-000000000000"},
        {"email": "not-an-email"},
        {"email": "a@school.example", "invited_by": "00000000-0000-4000-8000-000000000000"},
        {"practitioner_id": "00000000-0000-4000-8000-000000000000"},
    ],
)
def test_invalid_invitations_are_400_and_create_nothing(
    as_member: Browser, council_a: Council, team: Team, body: dict[str, str]
) -> None:
    assert post_json(as_member, invite_url(team.client.pk), body).status_code == 400
    assert _invitations(council_a, team) == []


def test_inviting_a_current_member_or_hidden_sensitive_staff_is_400(
    as_member: Browser, council_a: Council, team: Team
) -> None:
    with schema_context(council_a.schema_name):
        hidden = practitioner(
            AgencyFactory(
                name="Alpha Refuge", email_domains=["refuge.example"], is_sensitive=True, gateway_contact="x"
            ),
            "Sam",
            "Shelter",
        )
    for who in (team.nurse, hidden):
        assert post_json(as_member, invite_url(team.client.pk), {"practitioner_id": str(who.pk)}).status_code == 400
    assert post_json(as_member, invite_url(team.client.pk), {"email": team.nurse.user.email}).status_code == 400
    assert _invitations(council_a, team) == []


@pytest.mark.parametrize("email", ["someone@gmail.com", "someone@tutors.example", "someone@paused.example"])
def test_inviting_an_address_outside_the_councils_approved_agencies_is_400_and_nothing_is_sent(
    as_member: Browser, council_a: Council, team: Team, django_capture_on_commit_callbacks: Any, email: str
) -> None:
    with schema_context(council_a.schema_name):
        AgencyFactory(email_domains=["tutors.example"], approval_state=ApprovalState.PENDING)
        AgencyFactory(email_domains=["paused.example"], approval_state=ApprovalState.SUSPENDED)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(as_member, invite_url(team.client.pk), {"email": email})
    assert response.status_code == 400
    assert response.json()["email"] == ["Enter the work email of someone at one of Alpha District Council's agencies"]
    assert _invitations(council_a, team) == []
    with schema_context(council_a.schema_name):
        assert not TeamActivity.objects.filter(kind=TeamActivity.Kind.INVITED).exists()
    assert outbox_table(council_a.schema_name) == []
    assert mail.outbox == []


def test_a_confidential_services_invitation_by_api_does_not_name_it_to_another_agency(
    client_a: Browser, council_a: Council, team: Team, django_capture_on_commit_callbacks: Any
) -> None:
    sign_in(client_a, team.recovery_worker.user, council_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(client_a, invite_url(team.client.pk), {"email": "new.person@school.example"})
    assert response.status_code == 201, response.content
    (message,) = mail.outbox
    assert "confidential service" in message.body
    for secret in ("Alpha Recovery Service", "Rory", "recovery.example"):
        assert secret not in message.body, secret


def test_inviting_a_confidential_services_staff_by_email_answers_as_for_an_address_with_no_account(
    as_member: Browser, council_a: Council, team: Team
) -> None:
    """The picker never offers a sensitive agency's staff to outsiders; typing their address must not reveal
    them either: not that they have an account, nor that they are already in the team."""
    with schema_context(council_a.schema_name):
        refuge = AgencyFactory(
            name="Alpha Refuge", email_domains=["refuge.example"], is_sensitive=True, gateway_contact="x"
        )
        hidden = practitioner(refuge, "Sam", "Shelter")
    answers = {
        "registered": post_json(as_member, invite_url(team.client.pk), {"email": hidden.user.email}),
        "in the team already": post_json(
            as_member, invite_url(team.client.pk), {"email": team.recovery_worker.user.email}
        ),
        "no account": post_json(as_member, invite_url(team.client.pk), {"email": "nobody.yet@refuge.example"}),
    }
    for who, response in answers.items():
        assert response.status_code == 201, (who, response.content)
        assert response.json()["invitee_id"] is None, who
    assert {frozenset(response.json()) for response in answers.values()} == {frozenset(answers["no account"].json())}
    with schema_context(council_a.schema_name):
        assert not TeamInvitation.objects.filter(invitee__in=[hidden, team.recovery_worker]).exists()


def test_a_confidential_services_worker_invited_by_email_can_still_join_from_the_invitation(
    as_member: Browser, council_a: Council, team: Team
) -> None:
    with schema_context(council_a.schema_name):
        refuge = AgencyFactory(
            name="Alpha Refuge", email_domains=["refuge.example"], is_sensitive=True, gateway_contact="x"
        )
        hidden = practitioner(refuge, "Sam", "Shelter")
    assert post_json(as_member, invite_url(team.client.pk), {"email": hidden.user.email}).status_code == 201
    worker = Browser(HTTP_HOST=as_member.defaults["HTTP_HOST"])
    sign_in(worker, hidden.user, council_a)
    joined = post_json(
        worker, f"/api/v1/clients/{team.client.pk}/involvements/", {"role": "Outreach", "reason": "Invited"}
    )
    assert joined.status_code == 201, joined.content


@pytest.mark.parametrize("state", [ApprovalState.PENDING, ApprovalState.SUSPENDED])
def test_a_colleague_of_an_agency_that_is_not_approved_is_never_offered_or_invited(
    as_member: Browser, council_a: Council, team: Team, state: str
) -> None:
    with schema_context(council_a.schema_name):
        agency = AgencyFactory(email_domains=["notyet.example"], approval_state=ApprovalState.APPROVED)
        colleague = practitioner(agency, "Nora", "Notyet")
        agency.approval_state = state
        agency.save(update_fields=["approval_state"])
    response = post_json(as_member, invite_url(team.client.pk), {"practitioner_id": str(colleague.pk)})
    assert response.status_code == 400
    assert _invitations(council_a, team) == []
