"""Malformed input to the client API is a clear 400 with a JSON body, never a server error: JSON nested a
thousand levels deep reaches no endpoint, creates nothing and leaves no audit event claiming success."""

import json
from collections.abc import Callable

import pytest
from django.test import Client as Browser
from django_tenants.utils import schema_context

from core.audit.models import AuditEvent, AuditOutcome
from core.clients.models import Client, Involvement, TeamInvitation
from tenants.models import Council
from tests.conftest import sign_in
from tests.core.clients_api.conftest import Team, end_url, join_url, mine_url, search

pytestmark = pytest.mark.council_side

DEPTH = 1000


def _deep(kind: str) -> str:
    if kind == "array":
        return "[" * DEPTH + "]" * DEPTH
    return '{"surname": ' * DEPTH + '"Hughes"' + "}" * DEPTH


def _state(council: Council) -> tuple:
    with schema_context(council.schema_name):
        return (
            Client.objects.count(),
            sorted(Involvement.objects.values_list("pk", "role", "is_lead", "ended_on", "next_contact_on")),
            TeamInvitation.objects.count(),
            AuditEvent.objects.filter(outcome=AuditOutcome.SUCCESS).count(),
        )


def _member(browser: Browser, council: Council, team: Team) -> str:
    """The member, after a search (adding a client needs one): ready to add, update, end or invite."""
    sign_in(browser, team.member.user, council)
    assert search(browser, surname="Hughes", date_of_birth="2014-06-02").status_code == 200
    return team.member.user.email


def _outsider(browser: Browser, council: Council, team: Team) -> str:
    """The outsider, who just found the client: ready to join."""
    sign_in(browser, team.outsider.user, council)
    assert search(browser, surname="Hughes", date_of_birth="2014-06-02").status_code == 200
    return team.outsider.user.email


ENDPOINTS: list[tuple[str, str, Callable[[object], str], Callable[..., str]]] = [
    ("post", "search", lambda _: "/api/v1/clients/search/", _member),
    ("post", "add", lambda _: "/api/v1/clients/", _member),
    ("post", "join", join_url, _outsider),
    ("patch", "update", mine_url, _member),
    ("post", "end", end_url, _member),
    ("post", "invite", lambda client_id: f"/api/v1/clients/{client_id}/invitations/", _member),
]


@pytest.mark.parametrize("kind", ["array", "object"])
@pytest.mark.parametrize(("method", "name", "url", "ready"), ENDPOINTS, ids=[e[1] for e in ENDPOINTS])
def test_json_nested_a_thousand_deep_is_refused_with_400_and_changes_nothing(
    client_a: Browser,
    council_a: Council,
    team: Team,
    method: str,
    name: str,
    url: Callable[[object], str],
    ready: Callable[..., str],
    kind: str,
) -> None:
    ready(client_a, council_a, team)
    before = _state(council_a)
    send = getattr(client_a, method)
    response = send(url(team.client.pk), _deep(kind), content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "nested deeper" in json.loads(response.content)["detail"]
    assert _state(council_a) == before


def test_json_just_within_the_bound_still_reaches_the_endpoint(as_member: Browser) -> None:
    """The bound refuses depth, not structure: a flat object is validated field by field as before."""
    response = as_member.post(
        "/api/v1/clients/search/", json.dumps({"surname": [[["Hughes"]]]}), content_type="application/json"
    )
    assert response.status_code == 400
    assert "surname" in response.json()


def test_a_body_that_is_not_json_is_refused_with_400(as_member: Browser) -> None:
    for body, content_type in (("{", "application/json"), ("surname=Hughes", "application/x-www-form-urlencoded")):
        response = as_member.post("/api/v1/clients/search/", body, content_type=content_type)
        assert response.status_code in (400, 415)
        assert response["Content-Type"] == "application/json"
        assert "detail" in response.json()
