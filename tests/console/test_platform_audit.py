"""The platform audit in the console: every operator action in the platform's trail, newest first, a page at a time,
filtered by action and by operator, each with who did it; for platform staff only, and never a council's trail."""

import datetime
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from core.accounts.models import User
from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from tenants.models import Council
from tests.conftest import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.platform_side

AUDIT = "/console/audit/"
WHEN = datetime.datetime(2026, 5, 4, 13, 15, 9, tzinfo=datetime.UTC)


@pytest.fixture
def operator(db: None) -> User:
    return UserFactory(email="ops@patchwork.example", first_name="Olu", last_name="Adeyemi", is_staff=True)


@pytest.fixture
def colleague(db: None) -> User:
    return UserFactory(email="sam@patchwork.example", first_name="Sam", last_name="Okafor", is_staff=True)


@pytest.fixture
def console(platform_client: Client, operator: User) -> Client:
    sign_in(platform_client, operator)
    return platform_client


def _event(actor: User | None, action: str, *, minutes: int = 0, **fields: object) -> AuditEvent:
    with schema_context("public"):
        return AuditEvent.objects.create(
            occurred_at=WHEN + datetime.timedelta(minutes=minutes),
            actor_id=actor.pk if actor else None,
            council="public",
            action=action,
            outcome=fields.pop("outcome", AuditOutcome.SUCCESS),
            **fields,
        )


def _rows(page: str) -> str:
    """The audit table's body only (the filter's choices name actions too)."""
    return page.split('id="platform-audit"', 1)[1].split("</table>", 1)[0]


def test_a_non_staff_user_is_refused(platform_client: Client) -> None:
    sign_in(platform_client, UserFactory(email="someone@patchwork.example", is_staff=False))
    assert platform_client.get(AUDIT).status_code == 403


def test_the_audit_does_not_exist_at_a_councils_host(client_a: Client) -> None:
    assert client_a.get(AUDIT).status_code == 404


def test_each_action_shows_when_who_what_outcome_object_reason_and_address(
    console: Client, colleague: User, council_a: Council
) -> None:
    _event(
        colleague,
        AuditAction.COUNCIL_STATUS_CHANGED,
        object_type="council",
        object_id="alpha",
        reason="Contract ended by the council",
        ip_address="203.0.113.7",
    )
    response = console.get(AUDIT)
    assert response.status_code == 200
    rows = _rows(response.content.decode())
    assert "4 May 2026, 13:15:09" in rows
    assert "Sam Okafor" in rows
    assert "sam@patchwork.example" in rows
    assert "Changed a council&#x27;s status" in rows
    assert "Success" in rows
    assert "council: <code>alpha</code>" in rows
    assert "Contract ended by the council" in rows
    assert "203.0.113.7" in rows


def test_newest_first_and_a_councils_own_trail_is_not_in_it(
    console: Client, operator: User, council_a: Council
) -> None:
    _event(operator, AuditAction.ORDER_APPROVED, minutes=0, object_id="ORDER-OLDER")
    _event(operator, AuditAction.ORDER_REJECTED, minutes=5, object_id="ORDER-NEWER")
    with schema_context(council_a.schema_name):
        AuditEvent.objects.create(
            council=council_a.schema_name,
            action=AuditAction.CLIENT_VIEWED,
            outcome=AuditOutcome.SUCCESS,
            object_id="COUNCIL-ONLY",
        )
    rows = _rows(console.get(AUDIT).content.decode())
    assert rows.index("ORDER-NEWER") < rows.index("ORDER-OLDER")
    assert "COUNCIL-ONLY" not in rows


def test_filtering_by_action_and_by_operator(console: Client, operator: User, colleague: User) -> None:
    _event(operator, AuditAction.ORDER_APPROVED, object_id="MINE-APPROVED")
    _event(colleague, AuditAction.ORDER_APPROVED, object_id="THEIRS-APPROVED")
    _event(colleague, AuditAction.PROVISIONING_RETRIED, object_id="THEIRS-RETRIED")

    by_action = _rows(console.get(AUDIT, {"action": AuditAction.ORDER_APPROVED}).content.decode())
    assert "MINE-APPROVED" in by_action
    assert "THEIRS-APPROVED" in by_action
    assert "THEIRS-RETRIED" not in by_action

    by_operator = _rows(console.get(AUDIT, {"operator": str(colleague.pk)}).content.decode())
    assert "THEIRS-APPROVED" in by_operator
    assert "THEIRS-RETRIED" in by_operator
    assert "MINE-APPROVED" not in by_operator

    both = console.get(AUDIT, {"operator": str(colleague.pk), "action": AuditAction.PROVISIONING_RETRIED})
    page = both.content.decode()
    assert "THEIRS-RETRIED" in _rows(page)
    assert "THEIRS-APPROVED" not in _rows(page)
    assert "1 event matching the filters" in page
    assert f'<option value="{colleague.pk}" selected>' in page  # the filters are shown as chosen


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"action": "drop_table"}, "Choose an action from the list"),
        ({"operator": "not-a-uuid"}, "Choose an operator from the list"),
        ({"operator": str(uuid.uuid4())}, "Choose an operator from the list"),
    ],
)
def test_a_malformed_filter_is_an_error_on_the_form_and_the_list_is_unfiltered(
    console: Client, operator: User, query: dict[str, str], message: str
) -> None:
    _event(operator, AuditAction.ORDER_APPROVED, object_id="STILL-LISTED")
    response = console.get(AUDIT, query)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert "<title>Error: Platform audit" in page
    assert "STILL-LISTED" in _rows(page)


def test_the_trail_is_paged_and_the_filters_carry_to_the_next_page(console: Client, operator: User) -> None:
    for minute in range(55):
        _event(operator, AuditAction.BACKUP_CODES_ISSUED, minutes=minute, object_id=f"EVENT-{minute:02d}")
    first = console.get(AUDIT, {"action": AuditAction.BACKUP_CODES_ISSUED}).content.decode()
    assert "EVENT-54" in first
    assert "EVENT-04" not in first
    assert "page 1 of 2" in first
    assert f'href="?action={AuditAction.BACKUP_CODES_ISSUED}&amp;page=2"' in first, "the filter carries to page 2"
    second = console.get(AUDIT, {"action": AuditAction.BACKUP_CODES_ISSUED, "page": "2"}).content.decode()
    assert "EVENT-04" in _rows(second)
    assert "EVENT-54" not in _rows(second)
    assert console.get(AUDIT, {"page": "not-a-number"}).status_code == 200


def test_an_account_that_is_gone_and_the_platform_itself_are_named_as_such(console: Client) -> None:
    with schema_context("public"):
        AuditEvent.objects.create(
            actor_id=uuid.uuid4(), council="public", action=AuditAction.ORDER_APPROVED, outcome="success"
        )
        AuditEvent.objects.create(council="public", action=AuditAction.ORDER_PLACED, outcome="success")
    rows = _rows(console.get(AUDIT).content.decode())
    assert "Not a platform account: a council's, or one since removed" in rows
    assert "The platform" in rows


def _reads(console: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert console.get(AUDIT).status_code == 200
    return sum(1 for query in captured.captured_queries if not query["sql"].startswith("SET search_path"))


def test_the_operators_are_resolved_in_one_query_however_many(
    console: Client, operator: User, django_assert_max_num_queries: object
) -> None:
    _event(operator, AuditAction.ORDER_APPROVED)
    few = _reads(console)
    for index in range(20):
        _event(UserFactory(email=f"staff{index}@patchwork.example", is_staff=True), AuditAction.ORDER_REJECTED)
    assert _reads(console) == few
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        console.get(AUDIT)
