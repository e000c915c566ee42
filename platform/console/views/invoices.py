"""Invoices in the console: one invoice or credit note (its facts, lines, totals, credit notes and documents), recording
its payment and issuing a credit note against it; and issuing a counted month's invoices by hand.

Platform staff only. Each POST is decided by a service that locks the invoice and reads it again: one that changed
meanwhile (paid, cancelled, credited by someone else) is answered with a 409 page that says nothing was changed. Bad
input is shown again with its errors, nothing written. The documents are the stored ones, downloaded as attachments.
"""

import datetime
import re
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from billing.documents import KINDS, NoDocument, long_date, month_name
from billing.models import Invoice, InvoiceKind
from billing.money import money_format, rate_percent
from billing.selectors import invoice_get, is_overdue
from billing.services.credit_notes import (
    REASON_MAX,
    CreditLeft,
    credit_note_issue,
    credit_notes_of,
    credit_refusal,
    invoice_credit_left,
)
from billing.services.invoices import (
    CountedMonth,
    InvoiceRefused,
    invoice_document_download,
    invoices_issue,
    months_counted,
)
from billing.services.payments import invoice_mark_paid, payment_refusal
from config.form_errors import errors_onto
from config.govuk_dates import GovukDateField
from console.views.access import staff_required
from core.accounts.models import User
from core.audit.origin import Origin

SECTION = "billing"
_AMOUNT = re.compile(r"^\d{1,9}(\.\d{1,2})?$")
MINOR_UNITS = {"GBP": ("pounds and pence", "£"), "AUD": ("dollars and cents", "A$")}


class PaymentForm(forms.Form):
    paid_on = GovukDateField(
        label="Date paid", help_text="The day the money reached the account. For example, 27 3 2026"
    )


