"""Session limits (SECURITY.md SES-1) and sessions people can see and end (SES-3)."""

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from core.accounts.models import UserSession
from core.audit.models import AuditAction
from tenants.models import Council
from tests.conftest import host_of, session_stored, sign_in
from tests.core.accounts.helpers import (
    GENERIC_SIGN_IN_ERROR,
    MINUTE,
    SECOND,
    audit_events,
    browser_with_cookie,
    code_step,
    frozen_clock,
    give_backup_code,
    password_step,
    reload,
    session_cookie,
)
from tests.factories import PractitionerFactory

pytestmark = pytest.mark.council_side


@pytest.fixture
def practitioner(council_a: Council):
    with schema_context(council_a.schema_name):
        return PractitionerFactory(user__email="ash@agency.example")


@pytest.fixture
def person(practitioner):
    return practitioner.user


def browser(council: Council, user_agent: str) -> Client:
    return Client(HTTP_HOST=host_of(council), HTTP_USER_AGENT=user_agent)


def assert_sent_to_sign_in(response, path: str = "/") -> None:
    assert response.status_code == 302, f"expected a redirect to sign-in, got {response.status_code}"
    assert response.url == f"/sign-in/?next={path}"


# --- Idle and absolute limits (SES-1) -------------------------------------------------------------


def test_15_minutes_and_1_second_idle_signs_out_and_is_audited(client_a: Client, council_a: Council, person) -> None:
    with frozen_clock() as clock:
        sign_in(client_a, person, council_a)
        key = session_cookie(client_a)
        assert client_a.get("/").status_code == 200
        with schema_context(council_a.schema_name):
            assert session_stored(key)  # in the session store (the cache), until it ends
        clock.shift(15 * MINUTE + SECOND)
        assert_sent_to_sign_in(client_a.get("/"))
        assert_sent_to_sign_in(client_a.get("/"))  # and stays signed out
    [expired] = audit_events(council_a, action=AuditAction.SESSION_EXPIRED, actor_id=person.pk)
    assert expired.reason == "15 minutes without activity"
    with schema_context(council_a.schema_name):
        assert not session_stored(key)
        assert not UserSession.objects.filter(session_key=key).exists()


def test_an_expired_session_answers_the_api_with_403(client_a: Client, council_a: Council, person) -> None:
    with frozen_clock() as clock:
        sign_in(client_a, person, council_a)
        assert client_a.get("/api/v1/me/").status_code == 200
        clock.shift(15 * MINUTE + SECOND)
        assert client_a.get("/api/v1/me/").status_code == 403


def test_activity_at_14_minutes_keeps_the_session_and_restarts_the_idle_clock(
    client_a: Client, council_a: Council, person
) -> None:
    with frozen_clock() as clock:
        sign_in(client_a, person, council_a)
        clock.shift(14 * MINUTE)
        assert client_a.get("/").status_code == 200
        clock.shift(14 * MINUTE)  # 28 minutes after sign-in, 14 after the last request
        assert client_a.get("/").status_code == 200
        clock.shift(15 * MINUTE + SECOND)
        assert_sent_to_sign_in(client_a.get("/"))
    assert not audit_events(council_a, action=AuditAction.SESSION_EXPIRED, reason="12 hours since sign-in")


def test_stay_signed_in_restarts_the_idle_clock(client_a: Client, council_a: Council, person) -> None:
    with frozen_clock() as clock:
        sign_in(client_a, person, council_a)
        clock.shift(14 * MINUTE)
        assert client_a.post("/account/keep-alive/").status_code == 204
        clock.shift(14 * MINUTE)
        assert client_a.get("/").status_code == 200


def test_12_hours_after_sign_in_the_session_ends_even_with_activity_every_10_minutes(
    client_a: Client, council_a: Council, person
) -> None:
    with frozen_clock() as clock:
        sign_in(client_a, person, council_a)
        for _ in range(72):  # 72 × 10 minutes = 12 hours
            clock.shift(10 * MINUTE)
            assert client_a.get("/").status_code == 200
        clock.shift(SECOND)
        assert_sent_to_sign_in(client_a.get("/"))
    [expired] = audit_events(council_a, action=AuditAction.SESSION_EXPIRED, actor_id=person.pk)
    assert expired.reason == "12 hours since sign-in"


def test_signing_in_again_after_a_timeout_needs_both_factors(client_a: Client, council_a: Council, person) -> None:
    with frozen_clock() as clock:
        sign_in(client_a, person, council_a)
        clock.shift(15 * MINUTE + SECOND)
        assert_sent_to_sign_in(client_a.get("/"))
        give_backup_code(person, council_a, "again1234")
        assert password_step(client_a, person.email).url == "/sign-in/code/"
        assert client_a.get("/").status_code == 302
        assert code_step(client_a, "again1234").url == "/"
        assert client_a.get("/").status_code == 200


