"""An API client calls the API for one practitioner of its own agency: it sees and changes exactly what that
practitioner could, within its scopes and rate, and the audit trail names the client (and for whom it acted)."""

import pytest
from django.test import Client as Browser
from django.test import override_settings
from django_tenants.utils import schema_context
from drf_spectacular.generators import SchemaGenerator

from core.api_clients.models import ApiClient
from core.audit.models import ActorType, AuditAction, AuditEvent, AuditOutcome
from core.clients.models import Involvement
from core.directory.models import Practitioner
from tenants.models import Council
from tests.conftest import sign_in
from tests.core.api_clients.conftest import Team, call, client_made, token_of
from tests.core.clients_api.conftest import end_url, join_url, mine_url, team_url

pytestmark = pytest.mark.council_side

JOIN = {"role": "Youth worker", "reason": "Referred by the school for mentoring"}
SEARCH = "/api/v1/clients/search/"
JADE = {"surname": "Hughes", "date_of_birth": "2014-06-02"}


def _involvements(council: Council, team: Team, who: Practitioner) -> list[Involvement]:
    with schema_context(council.schema_name):
        return list(Involvement.objects.filter(client=team.client, practitioner=who).order_by("started_on"))


def _events(council: Council, **filters: object) -> list[AuditEvent]:
    with schema_context(council.schema_name):
        return list(AuditEvent.objects.filter(**filters).order_by("occurred_at"))


@pytest.fixture
def token(system_a: Browser, council_a: Council, team: Team) -> str:
    """A token of Children's Services' case system, with both scopes."""
    return token_of(system_a, client_made(council_a, team.children))


def test_the_client_sees_the_team_exactly_as_its_practitioner_does(
    system_a: Browser, client_a: Browser, council_a: Council, team: Team, token: str
) -> None:
    as_client = call(system_a, "get", team_url(team.client.pk), token=token, practitioner=team.member)
    assert as_client.status_code == 200
    sign_in(client_a, team.member.user, council_a)
    as_person = client_a.get(team_url(team.client.pk))
    assert as_client.json() == as_person.json()
    # The sensitive service is the placeholder the member sees, nothing more.
    kinds = [member["kind"] for member in as_client.json()["current"]]
    assert kinds.count("confidential_service") == 1
    assert "Rory" not in as_client.content.decode()


def test_a_team_its_practitioner_is_not_in_is_404_and_audited_as_the_client(
    system_a: Browser, council_a: Council, team: Team, token: str
) -> None:
    response = call(system_a, "get", team_url(team.client.pk), token=token, practitioner=team.outsider)
    assert response.status_code == 404
    [denied] = _events(council_a, outcome=AuditOutcome.DENIED, object_id=str(team.client.pk))
    assert denied.actor_type == ActorType.API_CLIENT
    assert str(team.outsider.pk) in denied.reason


def test_a_practitioner_of_another_agency_is_refused_and_nothing_changes(
    system_a: Browser, council_a: Council, team: Team, token: str
) -> None:
    """The nurse is in the team, but works for the school: Children's Services' system cannot act for her."""
    before = _involvements(council_a, team, team.nurse)
    response = call(system_a, "post", end_url(team.client.pk), token=token, practitioner=team.nurse)
    assert response.status_code == 403
    assert "Patchwork-Practitioner" in response.json()["detail"]
    assert _involvements(council_a, team, team.nurse) == before
    assert before[0].ended_on is None
    assert call(system_a, "get", team_url(team.client.pk), token=token, practitioner=team.nurse).status_code == 403


def test_without_the_practitioner_header_or_with_an_inactive_one_it_is_refused(
    system_a: Browser, council_a: Council, team: Team, token: str
) -> None:
    assert call(system_a, "get", team_url(team.client.pk), token=token, practitioner=None).status_code == 403
    with schema_context(council_a.schema_name):
        team.member.user.is_active = False
        team.member.user.save()
    assert call(system_a, "get", team_url(team.client.pk), token=token, practitioner=team.member).status_code == 403


