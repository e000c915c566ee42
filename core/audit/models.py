"""Audit events: who did what, to what, why, when, from where, and with what outcome.

Append-only: the database itself refuses UPDATE, DELETE and TRUNCATE on this table (a trigger, see
migration 0002). Events carry ids, never names or other personal data about clients.
"""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models


class AuditAction(models.TextChoices):
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    SECOND_FACTOR_FAILED = "second_factor_failed", "Second factor failed"
    LOCKED_OUT = "locked_out", "Locked out"
    UNLOCKED = "unlocked", "Unlocked"
    SIGN_OUT = "sign_out", "Signed out"
    SESSION_EXPIRED = "session_expired", "Session expired"
    SESSIONS_ENDED = "sessions_ended", "Other sessions ended"
    DEVICE_ENROLLED = "device_enrolled", "Second factor set up"
    BACKUP_CODES_ISSUED = "backup_codes_issued", "Backup codes issued"
    PASSWORD_RESET_REQUESTED = "password_reset_requested", "Password reset requested"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    INVITATION_SENT = "invitation_sent", "Invitation sent"
    INVITATION_ACCEPTED = "invitation_accepted", "Invitation accepted"
    INVITATION_REFUSED = "invitation_refused", "Invitation refused"
    PRACTITIONER_VERIFIED = "practitioner_verified", "Practitioner verified"
    ROLE_CHANGED = "role_changed", "Role changed"
    ACCOUNT_DEACTIVATED = "account_deactivated", "Account deactivated"
    ACCOUNT_REACTIVATED = "account_reactivated", "Account reactivated"
    ACCESS_DENIED = "access_denied", "Access denied"
    PROFILE_UPDATED = "profile_updated", "Profile updated"
    CLIENT_SEARCH = "client_search", "Searched for a client"
    CLIENT_VIEWED = "client_viewed", "Viewed a client's team"
    CLIENT_ADDED = "client_added", "Added a client"
    INVOLVEMENT_STARTED = "involvement_started", "Joined a client's team"
    INVOLVEMENT_UPDATED = "involvement_updated", "Updated an involvement"
    INVOLVEMENT_ENDED = "involvement_ended", "Ended an involvement"
    TEAM_INVITATION_SENT = "team_invitation_sent", "Invited a colleague to a team"
    CLIENT_CORRECTED = "client_corrected", "Corrected a client's details"
    AGENCY_CREATED = "agency_created", "Agency created"
    AGENCY_UPDATED = "agency_updated", "Agency changed"
    AGENCY_APPROVED = "agency_approved", "Agency approved"
    AGENCY_SUSPENDED = "agency_suspended", "Agency suspended"
    ORDER_PLACED = "order_placed", "Placed an order from the catalogue"
    COUNCIL_STATUS_CHANGED = "council_status_changed", "Changed a council's status"
    ORDER_APPROVED = "order_approved", "Approved an order"
    ORDER_REJECTED = "order_rejected", "Rejected an order"
    PROVISIONING_RETRIED = "provisioning_retried", "Retried a council's provisioning"
    COUNCIL_PROFILE_CHANGED = "council_profile_changed", "Changed the council's profile"
    COUNCIL_GOVERNANCE_CHANGED = "council_governance_changed", "Changed the council's DPIA or DPO details"
    LEGAL_BASIS_CHANGED = "legal_basis_changed", "Accepted or retired a legal basis"
    LEGAL_BASES_REVIEWED = "legal_bases_reviewed", "Reviewed the legal bases"
    AGREEMENT_RECORDED = "agreement_recorded", "Recorded a data-sharing agreement"
    AGREEMENT_DOWNLOADED = "agreement_downloaded", "Downloaded a data-sharing agreement"
    PRIVACY_OFFICER_APPOINTED = "privacy_officer_appointed", "Appointed a privacy officer"
    PRIVACY_OFFICER_REMOVED = "privacy_officer_removed", "Removed a privacy officer"
    IMPORT_STARTED = "import_started", "Started a bulk import"
    IMPORT_FINISHED = "import_finished", "Finished a bulk import"
    IMPORT_REPORT_DOWNLOADED = "import_report_downloaded", "Downloaded a bulk import's error report"
    RULEBOOK_CHANGED = "rulebook_changed", "Changed the council's rules"
    BREAK_GLASS_ROLE_CHANGED = "break_glass_role_changed", "Gave or took away a break-glass role"
    CONSENT_RECORDED = "consent_recorded", "Recorded a client's consent"
    CONSENT_WITHDRAWN = "consent_withdrawn", "Recorded that consent was withdrawn"
    JOIN_REQUESTED = "join_requested", "Asked to join a client's team"
    JOIN_APPROVED = "join_approved", "Approved a request to join a team"
    JOIN_DECLINED = "join_declined", "Declined a request to join a team"
    BREAK_GLASS_OPENED = "break_glass_opened", "Opened a team by break-glass"
    BREAK_GLASS_ENDED = "break_glass_ended", "Closed a break-glass access"
    BREAK_GLASS_REVIEWED = "break_glass_reviewed", "Reviewed a break-glass access"
    ACCESS_REPORT_VIEWED = "access_report_viewed", "Viewed who accessed a client or what a practitioner did"
    ACCESS_REPORT_EXPORTED = "access_report_exported", "Exported an access report"
    ALERT_RAISED = "alert_raised", "An alert was raised"
    ALERT_ASSIGNED = "alert_assigned", "Assigned an alert"
    ALERT_CLOSED = "alert_closed", "Closed an alert"
    SUBJECT_ACCESS_RECORDED = "subject_access_recorded", "Recorded a subject access request"
    SUBJECT_ACCESS_EXPORTED = "subject_access_exported", "Exported everything held about a client"
    SUBJECT_ACCESS_DOWNLOADED = "subject_access_downloaded", "Downloaded a subject access export"
    SUBJECT_ACCESS_EXTENDED = "subject_access_extended", "Extended a subject access deadline"
    SUBJECT_ACCESS_CLOSED = "subject_access_closed", "Closed a subject access request"
    CLIENT_RESTRICTED = "client_restricted", "Restricted a client's record"
    CLIENT_RESTRICTION_LIFTED = "client_restriction_lifted", "Lifted the restriction on a client's record"
    LEGAL_HOLD_PLACED = "legal_hold_placed", "Placed a client's record on legal hold"
    LEGAL_HOLD_LIFTED = "legal_hold_lifted", "Lifted a legal hold"
    RETENTION_RUN_PREPARED = "retention_run_prepared", "Listed the records past their retention"
    RETENTION_RUN_APPROVED = "retention_run_approved", "Approved the erasure of records past their retention"
    RETENTION_RUN_REJECTED = "retention_run_rejected", "Rejected a list of records past their retention"
    RECORDS_ERASED = "records_erased", "Erased records"
    ERASURE_REQUESTED = "erasure_requested", "Recorded a request for erasure"
    ERASURE_DECIDED = "erasure_decided", "Decided a request for erasure"
    COUNCIL_BACKED_UP = "council_backed_up", "Backed up a council"
    COUNCIL_RESTORED = "council_restored", "Restored a council from a backup"
    COUNCIL_EXPORT_HANDED_OVER = "council_export_handed_over", "Handed over a council's final export"
    COUNCIL_OFFBOARDED = "council_offboarded", "Deleted a council's data and issued its certificate"
    TEAM_MESSAGE_SENT = "team_message_sent", "Sent a message to a team"
    MEETING_ARRANGED = "meeting_arranged", "Invited team members to a meeting"
    MEETING_CHANGED = "meeting_changed", "Changed a meeting"
    MEETING_CANCELLED = "meeting_cancelled", "Cancelled a meeting"
    MEETING_REPLIED = "meeting_replied", "Replied to a meeting invitation"
    TEAM_TASK_ASSIGNED = "team_task_assigned", "Assigned a task in a team"
    TEAM_TASK_DONE = "team_task_done", "Marked a task done"
    STILL_INVOLVED_ANSWERED = "still_involved_answered", "Answered whether still involved"
    NOTIFICATION_SETTINGS_CHANGED = "notification_settings_changed", "Changed how they are told of changes"
    DELIVERY_RETRIED = "delivery_retried", "Retried an undelivered email"
    # Billing (the platform's own audit, in ``public``; the council's administrators see their own invoices).
    PRICE_SET = "price_set", "Set a price from a date"
    BILLING_ACCOUNT_OPENED = "billing_account_opened", "Opened a council's billing account"
    BILLING_DETAILS_CHANGED = "billing_details_changed", "Changed the purchase order number or billing contact"
    USAGE_METERED = "usage_metered", "Counted a month's active practitioners"
    INVOICE_ISSUED = "invoice_issued", "Issued an invoice"
    CREDIT_NOTE_ISSUED = "credit_note_issued", "Issued a credit note"
    INVOICE_PAID = "invoice_paid", "Recorded an invoice as paid"
    INVOICE_REMINDED = "invoice_reminded", "Reminded a council of an overdue invoice"
    INVOICE_DOWNLOADED = "invoice_downloaded", "Downloaded an invoice"
    # Support access (SECURITY.md AZ-4): in the council's own audit, and the operator's side in the platform's.
    SUPPORT_REQUESTED = "support_requested", "Platform staff asked for support access"
    SUPPORT_GRANTED = "support_granted", "Granted support access"
    SUPPORT_REFUSED = "support_refused", "Refused support access"
    SUPPORT_ENDED = "support_ended", "Ended support access"
    SUPPORT_EXPIRED = "support_expired", "Support access ran out"
    SUPPORT_PAGE_VIEWED = "support_page_viewed", "Platform staff viewed a page under support access"
    # Signing in the way each agency already does (SECURITY.md AUTH-2).
    IDENTITY_PROVIDER_CHANGED = "identity_provider_changed", "Changed an agency's single sign-on"
    SSO_LINKED = "sso_linked", "Linked an account to its agency's single sign-on"
    PASSKEY_ADDED = "passkey_added", "Added a passkey"
    PASSKEY_REMOVED = "passkey_removed", "Removed a passkey"
    PASSKEYS_REQUIRED_CHANGED = "passkeys_required_changed", "Changed who must sign in with a passkey"
    API_CLIENT_CREATED = "api_client_created", "Created an API client"
    API_CLIENT_ROTATED = "api_client_rotated", "Rotated an API client's secret"
    API_CLIENT_REVOKED = "api_client_revoked", "Revoked an API client"
    API_TOKEN_ISSUED = "api_token_issued", "An API client was given an access token"
    API_TOKEN_REFUSED = "api_token_refused", "An API client was refused an access token"
    API_CALLED = "api_called", "An API client called the API"


