"""Control characters in a request are refused with a 400 before any view runs (issue 7, point 1):
a NUL byte cannot be stored in PostgreSQL, and no person types one into an address or a form."""

import json

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from core.accounts.models import User
from core.audit.models import AuditEvent
from core.directory.models import Invitation
from tenants.models import Council
from tests.conftest import host_of, sign_in
from tests.core.accounts.helpers import link_in_last_email
from tests.factories import AgencyFactory, PractitionerFactory

pytestmark = pytest.mark.council_side

PASSWORD = "harbour-violet-kettle-42"


def stored(council: Council) -> tuple[int, int, int]:
    """What a refused request must not have added to: accounts, invitations, the audit trail."""
    with schema_context(council.schema_name):
        return User.objects.count(), Invitation.objects.count(), AuditEvent.objects.count()


def assert_refused_page(response) -> None:
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "There is a problem with the request" in response.content.decode()


@pytest.fixture
def invitation_link(client_a: Client, council_a: Council, django_capture_on_commit_callbacks) -> str:
    with schema_context(council_a.schema_name):
        agency = AgencyFactory(name="Alpha Youth Service", email_domains=["youth.example"])
        admin = PractitionerFactory(user__email="admin@agency.example", is_council_admin=True)
    sign_in(client_a, admin.user, council_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(
            "/team/invite/", {"email": "noor@youth.example", "agency": str(agency.pk), "role": "practitioner"}
        )
    assert response.status_code == 302
    return link_in_last_email(r"^/invitations/[^/]+/$")


def test_a_nul_in_an_invitation_link_is_a_400_page_not_a_server_error(council_a: Council) -> None:
    before = stored(council_a)
    response = Client(HTTP_HOST=host_of(council_a)).get("/invitations/%00/")
    assert_refused_page(response)
    assert stored(council_a) == before


@pytest.mark.parametrize("query", ["?next=%00", "?q=a%01b", "?%00=1"])
def test_a_control_character_in_the_query_string_is_a_400(council_a: Council, query: str) -> None:
    assert_refused_page(Client(HTTP_HOST=host_of(council_a)).get(f"/sign-in/{query}"))


def test_a_nul_in_a_form_field_is_a_400_and_nothing_is_recorded(council_a: Council) -> None:
    with schema_context(council_a.schema_name):
        person = PractitionerFactory(user__email="sam@agency.example").user
    before = stored(council_a)
    response = Client(HTTP_HOST=host_of(council_a)).post(
        "/sign-in/", {"email": person.email, "password": "wrong\x00password"}
    )
    assert_refused_page(response)
    assert stored(council_a) == before
    with schema_context(council_a.schema_name):
        person.refresh_from_db()
    assert person.failed_sign_ins == 0


def test_a_control_character_in_an_accepted_invitation_creates_no_account(
    council_a: Council, invitation_link: str
) -> None:
    before = stored(council_a)
    response = Client(HTTP_HOST=host_of(council_a)).post(
        invitation_link,
        {
            "first_name": "No\x01or",
            "last_name": "Haddad",
            "job_title": "Youth worker",
            "password": PASSWORD,
            "password_again": PASSWORD,
        },
    )
    assert_refused_page(response)
    assert stored(council_a) == before


def test_new_lines_typed_into_a_form_are_not_refused(council_a: Council) -> None:
    response = Client(HTTP_HOST=host_of(council_a)).post(
        "/sign-in/", {"email": "sam@agency.example", "password": "two\r\nlines\tand a tab"}
    )
    assert response.status_code == 200


def test_a_nul_in_a_cookie_is_a_400(council_a: Council) -> None:
    browser = Client(HTTP_HOST=host_of(council_a), HTTP_COOKIE='sessionid="abc\\000def"')
    assert_refused_page(browser.get("/sign-in/"))


@pytest.mark.parametrize(
    "body",
    [{"surname": "Hughes\u0000"}, {"surname\u0000": "Hughes"}, {"deep": [[{"x": ["\u0007"]}]]}],
)
def test_a_control_character_in_json_sent_to_the_api_is_a_json_400(council_a: Council, body: dict) -> None:
    response = Client(HTTP_HOST=host_of(council_a)).post(
        "/api/v1/clients/search/", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "The request contains characters that are not allowed."}


def test_a_nul_in_an_api_path_is_a_json_400(council_a: Council) -> None:
    response = Client(HTTP_HOST=host_of(council_a)).get("/api/v1/clients/%00/")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
