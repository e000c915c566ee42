"""Council rules as data. A new council starts with its jurisdiction's defaults (see defaults.py)."""

from django.db import models


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
