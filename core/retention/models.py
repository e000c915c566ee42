"""Legal holds, erasure requests and the nightly retention runs (docs/adr/0016-retention-and-erasure.md).

A run lists what has passed the council's retention schedule; the privacy officer approves it (or rejects it with
a reason) and only then is it erased. Its items are ids only (client ids are opaque UUIDs): once erased, what
remains is that a record with that id was erased on that date under that run, never who it was.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.clients.models import Client
from core.directory.models import Practitioner
from core.governance.rules import RetentionKind


class LegalHold(models.Model):
    """A client's record, and everything about it, kept whatever the retention schedule says: never listed by
    the retention job, never erased (the PROTECT key stops an erasure even if something else missed it)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="legal_holds")
    reason = models.CharField(max_length=300, help_text='For example "disclosure in care proceedings".')
    placed_by = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField(default=timezone.now)
    lifted_by = models.ForeignKey(Practitioner, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-placed_at"]
        constraints = [
            models.UniqueConstraint(fields=["client"], condition=Q(lifted_at__isnull=True), name="one_current_hold")
        ]

    def __str__(self) -> str:
        return f"Legal hold {self.pk} ({'current' if self.is_current else 'lifted'})"

    @property
    def is_current(self) -> bool:
        return self.lifted_at is None


class ErasureRequest(models.Model):
    """A request to erase a client's record (UK GDPR Art 17) and the council's decision on it."""

    class Grounds(models.TextChoices):
        NO_LONGER_NEEDED = "no_longer_needed", "No longer needed for the purpose it was collected for"
        CONSENT_WITHDRAWN = "consent_withdrawn", "Consent withdrawn and no other basis"
        OBJECTION = "objection", "Objects to the processing"
        UNLAWFUL = "unlawful", "Processed unlawfully"
        LEGAL_OBLIGATION = "legal_obligation", "Erasure needed to comply with a legal obligation"
        OTHER = "other", "Other"

    class Decision(models.TextChoices):
        PENDING = "pending", "Waiting for a decision"
        ERASED = "erased", "Accepted: the record was erased"
        REFUSED = "refused", "Refused"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    client_reference = models.UUIDField(help_text="The client's id, kept once the record itself is erased.")
    received_on = models.DateField()
    grounds = models.CharField(max_length=30, choices=Grounds.choices)
    recorded_by = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    decision = models.CharField(max_length=20, choices=Decision.choices, default=Decision.PENDING)
    decision_reason = models.CharField(
        max_length=300, blank=True, help_text='Why it was refused, for example "a statutory duty to keep it".'
    )
    decided_by = models.ForeignKey(Practitioner, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_on", "-recorded_at"]

    def __str__(self) -> str:
        return f"Erasure request {self.pk} ({self.decision})"


class RetentionRun(models.Model):
    """One night's list of what has passed the schedule, and what became of it."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for the privacy officer"
        APPROVED = "approved", "Approved: being erased"
        FINISHED = "finished", "Erased"
        REJECTED = "rejected", "Rejected"
        SUPERSEDED = "superseded", "Replaced by a later list"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    prepared_at = models.DateTimeField(default=timezone.now)
    prepared_on = models.DateField(help_text="The council's date the list was made for.")
    periods = models.JSONField(help_text="The schedule it was made under: years per kind of record.")
    cutoffs = models.JSONField(help_text="Per kind, what was recorded before this (ISO date or time) is due.")
    counts = models.JSONField(help_text="Per kind, how many records were listed.")
    held_clients = models.PositiveIntegerField(default=0, help_text="Clients left out because of a legal hold.")
    decided_by = models.ForeignKey(Practitioner, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.CharField(max_length=300, blank=True)
    erased = models.JSONField(default=dict, blank=True, help_text="The report: per kind, how many were erased.")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-prepared_at"]
        constraints = [
            # One list waits for the privacy officer at a time, and one is being erased at a time.
            models.UniqueConstraint(fields=["state"], condition=Q(state="pending"), name="one_pending_run"),
            models.UniqueConstraint(fields=["state"], condition=Q(state="approved"), name="one_approved_run"),
        ]

    def __str__(self) -> str:
        return f"Retention run of {self.prepared_on} ({self.state})"

    @property
    def total(self) -> int:
        return sum(int(count) for count in self.counts.values())


class RetentionItem(models.Model):
    """One record a run listed: its kind and id (a UUID, or a number for team activity and sessions)."""

    run = models.ForeignKey(RetentionRun, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=20, choices=[(str(kind), str(kind)) for kind in RetentionKind])
    object_uuid = models.UUIDField(null=True, blank=True)
    object_number = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["run", "kind"], name="retention_item_run_kind")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_uuid or self.object_number}"