# --- Seeing and ending sessions (SES-3) ------------------------------------------------------------


def test_sessions_page_lists_each_session_of_the_person_and_no_one_elses(council_a: Council, person) -> None:
    with schema_context(council_a.schema_name):
        someone_else = PractitionerFactory(user__email="other@agency.example").user
    laptop = browser(council_a, "LaptopBrowser/1.0")
    phone = browser(council_a, "PhoneBrowser/2.0")
    stranger = browser(council_a, "StrangerBrowser/3.0")
    sign_in(laptop, person, council_a)
    sign_in(phone, person, council_a)
    sign_in(stranger, someone_else, council_a)

    response = laptop.get("/account/sessions/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "LaptopBrowser/1.0" in page
    assert "PhoneBrowser/2.0" in page
    assert "StrangerBrowser/3.0" not in page
    assert page.count("This session") == 1


def test_signing_out_of_every_other_session_ends_them_but_not_this_one(council_a: Council, person) -> None:
    laptop = browser(council_a, "LaptopBrowser/1.0")
    phone = browser(council_a, "PhoneBrowser/2.0")
    tablet = browser(council_a, "TabletBrowser/3.0")
    for device in (laptop, phone, tablet):
        sign_in(device, person, council_a)
    phone_key = session_cookie(phone)

    response = laptop.post("/account/sessions/", follow=True)
    assert response.status_code == 200
    assert "Signed out of 2 other sessions." in response.content.decode()

    assert laptop.get("/").status_code == 200
    assert_sent_to_sign_in(phone.get("/"))
    assert_sent_to_sign_in(tablet.get("/"))
    assert_sent_to_sign_in(browser_with_cookie(host_of(council_a), phone_key).get("/"))
    page = laptop.get("/account/sessions/").content.decode()
    assert "PhoneBrowser/2.0" not in page
    assert "TabletBrowser/3.0" not in page
    assert audit_events(council_a, action=AuditAction.SESSIONS_ENDED, actor_id=person.pk)


def test_sign_out_needs_a_post(client_a: Client, council_a: Council, person) -> None:
    sign_in(client_a, person, council_a)
    assert client_a.get("/sign-out/").status_code == 405
    assert client_a.get("/").status_code == 200


def test_after_sign_out_replaying_the_old_cookie_gives_the_sign_in_page(
    client_a: Client, council_a: Council, person
) -> None:
    sign_in(client_a, person, council_a)
    old_key = session_cookie(client_a)
    response = client_a.post("/sign-out/")
    assert response.status_code == 302
    assert response.url == "/sign-in/"

    replayed = browser_with_cookie(host_of(council_a), old_key).get("/", follow=True)
    assert replayed.redirect_chain == [("/sign-in/?next=/", 302)]
    assert "Sign in to" in replayed.content.decode()
    with schema_context(council_a.schema_name):
        assert not session_stored(old_key)
        assert not UserSession.objects.filter(session_key=old_key).exists()
    assert audit_events(council_a, action=AuditAction.SIGN_OUT, actor_id=person.pk)


def test_deactivating_a_person_ends_all_their_sessions_at_once(
    client_a: Client, council_a: Council, practitioner, person
) -> None:
    with schema_context(council_a.schema_name):
        admin = PractitionerFactory(user__email="chief@agency.example", is_council_admin=True)
    laptop = browser(council_a, "LaptopBrowser/1.0")
    phone = browser(council_a, "PhoneBrowser/2.0")
    sign_in(laptop, person, council_a)
    sign_in(phone, person, council_a)
    keys = [session_cookie(laptop), session_cookie(phone)]
    with schema_context(council_a.schema_name):
        assert all(session_stored(key) for key in keys)
    sign_in(client_a, admin.user, council_a)

    response = client_a.post(f"/team/practitioners/{practitioner.pk}/deactivate/")
    assert response.status_code == 302
    assert response.url == "/team/"

    assert_sent_to_sign_in(laptop.get("/"))
    assert_sent_to_sign_in(phone.get("/"))
    assert phone.get("/api/v1/me/").status_code == 403
    with schema_context(council_a.schema_name):
        assert not any(session_stored(key) for key in keys)
        assert not UserSession.objects.filter(user=person).exists()
    assert not reload(person, council_a).is_active

    again = password_step(laptop, person.email)
    assert again.status_code == 200
    assert GENERIC_SIGN_IN_ERROR in again.content.decode()
    assert client_a.get("/").status_code == 200  # the administrator is still signed in
    [event] = audit_events(council_a, action=AuditAction.ACCOUNT_DEACTIVATED)
    assert event.actor_id == admin.user.pk
    assert event.object_id == str(person.pk)
