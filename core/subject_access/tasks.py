"""Background work of subject access: the export, and a sweep that removes exports whose link expired unused
and sends again those whose worker was lost."""

from celery import shared_task

from core.subject_access.services.exports import (
    subject_access_export,
    subject_access_exports_expire,
    subject_access_exports_stalled,
)
from tenants.fan_out import councils_fan_out
from tenants.tasks_base import CouncilTask, PlatformTask

SWEEP_COUNCIL = "subject_access.sweep_council"


@shared_task(base=CouncilTask, name="subject_access.export")
def subject_access_export_task(request_id: str) -> str:
    """Export the request's client in the council it was sent from; running it again does nothing more."""
    request = subject_access_export(request_id=request_id)
    return request.state if request is not None else "missing"


@shared_task(base=CouncilTask, name=SWEEP_COUNCIL)
def subject_access_sweep_council() -> int:
    """Expire unused exports past their link's life; send stalled exports to a worker again."""
    expired = subject_access_exports_expire()
    for request_id in subject_access_exports_stalled():
        subject_access_export_task.delay(str(request_id))
    return expired


@shared_task(base=PlatformTask, name="subject_access.sweep_all")
def subject_access_sweep_all() -> int:
    return councils_fan_out(task_name=SWEEP_COUNCIL)
