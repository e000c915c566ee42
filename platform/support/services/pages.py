"""A page of a council seen by platform staff under support access: checked, read and recorded at once.

The grant is checked first, at this moment (granted, before its end, for this page, this council and this
operator). Without one the page is "not found", nothing is read from the council's schema, and the refusal is
recorded in the platform's audit trail. With one, the page is read in the council's schema and the view recorded in
the council's audit trail (for its administrators) and the platform's.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from core.accounts.models import User
from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from support.council_schema import in_council_schema
from support.granted_pages import AgenciesPage, PeoplePage, SettingsPage, agencies_page, people_page, settings_page
from support.models import SupportGrant, SupportScope
from support.selectors import support_grant_open
from support.services.recording import grant_audit_record
from tenants.lifecycle import RESOLVING
from tenants.models import Council


class SupportPageRefused(Exception):
    """No open grant covers this page for this operator now: the page answers 404 (recorded as denied)."""


@dataclass(frozen=True)
class SupportPage:
    grant: SupportGrant
    scope: str
    content: PeoplePage | AgenciesPage | SettingsPage


def _denied(*, operator: User, council_slug: str, scope: str, origin: Origin) -> SupportPageRefused:
    audit_record(
        action=AuditAction.SUPPORT_PAGE_VIEWED,
        outcome=AuditOutcome.DENIED,
        origin=origin,
        actor_id=operator.pk,
        object_type="council",
        object_id=council_slug,
        reason=f"No open support grant for the {scope[:40]} page",
    )
    return SupportPageRefused()


def support_page_view(
    *,
    operator: User,
    council: Council | None,
    council_slug: str,
    scope: str,
    origin: Origin,
    page_number: object = 1,
    now: datetime.datetime | None = None,
) -> SupportPage:
    """The page ``scope`` of ``council`` for ``operator``, if an open grant covers it; ``SupportPageRefused`` (after
    recording the denial in the platform's trail) if not, with nothing read from the council's schema."""
    now = now or timezone.now()
    grant = None
    if operator.is_staff and council is not None and council.status in RESOLVING:
        grant = support_grant_open(operator_id=operator.pk, council=council, scope=scope, now=now)
    if grant is None or council is None:
        raise _denied(operator=operator, council_slug=council_slug, scope=scope, origin=origin)
    with transaction.atomic():
        with in_council_schema(council):
            content: PeoplePage | AgenciesPage | SettingsPage
            if scope == SupportScope.PEOPLE:
                content = people_page(number=page_number, now=now)
            elif scope == SupportScope.AGENCIES:
                content = agencies_page()
            else:
                content = settings_page(council=council)
            grant_audit_record(
                grant=grant, action=AuditAction.SUPPORT_PAGE_VIEWED, origin=origin, actor_id=operator.pk, page=scope
            )
        grant_audit_record(
            grant=grant, action=AuditAction.SUPPORT_PAGE_VIEWED, origin=origin, actor_id=operator.pk, page=scope
        )
    return SupportPage(grant=grant, scope=scope, content=content)
