"""Raising an alert for the privacy officer. Raising is idempotent: one alert per kind, practitioner and
period (the anomaly job may run again over the same period; a break-glass access is its own period)."""

import datetime

from django.db import IntegrityError, transaction

from core.audit.models import AuditAction, AuditOutcome
from core.audit.services.events import audit_record
from core.directory.models import Practitioner
from core.governance.models import Alert, AlertKind


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
