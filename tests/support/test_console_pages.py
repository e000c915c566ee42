"""The operator's side in the console: asking a council for access, and the granted pages under their banner.

A granted page shows the council's accounts, agencies or set-up (never a client), says on a banner whose grant it
is under, and is recorded in the council's audit (with the operator's name, email and reason) and the platform's.
"""

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from core.accounts.models import User
from core.audit.models import AuditAction, AuditOutcome
from core.directory.models import Practitioner
from core.inbox.models import Notice
from core.notifications.models import Notification
from support.models import SupportGrant, SupportScope, SupportStatus
from tenants.models import Council
from tests.factories import ClientFactory, PractitionerFactory
from tests.support.conftest import REASON, asked, council_audit, granted, platform_audit

pytestmark = pytest.mark.platform_side


def _ask(console: Client, council: Council, **values: object) -> object:
    data = {"reason": REASON, "scopes": ["agencies"], "hours": "1"} | values
    return console.post(f"/console/councils/{council.slug}/support/", data)


def test_an_operator_asks_and_the_councils_administrators_are_told(
    console: Client, operator: User, council_a: Council, admin_a: Practitioner
) -> None:
    response = _ask(console, council_a, scopes=["agencies", "people"], hours="4")

    assert response.status_code == 302
    grant = SupportGrant.objects.get(council=council_a, operator_id=operator.pk)
    assert grant.status == SupportStatus.REQUESTED
    assert grant.scopes_requested == ["people", "agencies"]
    assert (grant.hours_requested, grant.reason, grant.operator_email) == (4, REASON, "olive@patchwork.example")
    [row] = council_audit(council_a)
    assert row.action == AuditAction.SUPPORT_REQUESTED
    assert row.council == council_a.schema_name
    assert row.reason == REASON
    assert row.actor_id == operator.pk
    assert row.changes["operator"] == {"id": str(operator.pk), "name": "Olive Okafor", "email": operator.email}
    [platform_row] = platform_audit()
    assert (platform_row.action, platform_row.council) == (AuditAction.SUPPORT_REQUESTED, "public")
    with schema_context(council_a.schema_name):
        [notice] = Notice.objects.filter(recipient=admin_a.user)
        assert notice.link == "/administration/support/"
        assert "Olive Okafor" in notice.text
        assert REASON in notice.text
        [email] = Notification.objects.filter(to=admin_a.user.email)  # sent by the outbox once committed
        assert email.subject == "Patchwork support asks for access"
        assert "http://alpha.localhost" in email.body
        assert "/administration/support/" in email.body
    page = console.get(f"/console/councils/{council_a.slug}/support/").content.decode()
    assert "Waiting for the council" in page
    assert REASON in page


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"reason": "  "}, "Enter why you need access"),
        ({"reason": "x" * 301}, "The reason must be 300 characters or fewer"),
        ({"scopes": []}, "Select at least one page"),
        ({"scopes": ["clients"]}, "Select only pages from the list"),
        ({"hours": "0"}, "Enter a number of hours from 1 to 72"),
        ({"hours": "73"}, "Enter a number of hours from 1 to 72"),
        ({"hours": "two"}, "Enter the number of hours as a whole number"),
        ({"hours": ""}, "Enter the number of hours, from 1 to 72"),
    ],
)
def test_a_request_with_a_problem_is_shown_again_and_nothing_is_asked(
    values: dict[str, object], message: str, console: Client, council_a: Council
) -> None:
    response = _ask(console, council_a, **values)

    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert message in body
    assert "<title>Error: " in body
    if "reason" not in values:
        assert REASON in body  # what was typed is kept
    assert not SupportGrant.objects.filter(council=council_a).exists()
    assert council_audit(council_a) == []


def test_asking_twice_while_the_first_waits_is_refused(console: Client, operator: User, council_a: Council) -> None:
    asked(council_a, operator, scopes=["people"])
    before = council_audit(council_a)

    response = _ask(console, council_a)

    assert response.status_code == 409
    assert "still waiting for an answer" in response.content.decode()
    assert SupportGrant.objects.filter(council=council_a).count() == 1
    assert council_audit(council_a) == before


