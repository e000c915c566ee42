"""Fill a council with fabricated data at a large council's scale (PERFORMANCE.md, "Scale to design for").

    manage.py council_generate_large staffordshire-large
    manage.py council_generate_large small --clients 20000 --practitioners 2000 --involvements 60000 --families 4000

Creates and provisions the council (England) if it does not exist; refuses a council that already has data.
For benchmarks, never for a council anyone uses: the accounts it makes have unusable passwords.
"""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import schema_context

from core.clients.models import Client
from core.directory.models import Agency
from demo.scale import council_generate_large
from onboarding.services.provisioning import ProvisioningRefused, council_create, council_provision
from tenants.jurisdictions import Jurisdiction
from tenants.models import Council


class Command(BaseCommand):
    help = "Generate a large council's worth of fabricated clients, practitioners, families and involvements."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The council's short name, e.g. staffordshire-large")
        parser.add_argument("--name", help="Its name, if it has to be created (default: from the slug)")
        parser.add_argument("--clients", type=int, default=300_000)
        parser.add_argument("--practitioners", type=int, default=20_000)
        parser.add_argument("--involvements", type=int, default=1_000_000)
        parser.add_argument("--families", type=int, default=60_000)
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["slug"]
        council = Council.objects.filter(slug=slug).first()
        if council is None:
            name = options["name"] or f"{slug.replace('-', ' ').title()} (generated)"
            council = council_create(name=name, slug=slug, jurisdiction=Jurisdiction.ENGLAND)
            self.stdout.write(f"Created council {slug} ({name}).")
        started = time.monotonic()
        try:
            council_provision(council_id=council.pk)
        except ProvisioningRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Council {slug} is provisioned ({time.monotonic() - started:.1f} s).")

        with schema_context(council.schema_name):
            clients = Client.objects.count()
            if clients:
                raise CommandError(
                    f"Council {slug} already has {clients:,} clients: nothing generated. "
                    "The generator only fills an empty council; choose another slug."
                )
            if Agency.objects.exists():
                raise CommandError(
                    f"Council {slug} already has agencies (and perhaps practitioners): nothing generated. "
                    "The generator only fills an empty council; choose another slug."
                )
            self.stdout.write(
                f"Generating {options['clients']:,} clients, {options['practitioners']:,} practitioners, "
                f"{options['involvements']:,} involvements and {options['families']:,} families "
                f"(seed {options['seed']})."
            )
            timer = _Timer(self.stdout.write)
            counts = council_generate_large(
                clients=options["clients"],
                practitioners=options["practitioners"],
                involvements=options["involvements"],
                families=options["families"],
                seed=options["seed"],
                progress=timer.progress,
            )
            timer.finish()
        total = time.monotonic() - timer.started
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Council {slug} ({council.schema_name}) generated in {total:.1f} s:"))
        for table, rows in counts.items():
            self.stdout.write(f"  {table:<28} {rows:>10,} rows  {timer.elapsed.get(table, 0.0):6.1f} s")
        for step in ("ANALYZE", "commit"):
            self.stdout.write(f"  {step:<28} {'':>10}       {timer.elapsed.get(step, 0.0):6.1f} s")


class _Timer:
    """Prints the generator's progress and times each table.

    A table's time runs from the end of the one before to its last report, so it counts generating the rows as well
    as loading them (and checking their constraints).
    """

    def __init__(self, write: Any) -> None:
        self.write = write
        self.started = time.monotonic()
        self.elapsed: dict[str, float] = {}
        self._since = self.started

    def progress(self, table: str, done: int, total: int) -> None:
        now = time.monotonic()
        self.elapsed[table] = now - self._since
        if done == total:
            self.write(f"  {table:<28} {done:>10,} / {total:,}  done in {now - self._since:.1f} s")
            self._since = now
        elif done and table != "ANALYZE":
            self.write(f"  {table:<28} {done:>10,} / {total:,}")

    def finish(self) -> None:
        """After the generator returns: the time since the last report is the commit."""
        self.elapsed["commit"] = time.monotonic() - self._since
