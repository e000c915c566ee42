"""Accounts by invitation only: single-use, expiring links for the agency's work-email domains
(SECURITY.md AUTH-3), and who may invite whom."""

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from core.accounts.models import User
from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.directory.models import Invitation, Practitioner
from core.notifications.services.outbox import MAX_ATTEMPTS, notifications_deliver
from tenants.models import Council
from tests.conftest import host_of, sign_in
from tests.core.accounts.helpers import (
    SECOND,
    audit_events,
    enrol_authenticator,
    frozen_clock,
    link_in_last_email,
)
from tests.core.notifications.helpers import PROVIDER_DOWN, outbox_table
from tests.factories import AgencyFactory, PractitionerFactory

pytestmark = pytest.mark.council_side

INVITE_LINK = r"^/invitations/[^/]+/$"
NEW_PASSWORD = "harbour-violet-kettle-42"
DAY = 24 * 60 * 60 * SECOND
UNUSABLE = "This invitation link does not work"


@pytest.fixture
def agency(council_a: Council):
    with schema_context(council_a.schema_name):
        return AgencyFactory(name="Alpha Youth Service", email_domains=["youth.example"])


@pytest.fixture
def other_agency(council_a: Council):
    with schema_context(council_a.schema_name):
        return AgencyFactory(name="Alpha Police", email_domains=["police.example"])


@pytest.fixture
def council_admin(council_a: Council):
    with schema_context(council_a.schema_name):
        return PractitionerFactory(user__email="admin@agency.example", is_council_admin=True)


@pytest.fixture
def agency_manager(council_a: Council, agency):
    with schema_context(council_a.schema_name):
        return PractitionerFactory(user__email="manager@youth.example", agency=agency, is_agency_manager=True)


def invite(client: Client, capture, *, email: str, agency, role: str = "practitioner"):
    with capture(execute=True):
        return client.post("/team/invite/", {"email": email, "agency": str(agency.pk), "role": role})


def accept(client: Client, link: str, *, first_name: str = "Noor", password: str = NEW_PASSWORD):
    return client.post(
        link,
        {
            "first_name": first_name,
            "last_name": "Haddad",
            "job_title": "Youth worker",
            "password": password,
            "password_again": password,
        },
    )


@pytest.fixture
def admin_browser(client_a: Client, council_a: Council, council_admin) -> Client:
    sign_in(client_a, council_admin.user, council_a)
    return client_a


@pytest.fixture
def invitation_link(admin_browser: Client, agency, django_capture_on_commit_callbacks) -> str:
    """A council administrator has invited noor@youth.example to the youth service; the path of the emailed link."""
    response = invite(admin_browser, django_capture_on_commit_callbacks, email="noor@youth.example", agency=agency)
    assert response.status_code == 302
    return link_in_last_email(INVITE_LINK)


def visitor(council: Council) -> Client:
    return Client(HTTP_HOST=host_of(council))


# --- Sending -------------------------------------------------------------------------------------------


def test_council_admin_invitation_emails_a_link_and_the_token_is_not_stored(
    admin_browser: Client, council_a: Council, agency, django_capture_on_commit_callbacks
) -> None:
    response = invite(admin_browser, django_capture_on_commit_callbacks, email="Noor@Youth.example", agency=agency)
    assert response.status_code == 302
    assert response.url == "/team/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["noor@youth.example"]
    assert f"http://{host_of(council_a)}/invitations/" in mail.outbox[0].body
    token = link_in_last_email(INVITE_LINK).split("/")[2]
    assert len(token) >= 32

    with schema_context(council_a.schema_name):
        invitation = Invitation.objects.get(email="noor@youth.example")
        stored = [str(value) for value in Invitation.objects.filter(pk=invitation.pk).values().get().values()]
        trail = [str(value) for row in AuditEvent.objects.values() for value in row.values()]
    assert invitation.token_hash != token
    assert not any(token in value for value in stored + trail), "the token is kept in clear"
    assert invitation.accepted_at is None
    assert audit_events(council_a, action=AuditAction.INVITATION_SENT, object_id=str(invitation.pk))


