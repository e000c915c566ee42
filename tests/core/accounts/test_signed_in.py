"""Who is signed in, read in one query with their second factor's device, practitioner and agency — and every
check of Django's and django-otp's still made (core/accounts/signed_in.py)."""

from importlib import import_module

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY
from django_tenants.utils import schema_context

from core.accounts.models import BackupCodeDevice, User
from core.directory.models import Practitioner
from tenants.models import Council
from tests.conftest import host_of, sign_in
from tests.core.accounts.helpers import session_cookie
from tests.factories import PractitionerFactory

pytestmark = pytest.mark.council_side

ME = "/api/v1/me/"


@pytest.fixture
def practitioner(council_a: Council) -> Practitioner:
    with schema_context(council_a.schema_name):
        return PractitionerFactory(user__email="rowan.ellis@agency.example", job_title="Family support worker")


@pytest.fixture
def signed_in(council_a: Council, practitioner: Practitioner) -> Client:
    browser = Client(HTTP_HOST=host_of(council_a))
    sign_in(browser, practitioner.user, council_a)
    assert browser.get(ME).status_code == 200
    return browser


def _edit_session(council: Council, browser: Client, **values: object) -> None:
    """Change what the session store holds for this browser (as only the server could)."""
    with schema_context(council.schema_name):
        session = import_module(settings.SESSION_ENGINE).SessionStore(session_cookie(browser))
        session.update(values)
        session.save()


def test_a_signed_in_request_reads_the_user_device_practitioner_and_agency_in_one_query(
    signed_in: Client, practitioner: Practitioner
) -> None:
    with CaptureQueriesContext(connection) as queries:
        response = signed_in.get(ME)
    assert response.status_code == 200
    assert response.json()["job_title"] == "Family support worker"
    assert response.json()["agency"] == practitioner.agency.name
    reads = [query["sql"] for query in queries.captured_queries if not query["sql"].startswith("SET search_path")]
    assert len(reads) == 1, reads
    for table in ("accounts_backupcodedevice", "accounts_user", "directory_practitioner", "directory_agency"):
        assert f'"{table}"' in reads[0]
    assert not any("django_session" in sql or "tenants_domain" in sql for sql in reads)


def test_a_device_of_someone_else_does_not_verify_the_session(
    council_a: Council, signed_in: Client, practitioner: Practitioner
) -> None:
    with schema_context(council_a.schema_name):
        other = PractitionerFactory(user__email="someone.else@agency.example")
        their_device = BackupCodeDevice.objects.create(user=other.user, name="Their codes")
    _edit_session(council_a, signed_in, **{DEVICE_ID_SESSION_KEY: their_device.persistent_id})
    assert signed_in.get(ME).status_code == 403
    assert signed_in.get("/").status_code == 302  # to the sign-in page
    with schema_context(council_a.schema_name):
        session = import_module(settings.SESSION_ENGINE).SessionStore(session_cookie(signed_in))
        assert DEVICE_ID_SESSION_KEY not in session.load()  # forgotten, as django-otp does


def test_an_unconfirmed_device_does_not_verify_the_session(
    council_a: Council, signed_in: Client, practitioner: Practitioner
) -> None:
    with schema_context(council_a.schema_name):
        BackupCodeDevice.objects.filter(user=practitioner.user).update(confirmed=False)
    assert signed_in.get(ME).status_code == 403


def test_a_removed_device_does_not_verify_the_session(
    council_a: Council, signed_in: Client, practitioner: Practitioner
) -> None:
    with schema_context(council_a.schema_name):
        BackupCodeDevice.objects.filter(user=practitioner.user).delete()
    assert signed_in.get(ME).status_code == 403


def test_a_device_id_that_is_not_one_is_no_second_factor(council_a: Council, signed_in: Client) -> None:
    for nonsense in (
        "accounts.user/1",
        "nope",
        "accounts.backupcodedevice/x",
        "accounts.backupcodedevice/99999999999999999999999",
        "accounts.backupcodedevice/-1",
        "no.such/1",
        "a.b.c.d/1",
    ):
        _edit_session(council_a, signed_in, **{DEVICE_ID_SESSION_KEY: nonsense})
        assert signed_in.get(ME).status_code == 403, nonsense


def test_a_deactivated_account_is_signed_out_even_with_its_session(
    council_a: Council, signed_in: Client, practitioner: Practitioner
) -> None:
    with schema_context(council_a.schema_name):
        User.objects.filter(pk=practitioner.user_id).update(is_active=False)  # sessions left, on purpose
    assert signed_in.get(ME).status_code == 403


def test_a_changed_password_ends_the_session(council_a: Council, signed_in: Client, practitioner: Practitioner) -> None:
    """Django's check that the session was made with the current password still runs."""
    with schema_context(council_a.schema_name):
        user = User.objects.get(pk=practitioner.user_id)
        user.set_password("An entirely new passphrase 42")
        user.save(update_fields=["password"])
    assert signed_in.get(ME).status_code == 403


def test_a_session_naming_another_user_with_their_own_device_is_not_that_user(
    council_a: Council, signed_in: Client, practitioner: Practitioner
) -> None:
    """The user and the device must agree: a session of one user pointing at another's account and device is
    refused by Django's session hash (made with the first user's password)."""
    with schema_context(council_a.schema_name):
        other = PractitionerFactory(user__email="victim@agency.example")
        their_device = BackupCodeDevice.objects.create(user=other.user, name="Their codes")
    _edit_session(
        council_a, signed_in, _auth_user_id=str(other.user_id), **{DEVICE_ID_SESSION_KEY: their_device.persistent_id}
    )
    response = signed_in.get(ME)
    assert response.status_code == 403
    assert "victim" not in response.content.decode()


def test_another_councils_session_key_is_nobody_here(council_a: Council, council_b: Council, signed_in: Client) -> None:
    stolen = Client(HTTP_HOST=host_of(council_b))
    stolen.cookies[settings.SESSION_COOKIE_NAME] = session_cookie(signed_in)
    assert stolen.get(ME).status_code == 403
