"""Looking after accounts: verification by the agency manager, roles, unlocking, deactivation.

Each action is a small object-free function: ``check`` (may this person do it?) then the change,
its audit event, and nothing else. A practitioner the actor may not manage is reported as not
found, never as forbidden, so ids of other agencies reveal nothing.
"""

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from core.accounts.services.sessions import user_deactivate, user_reactivate
from core.accounts.services.sign_in import account_unlock
from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.directory.models import Practitioner


def practitioners_manageable_by(actor: Practitioner):
    """Council administrators manage everyone; agency managers the practitioners of their own agency
    (not its other managers, nor council administrators who happen to work there); others nobody."""
    people = Practitioner.objects.select_related("user", "agency")
    if actor.is_council_admin:
        return people
    if actor.is_agency_manager:
        return people.filter(agency_id=actor.agency_id, is_agency_manager=False, is_council_admin=False)
    return people.none()


def practitioner_manageable_get(*, actor: Practitioner, practitioner_id: object, origin: Origin) -> Practitioner:
    practitioner = practitioners_manageable_by(actor).filter(pk=practitioner_id).first()
    if practitioner is None:
        _deny(actor=actor, origin=origin, practitioner_id=practitioner_id, reason="not manageable by this account")
    return practitioner


def _deny(*, actor: Practitioner, origin: Origin, practitioner_id: object, reason: str) -> None:
    audit_record(
        action=AuditAction.ACCESS_DENIED,
        outcome=AuditOutcome.DENIED,
        origin=origin,
        actor_id=actor.user_id,
        object_type="practitioner",
        object_id=practitioner_id,
        reason=reason,
    )
    raise Http404("No such practitioner.")


@transaction.atomic
def practitioner_verify(*, actor: Practitioner, practitioner: Practitioner, origin: Origin) -> None:
    if practitioner.verified_at is None:
        practitioner.verified_at = timezone.now()
        practitioner.save(update_fields=["verified_at"])
        audit_record(
            action=AuditAction.PRACTITIONER_VERIFIED,
            outcome=AuditOutcome.SUCCESS,
            origin=origin,
            actor_id=actor.user_id,
            object_type="practitioner",
            object_id=practitioner.pk,
        )


def practitioner_role_change(
    *, actor: Practitioner, practitioner: Practitioner, is_agency_manager: bool, origin: Origin
) -> None:
    if not actor.is_council_admin:  # refused before the transaction, so the denial's audit row is kept
        reason = "only council administrators change roles"
        _deny(actor=actor, origin=origin, practitioner_id=practitioner.pk, reason=reason)
    if practitioner.is_agency_manager == is_agency_manager:
        return
    with transaction.atomic():
        practitioner.is_agency_manager = is_agency_manager
        practitioner.save(update_fields=["is_agency_manager"])
        audit_record(
            action=AuditAction.ROLE_CHANGED,
            outcome=AuditOutcome.SUCCESS,
            origin=origin,
            actor_id=actor.user_id,
            object_type="practitioner",
            object_id=practitioner.pk,
            reason="made agency manager" if is_agency_manager else "no longer agency manager",
        )


def practitioner_unlock(*, actor: Practitioner, practitioner: Practitioner, origin: Origin) -> None:
    account_unlock(user=practitioner.user, actor_id=actor.user_id, origin=origin)


def practitioner_deactivate(*, actor: Practitioner, practitioner: Practitioner, origin: Origin) -> None:
    user_deactivate(
        user=practitioner.user, actor_id=actor.user_id, origin=origin, reason="deactivated by an administrator"
    )


def practitioner_reactivate(*, actor: Practitioner, practitioner: Practitioner, origin: Origin) -> bool:
    """Undo a deactivation. Council administrators only (anyone else: not found, recorded)."""
    if not actor.is_council_admin:
        audit_record(
            action=AuditAction.ACCESS_DENIED,
            outcome=AuditOutcome.DENIED,
            origin=origin,
            actor_id=actor.user_id,
            object_type="practitioner",
            object_id=practitioner.pk,
            reason="only council administrators reactivate accounts",
        )
        raise Http404("No such practitioner.")
    return user_reactivate(
        user=practitioner.user, actor_id=actor.user_id, origin=origin, reason="reactivated by an administrator"
    )
