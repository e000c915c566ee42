"""The export that answers a subject access request: started by a privacy officer, made in the background,
downloaded once by that officer through a signed link that expires, then deleted.

``subject_access_export(request_id=…)`` is the whole export as one call (the Celery task wraps it; a benchmark
can time it). It is safe to run twice: only a request that is exporting is exported, each run writes under its
own name, and the run that finishes first is kept (a later one removes its own files).
"""

import datetime
import hashlib
import io
import logging
import secrets
import zipfile
from dataclasses import dataclass
from uuid import UUID

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone

from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import NO_ORIGIN, Origin
from core.audit.services.events import audit_record
from core.council.storage import private_storage
from core.directory.models import Practitioner
from core.subject_access.coverage import ExportNotCovered, coverage_check
from core.subject_access.deadlines import deadline_rule
from core.subject_access.export import Export, council_facts, export_files, export_gather, export_steps
from core.subject_access.models import SubjectAccessRequest
from core.subject_access.services.files import export_prefix, files_delete, files_delete_on_commit
from core.subject_access.services.requests import OBJECT_TYPE, officer_check
from tenants.transactions import on_commit_in_this_schema

logger = logging.getLogger(__name__)
State = SubjectAccessRequest.State

LINK_SALT = "patchwork.subject-access.download"
# An export whose worker has said nothing for this long has lost its worker or its message: it is sent again.
STALLED_AFTER = datetime.timedelta(minutes=30)
NOT_RESTARTABLE = (State.EXPORTING, State.CLOSED)


def link_lifetime() -> datetime.timedelta:
    return datetime.timedelta(days=settings.SUBJECT_ACCESS_LINK_DAYS)


def _audit(action: str, sar: SubjectAccessRequest, *, actor_id: object, origin: Origin, outcome: str, reason: str):
    audit_record(
        action=action,
        outcome=outcome,
        origin=origin,
        actor_id=actor_id,
        object_type=OBJECT_TYPE,
        object_id=sar.pk,
        related_ids=[sar.client_id] if sar.client_id else [],
        reason=reason,
    )


# --- Starting an export --------------------------------------------------------------------------------------


def subject_access_export_start(*, actor: Practitioner, request_id: object, origin: Origin) -> SubjectAccessRequest:
    """Start (or start again) the export; the worker takes it once this commits. An export ready but not yet
    downloaded is replaced: its files are deleted and its link stops working."""
    officer_check(actor=actor, origin=origin, request_id=request_id)
    with transaction.atomic():
        sar = SubjectAccessRequest.objects.select_for_update().get(pk=request_id)
        if sar.state in NOT_RESTARTABLE:
            raise ValidationError(
                "The export is already under way" if sar.state == State.EXPORTING else "This request is closed"
            )
        if sar.client_id is None:
            raise ValidationError("The client's record has been erased: there is nothing left to export")
        files_delete_on_commit(sar.files)
        sar.state, sar.error = State.EXPORTING, ""
        sar.steps_done, sar.steps_total = 0, export_steps()
        sar.export_started_by, sar.export_started_at = actor, timezone.now()
        sar.files, sar.download_nonce, sar.link_expires_at, sar.ready_at = [], "", None, None
        sar.downloaded_by, sar.downloaded_at = None, None
        sar.save(
            update_fields=[
                "state",
                "error",
                "steps_done",
                "steps_total",
                "export_started_by",
                "export_started_at",
                "files",
                "download_nonce",
                "link_expires_at",
                "ready_at",
                "downloaded_by",
                "downloaded_at",
            ]
        )
        pk = sar.pk
        on_commit_in_this_schema(lambda: _run_in_background(pk))
    return sar


def _run_in_background(request_id: UUID) -> None:
    from core.subject_access.tasks import subject_access_export_task  # the task module imports this one

    try:
        subject_access_export_task.delay(str(request_id))
    except Exception as error:  # the broker is out of reach: the stalled-export sweep sends it later
        logger.warning("Subject access export %s not sent to a worker yet: %s", request_id, type(error).__name__)


