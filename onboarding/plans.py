"""The plans Patchwork is sold on, and their prices per jurisdiction: the one place prices are written.

Prices are per active practitioner per month, before tax (VAT in England, GST in Victoria), with a
minimum number of practitioners charged for each month. The service page and the order form read them
from here; billing will too.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import models

from tenants.jurisdictions import DataRegion, Jurisdiction, defaults_for


class PlanCode(models.TextChoices):
    STANDARD = "standard", "Standard"
    ENHANCED = "enhanced", "Enhanced"


@dataclass(frozen=True)
class Plan:
    code: str
    name: str
    summary: str
    price_per_practitioner: Decimal  # per active practitioner per month, before tax
    minimum_practitioners: int
    support_hours: str

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
        """Where a council of this jurisdiction has its data: fixed by the jurisdiction, not chosen."""
        return [DataRegion(region).label for region in defaults_for(self.jurisdiction).data_regions]


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
                price_per_practitioner=Decimal("4.50"),
                minimum_practitioners=100,
                support_hours="Monday to Friday, 9am to 5:30pm UK time, except bank holidays in England",
            ),
            Plan(
                code=PlanCode.ENHANCED,
                name="Enhanced",
                summary=_ENHANCED_SUMMARY,
                price_per_practitioner=Decimal("6.00"),
                minimum_practitioners=250,
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
                price_per_practitioner=Decimal("8.50"),
                minimum_practitioners=100,
                support_hours="Monday to Friday, 9am to 5pm Melbourne time, except Victorian public holidays",
            ),
            Plan(
                code=PlanCode.ENHANCED,
                name="Enhanced",
                summary=_ENHANCED_SUMMARY,
                price_per_practitioner=Decimal("11.00"),
                minimum_practitioners=250,
                support_hours=(
                    "Monday to Friday, 8am to 6pm Melbourne time; any hour of any day when the service is down"
                ),
            ),
        ),
    ),
}


def offer_for(jurisdiction: str) -> JurisdictionOffer:
    return OFFERS[Jurisdiction(jurisdiction)]


def plan_for(*, jurisdiction: str, code: str) -> Plan:
    for plan in offer_for(jurisdiction).plans:
        if plan.code == code:
            return plan
    raise KeyError(code)
