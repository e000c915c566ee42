"""The audit trail: sign-ins, failures and denials recorded with who, where and when (SECURITY.md AUD-1),
and a table the database itself keeps append-only (AUD-2)."""

import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.audit.services.events import audit_record
from tenants.models import Council
from tests.conftest import host_of, sign_in
from tests.core.accounts.helpers import audit_events, password_step
from tests.factories import PractitionerFactory, UserFactory

USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AuditTest/1.0"
UTC = datetime.UTC


@pytest.fixture
def browser_a(council_a: Council) -> Client:
    return Client(HTTP_HOST=host_of(council_a), HTTP_USER_AGENT=USER_AGENT)


@pytest.fixture
def person(council_a: Council):
    with schema_context(council_a.schema_name):
        return PractitionerFactory(user__email="lou@agency.example").user


def assert_where_and_when(event: AuditEvent, *, council: str, path: str) -> None:
    assert event.council == council
    assert event.ip_address == "127.0.0.1"
    assert event.user_agent == USER_AGENT
    assert event.path == path
    assert event.occurred_at.utcoffset() == datetime.timedelta(0)
    assert abs(event.occurred_at - timezone.now()) < datetime.timedelta(minutes=10)


# --- What is recorded (AUD-1) --------------------------------------------------------------------


@pytest.mark.council_side
def test_a_sign_in_leaves_a_row_with_who_where_and_when(browser_a: Client, council_a: Council, person) -> None:
    sign_in(browser_a, person, council_a)
    [event] = audit_events(council_a, action=AuditAction.SIGN_IN)
    assert event.actor_id == person.pk
    assert event.outcome == AuditOutcome.SUCCESS
    assert event.object_type == "device"
    assert_where_and_when(event, council=council_a.schema_name, path="/sign-in/code/")


@pytest.mark.council_side
def test_a_wrong_password_leaves_a_failure_row_naming_the_account(
    browser_a: Client, council_a: Council, person
) -> None:
    browser_a.post("/sign-in/?next=/team/%3Fq%3Dsecret", {"email": person.email, "password": "wrong-password-here"})
    [event] = audit_events(council_a, action=AuditAction.SIGN_IN_FAILED)
    assert event.actor_id == person.pk
    assert event.outcome == AuditOutcome.FAILURE
    assert_where_and_when(event, council=council_a.schema_name, path="/sign-in/")
    assert "secret" not in event.path
    assert "wrong-password-here" not in f"{event.reason}{event.object_id}{event.path}"


@pytest.mark.council_side
def test_an_unknown_email_leaves_a_failure_row_without_the_email(browser_a: Client, council_a: Council) -> None:
    browser_a.post("/sign-in/", {"email": "ghost@agency.example", "password": "whatever-it-is"})
    [event] = audit_events(council_a, action=AuditAction.SIGN_IN_FAILED)
    assert event.actor_id is None
    assert_where_and_when(event, council=council_a.schema_name, path="/sign-in/")
    assert "ghost" not in f"{event.reason}{event.object_id}"


@pytest.mark.council_side
def test_a_refused_page_leaves_a_denied_row_without_the_query_string(browser_a: Client, council_a: Council) -> None:
    response = browser_a.get("/team/?email=child%40example.org&name=Secret")
    assert response.status_code == 302
    [event] = audit_events(council_a, action=AuditAction.ACCESS_DENIED)
    assert event.outcome == AuditOutcome.DENIED
    assert event.actor_id is None
    assert_where_and_when(event, council=council_a.schema_name, path="/team/")


@pytest.mark.council_side
def test_a_practitioner_refused_a_manager_page_leaves_a_denied_row_naming_them(
    browser_a: Client, council_a: Council, person
) -> None:
    sign_in(browser_a, person, council_a)
    assert browser_a.get("/team/?page=2").status_code == 403
    [event] = audit_events(council_a, action=AuditAction.ACCESS_DENIED)
    assert event.actor_id == person.pk
    assert_where_and_when(event, council=council_a.schema_name, path="/team/")


# --- Whose address: behind the load balancer, the client's, not the balancer's (AUD-1) ------------------

BALANCER = "10.0.1.17"  # what REMOTE_ADDR is behind the load balancer


