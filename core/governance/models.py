"""Council rules as data, and the alerts the privacy officer reviews. A new council starts with its jurisdiction's
defaults (see defaults.py)."""

import uuid

from django.db import models
from django.utils import timezone


class LegalBasis(models.Model):
    """A basis on which the council holds a client's record: consent, or a statutory power."""

    code = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    requires_consent = models.BooleanField(
        default=False, help_text="Records held on this basis must say who consented and when."
    )
    is_accepted = models.BooleanField(default=True, help_text="Whether the council accepts this basis for new records.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "title"]
        verbose_name_plural = "legal bases"

    def __str__(self) -> str:
        return self.title


class RulebookVersion(models.Model):
    """One version of the council's rulebook (core/governance/rules.py): the whole rule set, who changed it,
    when and why. The newest version is in force; none is ever changed or removed, so the history reads
    back exactly what applied at any moment."""

    number = models.PositiveIntegerField(unique=True)
    rules = models.JSONField(help_text="The whole rule set (Rules.to_json).")
    changes = models.JSONField(default=list, blank=True, help_text="What this version changed, in words.")
    reason = models.CharField(max_length=300, help_text="Why the council changed its rules.")
    changed_by = models.ForeignKey(
        "directory.Practitioner", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"Rulebook version {self.number}"


# What the privacy officer watches: alerts raised by the anomaly job (core/privacy/anomalies.py) and at once by
# every break-glass access, each with its evidence, assigned to someone and closed with an outcome.


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
    practitioner = models.ForeignKey("directory.Practitioner", on_delete=models.PROTECT, related_name="alerts")
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
    assigned_to = models.ForeignKey(
        "directory.Practitioner", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.CharField(max_length=1000, blank=True)
    closed_by = models.ForeignKey(
        "directory.Practitioner", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
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
