"""The web benchmark (bench_web): its round-trip counter counts what PostgreSQL receives, and ``--small`` runs end to
end — gunicorn with the production settings, real sign-ins, every timed request checked for its work and audited.

The end-to-end run needs committed data that another process (gunicorn) can read, which a test's rolled-back
transaction cannot give: it runs the command in a subprocess on a database of its own, made and dropped here
(about two minutes: 30,000 clients generated, then the run).
"""

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from psycopg import sql

from demo.bench_web import WireCounter, database_url

ROOT = Path(__file__).resolve().parents[2]


def _owner_url(database: str) -> str:
    app = settings.DATABASES["default"]
    return database_url({**app, **settings.DATABASE_OWNER, "NAME": database})


def _app_url(database: str) -> str:
    return database_url({**settings.DATABASES["default"], "NAME": database})


def test_the_relay_counts_each_round_trip_postgresql_receives() -> None:
    app = settings.DATABASES["default"]
    counter = WireCounter(app["HOST"] or "127.0.0.1", int(app["PORT"] or 5432))
    try:
        url = database_url({**app, **settings.DATABASE_OWNER}, host="127.0.0.1", port=counter.port)
        with psycopg.connect(url, autocommit=True) as connection:
            before = counter.read()
            connection.execute("SELECT 1").fetchall()  # one statement, parameterless
            connection.execute("SELECT %s::int", [2]).fetchall()  # one with a parameter
            connection.execute("SELECT 1; SELECT 2")  # one simple query carrying two statements: one round trip
            assert counter.read() - before == 3
            connection.autocommit = False
            before = counter.read()
            connection.execute("SELECT 1").fetchall()  # BEGIN, then the statement
            connection.commit()
            assert counter.read() - before == 3
    finally:
        counter.close()


@pytest.fixture(scope="module")
def bench_database() -> Iterator[str]:
    """A database of its own, migrated as the owner; dropped afterwards."""
    name = f"{settings.DATABASES['default']['NAME']}_web_{uuid.uuid4().hex[:8]}"[:63]
    maintenance = _owner_url(settings.DATABASES["default"]["NAME"])
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _manage(database: str, *args: str) -> subprocess.CompletedProcess[str]:
    redis = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": _app_url(database),
        "DATABASE_OWNER_URL": _owner_url(database),
        "PLATFORM_DOMAIN": "localhost",
    }
    env.pop("TEST_DATABASE_NAME", None)
    if args[0] == "bench_web":  # the cache and the broker on the suite's Redis
        args = (*args, f"--cache-url={redis}", f"--broker-url={redis}")
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


@pytest.fixture(scope="module")
def small_run(bench_database: str) -> str:
    migrated = _manage(bench_database, "migrate", "--noinput", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    run = _manage(bench_database, "bench_web", "--small", "--report-only")
    assert run.returncode == 0, (run.stdout + run.stderr)[-5000:]
    return run.stdout


def test_the_small_run_does_its_work_through_gunicorn(small_run: str) -> None:
    """Every timed request was checked (a refused form or a missing audit row stops the command), and the table
    has every measure."""
    for measure in (
        "| Search (POST /clients/search/",
        "| Team page (GET /clients/<id>/",
        "| Team page throughput",
        "| GET /accessibility/ on the council's host (tenant overhead)",
        "| Round trips of a signed-in page (GET /api/v1/me/",
        "| Team page round trips on the wire, clients in no family",
    ):
        assert measure in small_run
    assert "30,000 clients" in small_run
    assert "constant |" in small_run  # the team page's round trips do not grow with the team
    assert "NOT constant" not in small_run


def test_the_small_run_meets_the_round_trip_targets(small_run: str) -> None:
    assert "Targets not met" not in small_run, small_run[small_run.index("Targets not met") :]
