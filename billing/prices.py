"""Which price a council is charged for a month: the plan's price in its jurisdiction in force on the month's
first day. Prices are versioned rows (``Price``); an invoice line keeps the row it was priced with."""

import datetime

from billing.models import Price


class NoPrice(LookupError):
    """No price is in force for that plan, jurisdiction and month."""


def price_for(*, jurisdiction: str, plan: str, period: datetime.date) -> Price:
    """The price in force on ``period`` (a month's first day). Raises ``NoPrice`` if there is none."""
    price = (
        Price.objects.filter(jurisdiction=jurisdiction, plan=plan, effective_from__lte=period)
        .order_by("-effective_from")
        .first()
    )
    if price is None:
        raise NoPrice(f"No {plan} price in {jurisdiction} for {period:%B %Y}.")
    return price


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_after(period: datetime.date) -> datetime.date:
    return (period.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def month_before(period: datetime.date) -> datetime.date:
    return (period.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def prices_in_force(*, period: datetime.date) -> dict[tuple[str, str], Price]:
    """Every plan's price in force on ``period``, by (jurisdiction, plan): one query, for the catalogue's pages."""
    prices = (
        Price.objects.filter(effective_from__lte=period)
        .order_by("jurisdiction", "plan", "-effective_from")
        .distinct("jurisdiction", "plan")
    )
    return {(price.jurisdiction, price.plan): price for price in prices}


def price_versions() -> list[Price]:
    """Every price ever set, by jurisdiction, plan and newest start first: one query, for the console."""
    return list(Price.objects.order_by("jurisdiction", "plan", "-effective_from"))
