"""Operators decide orders in the console: the inbox, one order, approving and rejecting it.

Only platform staff signed in with both factors; an order is decided once, and a decision that
cannot be made (already decided, a subdomain a council uses, no reason) changes nothing.
"""

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from core.accounts.models import User
from core.audit.models import AuditAction, AuditEvent
from core.notifications.models import Notification
from onboarding.models import Order, OrderStatus
from onboarding.services.provisioning import council_create
from tenants.models import Council, CouncilStatus
from tests.conftest import sign_in
from tests.factories import TEST_PASSWORD, UserFactory
from tests.onboarding.ordering import order_placed, tasks_in_process

pytestmark = pytest.mark.platform_side


@pytest.fixture
def operator(db: None) -> User:
    return UserFactory(email="ops@patchwork.example", is_staff=True, first_name="Olu", last_name="Adeyemi")


@pytest.fixture
def console(platform_client: Client, operator: User) -> Client:
    sign_in(platform_client, operator)
    return platform_client


@pytest.fixture
def order(db: None) -> Order:
    placed = order_placed()
    Notification.objects.all().delete()  # the order's own confirmation: not what these tests look at
    mail.outbox.clear()
    return placed


def _decisions(order: Order) -> list[tuple[str, object]]:
    with schema_context("public"):
        events = AuditEvent.objects.filter(
            action__in=[AuditAction.ORDER_APPROVED, AuditAction.ORDER_REJECTED], object_id=order.reference
        ).order_by("id")
        return [(event.action, event.actor_id) for event in events]


def _unchanged(order: Order) -> None:
    """The order is as placed, no council was made for it, nothing was recorded or sent."""
    current = Order.objects.get(pk=order.pk)
    assert (current.status, current.council_id, current.decided_at, current.decided_by_id) == (
        OrderStatus.ORDERED,
        None,
        None,
        None,
    )
    assert current.rejection_reason == ""
    assert not Council.objects.filter(slug=order.requested_slug).exists()
    assert _decisions(order) == []
    assert not Notification.objects.exists()


# --- who may see the orders -------------------------------------------------------------------------


def test_the_inbox_lists_waiting_orders_first_then_decided_ones(console: Client, order: Order) -> None:
    older = order_placed(council_name="Brimbank City Council", requested_slug="brimbank", expected_practitioners=120)
    Order.objects.filter(pk=older.pk).update(placed_at=order.placed_at.replace(year=order.placed_at.year - 1))
    rejected = order_placed(council_name="Melton City Council", requested_slug="melton")
    Order.objects.filter(pk=rejected.pk).update(status=OrderStatus.REJECTED, decided_at=order.placed_at)

    page = console.get("/console/orders/").content.decode()
    waiting, decided = page.split("Waiting for a decision")[1].split('<h2 class="govuk-heading-m">Decided</h2>')
    assert waiting.index("Brimbank City Council") < waiting.index("Kingston City Council")  # the longest waiting first
    assert "Melton City Council" not in waiting
    assert "Melton City Council" in decided
    order.refresh_from_db()
    placed = timezone.localtime(order.placed_at).strftime("%-d %B %Y")
    for shown in (order.reference, "Victoria", "Standard", "450", placed):
        assert shown in waiting
    assert f'href="/console/orders/{order.reference}/"' in waiting


def test_the_councils_page_says_how_many_orders_are_waiting(console: Client, order: Order) -> None:
    order_placed(council_name="Brimbank City Council", requested_slug="brimbank")
    page = console.get("/console/").content.decode()
    assert '2 orders are waiting for a decision. <a class="govuk-link" href="/console/orders/">' in page
    Order.objects.update(status=OrderStatus.REJECTED)
    assert "waiting for a decision" not in console.get("/console/").content.decode()


