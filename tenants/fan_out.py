"""Send one Celery task to every council in use (configuring or live), each message carrying its schema.

A suspended council's queued work waits until it is resumed; nothing runs in it meanwhile.
"""

from celery import current_app
from django_tenants.utils import schema_context

from tenants.lifecycle import SERVING
from tenants.models import Council


def councils_fan_out(*, task_name: str) -> int:
    """Queue ``task_name`` once per council in use. Returns how many were queued."""
    schemas = list(Council.objects.filter(status__in=SERVING).values_list("schema_name", flat=True))
    for schema_name in schemas:
        with schema_context(schema_name):
            current_app.send_task(task_name)  # tenant-schemas-celery adds the schema header from the connection
    return len(schemas)