def test_the_client_joins_a_team_for_its_practitioner_after_finding_the_client_audited_as_the_client(
    system_a: Browser, council_a: Council, team: Team, token: str
) -> None:
    # Not without a search hit, as for a person.
    refused = call(system_a, "post", join_url(team.client.pk), token=token, practitioner=team.outsider, data=JOIN)
    assert refused.status_code == 404
    assert _involvements(council_a, team, team.outsider) == []
    found = call(system_a, "post", SEARCH, token=token, practitioner=team.outsider, data=JADE)
    assert found.status_code == 200
    assert [hit["id"] for hit in found.json()["results"]] == [str(team.client.pk)]
    joined = call(system_a, "post", join_url(team.client.pk), token=token, practitioner=team.outsider, data=JOIN)
    assert joined.status_code == 201, joined.content
    [involvement] = _involvements(council_a, team, team.outsider)
    assert involvement.role == "Youth worker"
    [started] = _events(council_a, action=AuditAction.INVOLVEMENT_STARTED)
    assert started.actor_type == ActorType.API_CLIENT
    assert started.actor_id != team.outsider.user.pk
    assert str(team.outsider.pk) in started.reason
    # No audit row of this request names the practitioner as if they had acted themselves.
    assert not _events(council_a, actor_id=team.outsider.user.pk)


def test_the_client_updates_and_ends_its_practitioner_s_own_involvement(
    system_a: Browser, council_a: Council, team: Team, token: str
) -> None:
    updated = call(
        system_a, "patch", mine_url(team.client.pk), token=token, practitioner=team.member, data={"role": "Lead SW"}
    )
    assert updated.status_code == 200
    ended = call(system_a, "post", end_url(team.client.pk), token=token, practitioner=team.member)
    assert ended.status_code == 200
    [involvement] = _involvements(council_a, team, team.member)
    assert involvement.role == "Lead SW"
    assert involvement.ended_on is not None


def test_teams_read_alone_cannot_start_update_or_end_an_involvement(
    system_a: Browser, council_a: Council, team: Team
) -> None:
    reader = token_of(system_a, client_made(council_a, team.children, scopes=["teams:read"]))
    call(system_a, "post", SEARCH, token=reader, practitioner=team.outsider, data=JADE)
    for method, url in (("post", join_url), ("patch", mine_url), ("post", end_url)):
        response = call(system_a, method, url(team.client.pk), token=reader, practitioner=team.member, data=JOIN)
        assert response.status_code == 403
        assert response.json()["detail"] == "This needs the involvements:write scope."
    assert _involvements(council_a, team, team.outsider) == []
    assert _involvements(council_a, team, team.member)[0].ended_on is None


def test_routes_not_open_to_api_clients_are_refused(
    system_a: Browser, council_a: Council, team: Team, token: str
) -> None:
    new_client = {"first_name": "Sam", "surname": "Smith", "date_of_birth": "2015-01-01", "postcode": "WS13 6YY"}
    refused = [
        call(system_a, "post", "/api/v1/clients/", token=token, practitioner=team.member, data=new_client),
        call(system_a, "get", "/api/v1/me/", token=token, practitioner=team.member),
        call(
            system_a,
            "post",
            f"/api/v1/clients/{team.client.pk}/invitations/",
            token=token,
            practitioner=team.member,
            data={"email": "someone@children.alpha.example"},
        ),
    ]
    assert [response.status_code for response in refused] == [403, 403, 403]
    with schema_context(council_a.schema_name):
        from core.clients.models import Client, TeamInvitation

        assert not Client.objects.filter(surname="Smith").exists()
        assert not TeamInvitation.objects.exists()


def test_a_bearer_token_on_a_page_outside_the_api_is_no_sign_in(system_a: Browser, team: Team, token: str) -> None:
    response = call(system_a, "get", "/", token=token, practitioner=team.member)
    assert response.status_code == 302
    assert response.url.startswith("/sign-in/")


