"""Ordering Patchwork from the catalogue: from the buyer's side, through the real form."""

import ipaddress
import uuid
from collections.abc import Iterator

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.notifications.models import Notification
from onboarding.models import Order, OrderStatus
from onboarding.rate_limit import _key
from onboarding.terms import TERMS_VERSION
from tenants.models import Council

pytestmark = pytest.mark.platform_side

GOOD = {
    "council_name": "Kingston City Council",
    "jurisdiction": "victoria",
    "subdomain": "kingston",
    "plan": "standard",
    "expected_practitioners": "450",
    "purchase_order_number": "PO-77812",
    "billing_contact_name": "Priya Natarajan",
    "billing_contact_email": "accounts@kingston-council.example",
    "dpo_name": "Tom Okafor",
    "dpo_email": "dpo@kingston-council.example",
    "admin_name": "Leah Brennan",
    "admin_email": "leah.brennan@kingston-council.example",
    "accept_terms": "on",
}


@pytest.fixture
def buyer(db: None) -> Iterator[Client]:
    """A browser at the platform host, from an address of its own (the rate limit counts per address)."""
    # In canonical form ("2001:db8::b7e", not "::0b7e"), as PostgreSQL stores and returns it.
    address = str(ipaddress.IPv6Address(f"2001:db8::{uuid.uuid4().hex[:4]}"))
    yield Client(HTTP_HOST="localhost", REMOTE_ADDR=address)
    cache.delete(_key(address))


def _nothing_created() -> None:
    assert not Order.objects.exists()
    assert not Notification.objects.exists()
    assert mail.outbox == []


def _assert_refused(response: object, message: str, *, keeps: dict[str, str]) -> None:
    page = response.content.decode()  # type: ignore[attr-defined]
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert "govuk-error-summary" in page
    assert "<title>Error: Order Patchwork" in page
    assert message in page
    for name, value in keeps.items():
        if name in ("jurisdiction", "plan"):
            assert f'name="{name}" type="radio" value="{value}" checked' in page, name
        elif name == "accept_terms":
            assert 'name="accept_terms" type="checkbox" checked' in page
        else:
            assert f'name="{name}" type="{"email" if name.endswith("email") else "text"}" value="{value}"' in page, name


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"subdomain": "Kingston City"}, "Subdomain must be 3 to 40 characters"),
        ({"subdomain": "k"}, "Subdomain must be 3 to 40 characters"),
        ({"subdomain": "kingston-"}, "Subdomain must be 3 to 40 characters"),
        ({"subdomain": "www"}, "That subdomain is reserved"),
        ({"subdomain": "console"}, "That subdomain is reserved"),
        ({"subdomain": "api"}, "That subdomain is reserved"),
        ({"subdomain": "alpha"}, "That subdomain is already taken"),  # council_a's
        ({"dpo_name": "", "dpo_email": ""}, "Enter the Data Protection Officer&#x27;s full name"),
        ({"accept_terms": ""}, "Confirm that the council accepts the terms of service"),
        ({"expected_practitioners": "lots"}, "Number of practitioners must be a whole number"),
        ({"expected_practitioners": "0"}, "Number of practitioners must be 1 or more"),
        ({"expected_practitioners": "1000001"}, "Number of practitioners must be 100,000 or fewer"),
        ({"billing_contact_email": "accounts@"}, "Enter the billing contact&#x27;s email address in the correct"),
        ({"admin_email": "leah brennan"}, "Enter the first administrator&#x27;s work email address in the correct"),
        ({"dpo_email": "dpo.example"}, "Enter the Data Protection Officer&#x27;s email address in the correct"),
        ({"jurisdiction": "scotland"}, "Select where the council is"),
        ({"plan": ""}, "Select a plan"),
        ({"council_name": ""}, "Enter the council&#x27;s legal name"),
    ],
)
def test_bad_input_gets_an_error_summary_keeps_every_value_and_creates_nothing(
    buyer: Client, council_a: Council, changes: dict[str, str], message: str
) -> None:
    data = GOOD | changes
    response = buyer.post("/order/", {name: value for name, value in data.items() if value})
    # Every value typed comes back, except a choice that is not one of the choices offered.
    kept = {name: value for name, value in data.items() if value and (name, value) != ("jurisdiction", "scotland")}
    _assert_refused(response, message, keeps=kept)
    _nothing_created()


def test_a_subdomain_held_by_a_pending_order_is_refused(buyer: Client) -> None:
    assert buyer.post("/order/", GOOD).status_code == 302
    mail.outbox.clear()
    second = GOOD | {"council_name": "Another Council", "billing_contact_email": "other@another.example"}
    response = buyer.post("/order/", second)
    _assert_refused(response, "That subdomain is already taken", keeps={"council_name": "Another Council"})
    assert Order.objects.count() == 1
    assert mail.outbox == []


