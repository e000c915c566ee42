"""Load test: 200 practitioners over 20 councils at once, through gunicorn with the production settings.

    manage.py bench_load                               # the web server as infra/gunicorn.conf.py sets it
    manage.py bench_load --server 5:2:1000 --server 3:2:0 --run-time 90s   # compare web server settings

On a throwaway database (docs/benchmarks.md, "Load: 200 practitioners over 20 councils"). It

1. makes the councils ``load-01`` … ``load-20`` if they are not there (``council_create`` and
   ``council_provision``, then ``council_generate_large`` with small sizes), timing each, and keeps them;
2. gives ten practitioners of each council (verified, of an agency that is not sensitive) a known password and a
   fresh single-use backup code, and writes a JSON file of the accounts, their hosts, the clients whose team each
   is in and clients to find and to join, for the locustfile (demo/load/locustfile.py);
3. collects the static files into a temporary directory and starts gunicorn (``config.wsgi`` with
   ``infra/gunicorn.conf.py`` and ``config.settings.production``) on a free loopback port;
4. runs locust headless (its own environment, ``var/bench-locust``: ``python3 dev.py bench-load`` installs it),
   one simulated user per account (200), started 2 a second, each pausing 10-30 s between actions, for 4 minutes
   (``--spawn-rate``, ``--wait``, ``--run-time``), signing in through the real pages, while a thread counts the
   database's connections every second;
5. prints, per action, requests, failures, p50, p95 and p99, the requests per second, the most database
   connections and how many times gunicorn restarted a worker; and fails on any failed request or any error
   in the server's log.

``--server WORKERS:THREADS:MAX_REQUESTS`` (repeatable) runs the load once per web server setting, one after the
other, each with fresh codes and clients to join (max requests' jitter is a tenth of it). Without it, once with
infra/gunicorn.conf.py's defaults. The search rate limits count each practitioner's searches; their counters are
cleared before each run (a simulated user searches at most 28 times in a run, under the 30 in five minutes).

Joining a team emails the rest of it, delivered after the join commits (core/notifications). The server has no
email provider here: AWS credentials and the instance metadata lookup are switched off, so each delivery fails at
once and waits in the outbox for the retry sweep; the join's time does not include a real send.
"""

import csv
import datetime
import http.client
import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import redis
from cryptography.fernet import Fernet
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.db.models import Count, Q
from django.test.utils import override_settings
from django_tenants.utils import schema_context

from core.accounts.models import BackupCode, BackupCodeDevice, User, backup_code_digest
from core.clients.models import Client, Involvement
from core.directory.models import ApprovalState, Practitioner
from core.governance.selectors import rules_current
from demo.bench_summary import TargetRow, summary_write
from demo.bench_web import BenchFailed, collect_static, worker_pids
from demo.scale import council_generate_large
from onboarding.services.provisioning import council_create, council_provision
from tenants.jurisdictions import Jurisdiction
from tenants.models import Council

ROOT = Path(settings.BASE_DIR)
LOCUST = ROOT / "var" / "bench-locust" / "bin" / "locust"
CONF = ROOT / "infra" / "gunicorn.conf.py"
LOCUSTFILE = ROOT / "platform" / "demo" / "load" / "locustfile.py"
SLUG = "load-{:02d}"
TEAM_SHOWN = 20  # clients whose team an account is in, for the team page and the involvement update
TO_JOIN = 30  # more than a simulated user joins in a run
TO_FIND = 20
ACTIONS = (
    "sign in: page",
    "sign in: password",
    "sign in: code",
    "home",
    "search",
    "team page",
    "join: form",
    "join",
    "involvement: form",
    "involvement: update",
)


@dataclass(frozen=True)
class Sizes:
    clients: int = 3000
    practitioners: int = 50
    involvements: int = 6000
    families: int = 300


