"""Agencies whose practitioners use Patchwork, and practitioners' profiles."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from core.directory.phones import validate_e164_phone


class AgencyType(models.TextChoices):
    STATUTORY = "statutory", "Statutory (council services)"
    HEALTH = "health", "Health"
    EDUCATION = "education", "Education"
    POLICE = "police", "Police"
    FIRE = "fire", "Fire and rescue"
    VOLUNTARY = "voluntary", "Voluntary and community"


class ApprovalState(models.TextChoices):
    PENDING = "pending", "Awaiting approval"
    APPROVED = "approved", "Approved"
    SUSPENDED = "suspended", "Suspended"


class Agency(models.Model):
    """An organisation whose practitioners use Patchwork in this council."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, unique=True)
    agency_type = models.CharField(max_length=20, choices=AgencyType.choices)
    services = models.CharField(max_length=300, blank=True, help_text="What the agency does, in a few words.")
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=30, blank=True)
    email_domains = ArrayField(
        models.CharField(max_length=253), default=list, blank=True, help_text="Work-email domains of its staff."
    )
    is_sensitive = models.BooleanField(
        default=False, help_text="Its involvement with a client is itself sensitive (e.g. substance misuse)."
    )
    gateway_contact = models.CharField(
        max_length=300, blank=True, help_text="How others reach it about a client when its involvement is hidden."
    )
    approval_state = models.CharField(max_length=20, choices=ApprovalState.choices, default=ApprovalState.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_sensitive=False) | ~models.Q(gateway_contact=""),
                name="sensitive_agency_has_gateway_contact",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ContactMethod(models.TextChoices):
    EMAIL = "email", "Email"
    MOBILE = "mobile", "Mobile"
    LANDLINE = "landline", "Landline"


class Practitioner(models.Model):
    """A person working for one agency, with how to reach them. Names and email are on the account."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="practitioner")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="practitioners")
    job_title = models.CharField(max_length=120)
    expertise = models.CharField(max_length=300, blank=True)
    availability = models.CharField(max_length=120, blank=True, help_text='For example "Mon–Wed".')
    # E.164 ("+447700900123"), parsed per the council's country and shown nationally (core/directory/phones.py).
    mobile = models.CharField(max_length=30, blank=True, validators=[validate_e164_phone])
    landline = models.CharField(max_length=30, blank=True, validators=[validate_e164_phone])
    preferred_contact = models.CharField(max_length=20, choices=ContactMethod.choices, default=ContactMethod.EMAIL)
    photo = models.ImageField(upload_to="practitioners/", blank=True)
    is_agency_manager = models.BooleanField(default=False)
    is_council_admin = models.BooleanField(default=False)
    # Reads the council's audit reports and alerts; appointed by a council administrator (core.council).
    is_privacy_officer = models.BooleanField(default=False)
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self) -> str:
        return f"{self.user.full_name} ({self.agency.name})"


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    AGENCY_MANAGER = "agency_manager", "Agency manager"
    COUNCIL_ADMIN = "council_admin", "Council administrator"


class Invitation(models.Model):
    """An invitation to join this council's Patchwork: single-use, expiring, for one work email.

    Only a hash of the token is stored; the link in the email is the only copy of the token.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField("work email")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PRACTITIONER)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(Practitioner, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation {self.id}"