def test_a_subdomain_is_free_again_once_its_order_is_rejected(buyer: Client) -> None:
    assert buyer.post("/order/", GOOD).status_code == 302
    Order.objects.update(status=OrderStatus.REJECTED)
    assert buyer.post("/order/", GOOD).status_code == 302
    assert Order.objects.count() == 2


def test_a_good_order_is_recorded_with_its_reference_and_terms_and_confirmed_by_email(
    buyer: Client, django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = buyer.post("/order/", GOOD)
    assert response.status_code == 302
    assert response.url == "/order/placed/"

    order = Order.objects.get()
    assert order.reference.startswith(f"PW-{order.placed_at.year}-")
    assert order.status == OrderStatus.ORDERED
    assert order.terms_version == TERMS_VERSION
    assert order.requested_slug == "kingston"
    assert order.expected_practitioners == 450
    assert (order.dpo_name, order.dpo_email) == ("Tom Okafor", "dpo@kingston-council.example")

    confirmation = buyer.get(response.url).content.decode()
    assert order.reference in confirmation

    rows = Notification.objects.order_by("to")
    assert [row.to for row in rows] == [GOOD["billing_contact_email"], GOOD["admin_email"]]
    assert all(row.sent_at is not None and not row.holds_secret for row in rows)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [GOOD["billing_contact_email"], GOOD["admin_email"]]
    )
    for message in mail.outbox:
        assert order.reference in message.subject
        assert order.reference in message.body
        assert "kingston.localhost" in message.body
        assert f"version {TERMS_VERSION}" in message.body
        assert "token" not in message.body.lower()
        assert "password" not in message.body.lower()

    event = AuditEvent.objects.get(action=AuditAction.ORDER_PLACED)
    assert (event.council, event.outcome, event.object_id) == ("public", AuditOutcome.SUCCESS, order.reference)
    assert event.ip_address == buyer.defaults["REMOTE_ADDR"]


def test_references_follow_each_other_in_the_year(buyer: Client) -> None:
    buyer.post("/order/", GOOD)
    buyer.post("/order/", GOOD | {"subdomain": "kingston-two"})
    first, second = (order.reference for order in Order.objects.order_by("placed_at", "reference"))
    year, number = first.rsplit("-", 1)
    assert second == f"{year}-{int(number) + 1:04d}"


def test_the_confirmation_page_shows_nothing_to_a_browser_that_placed_no_order(buyer: Client) -> None:
    assert buyer.get("/order/placed/").status_code == 404


def test_the_order_form_is_not_stored_by_the_browser(buyer: Client) -> None:
    assert "no-store" in buyer.get("/order/")["Cache-Control"]


def test_a_flood_of_orders_from_one_address_is_refused_with_nothing_created(buyer: Client, settings: object) -> None:
    settings.ORDER_SUBMISSIONS_PER_HOUR = 3  # type: ignore[attr-defined]
    for _ in range(3):
        assert buyer.post("/order/", GOOD | {"subdomain": "www"}).status_code == 200  # refused by the form
    response = buyer.post("/order/", GOOD)
    assert response.status_code == 429
    assert "Too many orders sent" in response.content.decode()
    _nothing_created()
    event = AuditEvent.objects.get(action=AuditAction.ACCESS_DENIED, object_type="order")
    assert event.outcome == AuditOutcome.DENIED
    assert event.ip_address == buyer.defaults["REMOTE_ADDR"]
    # Another address is not held back by this one's flood.
    other = Client(HTTP_HOST="localhost", REMOTE_ADDR="2001:db8::feed")
    try:
        assert other.post("/order/", GOOD).status_code == 302
    finally:
        cache.delete(_key("2001:db8::feed"))


def test_an_order_racing_another_for_the_same_subdomain_is_refused_by_the_database(db: None) -> None:
    """The form's check passed for both; the partial unique constraint still lets only one hold the subdomain."""
    from core.audit.origin import NO_ORIGIN
    from onboarding.services.orders import OrderDetails, SubdomainTaken, order_place

    fields = {name: value for name, value in GOOD.items() if name not in ("subdomain", "accept_terms")}
    details = OrderDetails(requested_slug="kingston", **fields | {"expected_practitioners": 450})  # type: ignore[arg-type]
    order_place(details=details, origin=NO_ORIGIN)
    with pytest.raises(SubdomainTaken):
        order_place(details=details, origin=NO_ORIGIN)
    assert Order.objects.count() == 1
    assert Notification.objects.count() == 2  # the first order's two confirmations, none for the second
