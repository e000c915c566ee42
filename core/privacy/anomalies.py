"""The anomaly job: over one period (a council-local day) of the audit trail, find the practitioners whose use of
Patchwork the privacy officer should look at, and raise an alert for each (core/governance/services/alerts.py).

One SQL statement reads the period once (the audit trail is the largest table a council has) and returns every
candidate, per practitioner (the actor's account → its practitioner; accounts with no practitioner are left
out):

* ``searches_without_involvement``: at least the threshold of searches, and neither joining a team nor asking
  to join one in the period;
* ``burst``: at least the threshold of searches within any ten minutes (a window function per practitioner);
* ``out_of_hours``: at least the threshold of searches outside the working day, in the council's time zone;
* ``many_clients``: at least the threshold of different clients' teams viewed;
* ``own_surname``: a search that returned a client whose surname is the practitioner's own (the audit keeps no
  search criteria: the hits, joined to the clients, say who was found).

Each alert's evidence holds counts, the audit events behind it (the first ``EVIDENCE_CAP``) and the clients
concerned: ids only. Raising is idempotent, so running a period again raises nothing new.
"""

import datetime
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils import formats
from psycopg import sql

from core.accounts.models import User
from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.clients.models import Client
from core.directory.models import Practitioner
from core.governance.models import Alert, AlertKind
from core.governance.rules import AlertThresholds, Rules
from core.governance.selectors import rules_current
from core.governance.services.alerts import alert_raise
from tenants.models import Council

EVIDENCE_CAP = 50
BURST_WINDOW = datetime.timedelta(minutes=10)


@dataclass(frozen=True)
class Candidate:
    kind: AlertKind
    practitioner_id: object
    count: int
    audit_event_ids: list[int] = field(default_factory=list)
    client_ids: list[str] = field(default_factory=list)
    window_start: datetime.datetime | None = None


def council_time_zone() -> str:
    """The time zone of the council whose schema is in use."""
    zone = Council.objects.filter(schema_name=connection.schema_name).values_list("time_zone", flat=True).first()
    return zone or "Europe/London"


def day_period(day: datetime.date, time_zone: str) -> tuple[datetime.datetime, datetime.datetime]:
    """The council-local day as [start, end) instants (23 or 25 hours long on the days the clocks change)."""
    zone = ZoneInfo(time_zone)
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    return start, end


