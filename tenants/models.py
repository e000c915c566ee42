"""A council is a tenant: one PostgreSQL schema holds everything about it and its users."""

import re

from django.core.validators import RegexValidator
from django.db import models
from django_tenants.models import DomainMixin, TenantMixin

from tenants.colours import validate_header_colour
from tenants.jurisdictions import DataRegion, Jurisdiction

SLUG_PATTERN = r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$"
COLOUR_PATTERN = r"^#[0-9a-fA-F]{6}$"


class CouncilStatus(models.TextChoices):
    """Where a council is in its life. Only the moves in tenants/lifecycle.py are allowed."""

    ORDERED = "ordered", "Ordered"
    PROVISIONING = "provisioning", "Provisioning"
    CONFIGURING = "configuring", "Configuring"
    LIVE = "live", "Live"
    SUSPENDED = "suspended", "Suspended"
    OFFBOARDING = "offboarding", "Offboarding"
    CLOSED = "closed", "Closed"


class Council(TenantMixin):
    """A subscribing council. Its schema is created by provisioning, never on save."""

    auto_create_schema = False
    auto_drop_schema = False

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=40, unique=True, validators=[RegexValidator(SLUG_PATTERN)])
    jurisdiction = models.CharField(max_length=20, choices=Jurisdiction.choices)
    data_region = models.CharField(max_length=20, choices=DataRegion.choices)
    locale = models.CharField(max_length=10)
    time_zone = models.CharField(max_length=40)
    brand_colour = models.CharField(
        max_length=7, default="#1d70b8", validators=[RegexValidator(COLOUR_PATTERN), validate_header_colour]
    )
    status = models.CharField(max_length=20, choices=CouncilStatus.choices, default=CouncilStatus.ORDERED)

    provisioning_step = models.CharField(max_length=40, blank=True)
    provisioning_progress = models.PositiveSmallIntegerField(default=0)
    provisioning_error = models.TextField(blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(provisioning_progress__lte=100), name="council_progress_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def schema_name_for(slug: str) -> str:
        return "council_" + re.sub(r"[^a-z0-9]", "_", slug)


class Domain(DomainMixin):
    """A host name that resolves to a council (``<slug>.<PLATFORM_DOMAIN>`` or a custom domain)."""

    def __str__(self) -> str:
        return self.domain
