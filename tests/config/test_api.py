"""Under /api/ every answer is JSON, on the platform's host and on a council's: an unknown path, a refusal,
a method the endpoint does not take, a malformed request. Elsewhere the site's own pages are unchanged."""

import pytest
from django.test import Client, RequestFactory
from django_tenants.utils import schema_context

from config.api import nested_deeper_than, server_error
from tenants.models import Council
from tests.conftest import sign_in
from tests.factories import TEST_PASSWORD, PractitionerFactory

pytestmark = pytest.mark.council_side

UNKNOWN = ["/api/", "/api/v1/", "/api/v1/nothing-here/", "/api/v2/clients/", "/api/v1/clients/not-a-uuid/team/"]


def _is_json_error(response: object, status: int) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"detail"}
    return body


@pytest.fixture
def signed_in(client_a: Client, council_a: Council) -> Client:
    with schema_context(council_a.schema_name):
        practitioner = PractitionerFactory(user__email="api-errors@alpha.example")
    sign_in(client_a, practitioner.user, council_a)
    return client_a


@pytest.mark.parametrize("path", UNKNOWN)
def test_an_unknown_api_path_answers_json_404_on_a_council_site(client_a: Client, signed_in: Client, path: str) -> None:
    for method in ("get", "post", "delete"):
        assert _is_json_error(getattr(signed_in, method)(path), 404) == {"detail": "Not found."}


@pytest.mark.parametrize("path", UNKNOWN)
def test_an_unknown_api_path_answers_json_404_to_anyone(client_a: Client, platform_client: Client, path: str) -> None:
    for browser in (client_a, platform_client):
        assert _is_json_error(browser.get(path), 404) == {"detail": "Not found."}


def test_other_unknown_paths_still_answer_the_html_page(client_a: Client, platform_client: Client) -> None:
    for browser in (client_a, platform_client):
        response = browser.get("/no-such-page/", follow=True)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("text/html")
        assert "Page not found" in response.content.decode()


def test_a_password_only_session_is_refused_with_json_403(client_a: Client, council_a: Council) -> None:
    with schema_context(council_a.schema_name):
        PractitionerFactory(user__email="half@alpha.example")
    assert client_a.post("/sign-in/", {"email": "half@alpha.example", "password": TEST_PASSWORD}).status_code == 302
    for path in ("/api/v1/me/", "/api/v1/agencies/", "/api/v1/schema/"):
        body = _is_json_error(client_a.get(path), 403)
        assert "second factor" in body["detail"]


@pytest.mark.parametrize(
    ("method", "path"),
    [("delete", "/api/v1/me/"), ("post", "/api/v1/agencies/"), ("get", "/api/v1/clients/search/")],
)
def test_a_method_the_endpoint_does_not_take_is_json_405(signed_in: Client, method: str, path: str) -> None:
    _is_json_error(getattr(signed_in, method)(path), 405)


def test_a_request_too_large_to_read_is_json_400(signed_in: Client) -> None:
    """More query fields than Django reads (DATA_UPLOAD_MAX_NUMBER_FIELDS) is a SuspiciousOperation: 400."""
    query = "&".join(f"f{number}=x" for number in range(1100))
    _is_json_error(signed_in.get(f"/api/v1/practitioners/?{query}"), 400)


def test_a_server_error_under_api_is_json() -> None:
    response = server_error(RequestFactory().get("/api/v1/me/"))
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    html = server_error(RequestFactory().get("/team/"))
    assert html["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("value", "deeper"),
    [
        ({}, False),
        ([[[]]], False),
        ([[[]]] * 3, False),
        ({"a": [{"b": 1}]}, False),
        ({"a": [{"b": [1]}]}, True),
        ([[[[]]]], True),
    ],
)
def test_nesting_depth_is_measured_without_recursion(value: object, deeper: bool) -> None:
    assert nested_deeper_than(value, 3) is deeper
    deep: list = []
    for _ in range(100_000):  # far beyond the interpreter's recursion limit
        deep = [deep]
    assert nested_deeper_than(deep, 32)
