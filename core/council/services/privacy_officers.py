"""Appointing and removing the council's privacy officers (their own pages come later)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.council.services.administrators import administrator_check
from core.directory.models import ApprovalState, Practitioner


def privacy_officer_set(*, actor: Practitioner, practitioner: Practitioner, appointed: bool, origin: Origin) -> bool:
    """Appoint ``practitioner`` as a privacy officer, or remove them. Returns whether anything changed.

    Only an active practitioner of an approved agency can be appointed; anyone can be removed."""
    administrator_check(actor=actor, origin=origin, object_type="practitioner", object_id=practitioner.pk)
    with transaction.atomic():
        practitioner = (
            Practitioner.objects.select_for_update(of=("self",))
            .select_related("user", "agency")
            .get(pk=practitioner.pk)
        )
        if practitioner.is_privacy_officer == appointed:
            return False
        if appointed and not (
            practitioner.user.is_active and practitioner.agency.approval_state == ApprovalState.APPROVED
        ):
            raise ValidationError(
                f"{practitioner.user.full_name} cannot be a privacy officer: their account or agency is not active"
            )
        practitioner.is_privacy_officer = appointed
        practitioner.save(update_fields=["is_privacy_officer"])
        audit_record(
            action=AuditAction.PRIVACY_OFFICER_APPOINTED if appointed else AuditAction.PRIVACY_OFFICER_REMOVED,
            outcome=AuditOutcome.SUCCESS,
            origin=origin,
            actor_id=actor.user_id,
            object_type="practitioner",
            object_id=practitioner.pk,
            changes={"is_privacy_officer": {"old": not appointed, "new": appointed}},
        )
    return True
