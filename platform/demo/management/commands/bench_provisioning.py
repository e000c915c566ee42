"""Benchmark: provisioning a council (clone vs migrations) and a no-op migration step over N councils.

Prints a table of absolute times and ratios measured in this one run (PERFORMANCE.md). The councils
it makes are named ``bench-*`` and are removed at the end, schemas and rows.
"""

import platform
import statistics
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management import call_command, load_command_class
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django_tenants.migration_executors import get_executor as stock_get_executor

from onboarding.services.provisioning import council_create, council_provision
from tenants.models import Council
from tenants.services.schemas import SchemaStrategy, council_schema_drop, template_schema_ensure


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


class Command(BaseCommand):
    help = "Time council provisioning (clone vs migrate) and a no-op migrate over many councils."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repeat", type=int, default=3, help="Provisionings per strategy (default 3)")
        parser.add_argument("--councils", type=int, default=200, help="Councils for the migrate step (default 200)")

    def handle(self, *args: Any, **options: Any) -> None:
        self._cleanup()
        try:
            self._run(repeat=options["repeat"], councils=options["councils"])
        finally:
            self._cleanup()

    def _run(self, *, repeat: int, councils: int) -> None:
        template_schema_ensure()
        times: dict[SchemaStrategy, list[float]] = {SchemaStrategy.CLONE: [], SchemaStrategy.MIGRATE: []}
        for index in range(repeat):
            for strategy in (SchemaStrategy.MIGRATE, SchemaStrategy.CLONE):
                council = council_create(
                    name=f"Bench {strategy} {index}", slug=f"bench-{strategy}-{index}", jurisdiction="england"
                )
                times[strategy].append(
                    _timed(lambda c=council, s=strategy: council_provision(council_id=c.pk, strategy=s))
                )

        made = Council.objects.filter(slug__startswith="bench-").count()
        build = _timed(lambda: self._make_councils(councils - made))
        schemas = list(Council.objects.values_list("schema_name", flat=True))

        ours = _timed(lambda: call_command("migrate_schemas", tenant=True, interactive=False, verbosity=0))
        stock_executor = stock_get_executor("standard")([], self._migrate_options())
        stock = _timed(lambda: stock_executor.run_migrations(tenants=list(schemas)))
        connection.set_schema_to_public()

        clone = statistics.median(times[SchemaStrategy.CLONE])
        migrate = statistics.median(times[SchemaStrategy.MIGRATE])
        rows = [
            ("Provision one council, cloning the template (median)", f"{clone:.2f} s", "1.00 (reference)"),
            (
                "Provision one council, replaying migrations (median)",
                f"{migrate:.2f} s",
                f"{migrate / clone:.2f}× clone",
            ),
            (f"No-op migrate over {len(schemas)} councils, skipping up-to-date", f"{ours:.2f} s", "1.00 (reference)"),
            (
                f"No-op migrate over {len(schemas)} councils, stock executor",
                f"{stock:.2f} s",
                f"{stock / ours:.1f}× ours",
            ),
        ]
        self.stdout.write(
            f"Machine: {platform.machine()}, Python {platform.python_version()}, "
            f"database {settings.DATABASES['default']['HOST'] or 'local'}; repeat={repeat}; "
            f"{councils} councils built in {build:.1f} s"
        )
        self.stdout.write("| Measure | Time | Ratio |")
        self.stdout.write("|---|---|---|")
        for row in rows:
            self.stdout.write("| " + " | ".join(row) + " |")
        self.stdout.flush()  # the results, before the (slow) clean-up of the councils it made

    @staticmethod
    def _migrate_options() -> dict[str, Any]:
        """The options ``migrate_schemas`` would pass its executor, with verbosity 0."""
        command = load_command_class("django_tenants", "migrate_schemas")
        options = vars(command.create_parser("manage.py", "migrate_schemas").parse_args([]))
        return options | {"verbosity": 0, "interactive": False, "tenant": True}

    def _make_councils(self, count: int) -> None:
        for index in range(max(count, 0)):
            council = council_create(name=f"Bench council {index}", slug=f"bench-n{index}", jurisdiction="england")
            council_provision(council_id=council.pk)

    def _cleanup(self) -> None:
        for council in Council.objects.filter(slug__startswith="bench-"):
            council_schema_drop(council=council)
            council.delete()
