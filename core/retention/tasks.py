"""The nightly retention job, in every council in use: list what has passed the schedule for the privacy officer;
and, once a list is approved, erase it. Both are safe to run again."""

from celery import shared_task

from core.retention.models import RetentionRun
from core.retention.services.runs import retention_run_execute, retention_run_prepare
from tenants.fan_out import councils_fan_out
from tenants.tasks_base import CouncilTask, PlatformTask

PREPARE_COUNCIL = "retention.retention_run_prepare_council"


@shared_task(base=CouncilTask, name=PREPARE_COUNCIL)
def retention_run_prepare_council() -> str | None:
    """List tonight's due records in this council (and send again an approved list whose erasure was lost).
    Returns the id of the list waiting for the privacy officer, if any."""
    for run_id in RetentionRun.objects.filter(state=RetentionRun.State.APPROVED).values_list("pk", flat=True):
        retention_run_execute_task.delay(str(run_id))
    run = retention_run_prepare()
    return None if run is None else str(run.pk)


@shared_task(base=CouncilTask, name="retention.retention_run_execute")
def retention_run_execute_task(run_id: str) -> str:
    """Erase an approved list in the council it was sent from; running it again does nothing more."""
    return retention_run_execute(run_id=run_id).state


@shared_task(base=PlatformTask, name="retention.retention_run_prepare_all")
def retention_run_prepare_all() -> int:
    """Queue tonight's retention listing in every council that is configuring or live."""
    return councils_fan_out(task_name=PREPARE_COUNCIL)
