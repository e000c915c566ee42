"""Every client API endpoint needs a signed-in practitioner who passed both factors (AUTH-1, AZ-1)."""

import json

import pytest
from django.test import Client as Browser
from django_tenants.utils import schema_context

from core.clients.models import Involvement
from tenants.models import Council
from tests.core.clients_api.conftest import Team, care_team_url, end_url, join_url, mine_url, team_url
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.council_side


def _requests(team: Team) -> list[tuple[str, str, dict[str, object]]]:
    client_id = team.client.pk
    return [
        ("post", "/api/v1/clients/search/", {"surname": "Hughes", "date_of_birth": "2014-06-02"}),
        ("get", team_url(client_id), {}),
        ("post", join_url(client_id), {"role": "Youth worker", "reason": "Referred by the school"}),
        ("patch", mine_url(client_id), {"role": "Senior social worker"}),
        ("post", end_url(client_id), {}),
        ("get", care_team_url(client_id), {}),
    ]


def _call(browser: Browser, method: str, path: str, data: dict[str, object]):
    if method == "get":
        return browser.get(path)
    return getattr(browser, method)(path, json.dumps(data), content_type="application/json")


def test_anonymous_requests_are_refused_with_403_and_no_data(client_a: Browser, team: Team) -> None:
    for method, path, data in _requests(team):
        response = _call(client_a, method, path, data)
        assert response.status_code == 403, f"{method.upper()} {path}"
        assert "Hughes" not in response.content.decode()


def test_password_only_sessions_are_refused_with_403(client_a: Browser, council_a: Council, team: Team) -> None:
    step = client_a.post("/sign-in/", {"email": team.member.user.email, "password": TEST_PASSWORD})
    assert step.status_code == 302  # on to the second factor, which never comes
    for method, path, data in _requests(team):
        response = _call(client_a, method, path, data)
        assert response.status_code == 403, f"{method.upper()} {path}"
        assert "Hughes" not in response.content.decode()
    with schema_context(council_a.schema_name):
        involvement = Involvement.objects.get(pk=team.member_involvement.pk)
        assert (involvement.role, involvement.ended_on) == ("Social worker", None)
