"""The council's billing page on its own site: its plan, purchase order number and billing contact (which its
administrators change), its usage by month, and its invoices and credit notes to download. Council administrators
only: anyone else is refused (403) before anything is read, as on the council's set-up pages."""

import io
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from billing.forms import BillingDetailsForm
from billing.selectors import billing_account_of, council_invoices, usage_by_month
from billing.services.details import NoBillingAccount, billing_details_change
from billing.services.downloads import council_invoice_document as invoice_document_for
from config.form_errors import errors_onto
from core.audit.origin import Origin
from core.directory.models import Practitioner
from tenants.models import Council

CONTENT_TYPES = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}


def _administrator(request: HttpRequest) -> Practitioner:
    practitioner = Practitioner.objects.select_related("user").filter(user=request.user).first()
    if practitioner is None or not practitioner.is_council_admin:
        raise PermissionDenied("Only council administrators see the council's billing.")
    return practitioner


def _council(request: HttpRequest) -> Council:
    return request.council  # type: ignore[attr-defined]


@require_http_methods(["GET", "POST"])
def council_billing(request: HttpRequest) -> HttpResponse:
    actor = _administrator(request)
    council = _council(request)
    account = billing_account_of(council=council)
    initial = {name: getattr(account, name) for name in BillingDetailsForm.base_fields} if account is not None else None
    form = BillingDetailsForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            changed = billing_details_change(
                actor=actor,
                council=council,
                origin=Origin.from_request(request),
                **form.cleaned_data,
            )
        except ValidationError as error:
            errors_onto(form, error)
        except NoBillingAccount:
            form.add_error(None, f"{council.name} has no billing account yet. Nothing was changed.")
            status = 409
        else:
            messages.success(
                request,
                "The purchase order number and billing contact are saved. Invoices from now on will show them."
                if changed
                else "Nothing has changed.",
            )
            return redirect("council-billing")
    if form.errors and status == 200:
        status = 400
    context = {
        "account": account,
        "form": form,
        "usage": usage_by_month(council=council),
        "invoices": council_invoices(council=council),
    }
    return render(request, "billing/council_billing.html", context, status=status)


@require_GET
def council_invoice_document(request: HttpRequest, invoice_id: UUID, kind: str) -> FileResponse:
    """An invoice's HTML or PDF, as a download (recorded); another council's invoice is not found."""
    viewer = _administrator(request)
    invoice, document = invoice_document_for(
        viewer=viewer, council=_council(request), invoice_id=invoice_id, kind=kind, origin=Origin.from_request(request)
    )
    return FileResponse(
        io.BytesIO(document), as_attachment=True, filename=f"{invoice.number}.{kind}", content_type=CONTENT_TYPES[kind]
    )
