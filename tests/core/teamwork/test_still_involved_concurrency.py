"""The same question answered twice at the same moment (the emailed link clicked twice, the home page in two
tabs): one answer is recorded and audited, the other is told it was already answered — never two answers, never
a server error. Committed data in a council of its own."""

from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent
from core.audit.origin import NO_ORIGIN
from core.clients.models import Involvement
from core.teamwork.models import InvolvementCheck, StillInvolvedAnswer
from core.teamwork.still_involved import involvement_check_answer
from tenants.models import Council
from tests.concurrency import at_the_same_moment, council_of_its_own
from tests.factories import AgencyFactory, ClientFactory, InvolvementFactory, verified_practitioner

pytestmark = pytest.mark.council_side


@pytest.fixture
def db(django_db_setup: None) -> None:
    """The test database without the usual rolled-back transaction: the threads' connections must see the data."""


@pytest.fixture
def council(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[Council]:
    with django_db_blocker.unblock(), council_of_its_own("stillinvolvedrace") as council:
        yield council


def test_two_answers_at_once_record_one(db: None, council: Council, django_db_blocker: pytest.FixtureRequest) -> None:
    with django_db_blocker.unblock():
        with schema_context(council.schema_name):
            agency = AgencyFactory(name="Race Children's Services", email_domains=["race.example"])
            sam = verified_practitioner(agency, "Sam", "Social")
            involvement = InvolvementFactory(client=ClientFactory(), practitioner=sam)
            check = InvolvementCheck.objects.create(involvement=involvement)

        def answer(what: str):
            def run() -> str:
                with schema_context(council.schema_name):
                    try:
                        involvement_check_answer(actor=sam, check_id=check.pk, answer=what, origin=NO_ORIGIN)
                    except ValidationError as error:
                        return error.messages[0]
                    return "recorded"

            return run

        results = at_the_same_moment(
            [answer(StillInvolvedAnswer.STILL_INVOLVED), answer(StillInvolvedAnswer.NO_LONGER_INVOLVED)],
            hold=f"{council.schema_name}.{InvolvementCheck._meta.db_table}",
        )
        assert results.count("recorded") == 1
        assert any(result.startswith("You have already answered") for result in results)
        with schema_context(council.schema_name):
            check.refresh_from_db()
            recorded = results.index("recorded")
            assert (
                check.answer == [StillInvolvedAnswer.STILL_INVOLVED, StillInvolvedAnswer.NO_LONGER_INVOLVED][recorded]
            )
            ended = Involvement.objects.get(pk=involvement.pk).ended_on is not None
            assert ended == (check.answer == StillInvolvedAnswer.NO_LONGER_INVOLVED)
            assert AuditEvent.objects.filter(action=AuditAction.STILL_INVOLVED_ANSWERED).count() == 1
        connection.set_schema_to_public()
