"""Provisioning a council: from an approved order to a usable site.

``council_provision`` is idempotent and resumable: every step checks what is already done, so a
run interrupted at any point is completed by running it again. Progress is written to the council
row after each step (and committed), so the operator console can show it while it runs.

A council made from an approved order also gets its own agency and an invitation for the first
administrator the order names (the ``administrator`` step); one made by a command, the demo or the
tests has no order, and that step does nothing for it.

Its moves through the lifecycle (tenants/lifecycle.py) are ordered → provisioning when it starts
and provisioning → configuring when the last step is done. A step that fails leaves the council in
provisioning with ``provisioning_error`` set; running provisioning again resumes it. With
``go_live`` (the default, until the go-live checklist exists) the same last step also takes the
council on from configuring to live. A council already configuring or live gets any missing piece
made again and keeps its status; a suspended, offboarding or closed one is refused.

Where this installation is a cell (tenants/cell.py), a council of another jurisdiction, or with its data in
another region, is refused by both ``council_create`` and ``council_provision``, before anything is written.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django_tenants.utils import schema_context

from core.audit.origin import Origin
from core.council.services.lifecycle import council_transition
from core.directory.services.agencies import council_own_agency_ensure
from core.directory.services.invitations import first_administrator_invite, invitation_open_or_account_exists
from core.governance.services.defaults import governance_defaults_install
from onboarding.models import Order
from tenants.cell import residency_problem, this_cell
from tenants.jurisdictions import defaults_for
from tenants.models import Council, CouncilStatus, Domain
from tenants.services.schemas import SchemaStrategy, council_schema_create

logger = logging.getLogger(__name__)


class ProvisioningRefused(Exception):
    """The council cannot be created or provisioned here: its state (e.g. suspended or closed), or it belongs
    in another cell."""


class ProvisioningProblem(Exception):
    """A step cannot be done until someone fixes what it says (its message is shown to operators)."""


@dataclass(frozen=True)
class Options:
    strategy: SchemaStrategy
    go_live: bool


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    run: Callable[[Council, Options], None]


def _step_schema(council: Council, options: Options) -> None:
    council_schema_create(council=council, strategy=options.strategy)


def _step_defaults(council: Council, options: Options) -> None:
    with schema_context(council.schema_name):
        governance_defaults_install(jurisdiction=council.jurisdiction)


def _step_domain(council: Council, options: Options) -> None:
    domain = f"{council.slug}.{settings.PLATFORM_DOMAIN}"
    existing = Domain.objects.filter(domain=domain).first()
    if existing is None:
        Domain.objects.create(domain=domain, tenant=council, is_primary=not council.domains.exists())
    elif existing.tenant_id != council.pk:
        raise ProvisioningProblem(f"the web address {domain} belongs to another council")


def council_base_url(council: Council) -> str:
    """The council's site, for links in emails sent with no request to take it from."""
    port = f":{settings.PLATFORM_PORT}" if settings.PLATFORM_PORT else ""
    return f"{settings.PLATFORM_SCHEME}://{council.slug}.{settings.PLATFORM_DOMAIN}{port}"


def _step_administrator(council: Council, options: Options) -> None:
    order = Order.objects.filter(council_id=council.pk).first()
    if order is None:
        return  # made without an order (a command, the demo, the tests): nobody to invite
    email = order.admin_email.strip().lower()
    with schema_context(council.schema_name), transaction.atomic():
        if invitation_open_or_account_exists(email=email):
            return  # invited (or signed up) by an earlier run: no second email
        base_url = council_base_url(council)
        agency = council_own_agency_ensure(
            name=council.name, email_domain=email.rsplit("@", 1)[-1], origin=Origin(base_url=base_url)
        )
        first_administrator_invite(agency=agency, email=email, base_url=base_url)


def _step_open(council: Council, options: Options) -> None:
    if council.status != CouncilStatus.PROVISIONING:
        return  # already configuring or live: provisioning again only repairs
    # Both moves or neither: a council is never left configuring by a run that was to open it.
    with transaction.atomic():
        council_transition(council=council, to=CouncilStatus.CONFIGURING, actor=None, reason="provisioned")
        if options.go_live:
            council_transition(council=council, to=CouncilStatus.LIVE, actor=None, reason="provisioned to go live")


