"""Two administrators changing the rules at the same moment: two versions, numbered 1 and 2, each audited —
never the same number twice, never a server error. Committed data in a council of its own."""

from collections.abc import Iterator

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent
from core.audit.origin import NO_ORIGIN
from core.directory.models import Practitioner
from core.governance.models import RulebookVersion
from core.governance.rules import Rules
from core.governance.services.rulebook import rulebook_revise
from tenants.models import Council
from tests.concurrency import at_the_same_moment, council_of_its_own
from tests.factories import AgencyFactory, PractitionerFactory

pytestmark = pytest.mark.council_side


@pytest.fixture
def db(django_db_setup: None) -> None:
    """The test database without the usual rolled-back transaction: the threads' connections must see the data."""


@pytest.fixture
def council(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[Council]:
    with django_db_blocker.unblock(), council_of_its_own("rulebookrace") as council:
        yield council


def test_two_administrators_at_once_make_two_versions(
    db: None, council: Council, django_db_blocker: pytest.FixtureRequest
) -> None:
    with django_db_blocker.unblock():
        with schema_context(council.schema_name):
            agency = AgencyFactory(name="Rulebook Race Early Help")
            admins: list[Practitioner] = [PractitionerFactory(agency=agency, is_council_admin=True) for _ in range(2)]

        def change(actor: Practitioner, cap: int):
            def run() -> int:
                with schema_context(council.schema_name):
                    return rulebook_revise(
                        actor=actor, rules=Rules(result_cap=cap), reason=f"cap {cap}", origin=NO_ORIGIN
                    ).number

            return run

        numbers = at_the_same_moment(
            [change(admins[0], 5), change(admins[1], 6)],
            hold=f"{council.schema_name}.{RulebookVersion._meta.db_table}",
        )
        assert sorted(numbers) == [1, 2]
        with schema_context(council.schema_name):
            assert sorted(RulebookVersion.objects.values_list("number", flat=True)) == [1, 2]
            assert AuditEvent.objects.filter(action=AuditAction.RULEBOOK_CHANGED).count() == 2
        connection.set_schema_to_public()
