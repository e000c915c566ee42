"""The anomaly job's alerts are reproducible from audit rows with fixed times: exactly the expected alerts,
nothing else, and nothing new when the same day is looked at again."""

import datetime
import uuid
from dataclasses import dataclass

import pytest
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.clients.models import Client
from core.directory.models import Practitioner
from core.governance.models import Alert, AlertKind
from core.governance.rules import AlertThresholds, Rules
from core.privacy.anomalies import anomalies_detect, anomalies_detect_day, anomalies_find, day_period
from tenants.models import Council
from tests.factories import AgencyFactory, ClientFactory, verified_practitioner

UTC = datetime.UTC
DAY = datetime.date(2026, 7, 14)  # British Summer Time: council A's day is 2026-07-13 23:00 to 07-14 23:00 UTC
RULES = Rules()  # the defaults: 15 searches, 20 within ten minutes, 25 clients, 3 out of hours (07:00 to 19:00)


def at(hour: int, minute: int = 0, second: int = 0, *, day: int = 14, month: int = 7) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, second, tzinfo=UTC)


def event(
    actor: Practitioner | uuid.UUID,
    action: str,
    when: datetime.datetime,
    *,
    outcome: str = AuditOutcome.SUCCESS,
    object_id: object = "",
    related_ids: list[object] | None = None,
    schema: str = "alpha",
) -> AuditEvent:
    actor_id = actor.user_id if isinstance(actor, Practitioner) else actor
    return AuditEvent(
        actor_id=actor_id,
        council=schema,
        action=action,
        outcome=outcome,
        object_type="client",
        object_id=str(object_id) if object_id else "",
        related_ids=[str(related) for related in related_ids or []],
        occurred_at=when,
    )


@dataclass
class Day:
    searcher: Practitioner
    joiner: Practitioner
    burster: Practitioner
    night_owl: Practitioner
    early_bird: Practitioner
    viewer: Practitioner
    namesake: Practitioner
    late: Practitioner
    burst_ids: list[int]
    burst_clients: set[str]
    own_search_id: int
    own_client: Client
    viewed: list[Client]


@pytest.fixture
def day(council_a: Council) -> Day:
    with schema_context(council_a.schema_name):
        agency = AgencyFactory(name="Alpha Children's Services", email_domains=["children.alpha.example"])
        people = {
            name: verified_practitioner(agency, name.title(), surname)
            for name, surname in (
                ("searcher", "Searcher"),
                ("joiner", "Joiner"),
                ("burster", "Burster"),
                ("night", "Owl"),
                ("early", "Bird"),
                ("viewer", "Viewer"),
                ("nia", "Hughes"),
                ("late", "Late"),
            )
        }
        clients = [ClientFactory(surname=f"Client{number}") for number in range(26)]
        own_client = ClientFactory(first_name="Jade", surname="HUGHES ")
        hits = [clients[0].pk, clients[1].pk]
        events: list[AuditEvent] = []
        # 15 searches across the working day, never joining a team.
        events += [
            event(
                people["searcher"],
                AuditAction.CLIENT_SEARCH,
                at(8) + datetime.timedelta(minutes=20 * n),
                related_ids=hits,
            )
            for n in range(15)
        ]
        # The same 15 searches and a team joined: nothing.
        events += [
            event(
                people["joiner"],
                AuditAction.CLIENT_SEARCH,
                at(8) + datetime.timedelta(minutes=20 * n),
                related_ids=hits,
            )
            for n in range(15)
        ]
        events.append(event(people["joiner"], AuditAction.INVOLVEMENT_STARTED, at(13), object_id=clients[0].pk))
        # 20 searches in 9 minutes 30 seconds (and a team joined, so only the burst), then 19 more, spaced out.
        burst = [
            event(
                people["burster"],
                AuditAction.CLIENT_SEARCH,
                at(9) + datetime.timedelta(seconds=30 * n),
                related_ids=[clients[n % 5].pk],
            )
            for n in range(20)
        ]
        events += burst
        events.append(event(people["burster"], AuditAction.JOIN_REQUESTED, at(12), object_id=clients[3].pk))
        # Out of hours in London (06:00, 06:30, 19:30 BST) though two are inside 07:00–19:00 in UTC.
        events += [
            event(people["night"], AuditAction.CLIENT_SEARCH, when, related_ids=hits)
            for when in (at(5), at(5, 30), at(18, 30))
        ]
        # Inside the working day in London (07:10–07:30 BST), though before 07:00 in UTC.
        events += [
            event(people["early"], AuditAction.CLIENT_SEARCH, when, related_ids=hits)
            for when in (at(6, 10), at(6, 20), at(6, 30))
        ]
        # 25 different clients' teams viewed (some twice); a refused view does not count.
        viewed = clients[:25]
        events += [
            event(people["viewer"], AuditAction.CLIENT_VIEWED, at(10) + datetime.timedelta(minutes=n), object_id=c.pk)
            for n, c in enumerate(viewed + viewed[:5])
        ]
        events.append(
            event(
                people["viewer"],
                AuditAction.CLIENT_VIEWED,
                at(11),
                object_id=clients[25].pk,
                outcome=AuditOutcome.DENIED,
            )
        )
        # Nia Hughes's search found Jade Hughes.
        own = event(people["nia"], AuditAction.CLIENT_SEARCH, at(14), related_ids=[clients[2].pk, own_client.pk])
        events.append(own)
        # A burst just after the council's day ended (00:10 BST the next day), though still 14 July in UTC.
        events += [
            event(people["late"], AuditAction.CLIENT_SEARCH, at(23, 10) + datetime.timedelta(seconds=10 * n))
            for n in range(25)
        ]
        # A burst of refused searches, and a burst by an account that no longer has a practitioner.
        events += [
            event(people["late"], AuditAction.CLIENT_SEARCH, at(15), outcome=AuditOutcome.DENIED) for _ in range(25)
        ]
        gone = uuid.uuid4()
        events += [event(gone, AuditAction.CLIENT_SEARCH, at(15, 0, n), related_ids=hits) for n in range(25)]
        AuditEvent.objects.bulk_create(events)
    return Day(
        searcher=people["searcher"],
        joiner=people["joiner"],
        burster=people["burster"],
        night_owl=people["night"],
        early_bird=people["early"],
        viewer=people["viewer"],
        namesake=people["nia"],
        late=people["late"],
        burst_ids=[row.pk for row in burst],
        burst_clients={str(c.pk) for c in clients[:5]},
        own_search_id=own.pk,
        own_client=own_client,
        viewed=viewed,
    )


