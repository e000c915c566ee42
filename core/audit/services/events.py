"""The one function every service calls to write the audit trail."""

from django.db import connection

from core.audit.models import AuditEvent
from core.audit.origin import NO_ORIGIN, Origin, without_control_characters


def audit_record(
    *,
    action: str,
    outcome: str,
    origin: Origin = NO_ORIGIN,
    actor_id: object | None = None,
    object_type: str = "",
    object_id: object = "",
    reason: str = "",
    related_ids: list[object] | None = None,
    changes: dict[str, dict[str, object]] | None = None,
    actor_type: str = "",
) -> AuditEvent:
    """Append one event in the current schema: who (``actor_id``), from where (``origin``), did what."""
    return AuditEvent.objects.create(
        actor_id=actor_id,
        actor_type=actor_type,
        council=connection.schema_name,
        action=action,
        outcome=outcome,
        object_type=object_type,
        object_id=without_control_characters(str(object_id))[:64] if object_id else "",
        reason=without_control_characters(reason)[:300],
        related_ids=[str(related) for related in related_ids or []],
        changes=changes,
        ip_address=origin.ip_address,
        user_agent=origin.user_agent,
        path=origin.path,
    )


def audit_records(
    *,
    action: str,
    outcome: str,
    object_type: str,
    object_ids: list[object],
    origin: Origin = NO_ORIGIN,
    actor_id: object | None = None,
    reason: str = "",
    actor_type: str = "",
) -> list[AuditEvent]:
    """One event for each of ``object_ids``, appended in one statement: the same action done to many objects at
    once (a bulk import's invitations). Each row is what ``audit_record`` would have written for that object."""
    council = connection.schema_name
    reason = without_control_characters(reason)[:300]
    return AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor_id=actor_id,
                actor_type=actor_type,
                council=council,
                action=action,
                outcome=outcome,
                object_type=object_type,
                object_id=without_control_characters(str(object_id))[:64],
                reason=reason,
                related_ids=[],
                ip_address=origin.ip_address,
                user_agent=origin.user_agent,
                path=origin.path,
            )
            for object_id in object_ids
        ],
        batch_size=1000,
    )