_SQL = """
WITH period AS MATERIALIZED (
    SELECT e.id, e.actor_id, e.action, e.occurred_at, e.object_id, e.related_ids
    FROM {audit} e
    WHERE e.occurred_at >= %(start)s AND e.occurred_at < %(end)s
      AND e.actor_id IS NOT NULL
      AND (
        (e.action IN (%(search)s, %(viewed)s) AND e.outcome = %(success)s)
        OR e.action IN (%(started)s, %(join_requested)s)
      )
),
searches AS MATERIALIZED (
    SELECT id, actor_id, occurred_at, related_ids FROM period WHERE action = %(search)s
),
without_involvement AS (
    SELECT s.actor_id, count(*) AS n
    FROM searches s
    GROUP BY s.actor_id
    HAVING count(*) >= %(searches_without_involvement)s
       AND NOT EXISTS (
           SELECT 1 FROM period j WHERE j.actor_id = s.actor_id AND j.action IN (%(started)s, %(join_requested)s)
       )
),
windows AS (
    SELECT actor_id, occurred_at,
           count(*) OVER (
               PARTITION BY actor_id ORDER BY occurred_at
               RANGE BETWEEN CURRENT ROW AND '00:09:59.999999'::interval FOLLOWING
           ) AS n
    FROM searches
),
burst AS (
    SELECT DISTINCT ON (actor_id) actor_id, n, occurred_at AS window_start
    FROM windows
    WHERE n >= %(burst_searches)s
    ORDER BY actor_id, n DESC, occurred_at
),
out_of_hours AS (
    SELECT actor_id, count(*) AS n
    FROM searches
    WHERE (occurred_at AT TIME ZONE %(time_zone)s)::time < %(day_starts)s
       OR (occurred_at AT TIME ZONE %(time_zone)s)::time >= %(day_ends)s
    GROUP BY actor_id
    HAVING count(*) >= %(out_of_hours_searches)s
),
many_clients AS (
    SELECT actor_id, count(DISTINCT object_id) AS n
    FROM period
    WHERE action = %(viewed)s AND object_id <> ''
    GROUP BY actor_id
    HAVING count(DISTINCT object_id) >= %(distinct_clients_viewed)s
),
own_surname_hits AS (
    SELECT s.actor_id, s.id, hit.client_id
    FROM searches s
    JOIN {practitioner} pr ON pr.user_id = s.actor_id
    JOIN {user} u ON u.id = pr.user_id
    CROSS JOIN LATERAL unnest(s.related_ids) AS hit(client_id)
    JOIN {client} c ON c.id = CASE WHEN hit.client_id ~ %(uuid_pattern)s THEN hit.client_id::uuid END
    WHERE btrim(u.last_name) <> '' AND lower(btrim(c.surname)) = lower(btrim(u.last_name))
),
own_surname AS (
    SELECT actor_id, count(DISTINCT id) AS n,
           (array_agg(DISTINCT id ORDER BY id))[1:%(cap)s] AS event_ids,
           (array_agg(DISTINCT client_id ORDER BY client_id))[1:%(cap)s] AS client_ids
    FROM own_surname_hits
    GROUP BY actor_id
),
found AS (
    SELECT 'searches_without_involvement' AS kind, actor_id, n, NULL::timestamptz AS window_start,
           NULL::bigint[] AS event_ids, NULL::varchar[] AS client_ids
    FROM without_involvement
    UNION ALL SELECT 'burst', actor_id, n, window_start, NULL, NULL FROM burst
    UNION ALL SELECT 'out_of_hours', actor_id, n, NULL, NULL, NULL FROM out_of_hours
    UNION ALL SELECT 'many_clients', actor_id, n, NULL, NULL, NULL FROM many_clients
    UNION ALL SELECT 'own_surname', actor_id, n, NULL, event_ids, client_ids FROM own_surname
),
evidence AS (
    SELECT f.kind, f.actor_id, e.id, e.occurred_at,
           CASE WHEN e.action = %(viewed)s THEN ARRAY[e.object_id]::varchar[] ELSE e.related_ids END AS hits
    FROM found f
    JOIN period e ON e.actor_id = f.actor_id
    WHERE CASE f.kind
        WHEN 'searches_without_involvement' THEN e.action = %(search)s
        WHEN 'burst' THEN e.action = %(search)s
             AND e.occurred_at >= f.window_start AND e.occurred_at < f.window_start + %(window)s
        WHEN 'out_of_hours' THEN e.action = %(search)s
             AND ((e.occurred_at AT TIME ZONE %(time_zone)s)::time < %(day_starts)s
                  OR (e.occurred_at AT TIME ZONE %(time_zone)s)::time >= %(day_ends)s)
        WHEN 'many_clients' THEN e.action = %(viewed)s AND e.object_id <> ''
        ELSE false
    END
),
evidence_events AS (
    SELECT kind, actor_id, (array_agg(id ORDER BY occurred_at, id))[1:%(cap)s] AS event_ids
    FROM evidence GROUP BY kind, actor_id
),
evidence_clients AS (
    SELECT kind, actor_id, (array_agg(DISTINCT hit ORDER BY hit))[1:%(cap)s] AS client_ids
    FROM evidence CROSS JOIN LATERAL unnest(hits) AS hit
    GROUP BY kind, actor_id
)
SELECT f.kind, pr.id, f.n, f.window_start,
       coalesce(f.event_ids, ee.event_ids), coalesce(f.client_ids, ec.client_ids)
FROM found f
JOIN {practitioner} pr ON pr.user_id = f.actor_id
LEFT JOIN evidence_events ee ON ee.kind = f.kind AND ee.actor_id = f.actor_id
LEFT JOIN evidence_clients ec ON ec.kind = f.kind AND ec.actor_id = f.actor_id
ORDER BY f.kind, pr.id
"""

UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


