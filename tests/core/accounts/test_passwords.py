"""Passwords: argon2, 12+ characters, no common ones; a reset that is single-use, short-lived, never
skips the second factor, ends every session and tells the person (SECURITY.md AUTH-5)."""

import datetime
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone
from django_tenants.utils import schema_context

from config.settings import base as base_settings
from core.accounts.models import User, UserSession
from core.audit.models import AuditAction
from core.audit.origin import Origin
from core.directory.services.invitations import invitation_create
from core.notifications.services.outbox import MAX_ATTEMPTS, notifications_deliver
from tenants.models import Council
from tests.conftest import host_of, session_stored, sign_in
from tests.core.accounts.helpers import (
    MINUTE,
    SECOND,
    audit_events,
    code_step,
    frozen_clock,
    give_backup_code,
    link_in_last_email,
    password_step,
    reload,
    session_cookie,
    without_volatile_parts,
)
from tests.core.notifications.helpers import PROVIDER_DOWN, outbox_table
from tests.factories import TEST_PASSWORD, AgencyFactory, PractitionerFactory, UserFactory

pytestmark = pytest.mark.council_side

NEW_PASSWORD = "lantern-orchard-pebble-73"
CHANGED_SUBJECT = "Your Patchwork password was changed"
RESET_LINK = r"^/password-reset/[^/]+/[^/]+/$"


@pytest.fixture
def person(council_a: Council):
    with schema_context(council_a.schema_name):
        user = PractitionerFactory(user__email="jo@agency.example").user
    give_backup_code(user, council_a, "backup55r")
    return user


# --- Hashing ---------------------------------------------------------------------------------------


def test_the_configured_first_hasher_is_argon2(council_a: Council) -> None:
    with override_settings(PASSWORD_HASHERS=base_settings.PASSWORD_HASHERS):
        user = UserFactory.build(email="hash@agency.example")
        user.set_password("a-long-enough-passphrase")
        assert user.password.startswith("argon2")
        assert user.check_password("a-long-enough-passphrase")
        assert "MD5" not in " ".join(base_settings.PASSWORD_HASHERS)


def test_an_older_hash_is_replaced_by_argon2_when_the_person_signs_in(
    client_a: Client, council_a: Council, person
) -> None:
    with override_settings(PASSWORD_HASHERS=base_settings.PASSWORD_HASHERS):
        with schema_context(council_a.schema_name):
            User.objects.filter(pk=person.pk).update(password=make_password(TEST_PASSWORD, hasher="pbkdf2_sha256"))
        assert password_step(client_a, person.email).url == "/sign-in/code/"
        assert reload(person, council_a).password.startswith("argon2")


# --- Password rules at invitation acceptance -------------------------------------------------------


