"""Deliver the outbox: a dispatch task per hand-off, and a periodic sweep of every council and the platform.

Dispatch tasks are ``acks_late`` and ``reject_on_worker_lost``: a worker that dies mid-delivery leaves its message
to be delivered again, and the row's lease (services/delivery.py) to run out, so another worker takes it.
"""

import contextlib

from celery import Task, shared_task
from django.conf import settings

from core.notifications.services.delivery import DispatchOutcome, deliveries_dispatch
from core.notifications.services.outbox import dispatch_started
from tenants.fan_out import councils_fan_out
from tenants.tasks_base import CouncilTask, PlatformTask

DISPATCH = "notifications.dispatch"
DISPATCH_PLATFORM = "notifications.dispatch_platform"
SWEEP_COUNCIL = "notifications.sweep_council"


def _retry_later(task: Task, outcome: DispatchOutcome) -> None:
    """Send a message per backoff for the rows that failed; if the broker is out of reach, the sweep finds them.
    Not under the test-only inline hand-off, where nothing reads the broker: there the sweep is the retry."""
    if getattr(settings, "NOTIFICATIONS_DISPATCH_INLINE", False):
        return
    for seconds, ids in outcome.retry_in.items():
        # A broker out of reach: the rows wait in the outbox, and the sweep delivers them.
        with contextlib.suppress(Exception):
            task.apply_async(args=[ids], countdown=seconds, retry=False)


@shared_task(base=CouncilTask, name=DISPATCH, bind=True, acks_late=True, reject_on_worker_lost=True)
def notifications_dispatch(self: Task, ids: list[int]) -> int:
    """Deliver these rows of the council the message was sent from (those still due), and its other due rows."""
    outcome = _dispatch_handed(ids)
    _retry_later(self, outcome)
    return outcome.sent


@shared_task(base=PlatformTask, name=DISPATCH_PLATFORM, bind=True, acks_late=True, reject_on_worker_lost=True)
def notifications_dispatch_platform(self: Task, ids: list[int]) -> int:
    """Deliver these rows of the platform's own outbox (onboarding orders, operator notices), and its other due rows."""
    outcome = _dispatch_handed(ids)
    _retry_later(self, outcome)
    return outcome.sent


def _dispatch_handed(ids: list[int]) -> DispatchOutcome:
    """The rows handed over; then, where hand-offs are coalesced, every other due row of the schema (those whose
    hand-off found this task queued and sent nothing)."""
    dispatch_started()
    outcome = deliveries_dispatch(ids=ids)
    if settings.NOTIFICATIONS_COALESCE_HAND_OFFS and not getattr(settings, "NOTIFICATIONS_DISPATCH_INLINE", False):
        rest = deliveries_dispatch()
        outcome.sent += rest.sent
        outcome.dead += rest.dead
        for seconds, more in rest.retry_in.items():
            outcome.retry_in.setdefault(seconds, []).extend(more)
    return outcome


def dispatch_task(*, public: bool) -> Task:
    return notifications_dispatch_platform if public else notifications_dispatch


@shared_task(base=CouncilTask, name=SWEEP_COUNCIL, acks_late=True, reject_on_worker_lost=True)
def notifications_sweep_council() -> int:
    """Every due row of this council, and every row whose dispatcher died (its lease ran out)."""
    outcome = deliveries_dispatch()
    _retry_later(notifications_dispatch, outcome)
    return outcome.sent


@shared_task(base=PlatformTask, name="notifications.retry_all")
def notifications_retry_all() -> int:
    """The beat's sweep: queue one in every council in use, and deliver the platform's own due email."""
    councils_fan_out(task_name=SWEEP_COUNCIL)
    outcome = deliveries_dispatch()
    _retry_later(notifications_dispatch_platform, outcome)
    return outcome.sent
