"""Test fixtures. Councils are provisioned once per test session (one set per xdist worker).

Two councils, in two jurisdictions, are enough to prove isolation: ``council_a`` (England) and
``council_b`` (Victoria). Tests run inside a transaction that is rolled back, in whichever schema
they switch to; the councils themselves are committed once, at session start.

Two database roles, as in production (docs/adr/0008-two-database-roles.md): the suite's setup
(test database, migrations, councils) runs as the owner role, and every test runs as the
application role, so that a missing grant fails a test. Tests that create or drop schemas
themselves (provisioning) are marked ``database_owner`` and run as the owner.
"""

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from onboarding.services.provisioning import council_create, council_provision
from tenants.jurisdictions import Jurisdiction
from tenants.models import Council
from tenants.services.backups import council_cache_keys_delete
from tenants.services.database_roles import database_roles_bootstrap

if TYPE_CHECKING:
    from core.accounts.models import User

COUNCILS = {
    "council_a": {"slug": "alpha", "name": "Alpha District Council", "jurisdiction": Jurisdiction.ENGLAND},
    "council_b": {"slug": "beta", "name": "City of Beta", "jurisdiction": Jurisdiction.VICTORIA},
}


def _connect_as(credentials: dict[str, str]) -> None:
    """The next statement opens a session as this role (on whichever database is configured)."""
    connection.close()
    connection.settings_dict = {**connection.settings_dict, **credentials}


def _app_credentials() -> dict[str, str]:
    return {key: settings.DATABASES["default"].get(key) or "" for key in ("USER", "PASSWORD")}


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """The test database is created and migrated by the owner role."""
    _connect_as(settings.DATABASE_OWNER)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[None]:
    with django_db_blocker.unblock():
        for spec in COUNCILS.values():
            council = Council.objects.filter(slug=spec["slug"]).first() or council_create(**spec)
            council_provision(council_id=council.pk)
        database_roles_bootstrap()
        _connect_as(_app_credentials())
    yield
    with django_db_blocker.unblock():
        _connect_as(settings.DATABASE_OWNER)  # the test database is dropped by its owner


@pytest.fixture(autouse=True)
def _database_role(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tests marked ``database_owner`` run as the owner role; every other test as the application."""
    if request.node.get_closest_marker("database_owner") is None:
        yield
        return
    _connect_as(settings.DATABASE_OWNER)
    yield
    _connect_as(_app_credentials())


def _council(slug: str) -> Council:
    """The council, with none of its cache keys: Redis is not rolled back with a test's transaction, and keys an
    earlier test left (rate limits, idle sessions, each with a short TTL) would otherwise run out in the middle of
    a test that compares the council's keys before and after."""
    council = Council.objects.get(slug=slug)
    council_cache_keys_delete(schema=council.schema_name)
    return council


@pytest.fixture
def council_a(db: None) -> Council:
    return _council(COUNCILS["council_a"]["slug"])


@pytest.fixture
def council_b(db: None) -> Council:
    return _council(COUNCILS["council_b"]["slug"])


@pytest.fixture(autouse=True)
def _back_to_public() -> Iterator[None]:
    """Every test starts and ends in the public schema, whatever it switched to, and with no council remembered
    for a host (tenants/routing.py): a council a test changed is rolled back with the test, not in memory."""
    from tenants.routing import routing_forget

    routing_forget()
    connection.set_schema_to_public()
    yield
    connection.set_schema_to_public()


def host_of(council: Council) -> str:
    return council.domains.get(is_primary=True).domain


@pytest.fixture
def client_a(council_a: Council) -> Client:
    """A browser at council A's site."""
    return Client(HTTP_HOST=host_of(council_a))


@pytest.fixture
def client_b(council_b: Council) -> Client:
    return Client(HTTP_HOST=host_of(council_b))


@pytest.fixture
def platform_client(db: None) -> Client:
    return Client(HTTP_HOST="localhost")


TEST_BACKUP_CODE = "testcode2fa"


def session_stored(key: str | None) -> bool:
    """Whether the session store (settings.SESSION_ENGINE) still holds this session, in the current schema."""
    from importlib import import_module

    return bool(key) and import_module(settings.SESSION_ENGINE).SessionStore().exists(key)


def sign_in(client: Client, user: "User", council: Council | None = None, *, password: str | None = None) -> None:
    """Sign in through the real two-step flow: password, then a backup code made for the test."""
    from django_tenants.utils import schema_context

    from core.accounts.models import BackupCode, BackupCodeDevice, backup_code_digest
    from tests.factories import TEST_PASSWORD

    with schema_context(council.schema_name if council else "public"):
        device, _ = BackupCodeDevice.objects.get_or_create(user=user, name="Test backup codes")
        BackupCode.objects.create(device=device, digest=backup_code_digest(device_id=device.pk, code=TEST_BACKUP_CODE))
    first = client.post("/sign-in/", {"email": user.email, "password": password or TEST_PASSWORD})
    assert first.status_code == 302, "password step refused"
    assert first.url == "/sign-in/code/"
    second = client.post("/sign-in/code/", {"code": TEST_BACKUP_CODE})
    assert second.status_code == 302, "second factor refused"
    connection.set_schema_to_public()
