"""The plans Patchwork is sold on: what each is, per jurisdiction, and its price in force today.

What a plan is (its name, summary and support hours) is written here. What it costs is billing's: prices are
versioned rows (billing.models.Price), and the service page, the order form, the order's confirmation and the
operator's approval page show the price in force today (``offers_in_force``, ``plan_for``), so that what a council
is shown is what it will be charged from. Prices are per active practitioner per month, before tax (VAT in England,
GST in Victoria), with a minimum number of practitioners charged for each month.

Where this installation is a cell (tenants/cell.py), it sells only its own jurisdiction's plans, with the
data held in the cell's region (``offers_here``); without a cell (development, the demo) it offers every one.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from billing.models import PlanCode, Price
from billing.money import money_format
from billing.prices import month_start, price_for, prices_in_force
from tenants.cell import this_cell
from tenants.jurisdictions import DataRegion, Jurisdiction, data_regions_for, defaults_for

__all__ = [
    "OFFERS",
    "JurisdictionOffer",
    "Plan",
    "PlanCode",
    "PricedOffer",
    "PricedPlan",
    "offers_here",
    "offers_in_force",
]


@dataclass(frozen=True)
class Plan:
    code: str
    name: str
    summary: str
    support_hours: str


@dataclass(frozen=True)
class PricedPlan:
    """A plan with the price it is sold at in a jurisdiction for a month."""

    plan: Plan
    price: Price

    @property
    def code(self) -> str:
        return self.plan.code

    @property
    def name(self) -> str:
        return self.plan.name

    @property
    def summary(self) -> str:
        return self.plan.summary

    @property
    def support_hours(self) -> str:
        return self.plan.support_hours

    @property
    def price_per_practitioner(self) -> Decimal:
        """Per active practitioner per month, before tax, in pounds or dollars: ``4.50``."""
        return Decimal(self.price.unit_price_minor).scaleb(-2)

    @property
    def unit_price_text(self) -> str:
        """``£4.50``, ``A$8.50``: the price per practitioner as written on an invoice."""
        return money_format(self.price.unit_price_minor, self.price.currency)

    @property
    def minimum_practitioners(self) -> int:
        return self.price.minimum_practitioners

    @property
    def minimum_monthly(self) -> Decimal:
        return self.price_per_practitioner * self.minimum_practitioners


@dataclass(frozen=True)
class JurisdictionOffer:
    jurisdiction: str
    name: str
    currency: str
    currency_symbol: str
    tax_name: str
    data_country: str
    plans: tuple[Plan, ...]

    @property
    def data_regions(self) -> list[str]:
        """Where a council of this jurisdiction has its data: fixed by the jurisdiction (in a cell, the cell's
        region), not chosen."""
        cell = this_cell()
        regions = (
            (cell.region,) if cell and cell.jurisdiction == self.jurisdiction else data_regions_for(self.jurisdiction)
        )
        return [DataRegion(region).label for region in regions]


@dataclass(frozen=True)
class PricedOffer:
    """A jurisdiction's offer with each plan's price in force; a plan with no price in force is not offered."""

    offer: JurisdictionOffer
    plans: tuple[PricedPlan, ...]

    @property
    def jurisdiction(self) -> str:
        return self.offer.jurisdiction

    @property
    def name(self) -> str:
        return self.offer.name

    @property
    def currency(self) -> str:
        return self.offer.currency

    @property
    def currency_symbol(self) -> str:
        return self.offer.currency_symbol

    @property
    def tax_name(self) -> str:
        return self.offer.tax_name

    @property
    def data_country(self) -> str:
        return self.offer.data_country

    @property
    def data_regions(self) -> list[str]:
        return self.offer.data_regions


_STANDARD_SUMMARY = "Everything Patchwork does, with support in working hours."
_ENHANCED_SUMMARY = "Everything in Standard, with support at any hour for a service that is down and a named contact."

OFFERS: dict[str, JurisdictionOffer] = {
    Jurisdiction.ENGLAND: JurisdictionOffer(
        jurisdiction=Jurisdiction.ENGLAND,
        name="England",
        currency="GBP",
        currency_symbol="£",
        tax_name=defaults_for(Jurisdiction.ENGLAND).tax_name,
        data_country="the United Kingdom",
        plans=(
            Plan(
                code=PlanCode.STANDARD,
                name="Standard",
                summary=_STANDARD_SUMMARY,
                support_hours="Monday to Friday, 9am to 5:30pm UK time, except bank holidays in England",
            ),
            Plan(
                code=PlanCode.ENHANCED,
                name="Enhanced",
                summary=_ENHANCED_SUMMARY,
                support_hours="Monday to Friday, 8am to 6pm UK time; any hour of any day when the service is down",
            ),
        ),
    ),
    Jurisdiction.VICTORIA: JurisdictionOffer(
        jurisdiction=Jurisdiction.VICTORIA,
        name="Victoria, Australia",
        currency="AUD",
        currency_symbol="A$",
        tax_name=defaults_for(Jurisdiction.VICTORIA).tax_name,
        data_country="Australia",
        plans=(
            Plan(
                code=PlanCode.STANDARD,
                name="Standard",
                summary=_STANDARD_SUMMARY,
                support_hours="Monday to Friday, 9am to 5pm Melbourne time, except Victorian public holidays",
            ),
            Plan(
                code=PlanCode.ENHANCED,
                name="Enhanced",
                summary=_ENHANCED_SUMMARY,
                support_hours=(
                    "Monday to Friday, 8am to 6pm Melbourne time; any hour of any day when the service is down"
                ),
            ),
        ),
    ),
}


def offer_for(jurisdiction: str) -> JurisdictionOffer:
    return OFFERS[Jurisdiction(jurisdiction)]


def offers_here() -> list[JurisdictionOffer]:
    """What this installation sells: its cell's jurisdiction's offer only, or every offer where there is no cell."""
    cell = this_cell()
    return [offer for offer in OFFERS.values() if cell is None or offer.jurisdiction == cell.jurisdiction]


def _this_month(on: datetime.date | None) -> datetime.date:
    return month_start(on or timezone.localdate())


def offers_in_force(*, on: datetime.date | None = None) -> list[PricedOffer]:
    """Each offer sold here (``offers_here``) at the prices in force on ``on`` (today by default): one query."""
    prices = prices_in_force(period=_this_month(on))
    return [
        PricedOffer(
            offer=offer,
            plans=tuple(
                PricedPlan(plan=plan, price=prices[(offer.jurisdiction, plan.code)])
                for plan in offer.plans
                if (offer.jurisdiction, plan.code) in prices
            ),
        )
        for offer in offers_here()
    ]


def plan_for(*, jurisdiction: str, code: str, on: datetime.date | None = None) -> PricedPlan:
    """The plan with its price in force on ``on`` (today by default). ``KeyError`` for an unknown plan;
    ``billing.prices.NoPrice`` if it has no price then."""
    for plan in offer_for(jurisdiction).plans:
        if plan.code == code:
            return PricedPlan(plan=plan, price=price_for(jurisdiction=jurisdiction, plan=code, period=_this_month(on)))
    raise KeyError(code)
