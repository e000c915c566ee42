"""Find a client (journey 2, AZ-3): a POST with minimum criteria, fuzzy names, capped, rate-limited, audited."""

import datetime

import pytest
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.clients.models import ClientAlias
from core.clients.recorded import SEARCHES_PER_WINDOW
from core.clients.search_session import search_hits
from core.clients.selectors import RESULT_CAP
from tenants.models import Council
from tests.core.clients.conftest import Team, search, text_of
from tests.factories import ClientFactory

pytestmark = pytest.mark.council_side

DOB = "14/3/2015"
BORN = datetime.date(2015, 3, 14)


def _searches(council: Council, practitioner: object) -> list[AuditEvent]:
    with schema_context(council.schema_name):
        return list(
            AuditEvent.objects.filter(action=AuditAction.CLIENT_SEARCH, actor_id=practitioner.user.pk)  # type: ignore[attr-defined]
        )


def test_get_with_search_terms_is_refused_and_does_not_search(
    team: Team, browser_as: object, council_a: Council
) -> None:
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    response = browser.get("/clients/search/?surname=Hughes&date_of_birth_day=2&date_of_birth_month=6")
    page = text_of(response)
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "never sent in a web address" in page
    assert '<form method="post" action="/clients/search/"' in page
    assert "Hughes" not in page  # neither searched nor echoed back
    assert _searches(council_a, team.member) == []


def test_surname_alone_is_below_the_minimum_and_nothing_is_searched(
    team: Team, browser_as: object, council_a: Council
) -> None:
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    response = search(browser, surname="Hughes")
    page = text_of(response)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Enter a surname and date of birth, or" in page
    assert "<title>Error: " in page
    assert "Jade" not in page
    assert _searches(council_a, team.member) == []


def test_a_typo_in_the_surname_still_finds_the_client_with_the_date_of_birth(
    council_a: Council, team: Team, browser_as: object
) -> None:
    with schema_context(council_a.schema_name):
        ClientFactory(first_name="Liam", surname="Smith", date_of_birth=BORN, postcode="WS14 9AB")
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    page = text_of(search(browser, surname="Smtih", dob=DOB))
    assert "Liam Smith" in page
    assert "14 March 2015" in page
    assert "WS14" in page
    assert "WS14 9AB" not in page  # the district, never the full postcode


def test_part_of_a_hyphenated_surname_finds_the_client(council_a: Council, team: Team, browser_as: object) -> None:
    with schema_context(council_a.schema_name):
        ClientFactory(first_name="Ella", surname="Taylor-Brown", date_of_birth=BORN)
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    assert "Ella Taylor-Brown" in text_of(search(browser, surname="Brown", dob=DOB))
    assert "Ella Taylor-Brown" in text_of(search(browser, surname="Taylor Brown", dob=DOB))


def test_a_previous_name_finds_the_client(council_a: Council, team: Team, browser_as: object) -> None:
    with schema_context(council_a.schema_name):
        client = ClientFactory(first_name="Mia", surname="Okafor", date_of_birth=BORN)
        ClientAlias.objects.create(client=client, surname="Pemberton", kind=ClientAlias.Kind.PREVIOUS)
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    assert "Mia Okafor" in text_of(search(browser, surname="Pemberton", dob=DOB))


def test_an_identifier_alone_finds_the_client(team: Team, browser_as: object) -> None:
    browser: Browser = browser_as(team.outsider)  # type: ignore[operator]
    assert "Jade Hughes" in text_of(search(browser, identifier="943 476 5919"))


def test_surname_first_name_and_postcode_find_the_client(team: Team, browser_as: object) -> None:
    browser: Browser = browser_as(team.outsider)  # type: ignore[operator]
    assert "Jade Hughes" in text_of(search(browser, surname="Hughes", first_name="Jade", postcode="ws136yy"))


def test_more_than_the_cap_asks_to_refine_and_shows_no_hits(council_a: Council, team: Team, browser_as: object) -> None:
    with schema_context(council_a.schema_name):
        for number in range(RESULT_CAP + 1):
            ClientFactory(first_name=f"Twin{number:02d}", surname="Harrington", date_of_birth=BORN)
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    page = text_of(search(browser, surname="Harrington", dob=DOB))
    assert "Too many results: add more details to narrow your search" in page
    assert "Twin00" not in page
    assert "Add a new client" not in page


def test_a_burst_of_searches_is_refused_with_429(team: Team, browser_as: object, council_a: Council) -> None:
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    for _ in range(SEARCHES_PER_WINDOW):
        assert search(browser, surname="Nobody", dob=DOB).status_code == 200
    refused = search(browser, surname="Hughes", dob="2/6/2014")
    assert refused.status_code == 429
    assert "You have searched too many times" in text_of(refused)
    assert "Jade" not in text_of(refused)
    denied = [event for event in _searches(council_a, team.member) if event.outcome == AuditOutcome.DENIED]
    assert len(denied) == 1


