"""Prices in the console: every version of each plan's price per jurisdiction, and setting a new one.

A new price is a new version from the first day of a month still to come (billing/services/prices.py decides what
is allowed, again at the moment of the POST); the versions already set are never edited, because issued invoices
point at them.
"""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from billing.models import PlanCode, Price
from billing.money import money_format, rate_percent
from billing.prices import month_after, month_start, price_versions
from billing.services.prices import MINIMUM_PRACTITIONERS_MAX, UNIT_PRICE_MAX_MINOR, PriceRefused, price_set
from console.views.access import staff_required
from core.audit.origin import Origin
from tenants.jurisdictions import Jurisdiction, defaults_for

MONTHS_AHEAD = 24
_AMOUNT = re.compile(r"^\d{1,7}(\.\d{1,2})?$")


def _months_ahead(today: datetime.date) -> list[tuple[str, str]]:
    """The months a new price may start: next month and the following ones."""
    month = month_after(month_start(today))
    choices = []
    for _ in range(MONTHS_AHEAD):
        choices.append((month.isoformat(), f"1 {month:%B %Y}"))
        month = month_after(month)
    return choices


class PriceForm(forms.Form):
    jurisdiction = forms.ChoiceField(
        label="Jurisdiction",
        choices=Jurisdiction.choices,
        widget=forms.RadioSelect,
        help_text="The currency and tax (VAT in England, GST in Victoria) come with the jurisdiction.",
        error_messages={"required": "Select a jurisdiction", "invalid_choice": "Select a jurisdiction"},
    )
    plan = forms.ChoiceField(
        label="Plan",
        choices=PlanCode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a plan", "invalid_choice": "Select a plan"},
    )
    effective_from = forms.ChoiceField(
        label="Charged from",
        help_text="The first month charged at the new price. Months already begun keep the price they had.",
        error_messages={
            "required": "Select the first month charged at the new price",
            "invalid_choice": "Select a month from the list: a new price starts on the first of a month to come",
        },
    )
    unit_price = forms.CharField(
        label="Price per active practitioner per month, before tax",
        max_length=12,
        help_text="In pounds or Australian dollars, for example 4.50.",
        error_messages={
            "required": "Enter the price per active practitioner per month",
            "max_length": "Enter a price like 4.50",
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false", "class": "govuk-input--width-5"}),
    )
    minimum_practitioners = forms.CharField(
        label="Minimum practitioners charged each month",
        max_length=7,
        help_text="A whole number, for example 100. A month with fewer active practitioners is charged for this many.",
        error_messages={
            "required": "Enter the minimum number of practitioners charged each month",
            "max_length": "Enter a whole number like 100",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false", "class": "govuk-input--width-5"}),
    )

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["effective_from"].choices = [("", "Select a month"), *_months_ahead(today)]

    def clean_effective_from(self) -> datetime.date:
        return datetime.date.fromisoformat(self.cleaned_data["effective_from"])

    def clean_unit_price(self) -> int:
        text = self.cleaned_data["unit_price"].strip().removeprefix("A$").lstrip("£$").replace(",", "")
        if not text.isascii() or not _AMOUNT.fullmatch(text):
            raise forms.ValidationError("Enter the price in pounds or dollars, like 4.50")
        minor = int(Decimal(text) * 100)
        if not 1 <= minor <= UNIT_PRICE_MAX_MINOR:
            raise forms.ValidationError(f"The price must be between 0.01 and {UNIT_PRICE_MAX_MINOR // 100:,}.00")
        return minor

    def clean_minimum_practitioners(self) -> int:
        text = self.cleaned_data["minimum_practitioners"].strip().replace(",", "")
        if not text.isascii() or not text.isdigit():
            raise forms.ValidationError("The minimum must be a whole number, like 100")
        number = int(text)
        if number > MINIMUM_PRACTITIONERS_MAX:
            raise forms.ValidationError(f"The minimum must be {MINIMUM_PRACTITIONERS_MAX:,} or fewer")
        return number


@dataclass(frozen=True)
class PriceRow:
    price: Price
    unit_price: str
    tax: str
    state: str  # "In force", "From <date>" (to come), "" (past)


@dataclass(frozen=True)
class PlanPrices:
    plan: str
    rows: list[PriceRow]


@dataclass(frozen=True)
class JurisdictionPrices:
    jurisdiction: str
    name: str
    currency: str
    tax_name: str
    plans: list[PlanPrices]


def _price_tables(today: datetime.date) -> list[JurisdictionPrices]:
    """Every version, grouped by jurisdiction and plan, the one in force this month marked."""
    this_month = month_start(today)
    by_key: dict[tuple[str, str], list[Price]] = {}
    for price in price_versions():
        by_key.setdefault((price.jurisdiction, price.plan), []).append(price)
    tables = []
    for jurisdiction, name in Jurisdiction.choices:
        defaults = defaults_for(jurisdiction)
        plans = []
        for plan, label in PlanCode.choices:
            versions = by_key.get((jurisdiction, plan), [])  # newest start first
            current = next((price for price in versions if price.effective_from <= this_month), None)
            rows = [
                PriceRow(
                    price=price,
                    unit_price=money_format(price.unit_price_minor, price.currency),
                    tax=f"{price.tax_name} {rate_percent(price.tax_rate)}",
                    state="In force"
                    if price is current
                    else ("To come" if price.effective_from > this_month else "Past"),
                )
                for price in versions
            ]
            plans.append(PlanPrices(plan=label, rows=rows))
        tables.append(
            JurisdictionPrices(
                jurisdiction=jurisdiction,
                name=name,
                currency=defaults.currency,
                tax_name=defaults.tax_name,
                plans=plans,
            )
        )
    return tables


@staff_required
@require_http_methods(["GET", "POST"])
def prices(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = PriceForm(request.POST or None, today=today)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            price = price_set(
                actor=request.user,  # type: ignore[arg-type]
                jurisdiction=data["jurisdiction"],
                plan=data["plan"],
                effective_from=data["effective_from"],
                unit_price_minor=data["unit_price"],
                minimum_practitioners=data["minimum_practitioners"],
                origin=Origin.from_request(request),
            )
        except PriceRefused as refusal:
            form.add_error(None, f"{refusal} Nothing was changed.")
            status = 409
        else:
            messages.success(
                request,
                f"The {price.get_plan_display()} plan in {price.get_jurisdiction_display()} will be "
                f"{money_format(price.unit_price_minor, price.currency)} per active practitioner per month, "
                f"minimum {price.minimum_practitioners}, from {price.effective_from.day} "
                f"{price.effective_from:%B %Y}.",
            )
            return redirect("prices")
    context = {"tables": _price_tables(today), "form": form, "today": today, "section": "billing"}
    return render(request, "console/prices.html", context, status=status)
