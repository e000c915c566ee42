"""The council home page: signed-in only, and it shows which council you are in."""

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from tenants.models import Council
from tests.conftest import sign_in
from tests.factories import PractitionerFactory

pytestmark = pytest.mark.council_side


def test_signed_out_visitor_is_sent_to_sign_in(client_a: Client) -> None:
    response = client_a.get("/")
    assert response.status_code == 302
    assert response.url == "/sign-in/?next=/"


def test_signed_in_practitioner_sees_their_council_and_agency(client_b: Client, council_b: Council) -> None:
    with schema_context(council_b.schema_name):
        practitioner = PractitionerFactory(
            user__email="mia@beta.example", user__first_name="Mia", agency__name="Beta Maternal and Child Health"
        )
    sign_in(client_b, practitioner.user, council_b)
    response = client_b.get("/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Welcome, Mia" in page
    assert "City of Beta" in page
    assert "Beta Maternal and Child Health" in page
    assert '<html lang="en-au"' in page  # a Victorian council speaks Australian English


def test_wrong_password_is_refused_with_the_same_message_as_an_unknown_email(
    client_a: Client, council_a: Council
) -> None:
    with schema_context(council_a.schema_name):
        PractitionerFactory(user__email="kai@alpha.example")
    wrong = client_a.post("/sign-in/", {"email": "kai@alpha.example", "password": "not-the-password"})
    unknown = client_a.post("/sign-in/", {"email": "nobody@alpha.example", "password": "not-the-password"})
    assert wrong.status_code == unknown.status_code == 200
    assert "Enter a correct work email and password." in wrong.content.decode()
    assert "Enter a correct work email and password." in unknown.content.decode()


def test_sign_out_needs_a_post_and_ends_the_session(client_a: Client, council_a: Council) -> None:
    with schema_context(council_a.schema_name):
        practitioner = PractitionerFactory(user__email="lee@alpha.example")
    sign_in(client_a, practitioner.user, council_a)
    assert client_a.get("/sign-out/").status_code == 405
    assert client_a.post("/sign-out/").status_code == 302
    assert client_a.get("/").status_code == 302
