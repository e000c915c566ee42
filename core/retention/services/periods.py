"""When a record of each kind falls due under the council's schedule: cutoffs, and the set-based queries of what
is due now. One place, read by the nightly listing and again at erase time (what was listed must still be due)."""

import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from core.accounts.models import UserSession
from core.audit.models import AuditAction, AuditEvent
from core.clients.models import Client, Involvement, TeamActivity
from core.governance.rules import RetentionKind, RetentionPeriods
from core.retention.models import LegalHold

# The sign-in records: what the accounts app writes to the audit trail about signing in and out (their addresses
# and browsers are personal data about practitioners), kept for their own period; and the rows of ended sessions
# (core/accounts UserSession: address, browser, last seen). The sessions themselves live in the session store
# and end after twelve hours at most (SECURITY.md SES-1).
SIGN_IN_ACTIONS = (
    AuditAction.SIGN_IN,
    AuditAction.SIGN_IN_FAILED,
    AuditAction.SECOND_FACTOR_FAILED,
    AuditAction.LOCKED_OUT,
    AuditAction.UNLOCKED,
    AuditAction.SIGN_OUT,
    AuditAction.SESSION_EXPIRED,
    AuditAction.SESSIONS_ENDED,
)


def years_before(moment: datetime.date, years: int) -> datetime.date:
    """The same day ``years`` earlier (29 February becomes 28 February): works for dates and datetimes."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


@dataclass(frozen=True)
class Cutoffs:
    """What was recorded on or before these is due. Dates for involvements (they end on a date), the council's
    clock for what it stamps itself, the database's clock for the audit trail (its events are stamped by it)."""

    clients_ended_on: datetime.date  # the last involvement ended on or before this day
    clients_added_at: datetime.datetime  # never involved: added at or before this moment
    involvements_ended_on: datetime.date
    team_activity_at: datetime.datetime
    audit_at: datetime.datetime
    sign_in_audit_at: datetime.datetime
    sessions_at: datetime.datetime

    def to_json(self) -> dict[str, str]:
        return {name: value.isoformat() for name, value in self.__dict__.items()}

    @classmethod
    def from_json(cls, data: dict[str, str]) -> "Cutoffs":
        dates = {"clients_ended_on", "involvements_ended_on"}
        return cls(
            **{
                name: (datetime.date if name in dates else datetime.datetime).fromisoformat(value)
                for name, value in data.items()
            }
        )

    def earlier(self, other: "Cutoffs") -> "Cutoffs":
        """Each cutoff the earlier of the two: what is due under both (a list re-checked under today's schedule)."""
        return Cutoffs(**{name: min(value, getattr(other, name)) for name, value in self.__dict__.items()})


def database_now() -> datetime.datetime:
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        return cursor.fetchone()[0]


def cutoffs_for(periods: RetentionPeriods) -> Cutoffs:
    """The cutoffs of the schedule now (the council's today: tasks and pages run in its time zone)."""
    now, today, database = timezone.now(), timezone.localdate(), database_now()
    return Cutoffs(
        clients_ended_on=years_before(today, periods.years(RetentionKind.CLIENTS)),
        clients_added_at=years_before(now, periods.years(RetentionKind.CLIENTS)),
        involvements_ended_on=years_before(today, periods.years(RetentionKind.INVOLVEMENTS)),
        team_activity_at=years_before(now, periods.years(RetentionKind.TEAM_ACTIVITY)),
        audit_at=years_before(database, periods.years(RetentionKind.AUDIT)),
        sign_in_audit_at=years_before(database, periods.years(RetentionKind.SIGN_IN)),
        sessions_at=years_before(now, periods.years(RetentionKind.SIGN_IN)),
    )


def _held(client_ref: str = "pk") -> Exists:
    return Exists(LegalHold.objects.filter(client=OuterRef(client_ref), lifted_at__isnull=True))


def held_client_ids() -> list[str]:
    """The clients on legal hold now (a handful at most)."""
    return [str(pk) for pk in LegalHold.objects.filter(lifted_at__isnull=True).values_list("client_id", flat=True)]


def clients_due(cutoffs: Cutoffs, *, with_held: bool = False) -> QuerySet[Client]:
    """Clients with no current involvement whose last involvement ended on or before the cutoff, or who were
    never involved with anyone and were added on or before it; never one on legal hold (unless ``with_held``)."""
    last_ended = (
        Involvement.objects.filter(client=OuterRef("pk"))
        .order_by()
        .values("client")
        .annotate(last=Max("ended_on"))
        .values("last")
    )
    clients = Client.objects.filter(
        ~Exists(Involvement.objects.filter(client=OuterRef("pk"), ended_on__isnull=True))
    ).annotate(last_ended_on=Subquery(last_ended))
    if not with_held:
        clients = clients.filter(~_held())
    return clients.filter(
        Q(last_ended_on__lte=cutoffs.clients_ended_on)
        | Q(last_ended_on__isnull=True, created_at__lte=cutoffs.clients_added_at)
    )


def involvements_due(cutoffs: Cutoffs) -> QuerySet[Involvement]:
    """Ended involvements of clients still being worked with (a closed case goes as a whole, with its client),
    ended on or before the cutoff; never a held client's."""
    return Involvement.objects.filter(
        Exists(Involvement.objects.filter(client=OuterRef("client"), ended_on__isnull=True)),
        ~_held("client"),
        ended_on__lte=cutoffs.involvements_ended_on,
    )


def team_activity_due(cutoffs: Cutoffs) -> QuerySet[TeamActivity]:
    return TeamActivity.objects.filter(~_held("client"), occurred_at__lte=cutoffs.team_activity_at)


def sessions_due(cutoffs: Cutoffs) -> QuerySet[UserSession]:
    """Rows of sessions last seen on or before the cutoff: long ended (a session lasts twelve hours at most)."""
    return UserSession.objects.filter(last_seen_at__lte=cutoffs.sessions_at)


def _about_held(held: list[str]) -> Q:
    return Q(object_type="client", object_id__in=held) | Q(related_ids__overlap=held)


def audit_due(cutoffs: Cutoffs, *, held: list[str]) -> QuerySet[AuditEvent]:
    """Audit events older than the audit period, but the sign-in records and events about a held client."""
    events = AuditEvent.objects.filter(occurred_at__lt=cutoffs.audit_at).exclude(action__in=SIGN_IN_ACTIONS)
    return events.exclude(_about_held(held)) if held else events


def sign_in_audit_due(cutoffs: Cutoffs) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(occurred_at__lt=cutoffs.sign_in_audit_at, action__in=SIGN_IN_ACTIONS)
