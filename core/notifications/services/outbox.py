"""Queue email in the outbox with the change; hand the rows to the dispatcher once the change commits.

Nothing is sent here: the rows are written in the caller's transaction and, after commit, their ids go to a Celery
task (``notifications.dispatch``) that delivers them (services/delivery.py). If the broker cannot be reached the rows
simply wait, and the periodic sweep delivers them.
"""

import contextlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django_tenants.utils import get_public_schema_name

from core.notifications.models import Notification
from core.notifications.services.delivery import (  # noqa: F401 - where callers have always found them
    DELIVERED_LINK_BODY,
    MAX_ATTEMPTS,
    UNDELIVERED_LINK_BODY,
    notifications_deliver,
)
from tenants.transactions import on_commit_in_this_schema

logger = logging.getLogger(__name__)

HAND_OFF_CHUNK = 500
QUEUED_SECONDS = 60  # how long a queued dispatch stands for later hand-offs, should its message be lost


@dataclass(frozen=True)
class Attachment:
    """One attachment: a meeting's iCalendar invitation as ``text`` (``text/calendar; method=REQUEST``), or
    a document as ``data`` (an invoice's PDF, ``application/pdf``)."""

    name: str
    content_type: str
    text: str = ""
    data: bytes = b""


def notification_queue(
    *, to: list[str], subject: str, body: str, holds_secret: bool = False, attachment: Attachment | None = None
) -> list[Notification]:
    """Write the emails in the caller's transaction; hand them to the dispatcher once it commits.

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
            attachment_data=attachment.data if attachment else b"",
        )
        for address in to
    )
    ids = [row.pk for row in rows]
    if ids:
        on_commit_in_this_schema(lambda: deliveries_hand_off(ids=ids))
    return rows


@dataclass(frozen=True)
class OutgoingEmail:
    to: str
    subject: str
    body: str
    attachment: Attachment | None = None


def notifications_queue_many(*, emails: list[OutgoingEmail], holds_secret: bool = False) -> list[Notification]:
    """Many different emails at once (a bulk import's invitations): one insert, written in the caller's
    transaction like ``notification_queue``.

    Handed to the dispatcher after commit, like ``notification_queue``, in messages of ``HAND_OFF_CHUNK`` rows.
    """
    rows = Notification.objects.bulk_create(
        [
            Notification(
                to=email.to,
                subject=email.subject,
                body=email.body,
                holds_secret=holds_secret,
                attachment_name=email.attachment.name if email.attachment else "",
                attachment_type=email.attachment.content_type if email.attachment else "",
                attachment_text=email.attachment.text if email.attachment else "",
                attachment_data=email.attachment.data if email.attachment else b"",
            )
            for email in emails
        ],
        batch_size=1000,
    )
    ids = [row.pk for row in rows]
    if ids:
        on_commit_in_this_schema(lambda: deliveries_hand_off(ids=ids))
    return rows


def _queued_key() -> str:
    return f"notifications:dispatch-queued:{connection.schema_name}"


def dispatch_started() -> None:
    """A dispatch task of this schema has started (before it takes anything): the next hand-off sends a message."""
    with contextlib.suppress(Exception):  # the cache out of reach: hand-offs send a message each, as without it
        cache.delete(_queued_key())


def _dispatch_already_queued() -> bool:
    """Whether a dispatch task of this schema is queued and has not started; if not, say one is from now."""
    try:
        return not cache.add(_queued_key(), 1, timeout=QUEUED_SECONDS)
    except Exception:  # the cache out of reach: send the message
        return False


def deliveries_hand_off(*, ids: list[int]) -> None:
    """Give these committed rows of the current schema to the dispatch task, in messages of ``HAND_OFF_CHUNK`` ids.

    With ``NOTIFICATIONS_COALESCE_HAND_OFFS`` (a cache shared by every process), a hand-off while a dispatch task of
    this schema is queued and not yet started sends nothing: that task clears the mark before it takes anything and
    then takes every due row of the schema, these included. A burst of changes thus costs a few messages, not one
    each. Never raises: a broker out of reach leaves the rows waiting for the sweep. Under the test-only setting
    ``NOTIFICATIONS_DISPATCH_INLINE`` the same task runs here instead (``task.apply``).
    """
    from core.notifications.tasks import dispatch_task  # the task module imports this one

    task = dispatch_task(public=connection.schema_name == get_public_schema_name())
    chunks = [ids[start : start + HAND_OFF_CHUNK] for start in range(0, len(ids), HAND_OFF_CHUNK)]
    if getattr(settings, "NOTIFICATIONS_DISPATCH_INLINE", False):
        for chunk in chunks:
            task.apply(args=[chunk])
        return
    if settings.NOTIFICATIONS_COALESCE_HAND_OFFS and _dispatch_already_queued():
        return
    for chunk in chunks:
        try:
            task.apply_async(args=[chunk], retry=False)
        except Exception as error:  # the broker is out of reach: the rows wait, and the sweep delivers them
            dispatch_started()  # nothing is queued after all
            logger.warning("%s notifications left for the sweep: %s", len(chunk), type(error).__name__)
