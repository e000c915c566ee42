"""Tax and rounding by jurisdiction, for any quantities and prices (property-based, with hypothesis).

England charges VAT at 20% in pounds, Victoria GST at 10% in Australian dollars. Tax is worked out once, on the
subtotal, rounded half up to the minor unit: within half a penny (or cent) of the exact tax, so that the total is
always exactly subtotal plus tax; and crediting an invoice in full, in one note or in parts, negates it exactly.
"""

import datetime
import math
from decimal import Decimal
from fractions import Fraction

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.models import Invoice, InvoiceKind, InvoiceStatus, PlanCode, Price, Usage
from billing.money import money_format, tax_on
from billing.services.credit_notes import credit_note_issue, invoice_credit_left
from billing.services.invoices import invoice_issue, usage_line
from core.accounts.models import User
from core.audit.origin import NO_ORIGIN
from tenants.jurisdictions import Jurisdiction
from tests.billing.test_invoices import NOVEMBER, Billed, billed, counted, operator, private_folder, today

__all__ = ["billed", "operator", "private_folder", "today"]  # the fixtures, shared with test_invoices.py

pytestmark = pytest.mark.platform_side

RATES = {
    Jurisdiction.ENGLAND: ("GBP", "VAT", Decimal("0.2000")),
    Jurisdiction.VICTORIA: ("AUD", "GST", Decimal("0.1000")),
}
JURISDICTIONS = st.sampled_from([Jurisdiction.ENGLAND, Jurisdiction.VICTORIA])
QUANTITIES = st.integers(min_value=0, max_value=200_000)
UNIT_PRICES = st.integers(min_value=0, max_value=2_000_000)
MINIMUMS = st.integers(min_value=0, max_value=5_000)
PURE = settings(database=None)  # no example database left in the working tree
# Each example issues real documents (a PDF, an HTML page): fewer examples than the pure properties above.
IN_THE_DATABASE = settings(
    database=None,
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _exact_tax(subtotal: int, rate: Decimal) -> Fraction:
    return Fraction(subtotal) * Fraction(rate)


def _price(jurisdiction: str, *, unit: int, minimum: int) -> Price:
    currency, tax_name, rate = RATES[jurisdiction]
    return Price(
        jurisdiction=jurisdiction,
        plan=PlanCode.STANDARD,
        effective_from=NOVEMBER,
        currency=currency,
        unit_price_minor=unit,
        minimum_practitioners=minimum,
        tax_name=tax_name,
        tax_rate=rate,
    )


class RolledBack(Exception):
    """Ends one example's savepoint, so that every example starts from the same database."""


@PURE
@given(jurisdiction=JURISDICTIONS, active=QUANTITIES, unit=UNIT_PRICES, minimum=MINIMUMS)
def test_tax_is_the_subtotal_times_the_rate_rounded_half_up(
    jurisdiction: str, active: int, unit: int, minimum: int
) -> None:
    price = _price(jurisdiction, unit=unit, minimum=minimum)
    line = usage_line(usage=Usage(period=NOVEMBER, active_practitioners=active), price=price, plan=PlanCode.STANDARD)

    subtotal = line.amount_minor
    tax = tax_on(subtotal, price.tax_rate)
    exact = _exact_tax(subtotal, price.tax_rate)

    assert line.quantity == max(active, minimum)
    assert subtotal == line.quantity * unit
    assert abs(tax - exact) <= Fraction(1, 2)
    # Half up: a tax exactly half-way between two minor units takes the greater.
    assert tax == math.floor(exact + Fraction(1, 2))
    assert subtotal + tax == line.amount_minor + tax_on(line.amount_minor, price.tax_rate)


@PURE
@given(subtotal=st.integers(min_value=0, max_value=10**12), jurisdiction=JURISDICTIONS)
def test_a_half_minor_unit_of_tax_rounds_up_and_less_rounds_down(subtotal: int, jurisdiction: str) -> None:
    rate = RATES[jurisdiction][2]
    tax = tax_on(subtotal, rate)
    remainder = _exact_tax(subtotal, rate) - int(_exact_tax(subtotal, rate))
    assert tax == int(_exact_tax(subtotal, rate)) + (1 if remainder >= Fraction(1, 2) else 0)


def test_the_known_half_way_cases_of_each_jurisdiction() -> None:
    assert tax_on(48495, Decimal("0.1")) == 4850  # A$484.95 → GST A$48.495 → A$48.50
    assert tax_on(2, Decimal("0.2")) == 0  # 0.4p
    assert tax_on(3, Decimal("0.2")) == 1  # 0.6p
    assert tax_on(5, Decimal("0.1")) == 1  # 0.5c, half up
    assert money_format(-123456, "GBP") == "-£1,234.56"
    assert money_format(5, "AUD") == "A$0.05"


@IN_THE_DATABASE
@given(jurisdiction=JURISDICTIONS, active=QUANTITIES, unit=UNIT_PRICES, minimum=MINIMUMS)
def test_an_issued_invoice_totals_its_subtotal_and_tax_and_a_full_credit_note_negates_it_exactly(
    billed: Billed, operator: User, jurisdiction: str, active: int, unit: int, minimum: int
) -> None:
    council = billed.alpha if jurisdiction == Jurisdiction.ENGLAND else billed.beta
    try:
        with transaction.atomic():
            Price.objects.filter(jurisdiction=jurisdiction).update(unit_price_minor=unit, minimum_practitioners=minimum)
            counted(council, NOVEMBER, active)

            invoice = invoice_issue(council=council, period=NOVEMBER)
            currency, tax_name, rate = RATES[jurisdiction]
            assert (invoice.currency, invoice.tax_name, invoice.tax_rate) == (currency, tax_name, rate)
            assert invoice.subtotal_minor == max(active, minimum) * unit
            assert invoice.total_minor == invoice.subtotal_minor + invoice.tax_minor
            assert abs(invoice.tax_minor - _exact_tax(invoice.subtotal_minor, rate)) <= Fraction(1, 2)

            if invoice.subtotal_minor:
                note = credit_note_issue(actor=operator, invoice=invoice, reason="Issued in error", origin=NO_ORIGIN)
                assert (note.subtotal_minor, note.tax_minor, note.total_minor) == (
                    -invoice.subtotal_minor,
                    -invoice.tax_minor,
                    -invoice.total_minor,
                )
                invoice.refresh_from_db()
                assert invoice.status == InvoiceStatus.CANCELLED
            raise RolledBack
    except RolledBack:
        pass


@IN_THE_DATABASE
@given(
    jurisdiction=JURISDICTIONS,
    active=st.integers(min_value=1, max_value=5_000),
    unit=st.integers(min_value=1, max_value=100_000),
    shares=st.lists(st.floats(min_value=0.001, max_value=0.5), min_size=1, max_size=3),
)
def test_an_invoice_credited_in_parts_and_then_the_rest_is_negated_exactly(
    billed: Billed, operator: User, jurisdiction: str, active: int, unit: int, shares: list[float]
) -> None:
    council = billed.alpha if jurisdiction == Jurisdiction.ENGLAND else billed.beta
    try:
        with transaction.atomic():
            Price.objects.filter(jurisdiction=jurisdiction).update(unit_price_minor=unit, minimum_practitioners=0)
            counted(council, NOVEMBER, active)
            invoice = invoice_issue(council=council, period=NOVEMBER)

            for share in shares:
                left = invoice_credit_left(invoice=invoice).subtotal_minor
                part = int(left * share)
                if 0 < part < left:
                    note = credit_note_issue(
                        actor=operator, invoice=invoice, amount_minor=part, reason="Part", origin=NO_ORIGIN
                    )
                    assert note.subtotal_minor == -part
                    assert note.total_minor == note.subtotal_minor + note.tax_minor
                    assert abs(-note.tax_minor - _exact_tax(part, invoice.tax_rate)) <= Fraction(1, 2)
            credit_note_issue(actor=operator, invoice=invoice, reason="The rest", origin=NO_ORIGIN)

            notes = Invoice.objects.filter(credits=invoice, kind=InvoiceKind.CREDIT_NOTE)
            assert sum(note.subtotal_minor for note in notes) == -invoice.subtotal_minor
            assert sum(note.tax_minor for note in notes) == -invoice.tax_minor
            assert sum(note.total_minor for note in notes) == -invoice.total_minor
            assert all(note.tax_minor <= 0 for note in notes)
            invoice.refresh_from_db()
            assert invoice.status == InvoiceStatus.CANCELLED
            raise RolledBack
    except RolledBack:
        pass


def test_issued_on_is_the_councils_own_date(billed: Billed) -> None:
    """Shortly after midnight in Melbourne it is still the day before in London: each invoice has its own date."""
    counted(billed.alpha, NOVEMBER, 100)
    counted(billed.beta, NOVEMBER, 100)
    with time_machine.travel(datetime.datetime(2026, 12, 2, 13, 30, tzinfo=datetime.UTC), tick=False):
        english = invoice_issue(council=billed.alpha, period=NOVEMBER)
        victorian = invoice_issue(council=billed.beta, period=NOVEMBER)
    assert english.issued_on == datetime.date(2026, 12, 2)
    assert victorian.issued_on == datetime.date(2026, 12, 3)
    assert victorian.due_on == datetime.date(2027, 1, 2)
