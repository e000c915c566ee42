"""How a support step is written in the audit trails: who the operator is, why they asked, what was decided.

The operator has no account in the council, so the council's row carries their name and email (and their id, a
user of the platform's schema) as well as their reason: an administrator reading the council's audit sees who
it was without asking the platform.
"""

from core.audit.models import AuditEvent, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from support.models import SupportGrant

OBJECT_TYPE = "support_grant"


def grant_audit_record(
    *,
    grant: SupportGrant,
    action: str,
    origin: Origin,
    actor_id: object,
    reason: str | None = None,
    outcome: str = AuditOutcome.SUCCESS,
    administrator: str = "",
    page: str = "",
) -> AuditEvent:
    """One row about ``grant`` in the current schema's audit trail (the council's, or the platform's)."""
    support: dict[str, object] = {"scopes": list(grant.scopes_granted or grant.scopes_requested)}
    if grant.ends_at:
        support["ends_at"] = grant.ends_at.isoformat()
    else:
        support["hours"] = grant.hours_requested
    if page:
        support["page"] = page
    changes: dict[str, dict[str, object]] = {
        "operator": {"id": str(grant.operator_id), "name": grant.operator_name, "email": grant.operator_email},
        "support": support,
    }
    if administrator:
        changes["administrator"] = {"name": administrator}
    return audit_record(
        action=action,
        outcome=outcome,
        origin=origin,
        actor_id=actor_id,
        object_type=OBJECT_TYPE,
        object_id=grant.pk,
        reason=grant.reason if reason is None else reason,
        changes=changes,
    )
