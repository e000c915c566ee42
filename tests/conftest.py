"""Test fixtures. Councils are provisioned once per test session (one set per xdist worker).

Two councils, in two jurisdictions, are enough to prove isolation: ``council_a`` (England) and
``council_b`` (Victoria). Tests run inside a transaction that is rolled back, in whichever schema
they switch to; the councils themselves are committed once, at session start.
"""

from collections.abc import Iterator

import pytest
from django.db import connection
from django.test import Client

from onboarding.services.provisioning import council_create, council_provision
from tenants.jurisdictions import Jurisdiction
from tenants.models import Council

COUNCILS = {
    "council_a": {"slug": "alpha", "name": "Alpha District Council", "jurisdiction": Jurisdiction.ENGLAND},
    "council_b": {"slug": "beta", "name": "City of Beta", "jurisdiction": Jurisdiction.VICTORIA},
}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> None:
    with django_db_blocker.unblock():
        for spec in COUNCILS.values():
            council = Council.objects.filter(slug=spec["slug"]).first() or council_create(**spec)
            council_provision(council_id=council.pk)


@pytest.fixture
def council_a(db: None) -> Council:
    return Council.objects.get(slug=COUNCILS["council_a"]["slug"])


@pytest.fixture
def council_b(db: None) -> Council:
    return Council.objects.get(slug=COUNCILS["council_b"]["slug"])


@pytest.fixture(autouse=True)
def _back_to_public() -> Iterator[None]:
    """Every test starts and ends in the public schema, whatever it switched to."""
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
