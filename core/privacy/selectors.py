"""Reads for the privacy officer: the clients they look up, who accessed a client and why, what a practitioner
did, and the alerts inbox.

The privacy officer's oversight is not limited to the teams they are in: these reads do not go through the
team policy. Each page that shows them is recorded (core/privacy/recorded.py), and only privacy officers reach
them (the views check first).
"""

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import CharField, Q, QuerySet, Subquery
from django.db.models.functions import Cast, Lower
from django.utils import timezone

from core.api_clients.models import ApiClient
from core.audit.models import ActorType, AuditAction, AuditEvent, AuditOutcome
from core.clients.models import BreakGlassAccess, Client, Consent, Involvement, JoinRequest, TeamInvitation
from core.directory.models import Practitioner
from core.governance.models import Alert

LOOKUP_CAP = 20
PAGE_SIZE = 50

# The kinds of object an audit row names that belong to one client: the client itself, and its involvements,
# consents, join requests, break-glass accesses and team invitations (each by its own id).
CLIENT_OBJECT_TYPES = ("involvement", "consent", "join_request", "break_glass", "break_glass_access", "team_invitation")
_CLIENT_OWNED = (Involvement, Consent, JoinRequest, BreakGlassAccess, TeamInvitation)


def privacy_officers() -> list[Practitioner]:
    """The council's active privacy officers (those an alert may be assigned to)."""
    return list(
        Practitioner.objects.filter(is_privacy_officer=True, user__is_active=True)
        .select_related("user", "agency")
        .order_by("user__last_name", "user__first_name")
    )


# --- Finding a client ------------------------------------------------------------------------------------------


def clients_lookup(
    *,
    surname: str = "",
    date_of_birth: datetime.date | None = None,
    identifier: str = "",
    client_id: object | None = None,
) -> list[Client]:
    """The clients matching exactly one way of finding them (a client id; an identifier; a surname and date of
    birth), at most ``LOOKUP_CAP``. Exact matches only: the privacy officer is looking for a person they know."""
    clients = Client.objects.order_by("surname", "first_name", "date_of_birth")
    if client_id:
        clients = clients.filter(pk=client_id)
    elif identifier.strip():
        value = "".join(identifier.split())
        clients = clients.filter(
            Q(nhs_number=value)
            | Q(unique_pupil_number=value.upper())
            | Q(victorian_student_number=value)
            | Q(local_case_id=identifier.strip())
        )
    elif surname.strip() and date_of_birth:
        clients = clients.annotate(surname_lower=Lower("surname")).filter(
            Q(surname_lower=surname.strip().lower()) | Q(aliases__surname__iexact=surname.strip()),
            date_of_birth=date_of_birth,
        )
    else:
        return []
    return list(clients.distinct()[:LOOKUP_CAP])


# --- Who accessed a client, and what a practitioner did --------------------------------------------------------


def client_access_events(*, client_id: object) -> QuerySet[AuditEvent]:
    """Every audit event touching the client, newest first: the client as the object (views, changes,
    break-glass), among a search's results or a family member's team view (``related_ids``), or one of its
    involvements, consents, join requests, break-glass accesses or team invitations as the object."""
    key = str(client_id)
    touches = Q(object_type="client", object_id=key) | Q(related_ids__contains=[key])
    for model in _CLIENT_OWNED:
        owned = model.objects.filter(client_id=client_id).annotate(key=Cast("pk", CharField())).values("key")
        touches |= Q(object_type__in=CLIENT_OBJECT_TYPES, object_id__in=Subquery(owned))
    return AuditEvent.objects.filter(touches).order_by("-occurred_at", "-id")


def practitioner_activity_events(*, practitioner: Practitioner) -> QuerySet[AuditEvent]:
    """Everything the practitioner's account did, newest first."""
    return AuditEvent.objects.filter(actor_id=practitioner.user_id).order_by("-occurred_at", "-id")


