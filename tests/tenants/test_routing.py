"""The council is resolved from the Host header only; anything unknown is a plain 404."""

import pytest
from django.test import Client

from tenants.models import Council, CouncilStatus
from tests.conftest import host_of

pytestmark = pytest.mark.platform_side


def test_council_host_serves_that_councils_site(client_a: Client, council_a: Council) -> None:
    response = client_a.get("/sign-in/")
    assert response.status_code == 200
    assert response.wsgi_request.council == council_a
    assert council_a.name in response.content.decode()


def test_each_council_host_resolves_to_its_own_council(client_b: Client, council_b: Council) -> None:
    response = client_b.get("/sign-in/")
    assert response.wsgi_request.council == council_b
    assert "Alpha District Council" not in response.content.decode()


def test_platform_host_serves_the_platform_site(platform_client: Client) -> None:
    response = platform_client.get("/")
    assert response.status_code == 200
    assert response.wsgi_request.council is None
    assert "Know who else is working with a child or family" in response.content.decode()


@pytest.mark.django_db
def test_unknown_host_is_a_plain_not_found_page() -> None:
    response = Client(HTTP_HOST="nowhere.localhost").get("/sign-in/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.django_db
def test_host_outside_allowed_hosts_is_not_found() -> None:
    response = Client(HTTP_HOST="evil.example.com").get("/")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "status", [CouncilStatus.ORDERED, CouncilStatus.PROVISIONING, CouncilStatus.OFFBOARDING, CouncilStatus.CLOSED]
)
def test_council_that_is_not_open_or_suspended_is_not_found(council_a: Council, status: str) -> None:
    host = host_of(council_a)
    Council.objects.filter(pk=council_a.pk).update(status=status)
    for path in ("/sign-in/", "/api/v1/me/"):
        response = Client(HTTP_HOST=host).get(path)
        assert response.status_code == 404
        assert council_a.name not in response.content.decode()


@pytest.mark.parametrize("status", [CouncilStatus.CONFIGURING, CouncilStatus.LIVE])
def test_configuring_and_live_councils_serve_their_site(council_a: Council, status: str) -> None:
    Council.objects.filter(pk=council_a.pk).update(status=status)
    response = Client(HTTP_HOST=host_of(council_a)).get("/sign-in/")
    assert response.status_code == 200
    assert response.wsgi_request.council == council_a


def test_forwarded_host_header_is_ignored(council_a: Council, council_b: Council) -> None:
    client = Client(HTTP_HOST=host_of(council_a), HTTP_X_FORWARDED_HOST=host_of(council_b))
    response = client.get("/sign-in/")
    assert response.wsgi_request.council == council_a


def test_council_pages_are_not_served_on_the_platform_host(platform_client: Client) -> None:
    # The API exists only on a council site; the platform's URLconf has no such route.
    assert platform_client.get("/api/v1/me/").status_code == 404


def test_platform_pages_are_not_served_on_a_council_host(client_a: Client) -> None:
    assert client_a.get("/console/").status_code == 404
    assert client_a.get("/admin/").status_code == 404
