"""Which API client a request is acting as, and for which practitioner: so the audit trail says so.

The API views and the services they call record what they do as the viewer, the practitioner — as they must for
a person. When a case-management system made the call, the record must name the system instead
(``actor_type=api_client``, ``actor_id`` the client's id) and say for whom it acted. Rather than teach every view
and service, the request's acting client is held here for the request's duration (set by
``ApiClientMiddleware``, cleared when the response leaves it), and every audit event written meanwhile
is attributed to it just before it is inserted.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from core.audit.models import ActorType, AuditEvent

REASON_MAX = 300


@dataclass
class Acting:
    api_client_id: Any
    practitioner_id: Any
    practitioner_user_id: Any
    recorded: int = 0  # audit events attributed to the client so far in this request


_acting: ContextVar[Acting | None] = ContextVar("patchwork_api_client_acting", default=None)


def acting_now() -> Acting | None:
    return _acting.get()


def acting_begin(acting: Acting) -> None:
    _acting.set(acting)


@contextmanager
def acting_scope() -> Iterator[None]:
    """Around one request: whatever it set is gone when it ends, so no later request inherits it."""
    token = _acting.set(None)
    try:
        yield
    finally:
        _acting.reset(token)


def attributed_to_client(event: AuditEvent, acting: Acting) -> None:
    """The event as the client's: its actor, and the practitioner it acted for in the reason."""
    if event.actor_type or event.actor_id not in (None, acting.practitioner_user_id):
        return  # already someone's own record (the client's, or another actor's)
    event.actor_id = acting.api_client_id
    event.actor_type = ActorType.API_CLIENT
    acting.recorded += 1
    suffix = f" (API client acting for practitioner {acting.practitioner_id})"
    event.reason = (event.reason or "")[: REASON_MAX - len(suffix)] + suffix


def audit_event_attribute(sender: type[AuditEvent], instance: AuditEvent, raw: bool = False, **kwargs: Any) -> None:
    """``pre_save`` of an audit event: a new one written while an API client acts is the client's."""
    acting = _acting.get()
    if acting is None or raw or not instance._state.adding:
        return
    attributed_to_client(instance, acting)
