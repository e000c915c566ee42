"""A suspended council's host answers every path with a page saying so (503), and nothing of its data.

No session is read and the council's schema is never switched to, so a signed-in practitioner's
cookie gets them nowhere; resuming the council brings the site back as it was.
"""

from typing import Any

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from core.council.services.lifecycle import council_transition
from core.directory.models import Practitioner
from tenants.models import Council, CouncilStatus
from tests.conftest import host_of, sign_in
from tests.factories import PractitionerFactory

pytestmark = pytest.mark.platform_side

PATHS = ["/", "/sign-in/", "/clients/search/", "/directory/", "/account/sessions/", "/no/such/page/"]
SAYS = "Alpha District Council has suspended its use of Patchwork."


@pytest.fixture
def practitioner(council_a: Council) -> Practitioner:
    with schema_context(council_a.schema_name):
        return PractitionerFactory(
            user__email="zebedee.quill@alpha-childrens.example",
            user__first_name="Zebedee",
            user__last_name="Quillfeather",
            agency__name="Alpha Xylophone Children's Services",
            agency__email_domains=["alpha-childrens.example"],
            job_title="Senior Vexillologist",
        )


@pytest.fixture
def signed_in(council_a: Council, practitioner: Practitioner) -> Client:
    client = Client(HTTP_HOST=host_of(council_a))
    sign_in(client, practitioner.user, council_a)
    assert client.get("/").status_code == 200
    return client


def _suspend(council: Council) -> None:
    council_transition(council=council, to=CouncilStatus.SUSPENDED, actor=None, reason="Unpaid invoice")


@pytest.fixture
def spies(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    """Record every session read and every switch to a council's schema while a request runs."""
    calls: dict[str, list[Any]] = {"sessions": [], "schemas": []}
    original_request = SessionMiddleware.process_request
    original_set_tenant = connection.set_tenant

    def process_request(self: SessionMiddleware, request: Any) -> None:
        calls["sessions"].append(request.path)
        original_request(self, request)

    def set_tenant(tenant: Any, *args: Any, **kwargs: Any) -> None:
        if tenant.schema_name != "public":  # going back to the platform's schema is not a switch in
            calls["schemas"].append(tenant.schema_name)
        original_set_tenant(tenant, *args, **kwargs)

    monkeypatch.setattr(SessionMiddleware, "process_request", process_request)
    monkeypatch.setattr(connection, "set_tenant", set_tenant)
    return calls


@pytest.mark.parametrize("path", PATHS)
def test_every_page_of_a_suspended_council_says_so_to_a_visitor(council_a: Council, path: str) -> None:
    _suspend(council_a)
    response = Client(HTTP_HOST=host_of(council_a)).get(path)
    assert response.status_code == 503
    page = response.content.decode()
    assert "Sorry, the service is unavailable" in page
    assert SAYS in page
    assert "Contact your council's administrator" in page
    assert "no-store" in response["Cache-Control"]


def test_a_suspended_councils_answers_are_not_logged_as_server_errors(
    council_a: Council, caplog: pytest.LogCaptureFixture
) -> None:
    _suspend(council_a)
    with caplog.at_level("WARNING", logger="django.request"):
        assert Client(HTTP_HOST=host_of(council_a)).get("/").status_code == 503
    assert [record for record in caplog.records if record.name == "django.request"] == []


@pytest.mark.parametrize("path", ["/api/v1/me/", "/api/v1/clients/search/", "/api/v1/docs/", "/api/nothing/"])
def test_the_api_of_a_suspended_council_answers_json(council_a: Council, path: str) -> None:
    _suspend(council_a)
    response = Client(HTTP_HOST=host_of(council_a)).get(path)
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"].startswith(SAYS)


def test_a_signed_in_practitioners_cookie_gets_nothing_of_the_council(
    council_a: Council, signed_in: Client, practitioner: Practitioner, spies: dict[str, list[Any]]
) -> None:
    _suspend(council_a)
    for path in ("/", "/directory/", f"/directory/people/{practitioner.pk}/", "/api/v1/me/"):
        response = signed_in.get(path)
        assert response.status_code == 503, path
        body = response.content.decode()
        for detail in ("Zebedee", "Quillfeather", "zebedee.quill", "Xylophone", "Vexillologist", "Sign out"):
            assert detail not in body, f"{detail} on {path}"
        assert "sessionid" not in response.cookies
        assert "csrftoken" not in response.cookies
    assert spies["sessions"] == []
    assert spies["schemas"] == []


def test_signing_in_at_a_suspended_council_is_refused_without_a_session(
    council_a: Council, practitioner: Practitioner, spies: dict[str, list[Any]]
) -> None:
    _suspend(council_a)
    from tests.factories import TEST_PASSWORD

    client = Client(HTTP_HOST=host_of(council_a))
    response = client.post("/sign-in/", {"email": practitioner.user.email, "password": TEST_PASSWORD})
    assert response.status_code == 503
    assert "sessionid" not in response.cookies
    assert spies["sessions"] == []
    assert spies["schemas"] == []


def test_only_the_suspended_council_is_affected(council_a: Council, client_b: Client) -> None:
    _suspend(council_a)
    assert client_b.get("/sign-in/").status_code == 200


def test_resuming_the_council_brings_its_site_back_to_those_signed_in(council_a: Council, signed_in: Client) -> None:
    _suspend(council_a)
    assert signed_in.get("/").status_code == 503

    council_transition(council=council_a, to=CouncilStatus.LIVE, actor=None, reason="Invoice paid")
    response = signed_in.get("/")
    assert response.status_code == 200
    assert "Zebedee" in response.content.decode()
    assert signed_in.get("/api/v1/me/").status_code == 200


def test_a_suspended_councils_page_speaks_its_english(council_b: Council) -> None:
    council_transition(council=council_b, to=CouncilStatus.SUSPENDED, actor=None, reason="Contract paused")
    response = Client(HTTP_HOST=host_of(council_b)).get("/")
    assert response.status_code == 503
    assert 'lang="en-au"' in response.content.decode()
    assert "City of Beta has suspended its use of Patchwork." in response.content.decode()
