"""The privacy officer's reads that leave a trace: every lookup, access report, activity report, export and
alert they open is itself recorded in the audit trail (who watches the watchers)."""

from collections.abc import Iterator

from django.db.models import QuerySet

from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.clients.models import Client
from core.directory.models import Practitioner
from core.governance.models import Alert
from core.privacy.selectors import (
    AccessRow,
    access_rows_streamed,
    client_access_events,
    clients_lookup,
    practitioner_activity_events,
)


def clients_lookup_recorded(*, officer: Practitioner, origin: Origin, way: str, **criteria: object) -> list[Client]:
    """``clients_lookup``, recorded with the clients it found (never the criteria)."""
    found = clients_lookup(**criteria)  # type: ignore[arg-type]
    audit_record(
        action=AuditAction.ACCESS_REPORT_VIEWED,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=officer.user_id,
        object_type="client",
        related_ids=[client.pk for client in found],
        reason=f"client lookup by {way}; {len(found)} found",
    )
    return found


def client_access_recorded(*, officer: Practitioner, client: Client, origin: Origin) -> QuerySet[AuditEvent]:
    """Who accessed the client and why: the events, recorded as read by the officer."""
    audit_record(
        action=AuditAction.ACCESS_REPORT_VIEWED,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=officer.user_id,
        object_type="client",
        object_id=client.pk,
        reason="who accessed this client",
    )
    return client_access_events(client_id=client.pk)


def practitioner_activity_recorded(
    *, officer: Practitioner, practitioner: Practitioner, origin: Origin
) -> QuerySet[AuditEvent]:
    audit_record(
        action=AuditAction.ACCESS_REPORT_VIEWED,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=officer.user_id,
        object_type="practitioner",
        object_id=practitioner.pk,
        reason="a practitioner's activity",
    )
    return practitioner_activity_events(practitioner=practitioner)


def client_access_exported(*, officer: Practitioner, client: Client, origin: Origin) -> Iterator[AccessRow]:
    audit_record(
        action=AuditAction.ACCESS_REPORT_EXPORTED,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=officer.user_id,
        object_type="client",
        object_id=client.pk,
        reason="who accessed this client, as CSV",
    )
    return access_rows_streamed(client_access_events(client_id=client.pk), client_id=client.pk)


def practitioner_activity_exported(
    *, officer: Practitioner, practitioner: Practitioner, origin: Origin
) -> Iterator[AccessRow]:
    audit_record(
        action=AuditAction.ACCESS_REPORT_EXPORTED,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=officer.user_id,
        object_type="practitioner",
        object_id=practitioner.pk,
        reason="a practitioner's activity, as CSV",
    )
    return access_rows_streamed(practitioner_activity_events(practitioner=practitioner))


def alert_viewed_recorded(*, officer: Practitioner, alert: Alert, origin: Origin) -> None:
    audit_record(
        action=AuditAction.ACCESS_REPORT_VIEWED,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=officer.user_id,
        object_type="alert",
        object_id=alert.pk,
        reason="an alert's evidence",
    )
