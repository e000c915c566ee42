"""Queue email in the outbox; deliver it after commit; retry what failed with backoff."""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from core.notifications.models import Notification
from tenants.transactions import on_commit_in_this_schema

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
MAX_BACKOFF = datetime.timedelta(hours=1)
DELIVERED_LINK_BODY = "This email carried a single-use link. It was delivered, and its text is not kept."
UNDELIVERED_LINK_BODY = (
    "This email carried a single-use link. It could not be delivered after the last attempt, and its text is "
    "not kept: issue a new link."
)


@dataclass(frozen=True)
class Attachment:
    """A text attachment: a meeting's iCalendar invitation (``text/calendar; method=REQUEST``)."""

    name: str
    content_type: str
    text: str


def notification_queue(
    *, to: list[str], subject: str, body: str, holds_secret: bool = False, attachment: Attachment | None = None
) -> list[Notification]:
    """Write the emails in the caller's transaction; try to deliver them as soon as it commits.

    ``holds_secret``: the body carries a secret (a single-use link). It is kept only until the email is
    delivered, or given up on after the last attempt; then it is replaced with a neutral text.
    """
    rows = Notification.objects.bulk_create(
        Notification(
            to=address,
            subject=subject,
            body=body,
            holds_secret=holds_secret,
            attachment_name=attachment.name if attachment else "",
            attachment_type=attachment.content_type if attachment else "",
            attachment_text=attachment.text if attachment else "",
        )
        for address in to
    )
    ids = [row.pk for row in rows]
    on_commit_in_this_schema(lambda: notifications_deliver(ids=ids))
    return rows


@dataclass(frozen=True)
class OutgoingEmail:
    to: str
    subject: str
    body: str


def notifications_queue_many(*, emails: list[OutgoingEmail], holds_secret: bool = False) -> list[Notification]:
    """Many different emails at once (a bulk import's invitations): one insert, written in the caller's
    transaction like ``notification_queue``.

    Delivering hundreds of emails takes far longer than writing them, so in a council it is handed to a
    background task once the transaction commits, rather than done by whoever queued them; on the platform
    it is done after commit, as ``notification_queue`` does. Either way the retry sweep catches any failure.
    """
    rows = Notification.objects.bulk_create(
        [
            Notification(to=email.to, subject=email.subject, body=email.body, holds_secret=holds_secret)
            for email in emails
        ],
        batch_size=1000,
    )
    ids = [row.pk for row in rows]
    if ids and connection.schema_name != get_public_schema_name():
        on_commit_in_this_schema(lambda: _deliver_in_background(ids))
    elif ids:
        on_commit_in_this_schema(lambda: notifications_deliver(ids=ids))
    return rows


def _deliver_in_background(ids: list[int]) -> None:
    from core.notifications.tasks import notifications_deliver_council  # the task module imports this one

    try:
        notifications_deliver_council.delay(ids)
    except Exception as error:  # the broker is out of reach: the rows wait, and the retry sweep delivers them
        logger.warning("Delivery of %s notifications not sent to a worker: %s", len(ids), type(error).__name__)


def notifications_deliver(*, ids: list[int] | None = None, now: datetime.datetime | None = None) -> int:
    """Send waiting notifications that are due (all of them, or ``ids``). Returns how many were sent.

    Never raises: a failure is recorded on the row, and the row waits for its next attempt
    (1, 2, 4 … minutes, at most an hour apart; after MAX_ATTEMPTS it stays for an operator).
    Rows are locked while being sent, so two deliverers never send the same email twice.
    A body holding a secret is replaced once sent, or after the last failed attempt.
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
                message = EmailMessage(
                    notification.subject, notification.body, settings.DEFAULT_FROM_EMAIL, [notification.to]
                )
                if notification.attachment_text:
                    message.attach(
                        notification.attachment_name, notification.attachment_text, notification.attachment_type
                    )
                message.send()
            except Exception as error:  # the email provider's failure, whatever it is: retry later
                notification.attempts += 1
                backoff = min(datetime.timedelta(minutes=2 ** (notification.attempts - 1)), MAX_BACKOFF)
                notification.next_attempt_at = now + backoff
                notification.last_error = type(error).__name__[:200]
                fields = ["attempts", "next_attempt_at", "last_error"]
                if notification.holds_secret and notification.attempts >= MAX_ATTEMPTS:
                    notification.body = UNDELIVERED_LINK_BODY
                    fields.append("body")
                notification.save(update_fields=fields)
                logger.warning("Notification %s not delivered (attempt %s)", notification.pk, notification.attempts)
            else:
                notification.attempts += 1
                notification.sent_at = now
                fields = ["attempts", "sent_at"]
                if notification.holds_secret:
                    notification.body = DELIVERED_LINK_BODY
                    fields.append("body")
                notification.save(update_fields=fields)
                sent += 1
    return sent
