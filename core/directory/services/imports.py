"""Bulk import of agencies and practitioners from a CSV file, by a council administrator, in the background.

``import_job_start`` refuses a file it cannot read as a whole (``core.directory.imports``), stores it as
an ``ImportJob`` and queues ``import_job_run`` for after the upload commits. The run takes the rows a
chunk at a time, each chunk in its own transaction with the job's counts, so the progress page is always
true and an interrupted run resumes after its last chunk. Every row is checked with the rules of the
single-item pages; a bad row is recorded with its problems (the error report) and the others go on.

Running the same file again creates nothing new: an agency whose name is already here, and a person who
already has an account or an invitation still open, are counted as skipped. Practitioners are invited
(``invitations_create_many``): one invitation and one email each, written a chunk at a time in a constant
number of queries.
"""

import datetime
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone

from core.accounts.models import User
from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.directory.imports import (
    COLUMNS,
    CsvRow,
    FileRefused,
    RowProblem,
    agency_problems_of,
    agency_row_check,
    csv_rows,
    csv_text_of,
    first_row_of_emails,
    practitioner_row_check,
    report_cell,
)
from core.directory.models import Agency, ImportJob, ImportKind, ImportProblem, ImportStatus, Invitation, Practitioner
from core.directory.services.agencies import agency_create
from core.directory.services.invitations import InvitationRequest, invitations_create_many
from tenants.transactions import on_commit_in_this_schema

logger = logging.getLogger(__name__)

CHUNK_ROWS = 500
# A chunk takes about a second; an import that has not moved for this long has lost its worker or its message.
STALLED_AFTER = datetime.timedelta(minutes=10)
REPORT_HEADERS = ("row", "column", "problem")

Report = Callable[[CsvRow, list[RowProblem]], None]


@dataclass
class ChunkOutcome:
    imported: int = 0
    skipped: int = 0
    failed: int = 0


def _administrator_check(*, actor: Practitioner, origin: Origin, job_id: object = "") -> None:
    if not actor.is_council_admin or not actor.user.is_active:
        audit_record(
            action=AuditAction.ACCESS_DENIED,
            outcome=AuditOutcome.DENIED,
            origin=origin,
            actor_id=actor.user_id,
            object_type="import",
            object_id=job_id,
            reason="only council administrators import in bulk",
        )
        raise PermissionDenied("Only council administrators import in bulk.")


def import_job_start(*, actor: Practitioner, kind: str, file_name: str, data: bytes, origin: Origin) -> ImportJob:
    """Store the file as an import job and queue it, or refuse the whole file (``ValidationError`` on ``file``)
    with nothing stored."""
    _administrator_check(actor=actor, origin=origin)
    if kind not in ImportKind.values:
        raise ValidationError({"kind": "Select what to import"})
    try:
        text = csv_text_of(data, file_name=file_name)
        rows = csv_rows(kind=kind, text=text)
    except FileRefused as refusal:
        raise ValidationError({"file": str(refusal)}) from None
    with transaction.atomic():
        job = ImportJob.objects.create(
            kind=kind,
            uploaded_by=actor,
            file_name=file_name[:200],
            csv_text=text,
            total_rows=len(rows),
            ip_address=origin.ip_address,
            user_agent=origin.user_agent,
            path=origin.path,
            site_url=origin.base_url,
        )
        audit_record(
            action=AuditAction.IMPORT_STARTED,
            outcome=AuditOutcome.SUCCESS,
            origin=origin,
            actor_id=actor.user_id,
            object_type="import",
            object_id=job.pk,
            reason=f"{kind}: {len(rows)} rows",
        )
        on_commit_in_this_schema(lambda: _run_in_background(job.pk))
    return job


def _run_in_background(job_id: UUID) -> None:
    from core.directory.tasks import import_job_run_task  # the task module imports this one

    try:
        import_job_run_task.delay(str(job_id))
    except Exception as error:  # the broker is out of reach: the job is stored, and the stalled-import sweep sends it
        logger.warning("Import %s not sent to a worker yet: %s", job_id, type(error).__name__)


def _origin_of(job: ImportJob) -> Origin:
    return Origin(ip_address=job.ip_address, user_agent=job.user_agent, path=job.path, base_url=job.site_url)


