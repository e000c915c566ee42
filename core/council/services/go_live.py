"""Taking a configuring council live, by its own administrator, once its checklist holds (GDPR-1)."""

from django.db import transaction

from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.council.selectors import council_setup_checklist
from core.council.services.administrators import administrator_check
from core.council.services.lifecycle import council_transition
from core.directory.models import Practitioner
from tenants.models import Council, CouncilStatus


class GoLiveRefused(Exception):
    """Something on the checklist is missing (``missing`` names each). Nothing was changed."""

    def __init__(self, missing: list[str]) -> None:
        self.missing = missing
        super().__init__("Before going live: " + "; ".join(missing))


def council_go_live(*, actor: Practitioner, council: Council, origin: Origin) -> Council:
    """Check every gating item again, then move the council from configuring to live.

    The move is recorded by ``council_transition`` in the platform's trail, and here in the council's own
    trail with the administrator who made it. A council that is no longer configuring (another
    administrator took it live a moment ago) is refused by ``council_transition`` (``TransitionRefused``).
    """
    administrator_check(actor=actor, origin=origin, object_id=council.slug)
    with transaction.atomic():
        missing = council_setup_checklist().missing
        if missing:
            raise GoLiveRefused(missing)
        council_transition(
            council=council,
            to=CouncilStatus.LIVE,
            actor=None,  # a user of the council's schema, not of the platform: named in the council's trail
            reason="go live: taken live by the council's administrator",
            origin=origin,
            source=CouncilStatus.CONFIGURING,
        )
        audit_record(
            action=AuditAction.COUNCIL_STATUS_CHANGED,
            outcome=AuditOutcome.SUCCESS,
            origin=origin,
            actor_id=actor.user_id,
            object_type="council",
            object_id=council.slug,
            reason="go live",
            changes={"status": {"old": CouncilStatus.CONFIGURING, "new": CouncilStatus.LIVE}},
        )
    return council
