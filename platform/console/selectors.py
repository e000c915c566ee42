"""Reads for the operator's pages: one council's state across its schema and the platform, and the platform audit.

Nothing here enters a council's schema (the connection stays in the platform's): the two facts read from it —
when its audit trail last moved, and how many of its emails are dead letters — are one query on its tables named
in full with psycopg's identifier quoting. Neither says who did what: a time and a count only (SECURITY.md AZ-4).
"""

import datetime
import uuid
from dataclasses import dataclass, field
from functools import cache

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.models import Q
from django.utils import timezone
from psycopg import sql

from core.accounts.models import User
from core.audit.models import AuditEvent
from core.notifications.models import DeliveryState, Notification
from support.models import SupportGrant, SupportStatus
from tenants.models import BackupStatus, Council, CouncilBackup, CouncilRestore, Offboarding
from tenants.schema_state import applied_migrations

AUDIT_PAGE_SIZE = 50
FAILURES_LISTED = 5
GRANTS_LISTED = 10


@dataclass(frozen=True)
class CouncilActivity:
    schema_exists: bool
    last_activity_at: datetime.datetime | None  # the latest event of its audit trail, whoever and whatever it was
    dead_letters: int  # emails its outbox gave up on


def council_activity(council: Council) -> CouncilActivity:
    """When the council's audit trail last moved and how many dead letters its outbox holds (two queries)."""
    audit = AuditEvent._meta.db_table
    outbox = Notification._meta.db_table
    schema = council.schema_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_regclass(quote_ident(%s) || '.' || quote_ident(%s)) IS NOT NULL, "
            "to_regclass(quote_ident(%s) || '.' || quote_ident(%s)) IS NOT NULL",
            [schema, audit, schema, outbox],
        )
        has_audit, has_outbox = cursor.fetchone()
        if not (has_audit and has_outbox):
            return CouncilActivity(schema_exists=False, last_activity_at=None, dead_letters=0)
        query = sql.SQL(
            "SELECT (SELECT max(occurred_at) FROM {audit}), (SELECT count(*) FROM {outbox} WHERE state = {dead})"
        ).format(
            audit=sql.Identifier(schema, audit),
            outbox=sql.Identifier(schema, outbox),
            dead=sql.Literal(DeliveryState.DEAD.value),
        )
        cursor.execute(query)
        last_activity_at, dead_letters = cursor.fetchone()
    return CouncilActivity(schema_exists=True, last_activity_at=last_activity_at, dead_letters=dead_letters)


@cache
def migrations_on_disk() -> frozenset[tuple[str, str]]:
    """Every migration of the code this process runs (read once per process)."""
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


@dataclass(frozen=True)
class MigrationState:
    schema_exists: bool
    to_apply: int  # migrations on disk not yet recorded in its schema

    @property
    def up_to_date(self) -> bool:
        return self.schema_exists and self.to_apply == 0


def council_migration_state(council: Council) -> MigrationState:
    """How far the council's schema is behind the code (tenants/schema_state.py: two queries)."""
    applied = applied_migrations([council.schema_name]).get(council.schema_name, set())
    if not applied:
        return MigrationState(schema_exists=False, to_apply=0)
    return MigrationState(schema_exists=True, to_apply=len(migrations_on_disk() - applied))


@dataclass(frozen=True)
class CouncilGrants:
    """The council's support grants as the operator needs to see them: asked and unanswered, open now, and past."""

    waiting: list[SupportGrant] = field(default_factory=list)
    open: list[SupportGrant] = field(default_factory=list)
    past: list[SupportGrant] = field(default_factory=list)


def council_support_grants(council: Council, *, now: datetime.datetime | None = None) -> CouncilGrants:
    """Every waiting and open grant, and the latest past ones. One query."""
    now = now or timezone.now()
    grants = CouncilGrants()
    for grant in SupportGrant.objects.filter(council=council).order_by("-requested_at")[:100]:
        if grant.status == SupportStatus.REQUESTED:
            grants.waiting.append(grant)
        elif grant.status == SupportStatus.GRANTED and grant.ended_at is None and grant.ends_at and grant.ends_at > now:
            grants.open.append(grant)
        elif len(grants.past) < GRANTS_LISTED:
            grants.past.append(grant)
    return grants


@dataclass(frozen=True)
class CouncilErrors:
    provisioning_error: str
    failed_backups: list[CouncilBackup]
    failed_restores: list[CouncilRestore]
    offboarding_error: str

    @property
    def any(self) -> bool:
        return bool(self.provisioning_error or self.failed_backups or self.failed_restores or self.offboarding_error)


def council_errors(council: Council) -> CouncilErrors:
    """What went wrong with the council and was left so: its provisioning, its latest failed backups and restores,
    its offboarding. Three queries."""
    offboarding = Offboarding.objects.filter(council=council).only("error").first()
    return CouncilErrors(
        provisioning_error=council.provisioning_error,
        failed_backups=list(
            CouncilBackup.objects.filter(council=council, status=BackupStatus.FAILED)
            .only("id", "purpose", "requested_at", "finished_at", "step", "error")
            .order_by("-requested_at", "-id")[:FAILURES_LISTED]
        ),
        failed_restores=list(
            CouncilRestore.objects.filter(council=council, status=BackupStatus.FAILED)
            .only("id", "requested_at", "finished_at", "step", "error", "target_schema")
            .order_by("-requested_at", "-id")[:FAILURES_LISTED]
        ),
        offboarding_error=offboarding.error if offboarding else "",
    )


@dataclass(frozen=True)
class AuditRow:
    event: AuditEvent
    operator: User | None  # the platform account that acted, if any and if it still exists


def platform_audit_page(*, action: str = "", operator_id: uuid.UUID | str | None = None, page: object = 1) -> Page:
    """One page of the platform's audit trail (the ``public`` schema's), newest first, optionally of one action or
    one operator; each row with its operator's account. Three queries: the count, the page, the accounts."""
    events = AuditEvent.objects.order_by("-occurred_at", "-id")
    if action:
        events = events.filter(action=action)
    if operator_id:
        events = events.filter(actor_id=operator_id)
    paginated = Paginator(events, AUDIT_PAGE_SIZE).get_page(page)
    listed = list(paginated.object_list)
    accounts = User.objects.in_bulk({event.actor_id for event in listed if event.actor_id})
    paginated.object_list = [AuditRow(event=event, operator=accounts.get(event.actor_id)) for event in listed]
    return paginated


def platform_operators() -> list[User]:
    """Everyone who can act in the console, and anyone who did and is no longer staff: the audit's filter choices."""
    actors = AuditEvent.objects.filter(actor_id__isnull=False).values("actor_id").distinct()
    return list(User.objects.filter(Q(is_staff=True) | Q(pk__in=actors)).order_by("first_name", "last_name", "email"))