# --- The export itself --------------------------------------------------------------------------------------


class ExportFailed(RuntimeError):
    """The export cannot be made; the message says why, for the privacy officer (never personal data)."""


def _progress(request_id: object, done: int, total: int) -> None:
    SubjectAccessRequest.objects.filter(pk=request_id, state=State.EXPORTING).update(steps_done=done, steps_total=total)


def subject_access_export(*, request_id: object) -> SubjectAccessRequest | None:
    """Export everything held about the request's client into private storage, saving progress as it goes, and
    make it ready to download. Does nothing unless the request is exporting; a failure leaves it failed, with
    why, and whatever this run wrote removed."""
    sar = SubjectAccessRequest.objects.select_related("client").filter(pk=request_id).first()
    if sar is None or sar.state != State.EXPORTING:
        return sar
    run = secrets.token_hex(8)
    written: list[dict[str, object]] = []
    total = export_steps()
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        _progress(sar.pk, done, total)

    try:
        coverage_check()
        client = sar.client
        if client is None:
            raise ExportFailed("The client's record has been erased: there is nothing left to export")
        _progress(sar.pk, 0, total)
        sections = export_gather(client=client, step=step)
        name, locale = council_facts()
        export = Export(
            request_id=str(sar.pk),
            client_id=str(client.pk),
            client_name=str(client),
            council_name=name,
            council_schema=connection.schema_name,
            locale=locale,
            law=deadline_rule(sar.jurisdiction).law,
            received_on=sar.received_on,
            due_on=sar.due_on,
            generated_at=timezone.localtime(),
            sections=sections,
        )
        storage = private_storage()
        prefix = export_prefix(sar.pk, run)
        for file in export_files(export, step=step):
            key = storage.save(f"{prefix}{file.name}", ContentFile(file.content), max_length=300)
            written.append({"name": file.name, "key": key, "sha256": file.sha256, "size": len(file.content)})
    except Exception as error:
        files_delete(written)
        return _failed(sar, error)
    return _ready(sar, written)


def _reason_of(error: Exception) -> str:
    if isinstance(error, ExportNotCovered):
        return (
            "The export does not yet cover everything held about a client, so it did not run: " + "; ".join(error.gaps)
        )[:300]
    if isinstance(error, ExportFailed):
        return str(error)[:300]
    return f"The export stopped ({type(error).__name__}). Start it again; if it fails again, tell your administrator"


def _failed(sar: SubjectAccessRequest, error: Exception) -> SubjectAccessRequest:
    logger.warning("Subject access export %s failed: %s", sar.pk, type(error).__name__)
    reason = _reason_of(error)
    with transaction.atomic():
        locked = SubjectAccessRequest.objects.select_for_update().get(pk=sar.pk)
        if locked.state != State.EXPORTING:
            return locked
        locked.state, locked.error = State.FAILED, reason
        locked.save(update_fields=["state", "error"])
        _audit(
            AuditAction.SUBJECT_ACCESS_EXPORTED,
            locked,
            actor_id=locked.export_started_by.user_id if locked.export_started_by else None,
            origin=NO_ORIGIN,
            outcome=AuditOutcome.FAILURE,
            reason=reason if isinstance(error, ExportNotCovered | ExportFailed) else type(error).__name__,
        )
    return locked


def _ready(sar: SubjectAccessRequest, written: list[dict[str, object]]) -> SubjectAccessRequest:
    with transaction.atomic():
        locked = (
            SubjectAccessRequest.objects.select_related("export_started_by")
            .select_for_update(of=("self",))
            .get(pk=sar.pk)
        )
        if locked.state != State.EXPORTING:  # another run finished first, or the request was closed meanwhile
            files_delete_on_commit(written)
            return locked
        now = timezone.now()
        locked.state, locked.files, locked.ready_at = State.READY, written, now
        locked.download_nonce = secrets.token_urlsafe(24)
        locked.link_expires_at = now + link_lifetime()
        locked.steps_done = locked.steps_total = export_steps()
        locked.save(
            update_fields=[
                "state",
                "files",
                "ready_at",
                "download_nonce",
                "link_expires_at",
                "steps_done",
                "steps_total",
            ]
        )
        _audit(
            AuditAction.SUBJECT_ACCESS_EXPORTED,
            locked,
            actor_id=locked.export_started_by.user_id if locked.export_started_by else None,
            origin=NO_ORIGIN,
            outcome=AuditOutcome.SUCCESS,
            reason=", ".join(f"{entry['name']} sha256 {entry['sha256']}" for entry in written)[:300],
        )
    return locked


