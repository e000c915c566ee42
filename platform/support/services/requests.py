"""The operator's side: asking a council for support access, and withdrawing the request (or giving access up).

Asking is written in the council's own audit trail and the platform's, and tells the council's administrators (a
notice, and an email as each prefers) with a link to their support page. Nothing is opened by asking.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from core.accounts.models import User
from core.audit.models import AuditAction
from core.audit.origin import Origin
from core.directory.models import Practitioner
from core.inbox.models import NoticeKind
from core.inbox.services.digest import council_site
from core.inbox.services.notices import notices_send
from support.council_schema import in_council_schema
from support.models import SupportGrant, SupportScope, SupportStatus
from support.scopes import scopes_named
from support.selectors import open_filter
from support.services import SupportGrantNotFound, SupportRefused
from support.services.checks import hours_checked, reason_checked, scopes_checked
from support.services.recording import grant_audit_record
from tenants.lifecycle import SERVING
from tenants.models import Council

SUPPORT_PAGE_PATH = "/administration/support/"  # on the council's site (support/urls.py)


def _operator_check(operator: User) -> None:
    if not (operator.is_staff and operator.is_active):
        raise SupportRefused("Only platform staff ask for support access.")


def support_request(
    *, operator: User, council: Council, reason: str, scopes: list[str], hours: int, origin: Origin
) -> SupportGrant:
    """Ask ``council`` for access to ``scopes`` for ``hours``, giving ``reason``. Refused (nothing written) for a
    council that is not setting up or live, or while the operator's earlier request waits or their access is open."""
    _operator_check(operator)
    reason = reason_checked(reason, missing="Enter why you need access")
    scopes = scopes_checked(scopes, allowed=SupportScope.values)
    hours = hours_checked(hours)
    now = timezone.now()
    with transaction.atomic():
        current = Council.objects.select_for_update().get(pk=council.pk)  # one request at a time per council
        if current.status not in SERVING:
            raise SupportRefused(
                f"{current.name} is {current.get_status_display().lower()}: support access is asked only of a council "
                "that is setting up or live."
            )
        mine = SupportGrant.objects.filter(council=current, operator_id=operator.pk)
        if mine.filter(status=SupportStatus.REQUESTED).exists():
            raise SupportRefused(
                f"Your earlier request to {current.name} is still waiting for an answer. Withdraw it to ask again."
            )
        if mine.filter(open_filter(now=now)).exists():
            raise SupportRefused(f"You already have support access to {current.name}. Give it up to ask again.")
        grant = SupportGrant.objects.create(
            council=current,
            operator_id=operator.pk,
            operator_name=operator.full_name or operator.email,
            operator_email=operator.email,
            reason=reason,
            scopes_requested=scopes,
            hours_requested=hours,
        )
        with in_council_schema(current):
            grant_audit_record(grant=grant, action=AuditAction.SUPPORT_REQUESTED, origin=origin, actor_id=operator.pk)
            _administrators_tell(grant=grant, council=current)
        grant_audit_record(grant=grant, action=AuditAction.SUPPORT_REQUESTED, origin=origin, actor_id=operator.pk)
    return grant


def _administrators_tell(*, grant: SupportGrant, council: Council) -> None:
    """A notice (and an email, as each prefers) to every active administrator of the council. In its schema."""
    administrators = [
        practitioner.user
        for practitioner in Practitioner.objects.filter(is_council_admin=True, user__is_active=True).select_related(
            "user"
        )
    ]
    hours = f"{grant.hours_requested} hour{'s' if grant.hours_requested != 1 else ''}"
    notices_send(
        recipients=administrators,
        kind=NoticeKind.ACCOUNT,
        text=(
            f"{grant.operator_name} of the Patchwork platform team asks for support access to {council.name} "
            f"({scopes_named(grant.scopes_requested)}) for {hours}: {grant.reason}"
        ),
        link=SUPPORT_PAGE_PATH,
        subject="Patchwork support asks for access",
        origin=council_site(),
    )


def support_withdraw(
    *, operator: User, grant: SupportGrant, origin: Origin, now: datetime.datetime | None = None
) -> SupportGrant:
    """Withdraw the operator's own waiting request, or give up their open access before it runs out."""
    _operator_check(operator)
    now = now or timezone.now()
    with transaction.atomic():
        current = (
            SupportGrant.objects.select_for_update(of=("self",))
            .select_related("council")
            .filter(pk=grant.pk, operator_id=operator.pk)
            .first()
        )
        if current is None:
            raise SupportGrantNotFound
        was_open = current.status == SupportStatus.GRANTED and current.ends_at is not None and current.ends_at > now
        if current.status != SupportStatus.REQUESTED and not was_open:
            raise SupportRefused(
                f"This request to {current.council.name} is already over ({current.get_status_display().lower()})."
            )
        current.status = SupportStatus.WITHDRAWN
        fields = ["status"]
        if was_open:
            current.ended_at = now
            current.ended_by_id = operator.pk
            fields += ["ended_at", "ended_by_id"]
        current.save(update_fields=fields)
        action = AuditAction.SUPPORT_ENDED
        reason = "Given up by platform staff" if was_open else "Withdrawn by platform staff"
        with in_council_schema(current.council):
            grant_audit_record(grant=current, action=action, origin=origin, actor_id=operator.pk, reason=reason)
        grant_audit_record(grant=current, action=action, origin=origin, actor_id=operator.pk, reason=reason)
    return current
