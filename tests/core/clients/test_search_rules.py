"""A search is held to the council's rules, read once per search: the minimum criteria (strict: an
identifier, or surname, first name and date of birth), the result cap (never above 20) and the searches a
practitioner may make in any hour (on top of the burst limit). The page and the API alike."""

import datetime
import json
import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.audit.origin import NO_ORIGIN
from core.clients.recorded import SearchRateExceeded, client_search_recorded, search_hour_keys, search_rate_key
from core.clients.selectors import SearchCriteria, SearchCriteriaError
from core.governance.rules import Rules, SearchMinimum
from tenants.models import Council
from tests.core.clients.conftest import Team, search, text_of
from tests.core.governance.rulebook import council_rules_in_force
from tests.factories import ClientFactory

pytestmark = pytest.mark.council_side

BORN = datetime.date(2014, 6, 2)  # Jade Hughes's


def _searches(council: Council, practitioner: object, outcome: str) -> list[AuditEvent]:
    with schema_context(council.schema_name):
        return list(
            AuditEvent.objects.filter(
                action=AuditAction.CLIENT_SEARCH,
                actor_id=practitioner.user.pk,  # type: ignore[attr-defined]
                outcome=outcome,
            )
        )


def test_a_strict_minimum_refuses_a_surname_and_date_of_birth_and_says_what_is_needed(
    council_a: Council, team: Team, browser_as: object
) -> None:
    council_rules_in_force(council_a, Rules(search_minimum=SearchMinimum.STRICT))
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    refused = text_of(search(browser, surname="Hughes", dob="2/6/2014"))
    assert "Enter a surname, first name and date of birth, or an identifier" in refused
    assert "Jade" not in refused
    refused = text_of(search(browser, surname="Hughes", first_name="Jade", postcode="WS13 6YY"))
    assert "Enter a surname, first name and date of birth" in refused
    assert _searches(council_a, team.member, AuditOutcome.SUCCESS) == []
    found = text_of(search(browser, surname="Hughes", first_name="Jade", dob="2/6/2014"))
    assert "Jade" in found
    assert len(_searches(council_a, team.member, AuditOutcome.SUCCESS)) == 1
    assert "Jade" in text_of(search(browser, identifier="943 476 5919"))


def test_the_standard_minimum_is_the_default(council_a: Council, team: Team, browser_as: object) -> None:
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    assert "Jade" in text_of(search(browser, surname="Hughes", dob="2/6/2014"))


def test_the_council_caps_the_results_lower_than_twenty(council_a: Council, team: Team, browser_as: object) -> None:
    with schema_context(council_a.schema_name):
        for first_name in ("Amy", "Ben", "Cal"):
            ClientFactory(first_name=first_name, surname="Smith", date_of_birth=datetime.date(2015, 3, 14))
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    assert "Amy" in text_of(search(browser, surname="Smith", dob="14/3/2015"))
    council_rules_in_force(council_a, Rules(result_cap=2))
    capped = text_of(search(browser, surname="Smith", dob="14/3/2015"))
    assert "Too many results" in capped
    assert "Amy" not in capped
    assert "Ben" not in capped
    council_rules_in_force(council_a, Rules(result_cap=3))
    assert "Cal" in text_of(search(browser, surname="Smith", dob="14/3/2015"))


def test_the_hourly_limit_refuses_the_next_search_and_records_the_refusal(
    council_a: Council, team: Team, browser_as: object
) -> None:
    council_rules_in_force(council_a, Rules(searches_per_hour=10))
    with schema_context(council_a.schema_name):
        for _ in range(10):
            client_search_recorded(
                viewer=team.member, criteria=SearchCriteria(surname="Hughes", date_of_birth=BORN), origin=NO_ORIGIN
            )
            cache.delete(search_rate_key(team.member))  # not a burst: only the hour counts
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    response = search(browser, surname="Hughes", dob="2/6/2014")
    assert response.status_code == 429
    assert "Jade" not in text_of(response)
    [denied] = _searches(council_a, team.member, AuditOutcome.DENIED)
    assert denied.reason == "hourly limit reached (10)"
    assert len(_searches(council_a, team.member, AuditOutcome.SUCCESS)) == 10
    with schema_context(council_a.schema_name):  # another practitioner has their own hour
        assert client_search_recorded(
            viewer=team.nurse, criteria=SearchCriteria(surname="Hughes", date_of_birth=BORN), origin=NO_ORIGIN
        ).hits


