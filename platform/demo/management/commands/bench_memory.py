"""Benchmark: one web worker's memory after 10,000 requests across 500 councils (PERFORMANCE.md).

    manage.py bench_memory                    # 500 councils, 10,000 requests
    manage.py bench_memory --councils 20 --requests 400     # a quick look

On a throwaway database (docs/benchmarks.md, "Web worker memory"). It

1. makes the councils ``mem-001`` … ``mem-500`` if they are not there (``council_create``, ``council_provision``,
   then ``council_generate_large`` with small sizes), and keeps them for the next run;
2. gives one practitioner of each a known password and a fresh backup code (as ``bench_load`` does);
3. starts gunicorn (``config.wsgi``, ``infra/gunicorn.conf.py``, ``config.settings.production``) with **one**
   worker on a free loopback port, and signs each practitioner in through the pages (password, then code);
4. sends the requests council after council, round after round — ``GET /api/v1/me/``, the team page of a
   client the practitioner works with, a search (surname + date of birth) for a client of that council, and
   the dashboard, in turn — reading the worker's resident set size (``VmRSS``) every ``--every`` requests;
5. prints the series and judges PERFORMANCE.md's row: at most 250 MB after the last request, and not growing
   (the second half of the run adds at most 5% to what the worker held half-way).

Every request must have done its work, or the command fails: 200, the viewer's own email (``/me/``), the viewer
among the team's members, the client found among the search's hits; and afterwards each council's audit must
hold a ``CLIENT_SEARCH`` row for every search and a ``CLIENT_VIEWED`` row for every team page sent to it.
"""

import datetime
import json
import platform
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from demo.bench_summary import TargetRow, summary_write
from demo.bench_web import (
    Answer,
    BenchFailed,
    Browser,
    collect_static,
    database_url,
    gunicorn_process,
    page_text,
    production_environment,
    resident_megabytes,
    temporary_var_dir,
    worker_pids,
)
from demo.management.commands.bench_load import Sizes, accounts_prepare, councils_ensure

PASSWORD = "bench-memory-password"  # noqa: S105 - fabricated accounts of benchmark councils
LIMIT_MB = 250
GROWTH_LIMIT = 0.05  # the second half may add at most 5% to what the worker held half-way
KINDS = ("me", "team page", "search", "home")


