"""Counting each council's active practitioners for a month, from its own schema, into ``Usage`` rows.

A practitioner is active in a month when they signed in during it: the distinct people of the successful
``SIGN_IN`` events in the council's own audit trail (core/accounts/services/sign_in.py records one each time both
factors pass, with the account as its actor). The audit trail is the record the council itself can inspect, and it
cannot be edited (append-only), so a count can always be shown from it. The month is the council's own: it runs
from midnight on its first day to midnight on the next month's first day in the council's time zone: a sign-in at
00:30 on 1 November in Melbourne is November's there, though it was still 31 October in UTC.

A month is counted once. Its row is inserted with ``ON CONFLICT DO NOTHING``, so running the month again (by hand,
or twice at once) leaves the first count and its ``counted_at`` as they were, and a late sign-in does not move it:
invoices are issued from these rows.

Few round trips for many councils: the schemas are read in chunks, each chunk in one ``UNION ALL`` of per-schema
counts (built with psycopg's identifier quoting, as tenants/schema_state.py does) and written with one insert. The
partial index ``audit_sign_ins`` (core/audit migration 0016) holds just the sign-ins, by time, with their actor.
"""

import datetime
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django_tenants.utils import get_public_schema_name
from psycopg import sql

from billing.models import Usage
from billing.prices import month_after
from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.audit.services.events import audit_record
from tenants.models import Council, CouncilStatus
from tenants.schema_state import existing_schemas

SCHEMAS_PER_QUERY = 100
BILLABLE_STATUSES = (CouncilStatus.LIVE, CouncilStatus.SUSPENDED, CouncilStatus.OFFBOARDING)


@dataclass(frozen=True)
class MeteringOutcome:
    period: datetime.date
    counted: int  # councils given a usage row by this run
    already: int  # councils whose month was already counted (left as they were)


@dataclass(frozen=True)
class _Window:
    """One billable council's month, from its first midnight to the next month's, in its own time zone."""

    council_id: int
    slug: str
    schema_name: str
    start: datetime.datetime
    end: datetime.datetime


def usage_meter(*, period: datetime.date) -> MeteringOutcome:
    """Count ``period``'s active practitioners in every billable council; a month already counted is left alone.

    Billable: the council has a billing account, is live, suspended or offboarding, went live before the month
    ended (in its time zone), and its schema exists. One platform ``USAGE_METERED`` event per run, with the counts.
    """
    if period.day != 1:
        raise ValueError("A period is a month, given by its first day.")
    if connection.schema_name != get_public_schema_name():
        raise RuntimeError("Usage is metered from the platform, never inside a council's schema.")
    windows = _billable_windows(period)
    with transaction.atomic():
        counted_before = set(
            Usage.objects.filter(period=period, council_id__in=[window.council_id for window in windows]).values_list(
                "council_id", flat=True
            )
        )
        to_count = [window for window in windows if window.council_id not in counted_before]
        counted: dict[str, int] = {}
        for chunk in _chunks(to_count, SCHEMAS_PER_QUERY):
            counts = _active_practitioners(chunk)
            inserted = _usage_insert(period=period, counts=counts)
            counted.update(
                {window.slug: counts[window.council_id] for window in chunk if window.council_id in inserted}
            )
        outcome = MeteringOutcome(period=period, counted=len(counted), already=len(windows) - len(counted))
        audit_record(
            action=AuditAction.USAGE_METERED,
            outcome=AuditOutcome.SUCCESS,
            object_type="period",
            object_id=period.isoformat()[:7],
            changes={
                "councils": {"counted": outcome.counted, "already": outcome.already},
                "active_practitioners": dict(sorted(counted.items())),
            },
        )
    return outcome


def _billable_windows(period: datetime.date) -> list[_Window]:
    candidates = (
        Council.objects.filter(billing_account__isnull=False, status__in=BILLABLE_STATUSES, activated_at__isnull=False)
        .order_by("pk")
        .values_list("pk", "slug", "schema_name", "time_zone", "activated_at")
    )
    windows = []
    for council_id, slug, schema_name, time_zone, activated_at in candidates:
        zone = zoneinfo.ZoneInfo(time_zone)
        start = datetime.datetime.combine(period, datetime.time.min, tzinfo=zone)
        end = datetime.datetime.combine(month_after(period), datetime.time.min, tzinfo=zone)
        if activated_at < end:
            windows.append(_Window(council_id, slug, schema_name, start, end))
    present = set(existing_schemas([window.schema_name for window in windows]))
    return [window for window in windows if window.schema_name in present]


def _chunks(windows: list[_Window], size: int) -> Iterator[list[_Window]]:
    for first in range(0, len(windows), size):
        yield windows[first : first + size]


def _active_practitioners(windows: list[_Window]) -> dict[int, int]:
    """Each council's distinct signed-in actors in its window: one query for the whole chunk."""
    query = sql.SQL(" UNION ALL ").join(
        sql.SQL(
            "SELECT {council_id}::bigint, count(DISTINCT actor_id) FROM {audit} "
            "WHERE action = {action} AND outcome = {outcome} AND occurred_at >= {start} AND occurred_at < {end}"
        ).format(
            council_id=sql.Literal(window.council_id),
            audit=sql.Identifier(window.schema_name, AuditEvent._meta.db_table),
            action=sql.Literal(str(AuditAction.SIGN_IN.value)),
            outcome=sql.Literal(str(AuditOutcome.SUCCESS.value)),
            start=sql.Literal(window.start),
            end=sql.Literal(window.end),
        )
        for window in windows
    )
    with connection.cursor() as cursor:
        cursor.execute(query)
        return dict(cursor.fetchall())


def _usage_insert(*, period: datetime.date, counts: dict[int, int]) -> set[int]:
    """Insert the chunk's rows, leaving any month already counted as it is. The councils given a row now."""
    statement = sql.SQL(
        "INSERT INTO {usage} (council_id, period, active_practitioners) "
        "SELECT council_id, %s, active_practitioners FROM unnest(%s::bigint[], %s::integer[]) "
        "AS counted(council_id, active_practitioners) "
        "ON CONFLICT (council_id, period) DO NOTHING RETURNING council_id"
    ).format(usage=sql.Identifier(Usage._meta.db_table))
    council_ids = list(counts)
    with connection.cursor() as cursor:
        cursor.execute(statement, [period, council_ids, [counts[council_id] for council_id in council_ids]])
        return {row[0] for row in cursor.fetchall()}
