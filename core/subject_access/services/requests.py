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


def _audit(action: str, request: SubjectAccessRequest, *, actor: Practitioner | None, origin: Origin, reason: str = ""):
    audit_record(
        action=action,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=actor.user_id if actor else None,
        object_type=OBJECT_TYPE,
        object_id=request.pk,
        related_ids=[request.client_id] if request.client_id else [],
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
        request = SubjectAccessRequest.objects.create(
            client=client,
            jurisdiction=jurisdiction,
            received_on=received_on,
            due_on=due_on(jurisdiction=jurisdiction, received_on=received_on),
            recorded_by=actor,
        )
        _audit(
            AuditAction.SUBJECT_ACCESS_RECORDED, request, actor=actor, origin=origin, reason=f"received {received_on}"
        )
    return request


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
        request = SubjectAccessRequest.objects.select_for_update().get(pk=request_id)
        if request.state == SubjectAccessRequest.State.CLOSED:
            raise ValidationError("This request is closed: its deadline no longer runs")
        granted = [Extended(extension.code, extension.amount) for extension in request.extensions.all()]
        try:
            extension_check(
                jurisdiction=request.jurisdiction,
                code=code,
                amount=amount,
                granted=granted,
                due=request.due_on,
                today=today,
            )
        except ExtensionRefused as refusal:
            raise ValidationError(str(refusal)) from None
        before = request.due_on
        request.due_on = due_on(
            jurisdiction=request.jurisdiction,
            received_on=request.received_on,
            extensions=[*granted, Extended(code, amount)],
        )
        request.save(update_fields=["due_on"])
        SubjectAccessExtension.objects.create(
            request=request,
            code=code,
            amount=amount,
            reason=reason.strip()[:300],
            due_before=before,
            due_after=request.due_on,
            extended_by=actor,
        )
        unit = deadline_rule(request.jurisdiction).extension(code).unit
        _audit(
            AuditAction.SUBJECT_ACCESS_EXTENDED,
            request,
            actor=actor,
            origin=origin,
            reason=f"{code}: {amount} {unit}, due {before} → {request.due_on}",
        )
    return request


def subject_access_close(*, actor: Practitioner, request_id: object, note: str, origin: Origin) -> SubjectAccessRequest:
    """Close the request (answered, or withdrawn): its deadline stops running; an export not yet downloaded is
    deleted."""
    officer_check(actor=actor, origin=origin, request_id=request_id)
    if not note.strip():
        raise ValidationError({"note": "Say how the request was answered"})
    with transaction.atomic():
        request = SubjectAccessRequest.objects.select_for_update().get(pk=request_id)
        if request.state == SubjectAccessRequest.State.CLOSED:
            raise ValidationError("This request is already closed")
        if request.state == SubjectAccessRequest.State.EXPORTING:
            raise ValidationError("Wait for the export to finish before closing the request")
        files_delete_on_commit(request.files)
        request.state = SubjectAccessRequest.State.CLOSED
        request.closed_by, request.closed_at, request.close_note = actor, timezone.now(), note.strip()[:300]
        request.files, request.download_nonce, request.link_expires_at = [], "", None
        request.save(
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
        _audit(AuditAction.SUBJECT_ACCESS_CLOSED, request, actor=actor, origin=origin)
    return request