STEPS: tuple[Step, ...] = (
    Step("schema", "Creating the council's database schema", _step_schema),
    Step("defaults", "Installing the jurisdiction's default rules", _step_defaults),
    Step("domain", "Registering the council's web address", _step_domain),
    Step("administrator", "Inviting the council's first administrator", _step_administrator),
    Step("open", "Opening the council's site", _step_open),
)


def council_create(
    *,
    name: str,
    slug: str,
    jurisdiction: str,
    data_region: str | None = None,
    brand_colour: str | None = None,
) -> Council:
    """Record a council (status ordered); its schema is made by ``council_provision``.

    Its data region defaults to the cell's region where there is a cell, else to the jurisdiction's default.
    Refused (``ProvisioningRefused``, nothing written) for a council that does not belong in this cell.
    """
    defaults = defaults_for(jurisdiction)
    cell = this_cell()
    data_region = data_region or (cell.region if cell else defaults.data_regions[0])
    problem = residency_problem(jurisdiction=jurisdiction, data_region=data_region)
    if problem:
        raise ProvisioningRefused(f"Council {slug} cannot be created here. {problem}")
    council = Council(
        name=name,
        slug=slug,
        schema_name=Council.schema_name_for(slug),
        jurisdiction=jurisdiction,
        data_region=data_region,
        locale=defaults.locale,
        time_zone=defaults.time_zone,
    )
    if brand_colour:
        council.brand_colour = brand_colour
    council.full_clean()
    council.save()
    return council


PROVISIONABLE = (CouncilStatus.ORDERED, CouncilStatus.PROVISIONING, CouncilStatus.CONFIGURING, CouncilStatus.LIVE)


def council_provision(
    *,
    council_id: int,
    strategy: SchemaStrategy = SchemaStrategy.CLONE,
    go_live: bool = True,
) -> Council:
    """Run every provisioning step that is not yet done, recording progress as it goes.

    ``go_live=False`` leaves a newly provisioned council configuring, for its administrators to set
    up; the default takes it on to live (the demo, the tests and the ``council_provision`` command).
    """
    council = Council.objects.get(pk=council_id)
    problem = residency_problem(jurisdiction=council.jurisdiction, data_region=council.data_region)
    if problem:
        raise ProvisioningRefused(f"Council {council.slug} cannot be provisioned here. {problem}")
    if council.status not in PROVISIONABLE:
        raise ProvisioningRefused(f"Council {council.slug} is {council.status}; it cannot be provisioned.")
    if council.status == CouncilStatus.ORDERED:
        council_transition(council=council, to=CouncilStatus.PROVISIONING, actor=None, reason="provisioning started")
    if council.status == CouncilStatus.PROVISIONING:
        _progress(council, step="", progress=0, error="")

    options = Options(strategy=strategy, go_live=go_live)
    for index, step in enumerate(STEPS):
        _progress(council, step=step.name, progress=round(100 * index / len(STEPS)))
        try:
            step.run(council, options)
        except Exception as exc:
            logger.exception("Provisioning step %s failed for council %s", step.name, council.slug)
            cause = str(exc) if isinstance(exc, ProvisioningProblem) else type(exc).__name__
            _progress(council, error=f"{step.label} failed: {cause}. Run provisioning again to resume.")
            raise
    _progress(council, step="done", progress=100, error="")
    return council


def _progress(
    council: Council,
    *,
    step: str | None = None,
    progress: int | None = None,
    error: str | None = None,
) -> None:
    fields = ["updated_at"]
    for field, value in (
        ("provisioning_step", step),
        ("provisioning_progress", progress),
        ("provisioning_error", error),
    ):
        if value is not None:
            setattr(council, field, value)
            fields.append(field)
    # Committed on its own, so progress is visible to others while provisioning runs.
    with transaction.atomic():
        council.save(update_fields=fields)


def step_label(step_name: str) -> str:
    for step in STEPS:
        if step.name == step_name:
            return step.label
    return "Finished" if step_name == "done" else "Waiting to start"