def test_every_search_is_audited_with_who_and_how(team: Team, browser_as: object, council_a: Council) -> None:
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    search(browser, surname="Hughes", dob="2/6/2014")
    search(browser, surname="Nobody", dob=DOB)
    events = _searches(council_a, team.member)
    assert len(events) == 2
    assert {event.outcome for event in events} == {AuditOutcome.SUCCESS}
    assert all(event.reason.startswith("by surname+dob") for event in events)
    assert all(event.path == "/clients/search/" for event in events)
    assert all("Hughes" not in event.reason for event in events)  # no personal data in the trail


def test_every_search_records_the_clients_it_returned(team: Team, browser_as: object, council_a: Council) -> None:
    with schema_context(council_a.schema_name):
        other = ClientFactory(first_name="Jake", surname="Hughes", date_of_birth=datetime.date(2014, 6, 2))
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    search(browser, surname="Hughes", dob="2/6/2014")
    (event,) = _searches(council_a, team.member)
    assert sorted(event.related_ids) == sorted([str(team.client.pk), str(other.pk)])


def test_hits_show_only_identifying_details_never_the_team(team: Team, browser_as: object) -> None:
    browser: Browser = browser_as(team.outsider)  # type: ignore[operator]
    page = text_of(search(browser, surname="Hughes", dob="2/6/2014"))
    assert "Jade Hughes" in page
    assert "2 June 2014" in page
    assert "3 agencies involved" in page
    assert "Join the team" in page
    for secret in ("Maya", "Member", "Nia", "Nurse", "Rory", "Alpha Primary School", "Recovery", "9434765919"):
        assert secret not in page


def test_a_member_is_told_they_are_in_the_team(team: Team, browser_as: object) -> None:
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    page = text_of(search(browser, surname="Hughes", dob="2/6/2014"))
    assert "You are in this team" in page
    assert f'href="/clients/{team.client.pk}/"' in page
    assert "View the team" in page


def test_the_session_remembers_the_last_hits_only(council_a: Council, team: Team, browser_as: object) -> None:
    browser: Browser = browser_as(team.outsider)  # type: ignore[operator]
    search(browser, surname="Hughes", dob="2/6/2014")
    with schema_context(council_a.schema_name):
        assert search_hits(browser.session) == [str(team.client.pk)]
    search(browser, surname="Nobody", dob=DOB)
    with schema_context(council_a.schema_name):
        assert search_hits(browser.session) == []


def test_a_search_does_not_rewrite_the_session(team: Team, browser_as: object) -> None:
    """The hits are kept beside the session (the cache, under its key), so a search writes only its audit row."""
    browser: Browser = browser_as(team.outsider)  # type: ignore[operator]
    search(browser, surname="Nobody", dob=DOB)  # the first search of a session may store it
    with CaptureQueriesContext(connection) as queries:
        search(browser, surname="Hughes", dob="2/6/2014")
    writes = [query["sql"] for query in queries.captured_queries if query["sql"].startswith(("INSERT", "UPDATE"))]
    assert len(writes) == 1
    assert writes[0].startswith('INSERT INTO "audit_auditevent"')


def test_signing_out_leaves_the_last_search_behind(council_a: Council, team: Team, browser_as: object) -> None:
    browser: Browser = browser_as(team.outsider)  # type: ignore[operator]
    search(browser, surname="Hughes", dob="2/6/2014")
    browser.post("/sign-out/")
    with schema_context(council_a.schema_name):
        assert search_hits(browser.session) == []


def test_no_match_offers_to_add_a_new_client(team: Team, browser_as: object) -> None:
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    page = text_of(search(browser, surname="Nobody", dob=DOB))
    assert "No matching clients" in page
    assert 'href="/clients/new/"' in page


def test_an_unverified_practitioner_cannot_search(council_a: Council, team: Team, browser_as: object) -> None:
    with schema_context(council_a.schema_name):
        team.outsider.verified_at = None
        team.outsider.save(update_fields=["verified_at"])
    browser: Browser = browser_as(team.outsider)  # type: ignore[operator]
    assert search(browser, surname="Hughes", dob="2/6/2014").status_code == 403
    assert _searches(council_a, team.outsider) == []


def test_a_postcode_that_is_not_one_is_refused_with_a_message_not_cut(team: Team, browser_as: object) -> None:
    browser: Browser = browser_as(team.outsider)  # type: ignore[operator]
    page = text_of(search(browser, surname="Hughes", first_name="Jade", postcode="WS13 6YY EXTRA"))
    assert "There is a problem" in page
    assert 'href="#id_postcode"' in page
    assert "Enter a real postcode, like WS13 6YY" in page
    assert "Jade Hughes" not in page
    assert 'maxlength="10"' not in page  # a browser would cut what was typed


@pytest.mark.parametrize(
    ("dob", "message"),
    [("1/1/2099", "Date of birth must be today or in the past"), ("1/1/1890", "within the last 120 years")],
)
def test_an_impossible_date_of_birth_is_refused_in_search_as_in_add(
    team: Team, browser_as: object, dob: str, message: str
) -> None:
    browser: Browser = browser_as(team.outsider)  # type: ignore[operator]
    page = text_of(search(browser, surname="Hughes", dob=dob))
    assert "There is a problem" in page
    assert message in page
