"""Benchmark: the privacy officer's anomaly job over one day of a large council's audit trail, against a single
``SELECT count(*)`` over the same day's rows.

    manage.py bench_anomalies [--clients 300000] [--practitioners 2000] [--searches 40000] [--views 30000]
                              [--repeat 3] [--rebuild] [--drop]

Builds, or reuses, a council (``bench-anomalies``, England) filled by the large-council generator (300,000
clients, 2,000 practitioners, their agencies, involvements and families), then three days of audit trail
(the day measured, the day before and the day after) written with ``INSERT … SELECT generate_series``: per day,
searches with one to two hits (a tenth finding nobody, one in a hundred refused by the rate limit), team views
(a third with a family member shown), teams joined, requests to join and sign-ins, by the generated
practitioners through the working day. On the measured day it plants a few practitioners whose use must raise
an alert: a burst of searches, searches out of hours, many clients viewed, searches with no team joined, and a
search that found a client with the practitioner's own surname.

It then times, in one run, ``repeat`` times each (medians):

* the reference: ``SELECT count(*)`` over the audit rows of that council-local day (the index on the time);
* ``anomalies_find``: the job's one statement, every candidate of the day;
* ``anomalies_detect`` as the nightly task runs it: the candidates and an alert raised for each (the day's
  alerts removed before each timed run), and once more with the alerts in place (raising nothing new).

It fails unless every planted anomaly is found. The council is kept for the next run (``--rebuild`` makes it
again, ``--drop`` removes it at the end).
"""

import datetime
import platform
import statistics
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context
from psycopg import sql as psycopg_sql

from core.accounts.models import User
from core.audit.models import AuditAction, AuditEvent
from core.clients.models import Client
from core.directory.models import Agency, Practitioner
from core.governance.models import Alert, AlertKind
from core.governance.rules import Rules
from core.privacy.anomalies import anomalies_detect, anomalies_find, day_period
from demo.scale import council_generate_large
from onboarding.services.provisioning import council_create, council_provision
from tenants.jurisdictions import Jurisdiction
from tenants.models import Council
from tenants.services.schemas import council_schema_drop

SLUG = "bench-anomalies"
DAY = datetime.date(2026, 11, 18)  # a Wednesday; London keeps GMT in November
TIME_ZONE = "Europe/London"
PLANTED_DOMAIN = "planted.bench-anomalies.example"