class CreditNoteForm(forms.Form):
    """An amount before tax, in pounds and pence (or dollars and cents), up to what is left to credit; and why."""

    amount = forms.CharField(
        max_length=20,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "decimal", "spellcheck": "false"}),
        error_messages={"required": "Enter the amount to credit", "max_length": "Enter the amount to credit"},
    )
    reason = forms.CharField(
        label="Why is the credit note issued?",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Printed on the credit note and kept in the platform's audit trail. Do not include anyone's "
        "personal details.",
        error_messages={
            "required": "Enter why the credit note is issued",
            "max_length": f"The reason must be {REASON_MAX} characters or fewer",
        },
    )

    def __init__(self, *args: Any, invoice: Invoice, left_minor: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invoice, self.left_minor = invoice, left_minor
        units, _ = MINOR_UNITS.get(invoice.currency, ("units", ""))
        self.units = units
        left = money_format(left_minor, invoice.currency)
        self.fields["amount"].label = f"Amount to credit, before {invoice.tax_name}"
        self.fields[
            "amount"
        ].help_text = f"In {units}. Up to {left} is left to credit; credit all of it to cancel the invoice."

    def clean_amount(self) -> int:
        typed = self.cleaned_data["amount"].strip().replace(",", "")
        _, symbol = MINOR_UNITS.get(self.invoice.currency, ("", ""))
        for prefix in (symbol, "£", "A$", "$"):
            if prefix and typed.startswith(prefix):
                typed = typed[len(prefix) :].strip()
        if not _AMOUNT.match(typed):
            raise ValidationError(f"Enter the amount in {self.units}, for example 120.50")
        try:
            minor = int(Decimal(typed) * 100)
        except InvalidOperation as error:  # pragma: no cover - the pattern admits only numbers
            raise ValidationError(f"Enter the amount in {self.units}, for example 120.50") from error
        if minor <= 0:
            raise ValidationError("Enter an amount to credit greater than zero")
        if minor > self.left_minor:
            left = money_format(self.left_minor, self.invoice.currency)
            raise ValidationError(f"The amount must be {left} or less: that is what is left to credit")
        return minor


def _invoice_or_404(invoice_id: uuid.UUID) -> Invoice:
    invoice = invoice_get(invoice_id=invoice_id)
    if invoice is None:
        raise Http404("No such invoice.")
    return invoice


def _refused(request: HttpRequest, invoice: Invoice, message: str) -> HttpResponse:
    context = {
        "section": SECTION,
        "heading": f"{invoice.get_kind_display()} {invoice.number}: this cannot be done",
        "refused": f"{message} Nothing was changed.",
        "back_url": reverse("console:invoice", kwargs={"invoice_id": invoice.pk}),
        "back_text": f"Go back to {invoice.get_kind_display().lower()} {invoice.number}",
    }
    return render(request, "console/refused.html", context, status=409)


@staff_required
@require_http_methods(["GET", "POST"])
def invoice_page(request: HttpRequest, invoice_id: uuid.UUID) -> HttpResponse:
    invoice = _invoice_or_404(invoice_id)
    is_invoice = invoice.kind == InvoiceKind.INVOICE
    left = invoice_credit_left(invoice=invoice) if is_invoice else None
    payment_form = PaymentForm(prefix="payment")
    credit_form = CreditNoteForm(prefix="credit", invoice=invoice, left_minor=left.subtotal_minor if left else 0)
    if request.method == "POST":
        actor: User = request.user  # type: ignore[assignment]  # staff_required: a signed-in platform user
        origin = Origin.from_request(request)
        action = request.POST.get("action", "")
        try:
            if action == "payment":
                refusal = payment_refusal(invoice)
                if refusal:
                    raise InvoiceRefused(refusal)
                payment_form = PaymentForm(request.POST, prefix="payment")
                if payment_form.is_valid():
                    try:
                        invoice_mark_paid(
                            actor=actor, invoice=invoice, paid_on=payment_form.cleaned_data["paid_on"], origin=origin
                        )
                    except ValidationError as error:
                        errors_onto(payment_form, error)
                    else:
                        paid_on = long_date(payment_form.cleaned_data["paid_on"])
                        messages.success(request, f"Invoice {invoice.number} is recorded as paid on {paid_on}.")
                        return redirect("console:invoice", invoice_id=invoice.pk)
            elif action == "credit":
                refusal = credit_refusal(invoice, left=left or CreditLeft(0, 0))
                if refusal or left is None:
                    raise InvoiceRefused(refusal or "Only an invoice can be credited.")
                credit_form = CreditNoteForm(
                    request.POST, prefix="credit", invoice=invoice, left_minor=left.subtotal_minor
                )
                if credit_form.is_valid():
                    try:
                        note = credit_note_issue(
                            actor=actor,
                            invoice=invoice,
                            amount_minor=credit_form.cleaned_data["amount"],
                            reason=credit_form.cleaned_data["reason"],
                            origin=origin,
                        )
                    except ValidationError as error:
                        errors_onto(credit_form, error)
                    else:
                        messages.success(
                            request,
                            f"Credit note {note.number} for {money_format(-note.total_minor, note.currency)} is "
                            f"issued and emailed to the billing contact.",
                        )
                        return redirect("console:invoice", invoice_id=invoice.pk)
            else:
                raise InvoiceRefused("That is not something this page can do.")
        except InvoiceRefused as refusal:
            return _refused(request, invoice, str(refusal))
    errors = payment_form.errors or credit_form.errors
    return render(
        request,
        "console/invoice.html",
        _page_context(invoice, left=left, payment_form=payment_form, credit_form=credit_form),
        status=400 if errors else 200,
    )


def _page_context(invoice: Invoice, *, left: Any, payment_form: PaymentForm, credit_form: CreditNoteForm) -> dict:
    is_invoice = invoice.kind == InvoiceKind.INVOICE
    money = invoice.currency
    issued_by = User.objects.filter(pk=invoice.issued_by_id).first() if invoice.issued_by_id else None
    notes = credit_notes_of(invoice=invoice) if is_invoice else []
    return {
        "invoice": invoice,
        "is_invoice": is_invoice,
        "overdue": is_overdue(invoice),
        "period": month_name(invoice.period),
        "issued_on": long_date(invoice.issued_on),
        "due_on": long_date(invoice.due_on),
        "paid_on": long_date(invoice.paid_on) if invoice.paid_on else "",
        "issued_by": issued_by.get_full_name() if issued_by else "",
        "lines": [
            {
                "description": line.description,
                "quantity": f"{line.quantity:,}",
                "unit_price": money_format(line.unit_price_minor, money),
                "amount": money_format(line.amount_minor, money),
            }
            for line in invoice.lines.all()
        ],
        "subtotal": money_format(invoice.subtotal_minor, money),
        "tax_label": f"{invoice.tax_name} at {rate_percent(invoice.tax_rate)}",
        "tax": money_format(invoice.tax_minor, money),
        "total": money_format(invoice.total_minor, money),
        "credit_notes": [
            {
                "note": note,
                "issued_on": long_date(note.issued_on),
                "total": money_format(note.total_minor, money),
            }
            for note in notes
        ],
        "left_total": money_format(left.total_minor, money) if left else "",
        "credited": invoice.credits if not is_invoice else None,
        "can_pay": payment_refusal(invoice) is None,
        "can_credit": left is not None and credit_refusal(invoice, left=left) is None,
        "payment_form": payment_form,
        "credit_form": credit_form,
        "section": SECTION,
    }


@staff_required
@require_http_methods(["GET"])
def invoice_document(request: HttpRequest, invoice_id: uuid.UUID, kind: str) -> HttpResponse:
    """The stored PDF or HTML, as an attachment: an HTML document is never shown inline from storage, and is
    sandboxed should a browser open it anyway."""
    invoice = _invoice_or_404(invoice_id)
    if kind not in KINDS:
        raise Http404("No such document.")
    try:
        content = invoice_document_download(
            invoice=invoice,
            kind=kind,
            actor=request.user,  # type: ignore[arg-type]  # staff_required: a signed-in platform user
            origin=Origin.from_request(request),
        )
    except NoDocument as missing:
        raise Http404("No such document.") from missing
    response = HttpResponse(content, content_type=KINDS[kind])
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}.{kind}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    if kind == "html":
        response["Content-Security-Policy"] = "sandbox; default-src 'none'; style-src 'unsafe-inline'"
    return response


