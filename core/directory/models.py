"""Agencies whose practitioners use Patchwork, and practitioners' profiles."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone

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
    # The break-glass role the council gave them (the key of one of its rulebook's roles), or "": may open a
    # team they are not in, for a time, with a reason (core/clients/services/break_glass.py).
    break_glass_role = models.CharField(max_length=40, blank=True, default="", db_default="")
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
    email = models.EmailField("work email", db_index=True)  # open invitations to an email are looked up by it
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PRACTITIONER)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(Practitioner, on_delete=models.SET_NULL, null=True, related_name="+")
    # What the inviter already knows of the person (a bulk import gives it): offered on the account page.
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField("surname", max_length=100, blank=True)
    job_title = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation {self.id}"


class ImportKind(models.TextChoices):
    AGENCIES = "agencies", "Agencies"
    PRACTITIONERS = "practitioners", "Practitioners"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Importing"
    DONE = "done", "Finished"
    FAILED = "failed", "Stopped"


class ImportJob(models.Model):
    """One CSV file of agencies or practitioners uploaded by a council administrator, imported in the background.

    The counts are saved after each chunk of rows, in the chunk's own transaction, so they always say how far
    the import has really gone, and a run that is interrupted resumes after the last chunk it saved.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    uploaded_by = models.ForeignKey(Practitioner, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    file_name = models.CharField(max_length=200, blank=True)
    csv_text = models.TextField(help_text="The file as uploaded, decoded (UTF-8); emptied when the import ends.")
    status = models.CharField(max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    imported_rows = models.PositiveIntegerField(default=0)
    skipped_rows = models.PositiveIntegerField(
        default=0, help_text="Already there: an agency of that name, or a person with an account or an open invitation."
    )
    failed_rows = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    progressed_at = models.DateTimeField(null=True, blank=True, help_text="When its last chunk was saved.")
    finished_at = models.DateTimeField(null=True, blank=True)
    stopped_because = models.CharField(max_length=300, blank=True)
    # Where the upload came from: the audit trail of what the import does, and the links in invitation emails.
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    path = models.CharField(max_length=200, blank=True)
    site_url = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"Import {self.id}"

    @property
    def percent_done(self) -> int:
        return 100 if not self.total_rows else self.processed_rows * 100 // self.total_rows

    @property
    def is_under_way(self) -> bool:
        return self.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)


class ImportProblem(models.Model):
    """A row of an import that was not imported, why, and the row's own values (for the error report)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="problems")
    row_number = models.PositiveIntegerField(help_text="As a spreadsheet numbers it: the headers are row 1.")
    column = models.CharField(max_length=50, blank=True)
    problem = models.CharField(max_length=300)
    values = models.JSONField(default=list, help_text="The row's values, in the order of the import's columns.")

    class Meta:
        ordering = ["row_number", "id"]

    def __str__(self) -> str:
        return f"Row {self.row_number}: {self.problem}"
