"""Legal holds: the privacy officer keeps a client's record, and everything about it, out of the retention job's
reach (and out of any erasure) until the hold is lifted."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.clients.models import Client
from core.clients.restriction import privacy_officer_check
from core.directory.models import Practitioner
from core.retention.models import LegalHold

HOLD_REASON_MAX_LENGTH = 300


def _reason_checked(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why: it is kept with the hold"})
    if len(reason) > HOLD_REASON_MAX_LENGTH:
        raise ValidationError({"reason": f"The reason must be {HOLD_REASON_MAX_LENGTH} characters or fewer"})
    return reason


def legal_hold_place(*, actor: Practitioner, client_id: object, reason: str, origin: Origin) -> LegalHold:
    """Place a hold on the client's record. Refused while one is already in force."""
    privacy_officer_check(actor=actor, origin=origin, object_type="client", object_id=client_id)
    reason = _reason_checked(reason)
    try:
        with transaction.atomic():
            client = Client.objects.select_for_update().filter(pk=client_id).first()
            if client is None:
                raise Client.DoesNotExist("No such client.")
            if LegalHold.objects.filter(client=client, lifted_at__isnull=True).exists():
                raise ValidationError({"reason": "This record is already on legal hold."})
            hold = LegalHold.objects.create(client=client, reason=reason, placed_by=actor)
            audit_record(
                action=AuditAction.LEGAL_HOLD_PLACED,
                outcome=AuditOutcome.SUCCESS,
                origin=origin,
                actor_id=actor.user_id,
                object_type="client",
                object_id=client.pk,
                related_ids=[hold.pk],
                reason=reason,
            )
    except IntegrityError as error:  # placed by another officer at the same moment
        raise ValidationError({"reason": "This record is already on legal hold."}) from error
    return hold


def legal_hold_lift(*, actor: Practitioner, hold_id: object, reason: str, origin: Origin) -> LegalHold:
    """Lift a hold in force: the record falls under the retention schedule again."""
    privacy_officer_check(actor=actor, origin=origin, object_type="legal_hold", object_id=hold_id)
    reason = _reason_checked(reason)
    with transaction.atomic():
        hold = LegalHold.objects.select_for_update().filter(pk=hold_id).first()
        if hold is None:
            raise LegalHold.DoesNotExist("No such legal hold.")
        if hold.lifted_at is not None:
            raise ValidationError({"reason": "This hold was already lifted."})
        hold.lifted_at = timezone.now()
        hold.lifted_by = actor
        hold.lift_reason = reason
        hold.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
        audit_record(
            action=AuditAction.LEGAL_HOLD_LIFTED,
            outcome=AuditOutcome.SUCCESS,
            origin=origin,
            actor_id=actor.user_id,
            object_type="client",
            object_id=hold.client_id,
            related_ids=[hold.pk],
            reason=reason,
        )
    return hold
