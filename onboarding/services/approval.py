"""An operator's decisions: approving or rejecting an order, and retrying a council's failed provisioning.

Each is one transaction on a locked row, refused (and nothing written) unless the row is still where
the operator saw it: an order is decided once, a provisioning is retried only after it failed. Every
decision goes to the platform's own audit trail (the ``public`` schema). Provisioning is queued only
once the decision has committed, and a council made from an order is left **configuring**: going
live is for its own administrators, through the council's setup.
"""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from billing.services.accounts import billing_account_open
from core.accounts.models import User
from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.notifications.services.outbox import notification_queue
from onboarding.models import Order, OrderStatus
from onboarding.services.provisioning import ProvisioningRefused, council_base_url, council_create
from tenants.models import Council

logger = logging.getLogger(__name__)

REJECTION_REASON_MAX = 300


class DecisionRefused(Exception):
    """The order or council is not where the operator saw it, or the decision is not possible. Nothing was changed."""


def order_approve(*, order_id: object, actor: User, origin: Origin) -> Order:
    """Create the order's council (status ordered), link it, open its billing account from the order, record the
    approval and tell the order's contacts; then queue its provisioning.

    Refused (``DecisionRefused``) when the order was already decided, or when a council already
    uses the subdomain it asks for.
    """
    _on_the_platform()
    with transaction.atomic():
        order = _order_locked(order_id)
        if order.status != OrderStatus.ORDERED:
            raise DecisionRefused(f"Order {order.reference} is already {order.get_status_display().lower()}.")
        if Council.objects.filter(slug=order.requested_slug).exists():
            raise DecisionRefused(subdomain_in_use(order))
        try:
            with transaction.atomic():  # a council made by someone else at this very moment
                council = council_create(
                    name=order.council_name, slug=order.requested_slug, jurisdiction=order.jurisdiction
                )
        except (ValidationError, IntegrityError, ProvisioningRefused) as error:
            raise DecisionRefused(
                f"The council for order {order.reference} cannot be created: {_first_message(error)}"
            ) from error
        order.status = OrderStatus.APPROVED
        order.council = council
        order.decided_at = timezone.now()
        order.decided_by_id = actor.pk
        order.save(update_fields=["status", "council", "decided_at", "decided_by_id"])
        billing_account_open(
            council=council,
            plan=order.plan,
            purchase_order_number=order.purchase_order_number,
            billing_contact_name=order.billing_contact_name,
            billing_contact_email=order.billing_contact_email,
            actor=actor,
            origin=origin,
        )
        audit_record(
            action=AuditAction.ORDER_APPROVED,
            outcome=AuditOutcome.SUCCESS,
            origin=origin,
            actor_id=actor.pk,
            object_type="order",
            object_id=order.reference,
            related_ids=[council.slug],
            changes={"status": {"old": OrderStatus.ORDERED, "new": OrderStatus.APPROVED}},
        )
        _contacts_tell(
            order=order,
            template="onboarding/email/order_approved.txt",
            origin=origin,
            extra={"council_url": council_base_url(council)},
        )
        _provisioning_queue_on_commit(council_id=council.pk)
    return order


