"""Setting a price: a new version from the first day of a month still to come, never an edit, refused (with nothing
written) for a month begun, past or invoiced, a duplicate, or amounts out of range."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django_tenants.utils import schema_context

from billing.models import Invoice, Price
from billing.prices import NoPrice, price_for
from billing.services.prices import PriceRefused, price_set
from core.accounts.models import User
from core.audit.models import AuditAction, AuditEvent
from core.audit.origin import NO_ORIGIN
from tenants.models import Council
from tests.factories import UserFactory

pytestmark = pytest.mark.platform_side

TODAY = datetime.datetime(2026, 12, 10, 12, 0, tzinfo=datetime.UTC)
JANUARY = datetime.date(2027, 1, 1)


@pytest.fixture
def operator(db: None) -> User:
    return UserFactory(email="prices@patchwork.example", is_staff=True)


@pytest.fixture(autouse=True)
def _in_december_2026() -> object:
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


def _set(operator: User, **changes: object) -> Price:
    values: dict[str, object] = {
        "jurisdiction": "england",
        "plan": "standard",
        "effective_from": JANUARY,
        "unit_price_minor": 480,
        "minimum_practitioners": 120,
    }
    return price_set(actor=operator, origin=NO_ORIGIN, **(values | changes))  # type: ignore[arg-type]


def _price_events() -> list[AuditEvent]:
    with schema_context("public"):
        return list(AuditEvent.objects.filter(action=AuditAction.PRICE_SET))


def test_the_prices_billing_began_with_are_in_force(db: None) -> None:
    england = price_for(jurisdiction="england", plan="standard", period=datetime.date(2026, 12, 1))
    victoria = price_for(jurisdiction="victoria", plan="enhanced", period=datetime.date(2026, 1, 1))
    assert (england.currency, england.unit_price_minor, england.minimum_practitioners) == ("GBP", 450, 100)
    assert (england.tax_name, england.tax_rate) == ("VAT", Decimal("0.2000"))
    assert (victoria.currency, victoria.unit_price_minor, victoria.minimum_practitioners) == ("AUD", 1100, 250)
    assert (victoria.tax_name, victoria.tax_rate) == ("GST", Decimal("0.1000"))
    with pytest.raises(NoPrice):
        price_for(jurisdiction="england", plan="standard", period=datetime.date(2025, 12, 1))


def test_a_new_price_is_a_new_version_from_its_month_and_the_old_one_stays(operator: User) -> None:
    before = price_for(jurisdiction="england", plan="standard", period=datetime.date(2026, 12, 1))

    price = _set(operator)

    assert (price.currency, price.tax_name, price.tax_rate) == ("GBP", "VAT", Decimal("0.20"))
    assert price.created_by_id == operator.pk
    assert price_for(jurisdiction="england", plan="standard", period=datetime.date(2026, 12, 1)) == before
    assert price_for(jurisdiction="england", plan="standard", period=JANUARY) == price
    assert Price.objects.get(pk=before.pk).unit_price_minor == 450  # never edited
    [event] = _price_events()
    assert (event.actor_id, event.object_id, event.council) == (operator.pk, str(price.pk), "public")
    assert event.changes["unit_price_minor"] == {"old": 450, "new": 480}
    assert event.related_ids == ["england", "standard"]


@pytest.mark.parametrize(
    ("effective_from", "message"),
    [
        (datetime.date(2026, 12, 1), "has begun"),  # this month
        (datetime.date(2026, 11, 1), "has begun or is over"),  # past
        (datetime.date(2027, 1, 15), "first day of a month"),
    ],
)
def test_a_price_cannot_start_in_a_month_begun_or_past_or_mid_month(
    operator: User, effective_from: datetime.date, message: str
) -> None:
    versions = Price.objects.count()
    with pytest.raises(PriceRefused, match=message):
        _set(operator, effective_from=effective_from)
    assert Price.objects.count() == versions
    assert _price_events() == []


def test_a_plan_cannot_have_two_prices_from_the_same_month(operator: User) -> None:
    _set(operator)
    with pytest.raises(PriceRefused, match="already has a price from 1 January 2027"):
        _set(operator, unit_price_minor=500)
    assert Price.objects.get(jurisdiction="england", plan="standard", effective_from=JANUARY).unit_price_minor == 480
    assert len(_price_events()) == 1


def test_a_month_already_invoiced_in_the_jurisdiction_cannot_get_a_new_price(
    operator: User, council_a: Council, council_b: Council
) -> None:
    _invoice(council_a, period=datetime.date(2027, 2, 1), jurisdiction="england")  # issued early, say by hand
    _invoice(council_b, period=datetime.date(2027, 6, 1), jurisdiction="victoria")  # another jurisdiction's
    versions = Price.objects.count()

    with pytest.raises(PriceRefused, match="has invoices for February 2027"):
        _set(operator, plan="enhanced")

    assert Price.objects.count() == versions
    assert _price_events() == []
    assert _set(operator, effective_from=datetime.date(2027, 3, 1)).effective_from == datetime.date(2027, 3, 1)


@pytest.mark.parametrize(
    "changes",
    [
        {"unit_price_minor": 0},
        {"unit_price_minor": -450},
        {"unit_price_minor": 1_000_001},
        {"unit_price_minor": 4.5},
        {"unit_price_minor": True},
        {"minimum_practitioners": -1},
        {"minimum_practitioners": 100_001},
        {"jurisdiction": "scotland"},
        {"plan": "platinum"},
    ],
)
def test_amounts_out_of_range_and_unknown_jurisdictions_or_plans_are_refused(
    operator: User, changes: dict[str, object]
) -> None:
    versions = Price.objects.count()
    with pytest.raises(PriceRefused):
        _set(operator, **changes)
    assert Price.objects.count() == versions
    assert _price_events() == []


def test_prices_are_not_set_from_inside_a_councils_schema(operator: User, council_a: Council) -> None:
    with schema_context(council_a.schema_name), pytest.raises(RuntimeError):
        _set(operator)
    assert not Price.objects.filter(effective_from=JANUARY).exists()


def _invoice(council: Council, *, period: datetime.date, jurisdiction: str) -> Invoice:
    number = Invoice.objects.count() + 1
    return Invoice.objects.create(
        jurisdiction=jurisdiction,
        sequence=number,
        number=f"PW-TEST-{number:06d}",
        council=council,
        period=period,
        council_name=council.name,
        plan="standard",
        purchase_order_number="PO-1",
        billing_contact_name="Accounts",
        billing_contact_email="accounts@example.gov.uk",
        currency="GBP",
        tax_name="VAT",
        tax_rate=Decimal("0.2000"),
        subtotal_minor=45000,
        tax_minor=9000,
        total_minor=54000,
        issued_on=period,
        due_on=period + datetime.timedelta(days=30),
    )
