"""Benchmark: metering a month over 200 councils, against one ``COUNT(*)`` of the month's sign-ins per schema.

    manage.py bench_metering                         # 200 councils at PERFORMANCE.md's volumes
    manage.py bench_metering --councils 4 --scale 0.01 --samples 1     # a quick look

On a throwaway database (docs/benchmarks.md, "Metering a month"). It

1. makes the councils ``bench-m1`` … ``bench-m200`` (rows and plain schemas copied from the template's definition,
   as the provisioning benchmark's fillers are), alternately in England and Victoria (London's and Melbourne's
   months), each live for a year, with a billing account; kept with ``--keep``, else removed at the end;
2. gives them PERFORMANCE.md's practitioners — "a platform: 1,000 councils, most small", the largest
   Staffordshire-sized at 20,000: here one of 20,000, four of 5,000, fifteen of 2,000 and the rest 100 to 800 — and
   writes last month's audit rows into each schema with ``INSERT … SELECT generate_series``: 72–90% of its
   practitioners sign in (1 to 19 times in the month; a tenth of them only in its first 50 minutes, local time),
   the others only in the 50 minutes either side of the month (another month where the council is, though not
   always in UTC) and some fail to sign in during it; the active ones also search (as many rows as their
   sign-ins). Practitioners appear as their account ids in the trail: neither side reads the accounts themselves;
3. ``VACUUM ANALYZE`` each council's audit table (an append-only table autovacuum would have visited);
4. times, interleaved, ``--samples`` times each (medians): the reference — one ``SELECT COUNT(*)`` of the month's
   successful sign-ins per schema, one query per schema, on the same index; ``COUNT(DISTINCT actor_id)`` per schema
   the same way (the numbers usage must match); and ``usage_meter`` for the month, its usage rows removed before
   each sample; then ``usage_meter`` once more with the month counted (it must write nothing).

It fails unless every council got its usage row with the number of practitioners the generator made active, equal
to the distinct count of the reference, and the reference's rows equal the sign-ins the generator wrote in the
month; and unless the last run wrote nothing.
"""

import datetime
import os
import platform
import random
import statistics
import time
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone
from psycopg import sql

from billing.models import BillingAccount, Usage
from billing.prices import month_after, month_before, month_start
from billing.services.metering import usage_meter
from core.audit.models import AuditEvent
from demo.bench_summary import TargetRow, summary_write
from tenants.jurisdictions import Jurisdiction, defaults_for
from tenants.models import Council, CouncilStatus
from tenants.schema_state import existing_schemas
from tenants.services.database_roles import new_schema_privileges_grant, owner_connection
from tenants.services.schema_definition import schema_create_from_definition
from tenants.services.schemas import council_schema_drop, template_schema_ensure

PREFIX = "bench-m"
SEED = 2026
COUNT_ROWS = sql.SQL("count(*)")
COUNT_PEOPLE = sql.SQL("count(DISTINCT actor_id)")

