"""Platform staff: created by ``platform_staff_invite`` with a single-use set-password link, and signed
in with two factors like everyone else (SECURITY.md AUTH-1, AUTH-3, AUTH-5)."""

import re
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.test.client import RedirectCycleError

from core.accounts.models import User
from tests.conftest import sign_in
from tests.core.accounts.helpers import (
    GENERIC_SIGN_IN_ERROR,
    MINUTE,
    SECOND,
    enrol_authenticator,
    frozen_clock,
    give_backup_code,
    password_step,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.platform_side

EMAIL = "ops@patchwork.example"
NEW_PASSWORD = "granite-meadow-falcon-58"


def staff_invite(email: str = EMAIL) -> str:
    """Run the command as an operator would; returns the printed link."""
    out = StringIO()
    call_command("platform_staff_invite", email, "--first-name", "A", "--last-name", "B", stdout=out)
    links = re.findall(r"https?://\S+", out.getvalue())
    assert len(links) == 1, out.getvalue()
    return links[0]


def choose_password(client: Client, path: str, password: str, capture):
    opened = client.get(path)
    if opened.status_code != 302:
        return opened
    with capture(execute=True):
        return client.post(opened.url, {"new_password1": password, "new_password2": password})


def test_invite_creates_staff_without_a_usable_password_and_prints_a_platform_link(platform_client: Client) -> None:
    link = staff_invite()
    assert urlsplit(link).netloc == "localhost"
    assert urlsplit(link).path.startswith("/password-reset/")

    user = User.objects.get(email=EMAIL)
    assert user.is_staff
    assert not user.is_superuser
    assert user.first_name == "A"
    assert user.last_name == "B"
    assert not user.has_usable_password()
    for guess in ("", "password", "A B", EMAIL):
        assert not user.check_password(guess)
    refused = password_step(platform_client, EMAIL, "anything-at-all-1")
    assert refused.status_code == 200
    assert GENERIC_SIGN_IN_ERROR in refused.content.decode()


def test_the_link_sets_a_password_once_then_sign_in_needs_a_second_factor(
    platform_client: Client, django_capture_on_commit_callbacks
) -> None:
    path = urlsplit(staff_invite()).path
    done = choose_password(platform_client, path, NEW_PASSWORD, django_capture_on_commit_callbacks)
    assert done.status_code == 302
    assert done.url == "/password-reset/done/"
    assert User.objects.get(email=EMAIL).check_password(NEW_PASSWORD)
    assert [message.to for message in mail.outbox] == [[EMAIL]]  # told of the change

    again = choose_password(
        Client(HTTP_HOST="localhost"), path, "someone-elses-pass-77", django_capture_on_commit_callbacks
    )
    assert again.status_code == 200
    assert "This link does not work" in again.content.decode()
    assert User.objects.get(email=EMAIL).check_password(NEW_PASSWORD)

    assert platform_client.get("/console/").status_code == 302  # choosing a password signs no one in
    user = User.objects.get(email=EMAIL)
    with frozen_clock():
        assert password_step(platform_client, EMAIL, NEW_PASSWORD).url == "/sign-in/set-up/"
        assert platform_client.get("/console/").status_code == 302
        assert len(enrol_authenticator(platform_client, user, None)) == 10
        assert platform_client.get("/console/").status_code == 200


def test_the_link_stops_working_after_30_minutes(platform_client: Client, django_capture_on_commit_callbacks) -> None:
    with frozen_clock() as clock:
        path = urlsplit(staff_invite()).path
        clock.shift(30 * MINUTE + SECOND)
        response = choose_password(platform_client, path, NEW_PASSWORD, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "This link does not work" in response.content.decode()
    assert not User.objects.get(email=EMAIL).has_usable_password()


def test_inviting_an_existing_email_is_refused(db: None) -> None:
    staff_invite()
    with pytest.raises(CommandError, match="already exists"):
        staff_invite(EMAIL.upper())
    assert User.objects.filter(email=EMAIL).count() == 1


def test_staff_sign_in_with_password_and_code_reaches_the_console(platform_client: Client) -> None:
    staff = UserFactory(email="duty@patchwork.example", is_staff=True)
    give_backup_code(staff, None, "consolecode")
    assert password_step(platform_client, staff.email).url == "/sign-in/code/"
    assert platform_client.get("/console/").status_code == 302
    assert platform_client.post("/sign-in/code/", {"code": "consolecode"}).status_code == 302
    assert platform_client.get("/console/").status_code == 200


def test_a_platform_user_who_is_not_staff_gets_403_at_the_console(platform_client: Client) -> None:
    sign_in(platform_client, UserFactory(email="visitor@patchwork.example", is_staff=False))
    assert platform_client.get("/console/").status_code == 403


def test_a_platform_user_who_is_not_staff_is_refused_at_admin_not_sent_round_in_circles(
    platform_client: Client,
) -> None:
    sign_in(platform_client, UserFactory(email="visitor@patchwork.example", is_staff=False))
    try:
        response = platform_client.get("/admin/", follow=True)
    except RedirectCycleError as loop:
        chain = " -> ".join(url for url, _ in loop.last_response.redirect_chain)
        pytest.fail(f"endless redirect instead of a refusal: /admin/ -> {chain}")
    assert response.status_code == 403


def test_admin_with_a_password_only_session_is_refused(platform_client: Client) -> None:
    superuser = UserFactory(email="root@patchwork.example", is_staff=True, is_superuser=True)
    give_backup_code(superuser, None)
    assert password_step(platform_client, superuser.email).url == "/sign-in/code/"
    for path in ("/admin/", "/admin/accounts/user/", "/admin/login/"):
        response = platform_client.get(path)
        assert response.status_code == 302, path
        assert response.url.startswith("/sign-in/"), path
