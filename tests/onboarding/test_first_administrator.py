"""The council's first administrator, invited by provisioning from the approved order.

In the council's schema: its own agency (statutory, approved, the administrator's email domain),
one invitation as council administrator with no inviter, and one email with a single-use link to
the council's own site. Provisioning again sends nothing more. A council without an order (the
demo, the tests, the command line) skips the step.
"""

import re

import pytest
from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context

from core.accounts.models import User
from core.audit.origin import NO_ORIGIN
from core.directory.models import Agency, AgencyType, ApprovalState, Invitation, Practitioner, Role
from core.directory.services.invitations import FIRST_ADMINISTRATOR_SUBJECT
from core.notifications.models import Notification
from core.notifications.services.outbox import DELIVERED_LINK_BODY
from onboarding.models import Order
from onboarding.services.approval import order_approve
from onboarding.services.provisioning import council_create, council_provision
from tenants.models import Council, CouncilStatus
from tests.factories import UserFactory
from tests.onboarding.ordering import order_placed, tasks_in_process

# Provisioning creates schemas: the owner role's work (docs/adr/0008).
pytestmark = [pytest.mark.platform_side, pytest.mark.database_owner]

ADMIN = "leah.brennan@kingston-council.example"
LINK = re.compile(r"http://kingston\.localhost(?::\d+)?/invitations/[A-Za-z0-9_-]+/")


@pytest.fixture
def operator(db: None) -> User:
    return UserFactory(email="ops@patchwork.example", is_staff=True)


def _approved_and_provisioned(operator: User, capture: object) -> Council:
    order = order_placed()
    mail.outbox.clear()  # the order's confirmation
    with tasks_in_process(), capture(execute=True):  # type: ignore[operator]
        order_approve(order_id=order.pk, actor=operator, origin=NO_ORIGIN)
    return Order.objects.get(pk=order.pk).council  # type: ignore[return-value]


def _invitation_emails() -> list[str]:
    return [
        message.body
        for message in mail.outbox
        if message.to == [ADMIN] and message.subject == FIRST_ADMINISTRATOR_SUBJECT
    ]


def test_provisioning_an_approved_order_invites_its_first_administrator_to_the_councils_own_agency(
    operator: User, django_capture_on_commit_callbacks: object
) -> None:
    council = _approved_and_provisioned(operator, django_capture_on_commit_callbacks)
    assert council.status == CouncilStatus.CONFIGURING
    with schema_context(council.schema_name):
        agency = Agency.objects.get()
        assert (agency.name, agency.agency_type, agency.approval_state, agency.email_domains) == (
            "Kingston City Council",
            AgencyType.STATUTORY,
            ApprovalState.APPROVED,
            ["kingston-council.example"],
        )
        invitation = Invitation.objects.get()
        assert (invitation.email, invitation.role, invitation.invited_by, invitation.agency) == (
            ADMIN,
            Role.COUNCIL_ADMIN,
            None,
            agency,
        )
        [notification] = Notification.objects.all()
        assert (notification.to, notification.holds_secret) == (ADMIN, True)
        assert notification.sent_at is not None
        assert notification.body == DELIVERED_LINK_BODY  # the link is not kept once delivered
    [body] = _invitation_emails()
    assert LINK.search(body), body
    assert "first council administrator" in body


def test_provisioning_again_sends_no_second_invitation(
    operator: User, django_capture_on_commit_callbacks: object
) -> None:
    council = _approved_and_provisioned(operator, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        council_provision(council_id=council.pk, go_live=False)
    with schema_context(council.schema_name):
        assert Agency.objects.count() == 1
        assert Invitation.objects.count() == 1
        assert Notification.objects.count() == 1
    assert len(_invitation_emails()) == 1


def test_an_administrator_who_already_has_an_account_is_not_invited_again(
    operator: User, django_capture_on_commit_callbacks: object
) -> None:
    council = _approved_and_provisioned(operator, django_capture_on_commit_callbacks)
    with schema_context(council.schema_name):
        Invitation.objects.update(accepted_at=Invitation.objects.get().created_at)
        UserFactory(email=ADMIN)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        council_provision(council_id=council.pk, go_live=False)
    with schema_context(council.schema_name):
        assert Invitation.objects.count() == 1
    assert len(_invitation_emails()) == 1


def test_the_link_carries_the_platforms_port_when_it_has_one(
    operator: User, django_capture_on_commit_callbacks: object, settings: object
) -> None:
    settings.PLATFORM_PORT = "8000"  # type: ignore[attr-defined]
    _approved_and_provisioned(operator, django_capture_on_commit_callbacks)
    [body] = _invitation_emails()
    assert re.search(r"http://kingston\.localhost:8000/invitations/[A-Za-z0-9_-]+/", body), body


def test_a_council_made_without_an_order_skips_the_step(db: None, django_capture_on_commit_callbacks: object) -> None:
    council = council_create(name="Wyndham City Council", slug="wyndham", jurisdiction="victoria")
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        council_provision(council_id=council.pk)
    council.refresh_from_db()
    assert (council.status, council.provisioning_step) == (CouncilStatus.LIVE, "done")
    with schema_context(council.schema_name):
        assert not Agency.objects.exists()
        assert not Invitation.objects.exists()
        assert not Notification.objects.exists()
    assert mail.outbox == []


def test_from_approval_to_the_first_administrators_account_on_the_councils_own_site(
    platform_client: Client, operator: User, django_capture_on_commit_callbacks: object
) -> None:
    from tests.conftest import sign_in

    order = order_placed()
    mail.outbox.clear()
    sign_in(platform_client, operator)
    with tasks_in_process(), django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = platform_client.post(f"/console/orders/{order.reference}/approve/")
    assert response.url == "/console/councils/kingston/provisioning/"
    assert Council.objects.get(slug="kingston").status == CouncilStatus.CONFIGURING

    [body] = _invitation_emails()
    link = LINK.search(body).group(0)  # type: ignore[union-attr]
    path = link.split("kingston.localhost", 1)[1]
    site = Client(HTTP_HOST="kingston.localhost")
    page = site.get(path)
    assert page.status_code == 200
    assert "as council administrator for" in page.content.decode()
    assert "Kingston City Council" in page.content.decode()
    assert platform_client.get(path).status_code == 404  # the link is the council's, not the platform's

    created = site.post(
        path,
        {
            "first_name": "Leah",
            "last_name": "Brennan",
            "job_title": "Head of early help",
            "password": "a long enough passphrase 2026",
            "password_again": "a long enough passphrase 2026",
        },
    )
    assert (created.status_code, created.url) == (302, "/sign-in/set-up/")  # the second factor comes next
    with schema_context("council_kingston"):
        practitioner = Practitioner.objects.select_related("user", "agency").get(user__email=ADMIN)
        assert practitioner.is_council_admin
        assert practitioner.verified_at is not None
        assert practitioner.agency.name == "Kingston City Council"
    assert site.get("/").url.startswith("/sign-in/")  # not signed in until the second factor is set up
    assert site.get(path).status_code == 404  # the link worked once
