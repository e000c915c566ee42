"""A council leaving, from the console (and ``manage.py council_offboard``): each step recorded and audited.

1. ``offboarding_start`` — live or suspended → offboarding (a reason): its site is a 404 from then on; the final
   export is made in the background.
2. ``offboarding_handover_send`` — a single-use link, valid for 7 days, emailed to the council's DPO;
   ``offboarding_handover_download`` when it is used (COUNCIL_EXPORT_HANDED_OVER). Or ``offboarding_override``:
   an operator records why the data is deleted without a hand-over.
3. ``offboarding_delete_request`` — only after 2: the council's schema, files, web addresses, cache keys,
   sessions and queued tasks are deleted (tenants/services/offboarding.py) in the background;
4. then the deletion certificate (JSON and PDF) is issued, COUNCIL_OFFBOARDED recorded and the council closed.

``offboarding_run`` is the background task's body: it does whatever is due and not yet done, so it can be run
again after any failure.
"""

import hashlib
import json
import logging
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from config.pdf import Document
from console.services.backups import UNDER_WAY, backup_audit, restored_copies_of
from core.accounts.models import User
from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import NO_ORIGIN, Origin
from core.audit.services.events import audit_record
from core.council.services.lifecycle import council_transition
from core.notifications.services.outbox import notification_queue
from onboarding.models import Order
from tenants.models import BackupStatus, Council, CouncilRestore, CouncilStatus, Offboarding, OffboardingStep
from tenants.services.offboarding import (
    OffboardingRefused,
    council_data_delete,
    council_dpo_email,
    handover_link_issue,
    handover_redeem,
    offboarding_export_make,
    offboarding_progress,
)

if TYPE_CHECKING:
    from core.accounts.models import User as UserType

logger = logging.getLogger(__name__)

OFFBOARDABLE = (CouncilStatus.LIVE, CouncilStatus.SUSPENDED)
KEPT = [
    "the council's record on the platform (its name, status closed), the anchor of the two below",
    "its order: the billing record",
    "this certificate",
    "the platform's audit trail of these steps (no council data: who did what to the council, when)",
]

__all__ = ["OffboardingRefused"]


def _queue(offboarding: Offboarding) -> None:
    """After commit, run the due steps in the background. A queue that cannot be reached, or (without a broker)
    a step that fails, is recorded on the offboarding for the operator to run it again."""
    Offboarding.objects.filter(pk=offboarding.pk).update(running=True, error="")

    def queue() -> None:
        from console.tasks import council_offboard_task  # the tasks module imports these services

        try:
            council_offboard_task.delay(offboarding.pk)
        except Exception as error:
            logger.exception("Offboarding %s could not be queued or failed", offboarding.pk)
            Offboarding.objects.filter(pk=offboarding.pk, error="").update(
                error=f"The work could not be started: {type(error).__name__}. Run it again.", running=False
            )

    transaction.on_commit(queue)


def offboarding_resume(*, offboarding: Offboarding) -> None:
    """Run the due steps again, after a failure."""
    if offboarding.running and not offboarding.error:
        raise OffboardingRefused("The offboarding is running already.")
    with transaction.atomic():
        _queue(offboarding)


def offboarding_start(
    *, council: Council, actor: "UserType | None", reason: str, origin: Origin = NO_ORIGIN, queue: bool = True
) -> Offboarding:
    """Move the council to offboarding (its site answers 404 from now) and have its final export made."""
    reason = reason.strip()
    if not reason:
        raise OffboardingRefused(f"Give a reason to start offboarding {council.name}.")
    with transaction.atomic():
        # A restore still running would change (or copy) the council's data after its final export was made.
        if CouncilRestore.objects.select_for_update().filter(council=council, status__in=UNDER_WAY).exists():
            raise OffboardingRefused(
                f"A restore of {council.name} is under way: start offboarding once it has finished or failed."
            )
        council_transition(
            council=council, to=CouncilStatus.OFFBOARDING, actor=actor, reason=reason[:300], origin=origin
        )
        offboarding = Offboarding.objects.create(
            council=council, reason=reason[:300], started_by_id=actor.pk if actor else None
        )
        if queue:
            _queue(offboarding)
    return offboarding


