"""The nightly anomaly job, in every council in use: each council looks at its own previous day (its own time
zone). Running it again for a day raises nothing new."""

import datetime
from zoneinfo import ZoneInfo

from celery import shared_task
from django.utils import timezone

from core.privacy.anomalies import anomalies_detect_day, council_time_zone
from tenants.fan_out import councils_fan_out
from tenants.tasks_base import CouncilTask, PlatformTask

DETECT_COUNCIL = "privacy.anomalies_detect_council"


@shared_task(base=CouncilTask, name=DETECT_COUNCIL)
def anomalies_detect_council(day: str | None = None) -> int:
    """Raise the alerts of one council-local day (``YYYY-MM-DD``; yesterday, in the council's time zone, by
    default). Returns how many alerts were raised now."""
    if day:
        when = datetime.date.fromisoformat(day)
    else:
        when = timezone.localdate(timezone=ZoneInfo(council_time_zone())) - datetime.timedelta(days=1)
    return len(anomalies_detect_day(day=when))


@shared_task(base=PlatformTask, name="privacy.anomalies_detect_all")
def anomalies_detect_all() -> int:
    """Queue yesterday's anomaly job in every council that is configuring or live."""
    return councils_fan_out(task_name=DETECT_COUNCIL)
