"""The audit trail copied, one UTC day at a time, to storage nobody can alter or delete (docs/adr/0031).

A day of one schema's trail is one gzip object, ``audit/<schema>/<yyyy>/<mm>/<dd>.jsonl.gz``: every event of that
day, ordered by when it occurred then by id, one JSON object a line holding every column of the table. Beside it a
small manifest, ``<dd>.manifest.json``: how many events, the first and last id and the gzip's SHA-256 (which the
object cannot hold about itself). Each day is recorded in ``tenants.AuditArchive`` (in ``public``), so that a day is
never written twice; a day with no events still gets its (empty) object, so that a missing day is a visible gap.

Only the trail of the schema the connection is in is read: the task that calls this runs in the council's schema,
chosen by its message (tenants/tasks_base.py), or in ``public`` for the platform's own trail.
"""

import datetime
import gzip
import hashlib
import json
import logging
from collections.abc import Iterable
from tempfile import SpooledTemporaryFile
from typing import IO
from uuid import UUID

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import connection, transaction
from django.utils import timezone

from core.audit.models import AuditEvent
from tenants.models import AuditArchive, Council

logger = logging.getLogger(__name__)

AUDIT_ARCHIVE_STORAGE = "audit_archive"
# A missed night is caught up, but one run never takes on more than a month: a council archived from its creation,
# years back, catches up over a few nights instead of one task running for hours.
DAYS_PER_RUN = 31
IN_MEMORY_BYTES = 16 * 1024 * 1024  # a busier day is written to a temporary file instead
READ_CHUNK = 2000
COLUMNS = tuple((field.column, field.attname) for field in AuditEvent._meta.concrete_fields)


class AuditArchiveRefused(RuntimeError):
    """The day cannot be archived as asked; nothing was recorded, and nothing stored was replaced."""


def utc_today() -> datetime.date:
    return timezone.now().astimezone(datetime.UTC).date()


def audit_archive_names(*, council: str, day: datetime.date) -> tuple[str, str]:
    """The names of a day's object and of its manifest, in the archive storage."""
    stem = f"audit/{council}/{day:%Y/%m/%d}"
    return f"{stem}.jsonl.gz", f"{stem}.manifest.json"


def _json_value(value: object) -> object:
    if isinstance(value, datetime.datetime):
        return value.isoformat()  # UTC, to the microsecond
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(f"An audit column holds a {type(value).__name__}, which the archive cannot write.")


def _day_events(day: datetime.date) -> Iterable[tuple[object, ...]]:
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)
    return (
        AuditEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=start + datetime.timedelta(days=1))
        .order_by("occurred_at", "id")
        .values_list(*(attname for _, attname in COLUMNS))
        .iterator(chunk_size=READ_CHUNK)
    )


