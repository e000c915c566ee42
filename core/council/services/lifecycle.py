"""Moving a council through its life (tenants/lifecycle.py): the one service that changes its status."""

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import NO_ORIGIN, Origin
from core.audit.services.events import audit_record
from tenants.lifecycle import transition_for
from tenants.models import Council, CouncilStatus

if TYPE_CHECKING:
    from core.accounts.models import User


class TransitionRefused(Exception):
    """The move is not one the lifecycle allows, or lacks its reason. Nothing was changed."""


def council_transition(
    *,
    council: Council,
    to: str,
    actor: "User | None",
    reason: str = "",
    origin: Origin = NO_ORIGIN,
    source: str | None = None,
) -> Council:
    """Move ``council`` to ``to`` if the lifecycle allows it from where it is now, and record it.

    ``actor`` is the platform staff member (a user of the public schema), or None when the platform
    itself moves it (provisioning). The event goes to the platform's own audit trail (the public
    schema), never the council's. The council's row is locked, so two operators acting at once
    cannot both move it from the same state. ``source``, when given, is where the caller saw the
    council (a page the operator read): if it has moved since, nothing is done.
    """
    target = CouncilStatus(to) if to in CouncilStatus.values else None
    reason = reason.strip()
    with schema_context(get_public_schema_name()), transaction.atomic():
        current = Council.objects.select_for_update().get(pk=council.pk)
        if source is not None and current.status != source:
            raise TransitionRefused(
                f"{current.name} is now {current.get_status_display().lower()}: it has changed since you looked."
            )
        move = transition_for(current.status, target) if target else None
        if move is None:
            raise TransitionRefused(
                f"{current.name} cannot move from {current.get_status_display().lower()} to {to}: "
                "the council's lifecycle does not allow it."
            )
        if move.needs_reason and not reason:
            raise TransitionRefused(f"Give a reason to {move.verb} {current.name}.")

        fields = ["status", "updated_at"]
        current.status = move.target
        if move.target == CouncilStatus.LIVE and current.activated_at is None:
            current.activated_at = timezone.now()
            fields.append("activated_at")
        current.save(update_fields=fields)
        audit_record(
            action=AuditAction.COUNCIL_STATUS_CHANGED,
            outcome=AuditOutcome.SUCCESS,
            origin=origin,
            actor_id=actor.pk if actor is not None else None,
            object_type="council",
            object_id=current.slug,
            reason=reason or move.verb,
            changes={"status": {"old": move.source, "new": move.target}},
        )
    council.status = current.status
    council.activated_at = current.activated_at
    council.updated_at = current.updated_at
    return council
