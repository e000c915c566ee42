"""Undelivered email in the console: every council's dead letters (never a body) and "Retry", for staff only.

Retrying hands the row to the dispatcher, which under the test settings runs in this process and sends to the
test outbox: nothing here is faked.
"""

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from console.services.deliveries import undelivered_emails
from core.accounts.models import User
from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.notifications.models import DeliveryState, Notification
from core.notifications.services.delivery import UNDELIVERED_LINK_BODY
from tenants.models import Council, CouncilStatus
from tests.conftest import host_of, sign_in
from tests.factories import PractitionerFactory, UserFactory

pytestmark = pytest.mark.platform_side

LIST = "/console/deliveries/"


@pytest.fixture
def operator(db: None) -> User:
    return UserFactory(email="ops@patchwork.example", is_staff=True)


@pytest.fixture
def console(platform_client: Client, operator: User) -> Client:
    sign_in(platform_client, operator)
    return platform_client


def _dead(schema: str, *, to: str, subject: str = "A change in one of your teams", secret: bool = False) -> int:
    with schema_context(schema):
        return Notification.objects.create(
            to=to,
            subject=subject,
            body=UNDELIVERED_LINK_BODY if secret else "Body text that stays out of the console",
            holds_secret=secret,
            state=DeliveryState.DEAD,
            attempts=8,
            last_error="ConnectionError",
            dead_at=timezone.now(),
        ).pk


def _row(schema: str, pk: int) -> Notification:
    with schema_context(schema):
        return Notification.objects.get(pk=pk)


def _reads(captured: CaptureQueriesContext) -> int:
    """Queries, not counting the connection's ``SET search_path`` (the test moved between schemas before)."""
    return sum(1 for query in captured.captured_queries if not query["sql"].startswith("SET search_path"))


def _retried_events() -> list[AuditEvent]:
    """Retries of this module's emails (the delivery fault tests commit one of their own council's)."""
    with schema_context("public"):
        events = AuditEvent.objects.filter(
            action=AuditAction.DELIVERY_RETRIED, object_id__regex=r"^(alpha|beta|platform)/"
        )
        return list(events)


def test_staff_see_every_councils_undelivered_email_without_its_body(
    console: Client, council_a: Council, council_b: Council
) -> None:
    _dead(council_a.schema_name, to="sam@alpha.example")
    _dead(council_b.schema_name, to="kim@beta.example", subject="Invited", secret=True)
    _dead("public", to="buyer@council.example", subject="Your Patchwork order PW-1")
    with schema_context(council_a.schema_name):
        Notification.objects.create(to="sent@alpha.example", subject="Sent", body="B", state=DeliveryState.SENT)

    page = console.get(LIST).content.decode()

    assert "3 undelivered emails" in page
    for text in ("Alpha District Council", "sam@alpha.example", "City of Beta", "kim@beta.example", "Platform"):
        assert text in page
    assert "buyer@council.example" in page
    assert "ConnectionError" in page
    assert "sent@alpha.example" not in page
    assert "Body text that stays out of the console" not in page
    assert "Its link was not kept: issue a new link" in page  # the invitation: no Retry button
    assert page.count(">Retry<") == 2
    assert 'href="/console/deliveries/"' in page  # the console's menu links to it


@pytest.mark.database_owner
def test_the_list_costs_the_same_queries_however_many_councils_and_emails(console: Client, council_a: Council) -> None:
    _dead(council_a.schema_name, to="one@alpha.example")
    with CaptureQueriesContext(connection) as few:
        assert len(undelivered_emails().emails) == 1
    # A third council with an outbox of its own, and more dead letters everywhere.
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA council_gamma")
        cursor.execute(
            "CREATE TABLE council_gamma.notifications_notification "
            "(LIKE council_alpha.notifications_notification INCLUDING ALL)"
        )
    Council.objects.create(
        schema_name="council_gamma",
        name="Gamma Borough",
        slug="gamma",
        jurisdiction="england",
        data_region="eu-west-2",
        locale="en-gb",
        time_zone="Europe/London",
        status=CouncilStatus.LIVE,
    )
    for number in range(5):
        _dead("council_gamma", to=f"g{number}@gamma.example")
        _dead(council_a.schema_name, to=f"a{number}@alpha.example")
    with CaptureQueriesContext(connection) as many:
        listed = undelivered_emails()
    assert listed.total == 11
    assert {email.council_name for email in listed.emails} == {"Alpha District Council", "Gamma Borough"}
    assert _reads(many) == _reads(few) == 3  # the councils, which of them have an outbox, and one UNION ALL


def test_the_list_is_bounded(console: Client, council_a: Council) -> None:
    for number in range(4):
        _dead(council_a.schema_name, to=f"n{number}@alpha.example")
    listed = undelivered_emails(limit=3)
    assert (len(listed.emails), listed.total) == (3, 4)