def test_the_outbox_keeps_no_invitation_link_once_it_is_delivered(
    admin_browser: Client, council_a: Council, agency, django_capture_on_commit_callbacks
) -> None:
    invite(admin_browser, django_capture_on_commit_callbacks, email="noor@youth.example", agency=agency)
    link = link_in_last_email(INVITE_LINK)
    token = link.split("/")[2]
    table = outbox_table(council_a.schema_name)
    assert len(table) == 1  # the email went through the outbox, and the row is all that is left of it
    assert not any(token in row for row in table), "the invitation link is kept in the outbox"
    assert accept(visitor(council_a), link).status_code == 302  # the delivered link works


def test_an_invitation_that_failed_to_send_is_delivered_with_its_link_later_and_then_not_kept(
    admin_browser: Client, council_a: Council, agency, django_capture_on_commit_callbacks, settings
) -> None:
    settings.EMAIL_BACKEND = PROVIDER_DOWN
    invite(admin_browser, django_capture_on_commit_callbacks, email="noor@youth.example", agency=agency)
    assert mail.outbox == []
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with schema_context(council_a.schema_name):
        assert notifications_deliver(now=timezone.now() + datetime.timedelta(minutes=5)) == 1
    link = link_in_last_email(INVITE_LINK)
    assert not any(link.split("/")[2] in row for row in outbox_table(council_a.schema_name))
    assert accept(visitor(council_a), link).status_code == 302


def test_an_invitation_that_could_never_be_sent_leaves_no_link_in_the_outbox(
    admin_browser: Client, council_a: Council, agency, django_capture_on_commit_callbacks, settings
) -> None:
    settings.EMAIL_BACKEND = PROVIDER_DOWN
    invite(admin_browser, django_capture_on_commit_callbacks, email="noor@youth.example", agency=agency)
    moment = timezone.now()
    with schema_context(council_a.schema_name):
        for _ in range(MAX_ATTEMPTS):
            moment += datetime.timedelta(hours=2)
            notifications_deliver(now=moment)
    [row] = outbox_table(council_a.schema_name)
    assert f'"attempts":{MAX_ATTEMPTS}' in row
    assert "/invitations/" not in row
    assert mail.outbox == []


# --- Accepting ----------------------------------------------------------------------------------------


def test_accepting_creates_the_account_and_leads_to_setting_up_the_app(
    council_a: Council, agency, invitation_link: str
) -> None:
    newcomer = visitor(council_a)
    page = newcomer.get(invitation_link)
    assert page.status_code == 200
    assert "Alpha Youth Service" in page.content.decode()
    assert "noor@youth.example" in page.content.decode()

    response = accept(newcomer, invitation_link)
    assert response.status_code == 302
    assert response.url == "/sign-in/set-up/"
    with schema_context(council_a.schema_name):
        practitioner = Practitioner.objects.select_related("user").get(user__email="noor@youth.example")
        assert practitioner.agency_id == agency.pk
        assert practitioner.user.check_password(NEW_PASSWORD)
        assert not practitioner.is_agency_manager
        assert not practitioner.is_council_admin
        assert Invitation.objects.get(email="noor@youth.example").accepted_at is not None

    assert newcomer.get("/").status_code == 302  # not in yet: the second factor comes first
    set_up = newcomer.get("/sign-in/set-up/")
    assert set_up.status_code == 200
    assert '<img src="data:image/svg+xml' in set_up.content.decode()
    with frozen_clock():
        assert len(enrol_authenticator(newcomer, practitioner.user, council_a)) == 10
        assert newcomer.get("/").status_code == 200


def test_an_invitation_link_works_once(council_a: Council, invitation_link: str) -> None:
    assert accept(visitor(council_a), invitation_link).status_code == 302

    for attempt in (
        visitor(council_a).get(invitation_link),
        accept(visitor(council_a), invitation_link, first_name="X"),
    ):
        assert attempt.status_code == 404
        assert UNUSABLE in attempt.content.decode()
    with schema_context(council_a.schema_name):
        assert User.objects.get(email="noor@youth.example").first_name == "Noor"
        assert User.objects.filter(email="noor@youth.example").count() == 1


