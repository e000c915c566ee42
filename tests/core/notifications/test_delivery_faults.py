"""Email delivery under faults, with the real Redis broker and a real Celery worker started as a subprocess
(``celery -A config.celery worker``), which the test can kill with SIGKILL:

* the broker is down when a team changes: the change commits, its email waits; once the broker is back the sweep
  delivers it, once;
* the worker is killed while the provider has the message: a new worker delivers it once (the row's lease runs
  out, and ``acks_late`` gives the task's message back);
* the provider keeps failing: retried with backoff, then dead-lettered, listed in the console, retried from
  there, delivered once.

The email provider is the only thing played: fault_transport.ControlledBackend, which the test steers through
Redis and which records every attempt. The worker has its own database connection, so everything here is
committed, in a council made for this module and dropped afterwards.
"""

import datetime
import itertools
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import LazySettings
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from config.celery import app
from console.services.deliveries import delivery_retry, undelivered_emails
from core.accounts.models import User
from core.audit.origin import Origin
from core.clients.models import Involvement
from core.clients.services import involvement_start
from core.notifications.models import DeliveryState, Notification
from core.notifications.services.delivery import MAX_ATTEMPTS
from core.notifications.services.outbox import dispatch_started, notification_queue
from onboarding.services.provisioning import council_create, council_provision
from tenants.models import Council
from tenants.services.schemas import council_schema_drop
from tests.core.notifications.fault_transport import controls
from tests.factories import AgencyFactory, ClientFactory, InvolvementFactory, verified_practitioner

pytestmark = pytest.mark.council_side

ROOT = Path(__file__).resolve().parents[3]
CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture(scope="module")
def fault_council(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[Council]:
    with django_db_blocker.unblock():
        council = council_create(name="Delivery Faults Council", slug="delivery-faults", jurisdiction="england")
        council_provision(council_id=council.pk)
        try:
            yield council
        finally:
            connection.set_schema_to_public()
            council_schema_drop(council=council)
            Council.objects.filter(pk=council.pk).delete()


@pytest.fixture
def faults(settings: LazySettings, fault_council: Council) -> Iterator[str]:
    """The hand-off goes to the broker, as in production; the provider's controls and records under a prefix."""
    settings.NOTIFICATIONS_DISPATCH_INLINE = False
    prefix = f"patchwork-test-faults-{uuid.uuid4().hex}"
    app.control.purge()
    with schema_context(fault_council.schema_name):
        dispatch_started()  # no message of an earlier test stands queued: it was purged
    try:
        yield prefix
    finally:
        store = controls()
        for key in store.scan_iter(f"{prefix}:*"):
            store.delete(key)


def _database_url(*, owner: bool) -> str:
    """The test database (which the worker must use) as the application's role or the owner's, built from this
    process's own connection: the machine's PostgreSQL or the embedded one (a socket folder, percent-encoded)."""
    from django.conf import settings

    database = connection.settings_dict
    credentials = settings.DATABASE_OWNER if owner else database
    user, password = quote(credentials["USER"] or "", safe=""), quote(credentials["PASSWORD"] or "", safe="")
    host = quote(database["HOST"] or "", safe="")
    port = f":{database['PORT']}" if database["PORT"] else ""
    return f"postgresql://{user}{':' + password if password else ''}@{host}{port}/{database['NAME']}"


def _worker(prefix: str, **env: str) -> "subprocess.Popen[bytes]":
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.core.notifications.worker_settings",
        "DATABASE_URL": _database_url(owner=False),
        "DATABASE_OWNER_URL": _database_url(owner=True),
        "PYTHONPATH": f"{ROOT / 'platform'}{os.pathsep}{ROOT}",
        "PATCHWORK_TEST_FAULTS": prefix,
        **env,
    }
    command = [sys.executable, "-m", "celery", "-A", "config.celery", "worker", "--pool=solo", "--loglevel=WARNING"]
    command += ["--without-heartbeat", "--without-mingle", "--without-gossip"]
    return subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL)  # noqa: S603