def anomalies_find(
    *,
    period_start: datetime.datetime,
    period_end: datetime.datetime,
    rules: Rules | AlertThresholds,
    time_zone: str | None = None,
) -> list[Candidate]:
    """Every practitioner whose use of Patchwork in [period_start, period_end) crosses one of the thresholds,
    once per kind. ``time_zone`` (the council's, by default) decides what is out of hours."""
    thresholds = rules.alerts if isinstance(rules, Rules) else rules
    statement = sql.SQL(_SQL).format(  # the tables' names as identifiers; every value is a parameter
        audit=sql.Identifier(AuditEvent._meta.db_table),
        practitioner=sql.Identifier(Practitioner._meta.db_table),
        user=sql.Identifier(User._meta.db_table),
        client=sql.Identifier(Client._meta.db_table),
    )
    params = {
        "start": period_start,
        "end": period_end,
        "search": AuditAction.CLIENT_SEARCH.value,
        "viewed": AuditAction.CLIENT_VIEWED.value,
        "started": AuditAction.INVOLVEMENT_STARTED.value,
        "join_requested": AuditAction.JOIN_REQUESTED.value,
        "success": AuditOutcome.SUCCESS.value,
        "searches_without_involvement": thresholds.searches_without_involvement,
        "burst_searches": thresholds.burst_searches,
        "out_of_hours_searches": thresholds.out_of_hours_searches,
        "distinct_clients_viewed": thresholds.distinct_clients_viewed,
        "day_starts": thresholds.working_day_starts,
        "day_ends": thresholds.working_day_ends,
        "time_zone": time_zone or council_time_zone(),
        "uuid_pattern": UUID_PATTERN,
        "window": BURST_WINDOW,
        "cap": EVIDENCE_CAP,
    }
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    return [
        Candidate(
            kind=AlertKind(kind),
            practitioner_id=practitioner_id,
            count=int(count),
            audit_event_ids=list(event_ids or []),
            client_ids=list(client_ids or []),
            window_start=window_start,
        )
        for kind, practitioner_id, count, window_start, event_ids, client_ids in rows
    ]


def _summary(candidate: Candidate, thresholds: AlertThresholds, day: str) -> str:
    count = candidate.count
    match candidate.kind:
        case AlertKind.SEARCHES_WITHOUT_INVOLVEMENT:
            return f"{count} searches on {day} and no team joined or asked to join"
        case AlertKind.BURST:
            return f"{count} searches within ten minutes on {day}"
        case AlertKind.OUT_OF_HOURS:
            starts = thresholds.working_day_starts.strftime("%H:%M")
            ends = thresholds.working_day_ends.strftime("%H:%M")
            return f"{count} searches outside the working day ({starts} to {ends}) on {day}"
        case AlertKind.MANY_CLIENTS:
            return f"{count} different clients' teams viewed on {day}"
        case AlertKind.OWN_SURNAME:
            return f"{count} search{'es' if count != 1 else ''} on {day} found a client with their own surname"
    return f"{candidate.kind} on {day}"  # pragma: no cover -- every kind the job finds is above


def _threshold(candidate: Candidate, thresholds: AlertThresholds) -> int:
    return {
        AlertKind.SEARCHES_WITHOUT_INVOLVEMENT: thresholds.searches_without_involvement,
        AlertKind.BURST: thresholds.burst_searches,
        AlertKind.OUT_OF_HOURS: thresholds.out_of_hours_searches,
        AlertKind.MANY_CLIENTS: thresholds.distinct_clients_viewed,
        AlertKind.OWN_SURNAME: 1,
    }[candidate.kind]


def anomalies_detect(
    *,
    period_start: datetime.datetime,
    period_end: datetime.datetime,
    rules: Rules | None = None,
    time_zone: str | None = None,
) -> list[Alert]:
    """Raise an alert for every candidate of the period (the council's rules in force by default). Returns the
    alerts raised now: running the same period again returns none."""
    rules = rules or rules_current()
    time_zone = time_zone or council_time_zone()
    candidates = anomalies_find(period_start=period_start, period_end=period_end, rules=rules, time_zone=time_zone)
    practitioners = Practitioner.objects.in_bulk([candidate.practitioner_id for candidate in candidates])
    local_start = period_start.astimezone(ZoneInfo(time_zone))
    day = formats.date_format(local_start.date(), "j F Y")
    raised = []
    for candidate in candidates:
        evidence: dict[str, object] = {
            "count": candidate.count,
            "threshold": _threshold(candidate, rules.alerts),
            "audit_event_ids": candidate.audit_event_ids,
            "client_ids": candidate.client_ids,
        }
        if candidate.window_start is not None:
            evidence["window_start"] = candidate.window_start.isoformat()
        alert, created = alert_raise(
            kind=candidate.kind,
            practitioner=practitioners[candidate.practitioner_id],
            period_start=period_start,
            period_end=period_end,
            summary=_summary(candidate, rules.alerts, day),
            evidence=evidence,
        )
        if created:
            raised.append(alert)
    return raised


def anomalies_detect_day(*, day: datetime.date, rules: Rules | None = None) -> list[Alert]:
    """The job for one council-local day."""
    time_zone = council_time_zone()
    start, end = day_period(day, time_zone)
    return anomalies_detect(period_start=start, period_end=end, rules=rules, time_zone=time_zone)
