"""Signing in: a password, then a second factor (SECURITY.md AUTH-1, AUTH-2, SES-3 key rotation)."""

import re
from importlib import import_module

import pytest
from django.conf import settings
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context

from core.accounts.models import BackupCode, BackupCodeDevice
from tenants.models import Council
from tests.conftest import TEST_BACKUP_CODE, host_of, session_stored, sign_in
from tests.core.accounts.helpers import (
    BACKUP_CODE_RE,
    MINUTE,
    SECOND,
    code_step,
    enrol_authenticator,
    frozen_clock,
    give_backup_code,
    password_step,
    pending_totp_device,
    reload,
    session_cookie,
    totp_now,
    totp_wrong,
    typed_key,
)
from tests.factories import TEST_PASSWORD, PractitionerFactory, UserFactory


@pytest.fixture
def person(council_a: Council):
    """A practitioner at council A with a second factor already set up (one backup code)."""
    with schema_context(council_a.schema_name):
        user = PractitionerFactory(user__email="sam@agency.example").user
    give_backup_code(user, council_a, "backup42x")
    return user


@pytest.fixture
def newcomer(council_a: Council):
    """A practitioner at council A who has never set up a second factor."""
    with schema_context(council_a.schema_name):
        return PractitionerFactory(user__email="new@agency.example").user


# --- The password alone opens nothing -------------------------------------------------------------


def test_right_password_leads_to_the_code_page_not_into_the_service(client_a: Client, person) -> None:
    response = password_step(client_a, person.email)
    assert response.status_code == 302
    assert response.url == "/sign-in/code/"
    assert client_a.get("/sign-in/code/").status_code == 200


def test_after_the_password_alone_the_council_home_page_sends_back_to_sign_in(client_a: Client, person) -> None:
    password_step(client_a, person.email)
    response = client_a.get("/")
    assert response.status_code == 302
    assert response.url == "/sign-in/?next=/"


def test_after_the_password_alone_the_api_answers_403_and_after_the_code_200(client_a: Client, person) -> None:
    password_step(client_a, person.email)
    refused = client_a.get("/api/v1/me/")
    assert refused.status_code == 403
    assert "second factor" in refused.json()["detail"]

    assert code_step(client_a, "backup42x").status_code == 302
    allowed = client_a.get("/api/v1/me/")
    assert allowed.status_code == 200
    assert allowed.json()["email"] == person.email


@pytest.mark.platform_side
def test_after_the_password_alone_the_console_and_admin_send_back_to_sign_in(platform_client: Client) -> None:
    staff = UserFactory(email="night-ops@patchwork.example", is_staff=True, is_superuser=True)
    give_backup_code(staff, None)
    assert password_step(platform_client, staff.email).url == "/sign-in/code/"

    console = platform_client.get("/console/")
    assert console.status_code == 302
    assert console.url == "/sign-in/?next=/console/"
    admin = platform_client.get("/admin/")
    assert admin.status_code == 302
    assert admin.url.startswith("/sign-in/")


def test_the_code_completes_sign_in(client_a: Client, person) -> None:
    password_step(client_a, person.email)
    response = code_step(client_a, "backup42x")
    assert response.status_code == 302
    assert response.url == "/"
    assert client_a.get("/").status_code == 200


def test_after_sign_in_the_person_goes_where_they_were_heading(client_a: Client, person) -> None:
    client_a.post("/sign-in/", {"email": person.email, "password": TEST_PASSWORD, "next": "/account/sessions/"})
    assert code_step(client_a, "backup42x").url == "/account/sessions/"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "http://beta.localhost/"])
def test_after_sign_in_a_next_address_on_another_site_is_ignored(client_a: Client, person, target: str) -> None:
    client_a.post("/sign-in/", {"email": person.email, "password": TEST_PASSWORD, "next": target})
    assert code_step(client_a, "backup42x").url == "/"


