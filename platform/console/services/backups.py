"""Backing up and restoring a council from the console and the commands, recorded in the platform's audit trail.

The work itself is tenants/services/backups.py; here it is requested, queued and recorded: who asked, and what
came of it (COUNCIL_BACKED_UP, COUNCIL_RESTORED, with the archive's SHA-256 and counts, never its content).
"""

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import NO_ORIGIN, Origin
from core.audit.services.events import audit_record
from tenants.lifecycle import SERVING
from tenants.models import BackupPurpose, BackupStatus, Council, CouncilBackup, CouncilStatus
from tenants.services.backups import RestoreSummary, council_backup_make, council_restore

if TYPE_CHECKING:
    from core.accounts.models import User

logger = logging.getLogger(__name__)

BACKED_UP_STATUSES = (*SERVING, CouncilStatus.SUSPENDED)


class BackupRefused(Exception):
    """The backup cannot be started now (its state, or one already running). Nothing was changed."""


def council_backup_request(
    *, council: Council, actor: "User | None", origin: Origin = NO_ORIGIN, queue: bool = True
) -> CouncilBackup:
    """Record a backup of ``council`` and queue its making (a PlatformTask) once this transaction commits."""
    with transaction.atomic():
        current = Council.objects.select_for_update().get(pk=council.pk)
        if current.status not in BACKED_UP_STATUSES:
            raise BackupRefused(f"{current.name} is {current.get_status_display().lower()}: it has nothing to back up.")
        if CouncilBackup.objects.filter(
            council=current, status__in=[BackupStatus.QUEUED, BackupStatus.RUNNING]
        ).exists():
            raise BackupRefused(f"A backup of {current.name} is already being made.")
        backup = CouncilBackup.objects.create(
            council=current, purpose=BackupPurpose.BACKUP, requested_by_id=actor.pk if actor else None
        )
        if queue:
            transaction.on_commit(lambda: _backup_queue(backup.pk))
    return backup


def _backup_queue(backup_id: int) -> None:
    """Queue the making; a broker that cannot be reached (or, without one, a failure) leaves the backup failed."""
    from console.tasks import council_backup_task  # the tasks module imports these services

    try:
        council_backup_task.delay(backup_id)
    except Exception as error:
        logger.exception("Backup %s could not be queued or failed", backup_id)
        CouncilBackup.objects.filter(pk=backup_id).exclude(status=BackupStatus.DONE).update(
            status=BackupStatus.FAILED, error=f"The backup could not be started: {type(error).__name__}."
        )


def council_backup_record(*, backup_id: int, output: Path | None = None, origin: Origin = NO_ORIGIN) -> CouncilBackup:
    """Make the backup (tenants/services/backups.py) and record in the platform's trail what came of it."""
    backup = CouncilBackup.objects.select_related("council").get(pk=backup_id)
    if backup.status == BackupStatus.DONE:
        return backup  # made by an earlier delivery of the same message: recorded then
    try:
        backup = council_backup_make(backup_id=backup_id, output=output)
    except Exception:
        backup.refresh_from_db()
        backup_audit(backup, origin=origin, outcome=AuditOutcome.FAILURE)
        raise
    backup_audit(backup, origin=origin, outcome=AuditOutcome.SUCCESS)
    return backup


def backup_audit(backup: CouncilBackup, *, origin: Origin, outcome: str) -> None:
    audit_record(
        action=AuditAction.COUNCIL_BACKED_UP,
        outcome=outcome,
        origin=origin,
        actor_id=backup.requested_by_id,
        object_type="council",
        object_id=backup.council.slug,
        reason=f"{backup.get_purpose_display()} {backup.pk}" + (f": {backup.error}" if backup.error else ""),
        changes={
            "archive": {
                "sha256": backup.sha256,
                "size": backup.size,
                "rows": backup.rows,
                "files": backup.file_count,
                "file_bytes": backup.file_bytes,
            }
        },
    )


def council_restore_record(
    *,
    council: Council,
    archive: Path,
    actor: "User | None",
    into_schema: str | None = None,
    replace: bool = False,
    other_council: bool = False,
    reason: str = "",
    origin: Origin = NO_ORIGIN,
) -> RestoreSummary:
    """Restore ``archive`` (tenants/services/backups.py ``council_restore``) and record it, or its refusal."""
    started = timezone.now()
    changes: dict[str, dict[str, object]] = {
        "restore": {"into_schema": into_schema or "", "replace": replace, "other_council": other_council}
    }
    try:
        summary = council_restore(
            council=council, archive=archive, into_schema=into_schema, replace=replace, other_council=other_council
        )
    except Exception as error:
        audit_record(
            action=AuditAction.COUNCIL_RESTORED,
            outcome=AuditOutcome.FAILURE,
            origin=origin,
            actor_id=actor.pk if actor else None,
            object_type="council",
            object_id=council.slug,
            reason=f"{reason} — refused: {type(error).__name__}".strip(" —"),
            changes=changes,
        )
        raise
    changes["restore"] |= {
        "schema": summary.schema,
        "rows": sum(summary.table_rows.values()),
        "files_written": summary.files_written,
        "files_removed": summary.files_removed,
        "cache_keys_deleted": summary.cache_keys_deleted,
        "seconds": round((timezone.now() - started).total_seconds(), 1),
    }
    audit_record(
        action=AuditAction.COUNCIL_RESTORED,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=actor.pk if actor else None,
        object_type="council",
        object_id=council.slug,
        reason=reason or ("restored over its own schema" if replace else f"restored into {into_schema}"),
        changes=changes,
    )
    return summary
