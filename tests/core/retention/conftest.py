"""Council A's privacy officer and a practitioner, and clients whose records were made years ago (time_machine):
Old Olive, whose only involvement ended on 1 March 2019 (England keeps a client six years after that: due from
1 March 2025), in a family with her grandson; Never Nick, added on 10 January 2019 and never involved with anyone;
and Current Cara, still worked with, whose ended involvement is as old as Olive's."""

import datetime
from dataclasses import dataclass

import pytest
import time_machine
from django_tenants.utils import schema_context

from core.clients.models import Client, Family, FamilyMember, Involvement, TeamActivity
from core.directory.models import Practitioner
from tenants.models import Council
from tests.core.clients_api.conftest import team  # noqa: F401 -- the team around Jade Hughes, for the page tests
from tests.factories import AgencyFactory, ClientFactory, InvolvementFactory, verified_practitioner

UTC = datetime.UTC
OLIVE_ENDED = datetime.date(2019, 3, 1)


@dataclass
class Old:
    officer: Practitioner
    worker: Practitioner
    olive: Client
    grandson: Client
    nick: Client
    cara: Client
    cara_ended: Involvement
    family: Family


@pytest.fixture
def old(council_a: Council) -> Old:
    with schema_context(council_a.schema_name):
        agency = AgencyFactory(name="Alpha Children's Services", email_domains=["children.alpha.example"])
        governance = AgencyFactory(name="Alpha Information Governance", email_domains=["ig.alpha.example"])
        officer = verified_practitioner(governance, "Olga", "Officer", is_privacy_officer=True)
        worker = verified_practitioner(agency, "Wendy", "Worker")
        colleague = verified_practitioner(agency, "Colin", "Colleague")
        with time_machine.travel(datetime.datetime(2019, 1, 10, 12, tzinfo=UTC), tick=False):
            olive = ClientFactory(first_name="Olive", surname="Oldfield", date_of_birth=datetime.date(2012, 4, 1))
            grandson = ClientFactory(first_name="Gus", surname="Oldfield", date_of_birth=datetime.date(2014, 2, 2))
            nick = ClientFactory(first_name="Nick", surname="Never", date_of_birth=datetime.date(2013, 5, 5))
            cara = ClientFactory(first_name="Cara", surname="Current", date_of_birth=datetime.date(2015, 3, 14))
            family = Family.objects.create(name="Oldfield household")
            FamilyMember.objects.create(family=family, client=olive, relationship=FamilyMember.Relationship.CHILD)
            FamilyMember.objects.create(family=family, client=grandson, relationship=FamilyMember.Relationship.SIBLING)
            InvolvementFactory(
                client=olive, practitioner=worker, started_on=datetime.date(2019, 1, 10), ended_on=OLIVE_ENDED
            )
            TeamActivity.objects.create(client=olive, kind=TeamActivity.Kind.JOINED, actor=worker)
            cara_ended = InvolvementFactory(
                client=cara, practitioner=colleague, started_on=datetime.date(2019, 1, 10), ended_on=OLIVE_ENDED
            )
            TeamActivity.objects.create(client=cara, kind=TeamActivity.Kind.JOINED, actor=colleague)
            # Gus is still worked with; Cara too.
            InvolvementFactory(client=grandson, practitioner=worker, started_on=datetime.date(2019, 1, 10))
            InvolvementFactory(client=cara, practitioner=worker, started_on=datetime.date(2019, 1, 10))
    return Old(
        officer=officer,
        worker=worker,
        olive=olive,
        grandson=grandson,
        nick=nick,
        cara=cara,
        cara_ended=cara_ended,
        family=family,
    )


def on(day: datetime.date, hour: int = 3) -> time_machine.travel:
    """The council's night of ``day`` (London)."""
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, hour, tzinfo=UTC), tick=False)
