"""Create the demo: three live councils with fabricated data, one still setting itself up, an order
waiting for the operator, and the accounts to try them with.

Safe to run again: councils that exist are left as they are (provisioning resumes if unfinished),
and a council that already has data gets none added, except the demo's governance where it is missing
(its rules, privacy officer and break-glass roles, consent, alerts: demo/governance.py). Refuses to run
outside local settings.
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from core.accounts.models import User
from demo.billing import demo_billing_populate
from demo.invoices import demo_invoices_issue
from demo.onboarding import configuring_council_populate, pending_order_place
from demo.populate import TODAY, DemoSummary, council_demo_populate
from demo.second_factor import DEMO_BACKUP_CODE, demo_second_factor_install, demo_totp_key_base32
from demo.sso import DEMO_SSO_ISSUER, DemoSso, demo_sso_configure
from onboarding.models import Order
from onboarding.services.provisioning import PROVISIONABLE, council_create, council_provision
from tenants.jurisdictions import DataRegion, Jurisdiction
from tenants.models import Council

# Printed by this command only; production never runs it (see handle()).
DEMO_PASSWORD = "demo-patchwork-2026"  # noqa: S105
DEMO_OPERATOR_EMAIL = "operator@patchwork.example"


@dataclass(frozen=True)
class DemoCouncil:
    slug: str
    name: str
    jurisdiction: str
    data_region: str
    brand_colour: str
    live: bool = True  # False: provisioned but still configuring (its administrator sets it up)


DEMO_COUNCILS = (
    DemoCouncil("staffordshire", "Staffordshire County Council", Jurisdiction.ENGLAND, DataRegion.LONDON, "#005a3c"),
    DemoCouncil("brighton-hove", "Brighton & Hove City Council", Jurisdiction.ENGLAND, DataRegion.LONDON, "#1d4f91"),
    DemoCouncil("yarra", "City of Yarra", Jurisdiction.VICTORIA, DataRegion.MELBOURNE, "#6b2c6e"),
    DemoCouncil(
        "derbyshire", "Derbyshire County Council", Jurisdiction.ENGLAND, DataRegion.LONDON, "#00594f", live=False
    ),
)


class Command(BaseCommand):
    help = "Create (or top up) the demo councils, their fabricated data and the demo sign-ins."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not getattr(settings, "DEMO", False):
            raise CommandError("The demo only runs with local settings (it prints sign-in details).")
        password_hash = make_password(DEMO_PASSWORD)
        summaries: list[tuple[Council, DemoSummary]] = []
        configuring: list[tuple[Council, User]] = []
        sso: tuple[Council, DemoSso] | None = None
        for spec in DEMO_COUNCILS:
            council = Council.objects.filter(slug=spec.slug).first() or council_create(
                name=spec.name,
                slug=spec.slug,
                jurisdiction=spec.jurisdiction,
                data_region=spec.data_region,
                brand_colour=spec.brand_colour,
            )
            if council.status in PROVISIONABLE:  # a council suspended in the demo stays suspended
                council = council_provision(council_id=council.pk, go_live=spec.live)
            if not spec.live:
                with schema_context(council.schema_name):
                    administrator = configuring_council_populate(password_hash=password_hash)
                    demo_second_factor_install(user=administrator)
                configuring.append((council, administrator))
                continue
            with schema_context(council.schema_name):
                summary = council_demo_populate(
                    place=spec.slug, jurisdiction=spec.jurisdiction, password_hash=password_hash
                )
                for account in summary.accounts:
                    demo_second_factor_install(user=User.objects.get(email=account.email))
                if sso is None and (tried := demo_sso_configure(emails=[a.email for a in summary.accounts])):
                    sso = (council, tried)
            summaries.append((council, summary))
        operator = User.objects.filter(email=DEMO_OPERATOR_EMAIL).first()
        if operator is None:
            operator = User.objects.create_user(
                DEMO_OPERATOR_EMAIL, first_name="Olu", last_name="Adeyemi", is_staff=True
            )
            operator.password = password_hash
            operator.save(update_fields=["password"])
        demo_second_factor_install(user=operator)
        order = pending_order_place()
        demo_billing_populate(slugs=[spec.slug for spec in DEMO_COUNCILS], today=TODAY)  # accounts, months metered
        demo_invoices_issue()  # each counted month invoiced, the oldest invoice paid
        self._print(summaries, configuring, order)
        if sso:
            self._print_sso(*sso)

    def _print(
        self, summaries: list[tuple[Council, DemoSummary]], configuring: list[tuple[Council, User]], order: Order
    ) -> None:
        port = f":{settings.PLATFORM_PORT}" if settings.PLATFORM_PORT else ""
        base = f"{settings.PLATFORM_SCHEME}://"
        write = self.stdout.write
        write("")
        write(self.style.SUCCESS("Patchwork demo is ready."))
        write(f"Every demo account's password: {DEMO_PASSWORD}")
        write(f"Second step (code): the backup code {DEMO_BACKUP_CODE} (one use each, 50 per account; run the demo")
        write(f"  again to top up), or add the key {demo_totp_key_base32()} to an authenticator app.")
        write("")
        write(f"Platform: {base}{settings.PLATFORM_DOMAIN}{port}/")
        write(f"  operator console: {base}{settings.PLATFORM_DOMAIN}{port}/console/  as {DEMO_OPERATOR_EMAIL}")
        write(
            f"  an order in the console's inbox: {order.reference}, {order.council_name} "
            f"({order.get_status_display().lower()})"
        )
        for council, summary in summaries:
            domain = council.domains.get(is_primary=True).domain
            write("")
            write(self.style.MIGRATE_HEADING(f"{council.name}: {base}{domain}{port}/"))
            write(
                f"  {summary.agencies} agencies, {summary.practitioners} practitioners, {summary.clients} clients, "
                f"{summary.families} families, {summary.involvements} involvements"
                + ("" if summary.created else " (already there)")
            )
            for account in summary.accounts:
                write(f"  {account.email:<48} {account.name} — {account.description}")
        for council, administrator in configuring:
            domain = council.domains.get(is_primary=True).domain
            write("")
            write(
                self.style.MIGRATE_HEADING(
                    f"{council.name} ({council.get_status_display().lower()}): {base}{domain}{port}/"
                )
            )
            write(
                f"  {administrator.email:<48} {administrator.full_name} — Council administrator, "
                "setting the council up before it goes live."
            )
        write("")

    def _print_sso(self, council: Council, sso: DemoSso) -> None:
        port = f":{settings.PLATFORM_PORT}" if settings.PLATFORM_PORT else ""
        domain = council.domains.get(is_primary=True).domain
        write = self.stdout.write
        write(self.style.MIGRATE_HEADING(f"Single sign-on ({sso.agency}, {council.name})"))
        write(f"  python3 dev.py demo starts a local OpenID provider at {DEMO_SSO_ISSUER}.")
        write(f"  At {settings.PLATFORM_SCHEME}://{domain}{port}/sign-in/ choose")
        write('  "Sign in with your organisation\'s account",')
        write(f"  enter {sso.with_mfa} and pick it at the provider: signed in (its MFA claim).")
        if sso.without_mfa:
            write(f"  {sso.without_mfa}: no MFA claim, so Patchwork's own code is asked.")
        write("")