# --- The download link ----------------------------------------------------------------------------------------


def download_token(sar: SubjectAccessRequest) -> str:
    """The signed link for the request's current export: names the council, the request and the export."""
    return signing.dumps(
        {"s": connection.schema_name, "r": str(sar.pk), "n": sar.download_nonce}, salt=LINK_SALT, compress=True
    )


class DownloadRefused(Exception):
    """Why a download link cannot be used: HTTP status, a title and what to do."""

    def __init__(self, status: int, title: str, advice: str, request_id: object = None) -> None:
        super().__init__(title)
        self.status, self.title, self.advice, self.request_id = status, title, advice, request_id


def _not_a_link() -> DownloadRefused:
    return DownloadRefused(
        404,
        "This download link does not work",
        "Check that you copied the whole link. If it still does not work, start a new export from the request's page.",
    )


def download_request_of(token: str) -> tuple[SubjectAccessRequest, str]:
    """The request a link names and the export it is for; ``DownloadRefused`` (404) for a link that was not made
    here: a forged or altered one, another council's, a request that does not exist."""
    try:
        payload = signing.loads(token, salt=LINK_SALT)
    except signing.BadSignature:
        raise _not_a_link() from None
    if not isinstance(payload, dict) or payload.get("s") != connection.schema_name:
        raise _not_a_link()
    try:
        request_id = UUID(str(payload.get("r")))
    except ValueError:
        raise _not_a_link() from None
    sar = SubjectAccessRequest.objects.select_related("export_started_by__user").filter(pk=request_id).first()
    if sar is None:
        raise _not_a_link()
    return sar, str(payload.get("n") or "")


def download_refusal(
    sar: SubjectAccessRequest, *, nonce: str, actor: Practitioner, now: datetime.datetime
) -> DownloadRefused | None:
    """Why this person cannot download this export now, or None."""
    start_again = "Start a new export from the request's page if you need the files again."
    if sar.state == State.DOWNLOADED and sar.download_nonce == "" and nonce:
        who = sar.downloaded_by
        when = timezone.localtime(sar.downloaded_at) if sar.downloaded_at else None
        said = f" on {when.day} {when:%B %Y at %H:%M}" if when else ""
        by = " by you" if who is not None and who.pk == actor.pk else ""
        return DownloadRefused(
            410,
            "This export has already been downloaded",
            f"It was downloaded{by}{said}, and its "
            f"files were then deleted: an export is downloaded once. {start_again}",
            sar.pk,
        )
    if sar.export_started_by_id != actor.pk:
        return DownloadRefused(
            403,
            "Only the privacy officer who started this export can download it",
            "Ask them for it, or start a new export yourself from the request's page.",
            sar.pk,
        )
    if sar.state != State.READY or not nonce or not secrets.compare_digest(nonce, sar.download_nonce):
        return DownloadRefused(
            410,
            "This download link is no longer in use",
            f"A newer export replaced it, or the request was closed. {start_again}",
            sar.pk,
        )
    if sar.link_expires_at is None or now >= sar.link_expires_at:
        return DownloadRefused(
            410,
            "This download link has expired",
            f"Links work for {settings.SUBJECT_ACCESS_LINK_DAYS} days after the export is ready. {start_again}",
            sar.pk,
        )
    return None


@dataclass(frozen=True)
class Download:
    filename: str
    content: bytes