class IssueMonthForm(forms.Form):
    period = forms.TypedChoiceField(
        label="Which month's invoices should be issued?",
        widget=forms.RadioSelect,
        coerce=datetime.date.fromisoformat,
        error_messages={
            "required": "Choose the month to invoice",
            "invalid_choice": "Choose one of the counted months",
        },
    )

    def __init__(self, *args: Any, months: list[CountedMonth], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [
            (
                month.period.isoformat(),
                f"{month.label}: {month.counted} counted, {month.invoiced} invoiced",
            )
            for month in months
        ]


@staff_required
@require_http_methods(["GET", "POST"])
def invoices_issue_page(request: HttpRequest) -> HttpResponse:
    """Issue a counted month's invoices now (an operator running a month by hand), then show what was issued, what
    was already, and what failed and why. Running a month again issues only what is missing."""
    months = months_counted()
    form = IssueMonthForm(request.POST or None, months=months)
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = invoices_issue(
            period=form.cleaned_data["period"],
            actor=request.user,  # type: ignore[arg-type]  # staff_required: a signed-in platform user
            origin=Origin.from_request(request),
        )
        months = months_counted()
        form = IssueMonthForm(months=months)
    context = {
        "form": form,
        "months": months,
        "outcome": outcome,
        "outcome_period": month_name(outcome.period) if outcome else "",
        "issued": [
            {"invoice": invoice, "total": money_format(invoice.total_minor, invoice.currency)}
            for invoice in (outcome.issued if outcome else [])
        ],
        "section": SECTION,
    }
    return render(request, "console/invoices_issue.html", context, status=400 if form.errors else 200)