def test_the_order_page_shows_every_detail_and_offers_both_decisions(console: Client, order: Order) -> None:
    page = console.get(f"/console/orders/{order.reference}/").content.decode()
    for detail in (
        order.reference,
        "Kingston City Council",
        "kingston",
        "PO-77812",
        "Priya Natarajan",
        "accounts@kingston-council.example",
        "Tom Okafor",
        "dpo@kingston-council.example",
        "Leah Brennan",
        "leah.brennan@kingston-council.example",
        f"Version {order.terms_version}",
    ):
        assert detail in page, detail
    assert f'href="/console/orders/{order.reference}/approve/"' in page
    assert f'href="/console/orders/{order.reference}/reject/"' in page


def test_an_unknown_order_is_not_found(console: Client, order: Order) -> None:
    for path in ("/console/orders/PW-1999-0001/", "/console/orders/PW-1999-0001/approve/"):
        assert console.get(path).status_code == 404
    assert console.post("/console/orders/PW-1999-0001/approve/").status_code == 404
    _unchanged(order)


@pytest.mark.parametrize("suffix", ["", "approve/", "reject/"])
def test_a_signed_in_user_who_is_not_staff_is_refused_and_nothing_changes(
    platform_client: Client, order: Order, suffix: str
) -> None:
    sign_in(platform_client, UserFactory(email="someone@patchwork.example", is_staff=False))
    assert platform_client.get("/console/orders/").status_code == 403
    path = f"/console/orders/{order.reference}/{suffix}"
    assert platform_client.get(path).status_code == 403
    assert platform_client.post(path, {"reason": "No"}).status_code == 403
    _unchanged(order)


def test_an_anonymous_visitor_is_sent_to_sign_in_and_nothing_changes(platform_client: Client, order: Order) -> None:
    response = platform_client.get("/console/orders/")
    assert (response.status_code, response.url) == (302, "/sign-in/?next=/console/orders/")
    response = platform_client.post(f"/console/orders/{order.reference}/approve/")
    assert response.status_code == 302
    assert response.url.startswith("/sign-in/")
    _unchanged(order)


def test_staff_with_a_password_only_session_cannot_approve(platform_client: Client, order: Order) -> None:
    UserFactory(email="half@patchwork.example", is_staff=True)
    first = platform_client.post("/sign-in/", {"email": "half@patchwork.example", "password": TEST_PASSWORD})
    assert first.status_code == 302
    response = platform_client.post(f"/console/orders/{order.reference}/approve/")
    assert response.status_code == 302
    assert response.url.startswith("/sign-in/")
    _unchanged(order)


def test_a_council_site_has_no_console(client_a: Client, order: Order) -> None:
    for path in ("/console/orders/", f"/console/orders/{order.reference}/", "/console/councils/alpha/provisioning/"):
        assert client_a.get(path).status_code == 404, path
    assert client_a.post(f"/console/orders/{order.reference}/approve/").status_code == 404
    _unchanged(order)


# --- approving --------------------------------------------------------------------------------------


def test_the_approval_page_asks_first_and_changes_nothing(console: Client, order: Order) -> None:
    page = console.get(f"/console/orders/{order.reference}/approve/").content.decode()
    assert "Approve the order from Kingston City Council?" in page
    assert f"Approve order {order.reference}</button>" in page
    assert "leah.brennan@kingston-council.example" in page
    _unchanged(order)


