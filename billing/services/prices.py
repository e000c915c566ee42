"""Setting a plan's price in a jurisdiction from a month on: a new version, never an edit.

An issued invoice keeps the price row it was charged at, so a price is never changed in place: a new row starts on
the first day of a month still to come. A month that has begun was partly used at the price shown then, and a
month already invoiced in the jurisdiction is closed, so neither can get a new price. Currency and tax come with
the jurisdiction (tenants/jurisdictions.py). Every new price goes to the platform's own audit trail.
"""

import datetime

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from billing.models import Invoice, InvoiceKind, PlanCode, Price
from billing.prices import month_after, month_start
from core.accounts.models import User
from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from tenants.jurisdictions import Jurisdiction, defaults_for

UNIT_PRICE_MAX_MINOR = 1_000_000  # 10,000.00 per practitioner a month: beyond that it is a typing mistake
MINIMUM_PRACTITIONERS_MAX = 100_000


class PriceRefused(Exception):
    """The price cannot be set as asked; the message says why. Nothing was written."""


def price_set(
    *,
    actor: User,
    jurisdiction: str,
    plan: str,
    effective_from: datetime.date,
    unit_price_minor: int,
    minimum_practitioners: int,
    origin: Origin,
) -> Price:
    """A new version of ``plan``'s price in ``jurisdiction``, charged from the month ``effective_from`` begins.

    Refused (``PriceRefused``) unless ``effective_from`` is the first day of a month still to come, no invoice of
    that month or later was issued in the jurisdiction, the plan has no price starting that month already, and
    the amounts are whole numbers in range.
    """
    if connection.schema_name != get_public_schema_name():
        raise RuntimeError("Prices are set on the platform, never inside a council's schema.")
    _values_check(
        jurisdiction=jurisdiction,
        plan=plan,
        effective_from=effective_from,
        unit_price_minor=unit_price_minor,
        minimum_practitioners=minimum_practitioners,
    )
    first_open = month_after(month_start(timezone.localdate()))
    if effective_from < first_open:
        raise PriceRefused(
            f"A new price can start on {_day(first_open)} at the earliest: {effective_from:%B %Y} has begun "
            "or is over, and councils have been charged at the price shown then."
        )
    defaults = defaults_for(jurisdiction)
    with transaction.atomic():
        # Prices of a jurisdiction are set one at a time: the checks below stay true until this commits.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"billing-price:{jurisdiction}"])
        invoiced = (
            Invoice.objects.filter(jurisdiction=jurisdiction, kind=InvoiceKind.INVOICE, period__gte=effective_from)
            .order_by("-period")
            .values_list("period", flat=True)
            .first()
        )
        if invoiced is not None:
            raise PriceRefused(
                f"{Jurisdiction(jurisdiction).label} has invoices for {invoiced:%B %Y} already: a new price must "
                f"start after the last month invoiced."
            )
        previous = (
            Price.objects.filter(jurisdiction=jurisdiction, plan=plan, effective_from__lte=effective_from)
            .order_by("-effective_from")
            .first()
        )
        if previous is not None and previous.effective_from == effective_from:
            raise PriceRefused(
                f"The {PlanCode(plan).label} plan in {Jurisdiction(jurisdiction).label} already has a price from "
                f"{_day(effective_from)}."
            )
        try:
            with transaction.atomic():
                price = Price.objects.create(
                    jurisdiction=jurisdiction,
                    plan=plan,
                    effective_from=effective_from,
                    currency=defaults.currency,
                    unit_price_minor=unit_price_minor,
                    minimum_practitioners=minimum_practitioners,
                    tax_name=defaults.tax_name,
                    tax_rate=defaults.tax_rate,
                    created_by_id=actor.pk,
                )
        except IntegrityError as error:  # the same price set at this very moment from elsewhere
            raise PriceRefused(
                f"The {PlanCode(plan).label} plan in {Jurisdiction(jurisdiction).label} already has a price from "
                f"{_day(effective_from)}."
            ) from error
        audit_record(
            action=AuditAction.PRICE_SET,
            outcome=AuditOutcome.SUCCESS,
            origin=origin,
            actor_id=actor.pk,
            object_type="price",
            object_id=price.pk,
            related_ids=[jurisdiction, plan],
            changes={
                "effective_from": {"old": None, "new": effective_from.isoformat()},
                "unit_price_minor": {
                    "old": previous.unit_price_minor if previous else None,
                    "new": unit_price_minor,
                },
                "minimum_practitioners": {
                    "old": previous.minimum_practitioners if previous else None,
                    "new": minimum_practitioners,
                },
                "currency": {"old": previous.currency if previous else None, "new": defaults.currency},
            },
        )
    return price


def _day(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _values_check(
    *, jurisdiction: str, plan: str, effective_from: datetime.date, unit_price_minor: int, minimum_practitioners: int
) -> None:
    if jurisdiction not in Jurisdiction.values:
        raise PriceRefused("There is no such jurisdiction.")
    if plan not in PlanCode.values:
        raise PriceRefused("There is no such plan.")
    if effective_from.day != 1:
        raise PriceRefused("A price starts on the first day of a month.")
    if isinstance(unit_price_minor, bool) or not isinstance(unit_price_minor, int):
        raise PriceRefused("The price is a whole number of pence or cents.")
    if not 1 <= unit_price_minor <= UNIT_PRICE_MAX_MINOR:
        raise PriceRefused(f"The price must be between 1 and {UNIT_PRICE_MAX_MINOR:,} pence or cents.")
    if isinstance(minimum_practitioners, bool) or not isinstance(minimum_practitioners, int):
        raise PriceRefused("The minimum is a whole number of practitioners.")
    if not 0 <= minimum_practitioners <= MINIMUM_PRACTITIONERS_MAX:
        raise PriceRefused(f"The minimum must be between 0 and {MINIMUM_PRACTITIONERS_MAX:,} practitioners.")
