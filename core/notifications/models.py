"""A transactional outbox for email (ARCHITECTURE.md, Asynchronous work and email).

A notification row commits in the same transaction as the change it announces, so a change is
never announced without happening, nor happens without its announcement being kept. Delivery is
attempted right after commit and retried with backoff until it succeeds.

A body that carries a secret (an invitation or password-reset link) is kept only while it waits:
once delivered, or once the last attempt has failed, it is replaced with a neutral text, so that
whoever can read this table cannot use the link.
"""

from django.db import models
from django.utils import timezone


class Notification(models.Model):
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

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Notification {self.pk} ({'sent' if self.sent_at else 'waiting'})"
