"""The email outbox: written with the change, delivered after commit, retried when the provider fails.

The email provider is the outside world, so it is the one thing replaced here (a backend that
refuses to send). Retries run through a real broker and worker.
"""

import datetime
import time
from collections.abc import Iterator

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from config.celery import app
from core.notifications.models import Notification
from core.notifications.services.outbox import MAX_ATTEMPTS, notification_queue, notifications_deliver
from core.notifications.tasks import notifications_retry_all
from tenants.models import Council
from tests.core.notifications.helpers import PROVIDER_DOWN, outbox_table

pytestmark = pytest.mark.council_side


def test_a_queued_email_is_kept_with_the_change_and_sent_after_commit(
    council_a: Council, django_capture_on_commit_callbacks: object
) -> None:
    with schema_context(council_a.schema_name), django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        [row] = notification_queue(to=["sam@alpha.example"], subject="A change in one of your teams", body="See it")
        assert mail.outbox == []  # nothing leaves before the change commits
    assert [message.to for message in mail.outbox] == [["sam@alpha.example"]]
    with schema_context(council_a.schema_name):
        row.refresh_from_db()
        assert row.sent_at is not None
        assert row.attempts == 1


def test_a_provider_failure_loses_nothing_and_backs_off(
    council_a: Council, settings: object, django_capture_on_commit_callbacks: object
) -> None:
    settings.EMAIL_BACKEND = PROVIDER_DOWN  # type: ignore[attr-defined]
    with schema_context(council_a.schema_name), django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        [row] = notification_queue(to=["sam@alpha.example"], subject="Subject", body="Body")
    with schema_context(council_a.schema_name):
        row.refresh_from_db()
        assert row.sent_at is None
        assert row.attempts == 1
        assert row.last_error == "ConnectionError"
        assert row.next_attempt_at > timezone.now()
        # Not due yet: a sweep now sends nothing; once due, and the provider is back, it is sent once.
        assert notifications_deliver() == 0
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # type: ignore[attr-defined]
        later = timezone.now() + datetime.timedelta(minutes=5)
        assert notifications_deliver(now=later) == 1
        assert notifications_deliver(now=later) == 0
    assert len(mail.outbox) == 1


def test_an_email_that_keeps_failing_stops_after_the_last_attempt(council_a: Council, settings: object) -> None:
    settings.EMAIL_BACKEND = PROVIDER_DOWN  # type: ignore[attr-defined]
    with schema_context(council_a.schema_name):
        row = Notification.objects.create(to="sam@alpha.example", subject="S", body="B")
        moment = timezone.now()
        for _ in range(MAX_ATTEMPTS + 3):
            moment += datetime.timedelta(hours=2)
            notifications_deliver(now=moment)
        row.refresh_from_db()
        assert row.attempts == MAX_ATTEMPTS
        assert row.sent_at is None


SECRET_LINK = "https://alpha.example/invitations/s3cr3t-single-use-token/"


def test_a_body_holding_a_secret_is_delivered_then_not_kept(
    council_a: Council, django_capture_on_commit_callbacks: object
) -> None:
    with schema_context(council_a.schema_name), django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        notification_queue(to=["sam@alpha.example"], subject="S", body=f"Open {SECRET_LINK}", holds_secret=True)
        notification_queue(to=["kim@alpha.example"], subject="S", body="Nothing secret here")
    assert SECRET_LINK in mail.outbox[0].body
    table = outbox_table(council_a.schema_name)
    assert len(table) == 2
    assert not any("s3cr3t" in row for row in table)
    assert any("Nothing secret here" in row for row in table)  # other bodies are kept as they were


