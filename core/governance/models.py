"""Council rules as data. A new council starts with its jurisdiction's defaults (see defaults.py)."""

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
