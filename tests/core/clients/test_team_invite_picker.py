"""Inviting a registered colleague in a large council: search first, then choose among a few.

The page never lists the council's practitioners: it asks for a name, a work email or an agency, and
offers at most 20 of the colleagues who may be invited (verified, active, not in the team; a
sensitive agency's staff only to their own agency).
"""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from core.clients.models import TeamInvitation
from core.directory.models import Agency
from tenants.models import Council
from tests.core.clients.conftest import Team, practitioner, text_of
from tests.factories import AgencyFactory

pytestmark = pytest.mark.council_side

OFFERED = re.compile(r'<label class="govuk-label govuk-radios__label" for="[^"]+">([^<]+) — ')


def picker(browser: Browser, team: Team, query: str | None = None) -> str:
    path = f"/clients/{team.client.pk}/invite/"
    response = browser.get(path, {"q": query} if query is not None else {})
    assert response.status_code == 200
    return text_of(response)


def offered(page: str) -> list[str]:
    return OFFERED.findall(page)


def add_colleagues(council: Council, agency: Agency, count: int, *, start: int = 0) -> None:
    with schema_context(council.schema_name):
        for number in range(start, start + count):
            practitioner(agency, "Bulk", f"Colleague{number:03d}")


def test_without_a_search_nobody_is_listed(team: Team, browser_as: object) -> None:
    page = picker(browser_as(team.member), team)  # type: ignore[operator]
    assert offered(page) == []
    assert 'type="radio"' not in page
    assert "Otto" not in page
    assert '<label class="govuk-label" for="id_q">Find a registered colleague</label>' in page


def test_a_search_by_name_email_or_agency_offers_only_those_who_may_be_invited(team: Team, browser_as: object) -> None:
    browser = browser_as(team.member)  # type: ignore[operator]
    assert offered(picker(browser, team, "otto")) == ["Otto Outsider"]
    assert offered(picker(browser, team, "otto.outsider@children")) == ["Otto Outsider"]
    assert offered(picker(browser, team, "Children's Services")) == ["Otto Outsider"]  # not Maya herself
    assert offered(picker(browser, team, "Nia")) == []  # already in the team
    page = picker(browser, team, "Petra")  # a sensitive agency's worker, searched for by an outsider
    assert offered(page) == []
    assert "No colleague you can invite matches" in page
    assert offered(picker(browser, team, "recovery.example")) == []


def test_a_sensitive_agency_finds_its_own_colleagues(team: Team, browser_as: object) -> None:
    assert offered(picker(browser_as(team.recovery_worker), team, "Peer")) == ["Petra Peer"]  # type: ignore[operator]


def test_unverified_and_deactivated_colleagues_are_never_offered(
    council_a: Council, team: Team, browser_as: object
) -> None:
    with schema_context(council_a.schema_name):
        practitioner(team.children, "Una", "Unverified", verified_at=None)
        gone = practitioner(team.children, "Dee", "Deactivated")
        gone.user.is_active = False
        gone.user.save(update_fields=["is_active"])
    browser = browser_as(team.member)  # type: ignore[operator]
    assert offered(picker(browser, team, "Unverified")) == []
    assert offered(picker(browser, team, "Deactivated")) == []


def test_a_broad_search_offers_20_and_asks_to_narrow_it(council_a: Council, team: Team, browser_as: object) -> None:
    add_colleagues(council_a, team.children, 25)
    page = picker(browser_as(team.member), team, "bulk")  # type: ignore[operator]
    assert len(offered(page)) == 20
    assert "More than 20 colleagues match" in page


def test_the_picker_costs_the_same_queries_at_any_size(council_a: Council, team: Team, browser_as: object) -> None:
    browser = browser_as(team.member)  # type: ignore[operator]
    add_colleagues(council_a, team.children, 5)
    with CaptureQueriesContext(connection) as small:
        picker(browser, team, "bulk")
    add_colleagues(council_a, team.children, 60, start=5)
    with CaptureQueriesContext(connection) as large:
        page = picker(browser, team, "bulk")
    assert len(offered(page)) == 20
    assert len(large.captured_queries) == len(small.captured_queries)


def test_inviting_a_colleague_found_by_a_search_emails_them(
    council_a: Council, team: Team, browser_as: object, django_capture_on_commit_callbacks: object
) -> None:
    browser = browser_as(team.member)  # type: ignore[operator]
    page = picker(browser, team, "outsider")
    [value] = re.findall(r'type="radio" value="([0-9a-f-]+)"', page)
    assert value == str(team.outsider.pk)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = browser.post(f"/clients/{team.client.pk}/invite/", {"q": "outsider", "colleague": value})
    assert response.status_code == 302
    with schema_context(council_a.schema_name):
        assert TeamInvitation.objects.get(client=team.client).invitee_id == team.outsider.pk
    assert [message.to for message in mail.outbox] == [[team.outsider.user.email]]


def test_choosing_someone_the_search_could_not_offer_is_refused(
    council_a: Council, team: Team, browser_as: object
) -> None:
    """A tampered form: a sensitive agency's worker, chosen by someone outside it."""
    browser = browser_as(team.member)  # type: ignore[operator]
    response = browser.post(
        f"/clients/{team.client.pk}/invite/", {"q": "Petra", "colleague": str(team.recovery_colleague.pk)}
    )
    page = text_of(response)
    assert response.status_code == 200
    assert "<title>Error: Invite a colleague" in page
    assert '<a href="#id_colleague_0">Choose a colleague who can be invited to this team</a>' in page
    assert 'id="id_colleague_0"' in page  # where the error summary leads
    assert "Petra Peer" not in page  # the search term is kept, never her name or agency
    assert "Alpha Recovery" not in page
    with schema_context(council_a.schema_name):
        assert not TeamInvitation.objects.exists()


def test_another_agency_is_found_by_its_name(council_a: Council, team: Team, browser_as: object) -> None:
    with schema_context(council_a.schema_name):
        youth = AgencyFactory(name="Alpha Youth Offending Team", email_domains=["youth.example"])
        practitioner(youth, "Yan", "Youth")
    assert offered(picker(browser_as(team.member), team, "youth offending")) == ["Yan Youth"]  # type: ignore[operator]
