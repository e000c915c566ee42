"""The council's DPIA reference and its Data Protection Officer's contact."""

from dataclasses import dataclass, fields

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.council.models import GOVERNANCE_ROW, CouncilGovernance
from core.council.services.administrators import administrator_check
from core.directory.models import Practitioner
from core.directory.phones import phone_clean


@dataclass(frozen=True)
class GovernanceDetails:
    dpia_reference: str
    dpo_name: str
    dpo_email: str
    dpo_phone: str = ""


GOVERNANCE_FIELDS = tuple(detail.name for detail in fields(GovernanceDetails))


def council_governance_locked() -> CouncilGovernance:
    """The governance row, made if missing, locked for the rest of the transaction."""
    CouncilGovernance.objects.get_or_create(id=GOVERNANCE_ROW)
    return CouncilGovernance.objects.select_for_update().get(id=GOVERNANCE_ROW)


def _details_check(details: GovernanceDetails) -> GovernanceDetails:
    problems: dict[str, list[str]] = {}
    reference = details.dpia_reference.strip()
    name = details.dpo_name.strip()
    email = details.dpo_email.strip().lower()
    phone = ""
    if not reference:
        problems["dpia_reference"] = ["Enter the reference of the council's data protection impact assessment"]
    elif len(reference) > 120:
        problems["dpia_reference"] = ["The DPIA reference must be 120 characters or fewer"]
    if not name:
        problems["dpo_name"] = ["Enter the Data Protection Officer's name"]
    elif len(name) > 200:
        problems["dpo_name"] = ["The Data Protection Officer's name must be 200 characters or fewer"]
    if not email:
        problems["dpo_email"] = ["Enter the Data Protection Officer's email address"]
    else:
        try:
            validate_email(email)
        except ValidationError:
            problems["dpo_email"] = ["Enter an email address in the correct format, like dpo@council.example"]
    try:
        phone = phone_clean(details.dpo_phone, what="landline")
    except ValidationError as error:
        problems["dpo_phone"] = error.messages
    if problems:
        raise ValidationError(problems)
    return GovernanceDetails(dpia_reference=reference, dpo_name=name, dpo_email=email, dpo_phone=phone)


def council_governance_update(*, actor: Practitioner, details: GovernanceDetails, origin: Origin) -> list[str]:
    """Record the DPIA reference and the DPO's contact. Returns the fields changed (none: nothing recorded)."""
    administrator_check(actor=actor, origin=origin)
    clean = _details_check(details)
    with transaction.atomic():
        governance = council_governance_locked()
        changes = {
            name: {"old": getattr(governance, name), "new": getattr(clean, name)}
            for name in GOVERNANCE_FIELDS
            if getattr(governance, name) != getattr(clean, name)
        }
        if not changes:
            return []
        for name in changes:
            setattr(governance, name, getattr(clean, name))
        governance.save(update_fields=[*changes, "updated_at"])
        audit_record(
            action=AuditAction.COUNCIL_GOVERNANCE_CHANGED,
            outcome=AuditOutcome.SUCCESS,
            origin=origin,
            actor_id=actor.user_id,
            object_type="council_governance",
            object_id=GOVERNANCE_ROW,
            changes=changes,
        )
    return list(changes)
