"""Beat measures how many messages wait in each Celery queue (real Redis) and publishes it to CloudWatch (stubbed)."""

import logging
import socket
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber
from celery import Celery
from django.conf import settings as django_settings
from kombu import Queue
from pytest_django import Settings

from config.beat import QueueDepthReporter, Scheduler, celery_queues, queue_depths_measure
from config.celery import app as project_app

TEST_QUEUE = "patchwork-test-queue-depth"


def _broker_app(broker_url: str, *, default_queue: str = TEST_QUEUE) -> Celery:
    app = Celery("queue-depth", broker=broker_url, set_as_current=False)
    app.conf.task_default_queue = default_queue
    return app


@pytest.fixture
def app() -> Iterator[Celery]:
    """A Celery app on the tests' Redis broker whose default queue is this test's own, emptied afterwards."""
    app = _broker_app(django_settings.CELERY_BROKER_URL)
    _empty(app)
    yield app
    _empty(app)


def _empty(app: Celery) -> None:
    with app.connection_for_write() as connection, connection.channel() as channel:
        channel.queue_purge(TEST_QUEUE)


@pytest.fixture
def cloudwatch() -> Iterator[tuple[object, Stubber]]:
    client = boto3.client(
        "cloudwatch", region_name="eu-west-2", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    with Stubber(client) as stubber:
        yield client, stubber


def _expected_metrics(depths: dict[str, int]) -> dict[str, object]:
    return {
        "Namespace": "Patchwork",
        "MetricData": [
            {
                "MetricName": "CeleryQueueDepth",
                "Dimensions": [{"Name": "Queue", "Value": name}],
                "Value": float(depth),
                "Unit": "Count",
            }
            for name, depth in depths.items()
        ],
    }


def test_the_depth_is_the_number_of_messages_waiting_on_the_queue(app: Celery) -> None:
    assert queue_depths_measure(app=app, queues=[TEST_QUEUE]) == {TEST_QUEUE: 0}
    for _ in range(3):
        app.send_task("tests.queue_depth_probe", queue=TEST_QUEUE)
    assert queue_depths_measure(app=app, queues=[TEST_QUEUE]) == {TEST_QUEUE: 3}


def test_a_queue_nothing_was_ever_sent_to_has_depth_zero(app: Celery) -> None:
    assert queue_depths_measure(app=app, queues=["patchwork-test-never-used"]) == {"patchwork-test-never-used": 0}


def test_the_queues_measured_are_the_default_one_and_those_declared() -> None:
    assert celery_queues(project_app) == [django_settings.CELERY_TASK_DEFAULT_QUEUE]
    app = _broker_app("memory://", default_queue="celery")
    app.conf.task_queues = [Queue("celery"), Queue("provisioning")]
    assert celery_queues(app) == ["celery", "provisioning"]


def test_depths_are_published_to_cloudwatch_where_enabled(
    app: Celery, cloudwatch: tuple[object, Stubber], settings: Settings
) -> None:
    settings.PATCHWORK_QUEUE_METRICS = True
    client, stubber = cloudwatch
    app.send_task("tests.queue_depth_probe", queue=TEST_QUEUE)
    stubber.add_response("put_metric_data", {}, _expected_metrics({TEST_QUEUE: 1}))
    assert QueueDepthReporter(app=app, cloudwatch=client).report_if_due() == {TEST_QUEUE: 1}
    stubber.assert_no_pending_responses()


def test_nothing_is_published_where_not_enabled(
    app: Celery, cloudwatch: tuple[object, Stubber], settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings.PATCHWORK_QUEUE_METRICS = False
    client, _ = cloudwatch  # with no response added, any call to CloudWatch would fail and be logged
    assert QueueDepthReporter(app=app, cloudwatch=client).report_if_due() == {TEST_QUEUE: 0}
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]


def test_queues_are_measured_at_most_once_a_minute(
    app: Celery, cloudwatch: tuple[object, Stubber], settings: Settings
) -> None:
    settings.PATCHWORK_QUEUE_METRICS = True
    client, stubber = cloudwatch
    now = [1000.0]
    reporter = QueueDepthReporter(app=app, cloudwatch=client, clock=lambda: now[0])
    stubber.add_response("put_metric_data", {}, _expected_metrics({TEST_QUEUE: 0}))
    assert reporter.report_if_due() == {TEST_QUEUE: 0}
    now[0] += 59.9
    assert reporter.report_if_due() is None
    now[0] += 0.1
    stubber.add_response("put_metric_data", {}, _expected_metrics({TEST_QUEUE: 0}))
    assert reporter.report_if_due() == {TEST_QUEUE: 0}
    stubber.assert_no_pending_responses()


def test_a_refused_publication_is_logged_and_beat_ticks_on(
    app: Celery,
    cloudwatch: tuple[object, Stubber],
    settings: Settings,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.PATCHWORK_QUEUE_METRICS = True
    settings.PATCHWORK_LIVENESS_DIR = str(tmp_path)
    client, stubber = cloudwatch
    stubber.add_client_error("put_metric_data", service_error_code="Throttling", http_status_code=400)
    scheduler = Scheduler(app=app, schedule_filename=str(tmp_path / "celerybeat-schedule"))
    scheduler.queue_depth = QueueDepthReporter(app=app, cloudwatch=client)
    try:
        assert scheduler.tick() <= 30
    finally:
        scheduler.close()
    stubber.assert_no_pending_responses()
    assert "Could not publish the Celery queue depths to CloudWatch (ClientError)" in caplog.text
    assert (tmp_path / "patchwork-beat.alive").exists()


def test_a_broker_that_cannot_be_reached_is_logged_and_nothing_is_published(
    cloudwatch: tuple[object, Stubber], settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings.PATCHWORK_QUEUE_METRICS = True
    client, stubber = cloudwatch
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    unreachable = _broker_app(f"redis://127.0.0.1:{closed_port}/0")
    assert QueueDepthReporter(app=unreachable, cloudwatch=client).report_if_due() is None
    assert "Could not measure the Celery queues" in caplog.text
    stubber.assert_no_pending_responses()