@dataclass(frozen=True)
class AccessRow:
    """One audit event as the privacy officer reads it."""

    event: AuditEvent
    when: datetime.datetime
    who: Practitioner | None  # None: the account is gone, or the system did it
    what: str
    outcome: str
    reason: str
    address: str
    client_id: str | None  # the client the event is about, when it is one client (for a link)
    api_client: str = ""  # "API client <name> (<agency>)" when an agency's system did it

    @property
    def who_name(self) -> str:
        if self.who is not None:
            return self.who.user.full_name
        if self.event.actor_type == ActorType.API_CLIENT:
            return self.api_client or "API client (removed)"
        return "Account removed" if self.event.actor_id else "Patchwork (automatic)"

    @property
    def who_agency(self) -> str:
        return self.who.agency.name if self.who is not None else ""


# The labels of actions and outcomes, looked up directly: Django's get_FOO_display() rebuilds a hashable copy of
# the choices on every call, which was half the time of an access history of 10,000 events.
ACTION_LABELS = dict(AuditAction.choices)
OUTCOME_LABELS = dict(AuditOutcome.choices)


def _what(event: AuditEvent, client_key: str | None) -> str:
    label = ACTION_LABELS.get(event.action, event.action)
    hits = len(event.related_ids)
    if event.action == AuditAction.CLIENT_SEARCH:
        if client_key is not None:
            return f"Search: this client was among its {hits} result{'s' if hits != 1 else ''}"
        return f"{label} ({hits} result{'s' if hits != 1 else ''})"
    if event.action == AuditAction.CLIENT_VIEWED and client_key is not None and event.object_id != client_key:
        return "Viewed a family member's team, which shows this client"
    return label


def access_rows(events: Iterable[AuditEvent], *, client_id: object | None = None) -> list[AccessRow]:
    """The events with who did them (one query for all their accounts' practitioners, with agency), what they
    were in words, and when in the council's time."""
    events = list(events)
    actors = _actors({event.actor_id for event in events if event.actor_id})
    api_clients = _api_clients(
        {event.actor_id for event in events if event.actor_type == ActorType.API_CLIENT and event.actor_id}
    )
    return [_row(event, actors, client_id, api_clients) for event in events]


def _actors(user_ids: set[object]) -> dict[object, Practitioner]:
    if not user_ids:
        return {}
    people = Practitioner.objects.filter(user_id__in=user_ids).select_related("user", "agency")
    return {person.user_id: person for person in people}


def _api_clients(client_ids: set[object]) -> dict[object, str]:
    """Who an API client's events were done by, in words (its own actor id is the client's, not an account's)."""
    if not client_ids:
        return {}
    clients = ApiClient.objects.filter(pk__in=client_ids).select_related("agency")
    return {client.pk: f"API client {client.name} ({client.agency.name})" for client in clients}


def _row(
    event: AuditEvent,
    actors: dict[object, Practitioner],
    client_id: object | None,
    api_clients: dict[object, str] | None = None,
) -> AccessRow:
    key = str(client_id) if client_id is not None else None
    about = key
    if about is None and event.object_type == "client" and event.object_id:
        about = event.object_id
    return AccessRow(
        event=event,
        when=timezone.localtime(event.occurred_at),
        who=actors.get(event.actor_id),
        what=_what(event, key),
        outcome=OUTCOME_LABELS.get(event.outcome, event.outcome),
        reason=event.reason,
        address=event.ip_address or "",
        client_id=about,
        api_client=(api_clients or {}).get(event.actor_id, ""),
    )


def access_rows_streamed(events: QuerySet[AuditEvent], *, client_id: object | None = None, chunk: int = 2000):
    """``access_rows`` for an export of any length: the events read a chunk at a time, the practitioners behind
    them looked up once (one query) before the first row."""
    actors = _actors(set(events.exclude(actor_id=None).values_list("actor_id", flat=True).distinct()))
    by_clients = events.filter(actor_type=ActorType.API_CLIENT).exclude(actor_id=None)
    api_clients = _api_clients(set(by_clients.values_list("actor_id", flat=True).distinct()))
    for event in events.iterator(chunk_size=chunk):
        yield _row(event, actors, client_id, api_clients)


