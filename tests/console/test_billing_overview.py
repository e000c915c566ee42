"""The console's billing overview: revenue per month per currency (invoices less credit notes, before tax) as an SVG
drawn on the server with a table of the same numbers, what is owed and overdue per currency, and the latest invoices
with their filters; for platform staff only."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from billing.models import InvoiceStatus
from billing.selectors import outstanding_by_currency, revenue_by_month
from console.charts import Bar, bar_chart_svg
from tenants.models import Council
from tests.billing.rows import invoice
from tests.conftest import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.platform_side

BILLING = "/console/billing/"
TODAY = datetime.datetime(2026, 6, 15, 10, tzinfo=datetime.UTC)
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def console(platform_client: Client, db: None) -> Client:
    sign_in(platform_client, UserFactory(email="ops@patchwork.example", is_staff=True))
    return platform_client


@pytest.fixture(autouse=True)
def _today() -> object:
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def ledger(council_a: Council, council_b: Council) -> dict[str, object]:
    """Alpha (GBP) and Beta (AUD) invoices over the last year and before it."""
    march = invoice(council_a, period=datetime.date(2026, 2, 1), subtotal=100_000, issued_on=datetime.date(2026, 3, 1))
    april = invoice(council_a, period=datetime.date(2026, 3, 1), subtotal=120_000, issued_on=datetime.date(2026, 4, 1))
    # A credit note issued in May for March's invoice: it comes off May's revenue, not March's.
    credit = invoice(
        council_a, period=march.period, subtotal=-30_000, credits=march, issued_on=datetime.date(2026, 5, 3)
    )
    invoice(
        council_a,
        period=datetime.date(2026, 4, 1),
        subtotal=110_000,
        issued_on=datetime.date(2026, 5, 1),
        status=InvoiceStatus.PAID,
    )
    invoice(council_a, period=datetime.date(2025, 4, 1), subtotal=999_900, issued_on=datetime.date(2025, 5, 1))  # 13
    beta = invoice(council_b, period=datetime.date(2026, 4, 1), subtotal=85_000, issued_on=datetime.date(2026, 5, 1))
    return {"march": march, "april": april, "credit": credit, "beta": beta}


def test_a_non_staff_user_is_refused(platform_client: Client) -> None:
    sign_in(platform_client, UserFactory(email="someone@patchwork.example", is_staff=False))
    assert platform_client.get(BILLING).status_code == 403


def test_the_overview_does_not_exist_at_a_councils_host(client_a: Client) -> None:
    assert client_a.get(BILLING).status_code == 404


def test_revenue_is_invoices_less_credit_notes_before_tax_per_currency_and_month(ledger: dict[str, object]) -> None:
    revenue = revenue_by_month()
    assert set(revenue) == {"AUD", "GBP"}
    pounds = {month.period: month.amount_minor for month in revenue["GBP"]}
    assert len(pounds) == 12
    assert min(pounds) == datetime.date(2025, 7, 1)
    assert max(pounds) == datetime.date(2026, 6, 1)
    assert pounds[datetime.date(2026, 3, 1)] == 100_000
    assert pounds[datetime.date(2026, 4, 1)] == 120_000
    assert pounds[datetime.date(2026, 5, 1)] == 110_000 - 30_000
    assert pounds[datetime.date(2026, 6, 1)] == 0
    assert sum(pounds.values()) == 300_000  # last May's invoice is 13 months ago; no tax anywhere
    dollars = {month.period: month.amount_minor for month in revenue["AUD"]}
    assert dollars[datetime.date(2026, 5, 1)] == 85_000
    assert sum(dollars.values()) == 85_000


def test_outstanding_and_overdue_are_per_currency_less_credit_notes(ledger: dict[str, object]) -> None:
    owed = {row.currency: (row.outstanding_minor, row.overdue_minor) for row in outstanding_by_currency()}
    # GBP: March 1,200.00 less its credit 360.00 (due 31 March: overdue), April 1,440.00 (due 1 May: overdue), the
    # year-old one 11,998.80 (overdue); May's is paid.
    assert owed["GBP"] == (120_000 - 36_000 + 144_000 + 1_199_880, 120_000 - 36_000 + 144_000 + 1_199_880)
    # AUD: 935.00 with GST, due 31 May: overdue on 15 June.
    assert owed["AUD"] == (93_500, 93_500)


def _svgs(page: str) -> dict[str, ET.Element]:
    return {
        currency: ET.fromstring(svg)  # noqa: S314  the page this test rendered, not outside input
        for currency, svg in re.findall(r'id="revenue-(\w+)".*?(<svg .*?</svg>)', page, flags=re.DOTALL)
    }


def _table(page: str, currency: str) -> list[tuple[str, str]]:
    section = page.split(f'id="revenue-{currency}"', 1)[1].split("</table>", 1)[0]
    return re.findall(
        r'<th scope="row" class="govuk-table__header">([^<]+)</th>\s*<td[^>]*>([^<]+)</td>', section, flags=re.DOTALL
    )


def test_the_chart_is_an_accessible_svg_with_the_same_numbers_as_its_table(
    console: Client, ledger: dict[str, object]
) -> None:
    page = console.get(BILLING).content.decode()
    charts = _svgs(page)
    assert set(charts) == {"gbp", "aud"}
    for currency, svg in charts.items():
        assert svg.get("role") == "img"
        title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
        assert title is not None
        assert desc is not None
        assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert title.get("id") == f"revenue-{currency}-title"
        bars = svg.findall(f"{SVG}g")
        assert len(bars) == 12
        values = [bar.findall(f"{SVG}text")[0].text for bar in bars]
        table = _table(page, currency)
        assert [amount for _, amount in table[:12]] == values
        assert [month for month, _ in table[:12]][-1] == "June 2026"
        assert all(value in desc.text for value in values)
    assert "Revenue per month in pounds sterling (£), before tax" in charts["gbp"].find(f"{SVG}title").text
    assert _table(page, "gbp")[10] == ("May 2026", "£800.00")
    assert "<strong>£3,000.00</strong>" in page.split('id="revenue-gbp"', 1)[1].split("</table>", 1)[0]  # the total
    assert _table(page, "aud")[10] == ("May 2026", "A$850.00")
    assert "<script" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]


def test_the_chart_escapes_every_text_it_is_given() -> None:
    svg = bar_chart_svg(
        chart_id='x" onload="alert(1)',
        title="<script>alert('t')</script> & more",
        description="Less < more",
        bars=[Bar(label="<b>Jan</b>", value=-500, value_text="-£5.00"), Bar(label="Feb", value=1000, value_text="£10")],
    )
    parsed = ET.fromstring(str(svg))  # noqa: S314  markup made in this test
    assert parsed.find(f"{SVG}title").text == "<script>alert('t')</script> & more"
    assert parsed.find(f"{SVG}desc").text == "Less < more"
    assert parsed.get("onload") is None
    assert [text.text for text in parsed.iter(f"{SVG}text")] == ["-£5.00", "<b>Jan</b>", "£10", "Feb"]
    lengths = [float(rect.get("width")) for rect in parsed.iter(f"{SVG}rect")]
    assert lengths[1] == pytest.approx(2 * lengths[0], rel=0.01)  # to scale, the negative one left of the line
    [zero] = parsed.iter(f"{SVG}line")
    rects = list(parsed.iter(f"{SVG}rect"))
    assert float(rects[0].get("x")) + lengths[0] == pytest.approx(float(zero.get("x1")), abs=0.2)
    assert float(rects[1].get("x")) == pytest.approx(float(zero.get("x1")), abs=0.2)


def test_owed_per_currency_the_latest_invoices_and_the_prices_link(console: Client, ledger: dict[str, object]) -> None:
    page = console.get(BILLING).content.decode()
    owed = page.split('id="outstanding"', 1)[1].split("</table>", 1)[0]
    assert "£14,278.80" in owed  # the GBP figure above, tax included
    assert "A$935.00" in owed
    assert 'href="/console/billing/prices/"' in page
    for name in ("march", "april", "credit", "beta"):
        row = ledger[name]
        assert f'<a class="govuk-link" href="/console/invoices/{row.pk}/">{row.number}</a>' in page  # type: ignore[attr-defined]
    assert "City of Beta" in page


def test_the_latest_invoices_filter_by_status_and_jurisdiction(console: Client, ledger: dict[str, object]) -> None:
    march, beta = ledger["march"], ledger["beta"]
    victoria = console.get(BILLING, {"jurisdiction": "victoria"}).content.decode()
    listed = victoria.split('id="latest-invoices"', 1)[1]
    assert beta.number in listed  # type: ignore[attr-defined]
    assert march.number not in listed  # type: ignore[attr-defined]
    paid = console.get(BILLING, {"status": "paid"}).content.decode().split('id="latest-invoices"', 1)[1]
    assert paid.count('<strong class="govuk-tag govuk-tag--green">Paid</strong>') == 1
    assert march.number not in paid  # type: ignore[attr-defined]
    overdue = console.get(BILLING, {"status": "overdue", "jurisdiction": "england"}).content.decode()
    overdue = overdue.split('id="latest-invoices"', 1)[1]
    assert march.number in overdue  # type: ignore[attr-defined]
    assert beta.number not in overdue  # type: ignore[attr-defined]
    assert "Clear the filters" in overdue


def test_a_malformed_filter_is_an_error_on_the_form(console: Client, ledger: dict[str, object]) -> None:
    response = console.get(BILLING, {"status": "<script>", "jurisdiction": "mars"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose a status from the list" in page
    assert "Choose a jurisdiction from the list" in page
    assert "<script>" not in page.split("<main", 1)[1]
    assert ledger["beta"].number in page  # type: ignore[attr-defined]  # the list, unfiltered


def test_the_overview_costs_the_same_queries_however_many_invoices(
    console: Client, council_a: Council, ledger: dict[str, object], django_assert_max_num_queries: object
) -> None:
    def reads() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert console.get(BILLING).status_code == 200
        return sum(1 for query in captured.captured_queries if not query["sql"].startswith("SET search_path"))

    few = reads()
    period = datetime.date(2020, 1, 1)
    for _ in range(40):
        credited = invoice(council_a, period=period, subtotal=10_000, issued_on=datetime.date(2026, 6, 1))
        invoice(council_a, period=period, subtotal=-100, credits=credited, issued_on=datetime.date(2026, 6, 2))
        period = (period + datetime.timedelta(days=32)).replace(day=1)
    assert reads() == few
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        console.get(BILLING)


def test_months_without_invoices_are_zero_and_nothing_issued_says_so(console: Client) -> None:
    assert revenue_by_month() == {}
    page = console.get(BILLING).content.decode()
    assert "Nothing has been invoiced in the last 12 months." in page
    assert "Nothing is owed." in page
    assert "No invoices yet." in page


def test_the_menu_marks_the_billing_page(console: Client) -> None:
    page = console.get(BILLING).content.decode()
    assert 'href="/console/billing/" aria-current="page"' in page
