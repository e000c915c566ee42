"""The daily summary: one email to each person whose notices wait for it, saying how many of each kind arrived
since their last email, with a link to the notification centre. No client data, no names: counts and a link.

Safe to run twice, and two runs at once: a person's summary is made while their preference row is locked, from
the notices still waiting when the lock is held, which are marked emailed in the same transaction as the email
is queued in the outbox. A second run waits for the lock, then finds nothing waiting: nobody is told twice of
the same notices. A person with nothing waiting gets nothing.
"""

import uuid
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from core.audit.origin import Origin
from core.inbox.models import Notice, NoticeKind, NotificationPreference
from core.notifications.services.outbox import notification_queue
from tenants.models import Domain

SUBJECT = "Your daily summary from Patchwork"
BATCH = 200

# How a count of each kind reads in the summary: (one, many).
KIND_PHRASES: dict[str, tuple[str, str]] = {
    NoticeKind.TEAM_CHANGE: ("change in one of your teams", "changes in your teams"),
    NoticeKind.MESSAGE: ("message to a team", "messages to your teams"),
    NoticeKind.MEETING: ("meeting", "meetings"),
    NoticeKind.TASK: ("task", "tasks"),
    NoticeKind.STILL_INVOLVED: ("question whether you are still involved", "questions whether you are still involved"),
    NoticeKind.JOIN_REQUEST: ("request to join a team", "requests to join a team"),
    NoticeKind.CONSENT: ("change of consent", "changes of consent"),
    NoticeKind.ACCOUNT: ("notice about your account", "notices about your account"),
}


@dataclass(frozen=True)
class DigestRun:
    people: int
    notices: int


def council_site() -> Origin:
    """Where the council's site is, for links in email sent by a scheduled job: its primary domain."""
    domain = (
        Domain.objects.filter(tenant__schema_name=connection.schema_name, is_primary=True)
        .values_list("domain", flat=True)
        .first()
    )
    port = f":{settings.PLATFORM_PORT}" if settings.PLATFORM_PORT else ""
    return Origin(base_url=f"{settings.PLATFORM_SCHEME}://{domain or settings.PLATFORM_DOMAIN}{port}")


def digest_body(counts: Counter[str], link: str) -> str:
    lines = []
    for kind in NoticeKind.values:  # always in the same order
        if counts[kind]:
            one, many = KIND_PHRASES[kind]
            lines.append(f"- {counts[kind]} {one if counts[kind] == 1 else many}")
    return (
        "Since your last email from Patchwork you have been told of:\n\n"
        + "\n".join(lines)
        + f"\n\nSee them in Patchwork: {link}\n\n"
        "You can choose to be emailed as each thing happens instead, under Notification settings in Patchwork.\n"
    )


def _batch(after: uuid.UUID | None, link: str) -> tuple[uuid.UUID | None, DigestRun]:
    """One transaction: lock the next people with notices waiting, email each a summary, mark the notices."""
    waiting = Notice.objects.filter(recipient=OuterRef("user"), emailed_at__isnull=True)
    people = NotificationPreference.objects.filter(Exists(waiting), user__is_active=True)
    if after is not None:
        people = people.filter(user_id__gt=after)
    locked = list(people.select_for_update(of=("self",)).select_related("user").order_by("user_id")[:BATCH])
    if not locked:
        return None, DigestRun(0, 0)
    # Read after the locks are held: a run that waited for them sees what the run before it marked.
    rows = list(
        Notice.objects.filter(recipient_id__in=[pref.user_id for pref in locked], emailed_at__isnull=True).values_list(
            "pk", "recipient_id", "kind"
        )
    )
    if not rows:
        return locked[-1].user_id, DigestRun(0, 0)
    moment = timezone.now()
    Notice.objects.filter(pk__in=[pk for pk, _, _ in rows]).update(emailed_at=moment)
    counts: dict[uuid.UUID, Counter[str]] = {}
    for _pk, recipient_id, kind in rows:
        counts.setdefault(recipient_id, Counter())[kind] += 1
    for preference in locked:
        if preference.user_id in counts:
            body = digest_body(counts[preference.user_id], link)
            notification_queue(to=[preference.user.email], subject=SUBJECT, body=body)
    return locked[-1].user_id, DigestRun(len(counts), len(rows))


def digests_send(*, origin: Origin | None = None) -> DigestRun:
    """Send the daily summaries of this council. Returns how many people were emailed about how many notices."""
    link = (origin or council_site()).absolute_url(reverse("notifications"))
    people = notices = 0
    after: uuid.UUID | None = None
    while True:
        with transaction.atomic():
            after, done = _batch(after, link)
        people, notices = people + done.people, notices + done.notices
        if after is None:
            return DigestRun(people, notices)