@dataclass(frozen=True)
class Server:
    workers: int | None = None  # None: infra/gunicorn.conf.py's default
    threads: int | None = None
    max_requests: int | None = None

    @classmethod
    def parse(cls, text: str) -> "Server":
        match = re.fullmatch(r"(\d+):(\d+):(\d+)", text.strip())
        if not match:
            raise CommandError(f"--server takes WORKERS:THREADS:MAX_REQUESTS, e.g. 5:2:1000, not {text!r}")
        workers, threads, max_requests = (int(part) for part in match.groups())
        return cls(workers, threads, max_requests)

    @property
    def label(self) -> str:
        if self.workers is None:
            return "infra/gunicorn.conf.py defaults"
        jitter = f" ±{self.max_requests // 10}" if self.max_requests else ""
        return f"{self.workers} workers × {self.threads} threads, max_requests {self.max_requests or 'off'}{jitter}"

    def environment(self) -> dict[str, str]:
        if self.workers is None:
            return {}
        return {
            "GUNICORN_WORKERS": str(self.workers),
            "GUNICORN_THREADS": str(self.threads),
            "GUNICORN_MAX_REQUESTS": str(self.max_requests),
            "GUNICORN_MAX_REQUESTS_JITTER": str((self.max_requests or 0) // 10),
        }


@dataclass
class Result:
    server: Server
    rows: dict[str, dict[str, Any]]
    total: dict[str, Any]
    connections_max: int
    connections_active_max: int
    workers_booted: int
    workers: int
    load: tuple[float, float] = (0.0, 0.0)  # the machine's 1-minute load average as the run starts and ends
    failures: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)

    @property
    def restarts(self) -> int:
        return max(0, self.workers_booted - self.workers)


# Councils -------------------------------------------------------------------------------------------------------


def councils_ensure(
    count: int, sizes: Sizes, write: Any = None, *, slug: str = SLUG, name: str = "Load Test Council {:02d}"
) -> list[Council]:
    """The councils load-01 … load-NN (or ``slug`` numbered), made, provisioned and filled if missing (timed),
    else as they are."""
    slug_format, name_format = slug, name
    councils = []
    for number in range(1, count + 1):
        slug = slug_format.format(number)
        council = Council.objects.filter(slug=slug).first()
        if council is None:
            started = time.monotonic()
            name = name_format.format(number)
            council = council_create(name=name, slug=slug, jurisdiction=Jurisdiction.ENGLAND)
            council = council_provision(council_id=council.pk)
            provisioned = time.monotonic() - started
            with schema_context(council.schema_name):
                council_generate_large(**vars(sizes), seed=number)
            generated = time.monotonic() - started - provisioned
            if write:
                write(f"  {slug}: provisioned in {provisioned:.1f} s, generated in {generated:.1f} s")
        councils.append(council)
    for council in councils:
        with schema_context(council.schema_name):
            if rules_current().join_needs_lead_approval:
                raise CommandError(f"{council.slug}'s rules want a lead's approval to join: the load test joins.")
    return councils


# Accounts -------------------------------------------------------------------------------------------------------


def _client_entry(client: Client) -> dict[str, str]:
    return {
        "id": str(client.pk),
        "name": f"{client.first_name} {client.surname}",
        "surname": client.surname,
        "dob": client.date_of_birth.isoformat(),
    }


CURRENT_NOT_LEAD = Count("involvements", filter=Q(involvements__ended_on__isnull=True, involvements__is_lead=False))


def _practitioners(each: int) -> list[Practitioner]:
    """Practitioners who can sign in and search: verified, active, of an approved agency that is not sensitive,
    with a few current teams of which they are not the lead."""
    return list(
        Practitioner.objects.filter(
            verified_at__isnull=False,
            user__is_active=True,
            agency__is_sensitive=False,
            agency__approval_state=ApprovalState.APPROVED,
        )
        .annotate(teams=CURRENT_NOT_LEAD)
        .filter(teams__gte=3)
        .select_related("user")
        .order_by("pk")[:each]
    )


