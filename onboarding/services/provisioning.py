"""Provisioning a council: from an approved order to a usable site.

``council_provision`` is idempotent and resumable: every step checks what is already done, so a
run interrupted at any point is completed by running it again. Progress is written to the council
row after each step (and committed), so the operator console can show it while it runs.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from core.governance.services.defaults import governance_defaults_install
from tenants.models import Council, CouncilStatus, Domain
from tenants.services.schemas import SchemaStrategy, council_schema_create

logger = logging.getLogger(__name__)


class ProvisioningRefused(Exception):
    """The council is not in a state that can be provisioned (e.g. offboarded)."""


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    run: Callable[[Council, SchemaStrategy], None]


def _step_schema(council: Council, strategy: SchemaStrategy) -> None:
    council_schema_create(council=council, strategy=strategy)


def _step_defaults(council: Council, strategy: SchemaStrategy) -> None:
    with schema_context(council.schema_name):
        governance_defaults_install(jurisdiction=council.jurisdiction)


def _step_domain(council: Council, strategy: SchemaStrategy) -> None:
    domain = f"{council.slug}.{settings.PLATFORM_DOMAIN}"
    if not Domain.objects.filter(domain=domain).exists():
        Domain.objects.create(domain=domain, tenant=council, is_primary=not council.domains.exists())


def _step_activate(council: Council, strategy: SchemaStrategy) -> None:
    council.status = CouncilStatus.ACTIVE
    council.activated_at = council.activated_at or timezone.now()
    council.save(update_fields=["status", "activated_at", "updated_at"])


STEPS: tuple[Step, ...] = (
    Step("schema", "Creating the council's database schema", _step_schema),
    Step("defaults", "Installing the jurisdiction's default rules", _step_defaults),
    Step("domain", "Registering the council's web address", _step_domain),
    Step("activate", "Opening the council's site", _step_activate),
)


def council_create(
    *,
    name: str,
    slug: str,
    jurisdiction: str,
    data_region: str | None = None,
    brand_colour: str | None = None,
) -> Council:
    """Record a council (status pending); its schema is made by ``council_provision``."""
    from tenants.jurisdictions import defaults_for

    defaults = defaults_for(jurisdiction)
    council = Council(
        name=name,
        slug=slug,
        schema_name=Council.schema_name_for(slug),
        jurisdiction=jurisdiction,
        data_region=data_region or defaults.data_regions[0],
        locale=defaults.locale,
        time_zone=defaults.time_zone,
    )
    if brand_colour:
        council.brand_colour = brand_colour
    council.full_clean()
    council.save()
    return council


def council_provision(*, council_id: int, strategy: SchemaStrategy = SchemaStrategy.CLONE) -> Council:
    """Run every provisioning step that is not yet done, recording progress as it goes."""
    council = Council.objects.get(pk=council_id)
    if council.status in (CouncilStatus.OFFBOARDED, CouncilStatus.SUSPENDED):
        raise ProvisioningRefused(f"Council {council.slug} is {council.status}; it cannot be provisioned.")
    if council.status != CouncilStatus.ACTIVE:
        _progress(council, status=CouncilStatus.PROVISIONING, step="", progress=0, error="")

    for index, step in enumerate(STEPS):
        _progress(council, step=step.name, progress=round(100 * index / len(STEPS)))
        try:
            step.run(council, strategy)
        except Exception as exc:
            logger.exception("Provisioning step %s failed for council %s", step.name, council.slug)
            _progress(council, error=f"{step.label} failed: {type(exc).__name__}. Run provisioning again to resume.")
            raise
    _progress(council, step="done", progress=100, error="")
    return council


def _progress(
    council: Council,
    *,
    status: str | None = None,
    step: str | None = None,
    progress: int | None = None,
    error: str | None = None,
) -> None:
    fields = ["updated_at"]
    for field, value in (
        ("status", status),
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
