"""Who is asking: the signed-in practitioner, and the involvement of theirs a page acts on."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.clients.models import Involvement
from core.clients.selectors import involvement_current
from core.directory.models import Practitioner

NOT_VERIFIED = "Your agency manager has not verified your account yet."


def _practitioner_loaded(user: object) -> Practitioner | None:
    """The user's practitioner with its agency, when the user was read with them (no query); otherwise None."""
    if not get_user_model().practitioner.is_cached(user):  # type: ignore[attr-defined]
        return None
    try:
        practitioner = user.practitioner  # type: ignore[attr-defined]
    except Practitioner.DoesNotExist:
        return None
    return practitioner if Practitioner.agency.is_cached(practitioner) else None


def viewer_for(request: HttpRequest) -> Practitioner:
    """The practitioner of the signed-in council user (the navigation reads it too: no second query). One
    query, or none when the user was read with their practitioner and its agency."""
    practitioner = _practitioner_loaded(request.user)
    if practitioner is None:
        practitioner = Practitioner.objects.select_related("agency", "user").filter(user=request.user).first()
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
