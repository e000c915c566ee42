"""Support access that ran out, recorded once in its council's audit trail.

Recording is all this does: the access itself ended at ``ends_at``, because every page checks the grant's end when
it is asked for (support.selectors.support_grant_open). A grant is marked recorded in the same transaction as its
audit row, and rows another run holds are skipped, so two runs at once record each grant once.
"""

import datetime

from django.db import transaction

from core.audit.models import AuditAction
from core.audit.origin import Origin
from support.council_schema import in_council_schema
from support.models import SupportGrant, SupportStatus
from support.services.recording import grant_audit_record
from tenants.lifecycle import RESOLVING

EXPIRY_ORIGIN = Origin(path="support.expiry_record")
BATCH = 200


def support_expiry_record(*, now: datetime.datetime) -> int:
    """Record every granted access whose end has passed and is not yet recorded. Returns how many were recorded."""
    recorded = 0
    while True:
        with transaction.atomic():
            due = list(
                SupportGrant.objects.select_for_update(of=("self",), skip_locked=True)
                .select_related("council")
                .filter(status=SupportStatus.GRANTED, ends_at__lte=now, expiry_recorded=False)
                .filter(council__status__in=RESOLVING)  # an offboarded council's schema is gone
                .order_by("ends_at", "pk")[:BATCH]
            )
            for grant in due:
                with in_council_schema(grant.council):
                    grant_audit_record(
                        grant=grant,
                        action=AuditAction.SUPPORT_EXPIRED,
                        origin=EXPIRY_ORIGIN,
                        actor_id=None,
                        reason="The access ran out at the end the council gave it",
                    )
                grant.expiry_recorded = True
                grant.save(update_fields=["expiry_recorded"])
        recorded += len(due)
        if len(due) < BATCH:
            return recorded
