"""The notification centre: one row per thing a person was told in the app, and how each wants email.

A notice says what kind of thing happened and links to it, like the email that may go with it: never a
client's personal data. The client it concerns is kept as an id (``client_id``), not a foreign key, because
this app sits below the clients app; the clients' erasure removes a client's notices by that id.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class NoticeKind(models.TextChoices):
    TEAM_CHANGE = "team_change", "A change in a team"
    MESSAGE = "message", "A message to the team"
    MEETING = "meeting", "A meeting"
    TASK = "task", "A task"
    STILL_INVOLVED = "still_involved", "Are you still involved?"
    JOIN_REQUEST = "join_request", "A request to join a team"
    CONSENT = "consent", "Consent"
    ACCOUNT = "account", "Your account"


class Notice(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=20, choices=NoticeKind.choices)
    # Room for a sentence naming who did what and a practitioner's short note (a declined request to join).
    text = models.CharField(max_length=500, help_text="What happened, without client personal data.")
    link = models.CharField(max_length=300, help_text="A path on the council's site.")
    client_id = models.UUIDField(null=True, blank=True, db_index=True, help_text="The client it concerns, if any.")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # When the person was emailed about it: at once, or in a daily digest. Empty: waiting for the digest.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notice_recipient_recent"),
            models.Index(fields=["recipient"], name="notice_unread", condition=models.Q(read_at__isnull=True)),
            models.Index(
                fields=["recipient", "created_at"],
                name="notice_awaiting_digest",
                condition=models.Q(emailed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({'read' if self.read_at else 'unread'})"


class EmailFrequency(models.TextChoices):
    IMMEDIATE = "immediate", "As each thing happens"
    DAILY_DIGEST = "daily_digest", "Once a day, in a summary"


class NotificationPreference(models.Model):
    """How a person wants to be emailed. Without a row: as each thing happens."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="notification_preference"
    )
    email_frequency = models.CharField(max_length=20, choices=EmailFrequency.choices, default=EmailFrequency.IMMEDIATE)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.get_email_frequency_display()
