"""Searching through the API: minimum criteria, allow-listed input, the cap, the rate limit, the audit
trail, and results that identify a person without revealing their team (AZ-2, AZ-3, AUD-1, DP-4)."""

import datetime

import pytest
from django.test import Client as Browser
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.clients.recorded import SEARCHES_PER_WINDOW
from core.clients.selectors import RESULT_CAP
from tenants.models import Council
from tests.conftest import sign_in
from tests.core.clients_api.conftest import Team, post_json, practitioner, search
from tests.factories import AgencyFactory, ClientFactory

pytestmark = pytest.mark.council_side

SEARCH = "/api/v1/clients/search/"


def _search_events(council: Council, team: Team, outcome: str = AuditOutcome.SUCCESS):
    with schema_context(council.schema_name):
        return list(
            AuditEvent.objects.filter(
                action=AuditAction.CLIENT_SEARCH, actor_id=team.member.user.pk, outcome=outcome
            ).order_by("id")
        )


def test_search_answers_only_what_identifies_the_person(as_member: Browser, team: Team) -> None:
    response = search(as_member, surname="Hughes", date_of_birth="2014-06-02")
    assert response.status_code == 200
    assert response.json() == {
        "too_many": False,
        "results": [
            {
                "id": str(team.client.pk),
                "first_name": "Jade",
                "surname": "Hughes",
                "date_of_birth": "2014-06-02",
                "postcode_district": "WS13",
                "agencies_involved": 3,
                "in_team": True,
            }
        ],
    }
    body = response.content.decode()
    for secret in ("9434765919", "Member", "Nurse", "Recovery", "6YY"):
        assert secret not in body


def test_search_matches_a_misspelt_surname_with_the_date_of_birth(as_outsider: Browser, team: Team) -> None:
    results = search(as_outsider, surname="Hughs", date_of_birth="2014-06-02").json()["results"]
    assert [(hit["id"], hit["in_team"]) for hit in results] == [(str(team.client.pk), False)]


def test_search_by_identifier_finds_the_client(as_outsider: Browser, team: Team) -> None:
    results = search(as_outsider, identifier="943 476 5919").json()["results"]
    assert [hit["id"] for hit in results] == [str(team.client.pk)]


@pytest.mark.parametrize(
    "criteria",
    [
        {"surname": "Hughes"},
        {"date_of_birth": "2014-06-02"},
        {"surname": "Hughes", "first_name": "Jade"},
        {"first_name": "Jade", "postcode": "WS13 6YY"},
        {"surname": "  ", "date_of_birth": "2014-06-02"},
        {},
    ],
)
def test_search_below_the_minimum_is_refused_with_the_reason(
    as_member: Browser, council_a: Council, team: Team, criteria: dict[str, str]
) -> None:
    response = search(as_member, **criteria)
    assert response.status_code == 400
    assert "surname and date of birth" in response.json()["non_field_errors"][0]
    assert _search_events(council_a, team) == []


@pytest.mark.parametrize(
    "extra", [{"council": "beta"}, {"client_id": "00000000-0000-4000-8000-000000000000"}, {"limit": 500}]
)
def test_search_refuses_fields_it_does_not_take(
    as_member: Browser, council_a: Council, team: Team, extra: dict[str, object]
) -> None:
    response = search(as_member, surname="Hughes", date_of_birth="2014-06-02", **extra)
    assert response.status_code == 400
    assert set(response.json()) == set(extra)
    assert _search_events(council_a, team) == []


def test_search_refuses_a_malformed_date_of_birth(as_member: Browser, team: Team) -> None:
    response = search(as_member, surname="Hughes", date_of_birth="02/06/2014")
    assert response.status_code == 400
    assert "date_of_birth" in response.json()


def test_a_practitioner_not_yet_verified_by_their_agency_cannot_search(
    client_a: Browser, council_a: Council, team: Team
) -> None:
    with schema_context(council_a.schema_name):
        newcomer = practitioner(team.children, "Nell", "Newcomer")
        newcomer.verified_at = None
        newcomer.save(update_fields=["verified_at"])
    sign_in(client_a, newcomer.user, council_a)
    response = search(client_a, surname="Hughes", date_of_birth="2014-06-02")
    assert response.status_code == 403
    assert "Hughes" not in response.content.decode()


