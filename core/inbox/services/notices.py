"""Tell people something in the app, and by email as each prefers; and what each does with what they were told.

Every notice is written in the caller's transaction. Those who want email as things happen get it through
the outbox at once; those who chose a daily digest are told in one summary a day (``core.inbox.services.digest``).
Neither the notice nor the email carries a client's personal data: what kind of thing happened, and a link.
Whatever changes a person's unread notices forgets their unread count (``core.inbox.unread``).
"""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from core.accounts.models import User
from core.audit.origin import Origin
from core.inbox.models import EmailFrequency, Notice, NoticeKind, NotificationPreference
from core.inbox.unread import unread_forget
from core.notifications.services.outbox import Attachment, OutgoingEmail, notification_queue, notifications_queue_many

SETTINGS_HINT = "You can choose a daily summary instead, under Notification settings in Patchwork."
TEXT_MAX_LENGTH = Notice._meta.get_field("text").max_length


def _wants_digest(recipients: Sequence[User]) -> set[uuid.UUID]:
    return set(
        NotificationPreference.objects.filter(
            user__in=[user.pk for user in recipients], email_frequency=EmailFrequency.DAILY_DIGEST
        ).values_list("user_id", flat=True)
    )


def _fitting(text: str) -> str:
    """The text as a notice holds it: whole when it fits, otherwise cut at a word with an ellipsis."""
    text = text.strip()
    if len(text) <= TEXT_MAX_LENGTH:
        return text
    return text[: TEXT_MAX_LENGTH - 1].rsplit(" ", 1)[0] + "…"


def _email_body(text: str, link: str, origin: Origin, *, more: str = "") -> str:
    """What happened, any lines of the person's own (``more``), the link, and where to choose a daily summary."""
    parts = [text, more, f"See it in Patchwork: {origin.absolute_url(link)}", SETTINGS_HINT]
    return "\n\n".join(part for part in parts if part) + "\n"


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
    A constant number of queries, however many recipients (none for the unread counts: they are forgotten).
    """
    recipients = list({user.pk: user for user in recipients}.values())
    if not recipients:
        return []
    text = _fitting(text)
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
    unread_forget(user_ids=[user.pk for user in recipients])
    if now_emailed:
        body = _email_body(text, link, origin)
        notification_queue(to=[user.email for user in now_emailed], subject=subject, body=body, attachment=attachment)
    return notices


@dataclass(frozen=True)
class PersonalNotice:
    """What one person is told when each is told something of their own: their own words (each through the
    visibility policy), their own calendar file, or their own links in the email (``email_more``: lines added to
    the email only, such as signed single-use links, never kept in the notice)."""

    recipient: User
    text: str
    link: str
    email_more: str = ""
    attachment: Attachment | None = None


def notices_send_each(
    *,
    notices: Sequence[PersonalNotice],
    kind: NoticeKind,
    subject: str,
    origin: Origin,
    client_id: uuid.UUID | None = None,
    email_now: bool = False,
    email_holds_secret: bool = False,
) -> list[Notice]:
    """As ``notices_send``, for people each told something different: one insert of notices and one of emails,
    however many people (a meeting's fifty invitees, each with a calendar file of their own).
    ``email_holds_secret``: the emails carry single-use links, kept in the outbox only until delivered."""
    if not notices:
        return []
    recipients = [notice.recipient for notice in notices]
    digest = set() if email_now else _wants_digest(recipients)
    moment = timezone.now()
    rows = Notice.objects.bulk_create(
        Notice(
            recipient=notice.recipient,
            kind=kind,
            text=_fitting(notice.text),
            link=notice.link,
            client_id=client_id,
            created_at=moment,
            emailed_at=None if notice.recipient.pk in digest else moment,
        )
        for notice in notices
    )
    unread_forget(user_ids=[user.pk for user in recipients])
    emails = [
        OutgoingEmail(
            to=notice.recipient.email,
            subject=subject,
            body=_email_body(notice.text, notice.link, origin, more=notice.email_more),
            attachment=notice.attachment,
        )
        for notice in notices
        if notice.recipient.pk not in digest
    ]
    if emails:
        notifications_queue_many(emails=emails, holds_secret=email_holds_secret)
    return rows


@transaction.atomic
def notice_open(*, user: User, notice_id: object) -> Notice | None:
    """The person's own notice, marked read (when it was not yet): None when they have no notice by that id —
    someone else's is no different from one that does not exist."""
    notice = Notice.objects.select_for_update().filter(pk=notice_id, recipient=user).first()
    if notice is not None and notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
        unread_forget(user_ids=[user.pk])
    return notice


@transaction.atomic
def notices_read_all(*, user: User) -> int:
    """Mark every unread notice of the person read (one statement). Returns how many were unread."""
    marked = Notice.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
    unread_forget(user_ids=[user.pk])
    return marked


@transaction.atomic
def notices_erase(*, client_ids: Iterable[object]) -> int:
    """Remove every notice about these clients (their erasure): two statements, whoever was told. Returns how
    many notices went."""
    ids = list(dict.fromkeys(client_ids))
    if not ids:
        return 0
    about = Notice.objects.filter(client_id__in=ids)
    unread_forget(
        user_ids=about.filter(read_at__isnull=True).order_by().values_list("recipient_id", flat=True).distinct()
    )
    removed, _ = about.delete()
    return removed
