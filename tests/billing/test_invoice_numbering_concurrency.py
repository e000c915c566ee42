"""Invoices issued at the same moment, in two jurisdictions, are numbered without gaps or repeats in each; an issue
rolled back at that moment gives its number back to the others.

The issues really overlap (each its own thread and database connection, held together at the write to the number
series: tests/concurrency.py). Their councils are bare rows of their own (no schema is needed to invoice one), on an
"enhanced" plan priced from October 2026 by this test; everything they leave is removed afterwards, but the
audit trail.
"""

import datetime
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import time_machine
from django.db import transaction

from billing.models import BillingAccount, Invoice, InvoiceLine, InvoiceNumberSeries, PlanCode, Price, Usage
from billing.services.invoices import invoice_issue
from core.notifications.models import Notification
from onboarding.services.provisioning import council_create
from tenants.jurisdictions import Jurisdiction
from tenants.models import Council
from tests.billing.test_invoices import NOVEMBER, OCTOBER, TODAY
from tests.concurrency import at_the_same_moment

pytestmark = pytest.mark.platform_side

SLUGS = {
    Jurisdiction.ENGLAND: ["numbering-en-1", "numbering-en-2", "numbering-en-3"],
    Jurisdiction.VICTORIA: ["numbering-vic-1", "numbering-vic-2"],
}
ROLLED_BACK = "numbering-en-4"
# The prices this test commits carry this in ``created_by_id``: only they are removed afterwards, never a price the
# database held before (the prices in force since billing began are rows too).
MARKER = uuid.UUID("00000000-0000-4000-8000-00000000c0de")
HOLD = "public.billing_invoicenumberseries"


def _remove() -> None:
    slugs = [*SLUGS[Jurisdiction.ENGLAND], *SLUGS[Jurisdiction.VICTORIA], ROLLED_BACK]
    councils = Council.objects.filter(slug__in=slugs)
    InvoiceLine.objects.filter(invoice__council__in=councils).delete()
    Invoice.objects.filter(council__in=councils, credits__isnull=False).delete()
    Invoice.objects.filter(council__in=councils).delete()
    Usage.objects.filter(council__in=councils).delete()
    BillingAccount.objects.filter(council__in=councils).delete()
    Notification.objects.filter(to__endswith="@numbering.example").delete()
    councils.delete()
    Price.objects.filter(created_by_id=MARKER).delete()
    InvoiceNumberSeries.objects.all().delete()


@pytest.fixture
def db(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[None]:
    """The test database without the usual rolled-back transaction: the threads' connections must see the data."""
    with django_db_blocker.unblock():
        _remove()  # what a killed run left
        try:
            yield
        finally:
            _remove()


@pytest.fixture
def councils(db: None, settings: object, tmp_path: Path) -> dict[str, list[Council]]:
    settings.STORAGES = {  # type: ignore[attr-defined]
        **settings.STORAGES,  # type: ignore[attr-defined]
        "private": {"BACKEND": "core.council.storage.PrivateFileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    for jurisdiction, currency, tax_name, rate in [
        (Jurisdiction.ENGLAND, "GBP", "VAT", "0.2"),
        (Jurisdiction.VICTORIA, "AUD", "GST", "0.1"),
    ]:
        Price.objects.create(
            jurisdiction=jurisdiction,
            plan=PlanCode.ENHANCED,
            effective_from=OCTOBER,
            currency=currency,
            unit_price_minor=600,
            minimum_practitioners=10,
            tax_name=tax_name,
            tax_rate=rate,
            created_by_id=MARKER,
        )
    made: dict[str, list[Council]] = {}
    for jurisdiction, slugs in {**SLUGS, "rolled back": [ROLLED_BACK]}.items():
        made[jurisdiction] = []
        for slug in slugs:
            council = council_create(
                name=f"{slug.title()} Council",
                slug=slug,
                jurisdiction=Jurisdiction.ENGLAND if jurisdiction == "rolled back" else jurisdiction,
            )
            BillingAccount.objects.create(
                council=council,
                plan=PlanCode.ENHANCED,
                purchase_order_number=f"PO-{slug}",
                billing_contact_name="Billing",
                billing_contact_email=f"{slug}@numbering.example",
            )
            for period in (OCTOBER, NOVEMBER):
                Usage.objects.create(council=council, period=period, active_practitioners=25)
            made[jurisdiction].append(council)
    return made


class Undone(Exception):
    pass


def _issue(council: Council, period: datetime.date) -> Callable[[], str]:
    def run() -> str:
        return invoice_issue(council=council, period=period).number

    return run


def _issue_then_undo(council: Council, period: datetime.date) -> Callable[[], str]:
    """An issue whose transaction fails after it took its number."""

    def run() -> str:
        try:
            with transaction.atomic():
                taken = invoice_issue(council=council, period=period).number
                raise Undone(taken)
        except Undone as undone:
            return f"undone {undone.args[0]}"

    return run


def _numbers(jurisdiction: str) -> list[int]:
    return sorted(Invoice.objects.filter(jurisdiction=jurisdiction).values_list("sequence", flat=True))


def test_invoices_issued_at_the_same_moment_in_two_jurisdictions_are_numbered_without_gaps(
    councils: dict[str, list[Council]],
) -> None:
    english, victorian = councils[Jurisdiction.ENGLAND], councils[Jurisdiction.VICTORIA]
    [undone] = councils["rolled back"]
    with time_machine.travel(TODAY, tick=False):
        # The very first numbers of both series (no series row yet: the race's worst case), one issue rolled back.
        first = at_the_same_moment(
            [*(_issue(c, OCTOBER) for c in english + victorian), _issue_then_undo(undone, OCTOBER)], hold=HOLD
        )
        assert _numbers(Jurisdiction.ENGLAND) == [1, 2, 3]
        assert _numbers(Jurisdiction.VICTORIA) == [1, 2]
        assert sorted(first[:3]) == ["PW-EN-000001", "PW-EN-000002", "PW-EN-000003"]
        assert sorted(first[3:5]) == ["PW-VIC-000001", "PW-VIC-000002"]
        assert first[5].startswith("undone PW-EN-")
        assert not Invoice.objects.filter(council=undone).exists()

        # Later numbers too, with the series rows there: the next month of every council, the rolled-back one's too.
        later = at_the_same_moment([_issue(c, NOVEMBER) for c in [*english, *victorian, undone]], hold=HOLD)
    assert _numbers(Jurisdiction.ENGLAND) == [1, 2, 3, 4, 5, 6, 7]
    assert _numbers(Jurisdiction.VICTORIA) == [1, 2, 3, 4]
    assert len(set(later)) == 6
    assert InvoiceNumberSeries.objects.get(jurisdiction=Jurisdiction.ENGLAND).last == 7
    assert InvoiceNumberSeries.objects.get(jurisdiction=Jurisdiction.VICTORIA).last == 4
    assert Notification.objects.filter(to__endswith="@numbering.example").count() == 11
