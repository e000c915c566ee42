"""Background work of the directory: bulk imports, and resuming those that stalled."""

from celery import shared_task

from core.directory.services.imports import import_job_run, import_jobs_stalled
from tenants.fan_out import councils_fan_out
from tenants.tasks_base import CouncilTask, PlatformTask

RESUME_COUNCIL = "directory.import_jobs_resume_council"


@shared_task(base=CouncilTask, name="directory.import_job_run")
def import_job_run_task(job_id: str) -> str:
    """Import a job's rows in the council it was sent from; running it again resumes or does nothing."""
    return import_job_run(job_id=job_id).status


@shared_task(base=CouncilTask, name=RESUME_COUNCIL)
def import_jobs_resume_council() -> int:
    """Send the council's stalled imports to a worker again (each carries on after its last saved chunk)."""
    stalled = import_jobs_stalled()
    for job_id in stalled:
        import_job_run_task.delay(str(job_id))
    return len(stalled)


@shared_task(base=PlatformTask, name="directory.import_jobs_resume_all")
def import_jobs_resume_all() -> int:
    """Look for stalled imports in every council that is configuring or live."""
    return councils_fan_out(task_name=RESUME_COUNCIL)
