"""Celery beat's scheduler: Celery's own, plus a heartbeat and the depth of each queue.

Run as ``celery -A config beat -S config.beat:Scheduler --schedule /tmp/celerybeat-schedule``
(``CELERY_BEAT_SCHEDULER`` names it too, so a command line without ``-S`` gets it as well).

Every tick touches beat's heartbeat file (config/liveness.py), and ticks come at least every 30 s
whatever the schedule. At most once a minute it measures how many messages wait in each Celery
queue and, where ``PATCHWORK_QUEUE_METRICS`` is set (production), publishes them to CloudWatch as
``Patchwork/CeleryQueueDepth`` by ``Queue``, which the worker service scales on. Beat is the one
process that runs exactly once, so each minute has exactly one measurement. Neither a broker that
cannot be measured nor a CloudWatch that refuses the data ever stops beat: both are logged.
"""

import logging
import time
from collections.abc import Callable
from typing import Any

import boto3
from botocore.config import Config
from celery import Celery
from celery.beat import PersistentScheduler
from django.conf import settings

from config.liveness import HEARTBEAT_INTERVAL, heartbeat_touch

logger = logging.getLogger(__name__)

METRIC_NAMESPACE = "Patchwork"
METRIC_NAME = "CeleryQueueDepth"
QUEUE_DIMENSION = "Queue"
QUEUE_DEPTH_EVERY = 60.0  # seconds; CloudWatch's standard resolution, and what the scaling alarm reads
# Beat's loop waits on this call: a slow CloudWatch costs a few seconds, never a missed schedule.
CLOUDWATCH_CONFIG = Config(connect_timeout=5, read_timeout=5, retries={"max_attempts": 2, "mode": "standard"})


def celery_queues(app: Celery) -> list[str]:
    """The queues workers consume: the default one and any declared in ``task_queues``."""
    names = [app.conf.task_default_queue or "celery"]
    names += [queue.name for queue in app.conf.task_queues or ()]
    return list(dict.fromkeys(names))


def queue_depths_measure(*, app: Celery, queues: list[str]) -> dict[str, int]:
    """How many messages wait in each queue (with Redis, the length of its lists). A queue never used is 0."""
    depths: dict[str, int] = {}
    with app.connection_for_read() as connection:
        connection.ensure_connection(max_retries=1)
        with connection.channel() as channel:
            for name in queues:
                try:
                    depths[name] = channel.queue_declare(queue=name, passive=True).message_count
                except connection.channel_errors:  # the broker has no such queue: nothing ever waited in it
                    depths[name] = 0
    return depths


def queue_depths_publish(*, depths: dict[str, int], cloudwatch: Any) -> None:
    cloudwatch.put_metric_data(
        Namespace=METRIC_NAMESPACE,
        MetricData=[
            {
                "MetricName": METRIC_NAME,
                "Dimensions": [{"Name": QUEUE_DIMENSION, "Value": name}],
                "Value": float(depth),
                "Unit": "Count",
            }
            for name, depth in sorted(depths.items())
        ],
    )


class QueueDepthReporter:
    """Measures the queues and publishes their depths, at most once every ``every`` seconds."""

    def __init__(
        self,
        *,
        app: Celery,
        every: float = QUEUE_DEPTH_EVERY,
        clock: Callable[[], float] = time.monotonic,
        cloudwatch: Any = None,
    ) -> None:
        self.app = app
        self.every = every
        self.clock = clock
        self.cloudwatch = cloudwatch
        self.last_report: float | None = None

    def report_if_due(self) -> dict[str, int] | None:
        """The depths measured now, or None when it is not yet time (or the broker could not be read)."""
        now = self.clock()
        if self.last_report is not None and now - self.last_report < self.every:
            return None
        self.last_report = now
        try:
            depths = queue_depths_measure(app=self.app, queues=celery_queues(self.app))
        except Exception as exc:  # beat goes on; the next minute tries again
            logger.warning("Could not measure the Celery queues (%s)", type(exc).__name__)
            return None
        logger.debug("Celery queue depths: %s", depths)
        if settings.PATCHWORK_QUEUE_METRICS:
            try:
                queue_depths_publish(depths=depths, cloudwatch=self._cloudwatch())
            except Exception as exc:  # as above
                logger.warning("Could not publish the Celery queue depths to CloudWatch (%s)", type(exc).__name__)
        return depths

    def _cloudwatch(self) -> Any:
        if self.cloudwatch is None:
            self.cloudwatch = boto3.client("cloudwatch", region_name=settings.AWS_REGION, config=CLOUDWATCH_CONFIG)
        return self.cloudwatch


class Scheduler(PersistentScheduler):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue_depth = QueueDepthReporter(app=self.app)

    def tick(self, *args: Any, **kwargs: Any) -> float:
        interval = super().tick(*args, **kwargs)
        heartbeat_touch("beat")
        self.queue_depth.report_if_due()
        # Celery may sleep up to five minutes when nothing is due; the heartbeat needs a tick every 30 s.
        return min(interval, HEARTBEAT_INTERVAL)
