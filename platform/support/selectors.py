"""Reads of support grants: which one is open for a page now, and what each side lists.

A grant is *open* while it is granted and its end is in the future; that is decided here and nowhere else, at the
moment of each read, so access ends at ``ends_at`` whether or not the expiry job has run.
"""

import datetime
from dataclasses import dataclass
from uuid import UUID

from django.db.models import Q, QuerySet

from core.audit.models import AuditAction, AuditEvent
from support.models import SupportGrant, SupportScope, SupportStatus
from support.scopes import scope_name
from tenants.models import Council

SUPPORT_ACTIONS = (
    AuditAction.SUPPORT_REQUESTED,
    AuditAction.SUPPORT_GRANTED,
    AuditAction.SUPPORT_REFUSED,
    AuditAction.SUPPORT_ENDED,
    AuditAction.SUPPORT_EXPIRED,
    AuditAction.SUPPORT_PAGE_VIEWED,
)
HISTORY_SHOWN = 20
AUDIT_SHOWN = 50
OPERATOR_GRANTS_SHOWN = 20


def open_filter(*, now: datetime.datetime) -> Q:
    """Granted, and not yet at its end."""
    return Q(status=SupportStatus.GRANTED, ends_at__gt=now)


def support_grant_open(
    *, operator_id: UUID, council: Council, scope: str, now: datetime.datetime
) -> SupportGrant | None:
    """The operator's open grant to ``council`` that covers ``scope``, if there is one. One query."""
    if scope not in SupportScope.values:
        return None
    return (
        SupportGrant.objects.filter(open_filter(now=now), council=council, operator_id=operator_id)
        .filter(scopes_granted__contains=[scope])
        .order_by("-ends_at")
        .first()
    )


def support_grants_of_operator(*, operator_id: UUID, council: Council) -> list[SupportGrant]:
    """The operator's requests to ``council`` and what became of them, newest first (bounded)."""
    return list(SupportGrant.objects.filter(council=council, operator_id=operator_id)[:OPERATOR_GRANTS_SHOWN])


def support_requests_waiting(*, council: Council) -> QuerySet[SupportGrant]:
    """Requests the council has not yet answered, oldest first (the first asked is answered first)."""
    return SupportGrant.objects.filter(council=council, status=SupportStatus.REQUESTED).order_by("requested_at")


def support_grants_open(*, council: Council, now: datetime.datetime) -> QuerySet[SupportGrant]:
    return SupportGrant.objects.filter(open_filter(now=now), council=council).order_by("ends_at")


def support_history(*, council: Council, now: datetime.datetime) -> list[SupportGrant]:
    """Requests that are over (refused, withdrawn, ended, or granted and run out), newest first (bounded)."""
    return list(
        SupportGrant.objects.filter(council=council)
        .exclude(status=SupportStatus.REQUESTED)
        .exclude(open_filter(now=now))
        .order_by("-requested_at")[:HISTORY_SHOWN]
    )


@dataclass(frozen=True)
class SupportAuditRow:
    occurred_at: datetime.datetime
    what: str
    operator: str  # "Name (email)"
    by: str  # who did it: the operator, an administrator of the council, or Patchwork itself
    reason: str


def _audit_row(event: AuditEvent) -> SupportAuditRow:
    changes = event.changes or {}
    operator = changes.get("operator") or {}
    administrator = (changes.get("administrator") or {}).get("name", "")
    operator_named = f"{operator.get('name', '')} ({operator.get('email', '')})" if operator else ""
    what = event.get_action_display()
    if event.action == AuditAction.SUPPORT_PAGE_VIEWED:
        what = f"Viewed the {scope_name((changes.get('support') or {}).get('page', ''))} page"
    if event.action == AuditAction.SUPPORT_EXPIRED:
        by = "Patchwork (the access ran out)"
    elif administrator:
        by = administrator
    else:
        by = "Platform staff"
    return SupportAuditRow(
        occurred_at=event.occurred_at, what=what, operator=operator_named, by=by, reason=event.reason
    )


def support_audit_recent() -> list[SupportAuditRow]:
    """The support rows of the current schema's audit trail (every request, decision and page seen), newest first,
    bounded: one query. Called in the council's schema, on its own site."""
    events = AuditEvent.objects.filter(action__in=SUPPORT_ACTIONS).order_by("-occurred_at", "-id")[:AUDIT_SHOWN]
    return [_audit_row(event) for event in events]