def test_a_made_up_token_is_401(system_a: Browser, team: Team) -> None:
    response = call(system_a, "get", team_url(team.client.pk), token="made-up", practitioner=team.member)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


@override_settings(API_CLIENT_RATE_LIMIT="3/minute")
def test_beyond_the_rate_limit_it_is_429_with_retry_after(system_a: Browser, team: Team, token: str) -> None:
    answers = [call(system_a, "get", team_url(team.client.pk), token=token, practitioner=team.member) for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert int(answers[-1]["Retry-After"]) >= 1


def test_the_schema_documents_the_client_credentials_flow(team: Team) -> None:
    schema = SchemaGenerator(urlconf="config.urls_tenant", api_version="1").get_schema(request=None, public=True)
    scheme = schema["components"]["securitySchemes"]["oauth2"]
    flow = scheme["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == "/api/v1/oauth/token/"
    assert set(flow["scopes"]) == {"teams:read", "involvements:write"}
    assert "Patchwork-Practitioner" in scheme["description"]
    paths = schema["paths"]
    assert {"oauth2": ["teams:read"]} in paths["/api/v1/clients/{client_id}/team/"]["get"]["security"]
    assert {"oauth2": ["involvements:write"]} in paths["/api/v1/clients/{client_id}/involvements/"]["post"]["security"]
    # Not offered where API clients are refused.
    assert all("oauth2" not in option for option in paths["/api/v1/clients/"]["post"]["security"])


def test_the_privacy_officer_s_access_history_names_the_client_and_its_agency(
    system_a: Browser, council_a: Council, team: Team, token: str
) -> None:
    from core.privacy.selectors import access_rows, client_access_events

    call(system_a, "get", team_url(team.client.pk), token=token, practitioner=team.member)
    with schema_context(council_a.schema_name):
        rows = access_rows(client_access_events(client_id=team.client.pk))
    viewed = [row for row in rows if row.event.action == AuditAction.CLIENT_VIEWED]
    assert [row.who_name for row in viewed] == ["API client Case system (Alpha Children's Services)"]
    assert str(team.member.pk) in viewed[0].reason


def test_the_fhir_view_refuses_a_client_in_fhir(system_a: Browser, council_a: Council, team: Team, token: str) -> None:
    from tests.core.clients_api.conftest import care_team_url

    ok = call(system_a, "get", care_team_url(team.client.pk), token=token, practitioner=team.member)
    assert ok.status_code == 200
    assert ok.json()["resourceType"] == "CareTeam"
    refused = call(system_a, "get", care_team_url(team.client.pk), token=token, practitioner=team.nurse)
    assert refused.status_code == 403
    assert refused.json()["resourceType"] == "OperationOutcome"


def test_every_call_is_in_the_audit_as_the_client_once(
    system_a: Browser, council_a: Council, team: Team, token: str
) -> None:
    # A view that records what it did: that row is the client's, and no other is added.
    assert call(system_a, "get", team_url(team.client.pk), token=token, practitioner=team.member).status_code == 200
    [viewed] = _events(council_a, action=AuditAction.CLIENT_VIEWED)
    with schema_context(council_a.schema_name):
        assert (viewed.actor_id, viewed.actor_type) == (ApiClient.objects.get().pk, ActorType.API_CLIENT)
    assert _events(council_a, action=AuditAction.API_CALLED) == []
    # A read that records nothing for a person (the directory's agencies) is still recorded for a client.
    assert call(system_a, "get", "/api/v1/agencies/", token=token, practitioner=team.member).status_code == 200
    [called] = _events(council_a, action=AuditAction.API_CALLED)
    assert called.actor_type == ActorType.API_CLIENT
    assert called.actor_id == viewed.actor_id
    assert called.object_id == "agency-list"
    assert called.reason.startswith("GET answered 200")
    assert str(team.member.pk) in called.reason
