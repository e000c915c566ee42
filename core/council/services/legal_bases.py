"""The legal bases the council accepts for new client records, and its review of them.

A basis is never deleted: retiring one (``is_accepted`` False) stops new records using it, and the
client records already held on it keep it.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.council.models import CouncilGovernance
from core.council.services.administrators import administrator_check
from core.council.services.governance import council_governance_locked
from core.directory.models import Practitioner
from core.governance.models import LegalBasis


def legal_basis_acceptance_set(
    *, actor: Practitioner, basis: LegalBasis, accepted: bool, origin: Origin
) -> tuple[LegalBasis, int]:
    """Accept or retire ``basis``. Returns it and how many client records are held on it (they keep it)."""
    administrator_check(actor=actor, origin=origin, object_type="legal_basis", object_id=basis.pk)
    with transaction.atomic():
        basis = LegalBasis.objects.select_for_update().get(pk=basis.pk)
        records = basis.clients.count()  # type: ignore[attr-defined]  # the reverse of Client.legal_basis
        if basis.is_accepted != accepted:
            before = basis.is_accepted
            basis.is_accepted = accepted
            basis.save(update_fields=["is_accepted"])
            audit_record(
                action=AuditAction.LEGAL_BASIS_CHANGED,
                outcome=AuditOutcome.SUCCESS,
                origin=origin,
                actor_id=actor.user_id,
                object_type="legal_basis",
                object_id=basis.code,
                reason="accepted" if accepted else f"retired ({records} client records keep it)",
                changes={"is_accepted": {"old": before, "new": accepted}},
            )
    return basis, records


def legal_bases_review(*, actor: Practitioner, origin: Origin) -> CouncilGovernance:
    """Record that ``actor`` has reviewed the legal bases as they stand. At least one must be accepted."""
    administrator_check(actor=actor, origin=origin, object_type="legal_basis")
    with transaction.atomic():
        accepted = list(LegalBasis.objects.filter(is_accepted=True).values_list("code", flat=True))
        if not accepted:
            raise ValidationError("Accept at least one legal basis: practitioners need one to add a client")
        governance = council_governance_locked()
        before = governance.legal_bases_reviewed_at
        governance.legal_bases_reviewed_at = timezone.now()
        governance.legal_bases_reviewed_by = actor
        governance.save(update_fields=["legal_bases_reviewed_at", "legal_bases_reviewed_by", "updated_at"])
        audit_record(
            action=AuditAction.LEGAL_BASES_REVIEWED,
            outcome=AuditOutcome.SUCCESS,
            origin=origin,
            actor_id=actor.user_id,
            object_type="legal_basis",
            reason="accepted: " + ", ".join(accepted),
            changes={
                "legal_bases_reviewed_at": {
                    "old": before.isoformat() if before else None,
                    "new": governance.legal_bases_reviewed_at.isoformat(),
                }
            },
        )
    return governance


def legal_basis_consent_set(*, actor: Practitioner, basis: LegalBasis, requires_consent: bool, origin: Origin) -> bool:
    """Set whether a client record held on ``basis`` needs the client's consent. Returns whether it changed.

    Records already held on the basis keep what they hold: the rule applies to what is recorded from now."""
    administrator_check(actor=actor, origin=origin, object_type="legal_basis", object_id=basis.pk)
    with transaction.atomic():
        basis = LegalBasis.objects.select_for_update().get(pk=basis.pk)
        if basis.requires_consent == requires_consent:
            return False
        basis.requires_consent = requires_consent
        basis.save(update_fields=["requires_consent"])
        audit_record(
            action=AuditAction.LEGAL_BASIS_CHANGED,
            outcome=AuditOutcome.SUCCESS,
            origin=origin,
            actor_id=actor.user_id,
            object_type="legal_basis",
            object_id=basis.code,
            reason="needs consent" if requires_consent else "does not need consent",
            changes={"requires_consent": {"old": not requires_consent, "new": requires_consent}},
        )
    return True
