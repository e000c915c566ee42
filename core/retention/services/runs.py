"""The nightly retention run: list what has passed the schedule (``retention_run_prepare``), let the privacy
officer approve or reject the list, then erase what was approved and is still due (``retention_run_execute``).

Set-based throughout: listing is one ``INSERT … SELECT`` per kind, whatever the number of records; erasing goes
in batches of a fixed size, each a fixed number of statements. A benchmark can call both functions directly.
"""

import logging
from collections import Counter
from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, Max, OuterRef, QuerySet, Subquery
from django.utils import timezone
from psycopg import sql

from core.accounts.models import UserSession
from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import NO_ORIGIN, Origin
from core.audit.services.erasure import audit_events_expire
from core.audit.services.events import audit_record
from core.clients.erasure import clients_erase
from core.clients.models import Client, Involvement, TeamActivity
from core.clients.restriction import privacy_officer_check
from core.directory.models import Practitioner
from core.governance.rules import RetentionKind
from core.governance.selectors import retention_current
from core.retention.models import LegalHold, RetentionItem, RetentionRun
from core.retention.services.periods import (
    SIGN_IN_ACTIONS,
    Cutoffs,
    audit_due,
    clients_due,
    cutoffs_for,
    held_client_ids,
    involvements_due,
    sessions_due,
    sign_in_audit_due,
    team_activity_due,
)

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
REJECTION_REASON_MAX_LENGTH = 300
# What the run lists by id, and the column each id goes in.
LISTED_BY_UUID = (RetentionKind.CLIENTS, RetentionKind.INVOLVEMENTS)
LISTED_BY_NUMBER = (RetentionKind.TEAM_ACTIVITY, RetentionKind.SIGN_IN)