@pytest.mark.council_side
@pytest.mark.parametrize(
    ("hops", "forwarded_for", "recorded"),
    [
        (1, "203.0.113.9", "203.0.113.9"),  # the balancer appended the address it was reached from
        (1, "198.51.100.66, 203.0.113.9", "203.0.113.9"),  # the left entry was written by the client: ignored
        (2, "198.51.100.66, 203.0.113.9, 192.0.2.40", "203.0.113.9"),  # a CDN in front of the balancer
        (1, "", BALANCER),  # not through the proxy at all
        (2, "203.0.113.9", BALANCER),  # fewer entries than trusted proxies: nothing in it can be believed
        (1, "not-an-address", None),
        (0, "198.51.100.66", BALANCER),  # no proxy trusted (a developer's machine): the header is ignored
    ],
)
def test_the_address_recorded_is_the_one_the_outermost_trusted_proxy_saw(
    council_a: Council, person, settings: object, hops: int, forwarded_for: str, recorded: str | None
) -> None:
    settings.TRUSTED_PROXY_HOPS = hops  # type: ignore[attr-defined]
    browser = Client(
        HTTP_HOST=host_of(council_a),
        HTTP_USER_AGENT=USER_AGENT,
        REMOTE_ADDR=BALANCER,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )
    password_step(browser, person.email, "wrong-password-here")
    [event] = audit_events(council_a, action=AuditAction.SIGN_IN_FAILED, actor_id=person.pk)
    assert event.ip_address == recorded


@pytest.mark.council_side
def test_a_council_a_event_is_not_written_to_council_b(
    browser_a: Client, council_a: Council, council_b: Council
) -> None:
    browser_a.post("/sign-in/", {"email": "ghost@agency.example", "password": "whatever-it-is"})
    assert audit_events(council_a, action=AuditAction.SIGN_IN_FAILED)
    assert not audit_events(council_b, action=AuditAction.SIGN_IN_FAILED)
    assert not audit_events(None, action=AuditAction.SIGN_IN_FAILED)


@pytest.mark.platform_side
def test_platform_sign_in_and_failure_are_recorded_in_public(db: None) -> None:
    browser = Client(HTTP_HOST="localhost", HTTP_USER_AGENT=USER_AGENT)
    staff = UserFactory(email="ops-audit@patchwork.example", is_staff=True)
    password_step(browser, staff.email, "not-the-password")
    sign_in(browser, staff)
    [failed] = audit_events(None, action=AuditAction.SIGN_IN_FAILED)
    [signed_in] = audit_events(None, action=AuditAction.SIGN_IN)
    assert failed.actor_id == signed_in.actor_id == staff.pk
    assert_where_and_when(failed, council="public", path="/sign-in/")
    assert_where_and_when(signed_in, council="public", path="/sign-in/code/")


# --- Append-only (AUD-2) ------------------------------------------------------------------------
# The trigger holds even for the owner role, which these tests run as; the application role is
# refused before the trigger by its privileges (tests/tenants/test_database_roles.py).


@pytest.fixture(params=["council", "public"])
def schema(request: pytest.FixtureRequest, council_a: Council) -> str:
    return council_a.schema_name if request.param == "council" else "public"


def write_event(schema: str) -> AuditEvent:
    with schema_context(schema):
        return audit_record(action=AuditAction.SIGN_IN, outcome=AuditOutcome.SUCCESS, reason="original")


def assert_refused(schema: str, change) -> None:
    with schema_context(schema), pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        change()


def assert_untouched(schema: str, event: AuditEvent) -> None:
    with schema_context(schema):
        stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.reason == "original"
    assert stored.outcome == AuditOutcome.SUCCESS


@pytest.mark.database_owner
def test_audit_rows_cannot_be_updated(schema: str) -> None:
    event = write_event(schema)
    assert_refused(schema, lambda: AuditEvent.objects.filter(pk=event.pk).update(outcome=AuditOutcome.FAILURE))
    assert_refused(schema, lambda: AuditEvent.objects.all().update(reason="rewritten"))

    def save_changed() -> None:
        event.reason = "rewritten"
        event.save()

    assert_refused(schema, save_changed)
    assert_untouched(schema, event)


@pytest.mark.database_owner
def test_audit_rows_cannot_be_deleted(schema: str) -> None:
    event = write_event(schema)
    assert_refused(schema, lambda: AuditEvent.objects.filter(pk=event.pk).delete())
    assert_refused(schema, lambda: AuditEvent.objects.all().delete())
    assert_refused(schema, lambda: AuditEvent.objects.get(pk=event.pk).delete())
    assert_untouched(schema, event)


@pytest.mark.database_owner
def test_audit_table_cannot_be_truncated(schema: str) -> None:
    event = write_event(schema)

    def truncate() -> None:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE audit_auditevent")

    assert_refused(schema, truncate)
    assert_untouched(schema, event)


def test_audit_rows_can_still_be_added(schema: str) -> None:
    with schema_context(schema):
        before = AuditEvent.objects.count()
    write_event(schema)
    with schema_context(schema):
        assert AuditEvent.objects.count() == before + 1
