"""Giving a practitioner one of the rulebook's break-glass roles, and taking it away.

A role is a key of one of the rules in force' ``BreakGlassRole``. A role later removed from the rulebook is
not stripped from the practitioners who hold it: their key simply no longer matches any role, so it opens
nothing (core/governance/rules.py ``Rules.break_glass_role``)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.council.services.administrators import administrator_check
from core.directory.models import ApprovalState, Practitioner
from core.governance.selectors import rules_current


def break_glass_role_set(*, actor: Practitioner, practitioner: Practitioner, role_key: str, origin: Origin) -> bool:
    """Give ``practitioner`` the role ``role_key``, or take theirs away (``role_key`` ""). Returns whether
    anything changed. Only a council administrator; only a role of the rules in force; only an active,
    verified practitioner of an approved agency is given one (anyone's can be taken away)."""
    administrator_check(actor=actor, origin=origin, object_type="practitioner", object_id=practitioner.pk)
    role_key = role_key.strip()
    if role_key and rules_current().break_glass_role(role_key) is None:
        raise ValidationError({"role": "Choose one of the council's break-glass roles"})
    with transaction.atomic():
        practitioner = (
            Practitioner.objects.select_for_update(of=("self",))
            .select_related("user", "agency")
            .get(pk=practitioner.pk)
        )
        before = practitioner.break_glass_role
        if before == role_key:
            return False
        if role_key and not (
            practitioner.user.is_active
            and practitioner.verified_at is not None
            and practitioner.agency.approval_state == ApprovalState.APPROVED
        ):
            raise ValidationError(
                f"{practitioner.user.full_name} cannot be given a break-glass role: their account is not "
                "verified and active, or their agency is not approved"
            )
        practitioner.break_glass_role = role_key
        practitioner.save(update_fields=["break_glass_role"])
        audit_record(
            action=AuditAction.BREAK_GLASS_ROLE_CHANGED,
            outcome=AuditOutcome.SUCCESS,
            origin=origin,
            actor_id=actor.user_id,
            object_type="practitioner",
            object_id=practitioner.pk,
            reason=f"given {role_key}" if role_key else f"taken away ({before})",
            changes={"break_glass_role": {"old": before, "new": role_key}},
        )
    return True
