"""Undelivered email of every council (the outbox's dead letters), and putting one back to be sent again.

The list never shows a body: the council, the address, the subject, the attempts, the last error's class and
when it was given up on. It is one query across every council's outbox (a ``UNION ALL`` over the schemas that
have one), whatever the number of councils, and bounded. A retry is recorded in the platform's audit trail as
``DELIVERY_RETRIED``. An email whose body held a single-use link cannot be retried: its text was not kept after the
last attempt, and the way forward is a new link.
"""

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context
from psycopg import sql

from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import NO_ORIGIN, Origin
from core.audit.services.events import audit_record
from core.notifications.models import DeliveryState, Notification
from core.notifications.services.outbox import deliveries_hand_off
from tenants.lifecycle import SERVING
from tenants.models import Council
from tenants.transactions import on_commit_in_this_schema

if TYPE_CHECKING:
    from core.accounts.models import User

LISTED = 200
PLATFORM = "Platform"


@dataclass(frozen=True)
class UndeliveredEmail:
    council_slug: str  # "" for the platform's own email
    council_name: str
    notification_id: int
    to: str
    subject: str
    attempts: int
    last_error: str
    dead_at: datetime.datetime | None
    link_not_kept: bool  # its body held a single-use link, replaced after the last attempt: issue a new link


@dataclass(frozen=True)
class Undelivered:
    emails: list[UndeliveredEmail]
    total: int  # all of them, of which ``emails`` are the most recent ``LISTED``


def _outboxes() -> dict[str, Council | None]:
    """Every schema that has an outbox table: the platform's and each council's that has been provisioned."""
    councils = {council.schema_name: council for council in Council.objects.only("schema_name", "name", "slug")}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema FROM information_schema.tables "
            "WHERE table_name = %s AND table_schema = ANY(%s) ORDER BY table_schema",
            [Notification._meta.db_table, [get_public_schema_name(), *councils]],
        )
        return {schema: councils.get(schema) for (schema,) in cursor.fetchall()}


def undelivered_emails(*, limit: int = LISTED) -> Undelivered:
    """The dead letters of every outbox, most recently given up on first (three queries, however many councils)."""
    outboxes = _outboxes()
    if not outboxes:
        return Undelivered(emails=[], total=0)
    table = sql.Identifier(Notification._meta.db_table)
    parts = [
        sql.SQL(
            'SELECT {schema} AS schema_name, id, "to", subject, attempts, last_error, dead_at, holds_secret '
            "FROM {outbox} WHERE state = {dead}"
        ).format(
            schema=sql.Literal(schema),
            outbox=sql.SQL("{}.{}").format(sql.Identifier(schema), table),
            dead=sql.Literal(DeliveryState.DEAD.value),
        )
        for schema in outboxes
    ]
    query = sql.SQL(
        "SELECT *, count(*) OVER () FROM ({union}) AS dead "
        "ORDER BY dead_at DESC NULLS LAST, schema_name, id LIMIT {limit}"
    ).format(union=sql.SQL(" UNION ALL ").join(parts), limit=sql.Literal(limit))
    with connection.cursor() as cursor:
        cursor.execute(query.as_string(cursor.connection))
        rows = cursor.fetchall()
    emails = []
    for schema, pk, to, subject, attempts, last_error, dead_at, holds_secret, _total in rows:
        council = outboxes[schema]
        emails.append(
            UndeliveredEmail(
                council_slug=council.slug if council else "",
                council_name=council.name if council else PLATFORM,
                notification_id=pk,
                to=to,
                subject=subject,
                attempts=attempts,
                last_error=last_error,
                dead_at=dead_at,
                link_not_kept=holds_secret,
            )
        )
    return Undelivered(emails=emails, total=rows[0][-1] if rows else 0)


class DeliveryNotFound(Exception):
    """No undelivered email of that id in that outbox (never there, already retried, or sent)."""


class DeliveryNotRetried(Exception):
    """The email cannot be sent again; the message says why and what to do instead. Nothing was changed."""


@transaction.atomic
def delivery_retry(
    *, council: Council | None, notification_id: int, actor: "User", origin: Origin = NO_ORIGIN
) -> Notification:
    """Put one dead letter back to waiting, its attempts reset, and hand it to the dispatcher once committed.

    ``council`` None: the platform's own outbox. Recorded in the platform's audit trail.
    """
    if council is not None and council.status not in SERVING:
        raise DeliveryNotRetried(
            f"{council.name} is {council.get_status_display().lower()}: its email is not sent until it is in use again."
        )
    schema = council.schema_name if council else get_public_schema_name()
    with schema_context(schema):
        row = Notification.objects.select_for_update().filter(pk=notification_id, state=DeliveryState.DEAD).first()
        if row is None:
            raise DeliveryNotFound
        if row.holds_secret:
            raise DeliveryNotRetried(
                "This email carried a single-use link, whose text was not kept after the last attempt: it cannot be "
                "sent again. Issue a new link (a new invitation or password reset) instead."
            )
        row.state = DeliveryState.WAITING
        row.attempts = 0
        row.next_attempt_at = timezone.now()
        row.dead_at = None
        row.lease_until = None
        row.last_error = ""
        row.save(update_fields=["state", "attempts", "next_attempt_at", "dead_at", "lease_until", "last_error"])
        on_commit_in_this_schema(lambda: deliveries_hand_off(ids=[row.pk]))
    audit_record(
        action=AuditAction.DELIVERY_RETRIED,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=actor.pk,
        object_type="notification",
        object_id=f"{council.slug if council else 'platform'}/{notification_id}",
    )
    return row
