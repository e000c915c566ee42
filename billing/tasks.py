"""Billing's scheduled work, on the platform (``public`` schema); both are safe to run again (CELERY_BEAT_SCHEDULE).

* ``billing.month_close`` (the 1st of each month): the month just ended is counted in every council, then each
  council counted in it is invoiced. A council already counted or invoiced is left as it was.
* ``billing.overdue_remind`` (each morning): overdue invoices reminded, each at most once a week.
"""

import datetime

from celery import shared_task
from django.utils import timezone

from billing.prices import month_before, month_start
from billing.services.invoices import invoices_issue
from billing.services.metering import usage_meter
from billing.services.payments import overdue_remind
from tenants.tasks_base import PlatformTask


@shared_task(base=PlatformTask, name="billing.month_close")
def month_close_task(period: str | None = None) -> dict[str, object]:
    """Count and invoice ``period`` (``YYYY-MM-01``; by default the month before today's, in UTC: the schedule runs
    at 04:00 UTC on the 1st, when that month is over in every council's time zone)."""
    month = datetime.date.fromisoformat(period) if period else month_before(month_start(timezone.now().date()))
    metered = usage_meter(period=month)
    issued = invoices_issue(period=month)
    return {
        "period": month.isoformat(),
        "counted": metered.counted,
        "issued": [invoice.number for invoice in issued.issued],
        "already": len(issued.already),
        "failed": [failure.council_slug for failure in issued.failed],
    }


@shared_task(base=PlatformTask, name="billing.overdue_remind")
def overdue_remind_task() -> int:
    return overdue_remind(today=timezone.now().date())
