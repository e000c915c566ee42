"""Orders for tests: placed through the catalogue's own service, and Celery run in-process.

An order is placed with ``order_place`` (its reference, its audit event and its confirmation email,
as the order form makes them). Provisioning after an approval is a Celery task: ``tasks_in_process``
runs it right there, as the demo does without a broker, so a test can follow an order to its council.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from config.celery import app
from core.audit.origin import NO_ORIGIN
from onboarding.models import Order
from onboarding.services.orders import OrderDetails, order_place

KINGSTON = OrderDetails(
    council_name="Kingston City Council",
    jurisdiction="victoria",
    requested_slug="kingston",
    plan="standard",
    expected_practitioners=450,
    purchase_order_number="PO-77812",
    billing_contact_name="Priya Natarajan",
    billing_contact_email="accounts@kingston-council.example",
    dpo_name="Tom Okafor",
    dpo_email="dpo@kingston-council.example",
    admin_name="Leah Brennan",
    admin_email="leah.brennan@kingston-council.example",
)


def order_placed(**changes: object) -> Order:
    """An order waiting for a decision: Kingston's, with any details changed."""
    return order_place(details=replace(KINGSTON, **changes), origin=NO_ORIGIN)


@contextmanager
def tasks_in_process() -> Iterator[None]:
    """Celery tasks sent inside the block run at once, in this process (errors raised), as without a broker."""
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = before