def _lock(name: str) -> None:
    """One listing or decision at a time in this council (for the transaction)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"retention:{name}:{connection.schema_name}"])


def _items_insert(*, run: RetentionRun, kind: str, due: QuerySet[Any], column: str) -> int:
    """List every id ``due`` selects in one statement (INSERT … SELECT, the ids never leave the database)."""
    query, params = due.order_by().values("pk").query.sql_with_params()  # one column: the id
    statement = sql.Composed(
        [
            sql.SQL("INSERT INTO {table} (run_id, kind, {column}) SELECT %s, %s, due.* FROM (").format(
                table=sql.Identifier(RetentionItem._meta.db_table), column=sql.Identifier(column)
            ),
            sql.SQL(query),  # Django's compiled SQL, its values still parameters
            sql.SQL(") AS due"),
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [run.pk, str(kind), *params])
        return cursor.rowcount


def retention_run_prepare() -> RetentionRun | None:
    """List what is due tonight. Returns the run waiting for the privacy officer, or None when nothing is due.

    Safe to run again: a list already made for today is left as it is (nothing changes, nothing is recorded);
    one left from an earlier night is replaced (marked superseded, its items dropped). While an approved list is
    still being erased, nothing new is listed."""
    with transaction.atomic():
        _lock("prepare")
        if RetentionRun.objects.filter(state=RetentionRun.State.APPROVED).exists():
            return None
        today = timezone.localdate()
        pending = RetentionRun.objects.select_for_update().filter(state=RetentionRun.State.PENDING).first()
        if pending is not None and pending.prepared_on == today:
            return pending
        periods = retention_current()
        cutoffs = cutoffs_for(periods)
        if pending is not None:
            pending.items.all().delete()
            pending.state = RetentionRun.State.SUPERSEDED
            pending.save(update_fields=["state"])
        held = held_client_ids()
        run = RetentionRun.objects.create(
            prepared_on=today, periods=periods.to_json(), cutoffs=cutoffs.to_json(), counts={}
        )
        counts = {
            RetentionKind.CLIENTS: _items_insert(
                run=run, kind=RetentionKind.CLIENTS, due=clients_due(cutoffs), column="object_uuid"
            )
        }
        listed_clients = RetentionItem.objects.filter(run=run, kind=RetentionKind.CLIENTS).values("object_uuid")
        counts[RetentionKind.INVOLVEMENTS] = _items_insert(
            run=run, kind=RetentionKind.INVOLVEMENTS, due=involvements_due(cutoffs), column="object_uuid"
        )
        counts[RetentionKind.TEAM_ACTIVITY] = _items_insert(
            run=run,
            kind=RetentionKind.TEAM_ACTIVITY,
            due=team_activity_due(cutoffs).exclude(client_id__in=listed_clients),  # they go with their client
            column="object_number",
        )
        counts[RetentionKind.SIGN_IN] = (
            _items_insert(run=run, kind=RetentionKind.SIGN_IN, due=sessions_due(cutoffs), column="object_number")
            + sign_in_audit_due(cutoffs).count()
        )
        counts[RetentionKind.AUDIT] = audit_due(cutoffs, held=held).count()
        if not any(counts.values()):
            run.delete()
            return None
        run.counts = {str(kind): count for kind, count in counts.items()}
        run.held_clients = clients_due(cutoffs, with_held=True).filter(pk__in=held).count() if held else 0
        run.save(update_fields=["counts", "held_clients"])
        audit_record(
            action=AuditAction.RETENTION_RUN_PREPARED,
            outcome=AuditOutcome.SUCCESS,
            object_type="retention_run",
            object_id=run.pk,
            reason=_counts_described(run.counts) + (f"; {run.held_clients} held" if run.held_clients else ""),
        )
    return run


def _counts_described(counts: dict[str, int]) -> str:
    return ", ".join(f"{kind.replace('_', ' ')} {int(counts.get(str(kind), 0))}" for kind in RetentionKind)


def _run_locked(run_id: object) -> RetentionRun:
    run = RetentionRun.objects.select_for_update().filter(pk=run_id).first()
    if run is None:
        raise RetentionRun.DoesNotExist("No such retention run.")
    return run


def retention_run_approve(*, actor: Practitioner, run_id: object, origin: Origin) -> RetentionRun:
    """The privacy officer approves a waiting list: its erasure is queued once this commits."""
    privacy_officer_check(actor=actor, origin=origin, object_type="retention_run", object_id=run_id)
    with transaction.atomic():
        _lock("prepare")
        run = _run_locked(run_id)
        if run.state != RetentionRun.State.PENDING:
            raise ValidationError("This list is no longer waiting for a decision.")
        run.state = RetentionRun.State.APPROVED
        run.decided_by = actor
        run.decided_at = timezone.now()
        run.save(update_fields=["state", "decided_by", "decided_at"])
        audit_record(
            action=AuditAction.RETENTION_RUN_APPROVED,
            outcome=AuditOutcome.SUCCESS,
            origin=origin,
            actor_id=actor.user_id,
            object_type="retention_run",
            object_id=run.pk,
            reason=_counts_described(run.counts),
        )
        _queue_execute(run.pk)
    return run


def _queue_execute(run_id: UUID) -> None:
    from core.retention.tasks import retention_run_execute_task  # the task module imports this one
    from tenants.transactions import on_commit_in_this_schema

    def send() -> None:
        try:
            retention_run_execute_task.delay(str(run_id))
        except Exception as error:  # the broker is out of reach: the next night's job sends it again
            logger.warning("Retention run %s not sent to a worker yet: %s", run_id, type(error).__name__)

    on_commit_in_this_schema(send)


def retention_run_reject(*, actor: Practitioner, run_id: object, reason: str, origin: Origin) -> RetentionRun:
    """The privacy officer rejects a waiting list, saying why: nothing is erased; the next night lists again."""
    privacy_officer_check(actor=actor, origin=origin, object_type="retention_run", object_id=run_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the list is rejected"})
    if len(reason) > REJECTION_REASON_MAX_LENGTH:
        raise ValidationError({"reason": f"The reason must be {REJECTION_REASON_MAX_LENGTH} characters or fewer"})
    with transaction.atomic():
        _lock("prepare")
        run = _run_locked(run_id)
        if run.state != RetentionRun.State.PENDING:
            raise ValidationError("This list is no longer waiting for a decision.")
        run.state = RetentionRun.State.REJECTED
        run.decided_by = actor
        run.decided_at = timezone.now()
        run.rejection_reason = reason
        run.save(update_fields=["state", "decided_by", "decided_at", "rejection_reason"])
        run.items.all().delete()
        audit_record(
            action=AuditAction.RETENTION_RUN_REJECTED,
            outcome=AuditOutcome.SUCCESS,
            origin=origin,
            actor_id=actor.user_id,
            object_type="retention_run",
            object_id=run.pk,
            reason=reason,
        )
    return run


def _in_batches(due: QuerySet[Any], erase: Callable[[list[Any]], dict[str, int]], batch_size: int) -> Counter[str]:
    """Erase what ``due`` selects, ``batch_size`` ids at a time (each batch its own transaction, in id order)."""
    counts: Counter[str] = Counter()
    last = None
    while True:
        batch = due.order_by("pk")
        if last is not None:
            batch = batch.filter(pk__gt=last)
        ids = list(batch.values_list("pk", flat=True)[:batch_size])
        if not ids:
            return counts
        with transaction.atomic():
            counts.update(erase(ids))
        last = ids[-1]
        if len(ids) < batch_size:
            return counts


def _listed(run: RetentionRun, kind: str, column: str) -> QuerySet[RetentionItem]:
    return RetentionItem.objects.filter(run=run, kind=kind).values(column)


def _clients_erased(ids: list[Any]) -> dict[str, int]:
    # A lifted hold is history about the client, and its PROTECT key would stop the erasure; a current one stays
    # and stops it (the batch is rolled back): the listing and the re-check already left held clients out.
    LegalHold.objects.filter(client_id__in=ids, lifted_at__isnull=False).delete()
    erased = clients_erase(client_ids=ids)
    return {
        RetentionKind.CLIENTS: erased.get("clients.Client", 0),
        "involvements with them": erased.get("clients.Involvement", 0),
        "team activity with them": erased.get("clients.TeamActivity", 0),
        "families left empty": erased.get("clients.Family", 0),
        "audit events redacted": erased.get("audit events redacted", 0),
    }


def _deleted(model: Any, kind: str) -> Callable[[list[Any]], dict[str, int]]:
    def erase(ids: list[Any]) -> dict[str, int]:
        count, _ = model.objects.filter(pk__in=ids).delete()
        return {kind: count}

    return erase


def retention_run_execute(*, run_id: object, batch_size: int = BATCH_SIZE) -> RetentionRun:
    """Erase an approved run: each listed record that is still due under today's schedule and not on legal hold,
    in batches. Records the report (counts per kind) and one RECORDS_ERASED event with counts only.

    Safe to run again: a finished run is left as it is; an interrupted one carries on (what was erased is gone).
    Two workers never erase the same run at once (a session lock; the second returns at once)."""
    run = RetentionRun.objects.filter(pk=run_id).first()
    if run is None:
        raise RetentionRun.DoesNotExist("No such retention run.")
    if run.state != RetentionRun.State.APPROVED:
        return run
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [f"retention:execute:{connection.schema_name}"])
        if not cursor.fetchone()[0]:
            return run
    try:
        return _execute(run, batch_size=batch_size)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [f"retention:execute:{connection.schema_name}"])


def _execute(run: RetentionRun, *, batch_size: int) -> RetentionRun:
    run.refresh_from_db()
    if run.state != RetentionRun.State.APPROVED:
        return run
    # Due under the list's schedule and under today's: the earlier of the two cutoffs.
    cutoffs = Cutoffs.from_json(run.cutoffs).earlier(cutoffs_for(retention_current()))
    counts: Counter[str] = Counter()
    counts.update(
        _in_batches(
            clients_due(cutoffs).filter(pk__in=_listed(run, RetentionKind.CLIENTS, "object_uuid")),
            _clients_erased,
            batch_size,
        )
    )
    counts.update(
        _in_batches(
            involvements_due(cutoffs).filter(pk__in=_listed(run, RetentionKind.INVOLVEMENTS, "object_uuid")),
            _deleted(Involvement, RetentionKind.INVOLVEMENTS),
            batch_size,
        )
    )
    counts.update(
        _in_batches(
            team_activity_due(cutoffs).filter(pk__in=_listed(run, RetentionKind.TEAM_ACTIVITY, "object_number")),
            _deleted(TeamActivity, RetentionKind.TEAM_ACTIVITY),
            batch_size,
        )
    )
    counts.update(
        _in_batches(
            sessions_due(cutoffs).filter(pk__in=_listed(run, RetentionKind.SIGN_IN, "object_number")),
            _deleted(UserSession, RetentionKind.SIGN_IN),
            batch_size,
        )
    )
    with transaction.atomic():
        held = held_client_ids()
        if run.counts.get(RetentionKind.SIGN_IN):
            counts[RetentionKind.SIGN_IN] += audit_events_expire(
                cutoff=cutoffs.sign_in_audit_at, only_actions=SIGN_IN_ACTIONS
            )
        if run.counts.get(RetentionKind.AUDIT):
            counts[RetentionKind.AUDIT] += audit_events_expire(
                cutoff=cutoffs.audit_at, except_actions=SIGN_IN_ACTIONS, keep_client_ids=held
            )
        run = RetentionRun.objects.select_for_update().get(pk=run.pk)
        run.erased = {str(kind): int(count) for kind, count in sorted(counts.items())}
        run.state = RetentionRun.State.FINISHED
        run.finished_at = timezone.now()
        run.save(update_fields=["erased", "state", "finished_at"])
        run.items.all().delete()  # the report keeps the counts; the ids served their purpose
        audit_record(
            action=AuditAction.RECORDS_ERASED,
            outcome=AuditOutcome.SUCCESS,
            origin=NO_ORIGIN,
            actor_id=run.decided_by.user_id if run.decided_by else None,
            object_type="retention_run",
            object_id=run.pk,
            reason=_counts_described(run.erased),
        )
    return run


def retention_run_listed_clients(run: RetentionRun) -> QuerySet[Any]:
    """The clients a waiting run lists, by name (for the privacy officer to check), with when their team ended (why
    they are listed: None for a client never involved with anyone) and whether each is on legal hold now (a hold
    placed after the listing keeps the client: it is re-checked at erase time)."""
    last_ended = (
        Involvement.objects.filter(client=OuterRef("pk"))
        .order_by()
        .values("client")
        .annotate(last=Max("ended_on"))
        .values("last")
    )
    return (
        Client.objects.filter(pk__in=_listed(run, RetentionKind.CLIENTS, "object_uuid"))
        .annotate(
            held=Exists(LegalHold.objects.filter(client=OuterRef("pk"), lifted_at__isnull=True)),
            last_ended_on=Subquery(last_ended),
        )
        .order_by("surname", "first_name", "pk")
    )
