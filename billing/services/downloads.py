"""An invoice's or credit note's document (HTML or PDF), downloaded by the council's administrator from its site.

Only the council's own: another council's invoice is not found, as an id that never existed is, and nothing is
recorded. The file is read from the private storage by the name on the invoice's row, never by a name from the
request. Each download is recorded in the council's audit trail.
"""

from django.http import Http404

from billing.documents import NoDocument, invoice_document_open
from billing.models import Invoice
from billing.selectors import invoice_get
from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.council.services.administrators import administrator_check
from core.directory.models import Practitioner
from tenants.models import Council

DOCUMENT_KINDS = ("html", "pdf")


def council_invoice_document(
    *, viewer: Practitioner, council: Council, invoice_id: object, kind: str, origin: Origin
) -> tuple[Invoice, bytes]:
    """The invoice and its document of ``kind``, as stored. ``Http404`` for another council's invoice, an
    unknown id or kind, or a document not made yet; ``PermissionDenied`` (recorded) for anyone but an administrator."""
    administrator_check(actor=viewer, origin=origin, object_type="invoice", object_id=invoice_id)
    invoice = invoice_get(invoice_id=invoice_id, council=council)  # type: ignore[arg-type]
    if invoice is None or kind not in DOCUMENT_KINDS:
        raise Http404("No such invoice.")
    try:
        document = invoice_document_open(invoice=invoice, kind=kind)
    except (NoDocument, FileNotFoundError) as missing:
        raise Http404("This invoice's document is not ready yet.") from missing
    audit_record(
        action=AuditAction.INVOICE_DOWNLOADED,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=viewer.user_id,
        object_type="invoice",
        object_id=invoice.pk,
        reason=f"{invoice.number} ({kind.upper()})",
    )
    return invoice, document
