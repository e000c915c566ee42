"""Issuing a council's invoice for a counted month, and every council's at once.

One transaction per invoice: the council's billing account is locked (two runs of the same month cannot both
invoice it), the month's usage priced at the price in force, the jurisdiction's next number taken under a row lock
(no gaps, no repeats; a rolled-back issue gives its number back), the row and its line written with everything
printed on it copied, its documents stored, the platform's audit written and the email to the billing contact
queued in the outbox, which hands it over once the transaction commits. Nothing issued is edited afterwards: a
mistake is put right by a credit note (services/credit_notes.py).
"""

import datetime
import logging
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django_tenants.utils import get_public_schema_name

from billing.documents import invoice_document_open, invoice_documents_write, long_date, month_name
from billing.models import (
    BillingAccount,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceNumberSeries,
    PlanCode,
    Price,
    Usage,
)
from billing.money import money_format, tax_on
from billing.prices import NoPrice, month_start, price_for
from billing.suppliers import invoice_number, supplier_for
from core.accounts.models import User
from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import NO_ORIGIN, Origin
from core.audit.services.events import audit_record
from core.council.storage import private_storage
from core.notifications.services.outbox import Attachment, notification_queue
from tenants.models import Council

logger = logging.getLogger(__name__)

PAYMENT_DAYS = 30


class InvoiceRefused(Exception):
    """The invoice cannot be issued (or changed) as asked. Nothing was written."""


class InvoiceAlreadyIssued(InvoiceRefused):
    """The council's month is already invoiced: issuing it again issues nothing."""

    def __init__(self, invoice: Invoice) -> None:
        super().__init__(f"{invoice.council_name} was already invoiced for {month_name(invoice.period)}: {invoice}.")
        self.invoice = invoice


def on_the_platform() -> None:
    """Invoices and their audit live in ``public``: never issue from inside a council's schema."""
    if connection.schema_name != get_public_schema_name():
        raise RuntimeError("Invoices are issued on the platform, never inside a council's schema.")


def council_today(council: Council) -> datetime.date:
    """Today's date where the council is: the date its invoice is issued on."""
    return datetime.datetime.now(tz=zoneinfo.ZoneInfo(council.time_zone)).date()


def number_take(*, jurisdiction: str) -> tuple[int, str]:
    """The jurisdiction's next place in its series and its number, held until the caller's transaction ends.

    The series row is made the first time (``ON CONFLICT DO NOTHING``: of two first issues at once, the second
    waits for the first's row and uses it), then locked: a second issue waits here until the first commits or
    rolls back, so the numbers run on without gaps or repeats.
    """
    InvoiceNumberSeries.objects.bulk_create([InvoiceNumberSeries(jurisdiction=jurisdiction)], ignore_conflicts=True)
    series = InvoiceNumberSeries.objects.select_for_update().get(jurisdiction=jurisdiction)
    series.last += 1
    series.save(update_fields=["last"])
    return series.last, invoice_number(jurisdiction=jurisdiction, sequence=series.last)


def issued_complete(
    *, invoice: Invoice, lines: Sequence[InvoiceLine], written: list[str], credited: Invoice | None = None
) -> bytes:
    """Store a just-written invoice's documents and note them on its row; returns the PDF's bytes."""
    stored = invoice_documents_write(
        invoice, lines, credits_number=credited.number if credited else "", written=written
    )
    invoice.html_name, invoice.pdf_name, invoice.pdf_sha256 = stored.html_name, stored.pdf_name, stored.pdf_sha256
    invoice.save(update_fields=["html_name", "pdf_name", "pdf_sha256"])
    return stored.pdf


def documents_forget(written: list[str]) -> None:
    """Remove the documents an issue stored before its transaction failed: no orphan is kept."""
    for name in written:
        try:
            private_storage().delete(name)
        except Exception:  # the failure being raised matters more; a later issue of the number replaces it
            logger.exception("An invoice document left by a failed issue could not be removed")


def email_queue(*, invoice: Invoice, to: str, subject: str, template: str, pdf: bytes, **extra: object) -> None:
    """Queue an email with the document attached, in the caller's transaction (the outbox sends it once that
    commits). Its body carries the document's facts, never a person's name."""
    body = render_to_string(
        template,
        {
            "invoice": invoice,
            "supplier": supplier_for(invoice.jurisdiction),
            "period": month_name(invoice.period),
            "total": money_format(invoice.total_minor, invoice.currency),
            "due_on": long_date(invoice.due_on),
            **extra,
        },
    )
    notification_queue(
        to=[to],
        subject=subject,
        body=body,
        attachment=Attachment(name=f"{invoice.number}.pdf", content_type="application/pdf", data=pdf),
    )


