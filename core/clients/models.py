"""The minimum needed to identify a client, the families they belong to, and involvements.

No case notes, no free text about the client, no attachments: Patchwork is not case management.
"""

import uuid

from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.clients.identifiers import (
    validate_nhs_number,
    validate_unique_pupil_number,
    validate_victorian_student_number,
)
from core.directory.models import Practitioner
from core.governance.models import LegalBasis


class Client(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    first_name = models.CharField(max_length=100)
    surname = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    address_line = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    # Identifiers per jurisdiction, each with its check (core/clients/identifiers.py): an English council records
    # the NHS number and the Unique Pupil Number, a Victorian council the Victorian Student Number.
    nhs_number = models.CharField("NHS number", max_length=10, blank=True, validators=[validate_nhs_number])
    unique_pupil_number = models.CharField(max_length=13, blank=True, validators=[validate_unique_pupil_number])
    victorian_student_number = models.CharField(
        max_length=9, blank=True, default="", db_default="", validators=[validate_victorian_student_number]
    )
    local_case_id = models.CharField("local case-system id", max_length=40, blank=True)

    legal_basis = models.ForeignKey(LegalBasis, on_delete=models.PROTECT, related_name="clients")
    consent_given_by = models.CharField(max_length=200, blank=True, help_text='For example "the client" or "mother".')
    consent_given_on = models.DateField(null=True, blank=True)
    # Consent withdrawn: the client is found only by their current team.
    withheld_from_search_since = models.DateTimeField(null=True, blank=True)
    # Restricted by the privacy officer (UK GDPR Art 18), separately from consent: found only by the current team.
    restricted_since = models.DateTimeField(null=True, blank=True)
    restricted_by = models.ForeignKey(Practitioner, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    restriction_reason = models.CharField(max_length=300, blank=True)

    created_by = models.ForeignKey(Practitioner, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["surname", "date_of_birth"], name="client_surname_dob"),
            models.Index(fields=["date_of_birth"], name="client_dob"),
            models.Index(fields=["postcode"], name="client_postcode"),
            models.Index(fields=["nhs_number"], name="client_nhs_number", condition=~Q(nhs_number="")),
            models.Index(fields=["unique_pupil_number"], name="client_upn", condition=~Q(unique_pupil_number="")),
            models.Index(
                fields=["victorian_student_number"], name="client_vsn", condition=~Q(victorian_student_number="")
            ),
            models.Index(fields=["local_case_id"], name="client_local_case_id", condition=~Q(local_case_id="")),
            GinIndex(fields=["surname"], opclasses=["gin_trgm_ops"], name="client_surname_trgm"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.surname}"

    @property
    def postcode_district(self) -> str:
        """The outward part of a UK postcode ("WS13"), or the whole of an Australian one: never the full address."""
        return self.postcode.split(" ")[0] if " " in self.postcode else self.postcode


class ClientAlias(models.Model):
    """A previous name or another name the client is known by."""

    class Kind(models.TextChoices):
        PREVIOUS = "previous", "Previous name"
        ALIAS = "alias", "Also known as"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="aliases")
    first_name = models.CharField(max_length=100, blank=True)
    surname = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PREVIOUS)

    class Meta:
        verbose_name_plural = "client aliases"
        indexes = [GinIndex(fields=["surname"], opclasses=["gin_trgm_ops"], name="alias_surname_trgm")]

    def __str__(self) -> str:
        return f"{self.first_name} {self.surname}".strip()


class Family(models.Model):
    """A household: clients and how they are related."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=120, help_text='For example "Hughes household".')
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "families"

    def __str__(self) -> str:
        return self.name


class FamilyMember(models.Model):
    class Relationship(models.TextChoices):
        PARENT = "parent", "Parent"
        CARER = "carer", "Carer"
        CHILD = "child", "Child"
        SIBLING = "sibling", "Sibling"
        PARTNER = "partner", "Partner"
        GRANDPARENT = "grandparent", "Grandparent"
        OTHER = "other", "Other relative"

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="members")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="family_memberships")
    relationship = models.CharField(max_length=20, choices=Relationship.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["family", "client"], name="family_member_once")]

    def __str__(self) -> str:
        return f"{self.get_relationship_display()} in {self.family_id}"


class Involvement(models.Model):
    """A practitioner working with a client (FHIR R4 CareTeam.participant). No notes, by design."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="involvements")
    practitioner = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="involvements")
    role = models.CharField(max_length=120, help_text='Role in the case, for example "Social worker".')
    is_lead = models.BooleanField("lead professional", default=False)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    last_contact_on = models.DateField(null=True, blank=True)
    next_contact_on = models.DateField(null=True, blank=True)
    join_reason = models.CharField(max_length=300, blank=True, help_text="Why they joined the team (required).")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "practitioner"], condition=Q(ended_on__isnull=True), name="one_current_involvement"
            ),
            models.UniqueConstraint(
                fields=["client"], condition=Q(ended_on__isnull=True, is_lead=True), name="one_current_lead"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="involvement_ends_after_it_starts",
            ),
        ]
        indexes = [models.Index(fields=["practitioner", "ended_on"], name="involvement_practitioner")]

    def __str__(self) -> str:
        return f"{self.role} ({'current' if self.is_current else 'ended'})"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None


