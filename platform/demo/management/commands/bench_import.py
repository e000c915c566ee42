"""Benchmark: a bulk import of 20,000 practitioners, against a raw PostgreSQL COPY of the same rows.

    manage.py bench_import [--rows 20000]

Makes a throwaway council (``bench-import``) with one approved agency and its administrator, writes a
CSV file of fabricated practitioners, then in one run times

* the reference: ``COPY … FROM STDIN (FORMAT csv, HEADER)`` of that file into a plain table of six text
  columns (no checks, no keys): the floor for getting these rows into PostgreSQL;
* the import through the product's own service: ``import_job_start`` (the file read, checked and
  stored) and ``import_job_run`` (what the background task runs: every row checked, an invitation, an
  audit event and an outbox email each, a chunk at a time with the job's progress).

It fails unless every row was imported: 20,000 invitations, 20,000 emails waiting in the outbox and
20,000 audit events. Delivering the emails is the outbox's own work, afterwards, and is not timed: here
the task messages go to an in-memory broker that nothing reads. The URL configuration, which a worker loads
once with its first task, is loaded before the clock starts. Everything it made is removed at the end.
"""

import csv
import io
import platform
import random
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import schema_context
from faker import Faker

from config.celery import app
from core.accounts.models import User
from core.audit.models import AuditAction, AuditEvent
from core.audit.origin import Origin
from core.directory.imports import COLUMNS
from core.directory.models import Agency, ApprovalState, ImportJob, ImportKind, ImportStatus, Invitation, Practitioner
from core.directory.services.imports import import_job_run, import_job_start
from core.notifications.models import Notification
from demo.bench_summary import TargetRow, summary_write
from demo.people import NameMaker, email_local_part
from onboarding.services.provisioning import council_create, council_provision
from tenants.jurisdictions import Jurisdiction
from tenants.models import Council
from tenants.services.schemas import council_schema_drop

SLUG = "bench-import"
DOMAIN = "bench-import-agency.example"
AGENCY = "Bench Import Children's Services"
JOB_TITLES = ("Social worker", "Health visitor", "Family support worker", "School nurse", "Youth worker", "PCSO")


def practitioners_csv(rows: int, *, seed: int = 11) -> bytes:
    """A CSV file of ``rows`` fabricated practitioners of the bench agency, each with a different work email."""
    rng = random.Random(seed)  # noqa: S311 -- fabricated data, not a secret
    faker = Faker("en_GB")
    faker.seed_instance(seed)
    names = NameMaker(jurisdiction=Jurisdiction.ENGLAND, rng=rng, faker=faker)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS[ImportKind.PRACTITIONERS])
    for number in range(rows):
        name = names.person(adult=True)
        email = f"{email_local_part(name.first_name, name.surname)}.{number}@{DOMAIN}"
        role = "agency_manager" if number % 50 == 0 else "practitioner"
        writer.writerow([name.first_name, name.surname, email, AGENCY, rng.choice(JOB_TITLES), role])
    return ("\ufeff" + out.getvalue()).encode()  # as Excel saves "CSV UTF-8"