def test_search_is_a_post_only(as_member: Browser, team: Team) -> None:
    assert as_member.get(SEARCH, {"surname": "Hughes", "date_of_birth": "2014-06-02"}).status_code == 405


def test_search_refuses_form_encoded_bodies(as_member: Browser, team: Team) -> None:
    response = as_member.post(SEARCH, {"surname": "Hughes", "date_of_birth": "2014-06-02"})
    assert response.status_code == 415


def test_more_matches_than_the_cap_answer_refine_without_results(
    as_member: Browser, council_a: Council, team: Team
) -> None:
    with schema_context(council_a.schema_name):
        for _ in range(RESULT_CAP + 1):
            ClientFactory(surname="Smith", date_of_birth=datetime.date(2010, 1, 1))
    response = search(as_member, surname="Smith", date_of_birth="2010-01-01")
    assert response.status_code == 200
    assert response.json() == {"too_many": True, "results": []}


def test_exactly_the_cap_is_answered_in_full(as_member: Browser, council_a: Council, team: Team) -> None:
    with schema_context(council_a.schema_name):
        for _ in range(RESULT_CAP):
            ClientFactory(surname="Jones", date_of_birth=datetime.date(2010, 1, 1))
    body = search(as_member, surname="Jones", date_of_birth="2010-01-01").json()
    assert body["too_many"] is False
    assert len(body["results"]) == RESULT_CAP


def test_every_search_leaves_one_audit_row(as_member: Browser, council_a: Council, team: Team) -> None:
    search(as_member, surname="Hughes", date_of_birth="2014-06-02")
    search(as_member, surname="Nobody", date_of_birth="2001-01-01")
    events = _search_events(council_a, team)
    assert len(events) == 2
    assert events[0].related_ids == [str(team.client.pk)]
    assert events[0].council == council_a.schema_name
    assert events[0].path == SEARCH
    assert "1 results" in events[0].reason
    assert "0 results" in events[1].reason


def test_a_burst_of_searches_is_refused_with_429_and_recorded(
    as_member: Browser, council_a: Council, team: Team
) -> None:
    for _ in range(SEARCHES_PER_WINDOW):
        assert search(as_member, identifier="0000000000").status_code == 200
    response = search(as_member, identifier="943 476 5919")
    assert response.status_code == 429
    assert "Hughes" not in response.content.decode()
    assert len(_search_events(council_a, team, AuditOutcome.DENIED)) == 1
    assert len(_search_events(council_a, team)) == SEARCHES_PER_WINDOW


def test_search_answers_only_the_councils_own_clients(as_member: Browser, council_b: Council, team: Team) -> None:
    with schema_context(council_b.schema_name):
        ClientFactory(first_name="Jade", surname="Hughes", date_of_birth=datetime.date(2014, 6, 2))
    results = post_json(as_member, SEARCH, {"surname": "Hughes", "date_of_birth": "2014-06-02"}).json()["results"]
    assert [hit["id"] for hit in results] == [str(team.client.pk)]


@pytest.mark.parametrize(
    ("criteria", "field"),
    [
        ({"surname": "Hughes", "first_name": "Jade", "postcode": "WS13 6YY EXTRA"}, "postcode"),
        ({"surname": "Hughes", "first_name": "Jade", "postcode": "3121"}, "postcode"),
        ({"surname": "Hughes", "date_of_birth": "2099-01-01"}, "date_of_birth"),
        ({"surname": "Hughes", "date_of_birth": "1890-01-01"}, "date_of_birth"),
    ],
)
def test_search_refuses_an_impossible_postcode_or_date_of_birth(
    as_member: Browser, council_a: Council, team: Team, criteria: dict[str, str], field: str
) -> None:
    response = search(as_member, **criteria)
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert _search_events(council_a, team) == []


def test_a_victorian_council_searches_by_a_victorian_postcode_only(client_b: Browser, council_b: Council) -> None:
    with schema_context(council_b.schema_name):
        worker = practitioner(AgencyFactory(email_domains=["family.beta.example"]), "Vera", "Victoria")
    sign_in(client_b, worker.user, council_b)
    assert search(client_b, surname="Nguyen", first_name="Lachlan", postcode="3121").status_code == 200
    refused = search(client_b, surname="Nguyen", first_name="Lachlan", postcode="2000")
    assert refused.status_code == 400
    assert refused.json() == {"postcode": ["Enter a Victorian postcode: 4 digits, like 3121"]}
