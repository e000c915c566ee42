"""Backing up and restoring a council from the console and the commands, recorded in the platform's audit trail.

The work itself is tenants/services/backups.py; here it is requested, queued and recorded: who asked, and what
came of it (COUNCIL_BACKED_UP, COUNCIL_RESTORED, with the archive's SHA-256 and counts, never its content).
"""

import logging
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import UUID

from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone

from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.audit.origin import NO_ORIGIN, Origin
from core.audit.services.events import audit_record
from tenants.lifecycle import SERVING
from tenants.models import (
    BackupPurpose,
    BackupStatus,
    Council,
    CouncilBackup,
    CouncilRestore,
    CouncilStatus,
    RestoreMode,
)
from tenants.services.backups import (
    PRIVATE_STORAGE,
    ArchiveRefused,
    Progress,
    RestoreRefused,
    RestoreSummary,
    archive_sha256,
    council_backup_make,
    council_restore,
    restore_target_check,
)

if TYPE_CHECKING:
    from core.accounts.models import User

logger = logging.getLogger(__name__)

BACKED_UP_STATUSES = (*SERVING, CouncilStatus.SUSPENDED)
# A council is restored while it has a schema of its own to restore over or beside: not once it is leaving.
RESTORABLE_STATUSES = BACKED_UP_STATUSES
UNDER_WAY = (BackupStatus.QUEUED, BackupStatus.RUNNING)
RESTORE_TASK_ORIGIN = Origin(path="console.council_restore")


class BackupRefused(Exception):
    """The backup cannot be started now (its state, or one already running). Nothing was changed."""


class RestoreNotStarted(BackupRefused):
    """The restore cannot be started now: the council's state, another backup or restore under way, a backup
    not kept or of another council, a target schema that exists. Nothing was changed."""


def _under_way(council: Council) -> str:
    """What of ``council`` is being backed up or restored now, worded for an operator; '' if nothing."""
    if CouncilBackup.objects.filter(council=council, status__in=UNDER_WAY).exists():
        return f"A backup of {council.name} is already being made."
    if CouncilRestore.objects.filter(council=council, status__in=UNDER_WAY).exists():
        return f"A restore of {council.name} is under way."
    return ""


def council_backup_request(
    *, council: Council, actor: "User | None", origin: Origin = NO_ORIGIN, queue: bool = True
) -> CouncilBackup:
    """Record a backup of ``council`` and queue its making (a PlatformTask) once this transaction commits."""
    with transaction.atomic():
        current = Council.objects.select_for_update().get(pk=council.pk)
        if current.status not in BACKED_UP_STATUSES:
            raise BackupRefused(f"{current.name} is {current.get_status_display().lower()}: it has nothing to back up.")
        if busy := _under_way(current):
            raise BackupRefused(busy)
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


def restored_copies_of(council: Council) -> list[str]:
    """Every schema a backup of the council was restored into beside it (not over its own): from the console's
    restore records and, for the command's, the platform's audit trail. Offboarding drops them with the council."""
    copies = set(
        CouncilRestore.objects.filter(council=council, mode=RestoreMode.NEW_SCHEMA).values_list(
            "target_schema", flat=True
        )
    )
    restored = AuditEvent.objects.filter(
        action=AuditAction.COUNCIL_RESTORED, object_type="council", object_id=council.slug
    ).values_list("changes", flat=True)
    for changes in restored:
        into = ((changes or {}).get("restore") or {}).get("into_schema")
        if into:
            copies.add(str(into))
    return sorted(copies - {council.schema_name, ""})


def council_restore_record(
    *,
    council: Council,
    archive: Path,
    actor_id: UUID | None,
    into_schema: str | None = None,
    replace: bool = False,
    other_council: bool = False,
    reason: str = "",
    expected_sha256: str | None = None,
    origin: Origin = NO_ORIGIN,
    progress: Progress | None = None,
    source: dict[str, str] | None = None,
) -> RestoreSummary:
    """Restore ``archive`` (tenants/services/backups.py ``council_restore``) and record it, or its refusal.

    With ``expected_sha256`` (a kept backup's, from its row) an archive whose SHA-256 differs is refused before
    anything is read from it: the manifest's own digests guard against damage, the row's against rewriting.
    ``source`` says where the archive was made from when it is not a backup (a restored instance and bucket:
    their names, never credentials), for the record.
    """
    started = timezone.now()
    changes: dict[str, dict[str, object]] = {
        "restore": {
            "target": council.schema_name if replace else into_schema or "",
            "into_schema": into_schema or "",
            "replace": replace,
            "other_council": other_council,
            "sha256": "",
            **({"source": dict(source)} if source else {}),
        }
    }
    try:
        changes["restore"]["sha256"] = sha256 = archive_sha256(archive)
        if expected_sha256 is not None and sha256 != expected_sha256:
            raise ArchiveRefused(
                f"The archive's SHA-256 is {sha256}, not the {expected_sha256} recorded when the backup was made."
            )
        summary = council_restore(
            council=council,
            archive=archive,
            into_schema=into_schema,
            replace=replace,
            other_council=other_council,
            **({"progress": progress} if progress else {}),
        )
    except Exception as error:
        refusal = f"{error}" if isinstance(error, ArchiveRefused | RestoreRefused) else type(error).__name__
        audit_record(
            action=AuditAction.COUNCIL_RESTORED,
            outcome=AuditOutcome.FAILURE,
            origin=origin,
            actor_id=actor_id,
            object_type="council",
            object_id=council.slug,
            reason=f"{reason} — refused: {refusal}".strip(" —"),
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
        actor_id=actor_id,
        object_type="council",
        object_id=council.slug,
        reason=reason or ("restored over its own schema" if replace else f"restored into {into_schema}"),
        changes=changes,
    )
    return summary


