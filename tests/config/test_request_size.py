"""A body larger than anything Patchwork takes is refused before anything reads it (413), with nothing saved."""

import pytest
from django.conf import settings
from django.test import Client
from django_tenants.utils import schema_context

from core.audit.models import AuditEvent
from onboarding.models import Order
from tenants.models import Council
from tests.conftest import host_of

pytestmark = pytest.mark.platform_side

TOO_LARGE = str(settings.MAX_REQUEST_BODY_BYTES + 1)


def test_an_order_form_declaring_a_huge_body_is_refused_before_it_is_read(db: None) -> None:
    response = Client(HTTP_HOST="localhost").post(
        "/order/", data="council_name=x", content_type="application/x-www-form-urlencoded", CONTENT_LENGTH=TOO_LARGE
    )
    assert response.status_code == 413
    assert "The file is too big" in response.content.decode()
    assert "Nothing was saved" in response.content.decode()
    assert not Order.objects.exists()


@pytest.mark.council_side
def test_an_api_request_declaring_a_huge_body_gets_json(council_a: Council) -> None:
    response = Client(HTTP_HOST=host_of(council_a)).post(
        "/api/v1/clients/", data="{}", content_type="application/json", CONTENT_LENGTH=TOO_LARGE
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "The request is larger than 11 MB."}
    with schema_context(council_a.schema_name):
        assert not AuditEvent.objects.exists()  # refused before sessions, views or the audit


def test_a_body_within_the_limit_reaches_the_view(db: None) -> None:
    response = Client(HTTP_HOST="localhost").post("/order/", {"council_name": "Wyndham City Council"})
    assert response.status_code == 200  # the form, with its errors
    assert "There is a problem" in response.content.decode()


def test_a_length_that_is_not_a_number_is_left_to_django(db: None) -> None:
    response = Client(HTTP_HOST="localhost").get("/", CONTENT_LENGTH="lots")
    assert response.status_code == 200
