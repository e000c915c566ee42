"""The operator's page of one council: its facts, lifecycle moves, schema, last activity, usage, invoices, billing
account, support grants, undelivered email and errors; for platform staff only, at the same cost however much
billing it has, and never a word of who did what in the council."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape
from django_tenants.utils import schema_context

from billing.models import BillingAccount, InvoiceStatus, Usage
from core.accounts.models import User
from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.notifications.models import DeliveryState, Notification
from support.models import SupportGrant, SupportScope, SupportStatus
from tenants.models import BackupStatus, Council, CouncilBackup, CouncilStatus
from tests.billing.rows import invoice
from tests.conftest import host_of, sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.platform_side

PAGE = "/console/councils/alpha/"
TODAY = datetime.datetime(2026, 6, 15, 10, tzinfo=datetime.UTC)


@pytest.fixture
def operator(db: None) -> User:
    return UserFactory(email="ops@patchwork.example", first_name="Olu", last_name="Adeyemi", is_staff=True)


@pytest.fixture
def console(platform_client: Client, operator: User) -> Client:
    sign_in(platform_client, operator)
    return platform_client


@pytest.fixture(autouse=True)
def _today() -> object:
    with time_machine.travel(TODAY, tick=False):
        yield


def test_a_non_staff_user_is_refused(platform_client: Client, council_a: Council) -> None:
    sign_in(platform_client, UserFactory(email="someone@patchwork.example", is_staff=False))
    assert platform_client.get(PAGE).status_code == 403


def test_the_console_does_not_exist_at_a_councils_host(client_a: Client, council_a: Council) -> None:
    assert client_a.get(PAGE).status_code == 404


def test_an_unknown_council_is_not_found(console: Client) -> None:
    assert console.get("/console/councils/nowhere/").status_code == 404


def test_each_council_in_the_list_links_to_its_page(console: Client, council_a: Council, council_b: Council) -> None:
    page = console.get("/console/").content.decode()
    assert '<a class="govuk-link" href="/console/councils/alpha/">Alpha District Council</a>' in page
    assert '<a class="govuk-link" href="/console/councils/beta/">City of Beta</a>' in page


def test_the_page_shows_the_councils_facts_and_the_moves_the_list_offers(console: Client, council_a: Council) -> None:
    Council.objects.filter(pk=council_a.pk).update(
        activated_at=datetime.datetime(2026, 2, 2, 9, 30, tzinfo=datetime.UTC)
    )
    response = console.get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert '<h1 class="govuk-heading-l">Alpha District Council</h1>' in page
    assert host_of(council_a) in page
    assert "England" in page
    assert council_a.get_data_region_display() in page
    assert escape(council_a.get_email_provider_display()) in page
    assert "2 February 2026, 09:30 UTC" in page
    assert 'href="/console/councils/alpha/suspend/"' in page  # live: suspend is offered, resume is not
    assert 'href="/console/councils/alpha/resume/"' not in page
    assert 'href="/console/councils/alpha/offboarding/"' in page
    assert 'href="/console/councils/alpha/support/"' in page
    assert 'aria-current="true"' in page  # within "Councils" in the menu


def test_a_provisioned_schema_is_up_to_date_and_a_council_not_yet_made_has_none(
    console: Client, council_a: Council
) -> None:
    page = console.get(PAGE).content.decode()
    assert "Up to date" in page
    Council.objects.create(
        schema_name="council_gamma",
        name="Gamma Borough",
        slug="gamma",
        jurisdiction="england",
        data_region="eu-west-2",
        locale="en-gb",
        time_zone="Europe/London",
        status=CouncilStatus.ORDERED,
    )
    gamma = console.get("/console/councils/gamma/").content.decode()
    assert "Not made yet" in gamma
    assert "None recorded" in gamma  # no audit trail to have moved
    assert 'href="/console/councils/gamma/suspend/"' not in gamma


def test_a_schema_behind_the_code_says_how_many_migrations_it_lacks(console: Client, council_a: Council) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM council_alpha.django_migrations WHERE id IN "
            "(SELECT id FROM council_alpha.django_migrations ORDER BY id DESC LIMIT 2)"
        )
    page = console.get(PAGE).content.decode()
    assert "2 migrations to apply" in page


def test_last_activity_is_the_latest_audit_time_in_its_schema_and_nothing_about_it(
    console: Client, council_a: Council, council_b: Council
) -> None:
    with schema_context(council_a.schema_name):
        AuditEvent.objects.create(
            occurred_at=datetime.datetime(2026, 6, 14, 16, 45, tzinfo=datetime.UTC),
            council=council_a.schema_name,
            action=AuditAction.CLIENT_VIEWED,
            outcome=AuditOutcome.SUCCESS,
            object_type="client",
            object_id="secret-client-id",
            reason="A reason in the council",
        )
    with schema_context(council_b.schema_name):
        AuditEvent.objects.create(
            occurred_at=datetime.datetime(2026, 6, 15, 8, 0, tzinfo=datetime.UTC),
            council=council_b.schema_name,
            action=AuditAction.SIGN_IN,
            outcome=AuditOutcome.SUCCESS,
        )
    page = console.get(PAGE).content.decode()
    assert '<dd class="govuk-summary-list__value" id="council-last-activity">14 June 2026, 16:45 UTC</dd>' in page
    assert "secret-client-id" not in page
    assert "A reason in the council" not in page
    assert "Viewed a client" not in page


def test_dead_letters_of_its_outbox_are_counted_and_linked(
    console: Client, council_a: Council, council_b: Council
) -> None:
    for schema, count in ((council_a.schema_name, 3), (council_b.schema_name, 1)):
        with schema_context(schema):
            for index in range(count):
                Notification.objects.create(
                    to=f"person{index}@example.org",
                    subject="A change in one of your teams",
                    body="Body",
                    state=DeliveryState.DEAD,
                    attempts=8,
                    dead_at=timezone.now(),
                )
            Notification.objects.create(to="sent@example.org", subject="Sent", body="B", state=DeliveryState.SENT)
    page = console.get(PAGE).content.decode()
    assert "3 emails could not be delivered." in page
    assert 'href="/console/deliveries/"' in page
    assert "person0@example.org" not in page  # a count, not the list


def test_usage_invoices_and_the_billing_account_are_shown(
    console: Client, council_a: Council, council_b: Council
) -> None:
    Council.objects.filter(pk=council_a.pk).update(activated_at=datetime.datetime(2024, 1, 8, 9, tzinfo=datetime.UTC))
    BillingAccount.objects.create(
        council=council_a,
        plan="enhanced",
        purchase_order_number="PO-ALPHA-77",
        billing_contact_name="Priya Shah",
        billing_contact_email="priya.shah@alpha.example",
    )
    Usage.objects.create(council=council_a, period=datetime.date(2026, 5, 1), active_practitioners=143)
    Usage.objects.create(council=council_a, period=datetime.date(2025, 5, 1), active_practitioners=999)  # 13 months
    Usage.objects.create(council=council_b, period=datetime.date(2026, 4, 1), active_practitioners=555)
    april = invoice(council_a, period=datetime.date(2026, 4, 1), subtotal=120_000, issued_on=datetime.date(2026, 5, 1))
    invoice(council_a, period=datetime.date(2026, 3, 1), subtotal=100_000, status=InvoiceStatus.PAID)
    note = invoice(council_a, period=april.period, subtotal=-20_000, credits=april, reason="Over-counted")
    beta = invoice(council_b, period=datetime.date(2026, 4, 1), subtotal=90_000)

    page = console.get(PAGE).content.decode()
    assert "Enhanced" in page
    assert "PO-ALPHA-77" in page
    assert "priya.shah@alpha.example" in page
    assert "May 2026</th>" in page
    assert ">143<" in page
    assert ">999<" not in page
    assert ">555<" not in page
    assert page.count("Not counted") == 11
    assert f'<a class="govuk-link" href="/console/invoices/{april.pk}/">{april.number}</a>' in page
    assert "£1,440.00" in page  # April's total, tax included
    assert "Overdue</strong> since 31 May 2026" in page
    assert "Paid" in page
    assert f'href="/console/invoices/{note.pk}/"' in page
    assert f"Credit note for {april.number}" in page
    assert "-£240.00" in page
    assert beta.number not in page


def test_support_grants_are_shown_waiting_open_and_past(
    console: Client, council_a: Council, council_b: Council, operator: User
) -> None:
    def grant(council: Council, reason: str, **fields: object) -> SupportGrant:
        return SupportGrant.objects.create(
            council=council,
            operator_id=operator.pk,
            operator_name="Olu Adeyemi",
            operator_email=operator.email,
            reason=reason,
            scopes_requested=[SupportScope.PEOPLE],
            hours_requested=4,
            **fields,
        )

    now = timezone.now()
    grant(council_a, "Locked-out administrator")
    grant(
        council_a,
        "Agency set-up question",
        status=SupportStatus.GRANTED,
        scopes_granted=[SupportScope.AGENCIES],
        ends_at=now + datetime.timedelta(hours=2),
    )
    grant(
        council_a,
        "Old question",
        status=SupportStatus.GRANTED,
        scopes_granted=[SupportScope.PEOPLE],
        ends_at=now - datetime.timedelta(days=3),
    )
    grant(council_a, "Refused one", status=SupportStatus.REFUSED)
    grant(council_b, "Another council's question")

    page = console.get(PAGE).content.decode()
    assert "Support grants: 1 waiting, 1 open" in page
    assert "Locked-out administrator" in page
    assert "Ends 15 June 2026, 12:00 UTC" in page
    assert "Ran out" in page
    assert "Refused" in page
    assert "Another council's question" not in page


def test_errors_of_provisioning_backups_and_offboarding_are_shown(console: Client, council_a: Council) -> None:
    assert "No errors." in console.get(PAGE).content.decode()
    Council.objects.filter(pk=council_a.pk).update(provisioning_error="Could not create the domain")
    CouncilBackup.objects.create(council=council_a, status=BackupStatus.FAILED, step="Files", error="S3 refused")
    CouncilBackup.objects.create(council=council_a, status=BackupStatus.DONE)
    page = console.get(PAGE).content.decode()
    assert "Provisioning stopped:</strong> Could not create the domain" in page
    assert "Backup failed</strong>" in page
    assert "S3 refused" in page
    assert "No errors." not in page


def _reads(console: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert console.get(PAGE).status_code == 200
    return sum(1 for query in captured.captured_queries if not query["sql"].startswith("SET search_path"))


def test_the_page_costs_the_same_queries_however_many_invoices_and_grants(
    console: Client, council_a: Council, operator: User, django_assert_max_num_queries: object
) -> None:
    BillingAccount.objects.create(
        council=council_a,
        plan="standard",
        purchase_order_number="PO-1",
        billing_contact_name="Finance",
        billing_contact_email="finance@alpha.example",
    )
    first = invoice(council_a, period=datetime.date(2024, 1, 1), subtotal=50_000)
    invoice(council_a, period=first.period, subtotal=-1_000, credits=first)
    few = _reads(console)
    period = datetime.date(2024, 2, 1)
    for _ in range(30):
        credited = invoice(council_a, period=period, subtotal=50_000)
        invoice(council_a, period=period, subtotal=-1_000, credits=credited)
        CouncilBackup.objects.create(council=council_a, status=BackupStatus.FAILED, error="Disk full")
        period = (period + datetime.timedelta(days=32)).replace(day=1)
    assert _reads(console) == few
    with django_assert_max_num_queries(25):  # type: ignore[operator]
        console.get(PAGE)