def test_an_invitation_link_still_works_just_before_7_days(
    admin_browser: Client, council_a: Council, agency, django_capture_on_commit_callbacks
) -> None:
    with frozen_clock() as clock:
        invite(admin_browser, django_capture_on_commit_callbacks, email="noor@youth.example", agency=agency)
        link = link_in_last_email(INVITE_LINK)
        clock.shift(7 * DAY - SECOND)
        assert visitor(council_a).get(link).status_code == 200


def test_an_invitation_link_is_refused_after_7_days(
    admin_browser: Client, council_a: Council, agency, django_capture_on_commit_callbacks
) -> None:
    with frozen_clock() as clock:
        invite(admin_browser, django_capture_on_commit_callbacks, email="noor@youth.example", agency=agency)
        link = link_in_last_email(INVITE_LINK)
        clock.shift(7 * DAY + SECOND)
        for attempt in (visitor(council_a).get(link), accept(visitor(council_a), link)):
            assert attempt.status_code == 404
            assert UNUSABLE in attempt.content.decode()
    with schema_context(council_a.schema_name):
        assert not User.objects.filter(email="noor@youth.example").exists()


def test_a_made_up_token_is_refused(council_a: Council) -> None:
    response = visitor(council_a).get("/invitations/" + "A" * 43 + "/")
    assert response.status_code == 404
    assert UNUSABLE in response.content.decode()


def test_a_used_invitation_link_presented_again_leaves_a_refusal_in_the_audit_trail(
    council_a: Council, invitation_link: str
) -> None:
    """AUD-1: every denial is audited; the service means to write INVITATION_REFUSED."""
    assert accept(visitor(council_a), invitation_link).status_code == 302
    assert accept(visitor(council_a), invitation_link, first_name="Mallory").status_code == 404
    refused = audit_events(council_a, action=AuditAction.INVITATION_REFUSED)
    assert refused, "no audit row for the refused invitation link"
    assert refused[0].outcome == AuditOutcome.DENIED


def test_a_link_for_a_council_a_invitation_does_nothing_at_council_b(
    council_a: Council, council_b: Council, invitation_link: str
) -> None:
    response = visitor(council_b).get(invitation_link)
    assert response.status_code == 404
    assert accept(visitor(council_a), invitation_link).status_code == 302  # still good where it belongs


# --- Refusals when inviting -------------------------------------------------------------------------


def test_an_email_outside_the_agencys_domains_is_refused_with_a_clear_error(
    admin_browser: Client, council_a: Council, agency, django_capture_on_commit_callbacks
) -> None:
    response = invite(admin_browser, django_capture_on_commit_callbacks, email="noor@gmail.example", agency=agency)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Use a work email address of Alpha Youth Service (@youth.example)." in page
    assert mail.outbox == []
    with schema_context(council_a.schema_name):
        assert not Invitation.objects.exists()
        assert not User.objects.filter(email="noor@gmail.example").exists()


def test_a_look_alike_domain_is_refused(
    admin_browser: Client, council_a: Council, agency, django_capture_on_commit_callbacks
) -> None:
    for email in ("noor@evil-youth.example", "noor@youth.example.evil.example", "noor@sub.youth.example"):
        response = invite(admin_browser, django_capture_on_commit_callbacks, email=email, agency=agency)
        assert response.status_code == 200, email
    assert mail.outbox == []
    with schema_context(council_a.schema_name):
        assert not Invitation.objects.exists()


def test_agency_manager_invites_a_practitioner_to_their_own_agency(
    client_a: Client, council_a: Council, agency, agency_manager, django_capture_on_commit_callbacks
) -> None:
    sign_in(client_a, agency_manager.user, council_a)
    response = invite(client_a, django_capture_on_commit_callbacks, email="kit@youth.example", agency=agency)
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [["kit@youth.example"]]