# One month's audit rows of one council (see the module's docstring). ``start`` and ``finish`` are its month's
# first midnight and the next month's, in its own time zone.
_MONTH_SQL = """
WITH people AS (
    SELECT n, md5(%(schema)s::text || ':' || n)::uuid AS actor, n < %(active)s AS active,
           CASE WHEN mod(n, 10) = 0 THEN 1 ELSE 1 + mod(n * 7919, 19) END AS times
    FROM generate_series(0, %(people)s - 1) AS n
), events AS (
    SELECT p.actor, CASE WHEN mod(p.n, 10) = 0 THEN %(start)s + random() * interval '50 minutes'
                         ELSE %(start)s + random() * (%(finish)s - %(start)s) END AS at,
           'sign_in' AS action, 'success' AS outcome
    FROM people p CROSS JOIN LATERAL generate_series(1, p.times) WHERE p.active
    UNION ALL
    SELECT actor, %(start)s - (1 + random() * 49) * interval '1 minute', 'sign_in', 'success'
    FROM people WHERE NOT active
    UNION ALL
    SELECT actor, %(finish)s + random() * interval '50 minutes', 'sign_in', 'success' FROM people WHERE NOT active
    UNION ALL
    SELECT actor, %(start)s + random() * (%(finish)s - %(start)s), 'sign_in_failed', 'failure'
    FROM people WHERE NOT active AND mod(n, 3) = 0
    UNION ALL
    SELECT p.actor, %(start)s + random() * (%(finish)s - %(start)s), 'client_search', 'success'
    FROM people p CROSS JOIN LATERAL generate_series(1, p.times) WHERE p.active
)
INSERT INTO {audit} (occurred_at, actor_id, council, action, outcome, object_type, object_id, related_ids, reason,
                     ip_address, user_agent, path)
SELECT at, actor, %(schema)s::text, action, outcome, CASE WHEN action = 'client_search' THEN '' ELSE 'device' END, '',
       ARRAY[]::varchar[], '', '10.20.0.1', 'Mozilla/5.0 (bench)', '/sign-in/code/'
FROM events
"""


@dataclass
class BenchCouncil:
    council: Council
    practitioners: int
    active: int
    sign_ins: int  # successful sign-ins the generator wrote inside the month
    start: datetime.datetime
    finish: datetime.datetime


def _sizes(councils: int, scale: float, rng: random.Random) -> list[int]:
    """Practitioners per council: one Staffordshire-sized, a few large, most small (PERFORMANCE.md)."""
    sizes = [20_000] + [5_000] * 4 + [2_000] * 15
    sizes = sizes[:councils] + [rng.randint(100, 800) for _ in range(max(0, councils - len(sizes)))]
    return [max(10, round(size * scale)) for size in sizes]


def _median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1000