def billing_contact(invoice: Invoice) -> tuple[str, str]:
    """The name and address the council's billing email goes to now (it may have changed since the invoice was
    issued); the invoice's own copy if the council has no account any more."""
    account = BillingAccount.objects.filter(council_id=invoice.council_id).first()
    if account is None:
        return invoice.billing_contact_name, invoice.billing_contact_email
    return account.billing_contact_name, account.billing_contact_email


def amounts(invoice: Invoice) -> dict[str, dict[str, object]]:
    """An issued document's amounts, as the audit trail's ``changes`` keep them."""
    return {
        "number": {"old": None, "new": invoice.number},
        "currency": {"old": None, "new": invoice.currency},
        "subtotal_minor": {"old": None, "new": invoice.subtotal_minor},
        "tax_minor": {"old": None, "new": invoice.tax_minor},
        "total_minor": {"old": None, "new": invoice.total_minor},
    }


def usage_line(*, usage: Usage, price: Price, plan: str) -> InvoiceLine:
    """The month's charge: its active practitioners at the price, or the price's minimum when fewer were active."""
    month = month_name(usage.period)
    active = usage.active_practitioners
    plan_name = PlanCode(plan).label
    if active >= price.minimum_practitioners:
        quantity = active
        description = f"{plan_name} plan: active practitioners in {month}"
    else:
        quantity = price.minimum_practitioners
        description = f"Minimum charge: {quantity} practitioners ({active} active in {month})"
    return InvoiceLine(
        position=1,
        description=description,
        quantity=quantity,
        unit_price_minor=price.unit_price_minor,
        amount_minor=quantity * price.unit_price_minor,
        price=price,
    )


def invoice_issue(
    *, council: Council, period: datetime.date, actor: User | None = None, origin: Origin | None = None
) -> Invoice:
    """Issue ``council``'s invoice for the month ``period`` (its first day), store its documents and email it.

    Refused (``InvoiceRefused``, nothing written) when the month is not over, not counted, already invoiced
    (``InvoiceAlreadyIssued``), or when the council has no billing account or no price is in force.
    """
    on_the_platform()
    if period.day != 1:
        raise InvoiceRefused("An invoice is for a whole month: give its first day.")
    today = council_today(council)
    if period >= month_start(today):
        raise InvoiceRefused(f"{month_name(period)} is not over yet in {council.name}: it cannot be invoiced.")
    written: list[str] = []
    try:
        with transaction.atomic():
            account = BillingAccount.objects.select_for_update().filter(council=council).first()
            if account is None:
                raise InvoiceRefused(f"{council.name} has no billing account.")
            already = Invoice.objects.filter(council=council, period=period, kind=InvoiceKind.INVOICE).first()
            if already is not None:
                raise InvoiceAlreadyIssued(already)
            usage = Usage.objects.filter(council=council, period=period).first()
            if usage is None:
                raise InvoiceRefused(f"{council.name}'s active practitioners in {month_name(period)} are not counted.")
            try:
                price = price_for(jurisdiction=council.jurisdiction, plan=account.plan, period=period)
            except NoPrice as missing:
                raise InvoiceRefused(str(missing)) from missing
            line = usage_line(usage=usage, price=price, plan=account.plan)
            subtotal = line.amount_minor
            tax = tax_on(subtotal, price.tax_rate)
            sequence, number = number_take(jurisdiction=council.jurisdiction)
            try:
                with transaction.atomic():  # the same month issued at this very moment by another run
                    invoice = Invoice.objects.create(
                        kind=InvoiceKind.INVOICE,
                        jurisdiction=council.jurisdiction,
                        sequence=sequence,
                        number=number,
                        council=council,
                        period=period,
                        council_name=council.name,
                        plan=account.plan,
                        purchase_order_number=account.purchase_order_number,
                        billing_contact_name=account.billing_contact_name,
                        billing_contact_email=account.billing_contact_email,
                        currency=price.currency,
                        tax_name=price.tax_name,
                        tax_rate=price.tax_rate,
                        subtotal_minor=subtotal,
                        tax_minor=tax,
                        total_minor=subtotal + tax,
                        issued_on=today,
                        due_on=today + datetime.timedelta(days=PAYMENT_DAYS),
                        issued_by_id=actor.pk if actor else None,
                    )
            except IntegrityError as clash:
                issued = Invoice.objects.filter(council=council, period=period, kind=InvoiceKind.INVOICE).first()
                if issued is None:
                    raise
                raise InvoiceAlreadyIssued(issued) from clash
            line.invoice = invoice
            line.save()
            pdf = issued_complete(invoice=invoice, lines=[line], written=written)
            audit_record(
                action=AuditAction.INVOICE_ISSUED,
                outcome=AuditOutcome.SUCCESS,
                origin=origin or NO_ORIGIN,
                actor_id=actor.pk if actor else None,
                object_type="invoice",
                object_id=invoice.number,
                related_ids=[council.slug, invoice.pk],
                changes=amounts(invoice),
            )
            supplier = supplier_for(invoice.jurisdiction)
            email_queue(
                invoice=invoice,
                to=invoice.billing_contact_email,
                subject=f"{supplier.invoice_title} {invoice.number} for {month_name(period)}",
                template="billing/email/invoice.txt",
                pdf=pdf,
                title=supplier.invoice_title,
            )
    except BaseException:
        documents_forget(written)
        raise
    return invoice


