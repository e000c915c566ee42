"""Offboard one council from the command line (SECURITY.md GDPR-4), the same steps as the console's.

    manage.py council_offboard <slug> --reason "Contract ended"
        starts offboarding (if not started), makes the final export, emails its single-use download link to the
        council's DPO (--email to name another address), and stops: the data waits for the download.
    manage.py council_offboard <slug>
        run again after the download: deletes everything of the council and issues the deletion certificate.
    manage.py council_offboard <slug> --reason "…" --without-handover "why"
        deletes without waiting for the download (recorded as an operator's override).

Each run does what is due and not yet done, so a run that failed halfway is finished by running it again.
Needs the owner role (DATABASE_OWNER_URL) to drop the schema.
"""

import hashlib
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from console.services.offboarding import (
    OffboardingRefused,
    certificate_json,
    handover_address,
    offboarding_delete_request,
    offboarding_handover_send,
    offboarding_override,
    offboarding_run,
    offboarding_start,
)
from core.accounts.models import User
from core.audit.origin import Origin
from tenants.models import Offboarding
from tenants.selectors import council_get

ORIGIN = Origin(path="manage.py council_offboard")


class Command(BaseCommand):
    help = "Offboard a council: final export, hand-over, deletion and certificate (docs/adr/0017)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--reason", default="", help="Why the council is leaving (to start offboarding).")
        parser.add_argument("--email", default="", help="Send the export link here instead of the recorded DPO.")
        parser.add_argument("--without-handover", default="", help="Delete without a hand-over, for this reason.")
        parser.add_argument("--operator", required=True, help="The email of the platform staff member doing this.")
        parser.add_argument("--certificate", type=Path, help="Also write the certificate (JSON, and .pdf) here.")

    def handle(self, *args: Any, **options: Any) -> None:
        council = council_get(slug=options["slug"])
        if council is None:
            raise CommandError(f"No council {options['slug']!r}.")
        operator = User.objects.filter(email=options["operator"].strip().lower(), is_staff=True).first()
        if operator is None:
            raise CommandError("--operator must be the email of a platform staff member.")
        try:
            offboarding = Offboarding.objects.filter(council=council).first()
            if offboarding is None:
                offboarding = offboarding_start(
                    council=council, actor=operator, reason=options["reason"], origin=ORIGIN, queue=False
                )
                self.stdout.write(f"{council.name} is offboarding: its site is closed.")
            offboarding = offboarding_run(offboarding_id=offboarding.pk)  # the final export, if not made yet
            if options["without_handover"] and not offboarding.may_delete:
                offboarding = offboarding_override(
                    offboarding=offboarding, actor=operator, reason=options["without_handover"], origin=ORIGIN
                )
            if not offboarding.may_delete:
                if offboarding.handover_sent_at is None or options["email"]:
                    email = options["email"] or handover_address(council=council)
                    offboarding_handover_send(offboarding=offboarding, email=email, actor=operator, origin=ORIGIN)
                    self.stdout.write(f"The final export's download link was sent to {email}.")
                self.stdout.write(
                    f"Final export SHA-256: {offboarding.export_sha256}\nWaiting for the download: run this again "
                    "once it is done (or with --without-handover)."
                )
                return
            offboarding_delete_request(offboarding=offboarding, actor=operator, origin=ORIGIN, queue=False)
            offboarding = offboarding_run(offboarding_id=offboarding.pk)
        except OffboardingRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        body = certificate_json(offboarding.certificate)
        if options["certificate"]:
            options["certificate"].write_bytes(body)
            options["certificate"].with_suffix(".pdf").write_bytes(bytes(offboarding.certificate_pdf))
        deleted = offboarding.certificate["deleted"]
        self.stdout.write(
            f"Deleted {council.name}: {deleted['rows']} rows in {deleted['table_count']} tables, "
            f"{deleted['files']['count']} files, {len(deleted['domains'])} web addresses, "
            f"{deleted['cache_keys']} cache keys ({deleted['sessions']} sessions), "
            f"{deleted['queued_tasks']} queued tasks.\n"
            f"Certificate SHA-256: {hashlib.sha256(body).hexdigest()}"
        )
