"""Reads of billing that leave the app: a council's invoices, usage and account, one invoice, overdue or not, and the
platform's revenue per month and what is owed."""

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from billing.models import BillingAccount, Invoice, InvoiceKind, InvoiceStatus, Usage
from billing.money import money_format
from billing.prices import month_after, month_before, month_start
from tenants.models import Council

# A status to filter by that is not stored: issued, and past its due date.
OVERDUE = "overdue"


def invoice_get(*, invoice_id: uuid.UUID, council: Council | None = None) -> Invoice | None:
    """The invoice or credit note, with its lines; only if it is ``council``'s when a council is given."""
    invoices = Invoice.objects.prefetch_related("lines")
    if council is not None:
        invoices = invoices.filter(council=council)
    return invoices.filter(pk=invoice_id).first()


def invoices_of(*, council: Council) -> QuerySet[Invoice]:
    """A council's invoices and credit notes, newest first."""
    return Invoice.objects.filter(council=council).order_by("-issued_at", "-sequence")


def usage_of(*, council: Council) -> QuerySet[Usage]:
    """A council's counted months, newest first."""
    return Usage.objects.filter(council=council).order_by("-period")


def is_overdue(invoice: Invoice, *, today: datetime.date | None = None) -> bool:
    """An invoice (not a credit note) still unpaid after its due date."""
    today = today or timezone.localdate()
    return invoice.kind == InvoiceKind.INVOICE and invoice.status == InvoiceStatus.ISSUED and invoice.due_on < today


def billing_account_of(*, council: Council) -> BillingAccount | None:
    """The council's billing account, if it has one yet (one is opened when it comes aboard)."""
    return BillingAccount.objects.filter(council=council).first()


def last_months(*, months: int, today: datetime.date | None = None) -> list[datetime.date]:
    """The first days of the last ``months`` months, this one included, oldest first."""
    period = month_start(today or timezone.localdate())
    periods = [period]
    for _ in range(months - 1):
        periods.append(month_before(periods[-1]))
    return periods[::-1]


@dataclass(frozen=True)
class UsageMonth:
    period: datetime.date
    active_practitioners: int | None  # None: the month was not counted (not yet, or before the council came aboard)


def usage_by_month(*, council: Council, months: int = 12, today: datetime.date | None = None) -> list[UsageMonth]:
    """The council's active practitioners in each of the last ``months`` months since it went live (only this month
    before it has), newest first: months before it came aboard were never going to be counted. One query."""
    periods = last_months(months=months, today=today)
    live_since = month_start(timezone.localdate(council.activated_at)) if council.activated_at else periods[-1]
    live_since = min(live_since, periods[-1])  # this month at least, however the dates fall
    periods = [period for period in periods if period >= live_since]
    counted = dict(
        Usage.objects.filter(council=council, period__gte=periods[0]).values_list("period", "active_practitioners")
    )
    return [UsageMonth(period=period, active_practitioners=counted.get(period)) for period in reversed(periods)]


@dataclass(frozen=True)
class InvoiceRow:
    """An invoice or credit note as a list shows it: its row, and whether it is overdue today."""

    invoice: Invoice
    overdue: bool

    @property
    def subtotal(self) -> str:
        return money_format(self.invoice.subtotal_minor, self.invoice.currency)

    @property
    def total(self) -> str:
        return money_format(self.invoice.total_minor, self.invoice.currency)


def invoice_rows(invoices: Iterable[Invoice], *, today: datetime.date | None = None) -> list[InvoiceRow]:
    today = today or timezone.localdate()
    return [InvoiceRow(invoice=invoice, overdue=is_overdue(invoice, today=today)) for invoice in invoices]


def council_invoices(*, council: Council, today: datetime.date | None = None) -> list[InvoiceRow]:
    """Every invoice and credit note of the council, newest first, with the invoice a credit note credits.

    One query however many there are: the invoice credited comes in the same join."""
    invoices = invoices_of(council=council).select_related("credits")
    return invoice_rows(invoices, today=today)


