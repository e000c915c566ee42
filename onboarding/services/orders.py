"""Placing an order from the catalogue: the row, its reference, the audit event and the confirmations."""

from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from psycopg import sql

from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.notifications.services.outbox import notification_queue
from onboarding.models import Order, OrderReferenceCounter
from onboarding.plans import offer_for, plan_for
from onboarding.terms import TERMS_VERSION


class SubdomainTaken(Exception):
    """Another order took the subdomain between the form's check and this one's write."""


@dataclass(frozen=True)
class OrderDetails:
    council_name: str
    jurisdiction: str
    requested_slug: str
    plan: str
    expected_practitioners: int
    purchase_order_number: str
    billing_contact_name: str
    billing_contact_email: str
    dpo_name: str
    dpo_email: str
    admin_name: str
    admin_email: str


def order_reference_next(*, year: int) -> str:
    """The next reference of the year, PW-2026-0001 onwards.

    One upsert: the year's counter row is created or bumped, and its row lock is held until the caller's
    transaction ends, so two orders placed at once get two numbers, never the same one.
    """
    table = OrderReferenceCounter._meta.db_table
    with connection.cursor() as cursor:
        upsert = sql.SQL(
            "INSERT INTO {table} (year, last) VALUES (%s, 1) "
            "ON CONFLICT (year) DO UPDATE SET last = {table}.last + 1 RETURNING last"
        ).format(table=sql.Identifier(table))
        cursor.execute(upsert, [year])
        (number,) = cursor.fetchone()
    return f"PW-{year}-{number:04d}"


def order_place(*, details: OrderDetails, origin: Origin) -> Order:
    """Record the order with the terms version accepted, audit it, and confirm it by email after commit.

    Raises ``SubdomainTaken`` (and writes nothing) when another order holds the subdomain.
    """
    try:
        with transaction.atomic():
            order = Order.objects.create(
                reference=order_reference_next(year=timezone.now().year),
                terms_version=TERMS_VERSION,
                **asdict(details),
            )
            audit_record(
                action=AuditAction.ORDER_PLACED,
                outcome=AuditOutcome.SUCCESS,
                origin=origin,
                object_type="order",
                object_id=order.reference,
            )
            _confirmation_queue(order=order, origin=origin)
    except IntegrityError as error:
        if "order_slug_held_until_rejected" in str(error):
            raise SubdomainTaken(details.requested_slug) from error
        raise
    return order


def _confirmation_queue(*, order: Order, origin: Origin) -> None:
    offer = offer_for(order.jurisdiction)
    body = render_to_string(
        "onboarding/email/order_confirmation.txt",
        {
            "order": order,
            "offer": offer,
            "plan": plan_for(jurisdiction=order.jurisdiction, code=order.plan),
            "council_host": f"{order.requested_slug}.{origin.host}",
            "service_url": origin.absolute_url(reverse("landing", urlconf=settings.PUBLIC_SCHEMA_URLCONF)),
            "terms_url": origin.absolute_url(reverse("terms", urlconf=settings.PUBLIC_SCHEMA_URLCONF)),
        },
    )
    recipients = list(dict.fromkeys([order.billing_contact_email, order.admin_email]))
    notification_queue(to=recipients, subject=f"Your Patchwork order {order.reference}", body=body)
