"""Benchmark: finding a client and the team page, through Django, against the same SQL run directly.

    manage.py bench_clients <council-slug> [--samples 200]

Run against a council built by ``council_generate_large`` (300,000 clients). Each search is a real
POST to /clients/search/ through the whole middleware stack (host routing, sessions, two-factor
check, CSRF off as for an API client, audit write, rendering), signed in as a practitioner of the
council; the reference is the search's own SQL executed directly on the same connection. The team
page is a real GET of /clients/<id>/; its query count is reported for teams of different sizes.

Every timed request must have done its work, or the command fails: a search answered 200 with the client
it looked for among its hits (not a refused form, not "too many results") and wrote its audit row; a team
page answered 200 with the viewer's own name among the members and wrote its audit row. The search rate
limits are for people, not for a benchmark: their counters are cleared between searches, outside the timing.
"""

import random
import statistics
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.models import Count, Q
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape
from django_tenants.utils import schema_context

from core.accounts.models import BackupCode, BackupCodeDevice, backup_code_digest
from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.clients.models import Client, Involvement
from core.clients.recorded import search_hour_keys, search_rate_key
from core.clients.selectors import SearchCriteria, client_search_rows
from tenants.models import Council

BENCH_CODE = "benchcode"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def searched_for(response: Any, client: Client) -> None:
    """The search did its work: 200, and the client it looked for is among the hits."""
    if response.status_code != 200:
        raise CommandError(f"Search answered {response.status_code}")
    page = response.content.decode()
    if "There is a problem" in page:
        raise CommandError("The search form was refused: the benchmark measured no search")
    if escape(f"{client.first_name} {client.surname}") not in page:
        raise CommandError(f"The search did not find {client.pk}: it returned no such hit")


def team_shown(response: Any, client: Client, practitioner: Any) -> None:
    """The team page did its work: 200, with the viewer among the members."""
    if response.status_code != 200:
        raise CommandError(f"Team page answered {response.status_code}")
    if escape(practitioner.user.full_name) not in response.content.decode():
        raise CommandError(f"The team page of {client.pk} did not show its members")


