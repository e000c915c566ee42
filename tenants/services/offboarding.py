"""What leaving takes, step by step (docs/adr/0017): the final export, its hand-over, and deleting everything of the
council but its ``Council`` row (closed), its order (the billing record) and its offboarding record (the deletion
certificate).

Each step is safe to run again: it looks at what is already done (recorded on the ``Offboarding`` row, committed
as it goes) and does the rest, so a run that stopped halfway is finished by running it again. Recording in the
audit trail and moving the council through its lifecycle are the caller's (console/services/offboarding.py).
"""

import hashlib
import json
import logging
import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from celery import current_app
from django.db import connection, transaction
from django.utils import timezone
from psycopg import sql

from tenants.models import BackupPurpose, BackupStatus, Council, CouncilBackup, Domain, Offboarding
from tenants.schema_state import schema_exists
from tenants.services.backups import (
    council_backup_make,
    council_cache_keys_delete,
    council_files,
    council_files_delete,
    council_folders_remove,
)
from tenants.services.schemas import council_schema_drop, schema_drop

logger = logging.getLogger(__name__)

HANDOVER_VALID_FOR = timedelta(days=7)


class OffboardingRefused(Exception):
    """The step asked for cannot be done now (it would delete before the hand-over, …). Nothing was changed."""


def _save(offboarding: Offboarding, **fields: Any) -> None:
    """Record on the offboarding row, committed on its own so the console sees it and a re-run knows."""
    for name, value in fields.items():
        setattr(offboarding, name, value)
    with transaction.atomic():
        offboarding.save(update_fields=list(fields))


def offboarding_progress(offboarding: Offboarding, *, step: str, percent: int, error: str = "") -> None:
    _save(offboarding, step=step, progress=max(0, min(percent, 100)), error=error)


# --- The final export --------------------------------------------------------------------------


def offboarding_export_make(*, offboarding: Offboarding) -> CouncilBackup:
    """The final export: the same archive as a backup, kept in private storage until the data is deleted."""
    export = offboarding.export
    if export is not None and export.status == BackupStatus.DONE:
        return export
    if export is None or export.status == BackupStatus.FAILED:
        export = CouncilBackup.objects.create(
            council_id=offboarding.council_id,
            purpose=BackupPurpose.FINAL_EXPORT,
            requested_by_id=offboarding.started_by_id,
        )
        _save(offboarding, export=export)
    export = council_backup_make(backup_id=export.pk)
    _save(offboarding, export=export, export_sha256=export.sha256, export_size=export.size)
    return export


def council_dpo_email(*, council: Council) -> str:
    """The DPO contact the council recorded for going live (its governance row), or "" if none. One query.

    Read from the council's schema by name, as tenants imports no council app (a raw read, not a selector).
    """
    if not schema_exists(council.schema_name):
        return ""
    table = sql.Identifier(council.schema_name, "council_councilgovernance")
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [table.as_string(connection.connection)])
        if cursor.fetchone()[0] is None:
            return ""
        cursor.execute(sql.SQL("SELECT dpo_email FROM {} ORDER BY id LIMIT 1").format(table))
        row = cursor.fetchone()
    return (row[0] or "").strip() if row else ""


# --- The hand-over -----------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def handover_link_issue(*, offboarding: Offboarding, email: str) -> str:
    """A new single-use, expiring token for downloading the final export (any earlier one stops working).

    Only its SHA-256 is kept: the token itself exists only in the email. Returns the token.
    """
    if offboarding.deleted_at is not None or offboarding.deletion:
        raise OffboardingRefused("The council's data is being deleted or is gone: there is nothing to hand over.")
    if offboarding.export is None or offboarding.export.status != BackupStatus.DONE:
        raise OffboardingRefused("The final export is not made yet.")
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    _save(
        offboarding,
        handover_email=email,
        handover_token_digest=_digest(token),
        handover_sent_at=now,
        handover_expires_at=now + HANDOVER_VALID_FOR,
    )
    return token


def handover_redeem(*, token: str) -> Offboarding | None:
    """The offboarding whose export ``token`` opens, marked handed over — once: None if the token is unknown,
    expired, used already, or the data is gone. One UPDATE, so two clicks at once cannot both have it."""
    if not token or len(token) > 100:
        return None
    with transaction.atomic():
        found = (
            Offboarding.objects.select_for_update()
            .select_related("council", "export")
            .filter(
                handover_token_digest=_digest(token),
                handover_expires_at__gt=timezone.now(),
                deleted_at__isnull=True,
                export__status=BackupStatus.DONE,
            )
            .first()
        )
        if found is None:
            return None
        found.handover_token_digest = ""  # single use
        fields = ["handover_token_digest"]
        if found.handed_over_at is None:
            found.handed_over_at = timezone.now()
            fields.append("handed_over_at")
        found.save(update_fields=fields)
    return found