def test_the_day_raises_exactly_the_expected_alerts_and_again_nothing(council_a: Council, day: Day) -> None:
    with schema_context(council_a.schema_name):
        raised = anomalies_detect_day(day=DAY, rules=RULES)
        found = {(alert.kind, alert.practitioner_id) for alert in raised}
        assert found == {
            (AlertKind.SEARCHES_WITHOUT_INVOLVEMENT, day.searcher.pk),
            (AlertKind.BURST, day.burster.pk),
            (AlertKind.OUT_OF_HOURS, day.night_owl.pk),
            (AlertKind.MANY_CLIENTS, day.viewer.pk),
            (AlertKind.OWN_SURNAME, day.namesake.pk),
        }
        assert Alert.objects.count() == 5
        start, end = day_period(DAY, "Europe/London")
        assert (start, end) == (at(23, day=13), at(23))
        assert all((alert.period_start, alert.period_end) == (start, end) for alert in raised)
        assert AuditEvent.objects.filter(action=AuditAction.ALERT_RAISED).count() == 5

        again = anomalies_detect_day(day=DAY, rules=RULES)
        assert again == []
        assert Alert.objects.count() == 5


def test_each_alert_carries_its_evidence(council_a: Council, day: Day) -> None:
    with schema_context(council_a.schema_name):
        anomalies_detect_day(day=DAY, rules=RULES)
        burst = Alert.objects.get(kind=AlertKind.BURST)
        assert burst.evidence["count"] == 20
        assert burst.evidence["threshold"] == 20
        assert burst.evidence["audit_event_ids"] == day.burst_ids
        assert set(burst.evidence["client_ids"]) == day.burst_clients
        assert burst.evidence["window_start"] == at(9).isoformat()
        assert "20 searches within ten minutes on 14 July 2026" in burst.summary

        own = Alert.objects.get(kind=AlertKind.OWN_SURNAME)
        assert own.evidence["audit_event_ids"] == [day.own_search_id]
        assert own.evidence["client_ids"] == [str(day.own_client.pk)]

        many = Alert.objects.get(kind=AlertKind.MANY_CLIENTS)
        assert many.evidence["count"] == 25
        assert set(many.evidence["client_ids"]) == {str(c.pk) for c in day.viewed}
        assert len(many.evidence["audit_event_ids"]) == 30

        night = Alert.objects.get(kind=AlertKind.OUT_OF_HOURS)
        assert night.evidence["count"] == 3
        assert "07:00 to 19:00" in night.summary