class TeamActivity(models.Model):
    """What changed in a client's team, by whom and when. No personal data about the client."""

    class Kind(models.TextChoices):
        CLIENT_ADDED = "client_added", "added the client"
        JOINED = "joined", "joined the team"
        LEFT = "left", "left the team"
        INVITED = "invited", "invited a colleague"
        LEAD_CHANGED = "lead_changed", "became lead professional"
        UPDATED = "updated", "updated their involvement"
        CORRECTED = "corrected", "corrected the client's details"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="activity")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(Practitioner, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name_plural = "team activity"

    def __str__(self) -> str:
        return self.get_kind_display()


class TeamInvitation(models.Model):
    """A practitioner asks a colleague — registered, or not yet, by work email — to join a client's team."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="team_invitations")
    invited_by = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="+")
    invitee = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, null=True, blank=True, related_name="team_invitations"
    )
    invitee_email = models.EmailField(blank=True, help_text="For someone not yet registered.")
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(invitee__isnull=False) | ~Q(invitee_email=""), name="team_invitation_has_invitee"
            ),
        ]

    def __str__(self) -> str:
        return f"Team invitation {self.id}"


class Consent(models.Model):
    """The client's consent to share the involvement of services the council shows only with consent.

    Who gave it, their relationship to the client, when, what it covers and the evidence; withdrawn, it
    stays as a record of what was agreed and when that ended."""

    class Relationship(models.TextChoices):
        CLIENT = "client", "The client"
        PARENT = "parent", "Parent"
        GUARDIAN = "guardian", "Guardian or person with parental responsibility"
        CARER = "carer", "Carer"
        ATTORNEY = "attorney", "Attorney or deputy"
        OTHER = "other", "Other"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="consents")
    given_by = models.CharField(max_length=200, help_text='Who gave it, for example "Jade Hughes".')
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    given_on = models.DateField()
    covers_all_services = models.BooleanField(
        default=True, help_text="Covers every service shown with consent; otherwise only those listed."
    )
    services = models.ManyToManyField("directory.Agency", blank=True, related_name="+")
    evidence = models.CharField(max_length=300, help_text='How it was given, for example "signed form, on file".')
    recorded_by = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(Practitioner, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    withdrawal_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-given_on", "-recorded_at"]
        indexes = [models.Index(fields=["client"], condition=Q(withdrawn_on__isnull=True), name="consent_current")]

    def __str__(self) -> str:
        return f"Consent given on {self.given_on}"

    @property
    def is_current(self) -> bool:
        return self.withdrawn_on is None


class JoinRequest(models.Model):
    """A practitioner asks to join a team whose council wants the lead professional to approve joining."""

    class Decision(models.TextChoices):
        PENDING = "pending", "Waiting for the lead professional"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="join_requests")
    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="join_requests")
    role = models.CharField(max_length=120)
    reason = models.CharField(max_length=300)
    requested_at = models.DateTimeField(default=timezone.now)
    decision = models.CharField(max_length=20, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(Practitioner, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "practitioner"], condition=Q(decision="pending"), name="one_pending_join_request"
            ),
        ]

    def __str__(self) -> str:
        return f"Join request {self.id} ({self.decision})"


class BreakGlassAccess(models.Model):
    """A practitioner in a break-glass role opened a team they are not in: why, until when, and the privacy
    officer's review of it."""

    class Review(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        ACCEPTED = "accepted", "Accepted"
        CHALLENGED = "challenged", "Challenged"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="break_glass_accesses")
    practitioner = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="break_glass_accesses")
    role = models.CharField(max_length=80, help_text="The break-glass role's name when it was opened.")
    reason = models.CharField(max_length=120, help_text="One of the council's reasons.")
    explanation = models.CharField(max_length=500)
    opened_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True, help_text="Closed by the practitioner before it expired.")
    review = models.CharField(max_length=20, choices=Review.choices, default=Review.PENDING)
    reviewed_by = models.ForeignKey(Practitioner, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["practitioner", "expires_at"], name="break_glass_practitioner")]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("opened_at")), name="break_glass_expires_later")
        ]

    def __str__(self) -> str:
        return f"Break-glass access {self.id}"
