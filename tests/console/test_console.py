"""The operator console: platform staff only, on the platform host only."""

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from core.accounts.models import User
from tenants.models import Council
from tests.conftest import sign_in
from tests.factories import TEST_PASSWORD, PractitionerFactory, UserFactory

pytestmark = pytest.mark.platform_side


def test_signed_out_visitor_is_sent_to_sign_in(platform_client: Client) -> None:
    response = platform_client.get("/console/")
    assert response.status_code == 302
    assert response.url == "/sign-in/?next=/console/"


def test_platform_staff_see_every_council_and_its_status(
    platform_client: Client, council_a: Council, council_b: Council
) -> None:
    sign_in(platform_client, UserFactory(email="ops@patchwork.example", is_staff=True))
    page = platform_client.get("/console/").content.decode()
    for council in (council_a, council_b):
        assert council.name in page
        assert f"{council.slug}.localhost" in page
    assert "Live" in page


def test_signed_in_user_who_is_not_staff_is_refused(platform_client: Client) -> None:
    sign_in(platform_client, UserFactory(email="someone@patchwork.example", is_staff=False))
    assert platform_client.get("/console/").status_code == 403


def test_a_council_account_does_not_exist_on_the_platform(platform_client: Client, council_a: Council) -> None:
    with schema_context(council_a.schema_name):
        PractitionerFactory(user__email="admin@alpha.example", user__is_staff=True)
    response = platform_client.post("/sign-in/", {"email": "admin@alpha.example", "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert "Enter a correct work email and password." in response.content.decode()
    assert not User.objects.filter(email="admin@alpha.example").exists()
