"""Retry waiting notifications, in each council's schema and the platform's."""

from celery import shared_task

from core.notifications.services.outbox import notifications_deliver
from tenants.fan_out import councils_fan_out
from tenants.tasks_base import CouncilTask, PlatformTask

RETRY_COUNCIL = "notifications.retry_council"


@shared_task(base=CouncilTask, name="notifications.deliver_council")
def notifications_deliver_council(ids: list[int]) -> int:
    """Deliver these waiting notifications of the council it was sent from (queued in bulk)."""
    return notifications_deliver(ids=ids)


@shared_task(base=CouncilTask, name=RETRY_COUNCIL)
def notifications_retry_council() -> int:
    return notifications_deliver()


@shared_task(base=PlatformTask, name="notifications.retry_all")
def notifications_retry_all() -> int:
    """Queue a retry in every council that is configuring or live, and deliver the platform's own waiting email."""
    councils_fan_out(task_name=RETRY_COUNCIL)
    return notifications_deliver()
