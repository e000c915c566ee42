"""The audit trail's nightly copy to the archive storage (docs/adr/0031): the platform's own trail, then a task in
each council in use, each archiving its own finished days not yet archived. Running it again writes nothing twice."""

from celery import shared_task
from django.db import connection

from core.audit.services.archive import audit_archive_catch_up
from tenants.fan_out import councils_fan_out
from tenants.tasks_base import CouncilTask, PlatformTask

ARCHIVE_COUNCIL = "audit.archive_council"


@shared_task(base=CouncilTask, name=ARCHIVE_COUNCIL)
def archive_council() -> int:
    """Archive this council's days not yet archived (up to yesterday, UTC). Returns how many were archived now."""
    return len(audit_archive_catch_up(council=connection.schema_name))


@shared_task(base=PlatformTask, name="audit.archive_all")
def archive_all() -> int:
    """Archive the platform's own trail here, then queue each council's. Returns how many councils were queued."""
    audit_archive_catch_up(council=connection.schema_name)
    return councils_fan_out(task_name=ARCHIVE_COUNCIL)
