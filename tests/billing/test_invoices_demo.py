"""The demo's invoices: every counted month invoiced through the services, the oldest paid; a second run changes
nothing."""

import datetime

import pytest

from billing.models import Invoice, InvoiceStatus
from demo.invoices import demo_invoices_issue
from tests.billing.test_invoices import (
    DECEMBER,
    NOVEMBER,
    OCTOBER,
    Billed,
    billed,
    counted,
    operator,
    private_folder,
    today,
)

__all__ = ["billed", "operator", "private_folder", "today"]  # the fixtures, shared with test_invoices.py

pytestmark = pytest.mark.platform_side


def test_the_demo_invoices_every_counted_month_and_pays_the_oldest_once(billed: Billed) -> None:
    counted(billed.alpha, OCTOBER, 130)
    counted(billed.alpha, NOVEMBER, 142)
    counted(billed.beta, NOVEMBER, 61)
    counted(billed.alpha, DECEMBER, 150)  # this month: not over, not invoiced

    assert demo_invoices_issue() == 3

    invoices = list(Invoice.objects.order_by("period", "council_name"))
    assert [(invoice.council_id, invoice.period) for invoice in invoices] == [
        (billed.alpha.pk, OCTOBER),
        (billed.alpha.pk, NOVEMBER),
        (billed.beta.pk, NOVEMBER),
    ]
    assert [invoice.status for invoice in invoices] == [InvoiceStatus.PAID, InvoiceStatus.ISSUED, InvoiceStatus.ISSUED]
    assert invoices[0].paid_on == datetime.date(2026, 12, 2)  # issued today, so paid today at the latest

    assert demo_invoices_issue() == 0
    assert Invoice.objects.count() == 3
    assert Invoice.objects.filter(status=InvoiceStatus.PAID).count() == 1


def test_the_demo_without_counted_months_issues_nothing(billed: Billed) -> None:
    assert demo_invoices_issue() == 0
    assert not Invoice.objects.exists()
