"""Correct a client's details (a member of the team): checked as adding is, old and new values only in the audit."""

import datetime
import logging

import pytest
from django.core import mail
from django.test import Client as Browser
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.clients.models import Client, TeamActivity
from tenants.models import Council
from tests.core.clients.conftest import Team, text_of

pytestmark = pytest.mark.council_side


def _form(**overrides: str) -> dict[str, str]:
    data = {
        "first_name": "Jade",
        "surname": "Hughes",
        "date_of_birth_day": "2",
        "date_of_birth_month": "6",
        "date_of_birth_year": "2014",
        "address_line": "",
        "town": "",
        "postcode": "WS13 6YY",
        "nhs_number": "9434765919",
        "unique_pupil_number": "",
        "local_case_id": "",
    }
    return data | overrides


def _client(council: Council, team: Team) -> Client:
    with schema_context(council.schema_name):
        return Client.objects.get(pk=team.client.pk)


def _corrections(council: Council) -> list[AuditEvent]:
    with schema_context(council.schema_name):
        return list(AuditEvent.objects.filter(action=AuditAction.CLIENT_CORRECTED))


def test_the_team_page_links_to_correct_details(team: Team, browser_as: object) -> None:
    page = text_of(browser_as(team.member).get(f"/clients/{team.client.pk}/"))  # type: ignore[operator]
    assert f'href="/clients/{team.client.pk}/correct/">Correct details' in page


def test_the_correction_page_shows_the_current_details(team: Team, browser_as: object) -> None:
    page = text_of(browser_as(team.nurse).get(f"/clients/{team.client.pk}/correct/"))  # type: ignore[operator]
    assert '<h1 class="govuk-heading-l">Correct details</h1>' in page
    assert 'value="Hughes"' in page
    assert 'value="WS13 6YY"' in page


def test_a_member_corrects_details_and_one_audit_row_holds_the_old_and_new_values(
    council_a: Council,
    team: Team,
    browser_as: object,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: object,
) -> None:
    browser: Browser = browser_as(team.nurse)  # type: ignore[operator]
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = browser.post(
            f"/clients/{team.client.pk}/correct/",
            _form(surname="Hughes-Okafor", postcode="ws136yz", address_line="4 Dimbles Lane"),
        )
    assert response.status_code == 302
    assert response.url == f"/clients/{team.client.pk}/"
    client = _client(council_a, team)
    assert (client.surname, client.postcode, client.address_line) == ("Hughes-Okafor", "WS13 6YZ", "4 Dimbles Lane")
    [event] = _corrections(council_a)
    assert event.outcome == AuditOutcome.SUCCESS
    assert event.actor_id == team.nurse.user.pk
    assert event.object_id == str(team.client.pk)
    assert event.changes == {
        "surname": {"old": "Hughes", "new": "Hughes-Okafor"},
        "postcode": {"old": "WS13 6YY", "new": "WS13 6YZ"},
        "address_line": {"old": "", "new": "4 Dimbles Lane"},
    }
    assert "Hughes" not in event.reason
    with schema_context(council_a.schema_name):
        [activity] = TeamActivity.objects.filter(client=team.client, kind=TeamActivity.Kind.CORRECTED)
    assert activity.actor_id == team.nurse.pk
    # The values are personal data: in the audit table only, never in logs or emails.
    assert "Okafor" not in caplog.text
    assert "Dimbles" not in caplog.text
    assert all("Okafor" not in message.body for message in mail.outbox)
    browser.post("/sign-out/")
    home = text_of(browser_as(team.member).get("/"))  # type: ignore[operator]
    assert "Nia Nurse (Alpha Primary School) corrected the client&#x27;s details" in home


def test_saving_without_a_change_records_nothing(council_a: Council, team: Team, browser_as: object) -> None:
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    response = browser.post(f"/clients/{team.client.pk}/correct/", _form())
    assert response.status_code == 302
    assert _corrections(council_a) == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"postcode": "WS13 6YY 9"}, "Enter a real postcode, like WS13 6YY"),
        ({"date_of_birth_year": "2099"}, "Date of birth must be today or in the past"),
        ({"date_of_birth_year": "1890"}, "Date of birth must be within the last 120 years"),
        ({"surname": " "}, "Enter their surname"),
        ({"nhs_number": "12345"}, "Enter an NHS number of 10 digits"),
        ({"unique_pupil_number": "X1"}, "Enter a Unique Pupil Number of 13 characters"),
    ],
)
def test_a_correction_is_checked_as_adding_is(
    council_a: Council, team: Team, browser_as: object, overrides: dict[str, str], message: str
) -> None:
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    response = browser.post(f"/clients/{team.client.pk}/correct/", _form(**overrides))
    assert response.status_code == 200
    page = text_of(response)
    assert "There is a problem" in page
    assert message in page
    assert _client(council_a, team).postcode == "WS13 6YY"
    assert _client(council_a, team).date_of_birth == datetime.date(2014, 6, 2)
    assert _corrections(council_a) == []


@pytest.mark.parametrize("method", ["get", "post"])
def test_someone_outside_the_team_gets_not_found_and_the_attempt_is_recorded(
    council_a: Council, team: Team, browser_as: object, method: str
) -> None:
    browser: Browser = browser_as(team.outsider)  # type: ignore[operator]
    response = getattr(browser, method)(f"/clients/{team.client.pk}/correct/", _form(surname="Changed"))
    assert response.status_code == 404
    assert _client(council_a, team).surname == "Hughes"
    with schema_context(council_a.schema_name):
        assert AuditEvent.objects.filter(
            action=AuditAction.ACCESS_DENIED,
            outcome=AuditOutcome.DENIED,
            actor_id=team.outsider.user.pk,
            object_id=str(team.client.pk),
        ).exists()
    assert _corrections(council_a) == []
