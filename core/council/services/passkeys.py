"""Whether the council requires passkeys of its administrators and privacy officers (SECURITY.md AUTH-2).

Those two roles read and change the most; a passkey cannot be phished or read out over the phone the way an
app code can. When the council requires it, such a person who signs in with a code is taken to add a passkey
before anything else, and once they have one a code is no longer enough (``core.accounts``, which asks
``passkeys_required_for`` through the hook this app registers in its ``AppConfig.ready``).
"""

from django.db import connection, transaction
from django.db.models import Q

from core.accounts.models import User
from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.council.models import GOVERNANCE_ROW, CouncilGovernance
from core.council.services.administrators import administrator_check
from core.council.services.governance import council_governance_locked
from core.directory.models import Practitioner


def council_passkeys_required() -> bool:
    return bool(CouncilGovernance.objects.filter(id=GOVERNANCE_ROW).values_list("passkeys_required", flat=True).first())


def passkeys_required_for(user: User) -> bool:
    """Whether the council here requires this person to sign in with a passkey. Platform staff: never."""
    if connection.schema_name == "public" or not council_passkeys_required():
        return False
    return (
        Practitioner.objects.filter(user_id=user.pk)
        .filter(Q(is_council_admin=True) | Q(is_privacy_officer=True))
        .exists()
    )


def council_passkeys_require(*, actor: Practitioner, required: bool, origin: Origin) -> bool:
    """Require passkeys of administrators and privacy officers, or stop. Returns whether anything changed."""
    administrator_check(actor=actor, origin=origin)
    with transaction.atomic():
        governance = council_governance_locked()
        if governance.passkeys_required == required:
            return False
        audit_record(
            action=AuditAction.PASSKEYS_REQUIRED_CHANGED,
            outcome=AuditOutcome.SUCCESS,
            origin=origin,
            actor_id=actor.user_id,
            object_type="council",
            object_id=connection.schema_name,
            changes={"passkeys_required": {"old": governance.passkeys_required, "new": required}},
        )
        governance.passkeys_required = required
        governance.save(update_fields=["passkeys_required", "updated_at"])
    return True