def test_the_code_page_without_the_password_step_sends_to_sign_in(client_a: Client, person) -> None:
    assert client_a.get("/sign-in/code/").url == "/sign-in/"
    posted = code_step(client_a, "backup42x")  # a valid code, but no password was given in this browser
    assert posted.status_code == 302
    assert posted.url == "/sign-in/"
    assert client_a.get("/").status_code == 302


def test_the_set_up_page_without_the_password_step_sends_to_sign_in(client_a: Client) -> None:
    response = client_a.get("/sign-in/set-up/")
    assert response.status_code == 302
    assert response.url == "/sign-in/"


def test_the_password_step_expires_after_10_minutes(client_a: Client, person) -> None:
    with frozen_clock() as clock:
        password_step(client_a, person.email)
        clock.shift(10 * MINUTE + SECOND)
        response = code_step(client_a, "backup42x")
        assert response.status_code == 302
        assert response.url == "/sign-in/"
        assert client_a.get("/").status_code == 302
        assert client_a.get("/sign-in/code/").url == "/sign-in/"


def test_the_password_step_is_still_good_after_9_minutes(client_a: Client, person) -> None:
    with frozen_clock() as clock:
        password_step(client_a, person.email)
        clock.shift(9 * MINUTE + 59 * SECOND)
        assert code_step(client_a, "backup42x").url == "/"
        assert client_a.get("/").status_code == 200


# --- Backup codes --------------------------------------------------------------------------------


def test_a_backup_code_works_once_only(client_a: Client, council_a: Council, person) -> None:
    sign_in(client_a, person, council_a)  # uses TEST_BACKUP_CODE
    client_a.post("/sign-out/")
    assert client_a.get("/").status_code == 302

    assert password_step(client_a, person.email).url == "/sign-in/code/"
    second_use = code_step(client_a, TEST_BACKUP_CODE)
    assert second_use.status_code == 200
    assert "Enter a correct code" in second_use.content.decode()
    assert client_a.get("/").status_code == 302


# --- Setting up the authenticator app at first sign-in -------------------------------------------


def test_first_sign_in_goes_to_set_up_an_authenticator_app(client_a: Client, newcomer) -> None:
    response = password_step(client_a, newcomer.email)
    assert response.status_code == 302
    assert response.url == "/sign-in/set-up/"
    assert client_a.get("/").status_code == 302  # nothing else until it is set up
    assert client_a.get("/sign-in/code/").url == "/sign-in/set-up/"


def test_set_up_page_shows_a_qr_code_image_and_the_key_to_type(client_a: Client, council_a: Council, newcomer) -> None:
    password_step(client_a, newcomer.email)
    page = client_a.get("/sign-in/set-up/").content.decode()
    assert '<img src="data:image/svg+xml' in page
    assert "<svg" not in page.split("<body", 1)[1]  # an image, not inline markup
    device = pending_totp_device(newcomer, council_a)
    shown = re.search(r'<code class="patchwork-secret">([^<]*)</code>', page)
    assert shown is not None
    assert shown.group(1).replace(" ", "") == typed_key(device)
    assert re.fullmatch(r"([A-Z2-7]{4} )*[A-Z2-7]{1,4}", shown.group(1)), "key not in groups of four"


def test_a_correct_code_from_the_app_confirms_it_shows_ten_backup_codes_and_signs_in(
    client_a: Client, council_a: Council, newcomer
) -> None:
    with frozen_clock():
        password_step(client_a, newcomer.email)
        client_a.get("/sign-in/set-up/")
        device = pending_totp_device(newcomer, council_a)
        response = client_a.post("/sign-in/set-up/", {"code": totp_now(device)})
        assert response.status_code == 200
        codes = BACKUP_CODE_RE.findall(response.content.decode())
        assert len(codes) == 10
        assert len(set(codes)) == 10
        assert reload(device, council_a).confirmed
        assert client_a.get("/").status_code == 200


