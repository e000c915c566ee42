"""Background work of API clients: expired access tokens cleared from each council's schema, hourly."""

from celery import shared_task

from core.api_clients.services import api_client_tokens_expired_clear
from tenants.fan_out import councils_fan_out
from tenants.tasks_base import CouncilTask, PlatformTask

TOKENS_CLEAR_COUNCIL = "api_clients.tokens_clear_council"


@shared_task(base=CouncilTask, name=TOKENS_CLEAR_COUNCIL)
def api_client_tokens_clear_council() -> int:
    return api_client_tokens_expired_clear()


@shared_task(base=PlatformTask, name="api_clients.tokens_clear_all")
def api_client_tokens_clear_all() -> int:
    return councils_fan_out(task_name=TOKENS_CLEAR_COUNCIL)
