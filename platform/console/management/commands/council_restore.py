"""Restore one council from an archive made by ``council_backup`` (or its final export), or from a restored instance.

    manage.py council_restore <slug> <archive> --into-schema NAME   # a copy beside it, for inspection or recovery
    manage.py council_restore <slug> <archive> --replace            # over its own schema and files, in one go
    manage.py council_restore <slug> --from-database URL [--from-bucket NAME | --from-files PATH] --replace

``--from-database`` reads the council from an instance an RDS recovery point was restored into (URL: that
instance's owner URL; opened read-only) and its files from the bucket an S3 recovery point was restored into
(``--from-bucket``), or a folder with one sub-folder a storage (``--from-files``, for development); without
either, the council's files stay as they are now. It is made into an ordinary archive in a temporary folder and
restored the same way as one (docs/runbooks/restore-one-council.md).

Every member's SHA-256 is checked before anything changes; the database part is one transaction (all or
nothing). ``--replace`` with another council's archive is refused unless ``--other-council`` is given too.
Needs the owner role (DATABASE_OWNER_URL). Recorded as COUNCIL_RESTORED in the platform's audit trail.
"""

import tempfile
from pathlib import Path
from typing import Any

from django.core.files.storage import Storage
from django.core.management.base import BaseCommand, CommandError, CommandParser

from console.services.backups import council_restore_record
from core.audit.origin import Origin
from tenants.models import Council
from tenants.selectors import council_get
from tenants.services.backups import (
    ArchiveRefused,
    RestoreRefused,
    council_archive_from_instance,
    source_database_where,
    source_storages,
)

ORIGIN = Origin(path="manage.py council_restore")


class Command(BaseCommand):
    help = "Restore one council's schema (and files) from a backup archive or a restored instance (docs/adr/0017)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("archive", type=Path, nargs="?", help="A council archive (.tar.gz).")
        source.add_argument(
            "--from-database",
            metavar="URL",
            help="The owner URL of an instance a recovery point of the cell's database was restored into.",
        )
        files = parser.add_mutually_exclusive_group()
        files.add_argument("--from-bucket", metavar="NAME", help="With --from-database: the restored bucket.")
        files.add_argument(
            "--from-files",
            metavar="PATH",
            type=Path,
            help="With --from-database: a folder holding a copy of each storage (default/, private/).",
        )
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--into-schema", help="A new schema to restore into (refused if it exists).")
        target.add_argument("--replace", action="store_true", help="Restore over the council's own schema.")
        parser.add_argument(
            "--other-council",
            action="store_true",
            help="With --replace: accept an archive made of another council (refused otherwise).",
        )
        parser.add_argument("--reason", default="", help="Why, for the audit trail.")

    def handle(self, *args: Any, **options: Any) -> None:
        council = council_get(slug=options["slug"])
        if council is None:
            raise CommandError(f"No council {options['slug']!r}.")
        from_database: str | None = options["from_database"]
        if not from_database and (options["from_bucket"] or options["from_files"]):
            raise CommandError("--from-bucket and --from-files go with --from-database.")
        try:
            with tempfile.TemporaryDirectory(prefix="patchwork-restore-instance-") as work:
                if from_database:
                    archive = Path(work) / "archive.tar.gz"
                    source = self._archive_from_instance(council, from_database, archive, options)
                else:
                    archive, source = options["archive"], None
                    if not archive.is_file():
                        raise CommandError(f"No archive at {archive}.")
                summary = council_restore_record(
                    council=council,
                    archive=archive,
                    actor_id=None,
                    into_schema=options["into_schema"],
                    replace=options["replace"],
                    other_council=options["other_council"],
                    reason=options["reason"][:300],
                    origin=ORIGIN,
                    source=source,
                )
        except (ArchiveRefused, RestoreRefused) as refusal:
            raise CommandError(f"{refusal} Nothing was changed.") from refusal
        self.stdout.write(
            f"Restored {sum(summary.table_rows.values())} rows in {len(summary.table_rows)} tables into "
            f"{summary.schema}; {summary.files_written} files written, {summary.files_removed} removed, "
            f"{summary.cache_keys_deleted} cache keys cleared."
        )

    def _archive_from_instance(
        self, council: Council, url: str, archive: Path, options: dict[str, Any]
    ) -> dict[str, str]:
        """Write the council's archive from the restored instance; returns where it came from, for the record."""
        bucket: str = options["from_bucket"] or ""
        folder: Path | None = options["from_files"]
        storages: dict[str, Storage] | None = (
            source_storages(bucket=bucket, folder=folder) if bucket or folder is not None else None
        )
        with archive.open("wb") as target:
            summary = council_archive_from_instance(
                council=council, database_url=url, target=target, file_storages=storages
            )
        self.stdout.write(
            f"Read {sum(summary.table_rows.values())} rows and {summary.file_count} files of {council.slug} "
            "from the restored instance."
        )
        return {
            "database": source_database_where(url),
            "files": f"bucket {bucket}" if bucket else f"folder {folder}" if folder else "unchanged",
        }