def test_retry_puts_the_email_back_sends_it_once_and_is_audited(
    console: Client, council_a: Council, operator: User, django_capture_on_commit_callbacks: object
) -> None:
    pk = _dead(council_a.schema_name, to="sam@alpha.example")

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = console.post(f"/console/deliveries/councils/alpha/{pk}/retry/")

    assert response.status_code == 302
    assert response.url == LIST
    row = _row(council_a.schema_name, pk)
    assert (row.state, row.attempts, row.dead_at, row.last_error) == (DeliveryState.SENT, 1, None, "")
    assert [message.to for message in mail.outbox] == [["sam@alpha.example"]]
    [event] = _retried_events()
    assert (event.actor_id, event.outcome, event.object_id, event.council) == (
        operator.pk,
        AuditOutcome.SUCCESS,
        f"alpha/{pk}",
        "public",
    )
    assert "The email is being sent again." in console.get(LIST).content.decode()
    assert console.post(f"/console/deliveries/councils/alpha/{pk}/retry/").status_code == 404  # not dead now


def test_the_platforms_own_email_is_retried_too(console: Client, django_capture_on_commit_callbacks: object) -> None:
    pk = _dead("public", to="buyer@council.example", subject="Your Patchwork order PW-1")
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        assert console.post(f"/console/deliveries/platform/{pk}/retry/").status_code == 302
    assert _row("public", pk).state == DeliveryState.SENT
    assert [message.to for message in mail.outbox] == [["buyer@council.example"]]


def test_an_email_whose_link_was_not_kept_cannot_be_retried(console: Client, council_a: Council) -> None:
    pk = _dead(council_a.schema_name, to="new@alpha.example", subject="Invited", secret=True)

    response = console.post(f"/console/deliveries/councils/alpha/{pk}/retry/")

    assert response.status_code == 409
    assert "Issue a new link" in response.content.decode()
    assert _row(council_a.schema_name, pk).state == DeliveryState.DEAD
    assert mail.outbox == []
    assert _retried_events() == []


def test_a_suspended_councils_email_is_not_retried(console: Client, council_a: Council) -> None:
    pk = _dead(council_a.schema_name, to="sam@alpha.example")
    Council.objects.filter(pk=council_a.pk).update(status=CouncilStatus.SUSPENDED)
    response = console.post(f"/console/deliveries/councils/alpha/{pk}/retry/")
    assert response.status_code == 409
    assert _row(council_a.schema_name, pk).state == DeliveryState.DEAD


@pytest.fixture
def beta_dead(council_b: Council) -> int:
    return _dead(council_b.schema_name, to="kim@beta.example")


def test_another_councils_id_unknown_councils_and_malformed_requests_change_nothing(
    console: Client, council_a: Council, council_b: Council, beta_dead: int
) -> None:
    assert console.post(f"/console/deliveries/councils/alpha/{beta_dead}/retry/").status_code == 404
    assert console.post(f"/console/deliveries/councils/nowhere/{beta_dead}/retry/").status_code == 404
    assert console.post(f"/console/deliveries/platform/{beta_dead}/retry/").status_code == 404
    assert console.post("/console/deliveries/councils/beta/not-a-number/retry/").status_code == 404
    assert console.get(f"/console/deliveries/councils/beta/{beta_dead}/retry/").status_code == 405
    csrf_checked = Client(HTTP_HOST="localhost", enforce_csrf_checks=True)
    csrf_checked.cookies = console.cookies
    assert csrf_checked.post(f"/console/deliveries/councils/beta/{beta_dead}/retry/").status_code == 403
    assert _row(council_b.schema_name, beta_dead).state == DeliveryState.DEAD
    assert mail.outbox == []
    assert _retried_events() == []


def test_only_platform_staff_on_the_platform_host_see_or_retry(
    platform_client: Client, council_a: Council, client_a: Client
) -> None:
    pk = _dead(council_a.schema_name, to="sam@alpha.example")
    retry = f"/console/deliveries/councils/alpha/{pk}/retry/"
    sign_in(platform_client, UserFactory(email="not-staff@patchwork.example", is_staff=False))
    assert platform_client.get(LIST).status_code == 403
    assert platform_client.post(retry).status_code == 403

    with schema_context(council_a.schema_name):
        practitioner = PractitionerFactory(user__is_staff=True)  # "staff" of the council: nothing on the platform
    sign_in(client_a, practitioner.user, council_a)
    assert client_a.get(LIST).status_code == 404  # the console is not on a council's host
    assert client_a.post(retry).status_code == 404
    assert Client(HTTP_HOST=host_of(council_a)).post(retry).status_code in (302, 404)

    assert Client(HTTP_HOST="localhost").post(retry).status_code == 302  # not signed in: to sign in
    assert _row(council_a.schema_name, pk).state == DeliveryState.DEAD
    assert _retried_events() == []
