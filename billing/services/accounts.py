"""Opening a council's billing account: who pays for it, on which plan, against which purchase order.

Opened once per council, when its order is approved (onboarding/services/approval.py calls this in the same
transaction), from what the order said. Opening it again for the same council returns the account as it is:
changes to the purchase order number or contact are the council's own to make, and are recorded as such.
"""

from django.db import IntegrityError, connection, transaction
from django_tenants.utils import get_public_schema_name

from billing.models import BillingAccount, PlanCode
from core.accounts.models import User
from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from tenants.models import Council


def billing_account_open(
    *,
    council: Council,
    plan: str,
    purchase_order_number: str,
    billing_contact_name: str,
    billing_contact_email: str,
    actor: User | None,
    origin: Origin,
) -> BillingAccount:
    """The council's billing account, opened now with these details unless it has one (then returned unchanged)."""
    if connection.schema_name != get_public_schema_name():
        raise RuntimeError("Billing accounts are opened on the platform, never inside a council's schema.")
    if plan not in PlanCode.values:
        raise ValueError(f"There is no plan {plan!r}.")
    existing = BillingAccount.objects.filter(council=council).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        try:
            with transaction.atomic():
                account = BillingAccount.objects.create(
                    council=council,
                    plan=plan,
                    purchase_order_number=purchase_order_number,
                    billing_contact_name=billing_contact_name,
                    billing_contact_email=billing_contact_email,
                )
        except IntegrityError:  # opened at this very moment from elsewhere: that one stands
            return BillingAccount.objects.get(council=council)
        audit_record(
            action=AuditAction.BILLING_ACCOUNT_OPENED,
            outcome=AuditOutcome.SUCCESS,
            origin=origin,
            actor_id=actor.pk if actor is not None else None,
            object_type="council",
            object_id=council.slug,
            changes={
                "plan": {"old": None, "new": plan},
                "purchase_order_number": {"old": None, "new": purchase_order_number},
            },
        )
    return account
