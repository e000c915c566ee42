"""Who is asking: the signed-in practitioner, and the involvement of theirs a page acts on."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.clients.models import Involvement
from core.clients.selectors import involvement_current
from core.directory.models import Practitioner
from core.directory.selectors import practitioner_for_user

NOT_VERIFIED = "Your agency manager has not verified your account yet."


def viewer_for(request: HttpRequest) -> Practitioner:
    """The practitioner of the signed-in council user (the navigation reads it too: no second query)."""
    practitioner = practitioner_for_user(user=request.user)  # type: ignore[arg-type]
    if practitioner is None:
        raise PermissionDenied("Only practitioners use the client pages.")
    request.user.practitioner = practitioner  # type: ignore[union-attr]
    return practitioner


def require_verified(viewer: Practitioner) -> None:
    """Searching, adding and joining wait until the practitioner's agency has verified them."""
    if viewer.verified_at is None:
        raise PermissionDenied(NOT_VERIFIED)


def own_involvement_or_404(*, viewer: Practitioner, client_id: object, origin: Origin) -> Involvement:
    """The viewer's current involvement with the client. Anyone else — outside the team, another council,
    no such client — gets the same "not found", and the attempt is recorded."""
    involvement = involvement_current(viewer=viewer, client_id=client_id)
    if involvement is None:
        audit_record(
            action=AuditAction.ACCESS_DENIED,
            outcome=AuditOutcome.DENIED,
            origin=origin,
            actor_id=viewer.user_id,
            object_type="client",
            object_id=client_id,
            reason="not in the team, or no such client",
        )
        raise Http404("No such client.")
    return involvement
