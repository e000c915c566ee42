"""Metering a month: each billable council's active practitioners (distinct people who signed in during the month,
in the council's own time zone) counted from its own audit trail into one usage row, once."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from billing.models import BillingAccount, Usage
from billing.services import metering
from billing.services.metering import MeteringOutcome, usage_meter
from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from tenants.models import Council, CouncilStatus
from tests.billing.sign_ins import billable, local, signed_in

pytestmark = pytest.mark.platform_side

OCTOBER = datetime.date(2026, 10, 1)
SEPTEMBER = datetime.date(2026, 9, 1)


def _usage(council: Council, period: datetime.date = OCTOBER) -> int | None:
    row = Usage.objects.filter(council=council, period=period).first()
    return None if row is None else row.active_practitioners


def _metered_events() -> list[AuditEvent]:
    with schema_context("public"):
        return list(AuditEvent.objects.filter(action=AuditAction.USAGE_METERED).order_by("id"))


def test_a_melbourne_council_is_counted_by_its_own_month_not_utcs(council_b: Council) -> None:
    council = billable(council_b)
    assert council.time_zone == "Australia/Melbourne"
    signed_in(council, local(council, 2026, 10, 31, 23, 30))  # October there (12:30 UTC on the 31st)
    signed_in(council, local(council, 2026, 10, 1, 0, 30))  # October there, though 30 September in UTC
    signed_in(council, local(council, 2026, 11, 1, 0, 30))  # November there, though 31 October in UTC
    signed_in(council, local(council, 2026, 9, 30, 23, 59))  # September

    outcome = usage_meter(period=OCTOBER)

    assert outcome == MeteringOutcome(period=OCTOBER, counted=1, already=0)
    assert _usage(council) == 2


def test_a_london_council_in_summer_time_counts_the_first_hour_of_the_month_as_its_own(council_a: Council) -> None:
    council = billable(council_a)
    signed_in(council, datetime.datetime(2026, 9, 30, 23, 30, tzinfo=datetime.UTC))  # 00:30 BST on 1 October
    signed_in(council, datetime.datetime(2026, 10, 31, 23, 59, tzinfo=datetime.UTC))  # GMT again: still October
    signed_in(council, datetime.datetime(2026, 11, 1, 0, 0, tzinfo=datetime.UTC))  # November

    usage_meter(period=OCTOBER)

    assert _usage(council) == 2


def test_only_successful_sign_ins_count(council_a: Council) -> None:
    council = billable(council_a)
    during = local(council, 2026, 10, 14, 9, 0)
    signed_in(council, during)
    signed_in(council, during, action=AuditAction.SIGN_IN_FAILED, outcome=AuditOutcome.FAILURE)
    signed_in(council, during, action=AuditAction.SECOND_FACTOR_FAILED, outcome=AuditOutcome.FAILURE)
    signed_in(council, during, action=AuditAction.SIGN_IN, outcome=AuditOutcome.DENIED)
    signed_in(council, during, action=AuditAction.CLIENT_SEARCH)  # active, but never signed in this month

    usage_meter(period=OCTOBER)

    assert _usage(council) == 1


def test_each_person_counts_once_however_often_they_signed_in(council_a: Council) -> None:
    council = billable(council_a)
    often = signed_in(council, local(council, 2026, 10, 1, 8, 0))
    for day in range(2, 28):
        signed_in(council, local(council, 2026, 10, day, 8, 30), often)
    signed_in(council, local(council, 2026, 10, 5, 9, 0))
    signed_in(council, local(council, 2026, 10, 5, 9, 0))

    usage_meter(period=OCTOBER)

    assert _usage(council) == 3


def test_a_council_with_no_sign_ins_is_counted_as_none(council_a: Council) -> None:
    council = billable(council_a)
    signed_in(council, local(council, 2026, 9, 12, 10, 0))

    usage_meter(period=OCTOBER)

    assert _usage(council) == 0


def test_each_council_is_counted_from_its_own_trail(council_a: Council, council_b: Council) -> None:
    alpha, beta = billable(council_a), billable(council_b)
    for _ in range(3):
        signed_in(alpha, local(alpha, 2026, 10, 10, 10, 0))
    signed_in(beta, local(beta, 2026, 10, 10, 10, 0))

    outcome = usage_meter(period=OCTOBER)

    assert outcome.counted == 2
    assert (_usage(alpha), _usage(beta)) == (3, 1)


def test_running_a_month_again_changes_nothing_even_after_a_late_sign_in(council_a: Council) -> None:
    council = billable(council_a)
    signed_in(council, local(council, 2026, 10, 3, 9, 0))
    usage_meter(period=OCTOBER)
    counted_at = datetime.datetime(2026, 11, 1, 2, 0, tzinfo=datetime.UTC)
    Usage.objects.filter(council=council, period=OCTOBER).update(counted_at=counted_at)  # when the job ran
    signed_in(council, local(council, 2026, 10, 20, 9, 0))  # written late (a restored trail, say)

    again = usage_meter(period=OCTOBER)

    assert again == MeteringOutcome(period=OCTOBER, counted=0, already=1)
    rows = list(Usage.objects.filter(council=council).values_list("period", "active_practitioners", "counted_at"))
    assert rows == [(OCTOBER, 1, counted_at)]
    first, second = _metered_events()
    assert first.changes == {
        "councils": {"counted": 1, "already": 0},
        "active_practitioners": {council.slug: 1},
    }
    assert second.changes == {"councils": {"counted": 0, "already": 1}, "active_practitioners": {}}
    assert (second.object_type, second.object_id, second.council) == ("period", "2026-10", "public")


def test_each_month_gets_its_own_row(council_a: Council) -> None:
    council = billable(council_a)
    signed_in(council, local(council, 2026, 9, 3, 9, 0))
    signed_in(council, local(council, 2026, 10, 3, 9, 0))
    signed_in(council, local(council, 2026, 10, 4, 9, 0))

    usage_meter(period=SEPTEMBER)
    usage_meter(period=OCTOBER)

    assert (_usage(council, SEPTEMBER), _usage(council, OCTOBER)) == (1, 2)


def test_councils_that_are_not_billable_are_skipped(council_a: Council, council_b: Council) -> None:
    signed_in(council_a, local(council_a, 2026, 10, 3, 9, 0))
    signed_in(council_b, local(council_b, 2026, 10, 3, 9, 0))
    # No billing account at all.
    Council.objects.filter(pk=council_a.pk).update(activated_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    assert usage_meter(period=OCTOBER) == MeteringOutcome(period=OCTOBER, counted=0, already=0)

    # A billing account, but went live only after October ended in Melbourne (13:00 UTC on 31 October).
    billable(council_b, activated_at=datetime.datetime(2026, 10, 31, 13, 0, tzinfo=datetime.UTC))
    # A billing account, but still configuring, never live.
    billable(council_a)
    Council.objects.filter(pk=council_a.pk).update(status=CouncilStatus.CONFIGURING)
    # A billing account and live, but its schema is gone.
    ghost = Council.objects.create(
        name="Ghost Council",
        slug="ghost",
        schema_name="council_ghost",
        jurisdiction="england",
        data_region="eu-west-2",
        locale="en-gb",
        time_zone="Europe/London",
        status=CouncilStatus.LIVE,
        activated_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
    )
    BillingAccount.objects.create(
        council=ghost,
        plan="standard",
        purchase_order_number="PO-1",
        billing_contact_name="A",
        billing_contact_email="a@x.example",
    )

    assert usage_meter(period=OCTOBER) == MeteringOutcome(period=OCTOBER, counted=0, already=0)
    assert not Usage.objects.exists()


@pytest.mark.parametrize("status", [CouncilStatus.SUSPENDED, CouncilStatus.OFFBOARDING])
def test_a_suspended_or_leaving_council_still_pays_for_its_month(council_a: Council, status: str) -> None:
    council = billable(council_a)
    Council.objects.filter(pk=council.pk).update(status=status)
    signed_in(council, local(council, 2026, 10, 3, 9, 0))

    usage_meter(period=OCTOBER)

    assert _usage(council) == 1


def test_a_council_that_went_live_during_the_month_is_counted_for_it(council_b: Council) -> None:
    council = billable(council_b, activated_at=local(council_b, 2026, 10, 31, 23, 0))
    signed_in(council, local(council, 2026, 10, 31, 23, 30))

    usage_meter(period=OCTOBER)

    assert _usage(council) == 1


def _queries_of_a_run(period: datetime.date) -> int:
    """Statements of one run, leaving out the switch back to ``public`` after a test wrote in a council."""
    with CaptureQueriesContext(connection) as queries:
        usage_meter(period=period)
    return len([query for query in queries.captured_queries if "search_path" not in query["sql"]])


def test_the_queries_of_a_run_grow_with_its_chunks_of_schemas_not_with_its_councils(
    council_a: Council, council_b: Council, monkeypatch: pytest.MonkeyPatch
) -> None:
    alpha = billable(council_a)
    one_council = _queries_of_a_run(datetime.date(2026, 6, 1))
    beta = billable(council_b)
    for council in (alpha, beta):
        signed_in(council, local(council, 2026, 7, 3, 9, 0))
    two_councils_one_chunk = _queries_of_a_run(datetime.date(2026, 7, 1))
    monkeypatch.setattr(metering, "SCHEMAS_PER_QUERY", 1)
    two_councils_two_chunks = _queries_of_a_run(datetime.date(2026, 8, 1))

    assert two_councils_one_chunk == one_council
    assert two_councils_two_chunks == one_council + 2  # one count and one insert per chunk
    assert one_council <= 8  # councils, schemas, months counted, count, insert, audit, and the savepoint
    assert (_usage(alpha, datetime.date(2026, 7, 1)), _usage(beta, datetime.date(2026, 7, 1))) == (1, 1)


def test_a_month_already_counted_for_every_council_reads_no_schema(council_a: Council) -> None:
    council = billable(council_a)
    usage_meter(period=OCTOBER)

    with CaptureQueriesContext(connection) as queries:
        usage_meter(period=OCTOBER)

    assert not [query for query in queries.captured_queries if f'"{council.schema_name}".' in query["sql"]]


def test_a_period_is_a_months_first_day() -> None:
    with pytest.raises(ValueError, match="first day"):
        usage_meter(period=datetime.date(2026, 10, 15))


def test_metering_refuses_to_run_inside_a_councils_schema(council_a: Council) -> None:
    billable(council_a)
    with schema_context(council_a.schema_name), pytest.raises(RuntimeError):
        usage_meter(period=OCTOBER)
    assert not Usage.objects.exists()
