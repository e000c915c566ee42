"""Subject access requests: recorded, extended and closed by a privacy officer, each step audited (ids only)."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.clients.models import Client
from core.clients.postcodes import council_jurisdiction
from core.directory.models import Practitioner
from core.subject_access.deadlines import Extended, ExtensionRefused, deadline_rule, due_on, extension_check
from core.subject_access.models import SubjectAccessExtension, SubjectAccessRequest
from core.subject_access.services.files import files_delete_on_commit

OBJECT_TYPE = "subject_access_request"
EARLIEST = datetime.date(2018, 5, 25)  # the GDPR's first day: no request is older


def officer_check(*, actor: Practitioner, origin: Origin, request_id: object = "") -> None:
    """Only an active privacy officer handles subject access; anyone else is refused, and that is recorded."""
    if not actor.is_privacy_officer or not actor.user.is_active:
        audit_record(
            action=AuditAction.ACCESS_DENIED,
            outcome=AuditOutcome.DENIED,
            origin=origin,
            actor_id=actor.user_id,
            object_type=OBJECT_TYPE,
            object_id=request_id,
            reason="only privacy officers handle subject access requests",
        )
        raise PermissionDenied("Only the council's privacy officers handle subject access requests.")


def _audit(action: str, sar: SubjectAccessRequest, *, actor: Practitioner | None, origin: Origin, reason: str = ""):
    audit_record(
        action=action,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=actor.user_id if actor else None,
        object_type=OBJECT_TYPE,
        object_id=sar.pk,
        related_ids=[sar.client_id] if sar.client_id else [],
        reason=reason,
    )


def subject_access_record(
    *, actor: Practitioner, client: Client, received_on: datetime.date, origin: Origin, today: datetime.date
) -> SubjectAccessRequest:
    """Record a request received on ``received_on`` about ``client``; its deadline follows the council's law."""
    officer_check(actor=actor, origin=origin)
    if received_on > today:
        raise ValidationError({"received_on": "The date received must be today or in the past"})
    if received_on < EARLIEST:
        raise ValidationError({"received_on": "The date received must be on or after 25 May 2018"})
    jurisdiction = council_jurisdiction()
    with transaction.atomic():
        sar = SubjectAccessRequest.objects.create(
            client=client,
            jurisdiction=jurisdiction,
            received_on=received_on,
            due_on=due_on(jurisdiction=jurisdiction, received_on=received_on),
            recorded_by=actor,
        )
        _audit(AuditAction.SUBJECT_ACCESS_RECORDED, sar, actor=actor, origin=origin, reason=f"received {received_on}")
    return sar


def subject_access_extend(
    *,
    actor: Practitioner,
    request_id: object,
    code: str,
    amount: int,
    reason: str,
    origin: Origin,
    today: datetime.date,
) -> SubjectAccessRequest:
    """Extend the deadline as the law allows (core/subject_access/deadlines.py); ``ValidationError`` otherwise."""
    officer_check(actor=actor, origin=origin, request_id=request_id)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the time is extended"})
    with transaction.atomic():
        sar = SubjectAccessRequest.objects.select_for_update().get(pk=request_id)
        if sar.state == SubjectAccessRequest.State.CLOSED:
            raise ValidationError("This request is closed: its deadline no longer runs")
        granted = [Extended(extension.code, extension.amount) for extension in sar.extensions.all()]
        try:
            extension_check(
                jurisdiction=sar.jurisdiction,
                code=code,
                amount=amount,
                granted=granted,
                due=sar.due_on,
                today=today,
            )
        except ExtensionRefused as refusal:
            raise ValidationError(str(refusal)) from None
        before = sar.due_on
        sar.due_on = due_on(
            jurisdiction=sar.jurisdiction,
            received_on=sar.received_on,
            extensions=[*granted, Extended(code, amount)],
        )
        sar.save(update_fields=["due_on"])
        SubjectAccessExtension.objects.create(
            request=sar,
            code=code,
            amount=amount,
            reason=reason.strip()[:300],
            due_before=before,
            due_after=sar.due_on,
            extended_by=actor,
        )
        unit = deadline_rule(sar.jurisdiction).extension(code).unit
        _audit(
            AuditAction.SUBJECT_ACCESS_EXTENDED,
            sar,
            actor=actor,
            origin=origin,
            reason=f"{code}: {amount} {unit}, due {before} → {sar.due_on}",
        )
    return sar


def subject_access_close(*, actor: Practitioner, request_id: object, note: str, origin: Origin) -> SubjectAccessRequest:
    """Close the request (answered, or withdrawn): its deadline stops running; an export not yet downloaded is
    deleted."""
    officer_check(actor=actor, origin=origin, request_id=request_id)
    if not note.strip():
        raise ValidationError({"note": "Say how the request was answered"})
    with transaction.atomic():
        sar = SubjectAccessRequest.objects.select_for_update().get(pk=request_id)
        if sar.state == SubjectAccessRequest.State.CLOSED:
            raise ValidationError("This request is already closed")
        if sar.state == SubjectAccessRequest.State.EXPORTING:
            raise ValidationError("Wait for the export to finish before closing the request")
        files_delete_on_commit(sar.files)
        sar.state = SubjectAccessRequest.State.CLOSED
        sar.closed_by, sar.closed_at, sar.close_note = actor, timezone.now(), note.strip()[:300]
        sar.files, sar.download_nonce, sar.link_expires_at = [], "", None
        sar.save(
            update_fields=[
                "state",
                "closed_by",
                "closed_at",
                "close_note",
                "files",
                "download_nonce",
                "link_expires_at",
            ]
        )
        _audit(AuditAction.SUBJECT_ACCESS_CLOSED, sar, actor=actor, origin=origin)
    return sar
