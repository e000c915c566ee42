"""The console's prices page: every version per jurisdiction and plan, the one in force marked, and a form to set a
new price. Platform staff only; anything malformed or refused is shown again with its errors, and nothing written."""

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django_tenants.utils import schema_context

from billing.models import Price
from core.accounts.models import User
from core.audit.models import AuditAction, AuditEvent
from tests.conftest import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.platform_side

PAGE = "/console/billing/prices/"
TODAY = datetime.datetime(2026, 12, 10, 12, 0, tzinfo=datetime.UTC)
VALID = {
    "jurisdiction": "victoria",
    "plan": "enhanced",
    "effective_from": "2027-02-01",
    "unit_price": "11.75",
    "minimum_practitioners": "250",
}


@pytest.fixture(autouse=True)
def _in_december_2026() -> object:
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def operator(db: None) -> User:
    return UserFactory(email="ops@patchwork.example", is_staff=True)


@pytest.fixture
def console(platform_client: Client, operator: User) -> Client:
    sign_in(platform_client, operator)
    return platform_client


def _nothing_written(versions: int) -> None:
    assert Price.objects.count() == versions
    with schema_context("public"):
        assert not AuditEvent.objects.filter(action=AuditAction.PRICE_SET).exists()


def _version(effective_from: str, unit_price_minor: int, jurisdiction: str = "england") -> Price:
    return Price.objects.create(
        jurisdiction=jurisdiction,
        plan="standard",
        effective_from=effective_from,
        currency="GBP" if jurisdiction == "england" else "AUD",
        unit_price_minor=unit_price_minor,
        minimum_practitioners=100,
        tax_name="VAT" if jurisdiction == "england" else "GST",
        tax_rate="0.2000" if jurisdiction == "england" else "0.1000",
    )


def _rows(page: str) -> list[str]:
    """Each table row's text, tags stripped and spaces squeezed."""
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in re.findall(r"<tr.*?</tr>", page, re.S)]


def test_the_page_shows_every_version_with_the_one_in_force_marked(console: Client) -> None:
    _version("2026-06-01", 420)  # replaced January's price from June: in force now
    _version("2027-03-01", 495)

    page = console.get(PAGE).content.decode()

    rows = _rows(page)
    assert "Standard 1 March 2027 £4.95 100 VAT 20% To come" in rows
    assert "1 June 2026 £4.20 100 VAT 20% In force" in rows
    assert "1 January 2026 £4.50 100 VAT 20% Past" in rows
    assert "Enhanced 1 January 2026 £6.00 250 VAT 20% In force" in rows
    assert "Enhanced 1 January 2026 A$11.00 250 GST 10% In force" in rows
    assert "England (GBP, ex VAT)" in page
    assert "Victoria, Australia (AUD, ex GST)" in page
    assert page.count("In force") == 4


def test_the_page_reads_every_version_in_one_query_however_many(
    console: Client, django_assert_max_num_queries: object
) -> None:
    console.get(PAGE)
    for month in range(1, 13):
        _version(f"2027-{month:02d}-01", 450 + month, jurisdiction="victoria")
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        page = console.get(PAGE).content.decode()
    assert page.count("To come") == 12


def test_an_operator_sets_a_new_price_from_a_month_to_come(console: Client, operator: User) -> None:
    response = console.post(PAGE, VALID)

    assert response.status_code == 302
    assert response.url == PAGE
    price = Price.objects.get(jurisdiction="victoria", plan="enhanced", effective_from=datetime.date(2027, 2, 1))
    assert (price.unit_price_minor, price.minimum_practitioners, price.currency, price.created_by_id) == (
        1175,
        250,
        "AUD",
        operator.pk,
    )
    page = console.get(PAGE).content.decode()
    assert "The Enhanced plan in Victoria, Australia will be A$11.75 per active practitioner per month" in page
    assert "Enhanced 1 February 2027 A$11.75 250 GST 10% To come" in _rows(page)
    with schema_context("public"):
        assert AuditEvent.objects.get(action=AuditAction.PRICE_SET).actor_id == operator.pk


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("unit_price", "4.5.0", "Enter the price in pounds or dollars, like 4.50"),
        ("unit_price", "four pounds", "Enter the price in pounds or dollars, like 4.50"),
        ("unit_price", "0", "The price must be between 0.01 and 10,000.00"),
        ("unit_price", "", "Enter the price per active practitioner per month"),
        ("minimum_practitioners", "ten", "The minimum must be a whole number, like 100"),
        ("minimum_practitioners", "-5", "The minimum must be a whole number, like 100"),
        ("effective_from", "2026-12-01", "Select a month from the list"),  # this month: not offered
        ("effective_from", "2027-02-15", "Select a month from the list"),
        ("effective_from", "<script>", "Select a month from the list"),
        ("jurisdiction", "scotland", "Select a jurisdiction"),
        ("plan", "", "Select a plan"),
    ],
)
def test_malformed_input_is_shown_again_with_its_error_and_nothing_is_written(
    console: Client, field: str, value: str, error: str
) -> None:
    versions = Price.objects.count()

    response = console.post(PAGE, VALID | {field: value})

    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Error: Prices" in page
    assert "There is a problem" in page
    assert error in page
    if field != "unit_price":
        assert 'value="11.75"' in page  # what was typed is kept
    _nothing_written(versions)


def test_a_price_refused_by_the_rules_is_shown_again_and_nothing_is_written(console: Client) -> None:
    _version("2027-02-01", 470)
    versions = Price.objects.count()

    response = console.post(PAGE, VALID | {"jurisdiction": "england", "plan": "standard"})

    assert response.status_code == 409
    page = response.content.decode()
    assert "already has a price from 1 February 2027. Nothing was changed." in page
    assert 'value="11.75"' in page
    _nothing_written(versions)


def test_someone_signed_in_who_is_not_staff_is_refused(platform_client: Client) -> None:
    sign_in(platform_client, UserFactory(email="someone@patchwork.example", is_staff=False))
    versions = Price.objects.count()

    assert platform_client.get(PAGE).status_code == 403
    assert platform_client.post(PAGE, VALID).status_code == 403
    _nothing_written(versions)


def test_nobody_signed_in_is_sent_to_sign_in_and_nothing_is_written(platform_client: Client) -> None:
    versions = Price.objects.count()
    response = platform_client.post(PAGE, VALID)
    assert response.status_code == 302
    assert "/sign-in/" in response.url
    _nothing_written(versions)


def test_a_council_site_has_no_prices_page(client_a: Client) -> None:
    versions = Price.objects.count()
    assert client_a.get(PAGE).status_code == 404
    assert client_a.post(PAGE, VALID).status_code == 404
    _nothing_written(versions)
