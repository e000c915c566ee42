"""Opening the same team in an emergency twice at the same moment (two tabs, a double click) makes one access,
one alert and one set of emails: the second opening finds the first and reuses it.

Real concurrent openings, each on its own database connection, on committed data in a council of its own,
made to overlap at the write (tests/concurrency.py)."""

from collections.abc import Iterator

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.clients.break_glass import break_glass_open
from core.clients.models import BreakGlassAccess
from core.directory.models import Practitioner
from core.governance.models import Alert
from core.notifications.models import Notification
from tenants.models import Council
from tests.concurrency import at_the_same_moment, council_of_its_own
from tests.core.clients.test_break_glass import MASH, ORIGIN, RISK, rules_in_force
from tests.factories import AgencyFactory, ClientFactory, InvolvementFactory, verified_practitioner

pytestmark = pytest.mark.council_side


@pytest.fixture
def db(django_db_setup: None) -> None:
    """The test database without the usual rolled-back transaction: the threads' connections must see the data."""


@pytest.fixture
def council(db: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[Council]:
    with django_db_blocker.unblock(), council_of_its_own("breakglassrace") as council:
        yield council


def test_opening_twice_at_the_same_moment_opens_once(
    council: Council, django_db_blocker: pytest.FixtureRequest
) -> None:
    with django_db_blocker.unblock():
        rules_in_force(council, break_glass_roles=(MASH,))
        with schema_context(council.schema_name):
            agency = AgencyFactory(name="Race Children's Services", email_domains=["bg-race.example"])
            opener = verified_practitioner(agency, "Otto", "Opener", break_glass_role=MASH.key)
            verified_practitioner(agency, "Paula", "Privacy", is_privacy_officer=True)
            client = ClientFactory()
            InvolvementFactory(client=client, practitioner=verified_practitioner(agency, "Maya", "Member"))
            opener = Practitioner.objects.select_related("user", "agency").get(pk=opener.pk)
        connection.set_schema_to_public()

        def opening() -> BreakGlassAccess:
            with schema_context(council.schema_name):
                return break_glass_open(
                    actor=opener,
                    client_id=client.pk,
                    reason=RISK,
                    explanation="Child alone at night",
                    found_in_last_search=True,
                    origin=ORIGIN,
                )

        first, second = at_the_same_moment(
            [opening, opening], hold=f"{council.schema_name}.{BreakGlassAccess._meta.db_table}"
        )
        with schema_context(council.schema_name):
            assert first.pk == second.pk
            assert BreakGlassAccess.objects.count() == 1
            assert Alert.objects.count() == 1
            assert Notification.objects.count() == 1  # Paula, once
            opened = AuditEvent.objects.filter(action=AuditAction.BREAK_GLASS_OPENED, outcome=AuditOutcome.SUCCESS)
            assert opened.count() == 1
        connection.set_schema_to_public()
