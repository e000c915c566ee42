"""A team around a client in council A, and JSON helpers for the client API.

The team: a lead social worker (``member``, who signs in), a school nurse from another agency, and two
workers of a sensitive recovery service (shown to others as one placeholder). ``outsider`` is a
verified practitioner who is in no team.
"""

import datetime
import json
from dataclasses import dataclass

import pytest
from django.http import HttpResponse
from django.test import Client as Browser
from django_tenants.utils import schema_context

from core.clients.models import Client, Involvement
from core.directory.models import Agency, Practitioner
from tenants.models import Council
from tests.conftest import sign_in
from tests.factories import AgencyFactory, ClientFactory, InvolvementFactory, verified_practitioner

GATEWAY = "Alpha Recovery duty line, 01632 960 222 (ask for the client's worker)"


@dataclass(frozen=True)
class Team:
    client: Client
    children: Agency
    school: Agency
    recovery: Agency
    member: Practitioner
    nurse: Practitioner
    recovery_worker: Practitioner
    recovery_peer: Practitioner
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
        member = practitioner(children, "Maya", "Member", mobile="07700 900 001", preferred_contact="mobile")
        nurse = practitioner(school, "Nia", "Nurse", job_title="School nurse", landline="01632 960 333")
        recovery_worker = practitioner(recovery, "Rory", "Recovery", job_title="Recovery worker")
        recovery_peer = practitioner(recovery, "Petra", "Peer", job_title="Peer mentor")
        outsider = practitioner(children, "Otto", "Outsider")
        client = ClientFactory(
            first_name="Jade", surname="Hughes", date_of_birth=datetime.date(2014, 6, 2), nhs_number="9434765919"
        )
        member_involvement = InvolvementFactory(
            client=client, practitioner=member, role="Social worker", is_lead=True, started_on=datetime.date(2026, 1, 5)
        )
        InvolvementFactory(client=client, practitioner=nurse, role="School nurse", started_on=datetime.date(2026, 2, 1))
        InvolvementFactory(
            client=client, practitioner=recovery_worker, role="Recovery worker", started_on=datetime.date(2025, 11, 3)
        )
        InvolvementFactory(
            client=client, practitioner=recovery_peer, role="Peer mentor", started_on=datetime.date(2025, 12, 1)
        )
        return Team(
            client=client,
            children=children,
            school=school,
            recovery=recovery,
            member=member,
            nurse=nurse,
            recovery_worker=recovery_worker,
            recovery_peer=recovery_peer,
            outsider=outsider,
            member_involvement=member_involvement,
        )


@pytest.fixture
def as_member(client_a: Browser, council_a: Council, team: Team) -> Browser:
    sign_in(client_a, team.member.user, council_a)
    return client_a


@pytest.fixture
def as_outsider(client_a: Browser, council_a: Council, team: Team) -> Browser:
    sign_in(client_a, team.outsider.user, council_a)
    return client_a


def post_json(browser: Browser, path: str, data: object = None) -> HttpResponse:
    return browser.post(path, json.dumps(data if data is not None else {}), content_type="application/json")


def patch_json(browser: Browser, path: str, data: object) -> HttpResponse:
    return browser.patch(path, json.dumps(data), content_type="application/json")


def search(browser: Browser, **criteria: str) -> HttpResponse:
    return post_json(browser, "/api/v1/clients/search/", criteria)


def team_url(client_id: object) -> str:
    return f"/api/v1/clients/{client_id}/team/"


def join_url(client_id: object) -> str:
    return f"/api/v1/clients/{client_id}/involvements/"


def mine_url(client_id: object) -> str:
    return f"/api/v1/clients/{client_id}/involvements/mine/"


def end_url(client_id: object) -> str:
    return f"/api/v1/clients/{client_id}/involvements/mine/end/"


def care_team_url(client_id: object) -> str:
    return f"/api/v1/clients/{client_id}/fhir/care-team/"