def test_evidence_lists_at_most_fifty_events(council_a: Council) -> None:
    with schema_context(council_a.schema_name):
        agency = AgencyFactory(email_domains=["busy.example"])
        busy = verified_practitioner(agency, "Busy", "Bee")
        AuditEvent.objects.bulk_create(
            [event(busy, AuditAction.CLIENT_SEARCH, at(9) + datetime.timedelta(seconds=n)) for n in range(80)]
        )
        start, end = day_period(DAY, "Europe/London")
        candidates = anomalies_find(period_start=start, period_end=end, rules=RULES, time_zone="Europe/London")
        burst = next(c for c in candidates if c.kind == AlertKind.BURST)
        assert burst.count == 80
        assert len(burst.audit_event_ids) == 50


def test_thresholds_are_the_councils(council_a: Council, day: Day) -> None:
    stricter = Rules(alerts=AlertThresholds(burst_searches=21, out_of_hours_searches=2, distinct_clients_viewed=26))
    with schema_context(council_a.schema_name):
        start, end = day_period(DAY, "Europe/London")
        found = {
            (c.kind, c.practitioner_id)
            for c in anomalies_find(period_start=start, period_end=end, rules=stricter, time_zone="Europe/London")
        }
    assert (AlertKind.BURST, day.burster.pk) not in found
    assert (AlertKind.MANY_CLIENTS, day.viewer.pk) not in found
    assert (AlertKind.OUT_OF_HOURS, day.night_owl.pk) in found
    assert (AlertKind.OUT_OF_HOURS, day.early_bird.pk) not in found


def test_out_of_hours_is_the_councils_own_time(council_b: Council) -> None:
    """City of Beta keeps Melbourne time (UTC+11 in December): 09:00 there is 22:00 UTC the evening before."""
    with schema_context(council_b.schema_name):
        agency = AgencyFactory(email_domains=["beta.example"])
        morning = verified_practitioner(agency, "Morgan", "Morning")
        evening = verified_practitioner(agency, "Evan", "Evening")
        AuditEvent.objects.bulk_create(
            [
                event(morning, AuditAction.CLIENT_SEARCH, at(22, 10 * n, day=30, month=11), schema="beta")
                for n in range(3)
            ]
            + [
                event(evening, AuditAction.CLIENT_SEARCH, at(10, 10 * n, day=1, month=12), schema="beta")
                for n in range(3)
            ]
        )
        raised = anomalies_detect_day(day=datetime.date(2026, 12, 1), rules=RULES)
        assert [(alert.kind, alert.practitioner_id) for alert in raised] == [(AlertKind.OUT_OF_HOURS, evening.pk)]
        assert raised[0].period_start == at(13, day=30, month=11)


def test_the_nightly_task_looks_at_the_given_day_in_its_council(council_a: Council, day: Day) -> None:
    from core.privacy.tasks import anomalies_detect_council

    with schema_context(council_a.schema_name):
        assert anomalies_detect_council.apply(kwargs={"day": DAY.isoformat()}).get() == 5
        assert anomalies_detect_council.apply(kwargs={"day": DAY.isoformat()}).get() == 0


def test_another_councils_day_raises_nothing_here(council_a: Council, council_b: Council, day: Day) -> None:
    with schema_context(council_b.schema_name):
        start, end = day_period(DAY, "Australia/Melbourne")
        assert anomalies_detect(period_start=start, period_end=end, rules=RULES) == []


def test_the_job_is_on_the_nightly_schedule_for_every_council() -> None:
    from celery.schedules import crontab
    from django.conf import settings

    from config.celery import app

    entry = next(
        entry for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] == "privacy.anomalies_detect_all"
    )
    assert isinstance(entry["schedule"], crontab)
    app.loader.import_default_modules()  # as a worker does when it starts: the apps' tasks modules, found
    assert "privacy.anomalies_detect_all" in app.tasks
    assert "privacy.anomalies_detect_council" in app.tasks


def test_the_nightly_task_looks_at_yesterday_in_the_councils_own_time(council_a: Council, day: Day) -> None:
    """At 00:30 on 15 July in London it is still 14 July in UTC: yesterday, for council A, is the 14th."""
    import time_machine

    from core.privacy.tasks import anomalies_detect_council

    with time_machine.travel(at(23, 30), tick=False), schema_context(council_a.schema_name):
        assert anomalies_detect_council.apply().get() == 5


def test_the_task_runs_a_given_day_and_a_second_run_raises_nothing(council_a: Council, day: Day) -> None:
    from core.privacy.tasks import anomalies_detect_council

    with schema_context(council_a.schema_name):
        assert anomalies_detect_council.apply(kwargs={"day": DAY.isoformat()}).get() == 5
        assert anomalies_detect_council.apply(kwargs={"day": DAY.isoformat()}).get() == 0
        assert Alert.objects.count() == 5
