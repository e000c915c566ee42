"""The versioned API: signed-in only, answers for the council of the host, documented by OpenAPI."""

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from tenants.models import Council
from tests.conftest import sign_in
from tests.factories import PractitionerFactory

pytestmark = pytest.mark.council_side


def test_api_refuses_anonymous_requests(client_a: Client) -> None:
    response = client_a.get("/api/v1/me/")
    assert response.status_code == 403
    assert "id" not in response.json()


def test_me_answers_for_the_signed_in_practitioner_and_their_council(client_a: Client, council_a: Council) -> None:
    with schema_context(council_a.schema_name):
        practitioner = PractitionerFactory(user__email="ana@alpha.example", agency__name="Alpha Early Help")
    sign_in(client_a, practitioner.user, council_a)
    body = client_a.get("/api/v1/me/").json()
    assert body == {
        "id": str(practitioner.user.id),
        "first_name": practitioner.user.first_name,
        "last_name": practitioner.user.last_name,
        "email": "ana@alpha.example",
        "council": "Alpha District Council",
        "agency": "Alpha Early Help",
        "job_title": "Social worker",
    }


def test_openapi_schema_is_served_to_signed_in_users(client_a: Client, council_a: Council) -> None:
    with schema_context(council_a.schema_name):
        practitioner = PractitionerFactory(user__email="openapi@alpha.example")
    assert client_a.get("/api/v1/schema/").status_code == 403
    sign_in(client_a, practitioner.user, council_a)
    response = client_a.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Patchwork API"
    assert "/api/v1/me/" in schema["paths"]
