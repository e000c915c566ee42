"""Background work for onboarding. Tasks take ids and are safe to run twice."""

from celery import shared_task

from onboarding.services.provisioning import SchemaStrategy, council_provision
from tenants.tasks_base import PlatformTask


@shared_task(base=PlatformTask, bind=True, max_retries=3, default_retry_delay=30)
def council_provision_task(self: PlatformTask, council_id: int, strategy: str = "clone", go_live: bool = True) -> str:
    council = council_provision(council_id=council_id, strategy=SchemaStrategy(strategy), go_live=go_live)
    return council.slug
