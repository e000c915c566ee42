"""Liveness (``/healthz``) and readiness (``/readyz``) answer on any host, and say nothing about councils.

An unreachable database or cache is a real one: the connection is pointed at a local port nobody listens on.
"""

import socket
from collections.abc import Iterator

import pytest
from django.db import OperationalError, connection
from django.test import Client
from pytest_django import DjangoAssertNumQueries, DjangoDbBlocker, Settings

from tenants.models import Council

TASK_IP_HOST = "10.0.3.17:8000"


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def unreachable_database(django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """Database access is allowed, but every connection is refused (as during a failover)."""
    original = connection.settings_dict
    with django_db_blocker.unblock():
        connection.close()
        connection.settings_dict = {**original, "HOST": "127.0.0.1", "PORT": str(_closed_port())}
        try:
            yield
        finally:
            connection.close()
            connection.settings_dict = original


@pytest.fixture
def unreachable_cache(settings: Settings) -> None:
    settings.CACHES = {
        "default": settings.CACHES["default"] | {"LOCATION": f"redis://127.0.0.1:{_closed_port()}/0"},
    }


@pytest.mark.django_db
def test_liveness_answers_for_a_task_ip_host_without_a_database_query(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    with django_assert_num_queries(0):
        response = Client(HTTP_HOST=TASK_IP_HOST).get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Cache-Control"] == "no-store"


def test_liveness_keeps_answering_when_the_database_is_unreachable(unreachable_database: None) -> None:
    with pytest.raises(OperationalError):  # the database really is unreachable
        connection.ensure_connection()
    response = Client(HTTP_HOST=TASK_IP_HOST).get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_liveness_keeps_answering_when_the_cache_is_unreachable(unreachable_cache: None) -> None:
    assert Client(HTTP_HOST=TASK_IP_HOST).get("/healthz").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_checks_refuse_writes(path: str) -> None:
    response = Client(HTTP_HOST="10.0.3.17").post(path)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


@pytest.mark.django_db
@pytest.mark.parametrize("host", [TASK_IP_HOST, "unknown.example", "alpha.localhost"])
def test_readiness_answers_ready_on_any_host(host: str) -> None:
    response = Client(HTTP_HOST=host).get("/readyz")
    assert response.status_code == 200
    assert response.content == b"ready\n"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_readiness_answers_to_head() -> None:
    assert Client(HTTP_HOST=TASK_IP_HOST).head("/readyz").status_code == 200


def test_readiness_names_the_database_when_it_is_unreachable(unreachable_database: None) -> None:
    response = Client(HTTP_HOST=TASK_IP_HOST).get("/readyz")
    assert response.status_code == 503
    assert response.content == b"database unavailable\n"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_readiness_names_the_cache_when_it_is_unreachable(council_a: Council, unreachable_cache: None) -> None:
    response = Client(HTTP_HOST=f"{council_a.slug}.localhost").get("/readyz")
    assert response.status_code == 503
    assert response.content == b"cache unavailable\n"
    assert council_a.slug.encode() not in response.content
    assert council_a.schema_name.encode() not in response.content


@pytest.mark.django_db
def test_other_paths_on_an_unknown_host_are_still_not_found() -> None:
    assert Client(HTTP_HOST=TASK_IP_HOST).get("/healthz/").status_code == 404
    assert Client(HTTP_HOST=TASK_IP_HOST).get("/readyz/").status_code == 404
