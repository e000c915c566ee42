"""Two members recording the withdrawal of the same consent at the same moment, through real concurrent requests.

Each request runs in its own thread with its own database connection, on committed data (removed afterwards),
and the requests are made to overlap at the write (tests/concurrency.py). One withdrawal is recorded, audited
and told to the lead; the other request is told plainly that it was already withdrawn, never a server error.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client as Browser
from django_tenants.utils import schema_context

from core.accounts.models import User
from core.audit.models import AuditAction, AuditEvent
from core.clients.models import Client, Consent
from core.directory.models import Agency, Practitioner
from core.notifications.models import Notification
from tenants.models import Council
from tests.concurrency import at_the_same_moment, council_of_its_own
from tests.conftest import host_of, sign_in
from tests.factories import AgencyFactory, ClientFactory, InvolvementFactory, verified_practitioner

pytestmark = pytest.mark.council_side

DOMAIN = "consent-race.example"
HELD = Consent._meta.db_table


@dataclass(frozen=True)
class Race:
    client: Client
    consent: Consent
    lead: Practitioner
    first: Practitioner
    second: Practitioner
    council: Council


@pytest.fixture
def db(django_db_setup: None) -> None:
    """The test database without the usual rolled-back transaction: the threads' connections must see the data."""


@pytest.fixture(scope="module")
def council(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[Council]:
    with django_db_blocker.unblock(), council_of_its_own("consentrace") as council:
        yield council


@pytest.fixture
def race(db: None, council: Council, django_db_blocker: pytest.FixtureRequest) -> Iterator[Race]:
    """A committed team of three (Maya leads) around a client with one current consent."""
    with django_db_blocker.unblock():
        with schema_context(council.schema_name):
            agency = AgencyFactory(name="Consent Race Children's Services", email_domains=[DOMAIN])
            lead = verified_practitioner(agency, "Maya", "Member")
            first = verified_practitioner(agency, "Fay", "First")
            second = verified_practitioner(agency, "Sol", "Second")
            client = ClientFactory()
            InvolvementFactory(client=client, practitioner=lead, is_lead=True)
            InvolvementFactory(client=client, practitioner=first)
            InvolvementFactory(client=client, practitioner=second)
            consent = Consent.objects.create(
                client=client,
                given_by="Kerry",
                relationship=Consent.Relationship.PARENT,
                given_on=datetime.date(2026, 3, 1),
                evidence="Signed form",
                recorded_by=lead,
            )
        try:
            yield Race(client=client, consent=consent, lead=lead, first=first, second=second, council=council)
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


def test_two_members_withdrawing_one_consent_at_once_record_it_once(
    race: Race, django_db_blocker: pytest.FixtureRequest
) -> None:
    with django_db_blocker.unblock():
        browsers = [_browser(race, race.first), _browser(race, race.second)]
        path = f"/clients/{race.client.pk}/consent/{race.consent.pk}/withdraw/"
        responses = at_the_same_moment(
            [lambda b=b, n=n: b.post(path, {"note": f"Told by phone ({n})"}) for n, b in enumerate(browsers)],
            hold=f"{race.council.schema_name}.{HELD}",
        )
        assert sorted(response.status_code for response in responses) == [200, 302]
        [refused] = [response for response in responses if response.status_code == 200]
        assert "This consent was already withdrawn on" in refused.content.decode()
        with schema_context(race.council.schema_name):
            consent = Consent.objects.get(pk=race.consent.pk)
            audited = AuditEvent.objects.filter(
                action=AuditAction.CONSENT_WITHDRAWN, object_id=str(race.client.pk)
            ).count()
            emails = list(Notification.objects.filter(to=race.lead.user.email))
            withheld = Client.objects.get(pk=race.client.pk).withheld_from_search_since
        connection.set_schema_to_public()
    assert consent.withdrawn_by_id in (race.first.pk, race.second.pk)
    assert audited == 1
    assert len(emails) == 1
    assert withheld is not None
