"""Every benchmark, one after the other, and PERFORMANCE.md's whole table from what they measured.

    manage.py bench_table                          # all of them (about 15 minutes; 20 the first time)
    manage.py bench_table --only web,memory        # some of them
    manage.py bench_table --print var/bench-table/2026-12-02T1500   # the table of a run already done

Each benchmark runs as its own ``manage.py`` process on a database of its own beside this one, on the same
server (made by the owner role if missing, then migrated; kept for the next run, which is quicker):

- web: ``patchwork_bench_web``, ``bench_web staffordshire-large`` (the 300,000-client council generated first if
  missing, then analysed);
- provisioning: ``patchwork_bench_prov``, ``bench_provisioning --councils 1000 --samples 7 --migrate-samples 1
  --clone-samples 3``;
- load: ``patchwork_bench_load``, ``bench_load`` (locust in ``var/bench-locust``: ``python3 dev.py bench-table``
  installs it);
- memory: ``patchwork_bench_memory``, ``bench_memory``;
- import: ``patchwork_bench_import``, ``bench_import``;
- retention and export: ``patchwork_bench_records``, ``bench_retention`` then ``bench_export`` (the 300,000-client
  council of demo/records_bench.py generated first if missing);
- delivery: ``patchwork_bench_delivery``, ``bench_delivery`` (its broker on Redis database 13).

Each writes the rows it judged (``--summary``, demo/bench_summary.py) into the run's folder,
``var/bench-table/<time>/``, beside its whole output. A benchmark that fails — including one whose timed requests
did not do their work — is a row that says so; the command then exits non-zero after printing the table.
"""

import datetime
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from psycopg import sql

from demo.bench_summary import TargetRow, summary_read, verdict
from demo.bench_web import database_url

ROOT = Path(settings.BASE_DIR)
LARGE = "staffordshire-large"


@dataclass(frozen=True)
class Step:
    name: str
    database: str
    command: tuple[str, ...]


STEPS = (
    Step("web", "patchwork_bench_web", ("bench_web", LARGE)),
    Step(
        "provisioning",
        "patchwork_bench_prov",
        (
            "bench_provisioning",
            "--councils",
            "1000",
            "--samples",
            "7",
            "--migrate-samples",
            "1",
            "--clone-samples",
            "3",
        ),
    ),
    Step("load", "patchwork_bench_load", ("bench_load",)),
    Step("memory", "patchwork_bench_memory", ("bench_memory",)),
    Step("import", "patchwork_bench_import", ("bench_import",)),
    # The records of a large council (demo/records_bench.py): the nightly retention job, then a subject access
    # export in the same council.
    Step("retention", "patchwork_bench_records", ("bench_retention",)),
    Step("export", "patchwork_bench_records", ("bench_export",)),
    # 1,000 team changes' emails through the outbox and one worker to SES (moto), against direct boto3 sends.
    Step("delivery", "patchwork_bench_delivery", ("bench_delivery",)),
)
# PERFORMANCE.md's rows no benchmark measures yet, and why.
NOT_MEASURED: tuple[TargetRow, ...] = ()


