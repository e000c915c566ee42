"""Benchmark: the nightly retention job over a large council, against the raw SQL that reads the same rows.

    manage.py bench_retention [--clients 300000] [--practitioners 20000] [--involvements 1000000]
                              [--families 60000] [--audit 500000] [--years 3] [--repeat 3]
                              [--rebuild] [--drop] [--summary FILE]

Builds, or reuses, the records benchmarks' council (``bench-records``, England: demo/records_bench.py) at the
scale of PERFORMANCE.md, with an audit trail over the last nine years. Its retention schedule keeps clients,
involvements and team activity for ``--years`` (3: the generated history is five years deep, so a good share of it
is due), the audit trail for seven years and sign-in records for two.

It then times, in one run:

* the reference: the raw SQL that reads what is due, written by hand: the ids of the clients, the ended
  involvements, the team activity and the sessions that are due, and the count of the audit events (``repeat``
  times, median);
* ``retention_run_prepare``: the nightly listing, as the task runs it (the waiting list removed before each
  timed run; ``repeat`` times, median);
* ``retention_run_execute``: the erasure of an approved list, once, inside a transaction that is then rolled
  back, so that the council is the same for the next run.

It fails unless the listing's counts are the reference's, and unless, after the erasure, nothing listed is left
and what it reports erased is what was listed. The council is kept for the next run (``--rebuild`` makes it
again, ``--drop`` removes it at the end).
"""

import platform
import statistics
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django_tenants.utils import tenant_context
from psycopg import sql

from core.accounts.models import UserSession
from core.audit.models import AuditEvent
from core.clients.models import Client, Involvement, TeamActivity
from core.directory.models import Practitioner
from core.governance.models import RulebookVersion
from core.governance.rules import RetentionKind, RetentionPeriods, Rules
from core.governance.selectors import retention_current
from core.retention.models import LegalHold, RetentionRun
from core.retention.services.periods import SIGN_IN_ACTIONS, Cutoffs, clients_due, cutoffs_for
from core.retention.services.runs import retention_run_execute, retention_run_prepare
from demo.bench_summary import TargetRow, summary_write
from demo.records_bench import records_arguments, records_council, records_council_drop, records_council_fill


class _RolledBack(Exception):
    """Raised at the end of the timed erasure so that its transaction is rolled back."""


