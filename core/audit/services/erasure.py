"""The only ways the audit trail loses anything: expiry past the council's period, and redaction of a correction's
old and new values once the client is erased. Both go through database functions (migration 0013) that the
append-only trigger lets through; the application's role has no UPDATE or DELETE on the table itself."""

import datetime
from collections.abc import Iterable

from django.db import connection


def audit_events_expire(
    *,
    cutoff: datetime.datetime,
    only_actions: Iterable[str] | None = None,
    except_actions: Iterable[str] | None = None,
    keep_client_ids: Iterable[object] | None = None,
) -> int:
    """Delete this council's events older than ``cutoff`` (of ``only_actions``, or all but ``except_actions``),
    never those about ``keep_client_ids`` (clients on legal hold). Returns how many went. The database refuses a
    cutoff later than a year ago."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT audit_events_expire(%s, %s::text[], %s::text[], %s::text[])",
            [
                cutoff,
                None if only_actions is None else list(only_actions),
                None if except_actions is None else list(except_actions),
                None if keep_client_ids is None else [str(value) for value in keep_client_ids],
            ],
        )
        return int(cursor.fetchone()[0])


def audit_events_redact(*, client_ids: Iterable[object]) -> int:
    """Clear ``changes`` (a correction's old and new values) on this council's events about these clients.
    Returns how many events were redacted; the events themselves stay, as the non-identifying stub."""
    ids = [str(value) for value in client_ids]
    if not ids:
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT audit_events_redact(%s::text[])", [ids])
        return int(cursor.fetchone()[0])