class Command(BaseCommand):
    help = "One gunicorn worker's memory after 10,000 requests across 500 councils (docs/benchmarks.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--councils", type=int, default=500)
        parser.add_argument("--requests", type=int, default=10_000)
        parser.add_argument("--every", type=int, default=500, help="Read the worker's memory every N requests")
        parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/13")
        parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/14")
        parser.add_argument("--summary", help="Also write PERFORMANCE.md's row to this JSON file")

    def handle(self, *args: Any, **options: Any) -> None:
        self.options = options
        write = self.stdout.write
        started = time.monotonic()
        write(f"Councils mem-001 … mem-{options['councils']:03d} (made if missing)…")
        self.councils = councils_ensure(
            options["councils"],
            Sizes(clients=60, practitioners=6, involvements=150, families=6),
            write,
            slug="mem-{:03d}",
            name="Memory Test Council {:03d}",
        )
        write(f"  ready in {time.monotonic() - started:.0f} s")
        plan = accounts_prepare(self.councils, each=1, password=PASSWORD, secret_key=settings.SECRET_KEY)
        self.accounts = plan["accounts"]
        for account in self.accounts:
            if not account["team"] or not account["to_find"]:
                raise CommandError(f"{account['council']}: its practitioner has no team or nobody to find.")
        try:
            series, counts, since = self._run()
        except BenchFailed as exc:
            raise CommandError(str(exc)) from exc
        self._check_audit(counts, since)
        self._report(series)

    # The run -------------------------------------------------------------------------------------------------

    def _run(self) -> tuple[list[tuple[int, float]], dict[str, dict[str, int]], datetime.datetime]:
        options = self.options
        with temporary_var_dir() as var_dir:
            env = production_environment(
                secret_key=settings.SECRET_KEY,  # the backup codes' digests are keyed with it
                database_url=database_url(settings.DATABASES["default"]),
                cache_url=options["cache_url"],
                broker_url=options["broker_url"],
                platform_domain=settings.PLATFORM_DOMAIN,
                var_dir=var_dir,
            )
            collect_static(env)
            with gunicorn_process(env, workers=1) as (port, master):
                workers = worker_pids(master.pid)
                if len(workers) != 1:
                    raise BenchFailed(f"Expected one gunicorn worker, found {len(workers)}")
                worker = workers[0]
                self.stdout.write(f"Signing in {len(self.accounts)} practitioners (one a council)…")
                browsers = []
                for account in self.accounts:
                    browser = Browser(port, account["host"])
                    browser.sign_in(email=account["email"], password=account["password"], code=account["code"])
                    browsers.append(browser)
                since = timezone.now()
                counts = {account["council"]: {"search": 0, "team page": 0} for account in self.accounts}
                series = [(0, resident_megabytes(worker))]
                self.stdout.write(f"After signing in: {series[0][1]:.1f} MB. Sending {options['requests']:,}…")
                sent = 0
                while sent < options["requests"]:
                    kind = KINDS[(sent // len(browsers)) % len(KINDS)]
                    index = sent % len(browsers)
                    self._request(browsers[index], self.accounts[index], kind, sent // len(browsers) // len(KINDS))
                    if kind in ("search", "team page"):
                        counts[self.accounts[index]["council"]][kind] += 1
                    sent += 1
                    if sent % options["every"] == 0 or sent == options["requests"]:
                        if worker_pids(master.pid) != [worker]:
                            raise BenchFailed("The worker was replaced during the run: its memory is not one series")
                        series.append((sent, resident_megabytes(worker)))
                        self.stdout.write(f"  {sent:>6,} requests: {series[-1][1]:.1f} MB")
                for browser in browsers:
                    browser.close()
        return series, counts, since

    def _request(self, browser: Browser, account: dict[str, Any], kind: str, turn: int) -> None:
        if kind == "me":
            answer = self._expect(browser.get("/api/v1/me/"), account, kind)
            if json.loads(answer.body).get("email") != account["email"]:
                raise BenchFailed(f"{account['council']}: /api/v1/me/ did not answer for {account['email']}")
        elif kind == "team page":
            client_id, _ = account["team"][turn % len(account["team"])]
            answer = self._expect(browser.get(f"/clients/{client_id}/"), account, kind)
            if account["name"] not in page_text(answer):
                raise BenchFailed(f"{account['council']}: the team page of {client_id} did not show its member")
        elif kind == "search":
            client = account["to_find"][turn % len(account["to_find"])]
            born = datetime.date.fromisoformat(client["dob"])
            form = {
                "surname": client["surname"],
                "date_of_birth_day": born.day,
                "date_of_birth_month": born.month,
                "date_of_birth_year": born.year,
            }
            answer = self._expect(browser.post("/clients/search/", form), account, kind)
            if f"/clients/{client['id']}/" not in answer.body:
                raise BenchFailed(f"{account['council']}: the search did not find {client['id']}")
        else:
            self._expect(browser.get("/"), account, kind)

    @staticmethod
    def _expect(answer: Answer, account: dict[str, Any], kind: str) -> Answer:
        if answer.status != 200:
            raise BenchFailed(f"{account['council']}: {kind} answered {answer.status}: {answer.body[:300]!r}")
        return answer

    def _check_audit(self, counts: dict[str, dict[str, int]], since: datetime.datetime) -> None:
        """Every search and team page sent to a council is in its own audit trail."""
        actions = {"search": AuditAction.CLIENT_SEARCH, "team page": AuditAction.CLIENT_VIEWED}
        for council in self.councils:
            with schema_context(council.schema_name):
                events = AuditEvent.objects.filter(occurred_at__gte=since, outcome=AuditOutcome.SUCCESS)
                for kind, action in actions.items():
                    found = events.filter(action=action).count()
                    if found < counts[council.slug][kind]:
                        raise CommandError(
                            f"{council.slug}: {counts[council.slug][kind]} {kind} requests, {found} {action} rows"
                        )

    # The report ----------------------------------------------------------------------------------------------

    def _report(self, series: list[tuple[int, float]]) -> None:
        options = self.options
        write = self.stdout.write
        last = series[-1][1]
        middle = min(series, key=lambda point: abs(point[0] - options["requests"] / 2))
        growth = (last - middle[1]) / middle[1]
        peak = max(megabytes for _, megabytes in series)
        met = last <= LIMIT_MB and growth <= GROWTH_LIMIT
        write("")
        write(
            f"Web worker memory — {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, "
            f"Python {sys.version.split()[0]}; one worker, {len(self.councils)} councils, {options['requests']:,} "
            f"requests ({', '.join(KINDS)} in turn), every one checked"
        )
        write("")
        write("| Requests | Worker RSS |")
        write("|---|---|")
        for sent, megabytes in series:
            write(f"| {sent:,} | {megabytes:.1f} MB |")
        write("")
        measured = (
            f"{last:.0f} MB after {options['requests']:,} requests over {len(self.councils)} councils (peak "
            f"{peak:.0f} MB); {growth:+.1%} over the second half ({middle[1]:.0f} MB at {middle[0]:,})"
        )
        write(f"Against the target (≤ {LIMIT_MB} MB, not growing): {measured} — {'met' if met else 'NOT MET'}")
        target = f"≤ {LIMIT_MB} MB after 10,000 requests across 500 councils, not growing (≤ 5% in the second half)"
        summary_write(options["summary"], [TargetRow("Web worker memory", measured, target, met)])
