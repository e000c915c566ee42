"""Add a client (journey 3): only after a search, minimal fields, legal basis and consent, duplicate warning."""

import datetime
import re

import pytest
from django.test import Client as Browser
from django_tenants.utils import schema_context

from core.clients.models import Client, Involvement, TeamActivity
from core.governance.models import LegalBasis
from tenants.models import Council
from tests.core.clients.conftest import Team, search, text_of
from tests.factories import ClientFactory

pytestmark = pytest.mark.council_side


def _basis(council: Council, code: str) -> LegalBasis:
    with schema_context(council.schema_name):
        return LegalBasis.objects.get(code=code)


def _form(council: Council, **overrides: str) -> dict[str, str]:
    data = {
        "first_name": "Noah",
        "surname": "Quennell",
        "date_of_birth_day": "9",
        "date_of_birth_month": "11",
        "date_of_birth_year": "2016",
        "postcode": "ws13 6yy",
        "nhs_number": "",
        "unique_pupil_number": "",
        "local_case_id": "",
        "legal_basis": str(_basis(council, "children-act-2004-s10-s11").pk),
        "consent_given_by": "",
        "consent_given_on_day": "",
        "consent_given_on_month": "",
        "consent_given_on_year": "",
        "role": "Family support worker",
    }
    return data | overrides


def _clients_named(council: Council, surname: str) -> list[Client]:
    with schema_context(council.schema_name):
        return list(Client.objects.filter(surname=surname))


def test_adding_without_a_search_first_is_refused(team: Team, browser_as: object) -> None:
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    response = browser.get("/clients/new/")
    assert response.status_code == 302
    assert response.url == "/clients/search/"
    followed = browser.get(response.url)
    assert "Search for the client first" in text_of(followed)


def test_posting_without_a_search_first_creates_nothing(council_a: Council, team: Team, browser_as: object) -> None:
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    response = browser.post("/clients/new/", _form(council_a))
    assert response.status_code == 302
    assert _clients_named(council_a, "Quennell") == []


def test_the_add_form_starts_from_the_search(team: Team, browser_as: object) -> None:
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    search(browser, surname="Quennell", first_name="Noah", dob="9/11/2016")
    page = text_of(browser.get("/clients/new/"))
    assert 'name="surname" type="text" value="Quennell"' in page
    assert 'name="first_name" type="text" value="Noah"' in page
    assert 'name="date_of_birth_day" type="text" inputmode="numeric" autocomplete="off" value="9"' in page
    assert 'name="date_of_birth_year" type="text" inputmode="numeric" autocomplete="off" value="2016"' in page
    assert 'id="id_date_of_birth_day" name="date_of_birth_day"' in page  # the error summary links here
    assert "Children Act 2004, sections 10 and 11" in page  # the council's accepted bases, as radios
    assert 'type="radio"' in page


def test_adding_a_client_makes_you_the_first_member_of_their_team(
    council_a: Council, team: Team, browser_as: object
) -> None:
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    search(browser, surname="Quennell", dob="9/11/2016")
    response = browser.post("/clients/new/", _form(council_a))
    (client,) = _clients_named(council_a, "Quennell")
    assert response.status_code == 302
    assert response.url == f"/clients/{client.pk}/"
    with schema_context(council_a.schema_name):
        involvement = Involvement.objects.get(client=client)
        assert involvement.practitioner_id == team.member.pk
        assert involvement.role == "Family support worker"
        assert client.postcode == "WS13 6YY"
        assert client.date_of_birth == datetime.date(2016, 11, 9)
        assert client.legal_basis.code == "children-act-2004-s10-s11"
        assert TeamActivity.objects.filter(client=client, kind=TeamActivity.Kind.CLIENT_ADDED).exists()
    team_page = text_of(browser.get(response.url))
    assert "Noah Quennell" in team_page
    assert "Client added" in team_page


def test_a_possible_duplicate_is_shown_and_must_be_dismissed(
    council_a: Council, team: Team, browser_as: object
) -> None:
    with schema_context(council_a.schema_name):
        ClientFactory(first_name="Noa", surname="Quenell", date_of_birth=datetime.date(2016, 11, 9), postcode="B1 1AA")
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    search(browser, identifier="4857773457")  # no match by NHS number: the duplicate check still runs
    warned = text_of(browser.post("/clients/new/", _form(council_a)))
    assert "Check this is not the same person" in warned
    assert "Noa Quenell" in warned
    assert "None of these is the person" in warned
    assert _clients_named(council_a, "Quennell") == []

    response = browser.post("/clients/new/", _form(council_a, none_of_these="on"))
    assert response.status_code == 302
    assert len(_clients_named(council_a, "Quennell")) == 1


