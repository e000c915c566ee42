"""Joining a team at the same moment as someone else, or twice at once, through real concurrent requests.

Each request runs in its own thread with its own database connection, on committed data (removed
afterwards), and the requests are made to overlap at the write (tests/concurrency.py). Never a server
error: both join when both may, and a second join by the same person is told they are already in.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client as Browser
from django_tenants.utils import schema_context

from core.accounts.models import User
from core.audit.models import AuditAction, AuditEvent
from core.clients.models import Client, Involvement, TeamActivity, TeamInvitation
from core.directory.models import Agency, Practitioner
from core.notifications.models import Notification
from tenants.models import Council
from tests.concurrency import at_the_same_moment, council_of_its_own
from tests.conftest import host_of, sign_in
from tests.factories import AgencyFactory, ClientFactory, InvolvementFactory, verified_practitioner

pytestmark = pytest.mark.council_side

DOMAIN = "join-race.example"
HELD = Involvement._meta.db_table


@dataclass(frozen=True)
class Race:
    client: Client
    first: Practitioner
    second: Practitioner
    council: Council

    @property
    def schema(self) -> str:
        return self.council.schema_name


@pytest.fixture
def db(django_db_setup: None) -> None:
    """The test database without the usual rolled-back transaction: the threads' connections must see the data."""


@pytest.fixture(scope="module")
def council(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[Council]:
    with django_db_blocker.unblock(), council_of_its_own("joinrace") as council:
        yield council


@pytest.fixture
def race(db: None, council: Council, django_db_blocker: pytest.FixtureRequest) -> Iterator[Race]:
    """A committed team of one (Maya, lead) and two colleagues each invited to join it."""
    with django_db_blocker.unblock():
        with schema_context(council.schema_name):
            agency = AgencyFactory(name="Join Race Children's Services", email_domains=[DOMAIN])
            member = verified_practitioner(agency, "Maya", "Member")
            first = verified_practitioner(agency, "Fay", "First")
            second = verified_practitioner(agency, "Sol", "Second")
            client = ClientFactory()
            InvolvementFactory(client=client, practitioner=member, is_lead=True)
            for invitee in (first, second):
                TeamInvitation.objects.create(client=client, invited_by=member, invitee=invitee)
        try:
            yield Race(client=client, first=first, second=second, council=council)
        finally:  # the audit trail stays, in a council dropped after these tests
            connection.set_schema_to_public()
            with schema_context(council.schema_name):
                Client.objects.filter(pk=client.pk).delete()
                Notification.objects.filter(to__endswith=f"@{DOMAIN}").delete()
                Practitioner.objects.filter(agency=agency).delete()
                User.objects.filter(email__endswith=f"@{DOMAIN}").delete()
                Agency.objects.filter(pk=agency.pk).delete()
            connection.set_schema_to_public()


def _browser(race: Race, who: Practitioner) -> Browser:
    browser = Browser(HTTP_HOST=host_of(race.council), raise_request_exception=False)
    sign_in(browser, who.user, race.council)
    return browser


def _joins(race: Race) -> tuple[list[Involvement], int, int]:
    with schema_context(race.schema):
        current = list(Involvement.objects.filter(client=race.client, ended_on__isnull=True))
        audited = AuditEvent.objects.filter(
            action=AuditAction.INVOLVEMENT_STARTED, object_type="client", object_id=str(race.client.pk)
        ).count()
        joined = TeamActivity.objects.filter(client=race.client, kind=TeamActivity.Kind.JOINED).count()
    connection.set_schema_to_public()
    return current, audited, joined


def test_two_colleagues_joining_at_the_same_moment_both_join(
    race: Race, django_db_blocker: pytest.FixtureRequest
) -> None:
    with django_db_blocker.unblock():
        browsers = [_browser(race, race.first), _browser(race, race.second)]
        path = f"/clients/{race.client.pk}/join/"
        responses = at_the_same_moment(
            [lambda b=b: b.post(path, {"role": "Family support", "reason": "Invited"}) for b in browsers],
            hold=f"{race.schema}.{HELD}",
        )
        assert [response.status_code for response in responses] == [302, 302]
        current, audited, joined = _joins(race)
    assert {involvement.practitioner_id for involvement in current} >= {race.first.pk, race.second.pk}
    assert len(current) == 3
    assert audited == joined == 2


def test_joining_twice_at_the_same_moment_joins_once_and_says_so(
    race: Race, django_db_blocker: pytest.FixtureRequest
) -> None:
    """Two tabs, or a double click: one join, and the other request told, never a server error."""
    with django_db_blocker.unblock():
        tabs = [_browser(race, race.first), _browser(race, race.first)]
        path = f"/clients/{race.client.pk}/join/"
        responses = at_the_same_moment(
            [lambda b=b: b.post(path, {"role": "Family support", "reason": "Invited"}) for b in tabs],
            hold=f"{race.schema}.{HELD}",
        )
        assert sorted(response.status_code for response in responses) == [200, 302]
        [refused] = [response for response in responses if response.status_code == 200]
        assert "You are already in this team" in refused.content.decode()
        current, audited, joined = _joins(race)
    assert [involvement.practitioner_id for involvement in current].count(race.first.pk) == 1
    assert audited == joined == 1


def test_joining_twice_at_the_same_moment_through_the_api_is_a_clear_400(
    race: Race, django_db_blocker: pytest.FixtureRequest
) -> None:
    with django_db_blocker.unblock():
        clients = [_browser(race, race.second), _browser(race, race.second)]
        path = f"/api/v1/clients/{race.client.pk}/involvements/"
        body = {"role": "Family support", "reason": "Invited"}
        responses = at_the_same_moment(
            [lambda c=c: c.post(path, body, content_type="application/json") for c in clients],
            hold=f"{race.schema}.{HELD}",
        )
        assert sorted(response.status_code for response in responses) == [201, 400]
        [refused] = [response for response in responses if response.status_code == 400]
        assert refused.json()["role"] == ["You are already in this team."]
        current, audited, joined = _joins(race)
    assert [involvement.practitioner_id for involvement in current].count(race.second.pk) == 1
    assert audited == joined == 1