@pytest.mark.parametrize("scope", [SupportScope.PEOPLE, SupportScope.AGENCIES, SupportScope.SETTINGS])
def test_a_granted_page_shows_the_banner_and_is_recorded_in_both_audits(
    scope: str,
    console: Client,
    operator: User,
    council_a: Council,
    admin_a: Practitioner,
    django_assert_max_num_queries: object,
) -> None:
    with schema_context(council_a.schema_name):
        child = ClientFactory(first_name="Tilly", surname="Childrecord")
    grant = granted(council_a, operator, admin_a, scopes=[scope], hours=2)

    # The grant, the page's reads in the council's schema, a row in each audit: a fixed handful per page.
    with django_assert_max_num_queries({"people": 12, "agencies": 11, "settings": 19}[scope]):  # type: ignore[operator]
        response = console.get(f"/console/councils/{council_a.slug}/support/{scope}/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-notification-banner" in body
    assert f"Support access to {council_a.name} — granted by Helen Bradbury until" in body
    assert f"Everything you see here is recorded in {council_a.name}'s audit." in body
    assert child.surname not in body
    expected = {
        SupportScope.PEOPLE: [admin_a.user.email, "Council administrator", "Not set up"],
        SupportScope.AGENCIES: ["Alpha District Council Family Hub", "Alpha District Council Youth Service"],
        SupportScope.SETTINGS: ["Set-up checklist", "Record the data-sharing agreement", "Retention"],
    }[scope]
    for text in expected:
        assert text in body, text
    viewed = council_audit(council_a, action=AuditAction.SUPPORT_PAGE_VIEWED)
    assert len(viewed) == 1
    assert viewed[0].outcome == AuditOutcome.SUCCESS
    assert viewed[0].object_id == str(grant.pk)
    assert viewed[0].actor_id == operator.pk
    assert viewed[0].reason == REASON
    assert viewed[0].changes["support"]["page"] == scope
    assert viewed[0].changes["operator"]["email"] == operator.email
    assert len(platform_audit(action=AuditAction.SUPPORT_PAGE_VIEWED, outcome=AuditOutcome.SUCCESS)) == 1


def test_the_accounts_page_costs_the_same_queries_however_many_accounts(
    console: Client, operator: User, council_a: Council, admin_a: Practitioner
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    granted(council_a, operator, admin_a, scopes=["people"])
    path = f"/console/councils/{council_a.slug}/support/people/"
    with CaptureQueriesContext(connection) as few:
        console.get(path)
    with schema_context(council_a.schema_name):
        for number in range(60):
            PractitionerFactory(agency=admin_a.agency, user__email=f"p{number}@alpha.example")
    with CaptureQueriesContext(connection) as many:
        response = console.get(path)
    assert len(many.captured_queries) == len(few.captured_queries)
    body = response.content.decode()
    assert "62 accounts, page 1 of 2" in body
    assert console.get(f"{path}?page=2").status_code == 200


def test_the_operator_gives_up_open_access_and_the_page_closes(
    console: Client, operator: User, council_a: Council, admin_a: Practitioner
) -> None:
    grant = granted(council_a, operator, admin_a, scopes=["agencies"])

    response = console.post(f"/console/councils/{council_a.slug}/support/withdraw/", {"grant": str(grant.pk)})

    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.status == SupportStatus.WITHDRAWN
    assert grant.ended_at is not None
    assert console.get(f"/console/councils/{council_a.slug}/support/agencies/").status_code == 404
    assert council_audit(council_a)[-1].action == AuditAction.SUPPORT_ENDED


def test_withdrawing_another_operators_or_another_councils_request_is_not_found(
    console: Client, other_operator: User, operator: User, council_a: Council, council_b: Council
) -> None:
    theirs = asked(council_a, other_operator, scopes=["agencies"])
    mine_at_b = asked(council_b, operator, scopes=["agencies"])

    for grant_id in (theirs.pk, mine_at_b.pk, "not-an-id"):
        response = console.post(f"/console/councils/{council_a.slug}/support/withdraw/", {"grant": str(grant_id)})
        assert response.status_code == 404

    assert SupportGrant.objects.filter(status=SupportStatus.REQUESTED).count() == 2
