"""Data-sharing agreements: recorded with their signed document (a PDF), never changed, read only by
those who need them, each reading recorded.

The document is checked by what it holds, not by its name: it must begin as every PDF file does
(``%PDF-``) and be at most ``DOCUMENT_MAX_BYTES``. It is stored in the ``private`` storage under the
council's own prefix with a name nobody can guess, and is read only through ``agreement_document_open``.
"""

import datetime
import secrets
from collections.abc import Sequence
from typing import IO
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.council.models import DataSharingAgreement
from core.council.services.administrators import administrator_check
from core.council.storage import document_prefix, private_storage
from core.directory.models import Agency, ApprovalState, Practitioner

DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
PDF_SIGNATURE = b"%PDF-"
NOT_A_PDF = "The selected file must be a PDF"
TOO_BIG = "The selected file must be smaller than 10 MB"
UNKNOWN_PARTY = "Select only approved agencies of the council"


def agreement_parties_check(party_ids: Sequence[object]) -> list[Agency]:
    """The approved agencies named by ``party_ids``; any id that is not one (malformed, unknown, another
    council's, not approved) is a ``ValidationError`` on ``parties``."""
    ids: set[UUID] = set()
    for value in party_ids:
        try:
            ids.add(value if isinstance(value, UUID) else UUID(str(value)))
        except ValueError:
            raise ValidationError({"parties": [UNKNOWN_PARTY]}) from None
    if not ids:
        raise ValidationError({"parties": ["Select the agencies that are parties to the agreement"]})
    agencies = list(Agency.objects.filter(pk__in=ids, approval_state=ApprovalState.APPROVED).order_by("name"))
    if len(agencies) != len(ids):
        raise ValidationError({"parties": [UNKNOWN_PARTY]})
    return agencies


def agreement_document_check(document: File | None) -> None:
    if document is None:
        raise ValidationError({"document": ["Select the signed agreement, as a PDF"]})
    if document.size is None or document.size > DOCUMENT_MAX_BYTES:
        raise ValidationError({"document": [TOO_BIG]})
    document.seek(0)
    head = document.read(len(PDF_SIGNATURE))
    document.seek(0)
    if head != PDF_SIGNATURE:
        raise ValidationError({"document": [NOT_A_PDF]})


def _dates_check(signed_on: datetime.date | None, review_on: datetime.date | None) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if signed_on is None:
        problems["signed_on"] = ["Enter the date the agreement was signed"]
    elif signed_on > timezone.localdate():
        problems["signed_on"] = ["The date the agreement was signed must be today or in the past"]
    if review_on is None:
        problems["review_on"] = ["Enter the date the agreement is to be reviewed"]
    elif signed_on is not None and review_on <= signed_on:
        problems["review_on"] = ["The review date must be after the date the agreement was signed"]
    return problems


def agreement_record(
    *,
    actor: Practitioner,
    party_ids: Sequence[object],
    signed_on: datetime.date | None,
    review_on: datetime.date | None,
    document: File | None,
    origin: Origin,
) -> DataSharingAgreement:
    """Record a signed agreement. It becomes the one in force; those recorded before are kept."""
    administrator_check(actor=actor, origin=origin, object_type="data_sharing_agreement")
    problems = _dates_check(signed_on, review_on)
    parties: list[Agency] = []
    try:
        parties = agreement_parties_check(party_ids)
    except ValidationError as error:
        problems.update(error.message_dict)
    try:
        agreement_document_check(document)
    except ValidationError as error:
        problems.update(error.message_dict)
    if problems:
        raise ValidationError(problems)
    if document is None or signed_on is None or review_on is None:  # checked above: for the type checker
        raise ValidationError("Enter the agreement's dates and select its document")

    name = private_storage().save(f"{document_prefix()}{secrets.token_urlsafe(16)}.pdf", document, max_length=200)
    try:
        with transaction.atomic():
            agreement = DataSharingAgreement.objects.create(
                signed_on=signed_on,
                review_on=review_on,
                document=name,
                document_size=document.size or 0,
                recorded_by=actor,
            )
            agreement.parties.set(parties)
            audit_record(
                action=AuditAction.AGREEMENT_RECORDED,
                outcome=AuditOutcome.SUCCESS,
                origin=origin,
                actor_id=actor.user_id,
                object_type="data_sharing_agreement",
                object_id=agreement.pk,
                related_ids=[agency.pk for agency in parties],
                changes={
                    "signed_on": {"old": None, "new": signed_on.isoformat()},
                    "review_on": {"old": None, "new": review_on.isoformat()},
                    "parties": {"old": None, "new": [agency.name for agency in parties]},
                },
            )
    except BaseException:
        private_storage().delete(name)  # nothing was recorded: keep no orphan document
        raise
    return agreement


def agreement_document_open(
    *, viewer: Practitioner, agreement_id: object, origin: Origin
) -> tuple[DataSharingAgreement, IO[bytes]]:
    """The agreement and its document, opened for reading, for a council administrator or a privacy
    officer; each reading is recorded. Anyone else is refused (recorded); an unknown id is not found."""
    if not (viewer.is_council_admin or viewer.is_privacy_officer) or not viewer.user.is_active:
        audit_record(
            action=AuditAction.ACCESS_DENIED,
            outcome=AuditOutcome.DENIED,
            origin=origin,
            actor_id=viewer.user_id,
            object_type="data_sharing_agreement",
            object_id=agreement_id,
            reason="only council administrators and privacy officers read agreements",
        )
        raise PermissionDenied("Only council administrators and privacy officers read data-sharing agreements.")
    agreement = DataSharingAgreement.objects.filter(pk=agreement_id).first()
    if agreement is None:
        raise Http404("No such agreement.")
    document = private_storage().open(agreement.document.name, "rb")
    audit_record(
        action=AuditAction.AGREEMENT_DOWNLOADED,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=viewer.user_id,
        object_type="data_sharing_agreement",
        object_id=agreement.pk,
    )
    return agreement, document
