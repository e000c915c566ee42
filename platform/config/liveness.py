"""Liveness of the Celery worker and beat, which have no HTTP port: a heartbeat file each.

The worker touches ``patchwork-worker.alive`` every 30 s while its consumer is connected to the
broker (``WorkerHeartbeat``, a consumer bootstep added in config/celery.py); beat touches
``patchwork-beat.alive`` on every tick of its scheduler (config/beat.py). Both files live in
``PATCHWORK_LIVENESS_DIR`` (the temporary directory, ``/tmp``, unless set).

The container's health check runs ``python -m config.liveness worker`` (or ``beat``): exit 0 when
the file was modified in the last 120 s, else 1 with one line on stderr saying why. It reads the
environment only: no settings, no database, no broker, so it is cheap and cannot hang.
"""

import logging
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from celery import bootsteps
from django.conf import settings

logger = logging.getLogger(__name__)

PROCESSES = ("worker", "beat")
HEARTBEAT_INTERVAL = 30.0
# Four missed heartbeats: a long garbage collection or a slow tick is not a dead process.
STALE_AFTER = 120.0


def liveness_dir() -> str:
    """``PATCHWORK_LIVENESS_DIR``, else the temporary directory (``/tmp``: a writable volume on ECS)."""
    return os.environ.get("PATCHWORK_LIVENESS_DIR") or tempfile.gettempdir()


def heartbeat_path(process: str, *, directory: str | None = None) -> Path:
    return Path(directory or liveness_dir()) / f"patchwork-{process}.alive"


def heartbeat_touch(process: str) -> None:
    """Mark ``process`` alive now. A failure is logged, never raised: the health check then says why."""
    path = heartbeat_path(process, directory=settings.PATCHWORK_LIVENESS_DIR)
    try:
        path.touch()
    except OSError as exc:
        logger.warning("Could not write the %s heartbeat %s (%s)", process, path, exc.strerror)


def liveness_problem(process: str, *, now: float | None = None) -> str | None:
    """Why ``process`` is not alive, or None when its heartbeat is recent."""
    path = heartbeat_path(process)
    try:
        modified = path.stat().st_mtime
    except FileNotFoundError:
        return f"{process} not alive: no heartbeat file {path} (not started, or never connected to the broker)"
    age = (time.time() if now is None else now) - modified
    if age > STALE_AFTER:
        return f"{process} not alive: heartbeat {path} is {age:.0f} s old (more than {STALE_AFTER:.0f} s)"
    return None


class WorkerHeartbeat(bootsteps.StartStopStep):
    """A consumer bootstep: started once the consumer consumes, stopped when its connection is lost.

    Celery stops and restarts the consumer's steps around a reconnection, so the file goes stale
    while the worker cannot reach the broker, and the health check then replaces the task.
    """

    requires = ("celery.worker.consumer.tasks:Tasks",)
    interval = HEARTBEAT_INTERVAL

    def __init__(self, parent: Any, **kwargs: Any) -> None:
        self.timer_entry: Any = None
        super().__init__(parent, **kwargs)

    def start(self, parent: Any) -> None:
        heartbeat_touch("worker")
        self.timer_entry = parent.timer.call_repeatedly(self.interval, heartbeat_touch, ("worker",))

    def stop(self, parent: Any) -> None:
        if self.timer_entry is not None:
            parent.timer.cancel(self.timer_entry)
            self.timer_entry = None

    shutdown = stop


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0] not in PROCESSES:
        sys.stderr.write(f"usage: python -m config.liveness {{{','.join(PROCESSES)}}}\n")
        return 2
    problem = liveness_problem(args[0])
    if problem:
        sys.stderr.write(problem + "\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