class Command(BaseCommand):
    help = "Time usage_meter for a month over 200 councils against one COUNT(*) per schema (docs/benchmarks.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--councils", type=int, default=200)
        parser.add_argument("--scale", type=float, default=1.0, help="Times PERFORMANCE.md's practitioners")
        parser.add_argument("--samples", type=int, default=5, help="Timed runs of each side (medians)")
        parser.add_argument("--keep", action="store_true", help="Keep the benchmark's councils at the end")
        parser.add_argument("--summary", help="Also write the row to this JSON file")

    def handle(self, *args: Any, **options: Any) -> None:
        write = self.stdout.write
        self.period = month_before(month_start(timezone.localdate()))
        self._remove()
        try:
            started = time.perf_counter()
            councils = self._build(options["councils"], options["scale"])
            built = time.perf_counter() - started
            rows = sum(2 * council.sign_ins for council in councils)
            write(
                f"{len(councils)} councils, {sum(c.practitioners for c in councils):,} practitioners, "
                f"{sum(c.active for c in councils):,} active in {self.period:%B %Y}, about {rows:,} audit rows "
                f"that month: built in {built:.0f} s"
            )
            self._run(councils, samples=options["samples"], summary=options["summary"], built=built)
        finally:
            connection.set_schema_to_public()
            if not options["keep"]:
                self._remove()

    # Building ---------------------------------------------------------------------------------------------------

    def _build(self, count: int, scale: float) -> list[BenchCouncil]:
        rng = random.Random(SEED)  # noqa: S311 - fabricated benchmark data
        template = template_schema_ensure()
        long_ago = timezone.now() - datetime.timedelta(days=365)
        jurisdictions = [Jurisdiction.ENGLAND, Jurisdiction.VICTORIA]
        made = Council.objects.bulk_create(
            Council(
                name=f"Bench metering council {index}",
                slug=f"{PREFIX}{index}",
                schema_name=Council.schema_name_for(f"{PREFIX}{index}"),
                jurisdiction=(jurisdiction := jurisdictions[index % 2]),
                data_region=defaults_for(jurisdiction).data_regions[0],
                locale=defaults_for(jurisdiction).locale,
                time_zone=defaults_for(jurisdiction).time_zone,
                status=CouncilStatus.LIVE,
                activated_at=long_ago,
            )
            for index in range(1, count + 1)
        )
        BillingAccount.objects.bulk_create(
            BillingAccount(
                council=council,
                plan="standard",
                purchase_order_number=f"PO-BENCH-{council.pk}",
                billing_contact_name="Accounts Payable",
                billing_contact_email=f"accounts@{council.slug}.example",
            )
            for council in made
        )
        start = time.perf_counter()
        with owner_connection():
            for done, council in enumerate(made, start=1):
                with transaction.atomic():
                    definition = schema_create_from_definition(template=template, schema=council.schema_name)
                    new_schema_privileges_grant(
                        schema=council.schema_name, tables=definition.tables, sequences=definition.sequences
                    )
                if done % 50 == 0:
                    connection.close()  # a fresh session now and then, as provisioning does
                    self.stderr.write(f"{done}/{len(made)} schemas in {time.perf_counter() - start:.0f} s")
        councils = []
        for council, practitioners in zip(made, _sizes(count, scale, rng), strict=True):
            zone = zoneinfo.ZoneInfo(council.time_zone)
            active = round(practitioners * rng.uniform(0.72, 0.9))
            councils.append(
                BenchCouncil(
                    council=council,
                    practitioners=practitioners,
                    active=active,
                    sign_ins=sum(1 if n % 10 == 0 else 1 + (n * 7919) % 19 for n in range(active)),
                    start=datetime.datetime.combine(self.period, datetime.time.min, tzinfo=zone),
                    finish=datetime.datetime.combine(month_after(self.period), datetime.time.min, tzinfo=zone),
                )
            )
        start = time.perf_counter()
        for done, bench in enumerate(councils, start=1):
            statement = sql.SQL(_MONTH_SQL).format(
                audit=sql.Identifier(bench.council.schema_name, AuditEvent._meta.db_table)
            )
            params = {
                "schema": bench.council.schema_name,
                "people": bench.practitioners,
                "active": bench.active,
                "start": bench.start,
                "finish": bench.finish,
            }
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement, params)
            if done % 50 == 0:
                self.stderr.write(f"{done}/{len(councils)} months of audit rows in {time.perf_counter() - start:.0f} s")
        with owner_connection(), connection.cursor() as cursor:
            for bench in councils:
                table = sql.Identifier(bench.council.schema_name, AuditEvent._meta.db_table)
                cursor.execute(sql.SQL("VACUUM ANALYZE {}").format(table))
        return councils

    def _remove(self) -> None:
        councils = list(Council.objects.filter(slug__startswith=PREFIX))
        present = set(existing_schemas([council.schema_name for council in councils]))
        Usage.objects.filter(council__in=councils).delete()
        BillingAccount.objects.filter(council__in=councils).delete()
        for council in councils:
            if council.schema_name in present:
                council_schema_drop(council=council)
            council.domains.all().delete()
            council.delete()

    # Timing -----------------------------------------------------------------------------------------------------

    def _per_schema(self, councils: list[BenchCouncil], select: sql.SQL) -> tuple[float, dict[int, int]]:
        """One query per schema, in turn: the time of all of them, and each council's number."""
        numbers = {}
        queries = [
            sql.SQL(
                "SELECT {select} FROM {audit} WHERE action = 'sign_in' AND outcome = 'success' "
                "AND occurred_at >= %s AND occurred_at < %s"
            ).format(select=select, audit=sql.Identifier(bench.council.schema_name, AuditEvent._meta.db_table))
            for bench in councils
        ]
        start = time.perf_counter()
        with connection.cursor() as cursor:
            for bench, query in zip(councils, queries, strict=True):
                cursor.execute(query, [bench.start, bench.finish])
                numbers[bench.council.pk] = cursor.fetchone()[0]
        return time.perf_counter() - start, numbers

    def _meter(self, councils: list[BenchCouncil]) -> float:
        Usage.objects.filter(council__in=[bench.council for bench in councils], period=self.period).delete()
        start = time.perf_counter()
        outcome = usage_meter(period=self.period)
        elapsed = time.perf_counter() - start
        if outcome.counted < len(councils):
            raise CommandError(f"usage_meter counted {outcome.counted} councils of {len(councils)}.")
        return elapsed

    def _run(self, councils: list[BenchCouncil], *, samples: int, summary: str | None, built: float) -> None:
        write = self.stdout.write
        self._per_schema(councils, COUNT_ROWS)  # a warm cache for both sides
        reference: list[float] = []
        distinct: list[float] = []
        metered: list[float] = []
        for _ in range(samples):
            seconds, rows = self._per_schema(councils, COUNT_ROWS)
            reference.append(seconds)
            seconds, people = self._per_schema(councils, COUNT_PEOPLE)
            distinct.append(seconds)
            metered.append(self._meter(councils))
        self._check(councils, rows=rows, people=people)
        counted_before = dict(Usage.objects.filter(period=self.period).values_list("council_id", "counted_at"))
        start = time.perf_counter()
        again = usage_meter(period=self.period)
        rerun = time.perf_counter() - start
        if again.counted or dict(Usage.objects.filter(period=self.period).values_list("council_id", "counted_at")) != (
            counted_before
        ):
            raise CommandError("Metering the month again wrote something.")

        floor = statistics.median(reference)
        ratio = statistics.median(metered) / floor
        write("")
        write(
            f"Metering {self.period:%B %Y} — {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, "
            f"{platform.node()}, Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}; "
            f"{len(councils)} councils, {sum(rows.values()):,} sign-ins in the month, medians of {samples}"
        )
        write("")
        write("| Measure | Time | Ratio |")
        write("|---|---|---|")
        write(
            f"| `SELECT COUNT(*)` of the month's sign-ins, one query per schema ({len(councils)} queries; "
            f"reference) | {_median_ms(reference):,.0f} ms | 1.00× |"
        )
        write(
            f"| `COUNT(DISTINCT actor_id)` the same way (the numbers usage must match) | "
            f"{_median_ms(distinct):,.0f} ms | {statistics.median(distinct) / floor:.2f}× |"
        )
        write(
            f"| `usage_meter`: every council counted and its usage row written | {_median_ms(metered):,.0f} ms | "
            f"{ratio:.2f}× |"
        )
        write(
            f"| `usage_meter` again, the month counted: nothing written | {rerun * 1000:,.0f} ms | "
            f"{rerun / floor:.2f}× |"
        )
        write("")
        write(
            f"Checked: each of the {len(councils)} councils has its usage row with the practitioners the generator "
            "made active, equal to the reference's distinct count; the second run wrote nothing."
        )
        summary_write(
            summary,
            [
                TargetRow(
                    f"Metering a month over {len(councils)} councils ({sum(rows.values()):,} sign-ins)",
                    f"{_median_ms(metered):,.0f} ms = {ratio:.2f}× one COUNT(*) per schema "
                    f"({_median_ms(reference):,.0f} ms); every usage row checked",
                    "ratio recorded",
                    None,
                )
            ],
        )

    def _check(self, councils: list[BenchCouncil], *, rows: dict[int, int], people: dict[int, int]) -> None:
        usage = dict(
            Usage.objects.filter(period=self.period, council__in=[bench.council for bench in councils]).values_list(
                "council_id", "active_practitioners"
            )
        )
        wrong = [
            f"{bench.council.slug}: usage {usage.get(bench.council.pk)}, distinct {people[bench.council.pk]}, "
            f"rows {rows[bench.council.pk]}; made {bench.active} active with {bench.sign_ins} sign-ins"
            for bench in councils
            if not (usage.get(bench.council.pk) == people[bench.council.pk] == bench.active)
            or rows[bench.council.pk] != bench.sign_ins
        ]
        if wrong:
            raise CommandError(f"{len(wrong)} councils counted wrong: " + "; ".join(wrong[:5]))
