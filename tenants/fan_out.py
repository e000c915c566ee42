"""Send one Celery task to every active council, each message carrying that council's schema."""

from django_tenants.utils import schema_context

from config.celery import app
from tenants.models import Council, CouncilStatus


def councils_fan_out(*, task_name: str) -> int:
    """Queue ``task_name`` once per active council. Returns how many were queued."""
    schemas = list(Council.objects.filter(status=CouncilStatus.ACTIVE).values_list("schema_name", flat=True))
    for schema_name in schemas:
        with schema_context(schema_name):
            app.send_task(task_name)  # tenant-schemas-celery adds the schema header from the connection
    return len(schemas)
