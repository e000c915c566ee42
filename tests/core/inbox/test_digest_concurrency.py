"""The daily summary run twice at the same moment, each on its own connection: each person is emailed once about
their notices, never twice; and the beat's task, through a real Celery worker and Redis, reaches every council.

The threads and the worker have connections of their own, so everything is committed, in a council of its own."""

import time
from collections.abc import Iterator

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django_tenants.utils import schema_context

from config.celery import app
from core.audit.origin import NO_ORIGIN, Origin
from core.inbox.models import EmailFrequency, Notice, NoticeKind, NotificationPreference
from core.inbox.services.digest import SUBJECT, DigestRun, digests_send
from core.inbox.services.notices import notices_send
from core.inbox.tasks import digests_send_all
from core.notifications.models import Notification
from tenants.models import Council
from tests.concurrency import at_the_same_moment, council_of_its_own
from tests.factories import AgencyFactory, verified_practitioner

pytestmark = pytest.mark.council_side


@pytest.fixture
def db(django_db_setup: None) -> None:
    """The test database without the usual rolled-back transaction: the threads' connections must see the data."""


@pytest.fixture
def council(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[Council]:
    with django_db_blocker.unblock(), council_of_its_own("digestrace") as council:
        yield council


def _people_waiting(council: Council, count: int) -> list[str]:
    """``count`` people who chose a summary, each with notices of two kinds waiting. Returns their addresses."""
    with schema_context(council.schema_name):
        agency = AgencyFactory(name="Race Agency", email_domains=["digest-race.example"])
        users = [verified_practitioner(agency, f"Person{n}", "Race").user for n in range(count)]
        for user in users:
            NotificationPreference.objects.create(user=user, email_frequency=EmailFrequency.DAILY_DIGEST)
        for kind in (NoticeKind.TEAM_CHANGE, NoticeKind.TEAM_CHANGE, NoticeKind.TASK):
            notices_send(
                recipients=users,
                kind=kind,
                text="Something happened in one of your teams.",
                link="/",
                subject="A change in one of your teams",
                origin=NO_ORIGIN,
            )
    connection.set_schema_to_public()
    return sorted(user.email for user in users)


def _summaries(council: Council) -> list[str]:
    with schema_context(council.schema_name):
        return sorted(Notification.objects.filter(subject=SUBJECT).values_list("to", flat=True))


def test_two_runs_at_once_email_each_person_once(
    db: None, council: Council, django_db_blocker: pytest.FixtureRequest
) -> None:
    with django_db_blocker.unblock():
        addresses = _people_waiting(council, 3)

        def run() -> DigestRun:
            with schema_context(council.schema_name):
                return digests_send(origin=Origin(base_url="https://digestrace.example"))

        results = at_the_same_moment([run, run], hold=f"{council.schema_name}.inbox_notice")
        assert sorted(result.people for result in results) == [0, 3]
        assert sorted(result.notices for result in results) == [0, 9]
        assert _summaries(council) == addresses  # each once
        with schema_context(council.schema_name):
            assert not Notice.objects.filter(emailed_at__isnull=True).exists()
            assert "- 2 changes in your teams\n- 1 task\n" in Notification.objects.filter(subject=SUBJECT).first().body


def test_the_beats_task_sends_the_summaries_through_a_worker(
    db: None, council: Council, django_db_blocker: pytest.FixtureRequest
) -> None:
    with django_db_blocker.unblock(), start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        addresses = _people_waiting(council, 2)
        digests_send_all.delay()  # from the platform, as beat sends it
        deadline = time.monotonic() + 60
        while _summaries(council) != addresses and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _summaries(council) == addresses
        with schema_context(council.schema_name):
            (body,) = set(Notification.objects.filter(subject=SUBJECT).values_list("body", flat=True))
        assert "http://digestrace.localhost/notifications/" in body