def _zipped(sar: SubjectAccessRequest) -> bytes:
    """The export's files, checked against their SHA-256 as written, in one zip with a list of the checks."""
    storage = private_storage()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for entry in sar.files:
            with storage.open(str(entry["key"]), "rb") as stored:
                content = stored.read()
            if hashlib.sha256(content).hexdigest() != entry["sha256"]:
                raise ValueError(f"{entry['name']} does not match its SHA-256")
            archive.writestr(str(entry["name"]), content)
        archive.writestr("SHA256SUMS.txt", "".join(f"{entry['sha256']}  {entry['name']}\n" for entry in sar.files))
    return buffer.getvalue()


def subject_access_download(*, actor: Practitioner, token: str, origin: Origin) -> Download:
    """The export, once: the request is locked, checked (the link, the person, not used, not expired), its files
    read and marked downloaded in one transaction — of two requests at once, one gets the files and the other
    is refused — and the files deleted from storage once that commits. A refusal changes nothing (it is
    recorded as a denied access) and raises ``DownloadRefused``."""
    officer_check(actor=actor, origin=origin)
    sar, nonce = download_request_of(token)
    refusal: DownloadRefused | None
    with transaction.atomic():
        sar = SubjectAccessRequest.objects.select_for_update().get(pk=sar.pk)
        refusal = download_refusal(sar, nonce=nonce, actor=actor, now=timezone.now())
        if refusal is None:
            try:
                content = _zipped(sar)
            except Exception as error:
                logger.warning("Subject access export %s could not be read: %s", sar.pk, type(error).__name__)
                refusal = DownloadRefused(
                    410,
                    "This export's files cannot be read",
                    "They are missing or have changed since they were written. Start a new export from the "
                    "request's page.",
                    sar.pk,
                )
        if refusal is None:
            files_delete_on_commit(sar.files)
            sar.state, sar.downloaded_by, sar.downloaded_at = State.DOWNLOADED, actor, timezone.now()
            sar.download_nonce, sar.link_expires_at = "", None
            sar.save(update_fields=["state", "downloaded_by", "downloaded_at", "download_nonce", "link_expires_at"])
            _audit(
                AuditAction.SUBJECT_ACCESS_DOWNLOADED,
                sar,
                actor_id=actor.user_id,
                origin=origin,
                outcome=AuditOutcome.SUCCESS,
                reason=", ".join(str(entry["name"]) for entry in sar.files)[:300],
            )
    if refusal is not None:
        _audit(
            AuditAction.ACCESS_DENIED,
            sar,
            actor_id=actor.user_id,
            origin=origin,
            outcome=AuditOutcome.DENIED,
            reason=f"subject access download refused: {refusal.title}"[:300],
        )
        raise refusal
    return Download(filename=f"subject-access-{sar.pk}.zip", content=content)


# --- Housekeeping -------------------------------------------------------------------------------------------


def subject_access_exports_expire(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of every export whose link expired unused; the request says so. Returns how many."""
    now = now or timezone.now()
    expired = 0
    for request_id in SubjectAccessRequest.objects.filter(state=State.READY, link_expires_at__lte=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            sar = SubjectAccessRequest.objects.select_for_update().get(pk=request_id)
            if sar.state != State.READY or sar.link_expires_at is None or sar.link_expires_at > now:
                continue
            files_delete_on_commit(sar.files)
            sar.state, sar.files, sar.download_nonce = State.EXPIRED, [], ""
            sar.save(update_fields=["state", "files", "download_nonce"])
            expired += 1
    return expired


def subject_access_exports_stalled(*, now: datetime.datetime | None = None) -> list[UUID]:
    """Exports started long ago and still under way: their worker or their message was lost."""
    now = now or timezone.now()
    stalled = SubjectAccessRequest.objects.filter(state=State.EXPORTING, export_started_at__lt=now - STALLED_AFTER)
    ids = list(stalled.values_list("pk", flat=True))
    # Sent again now: not again at the next sweep while this run works.
    SubjectAccessRequest.objects.filter(pk__in=ids, state=State.EXPORTING).update(export_started_at=now)
    return ids