def _timed(action: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


_DAY_SQL = """
CREATE TEMPORARY TABLE IF NOT EXISTS bench_people AS
    SELECT (row_number() OVER (ORDER BY user_id)) - 1 AS n, user_id FROM {practitioner};
CREATE TEMPORARY TABLE IF NOT EXISTS bench_clients AS
    SELECT (row_number() OVER (ORDER BY id)) - 1 AS n, id::text AS id FROM {client};
CREATE INDEX IF NOT EXISTS bench_people_n ON bench_people (n);
CREATE INDEX IF NOT EXISTS bench_clients_n ON bench_clients (n);
ANALYZE bench_people;
ANALYZE bench_clients;

-- Searches: through the working day, one or two hits (a tenth finding nobody), one in a hundred refused.
INSERT INTO {audit} (occurred_at, actor_id, council, action, outcome, object_type, object_id, related_ids, reason,
                     ip_address, user_agent, path)
SELECT r.at, p.user_id, %(schema)s, 'client_search', CASE WHEN r.refused THEN 'denied' ELSE 'success' END,
       CASE WHEN r.refused THEN '' ELSE 'client' END, '',
       CASE WHEN r.refused OR r.hits = 0 THEN ARRAY[]::varchar[]
            WHEN r.hits = 1 THEN ARRAY[c1.id]::varchar[]
            ELSE ARRAY[c1.id, c2.id]::varchar[] END,
       CASE WHEN r.refused THEN 'rate limit reached' ELSE 'by surname+dob; ' || r.hits || ' results' END,
       '10.20.0.1', 'Mozilla/5.0 (bench)', '/clients/search/'
FROM (
    SELECT %(start)s::timestamptz + interval '8 hours' + random() * interval '10 hours' AS at,
           floor(random() * %(people)s)::int AS pn,
           floor(random() * %(clients)s)::int AS c1n,
           floor(random() * %(clients)s)::int AS c2n,
           CASE WHEN random() < 0.1 THEN 0 WHEN random() < 0.5 THEN 1 ELSE 2 END AS hits,
           random() < 0.01 AS refused
    FROM generate_series(1, %(searches)s)
) r
JOIN bench_people p ON p.n = r.pn
JOIN bench_clients c1 ON c1.n = r.c1n
JOIN bench_clients c2 ON c2.n = r.c2n;

-- Team views: a third show a family member with the team.
INSERT INTO {audit} (occurred_at, actor_id, council, action, outcome, object_type, object_id, related_ids, reason,
                     ip_address, user_agent, path)
SELECT r.at, p.user_id, %(schema)s, 'client_viewed', 'success', 'client', c1.id,
       CASE WHEN r.family THEN ARRAY[c2.id]::varchar[] ELSE ARRAY[]::varchar[] END, '',
       '10.20.0.1', 'Mozilla/5.0 (bench)', '/clients/' || c1.id || '/'
FROM (
    SELECT %(start)s::timestamptz + interval '8 hours' + random() * interval '10 hours' AS at,
           floor(random() * %(people)s)::int AS pn,
           floor(random() * %(clients)s)::int AS c1n,
           floor(random() * %(clients)s)::int AS c2n,
           random() < 0.33 AS family
    FROM generate_series(1, %(views)s)
) r
JOIN bench_people p ON p.n = r.pn
JOIN bench_clients c1 ON c1.n = r.c1n
JOIN bench_clients c2 ON c2.n = r.c2n;

-- Teams joined, requests to join, and sign-ins.
INSERT INTO {audit} (occurred_at, actor_id, council, action, outcome, object_type, object_id, related_ids, reason,
                     ip_address, user_agent, path)
SELECT r.at, p.user_id, %(schema)s, r.action, 'success', CASE WHEN r.action = 'sign_in' THEN '' ELSE 'client' END,
       CASE WHEN r.action = 'sign_in' THEN '' ELSE c1.id END, ARRAY[]::varchar[],
       CASE WHEN r.action = 'sign_in' THEN '' ELSE 'Allocated at the team meeting' END,
       '10.20.0.1', 'Mozilla/5.0 (bench)', '/'
FROM (
    SELECT %(start)s::timestamptz + interval '8 hours' + random() * interval '10 hours' AS at,
           floor(random() * %(people)s)::int AS pn,
           floor(random() * %(clients)s)::int AS c1n,
           CASE WHEN g <= %(joins)s THEN 'involvement_started'
                WHEN g <= %(joins)s + %(requests)s THEN 'join_requested'
                ELSE 'sign_in' END AS action
    FROM generate_series(1, %(joins)s + %(requests)s + %(sign_ins)s) g
) r
JOIN bench_people p ON p.n = r.pn
JOIN bench_clients c1 ON c1.n = r.c1n;
"""


class Command(BaseCommand):
    help = "Time the privacy officer's anomaly job over a day of a large council's audit against a COUNT(*)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clients", type=int, default=300_000)
        parser.add_argument("--practitioners", type=int, default=2_000)
        parser.add_argument("--searches", type=int, default=40_000, help="Searches per day (default 40,000)")
        parser.add_argument("--views", type=int, default=30_000, help="Team views per day (default 30,000)")
        parser.add_argument("--repeat", type=int, default=3)
        parser.add_argument("--rebuild", action="store_true", help="Make the council again from nothing")
        parser.add_argument("--drop", action="store_true", help="Remove the council at the end")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rebuild"]:
            self._drop()
        council = Council.objects.filter(slug=SLUG).first()
        built = ""
        if council is None:
            council = council_create(name="Bench Anomalies Council", slug=SLUG, jurisdiction=Jurisdiction.ENGLAND)
            council_provision(council_id=council.pk)
        try:
            with schema_context(council.schema_name), timezone.override(TIME_ZONE):
                if not Client.objects.exists():
                    seconds, _ = _timed(lambda: self._generate(options))
                    built += f"council generated in {seconds:.0f} s; "
                start, end = day_period(DAY, TIME_ZONE)
                if not AuditEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end).exists():
                    seconds, _ = _timed(lambda: self._audit(options))
                    built += f"audit written in {seconds:.0f} s; "
                else:
                    built += "council and audit reused; "
                self._measure(options, built=built)
        finally:
            connection.set_schema_to_public()
            if options["drop"]:
                self._drop()

    # Building ---------------------------------------------------------------------------------------------

    def _generate(self, options: dict[str, Any]) -> None:
        self.stdout.write(f"Generating {options['clients']:,} clients and {options['practitioners']:,} practitioners…")
        council_generate_large(
            clients=options["clients"],
            practitioners=options["practitioners"],
            involvements=options["clients"],
            families=options["clients"] // 10,
            seed=11,
        )

    def _audit(self, options: dict[str, Any]) -> None:
        self.stdout.write("Writing three days of audit trail…")
        sql = _DAY_SQL.format(
            audit=AuditEvent._meta.db_table, practitioner=Practitioner._meta.db_table, client=Client._meta.db_table
        )
        people = Practitioner.objects.count()
        clients = Client.objects.count()
        with transaction.atomic(), connection.cursor() as cursor:
            for offset in (-1, 0, 1):
                start, _ = day_period(DAY + datetime.timedelta(days=offset), TIME_ZONE)
                params = {
                    "schema": connection.schema_name,
                    "start": start,
                    "people": people,
                    "clients": clients,
                    "searches": options["searches"],
                    "views": options["views"],
                    "joins": options["practitioners"] * 3,
                    "requests": options["practitioners"],
                    "sign_ins": options["practitioners"] * 2,
                }
                for statement in (part.strip() for part in sql.split(";\n")):
                    if statement:
                        cursor.execute(statement, params if "%(" in statement else None)
            self._plant()
        with connection.cursor() as cursor:
            # Every table, not only the audit trail: the own-surname check joins the clients, and a planner
            # without their statistics chooses badly. (The benchmark's database is its own.)
            cursor.execute("VACUUM ANALYZE")

    def _plant(self) -> None:
        """Practitioners whose day must raise an alert (they are not among those the generated rows use)."""
        agency = Agency.objects.order_by("name").first()
        namesake_client = Client.objects.order_by("id").first()
        people = {}
        for key, surname in (
            ("burst", "Burstall"),
            ("night", "Nightingale"),
            ("many", "Manyweather"),
            ("idle", "Idlewood"),
            ("namesake", namesake_client.surname),
        ):
            user = User(email=f"{key}@{PLANTED_DOMAIN}", first_name="Planted", last_name=surname)
            user.set_unusable_password()
            user.save()
            people[key] = Practitioner.objects.create(
                user=user, agency=agency, job_title="Family support worker", verified_at=timezone.now()
            )
        start, _ = day_period(DAY, TIME_ZONE)
        clients = list(Client.objects.order_by("id").values_list("id", flat=True)[1:60])

        def search(who: str, at: datetime.datetime, hits: list[object]) -> AuditEvent:
            return AuditEvent(
                actor_id=people[who].user_id,
                council=connection.schema_name,
                action=AuditAction.CLIENT_SEARCH,
                outcome="success",
                object_type="client",
                related_ids=[str(hit) for hit in hits],
                occurred_at=at,
            )

        events = [
            search("burst", start + datetime.timedelta(hours=10, seconds=10 * n), clients[n : n + 1]) for n in range(25)
        ]
        events.append(
            AuditEvent(
                actor_id=people["burst"].user_id,
                council=connection.schema_name,
                action=AuditAction.INVOLVEMENT_STARTED,
                outcome="success",
                object_type="client",
                object_id=str(clients[0]),
                occurred_at=start + datetime.timedelta(hours=11),
            )
        )
        events += [search("night", start + datetime.timedelta(hours=23, minutes=5 * n), clients[:1]) for n in range(4)]
        events += [
            AuditEvent(
                actor_id=people["many"].user_id,
                council=connection.schema_name,
                action=AuditAction.CLIENT_VIEWED,
                outcome="success",
                object_type="client",
                object_id=str(client),
                occurred_at=start + datetime.timedelta(hours=9, minutes=n),
            )
            for n, client in enumerate(clients[:40])
        ]
        events += [search("idle", start + datetime.timedelta(hours=9, minutes=15 * n), clients[:2]) for n in range(30)]
        events.append(search("namesake", start + datetime.timedelta(hours=14), [namesake_client.pk]))
        AuditEvent.objects.bulk_create(events)

    # Measuring --------------------------------------------------------------------------------------------

    def _measure(self, options: dict[str, Any], *, built: str) -> None:
        repeat = max(1, options["repeat"])
        rules = Rules()
        start, end = day_period(DAY, TIME_ZONE)
        reference = psycopg_sql.SQL("SELECT count(*) FROM {} WHERE occurred_at >= %s AND occurred_at < %s").format(
            psycopg_sql.Identifier(AuditEvent._meta.db_table)
        )

        def count() -> int:
            with connection.cursor() as cursor:
                cursor.execute(reference, [start, end])
                return cursor.fetchone()[0]

        def find() -> list[Any]:
            return anomalies_find(period_start=start, period_end=end, rules=rules, time_zone=TIME_ZONE)

        def detect() -> list[Alert]:
            return anomalies_detect(period_start=start, period_end=end, rules=rules, time_zone=TIME_ZONE)

        count(), find()  # warm: the same pages in the cache for both
        counts = [_timed(count) for _ in range(repeat)]
        finds = [_timed(find) for _ in range(repeat)]
        detects = []
        for _ in range(repeat):
            Alert.objects.filter(period_start=start).delete()
            detects.append(_timed(detect))
        again_time, again = _timed(detect)
        rows = counts[0][1]
        candidates = finds[0][1]
        self._check(candidates, raised=detects[-1][1], again=again)

        total = AuditEvent.objects.count()
        by_kind = {kind.label: sum(1 for c in candidates if c.kind == kind) for kind in AlertKind}
        count_median = statistics.median(seconds for seconds, _ in counts)
        find_median = statistics.median(seconds for seconds, _ in finds)
        detect_median = statistics.median(seconds for seconds, _ in detects)
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        self.stdout.write(
            f"Machine: {platform.machine()}, Python {platform.python_version()}, PostgreSQL {version} on "
            f"{settings.DATABASES['default']['HOST'] or 'local'}; {built}"
            f"{Client.objects.count():,} clients, {Practitioner.objects.count():,} practitioners, {total:,} audit rows "
            f"in all, {rows:,} on {DAY.isoformat()} ({TIME_ZONE}); medians of {repeat}"
        )
        lines = [
            (f"`SELECT count(*)` over the day's {rows:,} audit rows (reference)", count_median),
            (f"`anomalies_find`: every candidate of the day ({len(candidates)})", find_median),
            (f"`anomalies_detect`: the candidates and {len(detects[-1][1])} alerts raised", detect_median),
            ("`anomalies_detect` again: nothing new raised", again_time),
        ]
        self.stdout.write("| Measure | Time | Ratio to the count |")
        self.stdout.write("|---|---|---|")
        for label, seconds in lines:
            self.stdout.write(f"| {label} | {seconds * 1000:.0f} ms | {seconds / count_median:.1f}× |")
        self.stdout.write("Candidates by kind: " + ", ".join(f"{label} {n}" for label, n in by_kind.items()))
        self.stdout.flush()

    def _check(self, candidates: list[Any], *, raised: list[Alert], again: list[Alert]) -> None:
        planted = {
            person.user.email.split("@")[0]: person.pk
            for person in Practitioner.objects.filter(user__email__endswith=f"@{PLANTED_DOMAIN}").select_related("user")
        }
        expected = {
            (AlertKind.BURST, planted["burst"]),
            (AlertKind.OUT_OF_HOURS, planted["night"]),
            (AlertKind.MANY_CLIENTS, planted["many"]),
            (AlertKind.SEARCHES_WITHOUT_INVOLVEMENT, planted["idle"]),
            (AlertKind.OWN_SURNAME, planted["namesake"]),
        }
        found = {(candidate.kind, candidate.practitioner_id) for candidate in candidates}
        missing = expected - found
        if missing:
            raise CommandError(f"The job missed planted anomalies: {sorted(missing)}")
        if {(alert.kind, alert.practitioner_id) for alert in raised} != found:
            raise CommandError("The alerts raised are not the candidates found")
        if again:
            raise CommandError(f"Running the day again raised {len(again)} alerts")

    def _drop(self) -> None:
        for council in Council.objects.filter(slug=SLUG):
            council_schema_drop(council=council)
            council.delete()
