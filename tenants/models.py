"""A council is a tenant: one PostgreSQL schema holds everything about it and its users."""

import re

from django.core.validators import RegexValidator
from django.db import models
from django_tenants.models import DomainMixin, TenantMixin

from tenants.colours import validate_header_colour
from tenants.jurisdictions import DataRegion, Jurisdiction

SLUG_PATTERN = r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$"
COLOUR_PATTERN = r"^#[0-9a-fA-F]{6}$"


class CouncilStatus(models.TextChoices):
    """Where a council is in its life. Only the moves in tenants/lifecycle.py are allowed."""

    ORDERED = "ordered", "Ordered"
    PROVISIONING = "provisioning", "Provisioning"
    CONFIGURING = "configuring", "Configuring"
    LIVE = "live", "Live"
    SUSPENDED = "suspended", "Suspended"
    OFFBOARDING = "offboarding", "Offboarding"
    CLOSED = "closed", "Closed"


class EmailProvider(models.TextChoices):
    """How a council's email leaves (core/notifications/transports.py)."""

    PLATFORM = "platform", "The platform's email (Amazon SES in the council's data region)"
    NOTIFY = "notify", "GOV.UK Notify (English councils)"


class Council(TenantMixin):
    """A subscribing council. Its schema is created by provisioning, never on save."""

    auto_create_schema = False
    auto_drop_schema = False

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=40, unique=True, validators=[RegexValidator(SLUG_PATTERN)])
    jurisdiction = models.CharField(max_length=20, choices=Jurisdiction.choices)
    data_region = models.CharField(max_length=20, choices=DataRegion.choices)
    locale = models.CharField(max_length=10)
    time_zone = models.CharField(max_length=40)
    brand_colour = models.CharField(
        max_length=7, default="#1d70b8", validators=[RegexValidator(COLOUR_PATTERN), validate_header_colour]
    )
    status = models.CharField(max_length=20, choices=CouncilStatus.choices, default=CouncilStatus.ORDERED)
    # GOV.UK Notify's API key is not kept here: it is the Secrets Manager secret patchwork/<slug>/notify-api-key
    # in the council's data region. The template's subject and body are ((subject)) and ((body)).
    email_provider = models.CharField(
        max_length=10, choices=EmailProvider.choices, default=EmailProvider.PLATFORM, db_default=EmailProvider.PLATFORM
    )
    notify_template_id = models.CharField(max_length=36, blank=True, default="", db_default="")

    provisioning_step = models.CharField(max_length=40, blank=True)
    provisioning_progress = models.PositiveSmallIntegerField(default=0)
    provisioning_error = models.TextField(blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(provisioning_progress__lte=100), name="council_progress_at_most_100"
            ),
            # Notify is for English public bodies, and needs the template its emails are sent with.
            models.CheckConstraint(
                condition=models.Q(email_provider=EmailProvider.PLATFORM)
                | (models.Q(jurisdiction="england") & ~models.Q(notify_template_id="")),
                name="council_notify_only_in_england_with_a_template",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def schema_name_for(slug: str) -> str:
        return "council_" + re.sub(r"[^a-z0-9]", "_", slug)


class Domain(DomainMixin):
    """A host name that resolves to a council (``<slug>.<PLATFORM_DOMAIN>`` or a custom domain)."""

    def __str__(self) -> str:
        return self.domain


class BackupPurpose(models.TextChoices):
    BACKUP = "backup", "Backup"
    FINAL_EXPORT = "final_export", "Final export"


class BackupStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class CouncilBackup(models.Model):
    """An archive of one council: its schema's structure, a CSV per table and its files (tenants/services/backups.py).

    The row says that the archive exists and what it holds in numbers (size, SHA-256, rows per table,
    files): never its content, which the console does not show and has no download of. The archive is
    kept in private storage under ``backups/<schema>/``. Removed with the council's files when it leaves.
    """

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="backups")
    purpose = models.CharField(max_length=20, choices=BackupPurpose.choices, default=BackupPurpose.BACKUP)
    status = models.CharField(max_length=20, choices=BackupStatus.choices, default=BackupStatus.QUEUED)
    step = models.CharField(max_length=80, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    requested_by_id = models.UUIDField(null=True, blank=True, help_text="The platform staff member, if any.")
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    storage_name = models.CharField(max_length=300, blank=True)
    size = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    table_rows = models.JSONField(default=dict, blank=True, help_text="Rows per table, as in the manifest.")
    file_count = models.PositiveIntegerField(default=0)
    file_bytes = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="backup_progress_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} of {self.council_id} ({self.status})"

    @property
    def rows(self) -> int:
        return sum(self.table_rows.values())


class OffboardingStep(models.TextChoices):
    EXPORT = "export", "Making the final export"
    HANDOVER = "handover", "Handing the export over to the council"
    DELETE = "delete", "Deleting the council's data"
    CERTIFICATE = "certificate", "Issuing the deletion certificate"
    DONE = "done", "Done"


class Offboarding(models.Model):
    """A council leaving: the final export, its hand-over, the deletion, and the deletion certificate.

    It outlives the council's data on purpose, beside the ``Council`` row (closed) and its order: it is
    the certificate — what was deleted, when, by whom, with counts and the export's SHA-256 — and
    holds no personal data of clients. The steps are in tenants/services/offboarding.py.
    """

    council = models.OneToOneField(Council, on_delete=models.PROTECT, related_name="offboarding")
    reason = models.CharField(max_length=300)
    started_at = models.DateTimeField(auto_now_add=True)
    started_by_id = models.UUIDField(null=True, blank=True)
    step = models.CharField(max_length=20, choices=OffboardingStep.choices, default=OffboardingStep.EXPORT)
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    running = models.BooleanField(default=False, help_text="A background run was queued and has not finished.")

    # The final export (its archive is deleted with the council's other files; its digest stays here).
    export = models.ForeignKey(CouncilBackup, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    export_sha256 = models.CharField(max_length=64, blank=True)
    export_size = models.BigIntegerField(default=0)
    # The hand-over: a single-use, expiring link to the council's DPO (only the token's digest is kept).
    handover_email = models.EmailField(blank=True)
    handover_token_digest = models.CharField(max_length=64, blank=True)
    handover_sent_at = models.DateTimeField(null=True, blank=True)
    handover_expires_at = models.DateTimeField(null=True, blank=True)
    handed_over_at = models.DateTimeField(null=True, blank=True)
    # Or an operator's recorded decision to delete without a hand-over.
    override_reason = models.CharField(max_length=300, blank=True)
    override_by_id = models.UUIDField(null=True, blank=True)
    override_at = models.DateTimeField(null=True, blank=True)

    deleted_by_id = models.UUIDField(null=True, blank=True)
    deletion = models.JSONField(default=dict, blank=True, help_text="What each deletion step removed, as it went.")
    deleted_at = models.DateTimeField(null=True, blank=True)
    certificate = models.JSONField(null=True, blank=True)
    certificate_sha256 = models.CharField(max_length=64, blank=True)
    certificate_pdf = models.BinaryField(null=True, blank=True)
    certified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="offboarding_progress_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"Offboarding of {self.council_id} ({self.step})"

    @property
    def may_delete(self) -> bool:
        """Deleting waits for the hand-over, or an operator's recorded override."""
        return self.handed_over_at is not None or bool(self.override_reason)


class RestoreMode(models.TextChoices):
    NEW_SCHEMA = "new_schema", "Into a new schema"
    REPLACE = "replace", "Over the council's own schema"


class CouncilRestore(models.Model):
    """A kept backup restored from the console (console/services/backups.py): into a new schema beside the
    council, or over its own. The row says who asked, why, from which archive (its SHA-256) into which schema,
    and how it went — never any of the council's content. The work is ``council_restore`` (services/backups.py).
    """

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="restores")
    # The backup row goes with the council's files when it leaves; its SHA-256 is kept here.
    backup = models.ForeignKey(CouncilBackup, null=True, blank=True, on_delete=models.SET_NULL, related_name="restores")
    backup_sha256 = models.CharField(max_length=64)
    mode = models.CharField(max_length=20, choices=RestoreMode.choices)
    target_schema = models.CharField(max_length=63)
    reason = models.CharField(max_length=300)
    status = models.CharField(max_length=20, choices=BackupStatus.choices, default=BackupStatus.QUEUED)
    step = models.CharField(max_length=80, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    requested_by_id = models.UUIDField(null=True, blank=True, help_text="The platform staff member, if any.")
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    table_rows = models.JSONField(default=dict, blank=True, help_text="Rows per table restored (counts only).")
    files_written = models.PositiveIntegerField(default=0)
    files_removed = models.PositiveIntegerField(default=0)
    cache_keys_deleted = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="restore_progress_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"Restore of {self.council_id} into {self.target_schema} ({self.status})"

    @property
    def rows(self) -> int:
        return sum(self.table_rows.values())

    @property
    def replaces(self) -> bool:
        return self.mode == RestoreMode.REPLACE


class AuditArchive(models.Model):
    """One UTC day of one schema's audit trail, copied to the archive storage (core/audit/services/archive.py).

    In ``public`` for every schema (each council's and the platform's own, ``public``), so the nightly job knows what
    it has written without reading the storage, and never writes a day twice: in production the storage refuses an
    overwrite anyway (S3 Object Lock). The row holds counts and a digest, never the events.
    """

    schema = models.CharField(max_length=63, help_text="The schema whose trail this is (``public``: the platform's).")
    day = models.DateField(help_text="The UTC day the events occurred on.")
    object_name = models.CharField(max_length=200)
    manifest_name = models.CharField(max_length=200)
    rows = models.PositiveIntegerField()
    first_id = models.BigIntegerField(null=True, blank=True)
    last_id = models.BigIntegerField(null=True, blank=True)
    size = models.BigIntegerField(help_text="Bytes of the gzip object.")
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the gzip object, as stored.")
    made_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["schema", "day"]
        constraints = [
            models.UniqueConstraint(fields=["schema", "day"], name="audit_archive_one_per_schema_and_day"),
        ]

    def __str__(self) -> str:
        return f"Audit archive of {self.schema} for {self.day}"
