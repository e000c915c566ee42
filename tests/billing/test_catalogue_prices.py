"""The catalogue shows the price in force today: a new price set for next month is not shown until that month."""

import datetime

import pytest
import time_machine
from django.test import Client

from billing.models import Price
from core.accounts.models import User
from onboarding.models import Order
from tests.conftest import sign_in
from tests.factories import UserFactory
from tests.onboarding.ordering import order_placed

pytestmark = pytest.mark.platform_side


@pytest.fixture
def next_months_price(db: None) -> Price:
    """England's Standard plan at £4.80, minimum 120, from 1 January 2027 (set in December 2026)."""
    return Price.objects.create(
        jurisdiction="england",
        plan="standard",
        effective_from=datetime.date(2027, 1, 1),
        currency="GBP",
        unit_price_minor=480,
        minimum_practitioners=120,
        tax_name="VAT",
        tax_rate="0.2000",
    )


@pytest.fixture
def order(db: None) -> Order:
    return order_placed(jurisdiction="england", requested_slug="kingston-upon-thames")


@pytest.fixture
def operator(db: None) -> User:
    return UserFactory(email="ops@patchwork.example", is_staff=True)


def _pages(client: Client, order: Order, operator: User) -> dict[str, str]:
    """The service page and order form as anyone sees them, and the order's approval page as the operator does."""
    client.logout()
    sign_in(client, operator)  # afresh at each time: a session does not outlive its idle timeout
    return {
        "service page": client.get("/").content.decode(),
        "order form": client.get("/order/").content.decode(),
        "order approval": client.get(f"/console/orders/{order.reference}/approve/").content.decode(),
    }


def test_a_price_from_next_month_is_not_shown_today_and_is_shown_from_that_month(
    platform_client: Client, next_months_price: Price, order: Order, operator: User
) -> None:
    with time_machine.travel(datetime.datetime(2026, 12, 31, 23, 0, tzinfo=datetime.UTC), tick=False):
        today = _pages(platform_client, order, operator)
    for page, text in today.items():
        assert "£4.50" in text, page
        assert "£4.80" not in text, page
    assert "100 practitioners (£450.00 ex VAT)" in today["service page"]
    assert "£4.50 ex VAT in England (minimum 100 practitioners)" in today["order form"]
    assert "£4.50 per active practitioner per month ex VAT, with a minimum of 100" in today["order approval"]

    with time_machine.travel(datetime.datetime(2027, 1, 1, 0, 30, tzinfo=datetime.UTC), tick=False):
        from_january = _pages(platform_client, order, operator)
    for page, text in from_january.items():
        assert "£4.80" in text, page
        assert "£4.50" not in text, page
    assert "120 practitioners (£576.00 ex VAT)" in from_january["service page"]
    assert "£4.80 ex VAT in England (minimum 120 practitioners)" in from_january["order form"]
    assert "£4.80 per active practitioner per month ex VAT, with a minimum of 120" in from_january["order approval"]
    assert "A$8.50 ex GST" in from_january["service page"]  # Victoria's price did not change
