"""Background work the console starts: backups, restores and offboarding. Platform tasks (public schema), taking ids,
safe to run twice (each step checks what is already done)."""

from celery import shared_task

from console.services.backups import council_backup_record, council_restore_run
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


@shared_task(base=PlatformTask, name="console.council_restore")
def council_restore_task(restore_id: int) -> str:
    """Restore a kept backup (the owner role's work, on the worker side: docs/adr/0017)."""
    restore = council_restore_run(restore_id=restore_id)
    return restore.target_schema
