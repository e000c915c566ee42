"""The council's own governance records: its DPIA and DPO, and its data-sharing agreements.

Its name, colour and time zone are on the platform's ``tenants.Council`` row (they are read before
the council's schema is chosen); what only the council's own site needs lives here, in its schema.
"""

import uuid

from django.db import models

from core.council.storage import private_storage
from core.directory.models import Agency, Practitioner

GOVERNANCE_ROW = 1


class CouncilGovernance(models.Model):
    """One row: the council's DPIA reference, its Data Protection Officer, its support contact."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=GOVERNANCE_ROW, editable=False)
    dpia_reference = models.CharField("DPIA reference", max_length=120, blank=True)
    dpo_name = models.CharField("Data Protection Officer's name", max_length=200, blank=True)
    dpo_email = models.EmailField("Data Protection Officer's email", blank=True)
    dpo_phone = models.CharField("Data Protection Officer's phone", max_length=30, blank=True)
    support_contact = models.CharField(
        max_length=300, blank=True, help_text="Who practitioners contact about Patchwork, shown on every page."
    )
    # Council administrators and privacy officers must sign in with a passkey (SECURITY.md AUTH-2).
    passkeys_required = models.BooleanField(default=False, db_default=False)
    legal_bases_reviewed_at = models.DateTimeField(null=True, blank=True)
    legal_bases_reviewed_by = models.ForeignKey(
        Practitioner, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "council governance"
        verbose_name_plural = "council governance"
        constraints = [
            models.CheckConstraint(condition=models.Q(id=GOVERNANCE_ROW), name="council_governance_one_row"),
        ]

    def __str__(self) -> str:
        return "Council governance"


class DataSharingAgreement(models.Model):
    """A signed data-sharing agreement between the council and its agencies. Never changed: a new one is
    recorded instead, and the latest recorded is the one in force."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    parties = models.ManyToManyField(Agency, related_name="data_sharing_agreements")
    signed_on = models.DateField()
    review_on = models.DateField()
    document = models.FileField(storage=private_storage, max_length=200)
    document_size = models.PositiveIntegerField()
    recorded_by = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at"]
        get_latest_by = "recorded_at"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(review_on__gt=models.F("signed_on")), name="agreement_review_after_signing"
            ),
        ]

    def __str__(self) -> str:
        return f"Data-sharing agreement signed on {self.signed_on:%Y-%m-%d}"
