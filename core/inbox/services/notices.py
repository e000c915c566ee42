"""Tell people something in the app, and by email as each prefers.

Every notice is written in the caller's transaction. Those who want email as things happen get it through
the outbox at once; those who chose a daily digest are told in one summary a day (``inbox.digest``).
Neither the notice nor the email carries a client's personal data: what kind of thing happened, and a link.
"""

import uuid
from collections.abc import Sequence

from django.utils import timezone

from core.accounts.models import User
from core.audit.origin import Origin
from core.inbox.models import EmailFrequency, Notice, NoticeKind, NotificationPreference
from core.notifications.services.outbox import Attachment, notification_queue

SETTINGS_HINT = "You can choose a daily summary instead, under Notification settings in Patchwork."


def _wants_digest(recipients: Sequence[User]) -> set[int]:
    return set(
        NotificationPreference.objects.filter(
            user__in=[user.pk for user in recipients], email_frequency=EmailFrequency.DAILY_DIGEST
        ).values_list("user_id", flat=True)
    )


def notices_send(
    *,
    recipients: Sequence[User],
    kind: NoticeKind,
    text: str,
    link: str,
    subject: str,
    origin: Origin,
    client_id: uuid.UUID | None = None,
    attachment: Attachment | None = None,
    email_now: bool = False,
) -> list[Notice]:
    """A notice for each recipient, and an email to those who want one as things happen (or to everyone when
    ``email_now``: a calendar invitation cannot wait for a digest). ``link`` is a path on the council's site.
    A constant number of queries, however many recipients.
    """
    recipients = list({user.pk: user for user in recipients}.values())
    if not recipients:
        return []
    digest = set() if email_now else _wants_digest(recipients)
    now_emailed = [user for user in recipients if user.pk not in digest]
    moment = timezone.now()
    notices = Notice.objects.bulk_create(
        Notice(
            recipient=user,
            kind=kind,
            text=text,
            link=link,
            client_id=client_id,
            created_at=moment,
            emailed_at=None if user.pk in digest else moment,
        )
        for user in recipients
    )
    if now_emailed:
        body = f"{text}\n\nSee it in Patchwork: {origin.absolute_url(link)}\n\n{SETTINGS_HINT}\n"
        notification_queue(to=[user.email for user in now_emailed], subject=subject, body=body, attachment=attachment)
    return notices
