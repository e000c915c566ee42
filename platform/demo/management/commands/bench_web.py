"""Benchmark: PERFORMANCE.md's request ratios, through gunicorn with the production settings (docs/benchmarks.md).

    manage.py council_generate_large staffordshire-large     # once: 300,000 clients, 20,000 practitioners
    manage.py bench_web staffordshire-large                  # the whole table, timed
    manage.py bench_web --small                              # CI: builds a 30,000-client council, asserts the
                                                             # work and the statement counts, never the times

It starts ``gunicorn config.wsgi -c infra/gunicorn.conf.py`` with ``config.settings.production`` on a free loopback
port (static files collected into a temporary directory; the cache and the broker on the Redis URLs given) and
drives it over HTTP from this process, signed in as practitioners of the council through the sign-in pages
(password, then a backup code). Each measure is a ratio to a reference measured in the same run, A and B
interleaved:

- search (POST /clients/search/, surname + date of birth) ÷ the same SQL (``client_search_rows``) with its round
  trip, on a fresh psycopg connection as the application role;
- round trips of a signed-in page: GET /api/v1/me/ through a second gunicorn (one worker, one thread) whose
  database connection runs through a relay that counts what PostgreSQL receives (demo/bench_web.py), minus the
  page's own statements (those issued from inside its view, counted in this process with Django's test client);
- the team page (GET /clients/<id>/, teams of 1 to 50): p95, and its round trips for each team size, counted the
  same way; its throughput with several client threads ÷ that of GET /api/v1/me/;
- tenant overhead: GET /accessibility/ (public, on both sites, no database work of its own) on the council's host ÷
  on the platform's host.

Every timed request must have done its work, or the command fails: a search answered 200 with the client it
looked for among its hits and wrote its CLIENT_SEARCH audit row; a team page answered 200 with the viewer among
its members and wrote its CLIENT_VIEWED row (the audit counts are checked after each batch, outside the timing).
Preparation is outside the timing: the sampled practitioners get a known password and backup codes (the
generator's accounts have unusable ones), and the search rate limits' counters are cleared before each search.
"""

import datetime
import itertools
import json
import os
import platform
import random
import shlex
import statistics
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core.cache.backends.redis import RedisCache
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.models import Count
from django.test import Client as TestClient
from django.test.utils import override_settings
from django.urls import resolve
from django_tenants.utils import schema_context
from psycopg import sql

from core.accounts.models import BackupCode, BackupCodeDevice, User, backup_code_digest
from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.clients.models import Client, FamilyMember, Involvement
from core.clients.recorded import search_hour_keys, search_rate_key
from core.clients.selectors import SearchCriteria, client_search_rows
from core.directory.models import ApprovalState, Practitioner
from demo.bench_summary import TargetRow, summary_write
from demo.bench_web import (
    SESSION_COOKIE,
    Answer,
    BenchFailed,
    Browser,
    WireCounter,
    collect_static,
    database_url,
    gunicorn,
    page_text,
    percentile,
    production_environment,
    temporary_var_dir,
)
from tenants.models import Council

PASSWORD = "bench-web-password"  # noqa: S105 - fabricated accounts of a benchmark council
CODE = "benchweb"
TRIVIAL_PAGE = "/api/v1/me/"
PUBLIC_PAGE = "/accessibility/"
TEAM_BUCKETS = (1, 5, 10, 25, 50)  # a team of up to this many current members
SMALL = {"clients": 30_000, "practitioners": 2_000, "involvements": 100_000, "families": 6_000}
SMALL_SLUG = "bench-web-small"
TEAM_STATEMENTS_TARGET = 8
OVERHEAD_TARGET = 5
MS = 1000


@dataclass
class Viewer:
    practitioner: Practitioner
    email: str
    name: str


@dataclass
class Row:
    measure: str
    p50: str
    p95: str
    ratio: str
    target: str
    met: bool | None  # None: not judged (a reference, or --small)


def _ms(value: float) -> str:
    return f"{value * MS:.1f} ms"