def accounts_prepare(
    councils: list[Council], *, each: int, password: str, secret_key: str, seed: int = 5
) -> dict[str, Any]:
    """Give ``each`` practitioners of every council ``password`` and one fresh backup code (its digest keyed with
    the server's ``secret_key``), and return the plan the locustfile reads."""
    rng = random.Random(seed)  # noqa: S311 - which clients to use, not security
    password_hash = make_password(password)  # one hash for all: each sign-in still checks it
    accounts = []
    today = None
    for council in councils:
        host = council.domains.get(is_primary=True).domain
        today = datetime.datetime.now(tz=zoneinfo.ZoneInfo(council.time_zone)).date()
        with schema_context(council.schema_name), transaction.atomic():
            chosen = _practitioners(each)
            if len(chosen) < each:
                raise CommandError(f"{council.slug} has only {len(chosen)} practitioners fit to sign in.")
            User.objects.filter(pk__in=[p.user_id for p in chosen]).update(
                password=password_hash, failed_sign_ins=0, locked_until=None
            )
            findable = list(
                Client.objects.filter(date_of_birth__isnull=False, withheld_from_search_since__isnull=True)
                .only("pk", "first_name", "surname", "date_of_birth")
                .order_by("?")[: 4 * (TO_JOIN + TO_FIND) * each]
            )
            codes = []
            for practitioner in chosen:
                device, _ = BackupCodeDevice.objects.get_or_create(user=practitioner.user, name="Load test")
                device.codes.all().delete()
                code = secrets.token_hex(5)
                with override_settings(SECRET_KEY=secret_key):
                    codes.append(BackupCode(device=device, digest=backup_code_digest(device_id=device.pk, code=code)))
                team = list(
                    Involvement.objects.filter(practitioner=practitioner, ended_on__isnull=True, is_lead=False)
                    .select_related("client")
                    .order_by("pk")[:TEAM_SHOWN]
                )
                in_team = set(
                    Involvement.objects.filter(practitioner=practitioner, ended_on__isnull=True).values_list(
                        "client_id", flat=True
                    )
                )
                others = [client for client in findable if client.pk not in in_team]
                rng.shuffle(others)
                accounts.append(
                    {
                        "host": host,
                        "address": f"198.51.100.{len(accounts) % 250 + 1}",  # as the load balancer forwards it
                        "email": practitioner.user.email,
                        "password": password,
                        "code": code,
                        "name": practitioner.user.full_name,
                        "job_title": practitioner.job_title or "Practitioner",
                        "council": council.slug,
                        "team": [[str(i.client_id), i.role] for i in team],
                        "to_join": [_client_entry(c) for c in others[:TO_JOIN]],
                        "to_find": [
                            *(_client_entry(c) for c in others[TO_JOIN : TO_JOIN + TO_FIND]),
                            *(_client_entry(i.client) for i in team[:5] if i.client.date_of_birth),
                        ],
                    }
                )
            BackupCode.objects.bulk_create(codes)
    return {"today": today.isoformat() if today else "", "accounts": accounts}


# The web server and the load ------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _app_database_url() -> str:
    database = settings.DATABASES["default"]
    host = database.get("HOST") or "127.0.0.1"
    port = f":{database['PORT']}" if database.get("PORT") else ""
    password = f":{quote(database['PASSWORD'], safe='')}" if database.get("PASSWORD") else ""
    return (
        f"postgresql://{quote(database['USER'], safe='')}{password}@{quote(host, safe='')}{port}/"
        f"{quote(database['NAME'], safe='')}?sslmode=disable"
    )


