"""Billing's test helpers: councils made billable for a month, and sign-ins written into a council's audit trail."""

import datetime
import uuid
import zoneinfo

from django_tenants.utils import schema_context

from billing.models import BillingAccount
from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from tenants.models import Council, CouncilStatus

LONG_AGO = datetime.datetime(2025, 6, 1, tzinfo=datetime.UTC)


def billable(council: Council, *, plan: str = "standard", activated_at: datetime.datetime = LONG_AGO) -> Council:
    """The council live since ``activated_at`` with a billing account (rolled back with the test)."""
    Council.objects.filter(pk=council.pk).update(status=CouncilStatus.LIVE, activated_at=activated_at)
    BillingAccount.objects.get_or_create(
        council=council,
        defaults={
            "plan": plan,
            "purchase_order_number": f"PO-{council.slug}",
            "billing_contact_name": "Accounts Payable",
            "billing_contact_email": f"accounts@{council.slug}.example",
        },
    )
    council.refresh_from_db()
    return council


def local(council: Council, *args: int) -> datetime.datetime:
    """A wall-clock time in the council's own time zone: ``local(council, 2026, 10, 31, 23, 30)``."""
    return datetime.datetime(*args, tzinfo=zoneinfo.ZoneInfo(council.time_zone))  # type: ignore[misc]


def signed_in(
    council: Council,
    at: datetime.datetime,
    actor_id: uuid.UUID | None = None,
    *,
    action: str = AuditAction.SIGN_IN,
    outcome: str = AuditOutcome.SUCCESS,
) -> uuid.UUID:
    """An audit event in the council's own trail, as signing in writes it (the account as actor). Its actor."""
    actor_id = actor_id or uuid.uuid4()
    with schema_context(council.schema_name):
        AuditEvent.objects.create(
            occurred_at=at,
            actor_id=actor_id,
            council=council.schema_name,
            action=action,
            outcome=outcome,
            object_type="device",
            object_id="otp_static.staticdevice/1",
        )
    return actor_id
