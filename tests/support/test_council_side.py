"""The council's side (its site, /administration/support/): its administrators answer requests, end access and
read what platform staff saw. From the attacker's side too: someone who is not an administrator is refused (403),
another council's administrator reaching this council's request by its id finds nothing (404), and a form with a
problem changes nothing and is shown again with its values."""

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from core.accounts.models import User
from core.audit.models import AuditAction, AuditEvent
from core.audit.origin import NO_ORIGIN
from core.directory.models import Practitioner
from support.models import SupportGrant, SupportStatus
from tenants.models import Council
from tests.conftest import sign_in
from tests.factories import PractitionerFactory
from tests.support.conftest import REASON, asked, council_audit, granted

pytestmark = pytest.mark.council_side

PAGE = "/administration/support/"


def _state(grant: SupportGrant) -> tuple[object, ...]:
    grant.refresh_from_db()
    return (grant.status, grant.scopes_granted, grant.ends_at, grant.refusal_reason, grant.ended_at)


def test_an_administrator_sees_a_waiting_request_and_grants_some_of_its_pages(
    admin_client_a: Client, operator: User, council_a: Council, admin_a: Practitioner
) -> None:
    grant = asked(council_a, operator, scopes=["people", "agencies"], hours=8)

    page = admin_client_a.get(PAGE).content.decode()
    assert "Olive Okafor asks for access" in page
    assert REASON in page
    assert "olive@patchwork.example" in page
    assert "The accounts and agencies pages" in page
    assert "8 hours" in page

    response = admin_client_a.post(
        "/administration/support/grant/", {"grant": str(grant.pk), "scopes": ["agencies"], "hours": "2"}
    )

    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.status == SupportStatus.GRANTED
    assert grant.scopes_granted == ["agencies"]
    assert grant.decided_by_id == admin_a.user_id
    assert grant.decided_by_name == "Helen Bradbury"
    assert grant.ends_at is not None
    assert grant.decided_at is not None
    assert round((grant.ends_at - grant.decided_at).total_seconds()) == 2 * 3600
    granted_row = council_audit(council_a, action=AuditAction.SUPPORT_GRANTED)[0]
    assert granted_row.actor_id == admin_a.user_id
    assert granted_row.reason == REASON
    assert granted_row.changes["administrator"] == {"name": "Helen Bradbury"}
    assert granted_row.changes["operator"]["email"] == "olive@patchwork.example"
    after = admin_client_a.get(PAGE).content.decode()
    assert "Olive Okafor can see the agencies page until" in after
    assert "End now" in after
    assert "No requests are waiting." in after