class ConnectionCounter(threading.Thread):
    """Counts the database's connections (all, and those running a statement) once a second."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        database = settings.DATABASES["default"]
        self.params = {
            "dbname": database["NAME"],
            "user": database["USER"],
            "password": database.get("PASSWORD") or None,
            "host": database.get("HOST") or None,
            "port": database.get("PORT") or None,
        }
        self.samples: list[tuple[int, int]] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        with psycopg.connect(**self.params, autocommit=True) as sampler:
            while not self.stopping.wait(1.0):
                row = sampler.execute(
                    "SELECT count(*), count(*) FILTER (WHERE state = 'active') FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()",
                    [self.params["dbname"]],
                ).fetchone()
                self.samples.append((row[0], row[1]))

    def stop(self) -> tuple[int, int]:
        self.stopping.set()
        self.join(timeout=5)
        return max((s[0] for s in self.samples), default=0), max((s[1] for s in self.samples), default=0)


def _percentiles(row: dict[str, str]) -> dict[str, Any]:
    def number(key: str) -> float:
        value = row.get(key, "") or "0"
        return float(value) if value != "N/A" else 0.0

    return {
        "requests": int(number("Request Count")),
        "failures": int(number("Failure Count")),
        "p50": number("50%"),
        "p95": number("95%"),
        "p99": number("99%"),
        "rps": number("Requests/s"),
    }


class Command(BaseCommand):
    help = "Load test: 200 practitioners over 20 councils through gunicorn (docs/benchmarks.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--councils", type=int, default=20)
        parser.add_argument("--accounts-each", type=int, default=10, help="simulated practitioners per council")
        parser.add_argument("--clients", type=int, default=Sizes.clients, help="per council, when it is made")
        parser.add_argument("--practitioners", type=int, default=Sizes.practitioners, help="per council, ditto")
        parser.add_argument("--run-time", default="4m", help="locust's --run-time for each run")
        parser.add_argument("--spawn-rate", type=float, default=2, help="users started a second (each signs in)")
        parser.add_argument("--wait", default="10,30", help="seconds between a user's actions: min,max")
        parser.add_argument(
            "--steady-state",
            action="store_true",
            help="count only once every user has started (locust --reset-stats): compare servers past the sign-ins",
        )
        parser.add_argument("--server", action="append", default=[], help="WORKERS:THREADS:MAX_REQUESTS")
        parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/4")
        parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/5")
        parser.add_argument("--out", default=str(ROOT / "var" / "bench-load"), help="logs, CSV files, results")
        parser.add_argument("--summary", help="Also write PERFORMANCE.md's row (one per run) to this JSON file")

    def handle(self, *args: Any, **options: Any) -> None:
        if not LOCUST.exists():
            raise CommandError(f"No locust at {LOCUST}: `python3 dev.py bench-load` installs it.")
        servers = [Server.parse(text) for text in options["server"]] or [Server()]
        out = Path(options["out"]) / datetime.datetime.now(tz=datetime.UTC).strftime("%Y%m%dT%H%M%S")
        out.mkdir(parents=True, exist_ok=True)
        write = self.stdout.write
        sizes = Sizes(
            clients=options["clients"],
            practitioners=options["practitioners"],
            involvements=2 * options["clients"],
            families=options["clients"] // 10,
        )
        started = time.monotonic()
        councils = councils_ensure(options["councils"], sizes, write)
        write(f"{len(councils)} councils ready ({time.monotonic() - started:.1f} s); results in {out}")
        secret_key = secrets.token_urlsafe(50)
        password = "Load-test-" + secrets.token_urlsafe(12)
        users = len(councils) * options["accounts_each"]
        environment = self._server_environment(secret_key, options, out)
        self._collect_static(environment)
        results = []
        for number, server in enumerate(servers, 1):
            plan = accounts_prepare(
                councils, each=options["accounts_each"], password=password, secret_key=secret_key, seed=number
            )
            plan_path = out / f"accounts-{number}.json"
            plan_path.write_text(json.dumps(plan), encoding="utf-8")
            plan_path.chmod(0o600)
            self._forget_search_counts(options["cache_url"])
            connection.close()  # the command's own connection is not counted during the run
            write(f"\nRun {number}/{len(servers)}: {server.label}; {users} users, {options['run_time']}")
            result = self._run(server, environment, plan_path, out / f"run-{number}", users, options)
            results.append(result)
            self._print_run(result)
        self._print_summary(results)
        (out / "results.json").write_text(
            json.dumps([{**vars(r), "server": vars(r.server), "restarts": r.restarts} for r in results], indent=1),
            encoding="utf-8",
        )
        problems = [r for r in results if r.failures or r.server_errors or r.total.get("failures")]
        summary_write(options["summary"], [self._target_row(r, users, options["councils"]) for r in results])
        if problems:
            raise CommandError(f"{len(problems)} of {len(results)} runs had failures or server errors (above).")

    @staticmethod
    def _target_row(result: Result, users: int, councils: int) -> TargetRow:
        shown = ("search", "team page", "join")
        actions = ", ".join(f"{name} {row['p95']:.0f} ms" for name, row in result.rows.items() if name in shown)
        total = result.total
        failed = total.get("failures", 0) + len(result.failures) + len(result.server_errors)
        return TargetRow(
            f"Load: {users} practitioners over {councils} councils ({result.server.label})",
            f"{total.get('requests', 0):,} requests, {failed} errors; p95 {actions}; at most "
            f"{result.connections_max} database connections",
            "0 errors; p95 per action recorded",
            failed == 0 and bool(total.get("requests")),
        )

    def _server_environment(self, secret_key: str, options: dict[str, Any], out: Path) -> dict[str, str]:
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", str(ROOT)),
            "LANG": os.environ.get("LANG", "C.UTF-8"),
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": secret_key,
            "SSO_SECRET_KEYS": Fernet.generate_key().decode(),  # required in production; no provider is used here
            "DATABASE_URL": _app_database_url(),
            "CELERY_BROKER_URL": options["broker_url"],
            "CACHE_URL": options["cache_url"],
            "PATCHWORK_JURISDICTION": "england",
            "AWS_REGION": "eu-west-2",
            "AWS_STORAGE_BUCKET_NAME": "patchwork-load-test",
            "AWS_AUDIT_ARCHIVE_BUCKET_NAME": "patchwork-load-test",
            "AWS_S3_KMS_KEY_ID": "patchwork-load-test",
            # No email provider: no credentials, no instance metadata lookup (each send fails at once).
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_CONFIG_FILE": os.devnull,
            "PLATFORM_DOMAIN": settings.PLATFORM_DOMAIN,
            "PATCHWORK_VAR_DIR": str(out / "var"),
            "GUNICORN_LOG_LEVEL": "info",
        }

    def _collect_static(self, environment: dict[str, str]) -> None:
        try:
            collect_static(environment)  # the same step as bench_web's
        except BenchFailed as failed:
            raise CommandError(str(failed)) from failed

    def _forget_search_counts(self, cache_url: str) -> None:
        """The search rate limits' counters, so that each run starts as a new hour for every practitioner."""
        store = redis.Redis.from_url(cache_url)
        for pattern in ("*client-search-rate:*", "*client-search-hour:*"):
            keys = list(store.scan_iter(match=pattern, count=1000))
            if keys:
                store.delete(*keys)

    def _run(
        self, server: Server, environment: dict[str, str], plan: Path, prefix: Path, users: int, options: dict
    ) -> Result:
        port = _free_port()
        log_path = prefix.with_suffix(".gunicorn.log")
        gunicorn = Path(sys.executable).parent / "gunicorn"
        with log_path.open("w", encoding="utf-8") as log:
            process = subprocess.Popen(  # noqa: S603 - our own gunicorn
                [str(gunicorn), "config.wsgi", "-c", str(CONF), "--bind", f"127.0.0.1:{port}"],
                cwd=ROOT,
                env=environment | server.environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                self._wait_for(port, process)
                counter = ConnectionCounter()
                counter.start()
                load_before = os.getloadavg()[0]
                locust = subprocess.run(  # noqa: S603 - locust from its own environment
                    [
                        str(LOCUST),
                        "-f",
                        str(LOCUSTFILE),
                        "--headless",
                        "--users",
                        str(users),
                        "--spawn-rate",
                        str(options["spawn_rate"]),
                        "--run-time",
                        options["run_time"],
                        "--stop-timeout",
                        "20",
                        "--host",
                        f"http://127.0.0.1:{port}",
                        "--csv",
                        str(prefix),
                        "--only-summary",
                        "--loglevel",
                        "WARNING",
                        *(["--reset-stats"] if options["steady_state"] else []),
                    ],
                    cwd=ROOT,
                    env={
                        "PATH": environment["PATH"],
                        "HOME": environment["HOME"],
                        "BENCH_LOAD_ACCOUNTS": str(plan),
                        "BENCH_LOAD_WAIT": options["wait"],
                    },
                    capture_output=True,
                    text=True,
                    check=False,
                )
                connections_max, active_max = counter.stop()
                load = (load_before, os.getloadavg()[0])
                workers = len(worker_pids(process.pid))  # counted while it runs
            finally:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        prefix.with_suffix(".locust.log").write_text(locust.stdout + locust.stderr, encoding="utf-8")
        result = self._result(server, prefix, log_path, locust, (connections_max, active_max), workers)
        result.load = load
        return result

    def _wait_for(self, port: int, process: subprocess.Popen) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise CommandError("gunicorn stopped while starting: see its log in the results directory.")
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            try:
                probe.request("GET", "/healthz")
                if probe.getresponse().status == 200:
                    return
            except OSError:
                pass
            finally:
                probe.close()
            time.sleep(0.5)
        raise CommandError("gunicorn did not answer /healthz within 90 s.")

    def _result(
        self,
        server: Server,
        prefix: Path,
        log_path: Path,
        locust: subprocess.CompletedProcess,
        connections: tuple[int, int],
        workers: int,
    ) -> Result:
        stats_path = Path(f"{prefix}_stats.csv")
        if not stats_path.exists():
            raise CommandError(f"locust wrote no statistics:\n{(locust.stdout + locust.stderr)[-3000:]}")
        rows, total = {}, {}
        with stats_path.open(encoding="utf-8") as file:
            for row in csv.DictReader(file):
                if row["Name"] == "Aggregated":
                    total = _percentiles(row)
                else:
                    rows[row["Name"]] = _percentiles(row)
        failures = []
        failures_path = Path(f"{prefix}_failures.csv")
        if failures_path.exists():
            with failures_path.open(encoding="utf-8") as file:
                failures = [f"{r['Occurrences']}× {r['Name']}: {r['Error']}" for r in csv.DictReader(file)]
        exceptions_path = Path(f"{prefix}_exceptions.csv")
        if exceptions_path.exists():
            with exceptions_path.open(encoding="utf-8") as file:
                failures += [f"{r['Count']}× exception: {r['Message']}" for r in csv.DictReader(file)]
        output = locust.stdout + locust.stderr
        if (locust.returncode != 0 or "Traceback" in output) and not failures:
            failures.append(f"locust exited with {locust.returncode}: {output[-1500:]}")
        if not total.get("requests"):
            failures.append("no request was made")
        log = log_path.read_text(encoding="utf-8", errors="replace")
        booted = len(re.findall(r"Booting worker", log))
        errors = [
            block
            for block in re.split(r"\n(?=\S)", log)
            if "Traceback" in block or " ERROR " in block or "[CRITICAL]" in block
        ]
        return Result(
            server=server,
            rows=rows,
            total=total,
            connections_max=connections[0],
            connections_active_max=connections[1],
            workers_booted=booted,
            workers=workers,
            failures=failures,
            server_errors=errors[:20],
        )

    def _print_run(self, result: Result) -> None:
        write = self.stdout.write
        write("| Action | Requests | Failures | p50 | p95 | p99 |")
        write("|---|---|---|---|---|---|")
        for name in [*ACTIONS, *sorted(set(result.rows) - set(ACTIONS))]:
            row = result.rows.get(name)
            if row:
                write(
                    f"| {name} | {row['requests']} | {row['failures']} | {row['p50']:.0f} ms | {row['p95']:.0f} ms | "
                    f"{row['p99']:.0f} ms |"
                )
        total = result.total
        write(
            f"| **all** | {total.get('requests', 0)} | {total.get('failures', 0)} | {total.get('p50', 0):.0f} ms | "
            f"{total.get('p95', 0):.0f} ms | {total.get('p99', 0):.0f} ms |"
        )
        write(
            f"{total.get('rps', 0):.1f} requests/s; database connections at most {result.connections_max} "
            f"({result.connections_active_max} running a statement); workers booted {result.workers_booted} "
            f"({result.restarts} restarts); machine load average {result.load[0]:.1f} → {result.load[1]:.1f}"
        )
        for failure in result.failures:
            write(self.style.ERROR(f"FAILED {failure}"))
        for error in result.server_errors:
            write(self.style.ERROR(f"SERVER ERROR {error[:2000]}"))
        self.stdout.flush()

    def _print_summary(self, results: list[Result]) -> None:
        if len(results) < 2:
            return
        write = self.stdout.write
        write(
            "\n| Web server | Requests/s | p50 | p95 | p99 | search p95 | team page p95 | Failures | DB connections "
            "(max) | Restarts |"
        )
        write("|---|---|---|---|---|---|---|---|---|---|")
        for r in results:
            search, team = r.rows.get("search", {}), r.rows.get("team page", {})
            write(
                f"| {r.server.label} | {r.total.get('rps', 0):.1f} | {r.total.get('p50', 0):.0f} ms | "
                f"{r.total.get('p95', 0):.0f} ms | {r.total.get('p99', 0):.0f} ms | {search.get('p95', 0):.0f} ms | "
                f"{team.get('p95', 0):.0f} ms | {r.total.get('failures', 0)} | {r.connections_max} | {r.restarts} |"
            )
        self.stdout.flush()
