"""Session limits (SECURITY.md SES-1) and sessions people can see and end (SES-3)."""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
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
from tests.factories import PractitionerFactory, UserFactory

pytestmark = pytest.mark.council_side


@pytest.fixture
def practitioner(council_a: Council):
    with schema_context(council_a.schema_name):
        return PractitionerFactory(user__email="ash@agency.example")


@pytest.fixture
def person(practitioner):
    return practitioner.user


FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.6478.122 Mobile Safari/537.36"
)
EDGE_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.87"
)


def browser(council: Council, user_agent: str, address: str = "127.0.0.1") -> Client:
    return Client(HTTP_HOST=host_of(council), HTTP_USER_AGENT=user_agent, REMOTE_ADDR=address)


def laptop_and_phone(council: Council, person) -> tuple[Client, Client]:
    """The person signed in twice: Firefox on a Windows laptop and Safari on an iPhone."""
    laptop, phone = browser(council, FIREFOX_WINDOWS), browser(council, SAFARI_IPHONE)
    sign_in(laptop, person, council)
    sign_in(phone, person, council)
    return laptop, phone


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
    laptop = browser(council_a, FIREFOX_WINDOWS)
    phone = browser(council_a, SAFARI_IPHONE)
    stranger = browser(council_a, CHROME_ANDROID)
    sign_in(laptop, person, council_a)
    sign_in(phone, person, council_a)
    sign_in(stranger, someone_else, council_a)

    response = laptop.get("/account/sessions/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Firefox on Windows" in page
    assert "Safari on iPhone" in page
    assert "Chrome on Android" not in page
    assert page.count("This session") == 1
    assert '<strong class="govuk-tag govuk-tag--green">This session</strong>' in page
    assert page.count("Sign out of this session") == 1  # the phone's; this one ends by signing out


def test_signing_out_of_every_other_session_ends_them_but_not_this_one(council_a: Council, person) -> None:
    laptop = browser(council_a, FIREFOX_WINDOWS)
    phone = browser(council_a, SAFARI_IPHONE)
    tablet = browser(council_a, CHROME_ANDROID)
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
    assert "Safari on iPhone" not in page
    assert "Chrome on Android" not in page
    assert "Firefox on Windows" in page
    assert "You are not signed in anywhere else." in page
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


# --- Signing out of one chosen session (SES-3) ------------------------------------------------------


def session_id(council: Council | None, device: Client) -> int:
    with schema_context(council.schema_name if council else "public"):
        return UserSession.objects.get(session_key=session_cookie(device)).pk


def end_url(pk: object) -> str:
    return f"/account/sessions/{pk}/sign-out/"


def still_signed_in(council: Council | None, device: Client) -> bool:
    """The session is in the store, its row is kept, and the browser is let in."""
    key = session_cookie(device)
    with schema_context(council.schema_name if council else "public"):
        kept = session_stored(key) and UserSession.objects.filter(session_key=key).exists()
    return kept and device.get("/account/sessions/").status_code == 200


def chosen_endings(council: Council | None) -> list:
    return audit_events(council, action=AuditAction.SESSIONS_ENDED, reason="1 ended: one chosen")


def test_each_session_reads_as_its_browser_when_and_where_it_signed_in(council_a: Council, person) -> None:
    laptop = browser(council_a, FIREFOX_WINDOWS, "203.0.113.7")
    phone = browser(council_a, SAFARI_IPHONE)
    sign_in(laptop, person, council_a)
    sign_in(phone, person, council_a)
    with schema_context(council_a.schema_name):
        two_hours_ago = timezone.now() - datetime.timedelta(hours=2, minutes=5)
        UserSession.objects.filter(session_key=session_cookie(laptop)).update(
            created_at=two_hours_ago, last_seen_at=two_hours_ago + datetime.timedelta(minutes=65)
        )
        UserSession.objects.filter(session_key=session_cookie(phone)).update(ip_address=None)

    page = phone.get("/account/sessions/").content.decode().replace("\xa0", " ")  # timesince keeps "2 hours" together

    assert "Firefox on Windows" in page
    assert "2 hours ago from 203.0.113.7" in page
    assert "1 hour ago" in page  # last active
    assert f'<time datetime="{two_hours_ago.isoformat()}">' in page
    assert f"{two_hours_ago:%-d %B %Y at %H:%M}</time>" in page
    assert "Just now from an unknown network address" in page  # the phone's own session
    assert "<table" not in page  # cards that fit a phone, not a table that scrolls sideways
    for device in (laptop, phone):
        assert session_cookie(device) not in page  # a session key is never shown


def test_each_sign_out_button_names_its_session_for_a_screen_reader(council_a: Council, person) -> None:
    laptop = browser(council_a, FIREFOX_WINDOWS, "203.0.113.7")
    phone = browser(council_a, SAFARI_IPHONE, "198.51.100.4")
    tablet = browser(council_a, EDGE_WINDOWS)
    for device in (laptop, phone, tablet):
        sign_in(device, person, council_a)

    page = laptop.get("/account/sessions/").content.decode()

    buttons = re.findall(r"<button[^>]*>(Sign out of this session.*?)</button>", page)
    assert len(buttons) == 2
    assert len(set(buttons)) == 2
    assert any("Safari on iPhone, signed in just now" in b and "from 198.51.100.4" in b for b in buttons)
    assert any("Edge on Windows" in b for b in buttons)
    assert all('<span class="govuk-visually-hidden">' in b for b in buttons)
    assert f'action="{end_url(session_id(council_a, phone))}"' in page
    assert f'action="{end_url(session_id(council_a, laptop))}"' not in page


def test_signing_out_of_one_chosen_session_ends_that_one_and_no_other(council_a: Council, person) -> None:
    laptop = browser(council_a, FIREFOX_WINDOWS)
    phone = browser(council_a, SAFARI_IPHONE)
    tablet = browser(council_a, CHROME_ANDROID)
    for device in (laptop, phone, tablet):
        sign_in(device, person, council_a)
    phone_key = session_cookie(phone)
    phone_id = session_id(council_a, phone)

    response = laptop.post(end_url(phone_id), follow=True)

    assert response.redirect_chain == [("/account/sessions/", 302)]
    page = response.content.decode()
    assert "Signed out of Safari on iPhone, signed in just now." in page
    assert "Safari on iPhone" not in page.replace("Signed out of Safari on iPhone", "")
    assert_sent_to_sign_in(phone.get("/"))
    assert_sent_to_sign_in(browser_with_cookie(host_of(council_a), phone_key).get("/"))
    with schema_context(council_a.schema_name):
        assert not session_stored(phone_key)
        assert not UserSession.objects.filter(pk=phone_id).exists()
    assert still_signed_in(council_a, laptop)
    assert still_signed_in(council_a, tablet)
    [event] = chosen_endings(council_a)
    assert event.actor_id == person.pk
    assert event.object_type == "session"
    assert event.object_id == str(phone_id)


def test_the_session_in_use_is_not_ended_from_the_list_but_by_signing_out(council_a: Council, person) -> None:
    laptop = browser(council_a, FIREFOX_WINDOWS)
    sign_in(laptop, person, council_a)

    response = laptop.post(end_url(session_id(council_a, laptop)), follow=True)

    assert response.status_code == 200
    assert "That is the session you are using now. To end it, sign out." in response.content.decode()
    assert still_signed_in(council_a, laptop)
    assert not chosen_endings(council_a)


def test_another_person_s_session_in_the_same_council_is_404_and_keeps_working(council_a: Council, person) -> None:
    with schema_context(council_a.schema_name):
        someone_else = PractitionerFactory(user__email="other@agency.example").user
    attacker = browser(council_a, FIREFOX_WINDOWS)
    victim = browser(council_a, SAFARI_IPHONE)
    sign_in(attacker, person, council_a)
    sign_in(victim, someone_else, council_a)

    response = attacker.post(end_url(session_id(council_a, victim)))

    assert response.status_code == 404
    assert still_signed_in(council_a, victim)
    assert still_signed_in(council_a, attacker)
    assert not chosen_endings(council_a)


def test_another_council_s_session_id_is_404_and_that_session_keeps_working(
    council_a: Council, council_b: Council, person
) -> None:
    with schema_context(council_b.schema_name):
        elsewhere = PractitionerFactory(user__email="b@agency.example").user
    attacker = browser(council_a, FIREFOX_WINDOWS)
    sign_in(attacker, person, council_a)
    victims = [browser(council_b, SAFARI_IPHONE), browser(council_b, CHROME_ANDROID)]
    for victim in victims:
        sign_in(victim, elsewhere, council_b)
    # Ids are counted in each council's schema: take one that is not also the attacker's own session's id.
    own = session_id(council_a, attacker)
    target = next(pk for pk in (session_id(council_b, victim) for victim in victims) if pk != own)

    response = attacker.post(end_url(target))

    assert response.status_code == 404
    assert all(still_signed_in(council_b, victim) for victim in victims)
    assert still_signed_in(council_a, attacker)
    assert not chosen_endings(council_a)
    assert not chosen_endings(council_b)


@pytest.mark.parametrize("malformed", ["abc", "-1", "1.5", "0x10", "99999999999999999999999", "%00", "0"])
def test_a_malformed_or_unknown_session_id_is_refused_and_nothing_ends(
    council_a: Council, person, malformed: str
) -> None:
    laptop, phone = laptop_and_phone(council_a, person)

    response = laptop.post(end_url(malformed))

    assert response.status_code in (400, 404)
    assert still_signed_in(council_a, phone)
    assert not chosen_endings(council_a)


def test_the_sign_out_address_needs_a_post(council_a: Council, person) -> None:
    laptop, phone = laptop_and_phone(council_a, person)

    assert laptop.get(end_url(session_id(council_a, phone))).status_code == 405
    assert still_signed_in(council_a, phone)
    assert not chosen_endings(council_a)


def test_signing_out_of_a_session_without_the_csrf_token_is_403(council_a: Council, person) -> None:
    laptop, phone = laptop_and_phone(council_a, person)
    forged = Client(HTTP_HOST=host_of(council_a), enforce_csrf_checks=True)
    forged.cookies = laptop.cookies  # the laptop's own session, as a cross-site form would send it

    response = forged.post(end_url(session_id(council_a, phone)))

    assert response.status_code == 403
    assert still_signed_in(council_a, phone)
    assert still_signed_in(council_a, laptop)
    assert not chosen_endings(council_a)


def test_platform_staff_sign_out_of_one_of_their_sessions_on_the_platform_site(db: None) -> None:
    staff = UserFactory(email="ops@patchwork.example", is_staff=True)
    laptop = Client(HTTP_HOST="localhost", HTTP_USER_AGENT=FIREFOX_WINDOWS)
    phone = Client(HTTP_HOST="localhost", HTTP_USER_AGENT=SAFARI_IPHONE)
    sign_in(laptop, staff)
    sign_in(phone, staff)

    response = laptop.post(end_url(session_id(None, phone)), follow=True)

    assert "Signed out of Safari on iPhone, signed in just now." in response.content.decode()
    assert phone.get("/account/sessions/").status_code == 302
    assert still_signed_in(None, laptop)
    assert len(chosen_endings(None)) == 1


def test_the_sessions_page_costs_the_same_queries_however_many_sessions(council_a: Council, person) -> None:
    laptop = browser(council_a, FIREFOX_WINDOWS)
    sign_in(laptop, person, council_a)
    sign_in(browser(council_a, SAFARI_IPHONE), person, council_a)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert laptop.get("/account/sessions/").status_code == 200
        return len(captured)

    few = queries()
    for user_agent in (CHROME_ANDROID, EDGE_WINDOWS, SAFARI_IPHONE, FIREFOX_WINDOWS):
        sign_in(browser(council_a, user_agent), person, council_a)
    assert laptop.get("/account/sessions/").content.decode().count("Sign out of this session") == 5
    assert queries() == few
