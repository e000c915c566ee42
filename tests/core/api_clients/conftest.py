"""API clients of council A's agencies, and how a case-management system calls Patchwork with one.

The team (tests/core/clients_api/conftest.py): ``member`` of Children's Services leads Jade's team; a school
nurse and two recovery workers (a sensitive service) are in it too; ``outsider`` is of Children's Services,
in no team.
"""

import base64
import json
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client as Browser
from django_tenants.utils import schema_context

from core.api_clients.scopes import INVOLVEMENTS_WRITE, TEAMS_READ
from core.api_clients.services import IssuedCredentials, api_client_create
from core.audit.origin import NO_ORIGIN
from core.directory.models import Agency, Practitioner
from tenants.models import Council
from tests.conftest import host_of
from tests.core.clients_api.conftest import Team, practitioner, team  # noqa: F401  (the shared team fixture)

TOKEN_URL = "/api/v1/oauth/token/"
BOTH_SCOPES = [TEAMS_READ, INVOLVEMENTS_WRITE]


def administrator_of(council: Council, agency: Agency, first_name: str = "Ada") -> Practitioner:
    """A council administrator working for ``agency`` (the same one when asked again by the same name)."""
    with schema_context(council.schema_name):
        existing = Practitioner.objects.filter(
            agency=agency, is_council_admin=True, user__first_name=first_name
        ).first()
        return existing or practitioner(agency, first_name, "Administrator", is_council_admin=True)


def client_made(council: Council, agency: Agency, scopes: list[str] | None = None) -> IssuedCredentials:
    """An API client of ``agency``, made by a council administrator through the service."""
    admin = administrator_of(council, agency)
    with schema_context(council.schema_name):
        return api_client_create(
            actor=admin, agency=agency, name="Case system", scopes=scopes or BOTH_SCOPES, origin=NO_ORIGIN
        )


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def token_request(browser: Browser, client_id: str, secret: str, **form: str) -> HttpResponse:
    return browser.post(
        TOKEN_URL,
        {"grant_type": "client_credentials", **form},
        HTTP_AUTHORIZATION=basic(client_id, secret),
    )


def token_of(browser: Browser, issued: IssuedCredentials, **form: str) -> str:
    response = token_request(browser, issued.client_id, issued.client_secret, **form)
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def call(
    browser: Browser, method: str, path: str, *, token: str, practitioner: Practitioner | None, data: Any = None
) -> HttpResponse:
    headers: dict[str, str] = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if practitioner is not None:
        headers["HTTP_PATCHWORK_PRACTITIONER"] = practitioner.user.email
    if method == "get":
        return browser.get(path, **headers)
    body = json.dumps(data if data is not None else {})
    return getattr(browser, method)(path, body, content_type="application/json", **headers)


@pytest.fixture
def system_a(council_a: Council) -> Browser:
    """A case-management system calling council A's site: no cookies, no session."""
    return Browser(HTTP_HOST=host_of(council_a))
