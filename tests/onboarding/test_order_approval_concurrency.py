"""Two operators approving the same order at the same moment: one council is made, the other is refused.

Both really overlap (each its own thread and database connection, held together at the write:
tests/concurrency.py). The order is committed, with a reference of a year no real order uses, and
removed afterwards with its council; the provisioning the approval queued is purged from the broker.
"""

from collections.abc import Iterator

import pytest

from billing.models import BillingAccount
from config.celery import app
from core.accounts.models import User
from core.audit.models import AuditAction, AuditEvent
from core.audit.origin import NO_ORIGIN
from core.notifications.models import Notification
from onboarding.models import Order, OrderStatus
from onboarding.services.approval import DecisionRefused, order_approve
from tenants.models import Council
from tests.concurrency import at_the_same_moment

pytestmark = pytest.mark.platform_side

REFERENCE = "PW-2999-0001"
SLUG = "concurrent"
OPERATORS = ["ops1@concurrent.example", "ops2@concurrent.example"]


def _cleaned_up() -> None:
    app.control.purge()  # the provisioning the approvals queued: there is no council left to provision
    Notification.objects.filter(to__endswith="@concurrent.example").delete()  # the approval's emails
    Order.objects.filter(reference=REFERENCE).delete()
    BillingAccount.objects.filter(council__slug=SLUG).delete()  # the account its approval opened
    Council.objects.filter(slug=SLUG).delete()


@pytest.fixture
def db(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[None]:
    """The test database without the usual rolled-back transaction: the threads' connections must see the data."""
    with django_db_blocker.unblock():
        _cleaned_up()
        try:
            yield
        finally:
            _cleaned_up()


def _order() -> Order:
    return Order.objects.create(
        reference=REFERENCE,
        council_name="Concurrent Borough Council",
        jurisdiction="england",
        requested_slug=SLUG,
        plan="standard",
        expected_practitioners=10,
        purchase_order_number="PO-1",
        billing_contact_name="Bill Payer",
        billing_contact_email="accounts@concurrent.example",
        dpo_name="Dee Poe",
        dpo_email="dpo@concurrent.example",
        admin_name="Ada Min",
        admin_email="ada@concurrent.example",
        terms_version="test",
    )


def test_approving_one_order_twice_at_the_same_moment_makes_one_council(db: None) -> None:
    order = _order()
    operators = [User(email=email, is_staff=True) for email in OPERATORS]  # only their ids are recorded

    def approve(operator: User) -> str:
        try:
            order_approve(order_id=order.pk, actor=operator, origin=NO_ORIGIN)
        except DecisionRefused as refusal:
            return str(refusal)
        return "approved"

    outcomes = at_the_same_moment(
        [lambda: approve(operators[0]), lambda: approve(operators[1])], hold="public.onboarding_order"
    )
    assert sorted(outcomes) == sorted(["approved", f"Order {REFERENCE} is already approved."])
    assert Council.objects.filter(slug=SLUG).count() == 1
    current = Order.objects.get(pk=order.pk)
    assert (current.status, current.council) == (OrderStatus.APPROVED, Council.objects.get(slug=SLUG))
    assert AuditEvent.objects.filter(action=AuditAction.ORDER_APPROVED, object_id=REFERENCE).count() == 1