def handover_address(*, council: Council) -> str:
    """Where the final export goes: the DPO the council recorded for going live, else the one its order named."""
    recorded = council_dpo_email(council=council)
    if recorded:
        return recorded
    order = Order.objects.filter(council=council).first()
    return order.dpo_email if order else ""


def offboarding_handover_send(
    *, offboarding: Offboarding, email: str, actor: "UserType | None", origin: Origin = NO_ORIGIN
) -> str:
    """Email a new single-use download link for the final export to ``email`` (the DPO); returns the link."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise OffboardingRefused("Enter the email address of the council's Data Protection Officer.")
    with transaction.atomic():
        token = handover_link_issue(offboarding=offboarding, email=email)
        link = f"{_platform_url()}{reverse('offboarding-export', urlconf=settings.PUBLIC_SCHEMA_URLCONF, args=[token])}"
        council = offboarding.council
        notification_queue(
            to=[email],
            subject=f"{council.name}: your final export from Patchwork",
            body=(
                f"{council.name} is leaving Patchwork. Its final export — its database as a CSV file per table, "
                "with its structure, and its files, in one archive — is ready for you to download, once, within "
                f"7 days:\n\n{link}\n\nThe archive's SHA-256 is {offboarding.export_sha256}.\n\nAfter you have "
                "downloaded it, the council's data will be deleted from Patchwork and you will be sent nothing "
                "more. If you did not expect this email, contact Patchwork support."
            ),
            holds_secret=True,
        )
    return link


def _platform_url() -> str:
    port = f":{settings.PLATFORM_PORT}" if getattr(settings, "PLATFORM_PORT", "") else ""
    return f"{settings.PLATFORM_SCHEME}://{settings.PLATFORM_DOMAIN}{port}"


def offboarding_handover_download(*, token: str, origin: Origin = NO_ORIGIN) -> Offboarding | None:
    """Use a hand-over link: the offboarding whose export it opens (recorded as handed over), or None."""
    offboarding = handover_redeem(token=token)
    if offboarding is None:
        return None
    audit_record(
        action=AuditAction.COUNCIL_EXPORT_HANDED_OVER,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        object_type="council",
        object_id=offboarding.council.slug,
        reason="The final export was downloaded through the link sent to the council's DPO.",
        changes={"export": {"sha256": offboarding.export_sha256, "size": offboarding.export_size}},
    )
    return offboarding


def offboarding_override(
    *, offboarding: Offboarding, actor: "UserType", reason: str, origin: Origin = NO_ORIGIN
) -> Offboarding:
    """Record that the data may be deleted without a hand-over, and why (in the certificate and the trail)."""
    reason = reason.strip()
    if not reason:
        raise OffboardingRefused("Give the reason the data is deleted without handing the export over.")
    if offboarding.deletion:
        raise OffboardingRefused("The council's data is already being deleted.")
    with transaction.atomic():
        Offboarding.objects.filter(pk=offboarding.pk).update(
            override_reason=reason[:300], override_by_id=actor.pk, override_at=timezone.now()
        )
        audit_record(
            action=AuditAction.COUNCIL_EXPORT_HANDED_OVER,
            outcome=AuditOutcome.FAILURE,
            origin=origin,
            actor_id=actor.pk,
            object_type="council",
            object_id=offboarding.council.slug,
            reason=f"Not handed over; deleting anyway: {reason}"[:300],
        )
    offboarding.refresh_from_db()
    return offboarding


def offboarding_delete_request(
    *, offboarding: Offboarding, actor: "UserType | None", origin: Origin = NO_ORIGIN, queue: bool = True
) -> Offboarding:
    """Have the council's data deleted and its certificate issued (in the background): only after the hand-over."""
    with transaction.atomic():
        current = Offboarding.objects.select_for_update().select_related("council").get(pk=offboarding.pk)
        if not current.may_delete:
            raise OffboardingRefused(
                "The final export has not been handed over to the council: send the link and wait for the download, "
                "or record why the data is deleted without it."
            )
        if current.deleted_by_id is None:
            current.deleted_by_id = actor.pk if actor else None
            current.save(update_fields=["deleted_by_id"])
        if queue:
            _queue(current)
    return current