def test_consent_basis_needs_who_consented_and_when(council_a: Council, team: Team, browser_as: object) -> None:
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    search(browser, surname="Quennell", dob="9/11/2016")
    consent = str(_basis(council_a, "consent").pk)
    refused = browser.post("/clients/new/", _form(council_a, legal_basis=consent))
    assert refused.status_code == 200
    assert "Say who gave consent, and when." in text_of(refused)
    assert _clients_named(council_a, "Quennell") == []

    accepted = browser.post(
        "/clients/new/",
        _form(
            council_a,
            legal_basis=consent,
            consent_given_by="mother",
            consent_given_on_day="1",
            consent_given_on_month="10",
            consent_given_on_year="2026",
        ),
    )
    assert accepted.status_code == 302
    (client,) = _clients_named(council_a, "Quennell")
    assert client.consent_given_by == "mother"
    assert client.consent_given_on == datetime.date(2026, 10, 1)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"first_name": ""}, "Enter their first name"),
        ({"date_of_birth_day": "", "date_of_birth_month": "", "date_of_birth_year": ""}, "Enter their date of birth"),
        ({"date_of_birth_day": "31", "date_of_birth_month": "2"}, "Date of birth must be a real date"),
        ({"date_of_birth_month": ""}, "Date of birth must include a month"),
        ({"date_of_birth_year": "2999"}, "Date of birth must be today or in the past"),
        ({"legal_basis": ""}, "Choose the legal basis for holding their details"),
        ({"role": ""}, "Enter your role with this client"),
        ({"nhs_number": "12345"}, "Enter an NHS number of 10 digits"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_added(
    council_a: Council, team: Team, browser_as: object, overrides: dict[str, str], message: str
) -> None:
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    search(browser, surname="Quennell", dob="9/11/2016")
    response = browser.post("/clients/new/", _form(council_a, **overrides))
    page = text_of(response)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert message in page
    assert _clients_named(council_a, "Quennell") == []


def test_an_unverified_practitioner_cannot_add(council_a: Council, team: Team, browser_as: object) -> None:
    with schema_context(council_a.schema_name):
        team.outsider.verified_at = None
        team.outsider.save(update_fields=["verified_at"])
    browser: Browser = browser_as(team.outsider)  # type: ignore[operator]
    assert browser.post("/clients/new/", _form(council_a)).status_code == 403
    assert _clients_named(council_a, "Quennell") == []


def test_a_real_postcode_is_stored_normalised(council_a: Council, team: Team, browser_as: object) -> None:
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    search(browser, surname="Quennell", dob="9/11/2016")
    response = browser.post("/clients/new/", _form(council_a, postcode="st135ab"))
    assert response.status_code == 302
    [client] = _clients_named(council_a, "Quennell")
    assert client.postcode == "ST13 5AB"


@pytest.mark.parametrize("postcode", ["ST13 5AB 1", "WS13 6Y", "3121"])
def test_a_postcode_that_is_not_one_is_refused_never_cut(
    council_a: Council, team: Team, browser_as: object, postcode: str
) -> None:
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    search(browser, surname="Quennell", dob="9/11/2016")
    response = browser.post("/clients/new/", _form(council_a, postcode=postcode))
    assert response.status_code == 200
    assert "Enter a real postcode, like WS13 6YY" in text_of(response)
    assert _clients_named(council_a, "Quennell") == []


def test_a_date_of_birth_more_than_120_years_ago_is_refused(council_a: Council, team: Team, browser_as: object) -> None:
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    search(browser, surname="Quennell", dob="9/11/2016")
    response = browser.post("/clients/new/", _form(council_a, date_of_birth_year="1890"))
    assert response.status_code == 200
    assert "Date of birth must be within the last 120 years" in text_of(response)
    assert _clients_named(council_a, "Quennell") == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("postcode", "NOT A POSTCODE"),
        ("postcode", "3000"),  # a Victorian postcode, in an English council
        ("date_of_birth", datetime.date(2999, 1, 1)),
        ("date_of_birth", datetime.date(1850, 1, 1)),
        ("nhs_number", "12345"),
    ],
)
def test_the_add_service_itself_refuses_details_the_pages_refuse_and_creates_nothing(
    team: Team, council_a: Council, field: str, value: object
) -> None:
    """Whoever calls it (a page, the API, a future import), the service checks what identifies a client."""
    from django.core.exceptions import ValidationError

    from core.audit.origin import NO_ORIGIN
    from core.clients.services import NewClient, client_create

    details = {
        "first_name": "Ada",
        "surname": "Servicecheck",
        "date_of_birth": datetime.date(2015, 5, 1),
        "postcode": "WS13 6YY",
        "legal_basis": _basis(council_a, "children-act-2004-s10-s11"),
    } | {field: value}
    with schema_context(council_a.schema_name), pytest.raises(ValidationError) as refused:
        client_create(viewer=team.member, data=NewClient(**details), role="Family support worker", origin=NO_ORIGIN)
    assert field in refused.value.message_dict
    assert _clients_named(council_a, "Servicecheck") == []


def test_every_error_summary_link_lands_on_its_field_the_legal_basis_radios_too(
    council_a: Council, team: Team, browser_as: object
) -> None:
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    search(browser, surname="Quennell", dob="9/11/2016")
    response = browser.post("/clients/new/", _form(council_a, legal_basis="", surname=""))
    page = text_of(response)
    summary = page.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    targets = re.findall(r'href="#([^"]+)"', summary)
    assert "id_legal_basis_0" in targets
    for target in targets:
        assert f'id="{target}"' in page, f"the error summary links to #{target}, which is not on the page"
    assert _clients_named(council_a, "Quennell") == []