def invoices_latest(
    *, status: str = "", jurisdiction: str = "", limit: int = 50, today: datetime.date | None = None
) -> list[InvoiceRow]:
    """The most recently issued invoices and credit notes of every council, newest first, optionally of one status
    (``overdue`` being issued and past its due date) or one jurisdiction. One query."""
    today = today or timezone.localdate()
    invoices = Invoice.objects.select_related("credits").order_by("-issued_at", "-sequence")
    if status == OVERDUE:
        invoices = invoices.filter(kind=InvoiceKind.INVOICE, status=InvoiceStatus.ISSUED, due_on__lt=today)
    elif status:
        invoices = invoices.filter(status=status)
    if jurisdiction:
        invoices = invoices.filter(jurisdiction=jurisdiction)
    return invoice_rows(invoices[:limit], today=today)


@dataclass(frozen=True)
class RevenueMonth:
    period: datetime.date
    currency: str
    amount_minor: int  # invoices issued in the month less its credit notes, before tax

    @property
    def amount(self) -> str:
        return money_format(self.amount_minor, self.currency)


def revenue_by_month(*, months: int = 12, today: datetime.date | None = None) -> dict[str, list[RevenueMonth]]:
    """Revenue per month of the last ``months`` months, per currency (pounds and Australian dollars are never added
    together): the subtotals of the invoices issued in the month, less those of the credit notes issued in it
    (their subtotals are negative, so a plain sum subtracts them). Months with nothing issued are zero. One query.

    A currency appears when anything was ever issued in it, so that a currency with a quiet year still shows."""
    periods = last_months(months=months, today=today)
    sums = (
        Invoice.objects.filter(issued_on__gte=periods[0], issued_on__lt=month_after(periods[-1]))
        .annotate(month=TruncMonth("issued_on"))
        .values("currency", "month")
        .annotate(amount=Sum("subtotal_minor"))
        .order_by()
    )
    by_currency: dict[str, dict[datetime.date, int]] = {}
    for row in sums:
        month = row["month"]
        period = month.date() if isinstance(month, datetime.datetime) else month
        by_currency.setdefault(row["currency"], {})[period] = row["amount"]
    return {
        currency: [
            RevenueMonth(period=period, currency=currency, amount_minor=amounts.get(period, 0)) for period in periods
        ]
        for currency, amounts in sorted(by_currency.items())
    }


@dataclass(frozen=True)
class Outstanding:
    currency: str
    outstanding_minor: int  # owed on issued invoices, tax included, less their credit notes
    overdue_minor: int  # of which past its due date

    @property
    def outstanding(self) -> str:
        return money_format(self.outstanding_minor, self.currency)

    @property
    def overdue(self) -> str:
        return money_format(self.overdue_minor, self.currency)


def outstanding_by_currency(*, today: datetime.date | None = None) -> list[Outstanding]:
    """What councils owe, per currency: every issued (unpaid, not cancelled) invoice's total less the credit notes
    against it, and the part of it past its due date. One query."""
    today = today or timezone.localdate()
    owed = Q(kind=InvoiceKind.INVOICE, status=InvoiceStatus.ISSUED) | Q(
        kind=InvoiceKind.CREDIT_NOTE, credits__status=InvoiceStatus.ISSUED
    )
    late = Q(kind=InvoiceKind.INVOICE, due_on__lt=today) | Q(kind=InvoiceKind.CREDIT_NOTE, credits__due_on__lt=today)
    rows = (
        Invoice.objects.filter(owed)
        .values("currency")
        .annotate(outstanding=Sum("total_minor"), overdue=Sum("total_minor", filter=late, default=0))
        .order_by("currency")
    )
    return [Outstanding(row["currency"], row["outstanding"], row["overdue"]) for row in rows]
