"""What differs between the jurisdictions Patchwork serves: locale, time zone, data region, money.

Council-level configuration lives in the council's own rows, never in Django settings; these are
the defaults a new council of a jurisdiction starts from.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import models


class Jurisdiction(models.TextChoices):
    ENGLAND = "england", "England"
    VICTORIA = "victoria", "Victoria, Australia"


class DataRegion(models.TextChoices):
    LONDON = "eu-west-2", "AWS eu-west-2 (London)"
    SYDNEY = "ap-southeast-2", "AWS ap-southeast-2 (Sydney)"
    MELBOURNE = "ap-southeast-4", "AWS ap-southeast-4 (Melbourne)"


@dataclass(frozen=True)
class JurisdictionDefaults:
    locale: str
    time_zone: str
    data_regions: tuple[str, ...]  # where a council may hold its data; the first is the default
    currency: str
    tax_name: str
    tax_rate: Decimal
    phone_example: str
    postcode_example: str


DEFAULTS: dict[str, JurisdictionDefaults] = {
    Jurisdiction.ENGLAND: JurisdictionDefaults(
        locale="en-gb",
        time_zone="Europe/London",
        data_regions=(DataRegion.LONDON,),
        currency="GBP",
        tax_name="VAT",
        tax_rate=Decimal("0.20"),
        phone_example="01543 308000",
        postcode_example="WS13 6YY",
    ),
    Jurisdiction.VICTORIA: JurisdictionDefaults(
        locale="en-au",
        time_zone="Australia/Melbourne",
        # Melbourne is the Victoria cell's region. Sydney stays permitted (as the cell's terraform allows it) for
        # a Victorian cell that may one day run there; a council's region is always its cell's (tenants/cell.py).
        data_regions=(DataRegion.MELBOURNE, DataRegion.SYDNEY),
        currency="AUD",
        tax_name="GST",
        tax_rate=Decimal("0.10"),
        phone_example="(03) 9205 5555",
        postcode_example="3121",
    ),
}


def defaults_for(jurisdiction: str) -> JurisdictionDefaults:
    return DEFAULTS[Jurisdiction(jurisdiction)]


def data_regions_for(jurisdiction: str) -> tuple[str, ...]:
    """The AWS regions a council of this jurisdiction may hold its data in, its default first."""
    return defaults_for(jurisdiction).data_regions


# The time zones a council of each jurisdiction may choose for its site (its dates, "today", reminders).
TIME_ZONES: dict[str, tuple[str, ...]] = {
    Jurisdiction.ENGLAND: ("Europe/London",),
    Jurisdiction.VICTORIA: ("Australia/Melbourne",),
}


def time_zones_for(jurisdiction: str) -> tuple[str, ...]:
    return TIME_ZONES[Jurisdiction(jurisdiction)]
