"""A privacy officer of council A, a colleague who is one too, a practitioner who is not, and a client whose
record has been searched for, viewed, changed and opened by break-glass — with audit rows at fixed times."""

import datetime
import uuid
from dataclasses import dataclass

import pytest
from django.test import Client as Browser
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.clients.models import Client, Family, FamilyMember, Involvement
from core.directory.models import Agency, Practitioner
from tenants.models import Council
from tests.conftest import sign_in
from tests.factories import AgencyFactory, ClientFactory, InvolvementFactory, verified_practitioner

UTC = datetime.UTC
FORMULA = '=HYPERLINK("http://evil.example")'


def at(hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 11, 20, hour, minute, tzinfo=UTC)


def audit(
    actor_id: object,
    action: str,
    when: datetime.datetime,
    *,
    object_type: str = "client",
    object_id: object = "",
    related_ids: list[object] | None = None,
    reason: str = "",
    outcome: str = AuditOutcome.SUCCESS,
    ip_address: str | None = "192.0.2.10",
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor_id=actor_id,
        council="alpha",
        action=action,
        outcome=outcome,
        object_type=object_type,
        object_id=str(object_id) if object_id else "",
        related_ids=[str(value) for value in related_ids or []],
        reason=reason,
        ip_address=ip_address,
        occurred_at=when,
    )


@dataclass
class Record:
    agency: Agency
    officer: Practitioner
    colleague: Practitioner
    worker: Practitioner
    client: Client
    sibling: Client
    stranger: Client
    involvement: Involvement
    touching: dict[str, AuditEvent]
    not_touching: list[AuditEvent]


@pytest.fixture
def record(council_a: Council) -> Record:
    with schema_context(council_a.schema_name):
        agency = AgencyFactory(name="Alpha Children's Services", email_domains=["children.alpha.example"])
        governance = AgencyFactory(name="Alpha Information Governance", email_domains=["ig.alpha.example"])
        officer = verified_practitioner(governance, "Olive", "Officer", is_privacy_officer=True)
        colleague = verified_practitioner(governance, "Colm", "Colleague", is_privacy_officer=True)
        worker = verified_practitioner(agency, "Wendy", "Worker")
        client = ClientFactory(
            first_name="Jade", surname="Hughes", date_of_birth=datetime.date(2014, 6, 2), nhs_number="9434765919"
        )
        sibling = ClientFactory(first_name="Kai", surname="Hughes", date_of_birth=datetime.date(2016, 1, 9))
        stranger = ClientFactory(first_name="Sam", surname="Stranger")
        family = Family.objects.create(name="Hughes household")
        FamilyMember.objects.create(family=family, client=client, relationship="child")
        FamilyMember.objects.create(family=family, client=sibling, relationship="child")
        involvement = InvolvementFactory(
            client=client, practitioner=worker, join_reason="Allocated at the strategy meeting"
        )
        removed = uuid.uuid4()  # an account that no longer exists
        touching = {
            "search": audit(
                worker.user_id,
                AuditAction.CLIENT_SEARCH,
                at(9),
                related_ids=[client.pk, stranger.pk],
                reason="by surname+dob; 2 results",
            ),
            "view": audit(
                worker.user_id, AuditAction.CLIENT_VIEWED, at(9, 5), object_id=client.pk, related_ids=[sibling.pk]
            ),
            "family view": audit(
                removed, AuditAction.CLIENT_VIEWED, at(9, 10), object_id=sibling.pk, related_ids=[client.pk]
            ),
            "joined": audit(
                worker.user_id,
                AuditAction.INVOLVEMENT_STARTED,
                at(9, 15),
                object_id=client.pk,
                reason="Allocated at the strategy meeting",
            ),
            "ended": audit(
                worker.user_id,
                AuditAction.INVOLVEMENT_ENDED,
                at(9, 20),
                object_type="involvement",
                object_id=involvement.pk,
            ),
            "consent": audit(
                worker.user_id,
                AuditAction.CONSENT_RECORDED,
                at(9, 30),
                object_id=client.pk,
                related_ids=[uuid.uuid4()],
                reason="given by the client",
            ),
            "break-glass": audit(
                worker.user_id, AuditAction.BREAK_GLASS_OPENED, at(22), object_id=client.pk, reason=FORMULA
            ),
        }
        not_touching = [
            audit(worker.user_id, AuditAction.CLIENT_SEARCH, at(10), related_ids=[stranger.pk]),
            audit(worker.user_id, AuditAction.CLIENT_VIEWED, at(10, 5), object_id=stranger.pk),
            audit(
                worker.user_id,
                AuditAction.CLIENT_CORRECTED,
                at(10, 10),
                object_id=stranger.pk,
                reason="corrected: surname",
            ),
        ]
    return Record(
        agency=agency,
        officer=officer,
        colleague=colleague,
        worker=worker,
        client=client,
        sibling=sibling,
        stranger=stranger,
        involvement=involvement,
        touching=touching,
        not_touching=not_touching,
    )


@pytest.fixture
def as_officer(client_a: Browser, council_a: Council, record: Record) -> Browser:
    sign_in(client_a, record.officer.user, council_a)
    return client_a


@pytest.fixture
def as_worker(client_a: Browser, council_a: Council, record: Record) -> Browser:
    sign_in(client_a, record.worker.user, council_a)
    return client_a