def test_only_the_last_sixty_minutes_count(council_a: Council, team: Team) -> None:
    council_rules_in_force(council_a, Rules(searches_per_hour=10))
    criteria = SearchCriteria(surname="Hughes", date_of_birth=BORN)
    with schema_context(council_a.schema_name):
        now = time.time()
        cache.set(search_hour_keys(team.member, now=now - 3600)[0], 50, timeout=3600)  # an hour ago: out of the hour
        cache.set(search_hour_keys(team.member, now=now)[-2], 9, timeout=3600)  # 58 minutes ago: in it
        assert client_search_recorded(viewer=team.member, criteria=criteria, origin=NO_ORIGIN).hits  # the tenth
        cache.delete(search_rate_key(team.member))
        with pytest.raises(SearchRateExceeded) as refused:
            client_search_recorded(viewer=team.member, criteria=criteria, origin=NO_ORIGIN)
    assert refused.value.hourly


def test_the_rules_are_read_once_per_search(council_a: Council, team: Team) -> None:
    council_rules_in_force(council_a, Rules(result_cap=5))
    with schema_context(council_a.schema_name), CaptureQueriesContext(connection) as queries:
        client_search_recorded(
            viewer=team.member, criteria=SearchCriteria(surname="Hughes", date_of_birth=BORN), origin=NO_ORIGIN
        )
    reads = [query for query in queries.captured_queries if "governance_rulebookversion" in query["sql"]]
    assert len(reads) == 1


def test_the_criteria_keep_the_rules_they_were_checked_against(council_a: Council) -> None:
    criteria = SearchCriteria(surname="Hughes", date_of_birth=BORN)
    with schema_context(council_a.schema_name):
        with pytest.raises(SearchCriteriaError):
            criteria.check(Rules(search_minimum=SearchMinimum.STRICT))
        assert criteria.rules.search_minimum == SearchMinimum.STRICT


def test_the_api_search_is_held_to_the_same_rules(council_a: Council, team: Team, browser_as: object) -> None:
    council_rules_in_force(council_a, Rules(search_minimum=SearchMinimum.STRICT, searches_per_hour=10))
    browser: Browser = browser_as(team.member)  # type: ignore[operator]

    def api(**criteria: str) -> object:
        return browser.post("/api/v1/clients/search/", json.dumps(criteria), content_type="application/json")

    refused = api(surname="Hughes", date_of_birth="2014-06-02")
    assert refused.status_code == 400
    assert "Enter a surname, first name and date of birth" in refused.content.decode()
    found = api(surname="Hughes", first_name="Jade", date_of_birth="2014-06-02")
    assert found.status_code == 200
    assert [hit["first_name"] for hit in found.json()["results"]] == ["Jade"]
    for _ in range(9):
        cache.delete(search_rate_key(team.member))
        assert api(surname="Hughes", first_name="Jade", date_of_birth="2014-06-02").status_code == 200
    cache.delete(search_rate_key(team.member))
    assert api(surname="Hughes", first_name="Jade", date_of_birth="2014-06-02").status_code == 429


def test_the_page_says_which_limit_was_reached(council_a: Council, team: Team, browser_as: object) -> None:
    council_rules_in_force(council_a, Rules(searches_per_hour=10))
    with schema_context(council_a.schema_name):
        cache.set(search_hour_keys(team.member, now=time.time())[1], 10, timeout=3600)
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    page = text_of(search(browser, surname="Hughes", dob="2/6/2014"))
    assert "your council limits how many searches one person can make in an hour" in page
    assert "Wait 5 minutes" not in page
