"""The daily summary, in every council in use: each person whose notices wait for it gets one email."""

from celery import shared_task

from core.inbox.services.digest import digests_send
from tenants.fan_out import councils_fan_out
from tenants.tasks_base import CouncilTask, PlatformTask

DIGEST_COUNCIL = "inbox.digests_send_council"


@shared_task(base=CouncilTask, name=DIGEST_COUNCIL)
def digests_send_council() -> int:
    """Send this council's daily summaries; running it again (or twice at once) emails nobody twice."""
    return digests_send().people


@shared_task(base=PlatformTask, name="inbox.digests_send_all")
def digests_send_all() -> int:
    """Queue the daily summaries in every council that is configuring or live."""
    return councils_fan_out(task_name=DIGEST_COUNCIL)
