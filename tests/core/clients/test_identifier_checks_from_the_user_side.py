"""A mistyped NHS number or UPN is refused wherever it is typed (add, correct, search; pages and API) with a
message; a valid one is taken. A Victorian council offers the Victorian Student Number instead, and refuses an
NHS number."""

import datetime
import json

import pytest
from django.test import Client as Browser
from django_tenants.utils import schema_context

from core.clients.identifiers import NHS_CHECK, UPN_CHECK
from core.clients.models import Client
from core.governance.models import LegalBasis
from tenants.models import Council
from tests.conftest import sign_in
from tests.core.clients.conftest import Team, search, text_of
from tests.core.clients.test_identifiers import VALID_NHS, VALID_UPN, one_digit_changed
from tests.factories import AgencyFactory, ClientFactory, InvolvementFactory, verified_practitioner

pytestmark = pytest.mark.council_side

MISTYPED_NHS = one_digit_changed(VALID_NHS, 4)
MISTYPED_UPN = one_digit_changed(VALID_UPN, 7)


def _add_form(council: Council, **overrides: str) -> dict[str, str]:
    with schema_context(council.schema_name):
        basis = LegalBasis.objects.filter(is_accepted=True, requires_consent=False).order_by("position").first()
    data = {
        "first_name": "Noah",
        "surname": "Quennell",
        "date_of_birth_day": "9",
        "date_of_birth_month": "11",
        "date_of_birth_year": "2016",
        "postcode": "",
        "local_case_id": "",
        "legal_basis": str(basis.pk),
        "consent_given_by": "",
        "consent_given_on_day": "",
        "consent_given_on_month": "",
        "consent_given_on_year": "",
        "role": "Family support worker",
    }
    return data | overrides


def _quennells(council: Council) -> list[Client]:
    with schema_context(council.schema_name):
        return list(Client.objects.filter(surname="Quennell"))


def _json(browser: Browser, method: str, path: str, data: object) -> object:
    return getattr(browser, method)(path, json.dumps(data), content_type="application/json")


# --- England: add, correct, search --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "mistyped", "message"),
    [("nhs_number", MISTYPED_NHS, NHS_CHECK), ("unique_pupil_number", MISTYPED_UPN, UPN_CHECK)],
)
def test_adding_a_client_with_a_mistyped_identifier_is_refused_with_a_message(
    council_a: Council, team: Team, browser_as: object, field: str, mistyped: str, message: str
) -> None:
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    search(browser, surname="Quennell", dob="9/11/2016")
    page = text_of(browser.post("/clients/new/", _add_form(council_a, **{field: mistyped})))
    assert "There is a problem" in page
    assert message in page
    assert _quennells(council_a) == []


def test_adding_a_client_with_valid_identifiers_stores_them_compact(
    council_a: Council, team: Team, browser_as: object
) -> None:
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    search(browser, surname="Quennell", dob="9/11/2016")
    typed = {"nhs_number": "943 476 5919", "unique_pupil_number": VALID_UPN.lower()}
    response = browser.post("/clients/new/", _add_form(council_a, **typed))
    assert response.status_code == 302
    [client] = _quennells(council_a)
    assert (client.nhs_number, client.unique_pupil_number) == (VALID_NHS, VALID_UPN)


@pytest.mark.parametrize(
    ("field", "mistyped", "message"),
    [("nhs_number", MISTYPED_NHS, NHS_CHECK), ("unique_pupil_number", MISTYPED_UPN, UPN_CHECK)],
)
def test_correcting_to_a_mistyped_identifier_is_refused_and_a_valid_one_is_taken(
    council_a: Council, team: Team, browser_as: object, field: str, mistyped: str, message: str
) -> None:
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    url = f"/clients/{team.client.pk}/correct/"
    form = {
        "first_name": "Jade",
        "surname": "Hughes",
        "date_of_birth_day": "2",
        "date_of_birth_month": "6",
        "date_of_birth_year": "2014",
        "postcode": "WS13 6YY",
        "nhs_number": VALID_NHS,
        "unique_pupil_number": "",
    }
    page = text_of(browser.post(url, form | {field: mistyped}))
    assert message in page
    with schema_context(council_a.schema_name):
        assert getattr(Client.objects.get(pk=team.client.pk), field) == ("" if field != "nhs_number" else VALID_NHS)
    valid = VALID_NHS if field == "nhs_number" else VALID_UPN
    assert browser.post(url, form | {field: valid}).status_code == 302
    with schema_context(council_a.schema_name):
        assert getattr(Client.objects.get(pk=team.client.pk), field) == valid