@dataclass(frozen=True)
class IssueFailure:
    council_name: str
    council_slug: str
    message: str


@dataclass
class IssueOutcome:
    """What a run over a month did: invoices issued, councils already invoiced, and those that failed (and why)."""

    period: datetime.date
    issued: list[Invoice] = field(default_factory=list)
    already: list[Invoice] = field(default_factory=list)
    failed: list[IssueFailure] = field(default_factory=list)


def councils_to_invoice(*, period: datetime.date) -> list[Council]:
    """Councils whose ``period`` is counted, with a billing account and no invoice for it yet."""
    invoiced = Invoice.objects.filter(period=period, kind=InvoiceKind.INVOICE).values("council_id")
    return list(
        Council.objects.filter(usage__period=period, billing_account__isnull=False)
        .exclude(pk__in=invoiced)
        .order_by("name", "pk")
    )


def invoices_issue(*, period: datetime.date, actor: User | None = None, origin: Origin | None = None) -> IssueOutcome:
    """Issue ``period``'s invoice of every council counted in it that has none yet, each on its own.

    Safe to run again: a council already invoiced is left alone. One council's failure (no price, its documents not
    stored) is logged and reported in the outcome, and the others are still issued.
    """
    on_the_platform()
    outcome = IssueOutcome(period=period)
    for council in councils_to_invoice(period=period):
        try:
            outcome.issued.append(invoice_issue(council=council, period=period, actor=actor, origin=origin))
        except InvoiceAlreadyIssued as already:
            outcome.already.append(already.invoice)
        except InvoiceRefused as refusal:
            outcome.failed.append(IssueFailure(council.name, council.slug, str(refusal)))
        except Exception as error:
            logger.exception("The %s invoice of council %s could not be issued", period, council.slug)
            outcome.failed.append(
                IssueFailure(council.name, council.slug, f"It could not be issued ({type(error).__name__}).")
            )
    return outcome


def invoice_document_download(*, invoice: Invoice, kind: str, actor: User, origin: Origin) -> bytes:
    """The stored document of an invoice or credit note for a member of platform staff; the reading is audited."""
    on_the_platform()
    content = invoice_document_open(invoice=invoice, kind=kind)
    audit_record(
        action=AuditAction.INVOICE_DOWNLOADED,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=actor.pk,
        object_type="invoice",
        object_id=invoice.number,
        related_ids=[invoice.pk],
        changes={"document": {"old": None, "new": kind}},
    )
    return content


@dataclass(frozen=True)
class CountedMonth:
    period: datetime.date
    counted: int  # councils whose active practitioners were counted
    invoiced: int  # of them, invoiced

    @property
    def label(self) -> str:
        return month_name(self.period)


def months_counted(*, limit: int = 24) -> list[CountedMonth]:
    """The latest counted months, newest first, with how many councils were counted and invoiced in each: what an
    operator chooses from to issue a month by hand (two queries, whatever the number of councils)."""
    counted = list(Usage.objects.values_list("period").annotate(councils=Count("id")).order_by("-period")[:limit])
    invoiced = dict(
        Invoice.objects.filter(kind=InvoiceKind.INVOICE, period__in=[period for period, _ in counted])
        .values_list("period")
        .annotate(councils=Count("id"))
    )
    return [CountedMonth(period, councils, invoiced.get(period, 0)) for period, councils in counted]
