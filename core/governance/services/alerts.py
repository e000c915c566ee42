"""Raising an alert for the privacy officer, and the privacy officer assigning and closing it. Raising is
idempotent: one alert per kind, practitioner and period (the anomaly job may run again over the same period;
a break-glass access is its own period)."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import NO_ORIGIN, Origin
from core.audit.services.events import audit_record
from core.directory.models import Practitioner
from core.governance.models import Alert, AlertKind

OUTCOME_NOTE_MAX_LENGTH = 1000


def alert_raise(
    *,
    kind: AlertKind,
    practitioner: Practitioner,
    period_start: datetime.datetime,
    period_end: datetime.datetime,
    summary: str,
    evidence: dict[str, object],
) -> tuple[Alert, bool]:
    """The alert for (kind, practitioner, period_start), raised now if it was not already: (alert, created).
    ``evidence`` holds counts and ids only (audit event ids, client ids), never names."""
    existing = Alert.objects.filter(kind=kind, practitioner=practitioner, period_start=period_start).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                kind=kind,
                practitioner=practitioner,
                period_start=period_start,
                period_end=period_end,
                summary=summary[:300],
                evidence=evidence,
            )
            audit_record(
                action=AuditAction.ALERT_RAISED,
                outcome=AuditOutcome.SUCCESS,
                object_type="alert",
                object_id=alert.pk,
                reason=f"{kind}: {summary}"[:300],
            )
    except IntegrityError:  # raised by another run at the same moment
        return Alert.objects.get(kind=kind, practitioner=practitioner, period_start=period_start), False
    return alert, True


def _officer_check(*, actor: Practitioner, origin: Origin, alert_id: object) -> None:
    """Refuse (``PermissionDenied``, recorded in its own row) anyone but an active privacy officer."""
    if actor.is_privacy_officer and actor.user.is_active:
        return
    audit_record(
        action=AuditAction.ACCESS_DENIED,
        outcome=AuditOutcome.DENIED,
        origin=origin,
        actor_id=actor.user_id,
        object_type="alert",
        object_id=alert_id,
        reason="only privacy officers handle alerts",
    )
    raise PermissionDenied("Only the council's privacy officers handle alerts.")


def _alert_locked(alert_id: object) -> Alert:
    alert = Alert.objects.select_for_update().filter(pk=alert_id).first()
    if alert is None:
        raise Alert.DoesNotExist("No such alert.")
    return alert


def alert_assign(*, actor: Practitioner, alert_id: object, assignee: Practitioner, origin: Origin = NO_ORIGIN) -> Alert:
    """Give an open alert to a privacy officer (the actor or another) to look into. Only privacy officers assign;
    a closed alert stays as it was closed."""
    _officer_check(actor=actor, origin=origin, alert_id=alert_id)
    if not (assignee.is_privacy_officer and assignee.user.is_active):
        raise ValidationError({"assignee": "Choose one of the council's privacy officers"})
    with transaction.atomic():
        alert = _alert_locked(alert_id)
        if alert.state == Alert.State.CLOSED:
            raise ValidationError("This alert is closed: it can no longer be assigned.")
        previous = alert.assigned_to_id
        if previous == assignee.pk:
            return alert
        alert.assigned_to = assignee
        alert.save(update_fields=["assigned_to"])
        audit_record(
            action=AuditAction.ALERT_ASSIGNED,
            outcome=AuditOutcome.SUCCESS,
            origin=origin,
            actor_id=actor.user_id,
            object_type="alert",
            object_id=alert.pk,
            related_ids=[assignee.pk],
            changes={"assigned_to": {"old": str(previous) if previous else None, "new": str(assignee.pk)}},
        )
    return alert


def alert_close(*, actor: Practitioner, alert_id: object, outcome: str, note: str, origin: Origin = NO_ORIGIN) -> Alert:
    """Close an open alert with its outcome and a note saying what was found. An alert is closed once: closing
    it again is refused and changes nothing."""
    _officer_check(actor=actor, origin=origin, alert_id=alert_id)
    note = (note or "").strip()
    problems: dict[str, str] = {}
    if outcome not in Alert.Outcome.values:
        problems["outcome"] = "Select the outcome"
    if not note:
        problems["note"] = "Say what you found and what was done"
    elif len(note) > OUTCOME_NOTE_MAX_LENGTH:
        problems["note"] = f"The note must be {OUTCOME_NOTE_MAX_LENGTH} characters or fewer"
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        alert = _alert_locked(alert_id)
        if alert.state == Alert.State.CLOSED:
            raise ValidationError("This alert was already closed.")
        alert.state = Alert.State.CLOSED
        alert.outcome = outcome
        alert.outcome_note = note
        alert.closed_by = actor
        alert.closed_at = timezone.now()
        if alert.assigned_to_id is None:
            alert.assigned_to = actor
        alert.save(update_fields=["state", "outcome", "outcome_note", "closed_by", "closed_at", "assigned_to"])
        audit_record(
            action=AuditAction.ALERT_CLOSED,
            outcome=AuditOutcome.SUCCESS,
            origin=origin,
            actor_id=actor.user_id,
            object_type="alert",
            object_id=alert.pk,
            reason=f"{outcome}: {note}"[:300],
        )
    return alert