def _stop(worker: "subprocess.Popen[bytes]") -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def _wait_for(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("the worker did not get there in time")


def _records(prefix: str, kind: str) -> list[dict[str, object]]:
    return [json.loads(raw) for raw in controls().lrange(f"{prefix}:{kind}", 0, -1)]


def _row(schema: str, pk: int) -> Notification:
    with schema_context(schema):
        return Notification.objects.get(pk=pk)


def _queue_one(schema: str, to: str) -> Notification:
    with schema_context(schema), transaction.atomic():
        [row] = notification_queue(to=[to], subject="A change in one of your teams", body="See the team")
    return row


def test_a_team_change_while_the_broker_is_down_commits_and_its_email_is_delivered_once_by_the_sweep(
    fault_council: Council, faults: str, django_db_blocker: pytest.FixtureRequest
) -> None:
    schema = fault_council.schema_name
    with django_db_blocker.unblock():
        with schema_context(schema):
            agency = AgencyFactory(name="Faults Children's Services", email_domains=["faults.example"])
            member = verified_practitioner(agency, "Maya", "Member")
            joiner = verified_practitioner(agency, "Jo", "Joiner")
            client = ClientFactory()
            InvolvementFactory(client=client, practitioner=member)

        # The app's connections, for the hand-off, to a closed port: a broker that is down.
        working = (app.conf.broker_url, app.pool, app.amqp._producer_pool)
        app.conf.broker_url, app._pool, app.amqp._producer_pool = CLOSED_PORT_BROKER, None, None
        try:
            with schema_context(schema), transaction.atomic():
                involvement_start(
                    viewer=joiner,
                    client=client,
                    role="Family support",
                    reason="Asked to help at home",
                    origin=Origin(base_url="http://delivery-faults.localhost"),
                    approved_by=member,
                )
        finally:
            app.conf.broker_url, app._pool, app.amqp._producer_pool = working

        with schema_context(schema):
            assert Involvement.objects.filter(client=client, practitioner=joiner, ended_on__isnull=True).exists()
            [row] = Notification.objects.filter(to=member.user.email)
        assert (row.state, row.attempts) == (DeliveryState.WAITING, 0)  # kept, waiting for the sweep

        worker = _worker(faults)
        try:
            app.send_task("notifications.retry_all")  # the beat's sweep
            _wait_for(lambda: _row(schema, row.pk).state == DeliveryState.SENT)
            app.send_task("notifications.retry_all")  # a second sweep sends nothing again
            time.sleep(3)
        finally:
            _stop(worker)
    delivered = _records(faults, "delivered")
    assert [record["key"] for record in delivered] == [str(row.idempotency_key)]
    assert _row(schema, row.pk).attempts == 1


def test_a_worker_killed_while_sending_leaves_the_email_to_the_next_worker_which_delivers_it_once(
    fault_council: Council, faults: str, django_db_blocker: pytest.FixtureRequest
) -> None:
    schema = fault_council.schema_name
    quick = {"PATCHWORK_TEST_LEASE_SECONDS": "2", "PATCHWORK_TEST_VISIBILITY_TIMEOUT": "4"}
    store = controls()
    store.set(f"{faults}:block", 1)  # the provider takes the message and never answers
    with django_db_blocker.unblock():
        row = _queue_one(schema, "killed@faults.example")  # the hand-off sends its message to the broker
        first = _worker(faults, **quick)
        try:
            _wait_for(lambda: bool(store.exists(f"{faults}:blocked")))
            first.kill()  # SIGKILL, mid-delivery
            first.wait()
        finally:
            _stop(first)
        taken = _row(schema, row.pk)
        assert taken.state == DeliveryState.SENDING  # held under a lease by a worker that is gone
        assert _records(faults, "delivered") == []

        store.delete(f"{faults}:block")
        second = _worker(faults, **quick)
        try:
            # Nobody sends anything: the message comes back (acks_late), and the lease has run out.
            _wait_for(lambda: _row(schema, row.pk).state == DeliveryState.SENT)
            time.sleep(5)  # a visibility timeout more: nothing is sent a second time
        finally:
            _stop(second)
    delivered = _records(faults, "delivered")
    assert [record["key"] for record in delivered] == [str(row.idempotency_key)]
    assert {record["key"] for record in _records(faults, "attempts")} == {str(row.idempotency_key)}
    assert _row(schema, row.pk).attempts == 1


def test_a_failing_provider_is_retried_with_backoff_then_dead_lettered_and_an_operator_retry_delivers_once(
    fault_council: Council, faults: str, django_db_blocker: pytest.FixtureRequest
) -> None:
    schema = fault_council.schema_name
    base = 0.05
    store = controls()
    store.set(f"{faults}:fail", 1)
    with django_db_blocker.unblock():
        row = _queue_one(schema, "failing@faults.example")
        worker = _worker(faults, PATCHWORK_TEST_BACKOFF_SECONDS=str(base))
        try:
            _wait_for(lambda: _row(schema, row.pk).state == DeliveryState.DEAD)
            dead = _row(schema, row.pk)
            assert (dead.attempts, dead.last_error, dead.sent_at) == (MAX_ATTEMPTS, "ConnectionError", None)
            assert dead.dead_at is not None
            attempts = _records(faults, "attempts")
            assert len(attempts) == MAX_ATTEMPTS
            assert {record["key"] for record in attempts} == {str(row.idempotency_key)}
            moments = [float(record["at"]) for record in attempts]  # type: ignore[arg-type]
            for number, (earlier, later) in enumerate(itertools.pairwise(moments), start=1):
                assert later - earlier >= base * 2 ** (number - 1)  # each wait at least doubles

            listed = [email for email in undelivered_emails().emails if email.council_slug == fault_council.slug]
            assert [(email.notification_id, email.to, email.attempts) for email in listed] == [
                (row.pk, "failing@faults.example", MAX_ATTEMPTS)
            ]

            store.delete(f"{faults}:fail")
            # The operator: only their id is recorded (in the platform's audit), so they need not be saved here.
            operator = User(email="ops@patchwork.example", is_staff=True)
            council = Council.objects.get(pk=fault_council.pk)  # provisioned since the fixture made it
            delivery_retry(council=council, notification_id=row.pk, actor=operator)
            _wait_for(lambda: _row(schema, row.pk).state == DeliveryState.SENT)
            time.sleep(2)
        finally:
            _stop(worker)
    assert [record["key"] for record in _records(faults, "delivered")] == [str(row.idempotency_key)]
    sent = _row(schema, row.pk)
    assert (sent.attempts, sent.dead_at) == (1, None)
    assert sent.sent_at is not None
    assert sent.sent_at > timezone.now() - datetime.timedelta(minutes=5)
