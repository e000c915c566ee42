"""Provision a council from the command line: create it if asked, then run (or resume) provisioning.

A council created here is of the cell's jurisdiction unless ``--jurisdiction`` says otherwise (and then it must
be the cell's, or it is refused); where there is no cell (development), ``--jurisdiction`` must be given.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onboarding.services.provisioning import (
    STEPS,
    ProvisioningRefused,
    SchemaStrategy,
    council_create,
    council_provision,
)
from tenants.cell import residency_problem, this_cell
from tenants.jurisdictions import Jurisdiction
from tenants.models import Council


class Command(BaseCommand):
    help = "Provision (or resume provisioning) a council: schema, defaults, web address, then live (or configuring)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The council's short name, e.g. staffordshire")
        parser.add_argument("--name", help="Create the council with this name if it does not exist")
        parser.add_argument(
            "--jurisdiction",
            choices=Jurisdiction.values,
            help="For a new council: where it is. Defaults to this cell's jurisdiction; required without a cell",
        )
        parser.add_argument("--strategy", choices=[s.value for s in SchemaStrategy], default=SchemaStrategy.CLONE)
        parser.add_argument("--background", action="store_true", help="Queue it as a Celery task instead")
        parser.add_argument(
            "--configuring",
            action="store_true",
            help="Leave a newly provisioned council configuring (for its administrators) instead of live",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        council = Council.objects.filter(slug=options["slug"]).first()
        if council is None:
            if not options["name"]:
                raise CommandError(f"No council {options['slug']!r}. Give --name to create it.")
            cell = this_cell()
            jurisdiction = options["jurisdiction"] or (cell.jurisdiction if cell else None)
            if not jurisdiction:
                raise CommandError(
                    "This installation serves every jurisdiction (PATCHWORK_JURISDICTION is not set): give "
                    f"--jurisdiction ({' or '.join(Jurisdiction.values)}) to create the council."
                )
            try:
                council = council_create(name=options["name"], slug=options["slug"], jurisdiction=jurisdiction)
            except ProvisioningRefused as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"Created council {council.slug} (ordered).")
        problem = residency_problem(jurisdiction=council.jurisdiction, data_region=council.data_region)
        if problem:  # said here too, as a queued task would only say it in the worker's log
            raise CommandError(f"Council {council.slug} cannot be provisioned here. {problem}")
        if options["background"]:
            from onboarding.tasks import council_provision_task

            council_provision_task.delay(council.pk, options["strategy"], go_live=not options["configuring"])
            self.stdout.write(f"Queued provisioning of {council.slug}.")
            return
        try:
            council = council_provision(
                council_id=council.pk,
                strategy=SchemaStrategy(options["strategy"]),
                go_live=not options["configuring"],
            )
        except ProvisioningRefused as exc:
            raise CommandError(str(exc)) from exc
        status = council.get_status_display().lower()
        self.stdout.write(self.style.SUCCESS(f"{council.name} is {status} ({len(STEPS)} steps done)."))