# --- Restoring a kept backup from the console ----------------------------------------------------


def restorable_backup(backup: CouncilBackup) -> bool:
    """A backup the console can restore from: finished and kept in private storage (not written elsewhere)."""
    return backup.status == BackupStatus.DONE and bool(backup.storage_name) and bool(backup.sha256)


def restore_blocked(*, council: Council, backup: CouncilBackup) -> str:
    """Why ``backup`` cannot be restored for ``council`` now, worded for an operator; '' if it can."""
    if backup.council_id != council.pk:
        return f"This backup is not one of {council.name}'s: it is not restored here."
    if council.status not in RESTORABLE_STATUSES:
        return f"{council.name} is {council.get_status_display().lower()}: it is not restored."
    if busy := _under_way(council):
        return busy
    if not restorable_backup(backup):
        return "This backup is not kept in the platform's storage: it cannot be restored here."
    return ""


def council_restore_request(
    *,
    council: Council,
    backup: CouncilBackup,
    actor: "User | None",
    mode: str,
    into_schema: str = "",
    reason: str,
    origin: Origin = NO_ORIGIN,
    queue: bool = True,
) -> CouncilRestore:
    """Record a restore of ``backup`` into ``into_schema`` (``RestoreMode.NEW_SCHEMA``) or over the council's own
    schema (``RestoreMode.REPLACE``), and queue it (a PlatformTask) once this transaction commits.

    Refused (``RestoreNotStarted``, nothing changed) if the council is leaving or closed, another backup or
    restore of it is under way, the backup is not kept or is another council's, or the target schema is not
    one a copy can be made in (``restore_target_check``). The archive itself is checked by the task.
    """
    if mode not in RestoreMode.values:
        raise RestoreNotStarted("Choose where to restore the backup.")
    if not reason.strip():
        raise RestoreNotStarted("A restore needs a reason.")
    with transaction.atomic():
        current = Council.objects.select_for_update().get(pk=council.pk)
        if blocked := restore_blocked(council=current, backup=backup):
            raise RestoreNotStarted(blocked)
        if mode == RestoreMode.REPLACE:
            target = current.schema_name
        else:
            target = into_schema.strip()
            try:
                restore_target_check(target)
            except RestoreRefused as refusal:
                raise RestoreNotStarted(str(refusal)[0].upper() + str(refusal)[1:]) from refusal
            if CouncilRestore.objects.filter(target_schema=target, status__in=UNDER_WAY).exists():
                raise RestoreNotStarted(f"Another restore is being made into {target}.")
        restore = CouncilRestore.objects.create(
            council=current,
            backup=backup,
            backup_sha256=backup.sha256,
            mode=mode,
            target_schema=target,
            reason=reason.strip()[:300],
            requested_by_id=actor.pk if actor else None,
        )
        if queue:
            transaction.on_commit(lambda: _restore_queue(restore.pk))
    return restore


def council_restore_retry(*, restore: CouncilRestore, queue: bool = True) -> CouncilRestore:
    """Queue a failed restore again, after the same checks as a new one (the council's state, nothing else
    under way, the target still free for a copy). Its earlier error stays in the audit trail."""
    with transaction.atomic():
        current = Council.objects.select_for_update().get(pk=restore.council_id)
        restore = CouncilRestore.objects.select_for_update().get(pk=restore.pk)
        if restore.status != BackupStatus.FAILED:
            raise RestoreNotStarted("Only a restore that stopped can be run again.")
        if current.status not in RESTORABLE_STATUSES:
            raise RestoreNotStarted(f"{current.name} is {current.get_status_display().lower()}: it is not restored.")
        if busy := _under_way(current):
            raise RestoreNotStarted(busy)
        if restore.backup is None or not restorable_backup(restore.backup):
            raise RestoreNotStarted("The backup is no longer kept: this restore cannot be run again.")
        if not restore.replaces:
            try:
                restore_target_check(restore.target_schema)
            except RestoreRefused as refusal:
                raise RestoreNotStarted(str(refusal)[0].upper() + str(refusal)[1:]) from refusal
        restore.status, restore.step, restore.progress, restore.error = BackupStatus.QUEUED, "", 0, ""
        restore.save(update_fields=["status", "step", "progress", "error"])
        if queue:
            transaction.on_commit(lambda: _restore_queue(restore.pk))
    return restore