def test_searching_for_a_mistyped_nhs_number_says_so_and_the_right_one_finds_the_client(
    team: Team, browser_as: object
) -> None:
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    refused = text_of(search(browser, identifier=MISTYPED_NHS))
    assert "There is a problem" in refused
    assert NHS_CHECK in refused
    found = text_of(search(browser, identifier="943 476 5919"))
    assert f"/clients/{team.client.pk}/" in found


def test_the_api_refuses_a_mistyped_nhs_number_on_add_correct_and_search(
    council_a: Council, team: Team, browser_as: object
) -> None:
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    searched = _json(browser, "post", "/api/v1/clients/search/", {"identifier": MISTYPED_NHS})
    assert searched.status_code == 400
    assert searched.json()["identifier"] == [NHS_CHECK]
    assert _json(browser, "post", "/api/v1/clients/search/", {"identifier": VALID_NHS}).status_code == 200
    with schema_context(council_a.schema_name):
        basis = LegalBasis.objects.filter(is_accepted=True, requires_consent=False).first()
    new = {
        "first_name": "Noah",
        "surname": "Quennell",
        "date_of_birth": "2016-11-09",
        "legal_basis": basis.code,
        "role": "Family support worker",
        "nhs_number": MISTYPED_NHS,
    }
    added = _json(browser, "post", "/api/v1/clients/", new)
    assert added.status_code == 400
    assert added.json()["nhs_number"] == [NHS_CHECK]
    assert _quennells(council_a) == []
    corrected = _json(browser, "patch", f"/api/v1/clients/{team.client.pk}/", {"nhs_number": MISTYPED_NHS})
    assert corrected.status_code == 400
    assert corrected.json()["nhs_number"] == [NHS_CHECK]
    assert _json(browser, "post", "/api/v1/clients/", new | {"nhs_number": "4010232137"}).status_code == 201
    [client] = _quennells(council_a)
    assert client.nhs_number == "4010232137"


# --- Victoria -----------------------------------------------------------------------------------------------


@pytest.fixture
def victorian(council_b: Council, client_b: Browser) -> tuple[Browser, Client]:
    """A Yarra-like council's youth worker in a team, signed in."""
    with schema_context(council_b.schema_name):
        agency = AgencyFactory(name="Beta Youth Services", email_domains=["youth.beta.example"])
        worker = verified_practitioner(agency, "Vic", "Worker")
        client = ClientFactory(
            first_name="Ava", surname="Nguyen", postcode="3121", date_of_birth=datetime.date(2012, 4, 1)
        )
        InvolvementFactory(
            client=client, practitioner=worker, role="Youth worker", started_on=datetime.date(2026, 1, 5)
        )
    sign_in(client_b, worker.user, council_b)
    return client_b, client


def test_a_victorian_council_offers_the_student_number_and_not_the_nhs_number(
    council_b: Council, victorian: tuple[Browser, Client]
) -> None:
    browser, _ = victorian
    search(browser, surname="Quennell", dob="9/11/2016")
    page = text_of(browser.get("/clients/new/"))
    assert 'name="victorian_student_number"' in page
    assert 'name="nhs_number"' not in page
    assert 'name="unique_pupil_number"' not in page
    response = browser.post("/clients/new/", _add_form(council_b, victorian_student_number="123 456 789"))
    assert response.status_code == 302
    [client] = _quennells(council_b)
    assert (client.victorian_student_number, client.nhs_number) == ("123456789", "")
    assert "Victorian Student Number" in text_of(browser.get(response.url))
    found = text_of(search(browser, identifier="123456789"))
    assert f"/clients/{client.pk}/" in found


def test_a_victorian_council_refuses_an_nhs_number_through_the_api_and_takes_a_student_number(
    council_b: Council, victorian: tuple[Browser, Client]
) -> None:
    browser, client = victorian
    refused = _json(browser, "patch", f"/api/v1/clients/{client.pk}/", {"nhs_number": VALID_NHS})
    assert refused.status_code == 400
    assert refused.json()["nhs_number"] == ["A Victorian council does not record an NHS number"]
    short = _json(browser, "patch", f"/api/v1/clients/{client.pk}/", {"victorian_student_number": "12345"})
    assert short.status_code == 400
    taken = _json(browser, "patch", f"/api/v1/clients/{client.pk}/", {"victorian_student_number": "987654321"})
    assert taken.status_code == 200, taken.content
    assert taken.json()["victorian_student_number"] == "987654321"
    fhir = browser.get(f"/api/v1/clients/{client.pk}/fhir/care-team/").json()
    [patient] = fhir["contained"]
    assert patient["identifier"] == [
        {"system": "urn:patchwork:fhir:identifier:victorian-student-number", "value": "987654321"}
    ]
