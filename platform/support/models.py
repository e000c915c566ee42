"""Support access (SECURITY.md AZ-4): an operator's request to a council, and the council's answer.

The grant is the only way platform staff reach anything in a council's schema. It names the pages
(``SupportScope``) and ends at ``ends_at`` by itself; the council's administrator may end it sooner.
Every step, and every page seen under it, is recorded in the council's own audit trail.
"""

import uuid

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Now

from tenants.models import Council


class SupportScope(models.TextChoices):
    """The pages a grant may open. None of them shows a client: support never reads a child's record."""

    PEOPLE = "people", "Accounts: who can sign in, their roles and second factors"
    AGENCIES = "agencies", "Agencies and their practitioners"
    SETTINGS = "settings", "The council's set-up, profile and rules"


class SupportStatus(models.TextChoices):
    REQUESTED = "requested", "Waiting for the council"
    GRANTED = "granted", "Granted"
    REFUSED = "refused", "Refused"
    ENDED = "ended", "Ended by the council"
    WITHDRAWN = "withdrawn", "Withdrawn by platform staff"


class SupportGrant(models.Model):
    """One request for support access and what became of it. A granted one is open while ``ends_at`` is in
    the future and it was not ended; after that it is history, kept for the council's audit."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="support_grants")
    operator_id = models.UUIDField(help_text="The platform staff member (a user of the public schema).")
    operator_name = models.CharField(max_length=200)
    operator_email = models.EmailField()
    reason = models.CharField(max_length=300)
    scopes_requested = ArrayField(models.CharField(max_length=20, choices=SupportScope.choices))
    hours_requested = models.PositiveSmallIntegerField()
    requested_at = models.DateTimeField(db_default=Now())

    status = models.CharField(max_length=20, choices=SupportStatus.choices, default=SupportStatus.REQUESTED)
    decided_by_id = models.UUIDField(null=True, blank=True, help_text="The council administrator (council schema).")
    decided_by_name = models.CharField(max_length=200, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    scopes_granted = ArrayField(models.CharField(max_length=20, choices=SupportScope.choices), default=list)
    ends_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.CharField(max_length=300, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by_id = models.UUIDField(null=True, blank=True)
    expiry_recorded = models.BooleanField(
        default=False, help_text="Its running out is recorded in the council's audit (once)."
    )

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours_requested__gte=1) & models.Q(hours_requested__lte=72),
                name="support_hours_1_to_72",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="granted")
                | (models.Q(ends_at__isnull=False) & ~models.Q(scopes_granted=[])),
                name="support_granted_has_end_and_scopes",
            ),
        ]
        indexes = [models.Index(fields=["council", "status", "ends_at"], name="support_open_grants")]

    def __str__(self) -> str:
        return f"Support access to {self.council_id} for {self.operator_email} ({self.status})"
