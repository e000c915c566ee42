"""The outbox's dispatcher: take due rows under a lease, send outside any transaction, record the outcome.

A row moves ``waiting → sending → sent``, or back to ``waiting`` with a later ``next_attempt_at`` when the provider
fails, and to ``dead`` after ``MAX_ATTEMPTS`` (docs/adr/0018-email-delivery.md):

1. **Take** (one statement, its own short transaction): ``UPDATE … SET state='sending', lease_until=now+lease WHERE
   state='waiting' AND next_attempt_at<=now OR state='sending' AND lease_until<now … RETURNING``. Two dispatchers
   never take the same row (``FOR UPDATE SKIP LOCKED``); a row whose dispatcher died is taken again once its
   lease has run out.
2. **Send**, with no transaction open and no row locked: a slow provider holds up nothing but this worker.
3. **Record** (one statement again): sent (when, the provider's id, a secret body scrubbed) or failed (attempts+1,
   exponential backoff, the exception's class name only; ``dead`` after the last attempt, a secret body scrubbed).

Every attempt at one row carries its ``idempotency_key`` to the provider (transports.py).
"""

import datetime
import logging
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import Case, F, TextField, Value, When
from django.utils import timezone
from django_tenants.utils import get_public_schema_name
from psycopg import sql

from core.notifications.models import DeliveryState, Notification
from core.notifications.transports import OutgoingMessage, Transports
from tenants.models import Council

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
MAX_BACKOFF = datetime.timedelta(hours=1)
BATCH = 100
DELIVERED_LINK_BODY = "This email carried a single-use link. It was delivered, and its text is not kept."
UNDELIVERED_LINK_BODY = (
    "This email carried a single-use link. It could not be delivered after the last attempt, and its text is "
    "not kept: issue a new link."
)


class DeliveryInTransaction(RuntimeError):
    """Email is never sent inside an open database transaction (row locks would be held while the provider is
    called). Raised before anything is taken."""


@dataclass(frozen=True)
class Taken:
    """A row this dispatcher holds until ``lease_until``."""

    pk: int
    key: uuid.UUID
    attempts: int
    lease_until: datetime.datetime
    message: OutgoingMessage


@dataclass
class DispatchOutcome:
    sent: int = 0
    dead: int = 0
    # Rows that failed and will be tried again, by how many seconds from now.
    retry_in: dict[float, list[int]] = field(default_factory=dict)


def backoff_after(attempts: int) -> datetime.timedelta:
    """How long to wait after the ``attempts``-th failure: 1, 2, 4 … minutes, at most an hour."""
    base = float(settings.NOTIFICATIONS_BACKOFF_BASE_SECONDS)
    return min(datetime.timedelta(seconds=base * 2 ** (attempts - 1)), MAX_BACKOFF)


def _lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=int(settings.NOTIFICATIONS_LEASE_SECONDS))


TAKE = sql.SQL("""
UPDATE {table} AS n SET state = 'sending', lease_until = %(lease_until)s
WHERE n.id IN (
    SELECT id FROM {table}
    WHERE sent_at IS NULL AND dead_at IS NULL  -- always so while waiting or sending: the outbox's partial index
      AND ((state = 'waiting' AND next_attempt_at <= %(now)s) OR (state = 'sending' AND lease_until < %(now)s))
    {only_ids}
    ORDER BY id LIMIT %(limit)s FOR UPDATE SKIP LOCKED
)
RETURNING n.id, n.idempotency_key, n.attempts, n.to, n.subject, n.body,
    n.attachment_name, n.attachment_type, n.attachment_text, n.attachment_data
""")


def deliveries_take(*, now: datetime.datetime, ids: list[int] | None = None, limit: int = BATCH) -> list[Taken]:
    """Take up to ``limit`` due rows (of ``ids``, if given) for this dispatcher, in one committed statement."""
    lease_until = now + _lease()
    query = TAKE.format(
        table=sql.Identifier(Notification._meta.db_table),
        only_ids=sql.SQL("AND id = ANY(%(ids)s)" if ids is not None else ""),
    )
    with connection.cursor() as cursor:
        cursor.execute(query, {"lease_until": lease_until, "now": now, "limit": limit, "ids": ids})
        rows = cursor.fetchall()
    return [
        Taken(
            pk=pk,
            key=key,
            attempts=attempts,
            lease_until=lease_until,
            message=OutgoingMessage(
                key=key,
                to=to,
                subject=subject,
                body=body,
                attachment_name=attachment_name,
                attachment_type=attachment_type,
                attachment_text=attachment_text,
                attachment_data=bytes(attachment_data or b""),
            ),
        )
        for (
            pk,
            key,
            attempts,
            to,
            subject,
            body,
            attachment_name,
            attachment_type,
            attachment_text,
            attachment_data,
        ) in sorted(rows)
    ]


