"""Who may set the council up: its administrators. Anyone else is refused and the refusal recorded."""

from django.core.exceptions import PermissionDenied

from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.directory.models import Practitioner


def administrator_check(
    *, actor: Practitioner, origin: Origin, object_type: str = "council", object_id: object = ""
) -> None:
    """Refuse (``PermissionDenied``, recorded in its own row) anyone who is not an active council administrator.

    Called before a service opens its transaction, so that the refusal's audit row is kept."""
    if actor.is_council_admin and actor.user.is_active:
        return
    audit_record(
        action=AuditAction.ACCESS_DENIED,
        outcome=AuditOutcome.DENIED,
        origin=origin,
        actor_id=actor.user_id,
        object_type=object_type,
        object_id=object_id,
        reason="only council administrators set up the council",
    )
    raise PermissionDenied("Only council administrators set up the council.")
