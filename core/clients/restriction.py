"""Restricting a client's record (UK GDPR Art 18): the privacy officer restricts it with a reason while, for
example, its accuracy is contested, and lifts the restriction once settled. A restricted client is found only by
their current team (core/clients/selectors.py ``_search_queryset``); the team's own work goes on.

Separate from a consent withdrawal (``Client.withheld_from_search_since``): lifting one never lifts the other.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.clients.models import Client
from core.directory.models import Practitioner

RESTRICTION_REASON_MAX_LENGTH = 300


def privacy_officer_check(*, actor: Practitioner, origin: Origin, object_type: str, object_id: object) -> None:
    """Refuse (``PermissionDenied``, recorded as a denied access) anyone but an active privacy officer."""
    if actor.is_privacy_officer and actor.user.is_active:
        return
    audit_record(
        action=AuditAction.ACCESS_DENIED,
        outcome=AuditOutcome.DENIED,
        origin=origin,
        actor_id=actor.user_id,
        object_type=object_type,
        object_id=object_id,
        reason="only privacy officers do this",
    )
    raise PermissionDenied("Only the council's privacy officers can do this.")


def _reason_checked(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why: it is kept in the audit trail"})
    if len(reason) > RESTRICTION_REASON_MAX_LENGTH:
        raise ValidationError({"reason": f"The reason must be {RESTRICTION_REASON_MAX_LENGTH} characters or fewer"})
    return reason


def _client_locked(client_id: object) -> Client:
    client = Client.objects.select_for_update().filter(pk=client_id).first()
    if client is None:
        raise Client.DoesNotExist("No such client.")
    return client


def client_restrict(*, actor: Practitioner, client_id: object, reason: str, origin: Origin) -> Client:
    """Restrict the client's record: from now on only their current team finds them. Refused if already
    restricted (the first restriction and its reason stand)."""
    privacy_officer_check(actor=actor, origin=origin, object_type="client", object_id=client_id)
    reason = _reason_checked(reason)
    with transaction.atomic():
        client = _client_locked(client_id)
        if client.restricted_since is not None:
            raise ValidationError({"reason": "This record is already restricted."})
        client.restricted_since = timezone.now()
        client.restricted_by = actor
        client.restriction_reason = reason
        client.save(update_fields=["restricted_since", "restricted_by", "restriction_reason", "updated_at"])
        audit_record(
            action=AuditAction.CLIENT_RESTRICTED,
            outcome=AuditOutcome.SUCCESS,
            origin=origin,
            actor_id=actor.user_id,
            object_type="client",
            object_id=client.pk,
            reason=reason,
        )
    return client


def client_restriction_lift(*, actor: Practitioner, client_id: object, reason: str, origin: Origin) -> Client:
    """Lift the restriction: the client is found by search again (unless consent withdrawal withholds them)."""
    privacy_officer_check(actor=actor, origin=origin, object_type="client", object_id=client_id)
    reason = _reason_checked(reason)
    with transaction.atomic():
        client = _client_locked(client_id)
        if client.restricted_since is None:
            raise ValidationError({"reason": "This record is not restricted."})
        since = client.restricted_since
        client.restricted_since = None
        client.restricted_by = None
        client.restriction_reason = ""
        client.save(update_fields=["restricted_since", "restricted_by", "restriction_reason", "updated_at"])
        audit_record(
            action=AuditAction.CLIENT_RESTRICTION_LIFTED,
            outcome=AuditOutcome.SUCCESS,
            origin=origin,
            actor_id=actor.user_id,
            object_type="client",
            object_id=client.pk,
            reason=reason,
            changes={"restricted_since": {"old": since.isoformat(), "new": None}},
        )
    return client
