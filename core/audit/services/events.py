"""The one function every service calls to write the audit trail."""

from django.db import connection
from django.http import HttpRequest

from core.audit.models import AuditEvent
from core.audit.origin import NO_ORIGIN, Origin, without_control_characters


def audit_record(
    *,
    action: str,
    outcome: str,
    origin: Origin | None = None,
    request: HttpRequest | None = None,
    actor_id: object | None = None,
    object_type: str = "",
    object_id: object = "",
    reason: str = "",
    related_ids: list[object] | None = None,
    changes: dict[str, dict[str, object]] | None = None,
) -> AuditEvent:
    """Append one event in the current schema. The actor defaults to the request's signed-in user."""
    user = getattr(request, "user", None)
    if actor_id is None and user is not None and user.is_authenticated:
        actor_id = user.pk
    if origin is None:
        origin = Origin.from_request(request) if request is not None else NO_ORIGIN
    return AuditEvent.objects.create(
        actor_id=actor_id,
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