class ActorType(models.TextChoices):
    PERSON = "", "A person (or nobody: a scheduled job)"
    API_CLIENT = "api_client", "An API client (``actor_id`` is the client's id)"


class AuditOutcome(models.TextChoices):
    SUCCESS = "success", "Success"
    FAILURE = "failure", "Failure"
    DENIED = "denied", "Denied"


class AuditEvent(models.Model):
    occurred_at = models.DateTimeField(db_default=models.functions.Now(), db_index=True)
    # The actor's account id, not a foreign key: the trail outlives the account, and the table
    # never changes once written (no cascades).
    actor_id = models.UUIDField(null=True, blank=True, db_index=True)
    # Whose id ``actor_id`` is: a person's account, or an API client acting for its agency.
    actor_type = models.CharField(max_length=20, choices=ActorType.choices, blank=True, default="", db_default="")
    council = models.CharField(max_length=63, help_text="The schema the event happened in.")
    action = models.CharField(max_length=40, choices=AuditAction.choices)
    outcome = models.CharField(max_length=10, choices=AuditOutcome.choices)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    related_ids = ArrayField(
        models.CharField(max_length=64),
        default=list,
        blank=True,
        help_text="For a search: the clients it returned; for a team view: the family members shown with it.",
    )
    reason = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    path = models.CharField(max_length=200, blank=True, help_text="The route, never its query string.")
    changes = models.JSONField(
        null=True,
        blank=True,
        help_text='For a correction: {field: {"old": …, "new": …}}. Personal data: kept here only, never logged.',
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            # "Who accessed this client": the client is the object, or one of a search's hits / a team
            # view's family members.
            GinIndex(fields=["related_ids"], name="audit_related_ids"),
            # One practitioner's activity, and the anomaly job's scan of a period.
            models.Index(fields=["actor_id", "occurred_at"], name="audit_actor_time"),
            # Who signed in during a month (billing counts them): the sign-ins alone, read from the index.
            models.Index(
                fields=["occurred_at", "actor_id"],
                condition=models.Q(action="sign_in", outcome="success"),
                name="audit_sign_ins",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} ({self.outcome})"
