"""The billing overview: revenue per month of the last twelve, per currency, as a chart drawn on the server with a
table of the same numbers beside it; what is owed and overdue, per currency; the latest invoices, filtered by status
and jurisdiction. Pounds and Australian dollars are never added together."""

from dataclasses import dataclass

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET

from billing.models import InvoiceStatus
from billing.money import SYMBOLS
from billing.selectors import OVERDUE, RevenueMonth, invoices_latest, outstanding_by_currency, revenue_by_month
from console.charts import Bar, bar_chart_svg
from console.views.access import staff_required
from tenants.jurisdictions import Jurisdiction

MONTHS = 12
INVOICES_LISTED = 50
CURRENCY_NAMES = {"GBP": "pounds sterling", "AUD": "Australian dollars"}


class InvoiceFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), (OVERDUE, "Overdue"), *InvoiceStatus.choices],
        error_messages={"invalid_choice": "Choose a status from the list"},
    )
    jurisdiction = forms.ChoiceField(
        label="Jurisdiction",
        required=False,
        choices=[("", "Any jurisdiction"), *Jurisdiction.choices],
        error_messages={"invalid_choice": "Choose a jurisdiction from the list"},
    )


@dataclass(frozen=True)
class RevenueChart:
    currency: str
    months: list[RevenueMonth]
    svg: SafeString
    total: str


def _chart(currency: str, months: list[RevenueMonth]) -> RevenueChart:
    name = CURRENCY_NAMES.get(currency, currency)
    first, last = months[0].period, months[-1].period
    description = (
        f"Bars for each month from {first:%B %Y} to {last:%B %Y}, in {name}: "
        + "; ".join(f"{month.period:%B %Y} {month.amount}" for month in months)
        + "."
    )
    svg = bar_chart_svg(
        chart_id=f"revenue-{currency.lower()}",
        title=f"Revenue per month in {name} ({SYMBOLS.get(currency, currency)}), before tax",
        description=description,
        bars=[
            Bar(label=f"{month.period:%b %Y}", value=month.amount_minor, value_text=month.amount) for month in months
        ],
    )
    total = RevenueMonth(period=last, currency=currency, amount_minor=sum(month.amount_minor for month in months))
    return RevenueChart(currency=currency, months=months, svg=svg, total=total.amount)


@staff_required
@require_GET
def billing_overview(request: HttpRequest) -> HttpResponse:
    form = InvoiceFilterForm(request.GET or None)
    status, jurisdiction = "", ""
    if form.is_bound:
        form.is_valid()
        status = form.cleaned_data.get("status", "")
        jurisdiction = form.cleaned_data.get("jurisdiction", "")
    charts = [_chart(currency, months) for currency, months in revenue_by_month(months=MONTHS).items()]
    return render(
        request,
        "console/billing.html",
        {
            "form": form,
            "charts": charts,
            "outstanding": outstanding_by_currency(),
            "invoices": invoices_latest(status=status, jurisdiction=jurisdiction, limit=INVOICES_LISTED),
            "filtered": bool(status or jurisdiction),
            "invoices_listed": INVOICES_LISTED,
            "section": "billing",
        },
    )