def offboarding_run(*, offboarding_id: int) -> Offboarding:
    """Do what is due and not yet done: the export; after the hand-over and the operator's go, the deletion,
    the certificate and closing. Safe to run again at any point."""
    offboarding = Offboarding.objects.select_related("council", "export").get(pk=offboarding_id)
    council = offboarding.council
    try:
        export_due = offboarding.export is None or offboarding.export.status != BackupStatus.DONE
        if offboarding.certified_at is None and not offboarding.deletion and export_due:
            offboarding_progress(offboarding, step=OffboardingStep.EXPORT, percent=10)
            export = offboarding_export_make(offboarding=offboarding)
            backup_audit(export, origin=NO_ORIGIN, outcome=AuditOutcome.SUCCESS)
        if not offboarding.may_delete or offboarding.deleted_by_id is None:  # waiting for the hand-over, or the go
            offboarding_progress(offboarding, step=OffboardingStep.HANDOVER, percent=30)
            return offboarding
        if offboarding.deleted_at is None:
            offboarding_progress(offboarding, step=OffboardingStep.DELETE, percent=50)
            council_data_delete(offboarding=offboarding, restored_copies=restored_copies_of(council))
        if offboarding.certified_at is None:
            offboarding_progress(offboarding, step=OffboardingStep.CERTIFICATE, percent=90)
            _certificate_issue(offboarding)
        council.refresh_from_db()
        if council.status == CouncilStatus.OFFBOARDING:
            deleter = _user(offboarding.deleted_by_id)
            council_transition(council=council, to=CouncilStatus.CLOSED, actor=deleter, reason="data deleted")
        offboarding_progress(offboarding, step=OffboardingStep.DONE, percent=100)
    except Exception as error:
        offboarding.refresh_from_db()
        message = str(error) if isinstance(error, OffboardingRefused) else type(error).__name__
        offboarding_progress(
            offboarding,
            step=offboarding.step,
            percent=offboarding.progress,
            error=f"{message}. Run it again to resume.",
        )
        raise
    finally:
        Offboarding.objects.filter(pk=offboarding.pk).update(running=False)
    return offboarding


def _user(user_id: object) -> User | None:
    return User.objects.filter(pk=user_id).first() if user_id else None


def _person(user_id: object) -> dict[str, str] | None:
    user = _user(user_id)
    return {"id": str(user.pk), "name": user.full_name, "email": user.email} if user else None


def certificate_content(offboarding: Offboarding) -> dict[str, Any]:
    """What the certificate says: no data of the council's clients, only what was deleted, when, by whom."""
    council = offboarding.council
    deletion = offboarding.deletion
    tables = deletion.get("tables", {})
    return {
        "certificate": "Patchwork: certificate of deletion of a council's data",
        "reference": f"PW-DEL-{offboarding.pk:06d}",
        "issued_at": timezone.now().isoformat(),
        "council": {
            "name": council.name,
            "slug": council.slug,
            "jurisdiction": council.jurisdiction,
            "data_region": council.data_region,
            "schema": deletion.get("schema", council.schema_name),
        },
        "offboarding": {
            "started_at": offboarding.started_at.isoformat(),
            "started_by": _person(offboarding.started_by_id),
            "reason": offboarding.reason,
        },
        "final_export": {
            "sha256": offboarding.export_sha256,
            "size_bytes": offboarding.export_size,
            "handed_over_at": offboarding.handed_over_at.isoformat() if offboarding.handed_over_at else None,
            "handed_over_to": offboarding.handover_email if offboarding.handed_over_at else None,
            "override": {
                "reason": offboarding.override_reason,
                "by": _person(offboarding.override_by_id),
                "at": offboarding.override_at.isoformat() if offboarding.override_at else None,
            }
            if offboarding.override_reason
            else None,
        },
        "deleted": {
            "at": offboarding.deleted_at.isoformat() if offboarding.deleted_at else None,
            "by": _person(offboarding.deleted_by_id),
            "schema": deletion.get("schema"),
            "restored_copies": deletion.get("restored_copies", []),
            "tables": tables,
            "table_count": len(tables),
            "rows": sum(tables.values()),
            "files": deletion.get("files", {"count": 0, "bytes": 0}),
            "domains": deletion.get("domains", []),
            "cache_keys": deletion.get("cache", {}).get("keys", 0),
            "sessions": deletion.get("cache", {}).get("sessions", 0),
            "queued_tasks": deletion.get("queued_tasks", 0),
            "backup_records": deletion.get("backup_records", 0),
        },
        "kept": KEPT,
    }