def _day_write(*, day: datetime.date, into: IO[bytes]) -> tuple[int, int | None, int | None, str]:
    """Write the day's events, gzipped, into ``into``. Returns the count, first and last id, and the SHA-256 of the
    uncompressed lines (to compare with an object already stored, whatever compressed it)."""
    names = [column for column, _ in COLUMNS]
    rows, first_id, last_id = 0, None, None
    content = hashlib.sha256()
    # No file name and no time in the gzip header: the same events give the same bytes.
    with gzip.GzipFile(fileobj=into, mode="wb", mtime=0, filename="") as zipped:
        for values in _day_events(day):
            record = dict(zip(names, values, strict=True))
            line = json.dumps(record, default=_json_value, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
            zipped.write(line)
            content.update(line)
            rows += 1
            first_id = record["id"] if first_id is None else first_id
            last_id = record["id"]
    return rows, first_id, last_id, content.hexdigest()


def _digest(source: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    for chunk in iter(lambda: source.read(1024 * 1024), b""):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def _stored_object_check(storage: Storage, name: str, *, content_sha256: str) -> tuple[str, int]:
    """An object of that name is already stored (a run that stopped before recording it): it is kept if it holds the
    same events, and its own digest and size recorded; it is never replaced. Returns (SHA-256, size)."""
    with storage.open(name, "rb") as stored, gzip.GzipFile(fileobj=stored, mode="rb") as plain:
        stored_content, _ = _digest(plain)
    if stored_content != content_sha256:
        raise AuditArchiveRefused(
            f"{name} is already in the archive storage and differs from the audit trail of that day; "
            "it was left as it is and the day was not recorded."
        )
    with storage.open(name, "rb") as stored:
        return _digest(stored)


def _save_new(storage: Storage, name: str, content: File) -> None:
    saved = storage.save(name, content)
    if saved != name:
        raise AuditArchiveRefused(f"The archive storage saved {name} as {saved}: another run is writing this day.")


def _lock(council: str) -> None:
    """One run at a time archives a schema's trail, until this transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", ["audit_archive:" + council])


def audit_day_archive(*, council: str, day: datetime.date) -> AuditArchive:
    """Archive one UTC day of the trail of ``council`` (the schema the connection is in; ``public`` for the
    platform's own trail). Returns its record; a day already archived is returned as it is, nothing written."""
    if connection.schema_name != council:
        raise AuditArchiveRefused(
            f"Asked to archive the audit trail of {council} while connected to {connection.schema_name}: refused."
        )
    if day >= utc_today():
        raise AuditArchiveRefused(f"{day} is not over yet (UTC): only a finished day is archived.")
    storage = storages[AUDIT_ARCHIVE_STORAGE]
    object_name, manifest_name = audit_archive_names(council=council, day=day)
    with transaction.atomic():
        _lock(council)
        existing = AuditArchive.objects.filter(schema=council, day=day).first()
        if existing is not None:
            return existing
        with SpooledTemporaryFile(max_size=IN_MEMORY_BYTES) as data:
            rows, first_id, last_id, content_sha256 = _day_write(day=day, into=data)
            if storage.exists(object_name):
                sha256, size = _stored_object_check(storage, object_name, content_sha256=content_sha256)
            else:
                data.seek(0)
                sha256, size = _digest(data)
                data.seek(0)
                _save_new(storage, object_name, File(data, name=object_name))
        manifest = {
            "schema": council,
            "day": day.isoformat(),
            "object": object_name,
            "rows": rows,
            "first_id": first_id,
            "last_id": last_id,
            "sha256": sha256,
            "size": size,
            "columns": [column for column, _ in COLUMNS],
        }
        manifest_bytes = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
        if storage.exists(manifest_name):
            with storage.open(manifest_name, "rb") as stored:
                if stored.read() != manifest_bytes:
                    raise AuditArchiveRefused(
                        f"{manifest_name} is already in the archive storage and differs; the day was not recorded."
                    )
        else:
            _save_new(storage, manifest_name, ContentFile(manifest_bytes, name=manifest_name))
        archive = AuditArchive.objects.create(
            schema=council,
            day=day,
            object_name=object_name,
            manifest_name=manifest_name,
            rows=rows,
            first_id=first_id,
            last_id=last_id,
            size=size,
            sha256=sha256,
        )
    logger.info("Archived the audit trail of %s for %s: %d events", council, day, rows)
    return archive


def _first_day_to_archive(*, council: str, yesterday: datetime.date) -> datetime.date:
    """The day after the last one archived; else the council's creation; else (``public``) the first event's day."""
    last = AuditArchive.objects.filter(schema=council).order_by("-day").values_list("day", flat=True).first()
    if last is not None:
        return last + datetime.timedelta(days=1)
    created = Council.objects.filter(schema_name=council).values_list("created_at", flat=True).first()
    if created is not None:
        return created.astimezone(datetime.UTC).date()
    first_event = AuditEvent.objects.order_by("occurred_at").values_list("occurred_at", flat=True).first()
    return first_event.astimezone(datetime.UTC).date() if first_event is not None else yesterday


def audit_archive_catch_up(*, council: str) -> list[AuditArchive]:
    """Archive every finished UTC day of ``council``'s trail not archived yet, oldest first, at most
    ``DAYS_PER_RUN`` of them. Returns the days archived now (none when it is up to date)."""
    yesterday = utc_today() - datetime.timedelta(days=1)
    first = _first_day_to_archive(council=council, yesterday=yesterday)
    count = min(DAYS_PER_RUN, (yesterday - first).days + 1)
    return [audit_day_archive(council=council, day=first + datetime.timedelta(days=n)) for n in range(count)]
