"""The worker and beat are alive while their heartbeat files are fresh: a real worker, a real beat scheduler."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings
from pytest_django import Settings

from config import liveness
from config.beat import Scheduler
from config.celery import app as project_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def liveness_dir(tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where this test's processes write their heartbeat (settings) and where the check reads it (environment)."""
    settings.PATCHWORK_LIVENESS_DIR = str(tmp_path)
    monkeypatch.setenv("PATCHWORK_LIVENESS_DIR", str(tmp_path))
    return tmp_path


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def _wait_for(condition: object, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


def test_no_heartbeat_file_is_not_alive(liveness_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert liveness.main(["worker"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("worker not alive: no heartbeat file")
    assert str(liveness_dir / "patchwork-worker.alive") in err


def test_a_heartbeat_within_two_minutes_is_alive_and_an_older_one_is_not(
    liveness_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    heartbeat = liveness_dir / "patchwork-beat.alive"
    heartbeat.touch()
    _age(heartbeat, 110)
    assert liveness.main(["beat"]) == 0
    _age(heartbeat, 130)
    assert liveness.main(["beat"]) == 1
    assert "beat not alive: heartbeat" in capsys.readouterr().err


def test_an_unknown_process_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert liveness.main(["web"]) == 2
    assert "usage: python -m config.liveness {worker,beat}" in capsys.readouterr().err


def test_the_check_runs_as_a_module_without_settings_or_services(tmp_path: Path) -> None:
    """As the container's health check runs it: production settings whose secrets are absent are never loaded."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": f"{ROOT}:{ROOT / 'platform'}",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "PATCHWORK_LIVENESS_DIR": str(tmp_path),
    }
    command = [sys.executable, "-m", "config.liveness", "worker"]
    missing = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)  # noqa: S603
    assert missing.returncode == 1
    assert missing.stderr.startswith("worker not alive: no heartbeat file")
    assert missing.stderr.count("\n") == 1  # one line, no warnings or tracebacks
    (tmp_path / "patchwork-worker.alive").touch()
    alive = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)  # noqa: S603
    assert (alive.returncode, alive.stderr) == (0, "")


@pytest.mark.django_db
def test_the_worker_touches_its_heartbeat_while_connected_and_not_after_it_stops(
    liveness_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(liveness.WorkerHeartbeat, "interval", 0.2)  # every 30 s in production
    heartbeat = liveness_dir / "patchwork-worker.alive"
    assert liveness.main(["worker"]) == 1
    with start_worker(project_app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        assert _wait_for(heartbeat.exists), "the worker wrote no heartbeat"
        _age(heartbeat, 300)
        assert _wait_for(lambda: time.time() - heartbeat.stat().st_mtime < 5), "the heartbeat was not renewed"
        assert liveness.main(["worker"]) == 0
    _age(heartbeat, 300)
    time.sleep(1)  # five intervals: a stopped worker renews nothing
    assert liveness.main(["worker"]) == 1


def test_every_beat_tick_touches_its_heartbeat_and_comes_within_thirty_seconds(
    liveness_dir: Path, tmp_path: Path
) -> None:
    app = Celery("beat-liveness", broker=django_settings.CELERY_BROKER_URL, set_as_current=False)
    app.conf.task_default_queue = "patchwork-test-beat-liveness"
    scheduler = Scheduler(app=app, schedule_filename=str(tmp_path / "celerybeat-schedule"))
    try:
        assert liveness.main(["beat"]) == 1
        # Nothing is scheduled on this app: Celery alone would sleep five minutes.
        assert scheduler.tick() <= 30
        assert liveness.main(["beat"]) == 0
        _age(liveness_dir / "patchwork-beat.alive", 300)
        assert liveness.main(["beat"]) == 1
        scheduler.tick()
        assert liveness.main(["beat"]) == 0
    finally:
        scheduler.close()
