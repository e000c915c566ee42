"""Requests for erasure (UK GDPR Art 17): recorded when received, then decided by the privacy officer. Accepted,
the record is erased at once through the same service as the retention job; refused, the reason is kept (for
example a statutory duty to keep it). A client on legal hold cannot be erased: the decision is refused."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.clients.erasure import clients_erase
from core.clients.models import Client
from core.clients.restriction import privacy_officer_check
from core.directory.models import Practitioner
from core.retention.models import ErasureRequest, LegalHold

DECISION_REASON_MAX_LENGTH = 300
ON_HOLD = "This record is on legal hold: it cannot be erased until the hold is lifted."


def erasure_request_record(
    *, actor: Practitioner, client_id: object, received_on: datetime.date, grounds: str, origin: Origin
) -> ErasureRequest:
    privacy_officer_check(actor=actor, origin=origin, object_type="client", object_id=client_id)
    problems: dict[str, str] = {}
    if grounds not in ErasureRequest.Grounds.values:
        problems["grounds"] = "Select the grounds of the request"
    if received_on > timezone.localdate():
        problems["received_on"] = "The date received must be today or in the past"
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        client = Client.objects.filter(pk=client_id).first()
        if client is None:
            raise Client.DoesNotExist("No such client.")
        request = ErasureRequest.objects.create(
            client=client, client_reference=client.pk, received_on=received_on, grounds=grounds, recorded_by=actor
        )
        audit_record(
            action=AuditAction.ERASURE_REQUESTED,
            outcome=AuditOutcome.SUCCESS,
            origin=origin,
            actor_id=actor.user_id,
            object_type="client",
            object_id=client.pk,
            related_ids=[request.pk],
            reason=f"grounds: {grounds}",
        )
    return request


def erasure_request_decide(
    *, actor: Practitioner, request_id: object, erase: bool, reason: str, origin: Origin
) -> ErasureRequest:
    """Decide a waiting request. ``erase``: the client's record is erased now (refused if on legal hold, and
    then nothing changes); otherwise refused with ``reason``."""
    privacy_officer_check(actor=actor, origin=origin, object_type="erasure_request", object_id=request_id)
    reason = (reason or "").strip()
    if not erase and not reason:
        raise ValidationError({"reason": "Say why the request is refused, for example a statutory duty to keep it"})
    if len(reason) > DECISION_REASON_MAX_LENGTH:
        raise ValidationError({"reason": f"The reason must be {DECISION_REASON_MAX_LENGTH} characters or fewer"})
    with transaction.atomic():
        request = ErasureRequest.objects.select_for_update().filter(pk=request_id).first()
        if request is None:
            raise ErasureRequest.DoesNotExist("No such erasure request.")
        if request.decision != ErasureRequest.Decision.PENDING:
            raise ValidationError({"decision": "This request has already been decided."})
        counts: dict[str, int] = {}
        if erase and request.client_id is not None:
            if LegalHold.objects.filter(client_id=request.client_id, lifted_at__isnull=True).exists():
                raise ValidationError({"decision": ON_HOLD})
            LegalHold.objects.filter(client_id=request.client_id).delete()  # lifted holds only (checked above)
            try:
                counts = clients_erase(client_ids=[request.client_id])
            except ProtectedError as error:
                raise ValidationError({"decision": ON_HOLD}) from error
        request.decision = ErasureRequest.Decision.ERASED if erase else ErasureRequest.Decision.REFUSED
        request.decision_reason = reason
        request.decided_by = actor
        request.decided_at = timezone.now()
        request.client = None if erase else request.client
        request.save(update_fields=["decision", "decision_reason", "decided_by", "decided_at", "client"])
        audit_record(
            action=AuditAction.ERASURE_DECIDED,
            outcome=AuditOutcome.SUCCESS,
            origin=origin,
            actor_id=actor.user_id,
            object_type="erasure_request",
            object_id=request.pk,
            related_ids=[request.client_reference],
            reason=(f"{request.decision}: {reason}" if reason else str(request.decision))[:300],
        )
        if erase:
            audit_record(
                action=AuditAction.RECORDS_ERASED,
                outcome=AuditOutcome.SUCCESS,
                origin=origin,
                actor_id=actor.user_id,
                object_type="erasure_request",
                object_id=request.pk,
                reason=", ".join(f"{label} {count}" for label, count in sorted(counts.items())) or "nothing left",
            )
    return request
