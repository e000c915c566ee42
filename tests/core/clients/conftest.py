"""A team around a client in council A, and helpers for the client pages.

The team around Jade Hughes: Maya (social worker, lead, signs in by default), Nia (school nurse, another
agency) and Rory (a sensitive recovery service, seen by other agencies only as a placeholder). Petra works
for the same recovery service but is not in the team; Otto is a verified practitioner in no team.
"""

import datetime
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client as Browser
from django_tenants.utils import schema_context

from core.clients.models import Client, Involvement
from core.directory.models import Agency, Practitioner
from tenants.models import Council
from tests.conftest import sign_in
from tests.factories import AgencyFactory, ClientFactory, InvolvementFactory, verified_practitioner

GATEWAY = "Alpha Recovery duty line, 01632 960 222"


@dataclass(frozen=True)
class Team:
    client: Client
    children: Agency
    school: Agency
    recovery: Agency
    member: Practitioner
    nurse: Practitioner
    recovery_worker: Practitioner
    recovery_colleague: Practitioner
    outsider: Practitioner
    member_involvement: Involvement


practitioner = verified_practitioner  # the shared builder, under the name these tests use


@pytest.fixture
def team(council_a: Council) -> Team:
    with schema_context(council_a.schema_name):
        children = AgencyFactory(name="Alpha Children's Services", email_domains=["children.alpha.example"])
        school = AgencyFactory(name="Alpha Primary School", agency_type="education", email_domains=["school.example"])
        recovery = AgencyFactory(
            name="Alpha Recovery Service",
            agency_type="health",
            email_domains=["recovery.example"],
            is_sensitive=True,
            gateway_contact=GATEWAY,
        )
        member = practitioner(children, "Maya", "Member", mobile="07700 900001", preferred_contact="mobile")
        nurse = practitioner(school, "Nia", "Nurse", job_title="School nurse", landline="01632 960333")
        recovery_worker = practitioner(recovery, "Rory", "Recovery", job_title="Recovery worker", mobile="07700 900777")
        recovery_colleague = practitioner(recovery, "Petra", "Peer", job_title="Peer mentor")
        outsider = practitioner(children, "Otto", "Outsider")
        client = ClientFactory(
            first_name="Jade",
            surname="Hughes",
            date_of_birth=datetime.date(2014, 6, 2),
            postcode="WS13 6YY",
            nhs_number="9434765919",
        )
        member_involvement = InvolvementFactory(
            client=client, practitioner=member, role="Social worker", is_lead=True, started_on=datetime.date(2026, 1, 5)
        )
        InvolvementFactory(client=client, practitioner=nurse, role="School nurse", started_on=datetime.date(2026, 2, 1))
        InvolvementFactory(
            client=client, practitioner=recovery_worker, role="Recovery worker", started_on=datetime.date(2025, 11, 3)
        )
    return Team(
        client=client,
        children=children,
        school=school,
        recovery=recovery,
        member=member,
        nurse=nurse,
        recovery_worker=recovery_worker,
        recovery_colleague=recovery_colleague,
        outsider=outsider,
        member_involvement=member_involvement,
    )


@pytest.fixture
def browser_as(council_a: Council, client_a: Browser) -> Any:
    """Sign ``client_a`` in as a practitioner; returns the signed-in browser."""

    def signed_in(who: Practitioner) -> Browser:
        sign_in(client_a, who.user, council_a)
        return client_a

    return signed_in


def search(browser: Browser, **fields: str) -> Any:
    """POST the search form; ``dob="14/3/2015"`` fills the three date inputs."""
    data = {"surname": "", "first_name": "", "postcode": "", "identifier": ""} | fields
    dob = data.pop("dob", "")
    day, month, year = dob.split("/") if dob else ("", "", "")
    data |= {"date_of_birth_day": day, "date_of_birth_month": month, "date_of_birth_year": year}
    return browser.post("/clients/search/", data)


# Values that are random on every page (the CSRF token, the CSP nonces): a test that asserts a name is absent
# from the page must not fail because a random token happens to spell it.
_RANDOM_VALUES = re.compile(r'(nonce|name="csrfmiddlewaretoken" value)="[^"]*"')


def text_of(response: Any) -> str:
    """The page's HTML, with its per-request random values blanked."""
    return _RANDOM_VALUES.sub(r'\1=""', response.content.decode())
