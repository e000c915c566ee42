"""The month's close, as the schedule runs it on the 1st (``billing.month_close``): the month just ended counted in
every council from its own audit trail, then each council counted invoiced; a second run changes nothing.

Run through the task (eagerly, in this process) against the real counting of active practitioners
(billing/services/metering.py): practitioners who signed in during November in Alpha's own schema.
"""

import datetime

import pytest
import time_machine
from django_tenants.utils import schema_context

from billing.models import Invoice, Usage
from billing.tasks import month_close_task
from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.notifications.models import Notification
from tenants.models import Council, CouncilStatus
from tests.billing.test_invoices import NOVEMBER, Billed, billed, operator, private_folder, today
from tests.factories import PractitionerFactory

__all__ = ["billed", "operator", "private_folder", "today"]  # the fixtures, shared with test_invoices.py

pytestmark = pytest.mark.platform_side

CLOSE = datetime.datetime(2026, 12, 1, 4, 0, tzinfo=datetime.UTC)  # the schedule: the 1st at 04:00 UTC


def _signed_in(council: Council, *, people: int, when: datetime.datetime, outcome: str = AuditOutcome.SUCCESS) -> None:
    with schema_context(council.schema_name):
        for _ in range(people):
            practitioner = PractitionerFactory()
            for hours in (0, 30):  # twice in the month: counted once
                AuditEvent.objects.create(
                    actor_id=practitioner.user_id,
                    council=council.schema_name,
                    action=AuditAction.SIGN_IN,
                    outcome=outcome,
                    occurred_at=when + datetime.timedelta(hours=hours),
                )


def test_the_month_close_counts_each_councils_active_practitioners_and_invoices_them(billed: Billed) -> None:
    # Billable: live since before November (the test councils are provisioned without going through go-live).
    Council.objects.filter(pk=billed.alpha.pk).update(
        status=CouncilStatus.LIVE, activated_at=datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC)
    )
    _signed_in(billed.alpha, people=3, when=datetime.datetime(2026, 11, 10, 9, 0, tzinfo=datetime.UTC))
    _signed_in(billed.alpha, people=2, when=datetime.datetime(2026, 10, 20, 9, 0, tzinfo=datetime.UTC))  # October
    _signed_in(
        billed.alpha, people=4, when=datetime.datetime(2026, 11, 12, 9, 0, tzinfo=datetime.UTC), outcome="failure"
    )

    with time_machine.travel(CLOSE, tick=False):
        result = month_close_task.apply().get()
        again = month_close_task.apply().get()

    usage = Usage.objects.get(council=billed.alpha, period=NOVEMBER)
    assert usage.active_practitioners == 3
    invoice = Invoice.objects.get(council=billed.alpha, period=NOVEMBER)
    assert invoice.lines.get().description == "Minimum charge: 100 practitioners (3 active in November 2026)"
    assert invoice.number in result["issued"]
    assert again["issued"] == []
    assert Invoice.objects.filter(council=billed.alpha).count() == 1
    assert Notification.objects.filter(subject__contains=invoice.number).count() == 1