class Command(BaseCommand):
    help = "Time client search and the team page through Django against their raw SQL (docs/benchmarks.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--samples", type=int, default=200)
        parser.add_argument("--seed", type=int, default=11)

    def handle(self, *args: Any, **options: Any) -> None:
        council = Council.objects.filter(slug=options["slug"]).first()
        if council is None:
            raise CommandError(f"No council {options['slug']!r}: build one with council_generate_large.")
        settings.DEBUG = False  # no query logging overhead in the timed requests
        rng = random.Random(options["seed"])  # noqa: S311 - sampling, not security
        host = council.domains.get(is_primary=True).domain
        with schema_context(council.schema_name):
            sample = self._sample(rng, options["samples"])
            clients_total = Client.objects.count()
        self.stdout.write(f"{council.name}: {clients_total:,} clients; {len(sample)} samples")
        search = self._bench_search(host, council, sample)
        team = self._bench_team(host, council, sample)
        self._print(search, team)

    def _sample(self, rng: random.Random, samples: int) -> list[tuple[Client, Involvement]]:
        ids = list(
            Client.objects.filter(date_of_birth__isnull=False, involvements__ended_on__isnull=True)
            .values_list("pk", flat=True)
            .distinct()[:20000]
        )
        chosen = rng.sample(ids, min(samples, len(ids)))
        result = []
        for client in Client.objects.filter(pk__in=chosen):
            involvement = (
                Involvement.objects.filter(
                    client=client, ended_on__isnull=True, practitioner__agency__is_sensitive=False
                )
                .select_related("practitioner__user")
                .first()
            )
            if involvement:
                result.append((client, involvement))
        return result

    def _signed_in(self, host: str, council: Council, practitioner: Any) -> HttpClient:
        with schema_context(council.schema_name):
            user = practitioner.user
            device, _ = BackupCodeDevice.objects.get_or_create(user=user, name="Benchmark")
            BackupCode.objects.create(device=device, digest=backup_code_digest(device_id=device.pk, code=BENCH_CODE))
            user.set_password(BENCH_CODE + "-password")
            user.save(update_fields=["password"])
        http = HttpClient(HTTP_HOST=host)
        http.post("/sign-in/", {"email": user.email, "password": BENCH_CODE + "-password"})
        response = http.post("/sign-in/code/", {"code": BENCH_CODE})
        if response.status_code != 302:
            raise CommandError("Could not sign in the benchmark practitioner.")
        return http

    def _bench_search(self, host: str, council: Council, sample: list[tuple[Client, Involvement]]) -> dict:
        viewer = sample[0][1].practitioner
        http = self._signed_in(host, council, viewer)
        with schema_context(council.schema_name):
            audited_before = AuditEvent.objects.filter(
                action=AuditAction.CLIENT_SEARCH, outcome=AuditOutcome.SUCCESS, actor_id=viewer.user_id
            ).count()
        through_django, raw = [], []
        for client, _ in sample:
            dob = client.date_of_birth
            form = {
                "surname": client.surname,
                "date_of_birth_day": dob.day,
                "date_of_birth_month": dob.month,
                "date_of_birth_year": dob.year,
            }
            with schema_context(council.schema_name):  # the limits count people's searches, not this loop's
                cache.delete_many([search_rate_key(viewer), *search_hour_keys(viewer, now=time.time())])
            start = time.perf_counter()
            response = http.post("/clients/search/", form)
            through_django.append(time.perf_counter() - start)
            searched_for(response, client)
            with schema_context(council.schema_name):
                query = client_search_rows(
                    viewer=viewer, criteria=SearchCriteria(surname=client.surname, date_of_birth=dob)
                )
                sql, params = query.query.sql_with_params()
                with connection.cursor() as cursor:
                    start = time.perf_counter()
                    cursor.execute(sql, params)
                    cursor.fetchall()
                    raw.append(time.perf_counter() - start)
        with schema_context(council.schema_name):
            audited = AuditEvent.objects.filter(
                action=AuditAction.CLIENT_SEARCH, outcome=AuditOutcome.SUCCESS, actor_id=viewer.user_id
            ).count()
        if audited - audited_before != len(sample):
            raise CommandError(f"{len(sample)} searches timed but {audited - audited_before} audited")
        return {"django": through_django, "raw": raw}

    def _bench_team(self, host: str, council: Council, sample: list[tuple[Client, Involvement]]) -> dict:
        times, counts = [], {}
        sessions: dict[Any, HttpClient] = {}
        for client, involvement in sample[:100]:
            practitioner = involvement.practitioner
            http = sessions.get(practitioner.pk) or self._signed_in(host, council, practitioner)
            sessions[practitioner.pk] = http
            start = time.perf_counter()
            response = http.get(f"/clients/{client.pk}/")
            times.append(time.perf_counter() - start)
            team_shown(response, client, practitioner)
        with schema_context(council.schema_name):
            viewed = AuditEvent.objects.filter(
                action=AuditAction.CLIENT_VIEWED,
                outcome=AuditOutcome.SUCCESS,
                object_id__in=[str(client.pk) for client, _ in sample[:100]],
            ).count()
        if viewed < len(times):
            raise CommandError(f"{len(times)} team pages timed but only {viewed} views audited")
        with schema_context(council.schema_name):
            sized = (
                Client.objects.annotate(size=Count("involvements", filter=Q(involvements__ended_on__isnull=True)))
                .filter(size__gte=1)
                .values_list("pk", "size")
            )
            by_size: dict[int, Any] = {}
            for pk, size in sized.iterator():
                bucket = next((b for b in (1, 5, 10, 25, 50) if size <= b), 50)
                by_size.setdefault(bucket, pk)
                if len(by_size) == 5:
                    break
        for _bucket, client_id in sorted(by_size.items()):
            with schema_context(council.schema_name):
                involvement = (
                    Involvement.objects.filter(client_id=client_id, ended_on__isnull=True)
                    .select_related("practitioner__user")
                    .first()
                )
                size = Involvement.objects.filter(client_id=client_id, ended_on__isnull=True).count()
            http = sessions.get(involvement.practitioner.pk) or self._signed_in(host, council, involvement.practitioner)
            with CaptureQueriesContext(connection) as queries:
                http.get(f"/clients/{client_id}/")
            counts[size] = len(queries.captured_queries)
        return {"times": times, "counts": counts}

    def _print(self, search: dict, team: dict) -> None:
        ms = 1000
        django_p50, django_p95 = statistics.median(search["django"]), percentile(search["django"], 0.95)
        raw_p50, raw_p95 = statistics.median(search["raw"]), percentile(search["raw"], 0.95)
        write = self.stdout.write
        write("| Measure | p50 | p95 | Ratio (p95) |")
        write("|---|---|---|---|")
        write(f"| Search SQL run directly (reference) | {raw_p50 * ms:.1f} ms | {raw_p95 * ms:.1f} ms | 1.00 |")
        write(
            f"| Search, full request through Django | {django_p50 * ms:.1f} ms | {django_p95 * ms:.1f} ms | "
            f"{django_p95 / raw_p95:.2f}× |"
        )
        times = team["times"]
        write(
            f"| Team page, full request through Django | {statistics.median(times) * ms:.1f} ms | "
            f"{percentile(times, 0.95) * ms:.1f} ms | — |"
        )
        write("")
        write("| Team size (current members) | SQL queries for the whole page |")
        write("|---|---|")
        for size, count in sorted(team["counts"].items()):
            write(f"| {size} | {count} |")
        self.stdout.flush()
