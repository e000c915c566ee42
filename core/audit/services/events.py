"""The one function every service calls to write the audit trail."""

from django.db import connection
from django.http import HttpRequest

from core.audit.models import AuditEvent


def audit_record(
    *,
    action: str,
    outcome: str,
    request: HttpRequest | None = None,
    actor_id: object | None = None,
    object_type: str = "",
    object_id: object = "",
    reason: str = "",
    related_ids: list[object] | None = None,
) -> AuditEvent:
    """Append one event in the current schema. The actor defaults to the request's signed-in user."""
    user = getattr(request, "user", None)
    if actor_id is None and user is not None and user.is_authenticated:
        actor_id = user.pk
    return AuditEvent.objects.create(
        actor_id=actor_id,
        council=connection.schema_name,
        action=action,
        outcome=outcome,
        object_type=object_type,
        object_id=str(object_id) if object_id else "",
        reason=reason[:300],
        related_ids=[str(related) for related in related_ids or []],
        ip_address=_client_ip(request),
        user_agent=(request.headers.get("User-Agent", "")[:300] if request is not None else ""),
        path=(request.path[:200] if request is not None else ""),
    )


def _client_ip(request: HttpRequest | None) -> str | None:
    """REMOTE_ADDR, which the trusted proxy layer (gunicorn ``forwarded_allow_ips``) has already set."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None