def _scrubbed(replacement: str) -> Case:
    """The body, or ``replacement`` where it holds a secret (a single-use link)."""
    return Case(When(holds_secret=True, then=Value(replacement)), default=F("body"), output_field=TextField())


def delivery_record_sent(*, taken: Taken, reference: str, now: datetime.datetime) -> None:
    """The provider accepted it: sent, with its id; a secret body replaced. Recorded even if the lease ran out
    meanwhile and another dispatcher took the row: the message has left, and saying so prevents a third send."""
    Notification.objects.filter(pk=taken.pk).exclude(state=DeliveryState.SENT).update(
        state=DeliveryState.SENT,
        sent_at=now,
        provider_reference=reference[:200],
        attempts=F("attempts") + 1,
        lease_until=None,
        last_error="",
        body=_scrubbed(DELIVERED_LINK_BODY),
        attachment_data=b"",  # a document's bytes (an invoice's PDF) are kept where the document lives, not here
    )


def delivery_record_failed(*, taken: Taken, error: Exception, now: datetime.datetime) -> datetime.timedelta | None:
    """The provider failed: wait and try again, or give up after ``MAX_ATTEMPTS`` (dead, a secret body replaced).
    Returns the wait before the next attempt, or None once dead. Only while this dispatcher still holds the row."""
    attempts = taken.attempts + 1
    held = Notification.objects.filter(pk=taken.pk, state=DeliveryState.SENDING, lease_until=taken.lease_until)
    error_name = type(error).__name__[:200]
    logger.warning("Notification %s not delivered (attempt %s): %s", taken.pk, attempts, error_name)
    if attempts >= MAX_ATTEMPTS:
        held.update(
            state=DeliveryState.DEAD,
            dead_at=now,
            attempts=attempts,
            lease_until=None,
            last_error=error_name,
            body=_scrubbed(UNDELIVERED_LINK_BODY),
        )
        return None
    backoff = backoff_after(attempts)
    held.update(
        state=DeliveryState.WAITING,
        attempts=attempts,
        next_attempt_at=now + backoff,
        lease_until=None,
        last_error=error_name,
    )
    return backoff


def _this_council() -> Council | None:
    """The council whose schema this is (its region and choice of transport); None on the platform."""
    if connection.schema_name == get_public_schema_name():
        return None
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Council):
        return tenant
    return Council.objects.get(schema_name=connection.schema_name)  # a schema_context's stand-in: read it


def deliveries_dispatch(
    *, ids: list[int] | None = None, now: datetime.datetime | None = None, limit: int | None = None
) -> DispatchOutcome:
    """Deliver this schema's due rows (all of them, or ``ids``), a batch at a time. Never raises for a provider's
    failure: it is recorded on the row. Refuses to run inside an open transaction."""
    if connection.in_atomic_block and not getattr(settings, "NOTIFICATIONS_DISPATCH_INLINE", False):
        raise DeliveryInTransaction("Email is sent only outside a database transaction.")
    outcome = DispatchOutcome()
    transports = Transports(_this_council())
    taken_so_far = 0
    while limit is None or taken_so_far < limit:
        moment = now or timezone.now()
        batch = deliveries_take(now=moment, ids=ids, limit=min(BATCH, limit - taken_so_far) if limit else BATCH)
        if not batch:
            break
        taken_so_far += len(batch)
        for taken in batch:
            try:
                reference = transports.for_message(taken.message).send(taken.message)
            except Exception as error:  # the provider's failure, whatever it is: recorded, retried later
                backoff = delivery_record_failed(taken=taken, error=error, now=now or timezone.now())
                if backoff is None:
                    outcome.dead += 1
                else:
                    outcome.retry_in.setdefault(backoff.total_seconds(), []).append(taken.pk)
            else:
                delivery_record_sent(taken=taken, reference=reference, now=now or timezone.now())
                outcome.sent += 1
        if ids is not None and len(batch) < BATCH:
            break
    return outcome


def notifications_deliver(*, ids: list[int] | None = None, now: datetime.datetime | None = None) -> int:
    """Deliver due rows here and now (the sweep's work, and tests'); returns how many were sent."""
    return deliveries_dispatch(ids=ids, now=now).sent
