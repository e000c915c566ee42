"""A subject access request: the client, when the council received it, when it must be answered, and the
export that answers it — made in the background, kept privately, downloaded once by the privacy officer who
started it.

The request outlives the client: when retention erases a client the request stays as the council's record
of having answered (the client is then empty, and the request holds no personal data).
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.clients.models import Client
from core.directory.models import Practitioner
from tenants.jurisdictions import Jurisdiction


class SubjectAccessRequest(models.Model):
    class State(models.TextChoices):
        RECEIVED = "received", "Received"
        EXPORTING = "exporting", "Exporting"
        READY = "ready", "Ready to download"
        DOWNLOADED = "downloaded", "Downloaded"
        CLOSED = "closed", "Closed"
        FAILED = "failed", "Export failed"
        EXPIRED = "expired", "Download link expired"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(
        Client, on_delete=models.SET_NULL, null=True, blank=True, related_name="subject_access_requests"
    )
    jurisdiction = models.CharField(
        max_length=20,
        choices=Jurisdiction.choices,
        help_text="Whose law sets the deadline (core/subject_access/deadlines.py).",
    )
    received_on = models.DateField(help_text="The day the council received the (valid) request.")
    due_on = models.DateField(help_text="The last day to answer it, with the extensions granted.")
    state = models.CharField(max_length=20, choices=State.choices, default=State.RECEIVED)
    error = models.CharField(max_length=300, blank=True, help_text="Why the last export failed (never personal data).")
    steps_done = models.PositiveSmallIntegerField(default=0)
    steps_total = models.PositiveSmallIntegerField(default=0)
    recorded_by = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    export_started_by = models.ForeignKey(
        Practitioner, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    export_started_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    files = models.JSONField(
        default=list, blank=True, help_text='The export in private storage: [{"name", "key", "sha256", "size"}].'
    )
    download_nonce = models.CharField(
        max_length=64, blank=True, help_text="Names the export the download link is for; emptied once used."
    )
    link_expires_at = models.DateTimeField(null=True, blank=True)
    downloaded_by = models.ForeignKey(Practitioner, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    downloaded_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(Practitioner, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    close_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["due_on", "received_on", "id"]
        indexes = [models.Index(fields=["state", "due_on"], name="subject_access_open")]
        constraints = [
            models.CheckConstraint(condition=Q(due_on__gte=models.F("received_on")), name="subject_access_due_later")
        ]

    def __str__(self) -> str:
        return f"Subject access request received on {self.received_on:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.state != self.State.CLOSED

    @property
    def is_under_way(self) -> bool:
        return self.state == self.State.EXPORTING

    @property
    def percent_done(self) -> int:
        return 0 if not self.steps_total else min(100, self.steps_done * 100 // self.steps_total)


class SubjectAccessExtension(models.Model):
    """The deadline extended: under which provision, by how much, why, and the due date before and after."""

    request = models.ForeignKey(SubjectAccessRequest, on_delete=models.CASCADE, related_name="extensions")
    code = models.CharField(max_length=40, help_text="The provision (core/subject_access/deadlines.py).")
    amount = models.PositiveSmallIntegerField(help_text="In the provision's unit: months or days.")
    reason = models.CharField(max_length=300)
    due_before = models.DateField()
    due_after = models.DateField()
    extended_by = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="+")
    extended_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["extended_at", "id"]

    def __str__(self) -> str:
        return f"Extended to {self.due_after:%Y-%m-%d}"
