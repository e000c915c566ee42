"""Background work of the directory: bulk imports."""

from celery import shared_task

from core.directory.services.imports import import_job_run
from tenants.tasks_base import CouncilTask


@shared_task(base=CouncilTask, name="directory.import_job_run")
def import_job_run_task(job_id: str) -> str:
    """Import a job's rows in the council it was sent from; running it again resumes or does nothing."""
    return import_job_run(job_id=job_id).status