def test_backup_codes_are_shown_once_and_one_of_them_signs_in_later(
    client_a: Client, council_a: Council, newcomer
) -> None:
    with frozen_clock() as clock:
        password_step(client_a, newcomer.email)
        codes = enrol_authenticator(client_a, newcomer, council_a)
        assert len(codes) == 10
        again = client_a.get("/sign-in/set-up/", follow=True).content.decode()
        assert not any(code in again for code in codes)
        client_a.post("/sign-out/")

        clock.shift(MINUTE)
        assert password_step(client_a, newcomer.email).url == "/sign-in/code/"
        assert code_step(client_a, codes[3]).url == "/"
        assert client_a.get("/").status_code == 200


def test_a_code_from_the_app_works_once(client_a: Client, council_a: Council, newcomer) -> None:
    with frozen_clock():
        password_step(client_a, newcomer.email)
        client_a.get("/sign-in/set-up/")
        device = pending_totp_device(newcomer, council_a)
        code = totp_now(device)
        assert client_a.post("/sign-in/set-up/", {"code": code}).status_code == 200
        client_a.post("/sign-out/")

        assert password_step(client_a, newcomer.email).url == "/sign-in/code/"
        replayed = code_step(client_a, code)  # the same 30-second window: the code was already used
        assert replayed.status_code == 200
        assert "Enter a correct code" in replayed.content.decode()
        assert client_a.get("/").status_code == 302


def test_backup_codes_are_not_stored_in_clear(client_a: Client, council_a: Council, newcomer) -> None:
    """Whoever reads the database (or a backup of it) must not get working second factors."""
    with frozen_clock():
        password_step(client_a, newcomer.email)
        codes = enrol_authenticator(client_a, newcomer, council_a)
    assert len(codes) == 10
    with schema_context(council_a.schema_name):
        stored = set(BackupCode.objects.filter(device__user=newcomer).values_list("digest", flat=True))
    assert stored, "no backup codes were stored at all"
    assert not stored & set(codes), "the backup codes shown to the person are in the database as they are"


def test_a_wrong_code_from_the_app_does_not_confirm_it(client_a: Client, council_a: Council, newcomer) -> None:
    with frozen_clock():
        password_step(client_a, newcomer.email)
        client_a.get("/sign-in/set-up/")
        device = pending_totp_device(newcomer, council_a)
        response = client_a.post("/sign-in/set-up/", {"code": totp_wrong(device)})
        assert response.status_code == 200
        page = response.content.decode()
        assert "Enter the code the app shows now" in page
        assert not BACKUP_CODE_RE.findall(page)
        assert not reload(device, council_a).confirmed
        with schema_context(council_a.schema_name):
            assert not BackupCodeDevice.objects.filter(user=newcomer).exists()
            assert not TOTPDevice.objects.filter(user=newcomer, confirmed=True).exists()
        assert client_a.get("/").status_code == 302


# --- Session keys change at each step (SES-3) -----------------------------------------------------


def test_session_key_changes_at_the_password_step_and_again_at_sign_in(
    client_a: Client, council_a: Council, person
) -> None:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    with schema_context(council_a.schema_name):
        planted = store()
        planted["planted"] = True
        planted.create()
    client_a.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key  # session fixation attempt

    password_step(client_a, person.email)
    pending_key = session_cookie(client_a)
    assert pending_key
    assert pending_key != planted.session_key

    assert code_step(client_a, "backup42x").url == "/"
    signed_in_key = session_cookie(client_a)
    assert signed_in_key
    assert signed_in_key not in (planted.session_key, pending_key)
    assert client_a.get("/").status_code == 200

    with schema_context(council_a.schema_name):
        assert not any(session_stored(key) for key in [planted.session_key, pending_key])
    for old_key in (planted.session_key, pending_key):
        replay = Client(HTTP_HOST=host_of(council_a))
        replay.cookies[settings.SESSION_COOKIE_NAME] = old_key
        assert replay.get("/").status_code == 302
