"""The catalogue on the platform host: the service page, the statements and terms it links to."""

import pytest
from django.test import Client

from onboarding.plans import offers_in_force
from onboarding.terms import TERMS_VERSION
from tenants.jurisdictions import Jurisdiction

pytestmark = pytest.mark.platform_side


def test_the_service_page_shows_each_jurisdictions_prices_from_the_plan_data(platform_client: Client) -> None:
    page = platform_client.get("/").content.decode()
    for offer in offers_in_force():
        assert f"{offer.name} ({offer.currency}, ex {offer.tax_name})" in page
        for plan in offer.plans:
            assert f"{offer.currency_symbol}{plan.price_per_practitioner} ex {offer.tax_name}" in page
            assert f"{plan.minimum_practitioners} practitioners" in page
            assert plan.support_hours in page
    assert "£4.50 ex VAT" in page  # the plan data really is what the page shows, in its currency and tax
    assert "A$8.50 ex GST" in page


def test_the_service_page_says_what_patchwork_does_not_do_and_where_data_is_held(platform_client: Client) -> None:
    page = platform_client.get("/").content.decode()
    assert "not a case-management system" in page
    assert "AWS eu-west-2 (London)" in page
    assert "AWS ap-southeast-4 (Melbourne) or AWS ap-southeast-2 (Sydney)" in page


def test_the_service_page_links_to_the_statements_the_terms_and_the_order_form(platform_client: Client) -> None:
    page = platform_client.get("/").content.decode()
    for link in ('href="/security/"', 'href="/accessibility/"', 'href="/privacy/"', 'href="/terms/"', 'href="/order/"'):
        assert link in page
    for path in ("/security/", "/accessibility/", "/privacy/", "/terms/", "/order/"):
        assert platform_client.get(path).status_code == 200, path


def test_the_terms_page_shows_the_version_an_order_accepts(platform_client: Client) -> None:
    assert f"Version {TERMS_VERSION}" in platform_client.get("/terms/").content.decode()


def test_the_security_statement_names_each_jurisdictions_data_region(platform_client: Client) -> None:
    page = platform_client.get("/security/").content.decode()
    assert "AWS eu-west-2 (London)" in page
    assert "AWS ap-southeast-4 (Melbourne)" in page


@pytest.mark.parametrize("path", ["/order/", "/order/placed/", "/terms/", "/security/"])
def test_a_council_host_does_not_serve_the_catalogue(client_a: Client, path: str) -> None:
    assert client_a.get(path).status_code == 404
    assert client_a.post(path).status_code == 404


def test_the_order_form_shows_where_each_jurisdictions_data_is_held(platform_client: Client) -> None:
    page = platform_client.get("/order/").content.decode()
    assert "England (data held in AWS eu-west-2 (London))" in page
    assert f'value="{Jurisdiction.VICTORIA}"' in page
    assert "Victoria, Australia (data held in AWS ap-southeast-4 (Melbourne) or AWS ap-southeast-2 (Sydney))" in page