def test_approving_creates_one_council_links_it_audits_it_and_queues_its_provisioning(
    console: Client, order: Order, operator: User, django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks() as queued:  # type: ignore[operator]
        response = console.post(f"/console/orders/{order.reference}/approve/")
    assert response.status_code == 302
    assert response.url == "/console/councils/kingston/provisioning/"

    order.refresh_from_db()
    council = Council.objects.get(slug="kingston")
    assert (council.name, council.jurisdiction, council.status) == (
        "Kingston City Council",
        "victoria",
        CouncilStatus.ORDERED,
    )
    assert (order.status, order.council_id, order.decided_by_id) == (OrderStatus.APPROVED, council.pk, operator.pk)
    assert order.decided_at is not None
    assert Council.objects.filter(name="Kingston City Council").count() == 1
    assert _decisions(order) == [(AuditAction.ORDER_APPROVED, operator.pk)]
    with schema_context("public"):
        event = AuditEvent.objects.get(action=AuditAction.ORDER_APPROVED, object_id=order.reference)
    assert (event.council, event.path) == ("public", f"/console/orders/{order.reference}/approve/")
    # Once the approval has committed: provisioning queued, the contacts' emails delivered, and every web process
    # told that the councils changed (tenants/routing.py).
    names = [callback.__qualname__.split(".")[0] for callback in queued]
    assert "_announce_change" in names
    assert sorted(name for name in names if name != "_announce_change") == [
        "_provisioning_queue_on_commit",
        "on_commit_in_this_schema",
    ]
    told = Notification.objects.order_by("to")
    assert [row.to for row in told] == ["accounts@kingston-council.example", "leah.brennan@kingston-council.example"]
    for row in told:
        assert f"Your Patchwork order {order.reference} for Kingston City Council is approved." in row.body
        assert "http://kingston.localhost" in row.body
        assert "Leah Brennan will receive an email inviting them" in row.body


@pytest.mark.database_owner
def test_an_approved_order_is_provisioned_and_left_configuring(
    console: Client, order: Order, django_capture_on_commit_callbacks: object
) -> None:
    with tasks_in_process(), django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        console.post(f"/console/orders/{order.reference}/approve/")
    council = Council.objects.get(slug="kingston")
    assert council.status == CouncilStatus.CONFIGURING  # going live is for its own administrators
    assert (council.provisioning_step, council.provisioning_progress, council.provisioning_error) == ("done", 100, "")
    assert council.activated_at is None
    page = console.get("/console/councils/kingston/provisioning/").content.decode()
    assert "Configuring" in page
    assert 'http-equiv="refresh"' not in page


def test_approving_twice_is_refused_the_second_time_and_changes_nothing_more(
    console: Client, order: Order, operator: User
) -> None:
    assert console.post(f"/console/orders/{order.reference}/approve/").status_code == 302
    first = Order.objects.get(pk=order.pk)
    for response in (
        console.get(f"/console/orders/{order.reference}/approve/"),
        console.post(f"/console/orders/{order.reference}/approve/"),
    ):
        assert response.status_code == 409
        page = response.content.decode()
        assert f"Order {order.reference} is already approved. Nothing was changed." in page
        assert "Approve order" not in page.split("</main>")[0]
    assert Order.objects.get(pk=order.pk).decided_at == first.decided_at
    assert Council.objects.filter(slug="kingston").count() == 1
    assert _decisions(order) == [(AuditAction.ORDER_APPROVED, operator.pk)]


def test_approving_a_rejected_order_is_refused_and_nothing_changes(console: Client, order: Order) -> None:
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.REJECTED, rejection_reason="Duplicate")
    response = console.post(f"/console/orders/{order.reference}/approve/")
    assert response.status_code == 409
    assert f"Order {order.reference} is already rejected. Nothing was changed." in response.content.decode()
    current = Order.objects.get(pk=order.pk)
    assert (current.status, current.council_id, current.rejection_reason) == (OrderStatus.REJECTED, None, "Duplicate")
    assert not Council.objects.filter(slug="kingston").exists()
    assert _decisions(order) == []


def test_approving_an_order_whose_subdomain_a_council_now_uses_is_refused_and_creates_nothing(
    console: Client, order: Order
) -> None:
    # A council made with the same slug since the order was placed (by the command line, say).
    existing = council_create(name="Kingston Shire", slug="kingston", jurisdiction="victoria")
    for response in (
        console.get(f"/console/orders/{order.reference}/approve/"),
        console.post(f"/console/orders/{order.reference}/approve/"),
    ):
        assert response.status_code == 409
        assert "A council already uses the subdomain kingston" in response.content.decode()
        assert "Nothing was changed." in response.content.decode()
    assert list(Council.objects.filter(slug="kingston")) == [existing]
    assert Order.objects.get(pk=order.pk).status == OrderStatus.ORDERED
    assert _decisions(order) == []


def test_an_approval_posted_without_the_forms_csrf_token_is_refused(console: Client, order: Order) -> None:
    console.handler.enforce_csrf_checks = True
    assert console.post(f"/console/orders/{order.reference}/approve/").status_code == 403
    _unchanged(order)


