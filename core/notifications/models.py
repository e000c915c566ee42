"""A transactional outbox for email (ARCHITECTURE.md, Asynchronous work and email).

A notification row commits in the same transaction as the change it announces, so a change is
never announced without happening, nor happens without its announcement being kept. After commit a dispatcher
task delivers it, retrying with backoff; after the last attempt it is dead-lettered for an operator
(services/delivery.py, docs/adr/0018-email-delivery.md).

A body that carries a secret (an invitation or password-reset link) is kept only while it waits:
once delivered, or once the last attempt has failed, it is replaced with a neutral text, so that
whoever can read this table cannot use the link.
"""

import uuid

from django.contrib.postgres.functions import RandomUUID
from django.db import models
from django.utils import timezone


class DeliveryState(models.TextChoices):
    WAITING = "waiting", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    DEAD = "dead", "Not delivered: on the dead-letter list"


class Notification(models.Model):
    # Sent with the email to the provider (a header, a tag, Notify's reference), so that every attempt at one
    # delivery carries the same key.
    idempotency_key = models.UUIDField(default=uuid.uuid4, db_default=RandomUUID(), unique=True, editable=False)
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.WAITING, db_default=DeliveryState.WAITING
    )
    # A dispatcher that takes a row holds it until this moment; one that dies leaves it to be taken again after.
    lease_until = models.DateTimeField(null=True, blank=True)
    provider_reference = models.CharField(max_length=200, blank=True, help_text="The provider's id for the message.")
    to = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField(help_text="Never client personal data: what kind of change, and a link.")
    holds_secret = models.BooleanField(
        default=False,
        help_text="The body carries a secret (a single-use link): it is replaced once delivered, or given up on.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_error = models.CharField(max_length=200, blank=True)
    dead_at = models.DateTimeField(null=True, blank=True)
    # One attachment at most: a meeting's iCalendar invitation (text), or an invoice's PDF (bytes). No client
    # personal data, like the body.
    attachment_name = models.CharField(max_length=100, blank=True)
    attachment_type = models.CharField(max_length=100, blank=True)
    attachment_text = models.TextField(blank=True)
    attachment_data = models.BinaryField(blank=True, default=b"", db_default=b"")

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="notification_waiting",
                condition=models.Q(sent_at__isnull=True, dead_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"Notification {self.pk} ({self.state})"