def import_job_run(*, job_id: UUID | str, chunk_rows: int = CHUNK_ROWS) -> ImportJob:
    """Import the job's rows that are not yet done, ``chunk_rows`` at a time. Safe to run again: a finished job
    is left alone, and a run that was interrupted carries on from the last chunk it saved."""
    job = ImportJob.objects.select_related("uploaded_by__user").get(pk=job_id)
    if not job.is_under_way:
        return job
    if job.status == ImportStatus.QUEUED:
        job.status, job.started_at = ImportStatus.RUNNING, timezone.now()
        job.progressed_at = job.started_at
        job.save(update_fields=["status", "started_at", "progressed_at"])
    actor = job.uploaded_by
    if actor is None or not actor.is_council_admin or not actor.user.is_active:
        return _finish(job, stopped_because="The person who uploaded the file is no longer a council administrator")
    try:
        rows = csv_rows(kind=job.kind, text=job.csv_text)
        first_row_of_email = first_row_of_emails(rows) if job.kind == ImportKind.PRACTITIONERS else {}
        while _chunk_run(job=job, actor=actor, rows=rows, first_row_of_email=first_row_of_email, chunk_rows=chunk_rows):
            pass
    except Exception as error:  # whatever stopped it, the job says so; what was saved stays saved
        logger.error("Import %s stopped: %s", job.pk, type(error).__name__)
        return _finish(job, stopped_because="Something went wrong while importing: the rows not yet imported are not")
    return _finish(job)


def _chunk_run(
    *, job: ImportJob, actor: Practitioner, rows: list[CsvRow], first_row_of_email: dict[str, int], chunk_rows: int
) -> bool:
    """Import the next chunk with the job's counts, in one transaction. False when there is nothing left.

    The job's row is locked first, so two runs of the same job (a redelivered task) take turns, and each
    starts where the other's last saved chunk ended."""
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().defer("csv_text").get(pk=job.pk)  # the file: read once
        if locked.status != ImportStatus.RUNNING or locked.processed_rows >= len(rows):
            return False
        chunk = rows[locked.processed_rows : locked.processed_rows + chunk_rows]
        outcome = import_chunk(
            job=locked, actor=actor, origin=_origin_of(job), rows=chunk, first_row_of_email=first_row_of_email
        )
        ImportJob.objects.filter(pk=job.pk).update(
            processed_rows=F("processed_rows") + len(chunk),
            imported_rows=F("imported_rows") + outcome.imported,
            skipped_rows=F("skipped_rows") + outcome.skipped,
            failed_rows=F("failed_rows") + outcome.failed,
            progressed_at=timezone.now(),
        )
    return True


def import_chunk(
    *,
    job: ImportJob,
    actor: Practitioner,
    origin: Origin,
    rows: list[CsvRow],
    first_row_of_email: dict[str, int] | None = None,
) -> ChunkOutcome:
    """Check and import these rows of the job (in the caller's transaction); record the problems of bad rows.

    ``first_row_of_email``: where each email first appears in the whole file (by default, in these rows)."""
    problems: list[ImportProblem] = []
    columns = COLUMNS[job.kind]

    def reported(row: CsvRow, row_problems: list[RowProblem]) -> None:
        values = row.as_list(columns)
        problems.extend(
            ImportProblem(job=job, row_number=row.number, column=each.column, problem=each.problem[:300], values=values)
            for each in row_problems
        )

    if job.kind == ImportKind.AGENCIES:
        outcome = _agencies_chunk(actor=actor, origin=origin, rows=rows, reported=reported)
    else:
        outcome = _practitioners_chunk(
            actor=actor,
            origin=origin,
            rows=rows,
            reported=reported,
            first_row_of_email=first_row_of_email if first_row_of_email is not None else first_row_of_emails(rows),
        )
    ImportProblem.objects.bulk_create(problems, batch_size=1000)
    return outcome


def _agencies_chunk(*, actor: Practitioner, origin: Origin, rows: list[CsvRow], reported: Report) -> ChunkOutcome:
    """Each new agency through ``agency_create`` (its rules, its audit event), in a savepoint of its own.

    Agencies are few (hundreds in a large council), so one service call per row is the right cost here."""
    outcome = ChunkOutcome()
    existing = {name.casefold() for name in Agency.objects.values_list("name", flat=True)}
    for row in rows:
        if row.values["name"] and row.values["name"].casefold() in existing:
            outcome.skipped += 1
            continue
        check = agency_row_check(row)
        if check.details is None:
            reported(row, check.problems)
            outcome.failed += 1
            continue
        try:
            agency = agency_create(actor=actor, details=check.details, origin=origin)
        except ValidationError as error:
            reported(row, agency_problems_of(error))
            outcome.failed += 1
        else:
            existing.add(agency.name.casefold())
            outcome.imported += 1
    return outcome


