"""Council administration of an agency's API clients: only a council administrator, only this council's
agencies; the secret is shown once, on the page that answers creating or rotating."""

import pytest
from django.test import Client as Browser
from django_tenants.utils import schema_context
from oauth2_provider.models import AccessToken

from core.api_clients.models import ApiClient
from core.audit.models import AuditAction, AuditEvent
from tenants.models import Council
from tests.conftest import sign_in
from tests.core.api_clients.conftest import Team, administrator_of, client_made, token_of, token_request

pytestmark = pytest.mark.council_side


def _list_url(agency_id: object) -> str:
    return f"/administration/agencies/{agency_id}/api-clients/"


@pytest.fixture
def as_administrator(client_a: Browser, council_a: Council, team: Team) -> Browser:
    sign_in(client_a, administrator_of(council_a, team.children).user, council_a)
    return client_a


def test_the_agency_page_links_to_its_api_clients(as_administrator: Browser, team: Team) -> None:
    page = as_administrator.get(f"/administration/agencies/{team.children.pk}/")
    assert _list_url(team.children.pk) in page.content.decode()


def test_creating_shows_the_secret_once_and_it_works(
    as_administrator: Browser, system_a: Browser, council_a: Council, team: Team
) -> None:
    response = as_administrator.post(
        _list_url(team.children.pk), {"name": "Mosaic", "scopes": ["teams:read", "involvements:write"]}
    )
    assert response.status_code == 200
    issued = response.context["issued"]
    page = response.content.decode()
    assert issued.client_secret in page
    assert "This is the only time the secret is shown" in page
    with schema_context(council_a.schema_name):
        api_client = ApiClient.objects.get(name="Mosaic")
        assert api_client.agency == team.children
        assert issued.client_secret not in api_client.application.client_secret
        assert AuditEvent.objects.filter(action=AuditAction.API_CLIENT_CREATED, object_id=str(api_client.pk)).exists()
    listing = as_administrator.get(_list_url(team.children.pk)).content.decode()
    assert "Mosaic" in listing
    assert issued.client_secret not in listing
    assert token_request(system_a, issued.client_id, issued.client_secret).status_code == 200


def test_creating_without_a_name_or_scope_shows_errors_and_creates_nothing(
    as_administrator: Browser, council_a: Council, team: Team
) -> None:
    response = as_administrator.post(_list_url(team.children.pk), {"name": "", "scopes": ["everything"]})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter the name of the system." in page
    with schema_context(council_a.schema_name):
        assert not ApiClient.objects.exists()


def test_rotating_asks_first_then_shows_the_new_secret_once(
    as_administrator: Browser, system_a: Browser, council_a: Council, team: Team
) -> None:
    issued = client_made(council_a, team.children)
    token = token_of(system_a, issued)
    url = f"{_list_url(team.children.pk)}{issued.api_client.pk}/rotate/"
    assert "Are you sure" in as_administrator.get(url).content.decode()
    response = as_administrator.post(url)
    assert response.status_code == 200
    rotated = response.context["issued"]
    assert rotated.client_secret in response.content.decode()
    assert rotated.client_secret != issued.client_secret
    with schema_context(council_a.schema_name):
        assert not AccessToken.objects.filter(token=token).exists()
    assert token_request(system_a, issued.client_id, issued.client_secret).status_code == 401


def test_revoking_asks_first_then_refuses_the_client(
    as_administrator: Browser, system_a: Browser, council_a: Council, team: Team
) -> None:
    issued = client_made(council_a, team.children)
    url = f"{_list_url(team.children.pk)}{issued.api_client.pk}/revoke/"
    assert "Are you sure you want to revoke" in as_administrator.get(url).content.decode()
    response = as_administrator.post(url)
    assert response.status_code == 302
    with schema_context(council_a.schema_name):
        assert ApiClient.objects.get().revoked_at is not None
        assert AuditEvent.objects.filter(action=AuditAction.API_CLIENT_REVOKED).exists()
    assert token_request(system_a, issued.client_id, issued.client_secret).status_code == 401


def test_a_client_of_another_agency_is_404_under_this_one(
    as_administrator: Browser, council_a: Council, team: Team
) -> None:
    issued = client_made(council_a, team.school)
    for action in ("rotate", "revoke"):
        response = as_administrator.post(f"{_list_url(team.children.pk)}{issued.api_client.pk}/{action}/")
        assert response.status_code == 404
    with schema_context(council_a.schema_name):
        api_client = ApiClient.objects.get()
        assert api_client.revoked_at is None
        assert api_client.rotated_at is None


def test_a_practitioner_who_is_not_an_administrator_is_refused_and_nothing_changes(
    client_a: Browser, council_a: Council, team: Team
) -> None:
    issued = client_made(council_a, team.children)
    sign_in(client_a, team.member.user, council_a)
    assert client_a.get(_list_url(team.children.pk)).status_code == 403
    assert client_a.post(_list_url(team.children.pk), {"name": "Mine", "scopes": ["teams:read"]}).status_code == 403
    assert client_a.post(f"{_list_url(team.children.pk)}{issued.api_client.pk}/revoke/").status_code == 403
    with schema_context(council_a.schema_name):
        assert list(ApiClient.objects.values_list("name", "revoked_at")) == [("Case system", None)]
        assert AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED, actor_id=team.member.user.pk).exists()


def test_an_api_client_cannot_manage_api_clients(system_a: Browser, council_a: Council, team: Team) -> None:
    """Its bearer token is no sign-in outside /api/: the administration pages send it to sign in."""
    issued = client_made(council_a, team.children)
    token = token_of(system_a, issued)
    response = system_a.post(
        _list_url(team.children.pk), {"name": "Sneaky", "scopes": ["teams:read"]}, HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 302
    with schema_context(council_a.schema_name):
        assert not ApiClient.objects.filter(name="Sneaky").exists()