def _restore_queue(restore_id: int) -> None:
    """Queue the restore; a broker that cannot be reached (or, without one, a failure) leaves it failed."""
    from console.tasks import council_restore_task  # the tasks module imports these services

    try:
        council_restore_task.delay(restore_id)
    except Exception as error:
        logger.exception("Restore %s could not be queued or failed", restore_id)
        CouncilRestore.objects.filter(pk=restore_id).exclude(status=BackupStatus.DONE).update(
            status=BackupStatus.FAILED, error=f"The restore could not be started: {type(error).__name__}."
        )


def _restore_progress(restore: CouncilRestore, *, step: str, percent: int, **fields: object) -> None:
    """Record how far a restore is, committed on its own (never inside the restore's transaction: the
    database part runs on the owner's session, after which these writes go on the application's)."""
    restore.step, restore.progress = step[:80], max(0, min(percent, 100))
    for name, value in fields.items():
        setattr(restore, name, value)
    CouncilRestore.objects.filter(pk=restore.pk).update(step=restore.step, progress=restore.progress, **fields)


def council_restore_run(*, restore_id: int) -> CouncilRestore:
    """Restore a recorded restore's backup (the background task's work), and record what came of it.

    Safe to run twice: a finished restore is left as it is. The archive is copied from private storage into a
    temporary file, its SHA-256 compared with the backup row's, then ``council_restore`` checks every member
    before anything changes. COUNCIL_RESTORED is recorded either way, with the operator, the reason, the
    archive's SHA-256 and the target.
    """
    restore = CouncilRestore.objects.select_related("council", "backup").get(pk=restore_id)
    if restore.status == BackupStatus.DONE:
        return restore
    restore.attempts += 1
    _restore_progress(
        restore, step="Starting", percent=1, status=BackupStatus.RUNNING, error="", attempts=restore.attempts
    )
    try:
        if restore.backup is None or not restorable_backup(restore.backup):
            raise ArchiveRefused("The backup is no longer kept.")
        council = Council.objects.get(pk=restore.council_id)  # it may have started leaving since it was queued
        if council.status not in RESTORABLE_STATUSES:
            raise RestoreRefused(f"{council.name} is {council.get_status_display().lower()}: it is not restored.")
        with tempfile.TemporaryDirectory(prefix="patchwork-restore-copy-") as work:
            archive = Path(work) / "archive.tar.gz"
            _restore_progress(restore, step="Fetching the archive", percent=2)
            try:
                with (
                    storages[PRIVATE_STORAGE].open(restore.backup.storage_name, "rb") as source,
                    archive.open("wb") as out,
                ):
                    for chunk in iter(lambda: source.read(1 << 20), b""):
                        out.write(chunk)
            except FileNotFoundError as missing:
                raise ArchiveRefused("The backup's archive is missing from the platform's storage.") from missing
            summary = council_restore_record(
                council=restore.council,
                archive=archive,
                actor_id=restore.requested_by_id,
                into_schema=None if restore.replaces else restore.target_schema,
                replace=restore.replaces,
                reason=f"{restore.reason} (restore {restore.pk})",
                expected_sha256=restore.backup_sha256,
                origin=RESTORE_TASK_ORIGIN,
                progress=lambda step, percent: _restore_progress(restore, step=step, percent=min(percent, 99)),
            )
    except Exception as error:
        logger.exception("Restore %s of council %s failed", restore.pk, restore.council.slug)
        _restore_progress(
            restore,
            step="Failed",
            percent=restore.progress,
            status=BackupStatus.FAILED,
            # Only our own refusals are worded for operators; anything else is named, not quoted.
            error=str(error)[:500]
            if isinstance(error, ArchiveRefused | RestoreRefused)
            else f"The restore stopped: {type(error).__name__}.",
        )
        raise
    _restore_progress(
        restore,
        step="Done",
        percent=100,
        status=BackupStatus.DONE,
        finished_at=timezone.now(),
        table_rows=summary.table_rows,
        files_written=summary.files_written,
        files_removed=summary.files_removed,
        cache_keys_deleted=summary.cache_keys_deleted,
    )
    return restore