def _timed(action: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


class Command(BaseCommand):
    help = "Time a bulk import of 20,000 practitioners against a raw COPY of the same rows."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rows", type=int, default=20_000, help="Practitioners in the file (default 20,000)")
        parser.add_argument("--summary", help="Also write PERFORMANCE.md's row to this JSON file")

    def handle(self, *args: Any, **options: Any) -> None:
        # Task messages (the import's own, then email delivery) go nowhere: the import is timed by running what
        # the task runs, here; delivery is not part of it.
        app.conf.task_always_eager = False
        app.conf.broker_url = "memory://"
        self._cleanup()
        try:
            self._run(rows=options["rows"], summary=options["summary"])
        finally:
            connection.set_schema_to_public()
            self._cleanup()

    def _run(self, *, rows: int, summary: str | None) -> None:
        council = council_create(name="Bench Import Council", slug=SLUG, jurisdiction=Jurisdiction.ENGLAND)
        council_provision(council_id=council.pk)
        data = practitioners_csv(rows)
        with schema_context(council.schema_name):
            admin = self._administrator()
            # A worker loads the URL configuration once, with its first task (for the links in the emails):
            # loaded here, before the clock starts, so that what is timed is the import itself.
            reverse("invitation", kwargs={"token": "warm-up"})
            copy_time = self._copy(data, rows=rows)
            origin = Origin(
                ip_address="127.0.0.1", path="/administration/imports/practitioners/", base_url="http://bench"
            )
            start_time, job = _timed(
                lambda: import_job_start(
                    actor=admin, kind=ImportKind.PRACTITIONERS, file_name="practitioners.csv", data=data, origin=origin
                )
            )
            run_time, job = _timed(lambda: import_job_run(job_id=job.pk))
            self._check(job, rows=rows)
        total = start_time + run_time
        self.stdout.write(
            f"Machine: {platform.machine()}, Python {platform.python_version()}, "
            f"database {settings.DATABASES['default']['HOST'] or 'local'}; {rows:,} practitioners, "
            f"{len(data) / 1024 / 1024:.1f} MB file"
        )
        self.stdout.write("| Measure | Time | Rows/s | Ratio |")
        self.stdout.write("|---|---|---|---|")
        for label, seconds, ratio in (
            (f"Raw COPY of the {rows:,} rows into a plain table (reference)", copy_time, "1.00 (reference)"),
            ("Import: file read, checked and stored (`import_job_start`)", start_time, ""),
            ("Import: every row checked and invited (`import_job_run`)", run_time, ""),
            ("Import, whole", total, f"{total / copy_time:.0f}× COPY"),
        ):
            self.stdout.write(f"| {label} | {seconds:.2f} s | {rows / seconds:,.0f} | {ratio} |")
        self.stdout.flush()
        measured = (
            f"{total:.1f} s for {rows:,} rows = {total / copy_time:.0f}× a raw COPY ({copy_time:.2f} s); every row "
            "imported, invited and audited"
        )
        # PERFORMANCE.md gives the ratio to record and no bound on it: measured, not judged.
        summary_write(
            summary, [TargetRow(f"Bulk import of {rows:,} practitioners from CSV", measured, "ratio to COPY", None)]
        )

    def _administrator(self) -> Practitioner:
        agency = Agency.objects.create(
            name=AGENCY, agency_type="statutory", email_domains=[DOMAIN], approval_state=ApprovalState.APPROVED
        )
        user = User(email=f"administrator@{DOMAIN}", first_name="Bench", last_name="Administrator")
        user.set_unusable_password()
        user.save()
        return Practitioner.objects.create(
            user=user, agency=agency, job_title="Administrator", is_council_admin=True, verified_at=timezone.now()
        )

    def _copy(self, data: bytes, *, rows: int) -> float:
        """The reference: COPY the same file into a plain table (created beforehand, not timed)."""
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE bench_import_copy "
                "(first_name text, last_name text, email text, agency text, job_title text, role text)"
            )
            text = data.decode("utf-8-sig")
            start = time.perf_counter()
            with cursor.copy("COPY bench_import_copy FROM STDIN (FORMAT csv, HEADER true)") as copy:
                copy.write(text)
            elapsed = time.perf_counter() - start
            cursor.execute("SELECT count(*) FROM bench_import_copy")
            copied = cursor.fetchone()[0]
            cursor.execute("DROP TABLE bench_import_copy")
        if copied != rows:
            raise CommandError(f"COPY wrote {copied} rows, not {rows}")
        return elapsed

    def _check(self, job: ImportJob, *, rows: int) -> None:
        """Every row imported, with an invitation, an email and an audit event each; otherwise the run fails."""
        found = {
            "job status": job.status,
            "rows imported": job.imported_rows,
            "rows not imported": job.failed_rows + job.skipped_rows,
            "invitations": Invitation.objects.filter(invited_by__isnull=False).count(),
            "emails waiting": Notification.objects.filter(holds_secret=True, sent_at__isnull=True).count(),
            "audit events": AuditEvent.objects.filter(action=AuditAction.INVITATION_SENT).count(),
        }
        expected = {
            "job status": ImportStatus.DONE,
            "rows imported": rows,
            "rows not imported": 0,
            "invitations": rows,
            "emails waiting": rows,
            "audit events": rows,
        }
        if found != expected:
            wrong = ", ".join(
                f"{key} {found[key]} (expected {expected[key]})" for key in expected if found[key] != expected[key]
            )
            raise CommandError(f"The import did not do its work: {wrong}")

    def _cleanup(self) -> None:
        for council in Council.objects.filter(slug=SLUG):
            council_schema_drop(council=council)
            council.delete()