def order_reject(*, order_id: object, actor: User, reason: str, origin: Origin) -> Order:
    """Record the rejection and its reason, and tell the order's contacts. Frees the subdomain it held.

    Refused (``DecisionRefused``) when the order was already decided; a missing or too long reason is
    a ``ValidationError`` on ``reason``.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Enter why you are rejecting the order"})
    if len(reason) > REJECTION_REASON_MAX:
        raise ValidationError({"reason": f"The reason must be {REJECTION_REASON_MAX} characters or fewer"})
    _on_the_platform()
    with transaction.atomic():
        order = _order_locked(order_id)
        if order.status != OrderStatus.ORDERED:
            raise DecisionRefused(f"Order {order.reference} is already {order.get_status_display().lower()}.")
        order.status = OrderStatus.REJECTED
        order.decided_at = timezone.now()
        order.decided_by_id = actor.pk
        order.rejection_reason = reason
        order.save(update_fields=["status", "decided_at", "decided_by_id", "rejection_reason"])
        audit_record(
            action=AuditAction.ORDER_REJECTED,
            outcome=AuditOutcome.SUCCESS,
            origin=origin,
            actor_id=actor.pk,
            object_type="order",
            object_id=order.reference,
            reason=reason,
            changes={"status": {"old": OrderStatus.ORDERED, "new": OrderStatus.REJECTED}},
        )
        _contacts_tell(order=order, template="onboarding/email/order_rejected.txt", origin=origin)
    return order


def provisioning_retry(*, council_id: int, actor: User, origin: Origin) -> Council:
    """Run a failed provisioning again from where it stopped (its steps are idempotent).

    Refused (``DecisionRefused``) unless the council's last provisioning failed. The error is cleared
    as the retry is queued, so a second press of the button cannot queue it twice. A council retried
    from the console ends configuring, never live: going live is not the operator's to do.
    """
    _on_the_platform()
    with transaction.atomic():
        council = Council.objects.select_for_update().get(pk=council_id)
        if not council.provisioning_error:
            raise DecisionRefused(f"{council.name}'s provisioning has not failed: there is nothing to retry.")
        failure = council.provisioning_error
        council.provisioning_error = ""
        council.save(update_fields=["provisioning_error", "updated_at"])
        audit_record(
            action=AuditAction.PROVISIONING_RETRIED,
            outcome=AuditOutcome.SUCCESS,
            origin=origin,
            actor_id=actor.pk,
            object_type="council",
            object_id=council.slug,
            reason=failure,
        )
        _provisioning_queue_on_commit(council_id=council.pk)
    return council


def subdomain_in_use(order: Order) -> str:
    return (
        f"A council already uses the subdomain {order.requested_slug}: order {order.reference} cannot be approved "
        "as it is. Reject it with that reason, so that the council can order again with another subdomain."
    )


def _contacts_tell(*, order: Order, template: str, origin: Origin, extra: dict[str, str] | None = None) -> None:
    """Email the decision to the order's billing contact and first administrator, as its confirmation was."""
    service_url = origin.absolute_url(reverse("landing", urlconf=settings.PUBLIC_SCHEMA_URLCONF))
    body = render_to_string(template, {"order": order, "service_url": service_url, **(extra or {})})
    recipients = list(dict.fromkeys([order.billing_contact_email, order.admin_email]))
    notification_queue(to=recipients, subject=f"Your Patchwork order {order.reference}", body=body)


def _on_the_platform() -> None:
    """Orders and the decisions' audit live in ``public``: never decide from inside a council's schema."""
    if connection.schema_name != get_public_schema_name():
        raise RuntimeError("Orders are decided on the platform, never inside a council's schema.")


def _order_locked(order_id: object) -> Order:
    return Order.objects.select_for_update().get(pk=order_id)


def _first_message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return error.messages[0] if error.messages else "its details are not valid."
    if isinstance(error, ProvisioningRefused):
        return str(error)  # a council of another jurisdiction or region than this cell's
    return "a council with the same address was created meanwhile."


def _provisioning_queue_on_commit(*, council_id: int) -> None:
    """After commit, queue provisioning; a council made here is left configuring (``go_live=False``).

    Without a broker (the local demo) the task runs right there: a step that fails has recorded its
    error on the council, for the operator to retry. If the queue cannot be reached, that is recorded
    as a failure too, so that the retry button is offered.
    """

    def queue() -> None:
        from onboarding.tasks import council_provision_task  # the tasks module imports the services

        try:
            council_provision_task.delay(council_id, go_live=False)
        except Exception as error:
            logger.exception("Provisioning of council %s could not be queued or failed", council_id)
            Council.objects.filter(pk=council_id, provisioning_error="").exclude(provisioning_step="done").update(
                provisioning_error=f"Provisioning could not be started: {type(error).__name__}. Retry it.",
                updated_at=timezone.now(),
            )

    transaction.on_commit(queue)