def certificate_pdf(content: dict[str, Any], *, sha256: str) -> bytes:
    council, export, deleted = content["council"], content["final_export"], content["deleted"]
    document = Document(title="Certificate of deletion", subtitle=f"{council['name']} — {content['reference']}")
    document.paragraph(
        f"Patchwork certifies that the data it held for {council['name']} was deleted as set out below. "
        "This certificate holds no personal data of the council's clients."
    )
    by = deleted["by"] or {}
    document.facts(
        [
            ("Council", f"{council['name']} ({council['slug']}, {council['jurisdiction']}, {council['data_region']})"),
            ("Database schema", str(deleted["schema"])),
            ("Deleted at", str(deleted["at"])),
            ("Deleted by", f"{by.get('name', '')} <{by.get('email', '')}>" if by else "the platform"),
            ("Offboarding reason", content["offboarding"]["reason"]),
            ("Final export SHA-256", export["sha256"]),
            ("Final export size", f"{export['size_bytes']} bytes"),
            ("Handed over at", str(export["handed_over_at"] or "not handed over")),
            ("Handed over to", str(export["handed_over_to"] or "—")),
        ]
    )
    if export["override"]:
        document.paragraph(f"Deleted without hand-over, recorded by an operator: {export['override']['reason']}")
    document.heading("What was deleted")
    document.facts(
        [
            ("Tables", str(deleted["table_count"])),
            ("Rows", str(deleted["rows"])),
            ("Files", f"{deleted['files']['count']} ({deleted['files']['bytes']} bytes)"),
            ("Web addresses", ", ".join(deleted["domains"]) or "none"),
            ("Cache keys", str(deleted["cache_keys"])),
            ("Sessions", str(deleted["sessions"])),
            ("Queued tasks", str(deleted["queued_tasks"])),
            ("Backup records", str(deleted["backup_records"])),
        ]
    )
    document.heading("Rows per table", level=3)
    document.table(["Table", "Rows"], sorted(deleted["tables"].items()), widths=(75, 25))
    document.heading("What is kept")
    for item in content["kept"]:
        document.paragraph(f"• {item}")
    document.paragraph(f"Issued at {content['issued_at']}. SHA-256 of this certificate's JSON: {sha256}")
    return document.output()


def certificate_json(content: dict[str, Any]) -> bytes:
    return json.dumps(content, indent=2, sort_keys=True, ensure_ascii=False).encode()


def _certificate_issue(offboarding: Offboarding) -> None:
    content = certificate_content(offboarding)
    body = certificate_json(content)
    sha256 = hashlib.sha256(body).hexdigest()
    pdf = certificate_pdf(content, sha256=sha256)
    with transaction.atomic():
        Offboarding.objects.filter(pk=offboarding.pk).update(
            certificate=content, certificate_sha256=sha256, certificate_pdf=pdf, certified_at=timezone.now()
        )
        audit_record(
            action=AuditAction.COUNCIL_OFFBOARDED,
            outcome=AuditOutcome.SUCCESS,
            actor_id=offboarding.deleted_by_id,
            object_type="council",
            object_id=offboarding.council.slug,
            reason=f"Data deleted; certificate {content['reference']} issued",
            changes={
                "certificate": {
                    "sha256": sha256,
                    "export_sha256": offboarding.export_sha256,
                    "rows": content["deleted"]["rows"],
                    "files": content["deleted"]["files"]["count"],
                }
            },
        )
    offboarding.refresh_from_db()
