"""The daily jobs through a real Celery worker and Redis: beat's platform tasks fan out to each council in use, and
each council's task asks, reminds and tells there — the links in its notices lead to the council's own site.

The worker has its own connection, so everything must be committed: this test makes (and drops) its own council."""

import datetime
import time
from collections.abc import Iterator

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from config.celery import app
from core.clients.models import Involvement
from core.inbox.models import Notice, NoticeKind
from core.notifications.models import Notification
from core.teamwork.jobs import involvement_checks_all, team_task_reminders_all
from core.teamwork.models import InvolvementCheck, TeamTask
from onboarding.services.provisioning import council_create, council_provision
from tenants.models import Council
from tenants.services.schemas import council_schema_drop
from tests.factories import AgencyFactory, ClientFactory, InvolvementFactory, verified_practitioner

pytestmark = pytest.mark.council_side


def test_beat_sends_both_jobs_every_day() -> None:
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"teamwork.involvement_checks_all", "teamwork.team_task_reminders_all"} <= tasks


@pytest.fixture
def committed_council(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[Council]:
    with django_db_blocker.unblock():
        council = council_create(name="Teamwork Worker Council", slug="teamwork-worker", jurisdiction="england")
        council_provision(council_id=council.pk)
        try:
            yield council
        finally:
            connection.set_schema_to_public()
            council_schema_drop(council=council)
            Council.objects.filter(pk=council.pk).delete()


def _wait_for(condition: object, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError("the worker did not finish in time")


def test_the_daily_jobs_fan_out_and_run_in_each_council(
    committed_council: Council, django_db_blocker: pytest.FixtureRequest
) -> None:
    schema = committed_council.schema_name
    with django_db_blocker.unblock(), start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        with schema_context(schema):
            agency = AgencyFactory(name="Worker Children's Services", email_domains=["worker.example"])
            sam = verified_practitioner(agency, "Sam", "Social")
            client = ClientFactory()
            involvement = InvolvementFactory(
                client=client, practitioner=sam, started_on=timezone.localdate() - datetime.timedelta(days=200)
            )
            TeamTask.objects.create(
                client=client, assigned_by=sam, assignee=sam, description="Call the GP", due_on=timezone.localdate()
            )
        involvement_checks_all.delay()  # from the platform, as beat sends them
        team_task_reminders_all.delay()
        with schema_context(schema):
            _wait_for(lambda: InvolvementCheck.objects.filter(involvement=involvement).exists())
            _wait_for(lambda: TeamTask.objects.filter(reminded_on__isnull=False).exists())
            _wait_for(lambda: Notice.objects.filter(kind=NoticeKind.STILL_INVOLVED).exists())
            emails = list(Notification.objects.filter(to=sam.user.email).values_list("subject", "body", "holds_secret"))
            assert Involvement.objects.get(pk=involvement.pk).ended_on is None
    domain = committed_council.domains.get(is_primary=True).domain
    # The question's email carries signed single-use links: it is kept as a secret (its text goes once delivered).
    assert [secret for subject, _, secret in emails if subject.startswith("Are you still involved")] == [True]
    assert any(f"://{domain}" in body and "/#my-tasks" in body for _, body, _ in emails)
