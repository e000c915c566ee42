"""What the privacy officer watches: alerts raised by the anomaly job (core/privacy/anomalies.py), each with
its evidence, assigned to someone and closed with an outcome."""

import uuid

from django.db import models
from django.utils import timezone

from core.directory.models import Practitioner


class AlertKind(models.TextChoices):
    SEARCHES_WITHOUT_INVOLVEMENT = "searches_without_involvement", "Searches that led to no involvement"
    BURST = "burst", "A burst of searches"
    OUT_OF_HOURS = "out_of_hours", "Searches out of hours"
    MANY_CLIENTS = "many_clients", "Many different clients viewed"
    OWN_SURNAME = "own_surname", "A search for their own surname"
    BREAK_GLASS = "break_glass", "A team opened by break-glass"


class Alert(models.Model):
    class State(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    class Outcome(models.TextChoices):
        NO_CONCERN = "no_concern", "No concern: the access was justified"
        ADVICE_GIVEN = "advice_given", "Advice given to the practitioner"
        REFERRED = "referred", "Referred to the practitioner's agency"
        BREACH = "breach", "Recorded as a data breach"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=40, choices=AlertKind.choices)
    practitioner = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="alerts")
    # The period the evidence covers; with kind and practitioner, it makes the alert unique: running the
    # job again over the same period raises nothing new.
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    evidence = models.JSONField(
        default=dict, help_text="Counts, the audit events and the client ids behind the alert (ids, never names)."
    )
    summary = models.CharField(max_length=300)
    raised_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    assigned_to = models.ForeignKey(Practitioner, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.CharField(max_length=1000, blank=True)
    closed_by = models.ForeignKey(Practitioner, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "practitioner", "period_start"], name="alert_once_per_period"),
            models.CheckConstraint(
                condition=models.Q(state="open") | ~models.Q(outcome=""), name="closed_alert_has_outcome"
            ),
        ]
        indexes = [models.Index(fields=["state", "raised_at"], name="alert_state")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_state_display()})"
