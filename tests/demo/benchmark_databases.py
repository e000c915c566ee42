"""A database of its own for a benchmark run end to end in a subprocess (gunicorn needs committed data, which a
test's rolled-back transaction cannot give): made and migrated as the owner role, dropped afterwards."""

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from django.conf import settings
from psycopg import sql

from demo.bench_web import database_url

ROOT = Path(__file__).resolve().parents[2]


def owner_url(database: str) -> str:
    app = settings.DATABASES["default"]
    return database_url({**app, **settings.DATABASE_OWNER, "NAME": database})


def app_url(database: str) -> str:
    return database_url({**settings.DATABASES["default"], "NAME": database})


@contextmanager
def benchmark_database(purpose: str) -> Iterator[str]:
    name = f"{settings.DATABASES['default']['NAME']}_{purpose}_{uuid.uuid4().hex[:8]}"[:63]
    maintenance = owner_url(settings.DATABASES["default"]["NAME"])
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def manage_on(database: str, *args: str, with_redis: bool = False) -> subprocess.CompletedProcess[str]:
    """``manage.py *args`` on ``database`` (local settings, both roles); a benchmark's gunicorn cache and broker on
    the suite's Redis when ``with_redis``."""
    redis = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": app_url(database),
        "DATABASE_OWNER_URL": owner_url(database),
        "PLATFORM_DOMAIN": "localhost",
    }
    env.pop("TEST_DATABASE_NAME", None)
    if with_redis:
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
