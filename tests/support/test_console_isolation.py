"""SECURITY.md AZ-4 from the attacker's side: platform staff reach a council's pages only through an open grant.

For every granted page of the console (accounts, agencies, set-up), each way of not holding an open grant answers
404 with none of the council's data in it, nothing read from the council's schema, nothing written in the council's
audit, and a "denied" row in the platform's audit. Someone who is not platform staff is refused (403), and the
council's own site does not have these routes at all (404).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from core.accounts.models import User
from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import NO_ORIGIN
from core.directory.models import Practitioner
from support.models import SupportScope
from support.services.decisions import support_end, support_refuse
from support.services.requests import support_withdraw
from tenants.models import Council
from tests.conftest import host_of, sign_in
from tests.factories import UserFactory
from tests.support.conftest import asked, council_audit, granted, platform_audit

pytestmark = pytest.mark.platform_side

SCOPES = [SupportScope.PEOPLE, SupportScope.AGENCIES, SupportScope.SETTINGS]
OTHER_SCOPE = {
    SupportScope.PEOPLE: SupportScope.AGENCIES,
    SupportScope.AGENCIES: SupportScope.SETTINGS,
    SupportScope.SETTINGS: SupportScope.PEOPLE,
}


@dataclass(frozen=True)
class World:
    council_a: Council
    council_b: Council
    admin_a: Practitioner
    admin_b: Practitioner
    operator: User
    other_operator: User


def _no_grant(world: World, scope: str) -> None:
    pass


def _requested_only(world: World, scope: str) -> None:
    asked(world.council_a, world.operator, scopes=[scope])


def _refused(world: World, scope: str) -> None:
    grant = asked(world.council_a, world.operator, scopes=[scope])
    with schema_context(world.council_a.schema_name):
        support_refuse(actor=world.admin_a, grant_id=grant.pk, reason="Not this week", origin=NO_ORIGIN)


def _other_scope(world: World, scope: str) -> None:
    granted(world.council_a, world.operator, world.admin_a, scopes=[OTHER_SCOPE[scope]])


def _other_council(world: World, scope: str) -> None:
    granted(world.council_b, world.operator, world.admin_b, scopes=list(SCOPES))


def _other_operator(world: World, scope: str) -> None:
    granted(world.council_a, world.other_operator, world.admin_a, scopes=list(SCOPES))


def _run_out(world: World, scope: str) -> None:
    granted(world.council_a, world.operator, world.admin_a, scopes=[scope], now=_hours_ago(2))


def _ended(world: World, scope: str) -> None:
    grant = granted(world.council_a, world.operator, world.admin_a, scopes=[scope])
    with schema_context(world.council_a.schema_name):
        support_end(actor=world.admin_a, grant_id=grant.pk, origin=NO_ORIGIN)


def _given_up(world: World, scope: str) -> None:
    grant = granted(world.council_a, world.operator, world.admin_a, scopes=[scope])
    support_withdraw(operator=world.operator, grant=grant, origin=NO_ORIGIN)


def _hours_ago(hours: int) -> datetime.datetime:
    from django.utils import timezone

    return timezone.now() - datetime.timedelta(hours=hours)


NO_OPEN_GRANT: dict[str, Callable[[World, str], None]] = {
    "no grant": _no_grant,
    "a request not yet granted": _requested_only,
    "a refused request": _refused,
    "a grant for another page": _other_scope,
    "a grant for another council": _other_council,
    "another operator's grant": _other_operator,
    "a grant past its end": _run_out,
    "a grant ended by the council": _ended,
    "a grant the operator gave up": _given_up,
}


@pytest.fixture
def world(
    council_a: Council,
    council_b: Council,
    admin_a: Practitioner,
    admin_b: Practitioner,
    operator: User,
    other_operator: User,
) -> World:
    return World(council_a, council_b, admin_a, admin_b, operator, other_operator)


def _council_data_absent(body: str, world: World) -> None:
    for text in (
        "Family Hub",
        "Youth Service",
        world.admin_a.user.email,
        world.admin_a.user.last_name,
        "Set-up checklist",
        "Support access to",
    ):
        assert text not in body, text


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("case", list(NO_OPEN_GRANT))
def test_platform_staff_without_an_open_grant_get_not_found_and_nothing_is_read(
    case: str, scope: str, world: World, console: Client
) -> None:
    NO_OPEN_GRANT[case](world, scope)
    before_council = council_audit(world.council_a)
    before_denied = len(platform_audit(outcome=AuditOutcome.DENIED))

    with CaptureQueriesContext(connection) as queries:
        response = console.get(f"/console/councils/{world.council_a.slug}/support/{scope}/")

    assert response.status_code == 404
    _council_data_absent(response.content.decode(), world)
    assert not [query["sql"] for query in queries.captured_queries if world.council_a.schema_name in query["sql"]]
    assert council_audit(world.council_a) == before_council
    denied = platform_audit(outcome=AuditOutcome.DENIED)
    assert len(denied) == before_denied + 1
    assert denied[-1].action == AuditAction.SUPPORT_PAGE_VIEWED
    assert denied[-1].actor_id == world.operator.pk
    assert denied[-1].object_id == world.council_a.slug


@pytest.mark.parametrize("scope", SCOPES)
def test_a_grant_answers_until_its_end_and_not_one_second_after(scope: str, world: World, console: Client) -> None:
    from django.utils import timezone

    end = timezone.now() + datetime.timedelta(minutes=1)  # the clock moves a minute: the session stays signed in
    granted(world.council_a, world.operator, world.admin_a, scopes=[scope], now=end - datetime.timedelta(hours=1))
    path = f"/console/councils/{world.council_a.slug}/support/{scope}/"
    with time_machine.travel(end - datetime.timedelta(seconds=1), tick=False):
        assert console.get(path).status_code == 200
    with time_machine.travel(end + datetime.timedelta(seconds=1), tick=False):
        response = console.get(path)
    assert response.status_code == 404
    _council_data_absent(response.content.decode(), world)


def test_an_unknown_page_or_council_is_not_found(world: World, console: Client) -> None:
    granted(world.council_a, world.operator, world.admin_a, scopes=list(SCOPES))
    assert console.get(f"/console/councils/{world.council_a.slug}/support/clients/").status_code == 404
    assert console.get("/console/councils/no-such-council/support/people/").status_code == 404
    assert console.get("/console/councils/no-such-council/support/").status_code == 404


@pytest.mark.parametrize("path", ["support/", *[f"support/{scope}/" for scope in SCOPES]])
def test_someone_who_is_not_platform_staff_is_refused(path: str, world: World, platform_client: Client) -> None:
    granted(world.council_a, world.operator, world.admin_a, scopes=list(SCOPES))
    sign_in(platform_client, UserFactory(email="visitor@patchwork.example", is_staff=False))
    before = council_audit(world.council_a)

    response = platform_client.get(f"/console/councils/{world.council_a.slug}/{path}")
    posted = platform_client.post(
        f"/console/councils/{world.council_a.slug}/support/",
        {"reason": "Curious", "scopes": ["people"], "hours": "1"},
    )

    assert response.status_code == 403
    assert posted.status_code == 403
    _council_data_absent(response.content.decode(), world)
    assert council_audit(world.council_a) == before
    assert len(platform_audit(action=AuditAction.SUPPORT_REQUESTED)) == 1  # the operator's own, nobody else's


@pytest.mark.parametrize("path", ["support/", *[f"support/{scope}/" for scope in SCOPES]])
def test_the_council_host_has_no_support_console(path: str, world: World, client_a: Client) -> None:
    granted(world.council_a, world.operator, world.admin_a, scopes=list(SCOPES))
    sign_in(client_a, world.admin_a.user, world.council_a)
    before = council_audit(world.council_a)

    response = client_a.get(f"/console/councils/{world.council_a.slug}/{path}")

    assert response.status_code == 404
    assert "Support access to" not in response.content.decode()
    assert council_audit(world.council_a) == before


def test_the_operators_own_session_is_useless_at_the_council_host(world: World, console: Client) -> None:
    granted(world.council_a, world.operator, world.admin_a, scopes=list(SCOPES))
    at_council = Client(HTTP_HOST=host_of(world.council_a))
    at_council.cookies = console.cookies

    response = at_council.get("/administration/support/")

    assert response.status_code == 302
    assert response.url.startswith("/sign-in/")
