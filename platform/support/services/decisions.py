"""The council's side: its administrator grants a request (which pages, how long), refuses it, or ends access.

Called on the council's own site, in its schema: a request is found only among this council's (another council's
id is "not found", as an unknown one is) and locked while it is decided, so two administrators answering at once
cannot both decide it. Each decision is written in the council's audit trail with the administrator as its actor.
"""

import datetime
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from core.audit.models import AuditAction
from core.audit.origin import Origin
from core.directory.models import Practitioner
from support.models import SupportGrant, SupportStatus
from support.services import SupportGrantNotFound, SupportRefused
from support.services.checks import hours_checked, reason_checked, scopes_checked
from support.services.recording import grant_audit_record


def _administrator_check(actor: Practitioner) -> None:
    if not (actor.is_council_admin and actor.user.is_active):
        raise PermissionDenied("Only council administrators decide support access.")


def _locked(grant_id: UUID) -> SupportGrant:
    """This council's request, locked; "not found" for another council's or none."""
    grant = (
        SupportGrant.objects.select_for_update(of=("self",))
        .filter(pk=grant_id, council__schema_name=connection.schema_name)
        .first()
    )
    if grant is None:
        raise SupportGrantNotFound
    return grant


def _waiting(grant: SupportGrant) -> None:
    if grant.status != SupportStatus.REQUESTED:
        raise SupportRefused(
            f"The request from {grant.operator_name} was already answered "
            f"({grant.get_status_display().lower()}): nothing was changed."
        )


def support_grant(
    *,
    actor: Practitioner,
    grant_id: UUID,
    scopes: list[str],
    hours: int,
    origin: Origin,
    now: datetime.datetime | None = None,
) -> SupportGrant:
    """Open the request for ``scopes`` (some or all of those asked for) until ``hours`` from now."""
    _administrator_check(actor)
    hours = hours_checked(hours)
    now = now or timezone.now()
    with transaction.atomic():
        grant = _locked(grant_id)
        _waiting(grant)
        grant.scopes_granted = scopes_checked(scopes, allowed=grant.scopes_requested)
        grant.status = SupportStatus.GRANTED
        grant.decided_by_id = actor.user_id
        grant.decided_by_name = actor.user.full_name
        grant.decided_at = now
        grant.ends_at = now + datetime.timedelta(hours=hours)
        grant.save(
            update_fields=["scopes_granted", "status", "decided_by_id", "decided_by_name", "decided_at", "ends_at"]
        )
        grant_audit_record(
            grant=grant,
            action=AuditAction.SUPPORT_GRANTED,
            origin=origin,
            actor_id=actor.user_id,
            administrator=actor.user.full_name,
        )
    return grant


def support_refuse(
    *, actor: Practitioner, grant_id: UUID, reason: str, origin: Origin, now: datetime.datetime | None = None
) -> SupportGrant:
    """Refuse the request, saying why (the operator sees the reason in the console)."""
    _administrator_check(actor)
    reason = reason_checked(reason, missing="Enter why you are refusing access")
    with transaction.atomic():
        grant = _locked(grant_id)
        _waiting(grant)
        grant.status = SupportStatus.REFUSED
        grant.refusal_reason = reason
        grant.decided_by_id = actor.user_id
        grant.decided_by_name = actor.user.full_name
        grant.decided_at = now or timezone.now()
        grant.save(update_fields=["status", "refusal_reason", "decided_by_id", "decided_by_name", "decided_at"])
        grant_audit_record(
            grant=grant,
            action=AuditAction.SUPPORT_REFUSED,
            origin=origin,
            actor_id=actor.user_id,
            reason=reason,
            administrator=actor.user.full_name,
        )
    return grant


def support_end(
    *, actor: Practitioner, grant_id: UUID, origin: Origin, now: datetime.datetime | None = None
) -> SupportGrant:
    """End open access now, before its time."""
    _administrator_check(actor)
    now = now or timezone.now()
    with transaction.atomic():
        grant = _locked(grant_id)
        if grant.status != SupportStatus.GRANTED or grant.ends_at is None or grant.ends_at <= now:
            state = "ran out" if grant.status == SupportStatus.GRANTED else grant.get_status_display().lower()
            raise SupportRefused(
                f"The support access of {grant.operator_name} is not open ({state}): nothing was changed."
            )
        grant.status = SupportStatus.ENDED
        grant.ended_at = now
        grant.ended_by_id = actor.user_id
        grant.save(update_fields=["status", "ended_at", "ended_by_id"])
        grant_audit_record(
            grant=grant,
            action=AuditAction.SUPPORT_ENDED,
            origin=origin,
            actor_id=actor.user_id,
            reason="Ended by the council",
            administrator=actor.user.full_name,
        )
    return grant