def test_the_administrator_refuses_with_a_reason_and_ends_open_access(
    admin_client_a: Client, operator: User, other_operator: User, council_a: Council, admin_a: Practitioner
) -> None:
    waiting = asked(council_a, operator, scopes=["settings"])
    open_grant = granted(council_a, other_operator, admin_a, scopes=["people"])

    refused = admin_client_a.post(
        "/administration/support/refuse/", {"grant": str(waiting.pk), "reason": "Ask again next week"}
    )
    ended = admin_client_a.post("/administration/support/end/", {"grant": str(open_grant.pk)})

    assert refused.status_code == ended.status_code == 302
    assert _state(waiting)[0] == SupportStatus.REFUSED
    assert waiting.refusal_reason == "Ask again next week"
    assert _state(open_grant)[0] == SupportStatus.ENDED
    assert open_grant.ended_by_id == admin_a.user_id
    actions = [row.action for row in council_audit(council_a)]
    assert actions[-2:] == [AuditAction.SUPPORT_REFUSED, AuditAction.SUPPORT_ENDED]
    page = admin_client_a.get(PAGE).content.decode()
    assert "Ask again next week" in page
    assert "Ended by the council" in page


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"scopes": []}, "Select at least one page"),
        ({"scopes": ["settings"]}, "Select only pages from the list"),  # not one asked for
        ({"scopes": ["clients"]}, "Select only pages from the list"),
        ({"hours": "0"}, "Enter a number of hours from 1 to 72"),
        ({"hours": "100"}, "Enter a number of hours from 1 to 72"),
        ({"hours": "1.5"}, "Enter the number of hours as a whole number"),
        ({"hours": "ten"}, "Enter the number of hours as a whole number"),
    ],
)
def test_a_grant_with_a_problem_is_shown_again_and_nothing_changes(
    values: dict[str, object], message: str, admin_client_a: Client, operator: User, council_a: Council
) -> None:
    grant = asked(council_a, operator, scopes=["people", "agencies"], hours=3)
    before = (_state(grant), council_audit(council_a))

    response = admin_client_a.post(
        "/administration/support/grant/", {"grant": str(grant.pk), "scopes": ["agencies"], "hours": "3"} | values
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "<title>Error: Support access" in body
    assert "There is a problem" in body
    assert message in body
    assert f'href="#grant-{grant.pk}-' in body  # the summary links to the field
    assert (_state(grant), council_audit(council_a)) == before


def test_a_refusal_without_a_reason_is_shown_again_and_nothing_changes(
    admin_client_a: Client, operator: User, council_a: Council
) -> None:
    grant = asked(council_a, operator, scopes=["people"])
    before = (_state(grant), council_audit(council_a))

    response = admin_client_a.post("/administration/support/refuse/", {"grant": str(grant.pk), "reason": "   "})

    assert response.status_code == 400
    assert "Enter why you are refusing access" in response.content.decode()
    assert (_state(grant), council_audit(council_a)) == before


def test_granting_twice_is_refused_and_recorded_once(
    admin_client_a: Client, operator: User, council_a: Council
) -> None:
    grant = asked(council_a, operator, scopes=["people"])
    data = {"grant": str(grant.pk), "scopes": ["people"], "hours": "1"}
    assert admin_client_a.post("/administration/support/grant/", data).status_code == 302
    first = _state(grant)

    again = admin_client_a.post("/administration/support/grant/", data | {"hours": "72"})
    refused = admin_client_a.post("/administration/support/refuse/", {"grant": str(grant.pk), "reason": "Late"})

    assert again.status_code == refused.status_code == 409
    assert "already answered" in again.content.decode()
    assert _state(grant) == first
    assert len(council_audit(council_a, action=AuditAction.SUPPORT_GRANTED)) == 1
    assert not council_audit(council_a, action=AuditAction.SUPPORT_REFUSED)


def test_ending_access_that_ran_out_is_refused(
    admin_client_a: Client, operator: User, council_a: Council, admin_a: Practitioner
) -> None:
    from tests.support.conftest import ago

    grant = granted(council_a, operator, admin_a, scopes=["people"], now=ago(hours=2))
    before = _state(grant)

    response = admin_client_a.post("/administration/support/end/", {"grant": str(grant.pk)})

    assert response.status_code == 409
    assert "is not open (ran out)" in response.content.decode()
    assert _state(grant) == before


@pytest.mark.parametrize("action", ["grant", "refuse", "end"])
def test_another_councils_administrator_cannot_decide_this_councils_request(
    action: str,
    client_b: Client,
    council_a: Council,
    council_b: Council,
    admin_a: Practitioner,
    admin_b: Practitioner,
    operator: User,
    other_operator: User,
) -> None:
    waiting = asked(council_a, operator, scopes=["people"])
    open_grant = granted(council_a, other_operator, admin_a, scopes=["people"])
    target = open_grant if action == "end" else waiting
    sign_in(client_b, admin_b.user, council_b)
    before = (_state(waiting), _state(open_grant), council_audit(council_a), council_audit(council_b))

    response = client_b.post(
        f"/administration/support/{action}/",
        {"grant": str(target.pk), "scopes": ["people"], "hours": "72", "reason": "Mine now"},
    )

    assert response.status_code == 404
    assert "Olive" not in response.content.decode()
    assert (_state(waiting), _state(open_grant), council_audit(council_a), council_audit(council_b)) == before


@pytest.mark.parametrize("grant_id", ["", "not-a-uuid", "00000000-0000-4000-8000-000000000000"])
def test_a_malformed_or_unknown_id_is_not_found(grant_id: str, admin_client_a: Client) -> None:
    for action in ("grant", "refuse", "end"):
        response = admin_client_a.post(f"/administration/support/{action}/", {"grant": grant_id, "reason": "x"})
        assert response.status_code == 404


def test_a_practitioner_who_is_not_an_administrator_is_refused(
    client_a: Client, council_a: Council, operator: User, admin_a: Practitioner
) -> None:
    grant = asked(council_a, operator, scopes=["people"])
    with schema_context(council_a.schema_name):
        manager = PractitionerFactory(
            agency=admin_a.agency, user__email="mark.jennings@alpha.example", is_agency_manager=True
        )
    sign_in(client_a, manager.user, council_a)
    before = (_state(grant), council_audit(council_a))

    responses = [
        client_a.get(PAGE),
        client_a.post("/administration/support/grant/", {"grant": str(grant.pk), "scopes": ["people"], "hours": "1"}),
        client_a.post("/administration/support/refuse/", {"grant": str(grant.pk), "reason": "No"}),
        client_a.post("/administration/support/end/", {"grant": str(grant.pk)}),
    ]

    assert [response.status_code for response in responses] == [403] * 4
    assert REASON not in responses[0].content.decode()
    assert (_state(grant), council_audit(council_a)) == before
    with schema_context(council_a.schema_name):
        assert AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED, actor_id=manager.user_id).count() == 4


def test_the_audit_lists_every_page_seen_newest_first_and_is_bounded(
    admin_client_a: Client,
    operator: User,
    council_a: Council,
    admin_a: Practitioner,
    django_assert_max_num_queries: object,
) -> None:
    from support.services.pages import support_page_view

    granted(council_a, operator, admin_a, scopes=["people", "agencies"])
    for _ in range(30):
        for scope in ("agencies", "people"):
            support_page_view(
                operator=operator, council=council_a, council_slug=council_a.slug, scope=scope, origin=NO_ORIGIN
            )

    with django_assert_max_num_queries(14):  # type: ignore[operator]
        page = admin_client_a.get(PAGE).content.decode()

    assert "The latest 50 entries, newest first" in page
    assert page.count("Viewed the accounts page") == 25
    assert page.count("Viewed the agencies page") == 25
    assert page.index("Viewed the accounts page") < page.index("Viewed the agencies page")  # the latest first
    assert "Olive Okafor (olive@patchwork.example)" in page
    assert "Granted support access" not in page  # older than the fifty shown