@pytest.fixture
def invitation_token(council_a: Council, django_capture_on_commit_callbacks) -> str:
    with schema_context(council_a.schema_name):
        admin = PractitionerFactory(user__email="boss@agency.example", is_council_admin=True)
        agency = AgencyFactory()
        origin = Origin(base_url=f"http://{host_of(council_a)}")
        with django_capture_on_commit_callbacks(execute=True):
            issued = invitation_create(
                inviter=admin, email="joiner@agency.example", agency=agency, role="practitioner", origin=origin
            )
    return issued.token


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("elevenchars", "This password is too short. It must contain at least 12 characters."),
        ("password1234", "This password is too common."),
        ("1qaz2wsx3edc", "This password is too common."),
    ],
)
def test_accepting_an_invitation_refuses_a_short_or_common_password(
    client_a: Client, council_a: Council, invitation_token: str, password: str, message: str
) -> None:
    response = client_a.post(
        f"/invitations/{invitation_token}/",
        {
            "first_name": "Jordan",
            "last_name": "Reyes",
            "job_title": "Youth worker",
            "password": password,
            "password_again": password,
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    with schema_context(council_a.schema_name):
        assert not User.objects.filter(email="joiner@agency.example").exists()
    assert client_a.get(f"/invitations/{invitation_token}/").status_code == 200  # still usable


def test_accepting_an_invitation_takes_a_long_uncommon_password(
    client_a: Client, council_a: Council, invitation_token: str
) -> None:
    response = client_a.post(
        f"/invitations/{invitation_token}/",
        {
            "first_name": "Jordan",
            "last_name": "Reyes",
            "job_title": "Youth worker",
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response.url == "/sign-in/set-up/"


# --- Password reset --------------------------------------------------------------------------------


def request_reset(client: Client, email: str, capture) -> None:
    with capture(execute=True):
        response = client.post("/password-reset/", {"email": email})
    assert response.status_code == 302
    assert response.url == "/password-reset/sent/"


def set_new_password(client: Client, link: str, password: str, capture):
    """Open the emailed link and choose a password. Returns the last response."""
    opened = client.get(link)
    if opened.status_code != 302:
        return opened
    with capture(execute=True):
        return client.post(opened.url, {"new_password1": password, "new_password2": password})


def test_reset_email_has_a_link_on_the_council_host(
    client_a: Client, council_a: Council, person, django_capture_on_commit_callbacks
) -> None:
    request_reset(client_a, person.email, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [person.email]
    assert f"http://{host_of(council_a)}/password-reset/" in mail.outbox[0].body
    link_in_last_email(RESET_LINK)


def test_the_outbox_keeps_no_reset_link_once_it_is_delivered(
    client_a: Client, council_a: Council, person, django_capture_on_commit_callbacks
) -> None:
    request_reset(client_a, person.email, django_capture_on_commit_callbacks)
    link = link_in_last_email(RESET_LINK)
    table = outbox_table(council_a.schema_name)
    assert len(table) == 1
    assert person.email in table[0]
    assert '"sent_at":null' not in table[0]
    token = link.split("/")[3]
    assert not any(token in row for row in table), "the reset link is kept in the outbox"
    done = set_new_password(client_a, link, NEW_PASSWORD, django_capture_on_commit_callbacks)
    assert done.status_code == 302
    assert done.url == "/password-reset/done/"


def test_a_reset_email_that_failed_to_send_is_delivered_with_its_link_later_and_then_not_kept(
    client_a: Client, council_a: Council, person, django_capture_on_commit_callbacks, settings
) -> None:
    settings.EMAIL_BACKEND = PROVIDER_DOWN
    request_reset(client_a, person.email, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with schema_context(council_a.schema_name):
        assert notifications_deliver(now=timezone.now() + datetime.timedelta(minutes=5)) == 1
    link = link_in_last_email(RESET_LINK)
    assert not any(link.split("/")[3] in row for row in outbox_table(council_a.schema_name))
    done = set_new_password(client_a, link, NEW_PASSWORD, django_capture_on_commit_callbacks)
    assert done.status_code == 302
    assert done.url == "/password-reset/done/"


def test_a_reset_email_that_could_never_be_sent_leaves_no_link_in_the_outbox(
    client_a: Client, council_a: Council, person, django_capture_on_commit_callbacks, settings
) -> None:
    settings.EMAIL_BACKEND = PROVIDER_DOWN
    request_reset(client_a, person.email, django_capture_on_commit_callbacks)
    moment = timezone.now()
    with schema_context(council_a.schema_name):
        for _ in range(MAX_ATTEMPTS):
            moment += datetime.timedelta(hours=2)
            notifications_deliver(now=moment)
    [row] = outbox_table(council_a.schema_name)
    assert f'"attempts":{MAX_ATTEMPTS}' in row
    assert "/password-reset/" not in row
    assert mail.outbox == []


def test_reset_link_works_once(
    client_a: Client, council_a: Council, person, django_capture_on_commit_callbacks
) -> None:
    request_reset(client_a, person.email, django_capture_on_commit_callbacks)
    link = link_in_last_email(RESET_LINK)

    done = set_new_password(client_a, link, NEW_PASSWORD, django_capture_on_commit_callbacks)
    assert done.status_code == 302
    assert done.url == "/password-reset/done/"
    assert reload(person, council_a).check_password(NEW_PASSWORD)

    for browser in (client_a, Client(HTTP_HOST=host_of(council_a))):
        again = browser.get(link, follow=True)
        assert again.status_code == 200
        assert "This link does not work" in again.content.decode()
    uidb64 = link.split("/")[2]
    forced = Client(HTTP_HOST=host_of(council_a)).post(
        f"/password-reset/{uidb64}/set-password/",
        {"new_password1": "another-pass-phrase-99", "new_password2": "another-pass-phrase-99"},
    )
    assert "This link does not work" in forced.content.decode()
    assert reload(person, council_a).check_password(NEW_PASSWORD)


def test_reset_link_stops_working_after_30_minutes(
    client_a: Client, council_a: Council, person, django_capture_on_commit_callbacks
) -> None:
    with frozen_clock() as clock:
        request_reset(client_a, person.email, django_capture_on_commit_callbacks)
        link = link_in_last_email(RESET_LINK)
        clock.shift(30 * MINUTE + SECOND)
        response = set_new_password(client_a, link, NEW_PASSWORD, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "This link does not work" in response.content.decode()
    assert reload(person, council_a).check_password(TEST_PASSWORD)


def test_reset_link_opened_in_time_but_used_after_30_minutes_is_refused(
    client_a: Client, council_a: Council, person, django_capture_on_commit_callbacks
) -> None:
    with frozen_clock() as clock:
        request_reset(client_a, person.email, django_capture_on_commit_callbacks)
        link = link_in_last_email(RESET_LINK)
        clock.shift(29 * MINUTE)
        opened = client_a.get(link)
        assert opened.status_code == 302  # still good: on to the form
        clock.shift(MINUTE + SECOND)
        response = client_a.post(opened.url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 200
    assert "This link does not work" in response.content.decode()
    assert reload(person, council_a).check_password(TEST_PASSWORD)


def test_after_a_reset_the_person_is_not_signed_in_and_still_needs_the_second_factor(
    client_a: Client, council_a: Council, person, django_capture_on_commit_callbacks
) -> None:
    request_reset(client_a, person.email, django_capture_on_commit_callbacks)
    set_new_password(client_a, link_in_last_email(RESET_LINK), NEW_PASSWORD, django_capture_on_commit_callbacks)

    home = client_a.get("/")
    assert home.status_code == 302
    assert home.url == "/sign-in/?next=/"
    assert client_a.get("/api/v1/me/").status_code == 403
    assert client_a.get("/sign-in/code/").url == "/sign-in/"  # not even half-way: no pending sign-in
    with schema_context(council_a.schema_name):
        session = import_module(settings.SESSION_ENGINE).SessionStore(session_cookie(client_a))
        assert SESSION_KEY not in session
        assert not UserSession.objects.filter(user=person).exists()

    step = password_step(client_a, person.email, NEW_PASSWORD)
    assert step.url == "/sign-in/code/"
    assert client_a.get("/").status_code == 302
    assert code_step(client_a, "backup55r").url == "/"
    assert client_a.get("/").status_code == 200


def test_a_reset_ends_every_session_of_that_person(
    client_a: Client, council_a: Council, person, django_capture_on_commit_callbacks
) -> None:
    laptop = Client(HTTP_HOST=host_of(council_a))
    phone = Client(HTTP_HOST=host_of(council_a))
    sign_in(laptop, person, council_a)
    sign_in(phone, person, council_a)
    keys = [session_cookie(laptop), session_cookie(phone)]
    assert laptop.get("/").status_code == 200

    request_reset(client_a, person.email, django_capture_on_commit_callbacks)
    set_new_password(client_a, link_in_last_email(RESET_LINK), NEW_PASSWORD, django_capture_on_commit_callbacks)

    for browser in (laptop, phone):
        assert browser.get("/").status_code == 302
    with schema_context(council_a.schema_name):
        assert not any(session_stored(key) for key in keys)
        assert not UserSession.objects.filter(user=person).exists()
    assert audit_events(council_a, action=AuditAction.PASSWORD_CHANGED, actor_id=person.pk)


def test_a_reset_tells_the_person_their_password_was_changed(
    client_a: Client, council_a: Council, person, django_capture_on_commit_callbacks
) -> None:
    request_reset(client_a, person.email, django_capture_on_commit_callbacks)
    set_new_password(client_a, link_in_last_email(RESET_LINK), NEW_PASSWORD, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    told = mail.outbox[1]
    assert told.subject == CHANGED_SUBJECT
    assert told.to == [person.email]
    assert host_of(council_a) in told.body
    assert NEW_PASSWORD not in told.body


def test_reset_request_answers_the_same_for_unknown_and_known_emails(
    client_a: Client, council_a: Council, person, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        known = client_a.post("/password-reset/", {"email": person.email}, follow=True)
        unknown = client_a.post("/password-reset/", {"email": "nobody@agency.example"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain == [("/password-reset/sent/", 302)]
    assert without_volatile_parts(known) == without_volatile_parts(unknown)
    assert [message.to for message in mail.outbox] == [[person.email]]