def test_agency_manager_cannot_invite_to_another_agency(
    client_a: Client, council_a: Council, agency_manager, other_agency, django_capture_on_commit_callbacks
) -> None:
    sign_in(client_a, agency_manager.user, council_a)
    response = invite(client_a, django_capture_on_commit_callbacks, email="cop@police.example", agency=other_agency)
    assert mail.outbox == []
    with schema_context(council_a.schema_name):
        assert not Invitation.objects.exists()
    assert response.status_code == 403
    denied = audit_events(council_a, action=AuditAction.ACCESS_DENIED, actor_id=agency_manager.user.pk)
    assert [event.path for event in denied] == ["/team/invite/"]


@pytest.mark.parametrize("role", ["council_admin", "agency_manager"])
def test_agency_manager_cannot_invite_an_administrator_or_manager(
    client_a: Client, council_a: Council, agency, agency_manager, django_capture_on_commit_callbacks, role: str
) -> None:
    sign_in(client_a, agency_manager.user, council_a)
    response = invite(client_a, django_capture_on_commit_callbacks, email="kit@youth.example", agency=agency, role=role)
    assert mail.outbox == []
    with schema_context(council_a.schema_name):
        assert not Invitation.objects.exists()
    assert response.status_code == 403
    denied = audit_events(council_a, action=AuditAction.ACCESS_DENIED, actor_id=agency_manager.user.pk)
    assert [event.path for event in denied] == ["/team/invite/"]


def test_a_plain_practitioner_cannot_open_the_team_pages(client_a: Client, council_a: Council, agency) -> None:
    with schema_context(council_a.schema_name):
        plain = PractitionerFactory(user__email="plain@youth.example", agency=agency)
    sign_in(client_a, plain.user, council_a)
    assert client_a.get("/team/").status_code == 403
    assert client_a.get("/team/invite/").status_code == 403
    denied = audit_events(council_a, action=AuditAction.ACCESS_DENIED, actor_id=plain.user.pk)
    assert [event.path for event in denied] == ["/team/", "/team/invite/"]


# --- Verification ----------------------------------------------------------------------------------


def test_practitioner_invited_by_council_admin_waits_for_their_agency_manager_to_verify_them(
    council_a: Council, agency, agency_manager, invitation_link: str
) -> None:
    assert accept(visitor(council_a), invitation_link).status_code == 302
    with schema_context(council_a.schema_name):
        newcomer = Practitioner.objects.get(user__email="noor@youth.example")
    assert newcomer.verified_at is None

    manager = visitor(council_a)
    sign_in(manager, agency_manager.user, council_a)
    team = manager.get("/team/").content.decode()
    assert "Not verified" in team
    response = manager.post(f"/team/practitioners/{newcomer.pk}/verify/")
    assert response.status_code == 302
    assert response.url == "/team/"
    with schema_context(council_a.schema_name):
        newcomer.refresh_from_db()
    assert newcomer.verified_at is not None
    [verified] = audit_events(council_a, action=AuditAction.PRACTITIONER_VERIFIED)
    assert verified.actor_id == agency_manager.user.pk
    assert verified.object_id == str(newcomer.pk)


def test_practitioner_invited_by_their_agency_manager_is_verified_at_once(
    client_a: Client, council_a: Council, agency, agency_manager, django_capture_on_commit_callbacks
) -> None:
    sign_in(client_a, agency_manager.user, council_a)
    invite(client_a, django_capture_on_commit_callbacks, email="kit@youth.example", agency=agency)
    assert accept(visitor(council_a), link_in_last_email(INVITE_LINK)).status_code == 302
    with schema_context(council_a.schema_name):
        assert Practitioner.objects.get(user__email="kit@youth.example").verified_at is not None


def test_inviting_again_replaces_the_earlier_link(
    admin_browser: Client, council_a: Council, agency, django_capture_on_commit_callbacks
) -> None:
    invite(admin_browser, django_capture_on_commit_callbacks, email="noor@youth.example", agency=agency)
    first = link_in_last_email(INVITE_LINK)
    invite(admin_browser, django_capture_on_commit_callbacks, email="noor@youth.example", agency=agency)
    second = link_in_last_email(INVITE_LINK)
    assert first != second
    assert visitor(council_a).get(first).status_code == 404
    assert visitor(council_a).get(second).status_code == 200


def test_the_token_in_the_link_is_long_and_url_safe(invitation_link: str) -> None:
    token = invitation_link.split("/")[2]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
