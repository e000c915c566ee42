"""The council's purchase order number and billing contact, changed by its administrators on its own site.

Only the account changes: an invoice already issued keeps the details it was issued with (billing/models.py), and
the next one is issued with these. The change is recorded in the council's audit trail, where its administrators see
it, and in the platform's, where the operators who send the invoices see it.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django_tenants.utils import get_public_schema_name, schema_context

from billing.models import BillingAccount
from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin, without_control_characters
from core.audit.services.events import audit_record
from core.council.services.administrators import administrator_check
from core.directory.models import Practitioner
from tenants.models import Council

PURCHASE_ORDER_MAX = 50
CONTACT_NAME_MAX = 200
# Letters, digits and the separators finance systems print in order numbers: "PO-2026/0042", "4500012345".
PURCHASE_ORDER_PATTERN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9 ./_-]*[A-Za-z0-9])?$")
DETAILS = ("purchase_order_number", "billing_contact_name", "billing_contact_email")


class NoBillingAccount(Exception):
    """The council has no billing account yet: there is nothing to change."""


def _details_check(*, purchase_order_number: str, billing_contact_name: str, billing_contact_email: str) -> dict:
    problems: dict[str, list[str]] = {}
    number = " ".join(without_control_characters(purchase_order_number).split())
    name = " ".join(without_control_characters(billing_contact_name).split())
    email = without_control_characters(billing_contact_email).strip().lower()
    if not number:
        problems["purchase_order_number"] = ["Enter the purchase order number"]
    elif len(number) > PURCHASE_ORDER_MAX:
        problems["purchase_order_number"] = [
            f"The purchase order number must be {PURCHASE_ORDER_MAX} characters or fewer"
        ]
    elif not PURCHASE_ORDER_PATTERN.match(number):
        problems["purchase_order_number"] = [
            "The purchase order number can only have letters, numbers, spaces, and the characters . / _ -"
        ]
    if not name:
        problems["billing_contact_name"] = ["Enter the name of the billing contact"]
    elif len(name) > CONTACT_NAME_MAX:
        problems["billing_contact_name"] = [
            f"The billing contact's name must be {CONTACT_NAME_MAX} characters or fewer"
        ]
    if not email:
        problems["billing_contact_email"] = ["Enter the billing contact's email address"]
    else:
        try:
            validate_email(email)
        except ValidationError:
            problems["billing_contact_email"] = [
                "Enter an email address in the correct format, like accounts@council.example"
            ]
    if problems:
        raise ValidationError(problems)
    return {"purchase_order_number": number, "billing_contact_name": name, "billing_contact_email": email}


def billing_details_change(
    *,
    actor: Practitioner,
    council: Council,
    purchase_order_number: str,
    billing_contact_name: str,
    billing_contact_email: str,
    origin: Origin,
) -> list[str]:
    """Change the council's purchase order number and billing contact. Returns the fields changed (none: nothing
    recorded). Refuses anyone but an active council administrator (``PermissionDenied``, recorded), details that are
    not valid (``ValidationError`` by field), and a council with no account yet (``NoBillingAccount``)."""
    administrator_check(actor=actor, origin=origin, object_type="billing_account", object_id=council.slug)
    clean = _details_check(
        purchase_order_number=purchase_order_number,
        billing_contact_name=billing_contact_name,
        billing_contact_email=billing_contact_email,
    )
    with transaction.atomic():
        account = BillingAccount.objects.select_for_update().filter(council=council).first()
        if account is None:
            raise NoBillingAccount(f"{council.name} has no billing account yet.")
        changes = {
            name: {"old": getattr(account, name), "new": clean[name]}
            for name in DETAILS
            if getattr(account, name) != clean[name]
        }
        if not changes:
            return []
        for name in changes:
            setattr(account, name, clean[name])
        account.save(update_fields=[*changes, "updated_at"])
        event = {
            "action": AuditAction.BILLING_DETAILS_CHANGED,
            "outcome": AuditOutcome.SUCCESS,
            "origin": origin,
            "actor_id": actor.user_id,
            "object_type": "billing_account",
            "object_id": council.slug,
            "changes": changes,
        }
        audit_record(**event)  # the council's own trail (this request's schema)
        with schema_context(get_public_schema_name()):
            audit_record(**event)  # and the platform's
    return list(changes)