# --- rejecting --------------------------------------------------------------------------------------


def test_rejecting_with_a_reason_records_it_tells_the_contacts_and_frees_the_subdomain(
    console: Client, order: Order, operator: User, django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = console.post(
            f"/console/orders/{order.reference}/reject/", {"reason": "  The council already has a contract.  "}
        )
    assert response.status_code == 302
    assert response.url == "/console/orders/"
    order.refresh_from_db()
    assert (order.status, order.rejection_reason, order.decided_by_id) == (
        OrderStatus.REJECTED,
        "The council already has a contract.",
        operator.pk,
    )
    assert not Council.objects.filter(slug="kingston").exists()
    assert _decisions(order) == [(AuditAction.ORDER_REJECTED, operator.pk)]
    with schema_context("public"):
        assert (
            AuditEvent.objects.get(action=AuditAction.ORDER_REJECTED, object_id=order.reference).reason
            == "The council already has a contract."
        )

    assert sorted(message.to[0] for message in mail.outbox) == [
        "accounts@kingston-council.example",
        "leah.brennan@kingston-council.example",
    ]
    for message in mail.outbox:
        assert order.reference in message.subject
        assert "The council already has a contract." in message.body
    assert "is rejected" in console.get("/console/orders/").content.decode()

    again = order_placed()  # the subdomain is free for a new order
    assert again.requested_slug == "kingston"


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Enter why you are rejecting the order"),
        ("   ", "Enter why you are rejecting the order"),
        ("x" * 301, "The reason must be 300 characters or fewer"),
    ],
)
def test_rejecting_without_a_usable_reason_shows_the_error_keeps_the_text_and_changes_nothing(
    console: Client, order: Order, reason: str, message: str
) -> None:
    response = console.post(f"/console/orders/{order.reference}/reject/", {"reason": reason})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert f'<a href="#reason">{message}</a>' in page
    assert f"<title>Error: Reject order {order.reference}" in page
    assert f">{reason.strip()}</textarea>" in page
    _unchanged(order)
    assert mail.outbox == []


def test_rejecting_an_approved_order_is_refused_and_nothing_changes(console: Client, order: Order) -> None:
    assert console.post(f"/console/orders/{order.reference}/approve/").status_code == 302
    approved = Order.objects.get(pk=order.pk)
    told = Notification.objects.count()  # the approval's own emails
    response = console.post(f"/console/orders/{order.reference}/reject/", {"reason": "Changed my mind"})
    assert response.status_code == 409
    assert f"Order {order.reference} is already approved. Nothing was changed." in response.content.decode()
    current = Order.objects.get(pk=order.pk)
    assert (current.status, current.rejection_reason, current.council_id, current.decided_at) == (
        OrderStatus.APPROVED,
        "",
        approved.council_id,
        approved.decided_at,
    )
    assert [action for action, _ in _decisions(order)] == [AuditAction.ORDER_APPROVED]
    assert Notification.objects.count() == told


def test_the_decided_order_page_says_who_decided_and_why(console: Client, order: Order) -> None:
    console.post(f"/console/orders/{order.reference}/reject/", {"reason": "Duplicate of an earlier order"})
    page = console.get(f"/console/orders/{order.reference}/").content.decode()
    assert "Olu Adeyemi" in page
    assert "Duplicate of an earlier order" in page
    assert f"/console/orders/{order.reference}/approve/" not in page


def test_the_inbox_reads_the_same_number_of_queries_however_many_orders_there_are(
    console: Client, order: Order
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert console.get("/console/orders/").status_code == 200
        return len(captured)

    Order.objects.filter(pk=order.pk).update(status=OrderStatus.REJECTED, decided_at=order.placed_at)
    few = queries()
    for number, slug in enumerate(["brimbank", "melton", "wyndham", "hume"]):
        placed = order_placed(council_name=f"Council {number}", requested_slug=slug)
        if number % 2:
            Order.objects.filter(pk=placed.pk).update(status=OrderStatus.REJECTED, decided_at=order.placed_at)
    assert queries() == few
