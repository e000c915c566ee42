"""Support access's scheduled work: recording, in each council's audit, the access that ran out (every 5 minutes,
settings ``CELERY_BEAT_SCHEDULE``). A platform task; safe to run twice (each grant is recorded once)."""

from celery import shared_task
from django.utils import timezone

from support.services.expiry import support_expiry_record
from tenants.tasks_base import PlatformTask


@shared_task(base=PlatformTask, name="support.expiry_record")
def support_expiry_record_task() -> int:
    return support_expiry_record(now=timezone.now())