class Command(BaseCommand):
    help = "PERFORMANCE.md's request ratios through gunicorn with the production settings (docs/benchmarks.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", nargs="?", help="A council built by council_generate_large")
        parser.add_argument(
            "--small",
            action="store_true",
            help=f"CI: build (or reuse) {SMALL_SLUG}, 30,000 clients; assert work and statement counts, not times",
        )
        parser.add_argument("--report-only", action="store_true", help="Print the counts without failing on them")
        parser.add_argument("--searches", type=int, default=200, help="Timed searches (and as many raw queries)")
        parser.add_argument("--teams", type=int, default=8, help="Team pages sampled per team-size bucket")
        parser.add_argument("--rounds", type=int, default=3, help="Times each sampled team page is timed")
        parser.add_argument("--public", type=int, default=300, help="Requests per host for the tenant overhead")
        parser.add_argument("--threads", type=int, default=4, help="Client threads for the throughput")
        parser.add_argument("--seconds", type=float, default=5.0, help="Length of each throughput phase")
        parser.add_argument("--phases", type=int, default=2, help="Throughput phases of each page (ABAB…)")
        parser.add_argument("--workers", type=int, help="gunicorn workers (default: infra/gunicorn.conf.py's)")
        parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/13")
        parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/14")
        parser.add_argument("--seed", type=int, default=11)
        parser.add_argument("--summary", help="Also write the judged rows (PERFORMANCE.md's) to this JSON file")

    def handle(self, *args: Any, **options: Any) -> None:
        self.options = options
        self.small = options["small"]
        if self.small:
            for name, value in (("searches", 40), ("teams", 2), ("rounds", 1), ("public", 40), ("seconds", 1.0)):
                if options[name] == self.create_parser("", "bench_web").get_default(name):
                    options[name] = value
        council = self._council(options["slug"] or (SMALL_SLUG if self.small else None))
        self.council = council
        self.rng = random.Random(options["seed"])  # noqa: S311 - sampling, not security
        self.host = council.domains.get(is_primary=True).domain
        suffix = f"{council.slug}."
        if not self.host.startswith(suffix):
            raise CommandError(f"The council's host {self.host} is not <slug>.<platform domain>.")
        self.platform_host = self.host[len(suffix) :]
        # The server's cache (settings/production.py), to clear the search limits' counters between searches.
        self.cache_settings = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": options["cache_url"],
            "KEY_FUNCTION": "django_tenants.cache.make_key",
            "KEY_PREFIX": "patchwork",
        }
        self.cache = RedisCache(options["cache_url"], self.cache_settings)
        self.load_before = os.getloadavg()[0]  # a shared machine: say how busy it was
        started = time.monotonic()
        self._prepare()
        self.stdout.write(f"Prepared in {time.monotonic() - started:.1f} s.")
        try:
            rows, notes, failures = self._run()
        except BenchFailed as exc:
            raise CommandError(str(exc)) from exc
        self._print(rows, notes)
        summary_write(
            options["summary"],
            [
                TargetRow(row.measure, " · ".join(p for p in (row.p50, row.p95, row.ratio) if p), row.target, row.met)
                for row in rows
                if row.met is not None
            ],
        )
        if failures and self.small:
            message = "Targets not met:\n  " + "\n  ".join(failures)
            if options["report_only"]:
                self.stdout.write(f"\n(--report-only) {message}")
            else:
                raise CommandError(message)

    # Council and samples (outside the timing) -----------------------------------------------------------------

    def _council(self, slug: str | None) -> Council:
        if slug is None:
            raise CommandError("Name a council (built by council_generate_large), or use --small.")
        council = Council.objects.filter(slug=slug).first()
        empty = council is None
        if council is not None:
            with schema_context(council.schema_name):
                empty = not Client.objects.exists()
        if empty:
            if not self.small:
                raise CommandError(f"No council {slug!r} with clients: build it with council_generate_large {slug}.")
            started = time.monotonic()
            arguments = [f"--{name}={value}" for name, value in SMALL.items()]
            call_command("council_generate_large", slug, *arguments, stdout=self.stdout)
            self.stdout.write(f"Generated {slug} in {time.monotonic() - started:.1f} s.")
            council = Council.objects.get(slug=slug)
        return council

    def _prepare(self) -> None:
        options = self.options
        with schema_context(self.council.schema_name):
            self.clients_total = Client.objects.count()
            eligible = Involvement.objects.filter(
                ended_on__isnull=True,
                practitioner__agency__is_sensitive=False,
                practitioner__agency__approval_state=ApprovalState.APPROVED,
                practitioner__verified_at__isnull=False,
                practitioner__user__is_active=True,
            )
            # The team pages: clients in each team-size bucket, each seen by a member of its team.
            sizes: dict[int, list[Any]] = {bucket: [] for bucket in TEAM_BUCKETS}
            current = Involvement.objects.filter(ended_on__isnull=True).values("client_id").annotate(n=Count("pk"))
            for row in current.iterator(chunk_size=20_000):
                bucket = next(b for b in TEAM_BUCKETS if row["n"] <= b or b == TEAM_BUCKETS[-1])
                sizes[bucket].append((row["client_id"], row["n"]))
            # Half of each bucket in a family (their page shows the family's members and teams too), half not.
            families = set(FamilyMember.objects.values_list("client_id", flat=True))
            self.in_family: set[Any] = set()
            self.teams: list[tuple[Any, int, Viewer]] = []
            for bucket in TEAM_BUCKETS:
                candidates = sizes[bucket]
                self.rng.shuffle(candidates)
                apart = [c for c in candidates if c[0] not in families][:100]
                together = [c for c in candidates if c[0] in families][:100]
                taken = 0
                for client_id, size in (c for pair in itertools.zip_longest(apart, together) for c in pair if c):
                    involvement = eligible.filter(client_id=client_id).select_related("practitioner__user").first()
                    if involvement is not None:
                        self.teams.append((client_id, size, self._viewer(involvement.practitioner)))
                        if client_id in families:
                            self.in_family.add(client_id)
                        taken += 1
                    if taken == options["teams"]:
                        break
            # The searches: clients with a date of birth, found by one of a few searching practitioners.
            ids = list(Client.objects.filter(date_of_birth__isnull=False).values_list("pk", flat=True))
            chosen = self.rng.sample(ids, min(options["searches"] + 10, len(ids)))
            self.search_clients = list(Client.objects.filter(pk__in=chosen).order_by("?"))
            searchers = {viewer.practitioner.pk: viewer for _, _, viewer in self.teams}
            self.searchers = list(searchers.values())[:4]
            viewers = {viewer.practitioner.pk: viewer for _, _, viewer in self.teams}
            self._credentials([viewer.practitioner.user_id for viewer in viewers.values()])
        if not self.teams or not self.searchers:
            raise CommandError("No practitioner with a current involvement in a non-sensitive agency to sign in as.")

    @staticmethod
    def _viewer(practitioner: Practitioner) -> Viewer:
        return Viewer(practitioner, practitioner.user.email, practitioner.user.full_name)

    def _credentials(self, user_ids: list[Any]) -> None:
        """A known password (hashed once, as production hashes: argon2, whatever this process's hashers) and a
        backup code for each sign-in."""
        hasher = Argon2PasswordHasher()
        User.objects.filter(pk__in=user_ids).update(password=hasher.encode(PASSWORD, hasher.salt()))
        for user_id in user_ids:
            device, _ = BackupCodeDevice.objects.get_or_create(
                user_id=user_id, name="Benchmark", defaults={"confirmed": True}
            )
            digest = backup_code_digest(device_id=device.pk, code=CODE)
            BackupCode.objects.bulk_create(BackupCode(device=device, digest=digest) for _ in range(2))

    # The run -------------------------------------------------------------------------------------------------

    def _run(self) -> tuple[list[Row], list[str], list[str]]:
        rows: list[Row] = []
        notes: list[str] = []
        failures: list[str] = []
        database = settings.DATABASES["default"]
        with temporary_var_dir() as var_dir:
            env = production_environment(
                # This process's own key: the backup codes' digests are keyed with it, and the in-process count
                # of the trivial page's own statements reuses a session the server signed.
                secret_key=settings.SECRET_KEY,
                database_url=database_url(database),
                cache_url=self.options["cache_url"],
                broker_url=self.options["broker_url"],
                platform_domain=self.platform_host,
                var_dir=var_dir,
            )
            collect_static(env)
            with gunicorn(env, workers=self.options["workers"]) as port:
                self.port = port
                browsers = self._sign_in_all(port)
                self._warm(browsers)
                rows += self._search(browsers)
                rows += self._team_latency(browsers)
                rows += self._throughput(browsers)
                rows += self._tenant_overhead(port)
            counter = WireCounter(database["HOST"] or "127.0.0.1", int(database["PORT"] or 5432))
            try:
                env["DATABASE_URL"] = database_url(database, host="127.0.0.1", port=counter.port)
                with gunicorn(env, workers=1, threads=1) as port:
                    count_rows, count_notes, count_failures = self._round_trips(port, counter, browsers)
            finally:
                counter.close()
        return rows + count_rows, notes + count_notes, failures + count_failures

    def _sign_in_all(self, port: int) -> dict[Any, Browser]:
        browsers: dict[Any, Browser] = {}
        for viewer in [viewer for _, _, viewer in self.teams]:
            if viewer.practitioner.pk not in browsers:
                browser = Browser(port, self.host)
                browser.sign_in(email=viewer.email, password=PASSWORD, code=CODE)
                browsers[viewer.practitioner.pk] = browser
        return browsers

    def _warm(self, browsers: dict[Any, Browser]) -> None:
        """Every worker's connections and templates warm before anything is timed."""
        for browser in browsers.values():
            self._expect(browser.get(TRIVIAL_PAGE), 200, TRIVIAL_PAGE)
        for client_id, _, viewer in self.teams:
            self._team_page(browsers[viewer.practitioner.pk], client_id, viewer)

    @staticmethod
    def _expect(answer: Answer, status: int, what: str) -> Answer:
        if answer.status != status:
            raise BenchFailed(f"{what} answered {answer.status}, not {status}: {answer.body[:300]!r}")
        return answer

    def _team_page(self, browser: Browser, client_id: Any, viewer: Viewer) -> None:
        answer = self._expect(browser.get(f"/clients/{client_id}/"), 200, f"The team page of {client_id}")
        if viewer.name not in page_text(answer):
            raise BenchFailed(f"The team page of {client_id} did not show its member {viewer.name}")

    def _audited(self, action: str, since: int) -> tuple[int, int]:
        """How many successful ``action`` rows the council's audit trail has gained since id ``since``."""
        with schema_context(self.council.schema_name):
            events = AuditEvent.objects.filter(pk__gt=since)
            last = events.order_by("-pk").values_list("pk", flat=True).first() or since
            return events.filter(action=action, outcome=AuditOutcome.SUCCESS).count(), last

    def _audit_mark(self) -> int:
        with schema_context(self.council.schema_name):
            return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    # Search ---------------------------------------------------------------------------------------------------

    def _search(self, browsers: dict[Any, Browser]) -> list[Row]:
        schema = self.council.schema_name
        raw = psycopg.connect(
            database_url(settings.DATABASES["default"]),
            autocommit=True,
            cursor_factory=psycopg.ClientCursor,  # as Django sends it: parameters bound in the client
        )
        raw.execute(sql.SQL("SET search_path = {}, public").format(sql.Identifier(schema)))
        through_web: list[float] = []
        direct: list[float] = []
        batch = 50
        mark = self._audit_mark()
        warm = 5
        searched = self.search_clients[: self.options["searches"] + warm]
        for index, client in enumerate(searched):
            viewer = self.searchers[index % len(self.searchers)]
            browser = browsers[viewer.practitioner.pk]
            dob = client.date_of_birth
            form = {
                "surname": client.surname,
                "date_of_birth_day": dob.day,
                "date_of_birth_month": dob.month,
                "date_of_birth_year": dob.year,
            }
            with schema_context(schema):  # the limits count people's searches, not this loop's
                self.cache.delete_many(
                    [search_rate_key(viewer.practitioner), *search_hour_keys(viewer.practitioner, now=time.time())]
                )
                statement, params = client_search_rows(
                    viewer=viewer.practitioner,
                    criteria=SearchCriteria(surname=client.surname, date_of_birth=dob),
                ).query.sql_with_params()
            start = time.perf_counter()
            answer = browser.post("/clients/search/", form)
            web = time.perf_counter() - start
            self._found(answer, client)
            start = time.perf_counter()
            rows = raw.execute(statement, params).fetchall()
            sql_time = time.perf_counter() - start
            if not rows:
                raise BenchFailed(f"The search SQL found nothing for {client.pk}")
            if index >= warm:
                through_web.append(web)
                direct.append(sql_time)
            done = index + 1
            if done % batch == 0 or done == len(searched):
                audited, mark = self._audited(AuditAction.CLIENT_SEARCH, mark)
                expected = done % batch or batch
                if audited != expected:
                    raise BenchFailed(f"{expected} searches answered but {audited} CLIENT_SEARCH rows audited")
        raw.close()
        self.search_times = through_web
        ref50, ref95 = statistics.median(direct), percentile(direct, 0.95)
        web50, web95 = statistics.median(through_web), percentile(through_web, 0.95)
        ratio = web95 / ref95
        return [
            Row("Search SQL with its round trip, run directly (reference)", _ms(ref50), _ms(ref95), "1.00", "—", None),
            Row(
                f"Search (POST /clients/search/, surname + date of birth, {len(through_web)} searches)",
                _ms(web50),
                _ms(web95),
                f"{ratio:.2f}× (p50 {web50 / ref50:.2f}×)",
                "p95 ≤ 3× (goal 2×); ≤ 50 ms",
                self._judged(ratio <= 3 and web95 <= 0.050),
            ),
        ]

    @staticmethod
    def _found(answer: Answer, client: Client) -> None:
        if answer.status != 200:
            raise BenchFailed(f"The search answered {answer.status}")
        text = page_text(answer)
        if "There is a problem" in text:
            raise BenchFailed("The search form was refused: the benchmark measured no search")
        if f"{client.first_name} {client.surname}" not in text:
            raise BenchFailed(f"The search did not find {client.pk} among its hits")

    def _judged(self, met: bool) -> bool | None:
        return None if self.small else met

    # Team page --------------------------------------------------------------------------------------------------

    def _team_latency(self, browsers: dict[Any, Browser]) -> list[Row]:
        times: list[float] = []
        mark = self._audit_mark()
        for _ in range(self.options["rounds"]):
            for client_id, _size, viewer in self.teams:
                browser = browsers[viewer.practitioner.pk]
                start = time.perf_counter()
                answer = browser.get(f"/clients/{client_id}/")
                times.append(time.perf_counter() - start)
                if answer.status != 200 or viewer.name not in page_text(answer):
                    raise BenchFailed(f"The team page of {client_id} answered {answer.status} without its members")
        audited, _ = self._audited(AuditAction.CLIENT_VIEWED, mark)
        if audited != len(times):
            raise BenchFailed(f"{len(times)} team pages answered but {audited} CLIENT_VIEWED rows audited")
        sizes = sorted({size for _, size, _ in self.teams})
        p50, p95 = statistics.median(times), percentile(times, 0.95)
        return [
            Row(
                f"Team page (GET /clients/<id>/, {len(self.teams)} teams of {sizes[0]}–{sizes[-1]}, "
                f"{len(times)} views)",
                _ms(p50),
                _ms(p95),
                "—",
                "p95 ≤ 60 ms",
                self._judged(p95 <= 0.060),
            )
        ]

    def _throughput(self, browsers: dict[Any, Browser]) -> list[Row]:
        """Requests/s with several client threads, the team page and the trivial page in turn (ABAB…)."""
        threads = self.options["threads"]
        # Each thread its own connections: one per team it views, each with that viewer's session.
        assignments = [
            [
                (Browser(self.port, self.host, dict(browsers[viewer.practitioner.pk].cookies)), client_id, viewer)
                for client_id, _, viewer in self.teams[t::threads]
            ]
            for t in range(threads)
        ]
        rates: dict[str, list[float]] = {"team": [], "trivial": []}
        latencies: dict[str, list[float]] = {"team": [], "trivial": []}
        for _phase in range(self.options["phases"]):
            for kind in ("team", "trivial"):
                mark = self._audit_mark()
                done, elapsed, times = self._phase(kind, assignments)
                rates[kind].append(done / elapsed)
                latencies[kind] += times
                if kind == "team":
                    audited, _ = self._audited(AuditAction.CLIENT_VIEWED, mark)
                    if audited != done:
                        raise BenchFailed(f"{done} team pages answered but {audited} CLIENT_VIEWED rows audited")
        for pairs in assignments:
            for browser, _, _ in pairs:
                browser.close()
        team, trivial = statistics.median(rates["team"]), statistics.median(rates["trivial"])
        ratio = team / trivial
        label = f"{threads} client threads, {self.options['phases']}×{self.options['seconds']:g} s each"
        return [
            Row(
                f"Trivial signed-in page (GET {TRIVIAL_PAGE}) throughput, {label} (reference)",
                _ms(statistics.median(latencies["trivial"])),
                _ms(percentile(latencies["trivial"], 0.95)),
                f"{trivial:.0f} req/s",
                "—",
                None,
            ),
            Row(
                f"Team page throughput, {label}",
                _ms(statistics.median(latencies["team"])),
                _ms(percentile(latencies["team"], 0.95)),
                f"{team:.0f} req/s = {ratio:.2f}×",
                "≥ 0.5×",
                self._judged(ratio >= 0.5),
            ),
        ]

    def _phase(self, kind: str, assignments: list[list[tuple[Browser, Any, Viewer]]]) -> tuple[int, float, list]:
        seconds = self.options["seconds"]
        counts = [0] * len(assignments)
        times: list[list[float]] = [[] for _ in assignments]
        errors: list[str] = []

        def work(index: int) -> None:
            pairs = assignments[index]
            barrier.wait()
            end = time.perf_counter() + seconds
            turn = 0
            try:
                while time.perf_counter() < end and not errors:
                    browser, client_id, viewer = pairs[turn % len(pairs)]
                    turn += 1
                    start = time.perf_counter()
                    if kind == "team":
                        answer = browser.get(f"/clients/{client_id}/")
                        ok = answer.status == 200 and viewer.name in page_text(answer)
                    else:
                        answer = browser.get(TRIVIAL_PAGE)
                        ok = answer.status == 200 and json.loads(answer.body).get("email") == viewer.email
                    times[index].append(time.perf_counter() - start)
                    if not ok:
                        errors.append(f"{kind} page answered {answer.status} without its work: {answer.body[:200]!r}")
                        return
                    counts[index] += 1
            except Exception as exc:
                errors.append(f"{kind} page: {exc!r}")

        workers = [threading.Thread(target=work, args=(i,)) for i in range(len(assignments)) if assignments[i]]
        barrier = threading.Barrier(len(workers) + 1)
        for worker in workers:
            worker.start()
        barrier.wait()
        started = time.perf_counter()
        for worker in workers:
            worker.join()
        elapsed = time.perf_counter() - started
        if errors:
            raise BenchFailed(errors[0])
        return sum(counts), elapsed, [t for ts in times for t in ts]

    # Tenant overhead ------------------------------------------------------------------------------------------

    def _tenant_overhead(self, port: int) -> list[Row]:
        council, platform_site = Browser(port, self.host), Browser(port, self.platform_host)
        results: dict[str, list[float]] = {"council": [], "platform": []}
        for _ in range(5):  # warm, untimed
            for browser in (council, platform_site):
                self._expect(browser.get(PUBLIC_PAGE), 200, PUBLIC_PAGE)
        for _ in range(self.options["public"]):
            for name, browser in (("council", council), ("platform", platform_site)):
                start = time.perf_counter()
                answer = browser.get(PUBLIC_PAGE)
                results[name].append(time.perf_counter() - start)
                if answer.status != 200 or "ccessibility" not in answer.body:
                    raise BenchFailed(f"{PUBLIC_PAGE} on the {name} site answered {answer.status}")
        council.close()
        platform_site.close()
        c50, c95 = statistics.median(results["council"]), percentile(results["council"], 0.95)
        p50, p95 = statistics.median(results["platform"]), percentile(results["platform"], 0.95)
        ratio = c50 / p50
        return [
            Row(f"GET {PUBLIC_PAGE} on the platform's host (reference)", _ms(p50), _ms(p95), "1.00", "—", None),
            Row(
                f"GET {PUBLIC_PAGE} on the council's host (tenant overhead)",
                _ms(c50),
                _ms(c95),
                f"{ratio:.2f}× (p95 {c95 / p95:.2f}×)",
                "p50 ≤ 1.15×",
                self._judged(ratio <= 1.15),
            ),
        ]

    # Round trips, counted on the wire ---------------------------------------------------------------------------

    def _round_trips(
        self, port: int, counter: WireCounter, browsers: dict[Any, Browser]
    ) -> tuple[list[Row], list[str], list[str]]:
        """One request at a time through a one-worker, one-thread gunicorn whose connection runs through the relay."""

        def counted(browser: Browser, path: str, check: Callable[[Answer], bool]) -> list[int]:
            counts = []
            for attempt in range(4):  # the first opens the worker's connection: not counted
                before = counter.read()
                answer = browser.get(path)
                after = counter.read()
                if not check(answer):
                    raise BenchFailed(f"{path} answered {answer.status} without its work (counting round trips)")
                if attempt:
                    counts.append(after - before)
            return counts

        client_id, _, viewer = self.teams[0]
        browser = Browser(port, self.host, dict(browsers[viewer.practitioner.pk].cookies))
        me = counted(
            browser, TRIVIAL_PAGE, lambda a: a.status == 200 and json.loads(a.body).get("email") == viewer.email
        )
        own, in_process = self._own_statements(browser)
        public = {}
        for site, host in (("council's", self.host), ("platform's", self.platform_host)):
            anonymous = Browser(port, host)
            public[site] = counted(anonymous, PUBLIC_PAGE, lambda a: a.status == 200 and "ccessibility" in a.body)
            anonymous.close()
        total = statistics.median(me)
        overhead = total - own
        # Keyed by (in a family, team size): a client in a family has their family's members and teams shown too,
        # a fixed number of statements more; what must not change a count is the team's size.
        by_kind: dict[tuple[bool, int], list[int]] = {}
        mark = self._audit_mark()
        viewed = 0
        for client_id, size, viewer in self.teams:
            key = (client_id in self.in_family, size)
            if key in by_kind:
                continue
            team_browser = Browser(port, self.host, dict(browsers[viewer.practitioner.pk].cookies))
            by_kind[key] = counted(
                team_browser,
                f"/clients/{client_id}/",
                lambda a, viewer=viewer: a.status == 200 and viewer.name in page_text(a),
            )
            viewed += 4
            team_browser.close()
        browser.close()
        audited, _ = self._audited(AuditAction.CLIENT_VIEWED, mark)
        if audited != viewed:
            raise BenchFailed(f"{viewed} team pages answered but {audited} CLIENT_VIEWED rows audited")
        rows = [
            Row(
                f"Round trips of a signed-in page (GET {TRIVIAL_PAGE}: {total:g} on the wire − {own} its own)",
                f"{overhead:g}",
                "",
                "—",
                f"≤ {OVERHEAD_TARGET}",
                overhead <= OVERHEAD_TARGET,
            )
        ]
        failures = []
        if overhead > OVERHEAD_TARGET:
            failures.append(
                f"A signed-in page makes {overhead:g} round trips beyond its own work (target ≤ {OVERHEAD_TARGET})."
            )
        for family in (False, True):
            measured = {size: counts for (in_family, size), counts in sorted(by_kind.items()) if in_family == family}
            if not measured:
                continue
            seen = sorted({count for counts in measured.values() for count in counts})
            constant = len(seen) == 1
            sizes = ", ".join(f"{size}: {'/'.join(map(str, sorted(set(counts))))}" for size, counts in measured.items())
            who = "clients in a family" if family else "clients in no family"
            rows.append(
                Row(
                    f"Team page round trips on the wire, {who} (team size: count — {sizes})",
                    "–".join(str(c) for c in (seen if constant else (seen[0], seen[-1]))),
                    "",
                    "constant" if constant else "NOT constant",
                    f"≤ {TEAM_STATEMENTS_TARGET}, constant in team size",
                    constant and seen[-1] <= TEAM_STATEMENTS_TARGET,
                )
            )
            if not constant:
                failures.append(f"The team page's round trips vary with the team's size ({who}): {sizes}.")
            if seen[-1] > TEAM_STATEMENTS_TARGET:
                failures.append(
                    f"The team page makes {seen[-1]} round trips (target ≤ {TEAM_STATEMENTS_TARGET}), {who}: {sizes}."
                )
        notes = [
            f"Round trips counted on the wire (each 'Q' or Sync the worker's connection sent PostgreSQL) through a "
            f"one-worker, one-thread gunicorn, each request alone, after its first: {TRIVIAL_PAGE} "
            f"{', '.join(map(str, me))}; its own statements (issued from inside its view) {own}, of {in_process} "
            "that Django's query log saw for the whole request, counted in-process with the test client.",
            f"GET {PUBLIC_PAGE}, anonymous: "
            + "; ".join(
                f"{', '.join(map(str, counts))} round trips on the {site} host" for site, counts in public.items()
            )
            + ".",
        ]
        return rows, notes, failures

    def _own_statements(self, browser: Browser) -> tuple[int, int]:
        """Of the statements Django runs for GET /api/v1/me/ in this process (Django's test client, the session
        the server signed in), those issued from inside its view — and how many in all."""
        code = resolve(TRIVIAL_PAGE, urlconf="config.urls_tenant").func.view_class.get.__code__
        http = TestClient(HTTP_HOST=self.host)
        http.cookies[settings.SESSION_COOKIE_NAME] = browser.cookies[SESSION_COOKIE]
        with override_settings(CACHES={"default": self.cache_settings}):  # the server's cache, where it keeps things
            http.get(TRIVIAL_PAGE)  # the first may load what later ones find ready
        total = own = 0

        def count(execute: Callable, sql: str, params: Any, many: bool, context: Any) -> Any:
            nonlocal total, own
            total += 1
            frame = sys._getframe()
            while frame is not None:
                if frame.f_code is code:
                    own += 1
                    break
                frame = frame.f_back
            return execute(sql, params, many, context)

        # Three times, the fewest kept: a request now and then also refreshes the session's activity clock
        # (core/accounts/session_timeout.py, every 30 s), which is not the page's steady cost.
        runs = []
        for _ in range(3):
            total = own = 0
            with override_settings(CACHES={"default": self.cache_settings}), connection.execute_wrapper(count):
                answer = http.get(TRIVIAL_PAGE)
            if answer.status_code != 200:
                raise BenchFailed(f"{TRIVIAL_PAGE} answered {answer.status_code} in-process")
            runs.append((total, own))
        total, own = min(runs)
        return own, total

    # Output ----------------------------------------------------------------------------------------------------

    def _print(self, rows: list[Row], notes: list[str]) -> None:
        write = self.stdout.write
        command = "manage.py bench_web " + shlex.join(sys.argv[2:] if len(sys.argv) > 2 else [])
        write("")
        write(
            f"{datetime.datetime.now(tz=datetime.UTC).date().isoformat()}, {platform.node()} ({platform.machine()}, "
            f"{len(os.sched_getaffinity(0))} CPUs, Python {platform.python_version()}), "
            f"council {self.council.slug}: {self.clients_total:,} clients — `{command.strip()}` — load average "
            f"{self.load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
        )
        if self.small:
            write("(--small: the times are for information only; only the work and the counts are judged)")
        write("")
        write("| Measure | p50 | p95 | Ratio | Target | Met |")
        write("|---|---|---|---|---|---|")
        for row in rows:
            met = "—" if row.met is None else ("met" if row.met else "**not met**")
            write(f"| {row.measure} | {row.p50} | {row.p95} | {row.ratio} | {row.target} | {met} |")
        write("")
        for note in notes:
            write(note)
        self.stdout.flush()