class Command(BaseCommand):
    help = "Run every benchmark and print PERFORMANCE.md's whole table (docs/benchmarks.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        names = ",".join(step.name for step in STEPS)
        parser.add_argument("--only", default=names, help=f"Which, comma-separated (default all: {names})")
        parser.add_argument("--print", dest="folder", help="Print the table of a run already done, from its folder")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["folder"]:
            folder = Path(options["folder"])
            steps = [step for step in STEPS if (folder / f"{step.name}.json").exists()]
            self._table(folder, steps, failed={})
            return
        wanted = [name.strip() for name in options["only"].split(",") if name.strip()]
        unknown = set(wanted) - {step.name for step in STEPS}
        if unknown:
            raise CommandError(f"No benchmark called {', '.join(sorted(unknown))}")
        steps = [step for step in STEPS if step.name in wanted]
        folder = ROOT / "var" / "bench-table" / datetime.datetime.now(tz=datetime.UTC).strftime("%Y-%m-%dT%H%M")
        folder.mkdir(parents=True, exist_ok=True)
        failed: dict[str, str] = {}
        for step in steps:
            started = time.monotonic()
            self.stdout.write(f"==> {step.name}: {' '.join(step.command)} on {step.database}", ending="\n")
            self.stdout.flush()
            error = self._run(step, folder)
            if error:
                failed[step.name] = error
            outcome = f"FAILED: {error}" if error else "done"
            self.stdout.write(f"    {outcome} in {time.monotonic() - started:.0f} s (output: {folder / step.name}.log)")
        self._table(folder, steps, failed)
        if failed:
            raise CommandError(f"{len(failed)} benchmark(s) failed: {', '.join(failed)} (their logs: {folder})")

    # Running one ------------------------------------------------------------------------------------------------

    def _run(self, step: Step, folder: Path) -> str | None:
        env = self._environment(step.database)
        log = folder / f"{step.name}.log"
        summary = folder / f"{step.name}.json"
        try:
            self._database_ensure(step.database)
            self._manage(["migrate", "--noinput", "-v", "0"], env, log)
            if step.name == "web":
                self._large_council_ensure(env, log, step.database)
            self._manage([*step.command, "--summary", str(summary)], env, log)
        except subprocess.CalledProcessError as failure:
            lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
            return f"`{' '.join(failure.cmd[2:4])}` exited {failure.returncode}: {lines[-1] if lines else ''}"
        if not summary.exists():
            return "it wrote no summary"
        return None

    def _environment(self, database: str) -> dict[str, str]:
        app = settings.DATABASES["default"]
        owner = {**app, **settings.DATABASE_OWNER}
        return os.environ | {
            "DATABASE_URL": database_url({**app, "NAME": database}),
            "DATABASE_OWNER_URL": database_url({**owner, "NAME": database}),
        }

    def _owner_connection(self, database: str) -> psycopg.Connection:
        owner = {**settings.DATABASES["default"], **settings.DATABASE_OWNER, "NAME": database}
        return psycopg.connect(database_url(owner), autocommit=True)

    def _database_ensure(self, database: str) -> None:
        with self._owner_connection(settings.DATABASES["default"]["NAME"]) as owner:
            if owner.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone() is None:
                owner.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))

    def _large_council_ensure(self, env: dict[str, str], log: Path, database: str) -> None:
        """The 300,000-client council, generated (about 2 minutes) and analysed if it is not there yet."""
        with self._owner_connection(database) as owner:
            there = owner.execute("SELECT 1 FROM tenants_council WHERE slug = %s", [LARGE]).fetchone()
        if there is None:
            self._manage(["council_generate_large", LARGE], env, log)
            with self._owner_connection(database) as owner:
                owner.execute("VACUUM ANALYZE")

    def _manage(self, arguments: list[str], env: dict[str, str], log: Path) -> None:
        with log.open("a", encoding="utf-8") as output:
            output.write(f"\n$ manage.py {' '.join(arguments)}\n")
            output.flush()
            subprocess.run(  # noqa: S603 - our own manage.py, our own arguments
                [sys.executable, str(ROOT / "manage.py"), *arguments],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                check=True,
            )

    # The table ---------------------------------------------------------------------------------------------------

    def _table(self, folder: Path, steps: list[Step], failed: dict[str, str]) -> None:
        write = self.stdout.write
        write("")
        write(f"PERFORMANCE.md's table — {folder.name} (the run's outputs: {folder})")
        write("")
        write("| Benchmark | What | Measured | Target | Met |")
        write("|---|---|---|---|---|")
        for step in steps:
            if step.name in failed:
                write(f"| {step.name} | — | **failed**: {failed[step.name]} | — | **not met** |")
                continue
            for row in summary_read(folder / f"{step.name}.json"):
                write(f"| {step.name} | {row.what} | {row.measured} | {row.target} | {verdict(row.met)} |")
        for row in NOT_MEASURED:
            write(f"| — | {row.what} | {row.measured} | {row.target} | — |")
        self.stdout.flush()
