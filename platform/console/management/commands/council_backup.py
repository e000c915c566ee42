"""Back up one council: its schema (structure and a CSV per table) and its files, in one archive.

    manage.py council_backup <slug>                 # kept in private storage under backups/<schema>/
    manage.py council_backup <slug> --output PATH   # written to PATH instead

Recorded (a CouncilBackup row, COUNCIL_BACKED_UP in the platform's audit trail) like the console's "Back up now".
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from console.services.backups import BackupRefused, council_backup_record, council_backup_request
from core.audit.origin import Origin
from tenants.selectors import council_get

ORIGIN = Origin(path="manage.py council_backup")


class Command(BaseCommand):
    help = "Back up one council's schema and files into a .tar.gz archive (docs/adr/0017)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--output", type=Path, help="Write the archive here instead of the private storage.")

    def handle(self, *args: Any, **options: Any) -> None:
        council = council_get(slug=options["slug"])
        if council is None:
            raise CommandError(f"No council {options['slug']!r}.")
        output: Path | None = options["output"]
        if output is not None and (output.exists() or not output.parent.is_dir()):
            raise CommandError(f"{output} exists already, or its folder does not: choose a new file.")
        try:
            backup = council_backup_request(council=council, actor=None, origin=ORIGIN, queue=False)
        except BackupRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        backup = council_backup_record(backup_id=backup.pk, output=output, origin=ORIGIN)
        where = output or f"private storage, {backup.storage_name}"
        self.stdout.write(
            f"Backed up {council.name}: {backup.rows} rows in {len(backup.table_rows)} tables, {backup.file_count} "
            f"files ({backup.file_bytes} bytes).\nArchive: {where}\nSize: {backup.size} bytes\nSHA-256: {backup.sha256}"
        )