# --- Deleting ----------------------------------------------------------------------------------


def _table_counts(schema: str) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind = 'r' ORDER BY c.relname",
            [schema],
        )
        tables = [name for (name,) in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, table)))
            counts[table] = cursor.fetchone()[0]
    return counts


def council_queued_tasks_delete(*, schema: str) -> int:
    """Remove the council's messages still waiting in the broker's queues (Redis); returns how many.

    Each message names its schema in a header (tenant-schemas-celery). Messages already taken by a worker
    run against a schema that is gone, and fail. Other brokers (SQS) are not searched: logged.
    """
    app = current_app
    removed = 0
    with app.connection_for_write() as broker:
        if broker.transport.driver_type != "redis":
            logger.warning("Queued tasks of %s not searched: the broker is %s", schema, broker.transport.driver_type)
            return 0
        client = broker.default_channel.client
        names = {queue.name for queue in app.amqp.queues.values()} | {app.conf.task_default_queue}
        separator = "\x06\x16"  # kombu's Redis transport: a list per priority step, "<queue>\x06\x16<priority>"
        lists = [name for queue in names for name in (queue, *(f"{queue}{separator}{step}" for step in (3, 6, 9)))]
        for name in lists:
            for message in client.lrange(name, 0, -1):
                try:
                    headers = json.loads(message).get("headers") or {}
                except ValueError:
                    continue
                if headers.get("_schema_name") == schema:
                    removed += client.lrem(name, 1, message)
    return removed


def council_data_delete(*, offboarding: Offboarding, restored_copies: Iterable[str] = ()) -> dict[str, Any]:
    """Delete everything of the council but its row, its order and this record. Idempotent and resumable.

    In order: the row counts of every table are noted, its web addresses go (nothing resolves to it), its
    schema is dropped (owner role; the outbox, sessions table and audit trail inside go with it), and so is
    every copy of it restored into a schema of its own (``restored_copies``: the console's restores and the
    command's, from their records and the platform's audit trail), its files
    in every storage (the final export and backups included), its cache keys and sessions, its queued tasks,
    and its backup records. What each step removed is recorded on ``offboarding.deletion`` as it goes.
    """
    if not offboarding.may_delete:
        raise OffboardingRefused("The final export has not been handed over, and no operator has overridden that.")
    council = offboarding.council
    schema = council.schema_name
    done: dict[str, Any] = dict(offboarding.deletion or {})

    def record(key: str, value: Any, percent: int) -> None:
        done[key] = value
        _save(offboarding, deletion=dict(done), progress=percent)

    if "tables" not in done:
        record("tables", _table_counts(schema) if schema_exists(schema) else {}, 10)
    if "domains" not in done:
        domains = sorted(Domain.objects.filter(tenant=council).values_list("domain", flat=True))
        with transaction.atomic():
            Domain.objects.filter(tenant=council).delete()
        record("domains", domains, 20)
    if "schema" not in done:
        if connection.in_atomic_block:  # a caller's transaction (tests): checks it deferred would block the drop
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        council_schema_drop(council=council)
        record("schema", schema, 40)
    copies = sorted({copy for copy in restored_copies if copy and copy != schema and copy != "public"})
    dropped = [copy for copy in copies if schema_exists(copy)]
    for copy in dropped:
        schema_drop(schema=copy)
    if dropped or "restored_copies" not in done:
        record("restored_copies", sorted({*done.get("restored_copies", []), *dropped}), 45)
    files = council_files(schema=schema, include_backups=True)
    if "files" not in done:
        record("files", {"count": len(files), "bytes": sum(stored.size for stored in files)}, 50)
    council_files_delete(files)  # again on a re-run: whatever is left
    council_folders_remove(schema=schema)
    if "files_deleted_at" not in done:
        record("files_deleted_at", timezone.now().isoformat(), 70)
    keys, sessions = council_cache_keys_delete(schema=schema)
    previous = done.get("cache", {"keys": 0, "sessions": 0})
    record("cache", {"keys": previous["keys"] + keys, "sessions": previous["sessions"] + sessions}, 80)
    tasks = council_queued_tasks_delete(schema=schema)
    record("queued_tasks", done.get("queued_tasks", 0) + tasks, 90)
    with transaction.atomic():
        backups = CouncilBackup.objects.filter(council=council)
        count = backups.count()
        Offboarding.objects.filter(pk=offboarding.pk).update(export=None)
        backups.delete()
    offboarding.export = None
    record("backup_records", done.get("backup_records", 0) + count, 95)
    if offboarding.deleted_at is None:
        _save(offboarding, deleted_at=timezone.now())
    return done
