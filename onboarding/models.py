"""Orders placed from the catalogue (``public`` schema).

An order is what a council asked for; it is not a council. An operator decides it once: approving
creates the council (linked here) and starts its provisioning, rejecting records why. Until an order
is rejected, the subdomain it asks for is held: no other order can take it (a partial unique
constraint, so two orders sent at the same moment cannot both hold it).
"""

import uuid

from django.db import models
from django.db.models.functions import Now

from onboarding.plans import PlanCode
from tenants.jurisdictions import Jurisdiction
from tenants.models import Council


class OrderStatus(models.TextChoices):
    ORDERED = "ordered", "Ordered"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class Order(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=20, unique=True, help_text="PW-<year>-<number>, for people to quote.")
    status = models.CharField(max_length=20, choices=OrderStatus.choices, default=OrderStatus.ORDERED)
    placed_at = models.DateTimeField(db_default=Now())

    council_name = models.CharField(max_length=200, help_text="The council's legal name.")
    jurisdiction = models.CharField(max_length=20, choices=Jurisdiction.choices)
    requested_slug = models.CharField(max_length=40, help_text="The subdomain asked for: <slug>.<platform domain>.")
    plan = models.CharField(max_length=20, choices=PlanCode.choices)
    expected_practitioners = models.PositiveIntegerField()
    purchase_order_number = models.CharField(max_length=50)

    billing_contact_name = models.CharField(max_length=200)
    billing_contact_email = models.EmailField()
    dpo_name = models.CharField(max_length=200, help_text="The council's Data Protection Officer.")
    dpo_email = models.EmailField()
    admin_name = models.CharField(max_length=200, help_text="The council's first administrator.")
    admin_email = models.EmailField()

    terms_version = models.CharField(max_length=20, help_text="The version of the terms accepted with the order.")

    # The operator's decision: when, by whom (a platform staff member's id, as in the audit trail), and
    # for an approval the council it created, for a rejection why.
    council = models.OneToOneField(Council, null=True, blank=True, on_delete=models.PROTECT, related_name="order")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by_id = models.UUIDField(null=True, blank=True)
    rejection_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-placed_at", "-reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["requested_slug"],
                condition=~models.Q(status="rejected"),
                name="order_slug_held_until_rejected",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class OrderReferenceCounter(models.Model):
    """The last order number given in a year: one row per year, bumped in a single upsert."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"