def test_a_secret_waits_while_delivery_is_retried_and_is_delivered_later(
    council_a: Council, settings: object, django_capture_on_commit_callbacks: object
) -> None:
    settings.EMAIL_BACKEND = PROVIDER_DOWN  # type: ignore[attr-defined]
    with schema_context(council_a.schema_name), django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        notification_queue(to=["sam@alpha.example"], subject="S", body=f"Open {SECRET_LINK}", holds_secret=True)
    assert any("s3cr3t" in row for row in outbox_table(council_a.schema_name))  # still to be sent
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # type: ignore[attr-defined]
    with schema_context(council_a.schema_name):
        assert notifications_deliver(now=timezone.now() + datetime.timedelta(minutes=5)) == 1
    assert [SECRET_LINK in message.body for message in mail.outbox] == [True]
    assert not any("s3cr3t" in row for row in outbox_table(council_a.schema_name))


def test_a_secret_is_not_kept_after_the_last_failed_attempt(council_a: Council, settings: object) -> None:
    settings.EMAIL_BACKEND = PROVIDER_DOWN  # type: ignore[attr-defined]
    with schema_context(council_a.schema_name):
        [row] = notification_queue(to=["sam@alpha.example"], subject="S", body=f"Open {SECRET_LINK}", holds_secret=True)
        moment = timezone.now()
        for attempt in range(1, MAX_ATTEMPTS + 1):
            moment += datetime.timedelta(hours=2)
            notifications_deliver(now=moment)
            if attempt < MAX_ATTEMPTS:
                assert any("s3cr3t" in text for text in outbox_table(council_a.schema_name))
        row.refresh_from_db()
    assert (row.attempts, row.sent_at) == (MAX_ATTEMPTS, None)
    assert "issue a new link" in row.body
    assert not any("s3cr3t" in text for text in outbox_table(council_a.schema_name))


COUNCIL_A_SCHEMA = "council_alpha"  # tests/conftest.py; no `db` fixture here: the row must really commit


@pytest.fixture
def waiting_email(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[int]:
    """A committed, due, unsent notification in council A (the worker has its own connection)."""
    with django_db_blocker.unblock(), schema_context(COUNCIL_A_SCHEMA):
        row = Notification.objects.create(
            to="retry@alpha.example",
            subject="S",
            body="B",
            attempts=1,
            next_attempt_at=timezone.now() - datetime.timedelta(minutes=1),
        )
    try:
        yield row.pk
    finally:
        with django_db_blocker.unblock(), schema_context(COUNCIL_A_SCHEMA):
            Notification.objects.filter(pk=row.pk).delete()
        connection.set_schema_to_public()


def test_the_retry_sweep_delivers_waiting_email_in_each_council_through_a_worker(
    waiting_email: int, django_db_blocker: pytest.FixtureRequest
) -> None:
    with django_db_blocker.unblock(), start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        notifications_retry_all.delay().get(timeout=30)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with schema_context(COUNCIL_A_SCHEMA):
                if Notification.objects.filter(pk=waiting_email, sent_at__isnull=False).exists():
                    break
            time.sleep(0.2)
        with schema_context(COUNCIL_A_SCHEMA):
            assert Notification.objects.get(pk=waiting_email).sent_at is not None
    assert "retry@alpha.example" in [address for message in mail.outbox for address in message.to]


def test_many_emails_queued_at_once_are_written_with_the_change_and_handed_to_a_worker_after_commit(
    council_a: Council, django_capture_on_commit_callbacks: object
) -> None:
    from core.notifications.services.outbox import DELIVERED_LINK_BODY, OutgoingEmail, notifications_queue_many

    emails = [OutgoingEmail(to=f"new{n}@alpha.example", subject="Invited", body=f"Link {n}") for n in range(3)]
    app.conf.task_always_eager = True  # the delivery task runs here when sent, as with no broker configured
    try:
        with schema_context(council_a.schema_name), django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            rows = notifications_queue_many(emails=emails, holds_secret=True)
            assert mail.outbox == []
    finally:
        app.conf.task_always_eager = False
    assert sorted(message.to[0] for message in mail.outbox) == [f"new{n}@alpha.example" for n in range(3)]
    assert sorted(message.body for message in mail.outbox) == ["Link 0", "Link 1", "Link 2"]
    with schema_context(council_a.schema_name):
        assert {row.body for row in Notification.objects.filter(pk__in=[row.pk for row in rows])} == {
            DELIVERED_LINK_BODY
        }