# --- Alerts ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlertFilters:
    state: str = ""  # "", "open" or "closed"
    kind: str = ""
    practitioner_id: object | None = None
    assigned_to: str = ""  # "", "none", or a practitioner id
    raised_within_days: int | None = None


def alerts_list(*, filters: AlertFilters) -> QuerySet[Alert]:
    """The alerts inbox: open ones first, newest first, with the practitioner and the assignee (one query)."""
    alerts = Alert.objects.select_related(
        "practitioner__user", "practitioner__agency", "assigned_to__user", "closed_by__user"
    )
    if filters.state:
        alerts = alerts.filter(state=filters.state)
    if filters.kind:
        alerts = alerts.filter(kind=filters.kind)
    if filters.practitioner_id:
        alerts = alerts.filter(practitioner_id=filters.practitioner_id)
    if filters.assigned_to == "none":
        alerts = alerts.filter(assigned_to=None)
    elif filters.assigned_to:
        alerts = alerts.filter(assigned_to_id=filters.assigned_to)
    if filters.raised_within_days:
        alerts = alerts.filter(raised_at__gte=timezone.now() - datetime.timedelta(days=filters.raised_within_days))
    # "open" sorts before "closed" descending: open alerts first.
    return alerts.order_by("-state", "-raised_at", "-id")


def alert_practitioners() -> list[Practitioner]:
    """The practitioners some alert is about (to filter the inbox by)."""
    return list(
        Practitioner.objects.filter(pk__in=Alert.objects.values("practitioner_id"))
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )


def alert_for_officer(*, alert_id: object) -> Alert | None:
    return (
        Alert.objects.select_related(
            "practitioner__user", "practitioner__agency", "assigned_to__user", "closed_by__user"
        )
        .filter(pk=alert_id)
        .first()
    )


@dataclass(frozen=True)
class AlertEvidence:
    count: int | None
    threshold: int | None
    rows: list[AccessRow]
    clients: list[Client]
    missing_client_ids: list[str]
    break_glass_id: str | None
    window_start: datetime.datetime | None


def alert_evidence(*, alert: Alert) -> AlertEvidence:
    """The alert's evidence made readable: its audit events as rows (one query, and one for who did them), the
    clients it names (one query). Ids the evidence holds that no longer exist are listed as such."""
    evidence = alert.evidence if isinstance(alert.evidence, dict) else {}
    event_ids = [int(value) for value in evidence.get("audit_event_ids", []) if str(value).isdigit()]
    events = AuditEvent.objects.filter(pk__in=event_ids).order_by("occurred_at", "id") if event_ids else []
    client_ids = [str(value) for value in evidence.get("client_ids", [])]
    clients = (
        list(Client.objects.filter(pk__in=_uuids(client_ids)).order_by("surname", "first_name")) if client_ids else []
    )
    known = {str(client.pk) for client in clients}
    window = evidence.get("window_start")
    try:
        window_start = timezone.localtime(datetime.datetime.fromisoformat(window)) if window else None
    except (TypeError, ValueError):
        window_start = None
    break_glass_id = evidence.get("break_glass_id")
    return AlertEvidence(
        count=evidence.get("count"),
        threshold=evidence.get("threshold"),
        rows=access_rows(events),
        clients=clients,
        missing_client_ids=[value for value in client_ids if value not in known],
        break_glass_id=str(break_glass_id) if break_glass_id else None,
        window_start=window_start,
    )


def _uuids(values: list[str]) -> list[str]:
    valid = []
    for value in values:
        try:
            valid.append(str(uuid.UUID(value)))
        except ValueError:
            continue
    return valid
