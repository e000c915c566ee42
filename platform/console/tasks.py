"""Background work the console starts: backups and offboarding. Platform tasks (public schema), taking ids,
safe to run twice (each step checks what is already done)."""

from celery import shared_task

from console.services.backups import council_backup_record
from console.services.offboarding import offboarding_run
from tenants.tasks_base import PlatformTask


@shared_task(base=PlatformTask, name="console.council_backup")
def council_backup_task(backup_id: int) -> str:
    backup = council_backup_record(backup_id=backup_id)
    return backup.sha256


@shared_task(base=PlatformTask, name="console.council_offboard")
def council_offboard_task(offboarding_id: int) -> str:
    offboarding = offboarding_run(offboarding_id=offboarding_id)
    return offboarding.step