def _practitioners_chunk(
    *,
    actor: Practitioner,
    origin: Origin,
    rows: list[CsvRow],
    reported: Report,
    first_row_of_email: dict[str, int],
) -> ChunkOutcome:
    """Everyone in the chunk checked, then invited together: a constant number of queries per chunk."""
    outcome = ChunkOutcome()
    agencies = {agency.name.casefold(): agency for agency in Agency.objects.all()}
    checked: list[tuple[CsvRow, InvitationRequest]] = []
    for row in rows:
        check = practitioner_row_check(row, agencies=agencies, first_row_of_email=first_row_of_email)
        if check.person is None:
            reported(row, check.problems)
            outcome.failed += 1
            continue
        person = check.person
        checked.append(
            (
                row,
                InvitationRequest(
                    email=person.email,
                    agency=person.agency,
                    role=person.role,
                    first_name=person.first_name,
                    last_name=person.last_name,
                    job_title=person.job_title,
                ),
            )
        )
    emails = [request.email for _, request in checked]
    with_account = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    invited = set(
        Invitation.objects.filter(
            email__in=emails, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        ).values_list("email", flat=True)
    )
    requests = [request for _, request in checked if request.email not in with_account | invited]
    outcome.skipped += len(checked) - len(requests)
    invitations_create_many(inviter=actor, requests=requests, origin=origin)
    outcome.imported += len(requests)
    return outcome


def _finish(job: ImportJob, *, stopped_because: str = "") -> ImportJob:
    job.refresh_from_db()
    job.status = ImportStatus.FAILED if stopped_because else ImportStatus.DONE
    job.stopped_because = stopped_because
    job.finished_at = timezone.now()
    job.csv_text = ""  # kept only while it is needed: what was imported is in place, what was not is in the report
    job.save(update_fields=["status", "stopped_because", "finished_at", "csv_text"])
    audit_record(
        action=AuditAction.IMPORT_FINISHED,
        outcome=AuditOutcome.FAILURE if stopped_because else AuditOutcome.SUCCESS,
        origin=_origin_of(job),
        actor_id=job.uploaded_by.user_id if job.uploaded_by else None,
        object_type="import",
        object_id=job.pk,
        reason=(
            f"{job.kind}: {job.imported_rows} imported, {job.skipped_rows} skipped, {job.failed_rows} not imported"
            + (f"; stopped: {stopped_because}" if stopped_because else "")
        ),
    )
    return job


def import_jobs_stalled(*, now: datetime.datetime | None = None) -> list[UUID]:
    """Imports that should be under way but have not moved for ``STALLED_AFTER``: queued but never started
    (the message to start it was lost), or running but no chunk saved (its worker stopped)."""
    since = (now or timezone.now()) - STALLED_AFTER
    return list(
        ImportJob.objects.filter(
            Q(status=ImportStatus.QUEUED, uploaded_at__lt=since)
            | Q(status=ImportStatus.RUNNING, progressed_at__lt=since)
        ).values_list("pk", flat=True)
    )


def import_job_for(*, actor: Practitioner, job_id: UUID, origin: Origin) -> ImportJob:
    """An import job of this council, for its administrators; anyone else is refused (recorded)."""
    _administrator_check(actor=actor, origin=origin, job_id=job_id)
    job = ImportJob.objects.select_related("uploaded_by__user").filter(pk=job_id).first()
    if job is None:
        raise Http404("No such import.")
    return job


def import_jobs_recent(*, limit: int = 20) -> list[ImportJob]:
    return list(ImportJob.objects.select_related("uploaded_by__user").defer("csv_text")[:limit])


def import_report_download(*, actor: Practitioner, job: ImportJob, origin: Origin) -> list[list[str]]:
    """The error report for ``actor`` to download, recorded in the audit trail: it carries the bad rows'
    names and work emails, which leave Patchwork with it."""
    lines = list(import_report_lines(job=job))
    rows = len(lines) - 1  # after the header
    audit_record(
        action=AuditAction.IMPORT_REPORT_DOWNLOADED,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=actor.user_id,
        object_type="import",
        object_id=job.pk,
        reason=f"{rows} row{'' if rows == 1 else 's'} not imported",
    )
    return lines


def import_report_lines(*, job: ImportJob) -> Iterator[list[str]]:
    """The error report: a header, then one line per problem with the row's own values, each cell made safe
    to open in a spreadsheet (nothing in it can start a formula)."""
    columns = COLUMNS[job.kind]
    yield [*REPORT_HEADERS, *columns]
    for problem in job.problems.order_by("row_number", "id").iterator(chunk_size=2000):
        values = [str(value) for value in problem.values][: len(columns)]
        yield [report_cell(cell) for cell in (str(problem.row_number), problem.column, problem.problem, *values)]
