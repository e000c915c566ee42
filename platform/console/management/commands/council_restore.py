"""Restore one council from an archive made by ``council_backup`` (or its final export).

    manage.py council_restore <slug> <archive> --into-schema NAME   # a copy beside it, for inspection or recovery
    manage.py council_restore <slug> <archive> --replace            # over its own schema and files, in one go

Every member's SHA-256 is checked before anything changes; the database part is one transaction (all or
nothing). ``--replace`` with another council's archive is refused unless ``--other-council`` is given too.
Needs the owner role (DATABASE_OWNER_URL). Recorded as COUNCIL_RESTORED in the platform's audit trail.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from console.services.backups import council_restore_record
from core.audit.origin import Origin
from tenants.selectors import council_get
from tenants.services.backups import ArchiveRefused, RestoreRefused

ORIGIN = Origin(path="manage.py council_restore")


class Command(BaseCommand):
    help = "Restore one council's schema (and files) from a backup archive (docs/adr/0017)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("archive", type=Path)
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
        archive: Path = options["archive"]
        if not archive.is_file():
            raise CommandError(f"No archive at {archive}.")
        try:
            summary = council_restore_record(
                council=council,
                archive=archive,
                actor_id=None,
                into_schema=options["into_schema"],
                replace=options["replace"],
                other_council=options["other_council"],
                reason=options["reason"][:300],
                origin=ORIGIN,
            )
        except (ArchiveRefused, RestoreRefused) as refusal:
            raise CommandError(f"{refusal} Nothing was changed.") from refusal
        self.stdout.write(
            f"Restored {sum(summary.table_rows.values())} rows in {len(summary.table_rows)} tables into "
            f"{summary.schema}; {summary.files_written} files written, {summary.files_removed} removed, "
            f"{summary.cache_keys_deleted} cache keys cleared."
        )
