"""The token endpoint: client credentials only, for a client that is neither revoked nor of a suspended agency;
every answer audited as the client. Rotation and revocation end the old secret and every token at once."""

import pytest
from django.test import Client as Browser
from django_tenants.utils import schema_context
from oauth2_provider.models import AccessToken

from core.api_clients.models import ApiClient
from core.api_clients.services import api_client_revoke, api_client_rotate
from core.audit.models import ActorType, AuditAction, AuditEvent, AuditOutcome
from core.audit.origin import NO_ORIGIN
from core.directory.models import ApprovalState
from tenants.models import Council
from tests.conftest import host_of
from tests.core.api_clients.conftest import (
    TOKEN_URL,
    Team,
    administrator_of,
    call,
    client_made,
    token_of,
    token_request,
)
from tests.core.clients_api.conftest import team_url

pytestmark = pytest.mark.council_side


def _refusals(council: Council, api_client_id: object) -> list[AuditEvent]:
    with schema_context(council.schema_name):
        return list(
            AuditEvent.objects.filter(
                action=AuditAction.API_TOKEN_REFUSED, actor_id=api_client_id, actor_type=ActorType.API_CLIENT
            )
        )


def test_a_good_client_is_given_a_token_with_its_scopes_and_it_is_audited(
    system_a: Browser, council_a: Council, team: Team
) -> None:
    issued = client_made(council_a, team.children)
    response = token_request(system_a, issued.client_id, issued.client_secret)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert set(body["scope"].split()) == {"teams:read", "involvements:write"}
    with schema_context(council_a.schema_name):
        issued_event = AuditEvent.objects.get(action=AuditAction.API_TOKEN_ISSUED)
        assert issued_event.actor_id == issued.api_client.pk
        assert issued_event.actor_type == ActorType.API_CLIENT
        assert issued.client_secret not in ApiClient.objects.get().application.client_secret  # only a hash kept


def test_the_access_token_is_kept_only_as_a_hash(system_a: Browser, council_a: Council, team: Team) -> None:
    issued = client_made(council_a, team.children)
    token = token_request(system_a, issued.client_id, issued.client_secret).json()["access_token"]
    with schema_context(council_a.schema_name):
        stored = AccessToken.objects.get()
        assert token not in (stored.token, stored.token_checksum)  # a copy of the database holds no working token
    assert call(system_a, "get", team_url(team.client.pk), token=token, practitioner=team.member).status_code == 200


def test_a_client_cannot_ask_for_a_scope_it_was_not_given(system_a: Browser, council_a: Council, team: Team) -> None:
    issued = client_made(council_a, team.children, scopes=["teams:read"])
    response = token_request(system_a, issued.client_id, issued.client_secret, scope="involvements:write")
    assert response.status_code == 400
    with schema_context(council_a.schema_name):
        assert not AccessToken.objects.exists()


def test_a_wrong_secret_is_refused_and_audited(system_a: Browser, council_a: Council, team: Team) -> None:
    issued = client_made(council_a, team.children)
    response = token_request(system_a, issued.client_id, "not-the-secret")
    assert response.status_code == 401
    assert "access_token" not in response.json()
    assert len(_refusals(council_a, issued.api_client.pk)) == 1
    with schema_context(council_a.schema_name):
        assert not AccessToken.objects.exists()


def test_other_grant_types_are_refused(system_a: Browser, council_a: Council, team: Team) -> None:
    issued = client_made(council_a, team.children)
    response = token_request(system_a, issued.client_id, issued.client_secret, grant_type="password")
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_a_revoked_client_is_refused_and_its_existing_token_stops_working(
    system_a: Browser, council_a: Council, team: Team
) -> None:
    issued = client_made(council_a, team.children)
    token = token_of(system_a, issued)
    assert call(system_a, "get", team_url(team.client.pk), token=token, practitioner=team.member).status_code == 200
    admin = administrator_of(council_a, team.children, "Bea")
    with schema_context(council_a.schema_name):
        api_client_revoke(actor=admin, api_client=issued.api_client, origin=NO_ORIGIN)
        assert not AccessToken.objects.exists()
    response = call(system_a, "get", team_url(team.client.pk), token=token, practitioner=team.member)
    assert response.status_code == 401
    assert token_request(system_a, issued.client_id, issued.client_secret).status_code == 401
    assert [event.reason for event in _refusals(council_a, issued.api_client.pk)] == ["the API client is revoked"]


def test_a_suspended_agency_s_client_is_refused_a_token_and_its_token_stops_working(
    system_a: Browser, council_a: Council, team: Team
) -> None:
    issued = client_made(council_a, team.children)
    token = token_of(system_a, issued)
    with schema_context(council_a.schema_name):
        team.children.approval_state = ApprovalState.SUSPENDED
        team.children.save()
    assert token_request(system_a, issued.client_id, issued.client_secret).status_code == 401
    assert call(system_a, "get", team_url(team.client.pk), token=token, practitioner=team.member).status_code == 401
    refusals = _refusals(council_a, issued.api_client.pk)
    assert [event.outcome for event in refusals] == [AuditOutcome.DENIED]
    assert refusals[0].reason == "the API client's agency is not approved"


def test_after_rotation_the_old_secret_and_its_tokens_are_refused_and_the_new_one_works(
    system_a: Browser, council_a: Council, team: Team
) -> None:
    issued = client_made(council_a, team.children)
    old_token = token_of(system_a, issued)
    admin = administrator_of(council_a, team.children, "Bea")
    with schema_context(council_a.schema_name):
        rotated = api_client_rotate(actor=admin, api_client=issued.api_client, origin=NO_ORIGIN)
    assert rotated.client_id == issued.client_id
    assert rotated.client_secret != issued.client_secret
    assert token_request(system_a, issued.client_id, issued.client_secret).status_code == 401
    assert call(system_a, "get", team_url(team.client.pk), token=old_token, practitioner=team.member).status_code == 401
    new_token = token_of(system_a, rotated)
    assert call(system_a, "get", team_url(team.client.pk), token=new_token, practitioner=team.member).status_code == 200


def test_a_token_from_council_a_is_refused_at_council_b(
    system_a: Browser, council_a: Council, council_b: Council, team: Team
) -> None:
    issued = client_made(council_a, team.children)
    token = token_of(system_a, issued)
    at_b = Browser(HTTP_HOST=host_of(council_b))
    response = call(at_b, "get", team_url(team.client.pk), token=token, practitioner=team.member)
    assert response.status_code == 401
    # Nor do council A's credentials get a token at council B.
    assert token_request(at_b, issued.client_id, issued.client_secret).status_code == 401
    with schema_context(council_b.schema_name):
        assert not AccessToken.objects.exists()


def test_the_token_endpoint_answers_only_post(system_a: Browser, team: Team) -> None:
    assert system_a.get(TOKEN_URL).status_code == 405