def _timed(action: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


# What is due, written by hand from the schedule's rules (docs/adr/0016): the rows the job must find.
_REFERENCE_SQL = """
WITH held AS (SELECT client_id FROM {hold} WHERE lifted_at IS NULL),
due_clients AS (
    SELECT c.id FROM {client} c
    LEFT JOIN (SELECT client_id, max(ended_on) AS last_ended, bool_or(ended_on IS NULL) AS current
               FROM {involvement} GROUP BY client_id) i ON i.client_id = c.id
    WHERE NOT coalesce(i.current, false) AND c.id NOT IN (SELECT client_id FROM held)
      AND (i.last_ended <= %(clients_ended_on)s OR (i.last_ended IS NULL AND c.created_at <= %(clients_added_at)s))
)
SELECT 'clients', id::text FROM due_clients
UNION ALL
SELECT 'involvements', i.id::text FROM {involvement} i
WHERE i.ended_on <= %(involvements_ended_on)s AND i.client_id NOT IN (SELECT client_id FROM held)
  AND EXISTS (SELECT 1 FROM {involvement} o WHERE o.client_id = i.client_id AND o.ended_on IS NULL)
UNION ALL
SELECT 'team_activity', a.id::text FROM {activity} a
WHERE a.occurred_at <= %(team_activity_at)s AND a.client_id NOT IN (SELECT client_id FROM held)
  AND a.client_id NOT IN (SELECT id FROM due_clients)
UNION ALL
SELECT 'sign_in', s.id::text FROM {session} s WHERE s.last_seen_at <= %(sessions_at)s
"""

_AUDIT_COUNT_SQL = """
SELECT count(*) FILTER (WHERE action = ANY(%(sign_in)s) AND occurred_at < %(sign_in_audit_at)s),
       count(*) FILTER (WHERE action <> ALL(%(sign_in)s) AND occurred_at < %(audit_at)s)
FROM {audit}
"""


class Command(BaseCommand):
    help = "Time the nightly retention job over a large council against the raw SQL that reads the same rows."

    def add_arguments(self, parser: CommandParser) -> None:
        records_arguments(parser)
        parser.add_argument("--years", type=int, default=3, help="Years kept for clients, involvements, activity")
        parser.add_argument("--repeat", type=int, default=3)
        parser.add_argument("--summary", help="Write the rows measured here as JSON (for bench_table)")

    def handle(self, *args: Any, **options: Any) -> None:
        council = records_council(options)
        try:
            with tenant_context(council):
                built = records_council_fill(options, self.stdout.write)
                self._schedule(years=options["years"])
                self._measure(options, built=f"{built}; ")
        finally:
            connection.set_schema_to_public()
            if options["drop"]:
                records_council_drop()

    def _schedule(self, *, years: int) -> None:
        """The benchmark council's schedule, stored as its administrator would (a rulebook version)."""
        periods = RetentionPeriods(clients=years, involvements=years, team_activity=years, audit=7, sign_in=2)
        if retention_current() == periods:
            return
        last = RulebookVersion.objects.order_by("-number").first()
        RulebookVersion.objects.create(
            number=(last.number if last else 0) + 1,
            rules=Rules(retention=periods).to_json(),
            changes=["The benchmark's retention schedule"],
            reason="benchmark",
            changed_by=Practitioner.objects.order_by("pk").first(),
        )

    # Measuring --------------------------------------------------------------------------------------------

    def _reference(self, cutoffs: Cutoffs) -> dict[str, int]:
        tables = {
            "hold": LegalHold,
            "client": Client,
            "involvement": Involvement,
            "activity": TeamActivity,
            "session": UserSession,
            "audit": AuditEvent,
        }
        identifiers = {name: sql.Identifier(model._meta.db_table) for name, model in tables.items()}
        counts = dict.fromkeys((str(kind) for kind in RetentionKind), 0)
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL(_REFERENCE_SQL).format(**identifiers), cutoffs.__dict__)
            for kind, _id in cursor.fetchall():  # every id read, as the job reads them
                counts[kind] += 1
            cursor.execute(
                sql.SQL(_AUDIT_COUNT_SQL).format(audit=identifiers["audit"]),
                {**cutoffs.__dict__, "sign_in": list(SIGN_IN_ACTIONS)},
            )
            sign_in, audit = cursor.fetchone()
        counts[RetentionKind.SIGN_IN] += sign_in
        counts[RetentionKind.AUDIT] = audit
        return counts

    def _prepare(self) -> RetentionRun:
        RetentionRun.objects.filter(state=RetentionRun.State.PENDING).delete()
        run = retention_run_prepare()
        if run is None:
            raise CommandError("The listing found nothing due: the benchmark measured no work")
        return run

    def _execute(self, run: RetentionRun) -> tuple[float, RetentionRun]:
        """Erase the approved list inside a transaction rolled back at the end; check it erased what it listed."""
        outcome: dict[str, Any] = {}
        try:
            with transaction.atomic():
                RetentionRun.objects.filter(pk=run.pk).update(
                    state=RetentionRun.State.APPROVED, decided_by=Practitioner.objects.order_by("pk").first()
                )
                outcome["seconds"], outcome["run"] = _timed(lambda: retention_run_execute(run_id=run.pk))
                cutoffs = Cutoffs.from_json(run.cutoffs)
                outcome["left"] = clients_due(cutoffs).count()
                raise _RolledBack
        except _RolledBack:
            pass
        finished = outcome["run"]
        if finished.state != RetentionRun.State.FINISHED:
            raise CommandError(f"The erasure did not finish: {finished.state}")
        if outcome["left"]:
            raise CommandError(f"{outcome['left']} listed clients were still there after the erasure")
        for kind in (RetentionKind.CLIENTS, RetentionKind.INVOLVEMENTS, RetentionKind.TEAM_ACTIVITY):
            if int(finished.erased.get(str(kind), 0)) != int(run.counts.get(str(kind), 0)):
                raise CommandError(f"Erased {finished.erased} is not what was listed {run.counts}")
        return outcome["seconds"], finished

    def _measure(self, options: dict[str, Any], *, built: str) -> None:
        repeat = max(1, options["repeat"])
        cutoffs = cutoffs_for(retention_current())
        self._reference(cutoffs)  # warm: the same pages in the cache for both
        references = [_timed(lambda: self._reference(cutoffs)) for _ in range(repeat)]
        prepares = [_timed(self._prepare) for _ in range(repeat)]
        expected = references[0][1]
        run = prepares[-1][1]
        listed = {str(kind): int(run.counts.get(str(kind), 0)) for kind in RetentionKind}
        if listed != expected:
            raise CommandError(f"The listing {listed} is not what the raw SQL finds {expected}")
        execute_seconds, finished = self._execute(run)
        RetentionRun.objects.filter(pk=run.pk).delete()

        reference = statistics.median(seconds for seconds, _ in references)
        prepare = statistics.median(seconds for seconds, _ in prepares)
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        self.stdout.write(
            f"Machine: {platform.machine()}, Python {platform.python_version()}, PostgreSQL {version} on "
            f"{settings.DATABASES['default']['HOST'] or 'local'}; {built}"
            f"{Client.objects.count():,} clients, {Involvement.objects.count():,} involvements, "
            f"{TeamActivity.objects.count():,} team activity rows, {AuditEvent.objects.count():,} audit events; "
            f"medians of {repeat}"
        )
        self.stdout.write("Due: " + ", ".join(f"{kind.replace('_', ' ')} {count:,}" for kind, count in listed.items()))
        lines = [
            ("The raw SQL reading what is due (reference)", reference),
            ("`retention_run_prepare`: the nightly listing", prepare),
            ("`retention_run_execute`: the approved list erased (rolled back after)", execute_seconds),
        ]
        self.stdout.write("| Measure | Time | Ratio to the raw SQL |")
        self.stdout.write("|---|---|---|")
        for label, seconds in lines:
            self.stdout.write(f"| {label} | {seconds * 1000:,.0f} ms | {seconds / reference:.1f}× |")
        self.stdout.write("Erased: " + ", ".join(f"{kind} {count:,}" for kind, count in finished.erased.items()))
        self.stdout.flush()
        summary_write(
            options.get("summary"),
            [
                TargetRow(
                    "Nightly retention listing at 300k clients",
                    f"{prepare:.2f} s = {prepare / reference:.1f}× the raw SQL ({sum(listed.values()):,} due)",
                    "ratio recorded",
                    None,
                ),
                TargetRow(
                    "Nightly retention erasure at 300k clients",
                    f"{execute_seconds:.1f} s = {execute_seconds / reference:.1f}× the raw SQL",
                    "ratio recorded",
                    None,
                ),
            ],
        )
