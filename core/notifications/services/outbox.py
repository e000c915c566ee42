"""Queue email in the outbox; deliver it after commit; retry what failed with backoff."""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from core.notifications.models import Notification
from tenants.transactions import on_commit_in_this_schema

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
MAX_BACKOFF = datetime.timedelta(hours=1)


def notification_queue(*, to: list[str], subject: str, body: str) -> list[Notification]:
    """Write the emails in the caller's transaction; try to deliver them as soon as it commits."""
    rows = Notification.objects.bulk_create(Notification(to=address, subject=subject, body=body) for address in to)
    ids = [row.pk for row in rows]
    on_commit_in_this_schema(lambda: notifications_deliver(ids=ids))
    return rows


def notifications_deliver(*, ids: list[int] | None = None, now: datetime.datetime | None = None) -> int:
    """Send waiting notifications that are due (all of them, or ``ids``). Returns how many were sent.

    Never raises: a failure is recorded on the row, and the row waits for its next attempt
    (1, 2, 4 … minutes, at most an hour apart; after MAX_ATTEMPTS it stays for an operator).
    Rows are locked while being sent, so two deliverers never send the same email twice.
    """
    now = now or timezone.now()
    sent = 0
    with transaction.atomic():
        due = Notification.objects.select_for_update(skip_locked=True).filter(
            sent_at__isnull=True, next_attempt_at__lte=now, attempts__lt=MAX_ATTEMPTS
        )
        if ids is not None:
            due = due.filter(pk__in=ids)
        for notification in due:
            try:
                EmailMessage(
                    notification.subject, notification.body, settings.DEFAULT_FROM_EMAIL, [notification.to]
                ).send()
            except Exception as error:  # the email provider's failure, whatever it is: retry later
                notification.attempts += 1
                backoff = min(datetime.timedelta(minutes=2 ** (notification.attempts - 1)), MAX_BACKOFF)
                notification.next_attempt_at = now + backoff
                notification.last_error = type(error).__name__[:200]
                notification.save(update_fields=["attempts", "next_attempt_at", "last_error"])
                logger.warning("Notification %s not delivered (attempt %s)", notification.pk, notification.attempts)
            else:
                notification.attempts += 1
                notification.sent_at = now
                notification.save(update_fields=["attempts", "sent_at"])
                sent += 1
    return sent
