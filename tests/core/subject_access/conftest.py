"""A client of council A whom the council knows well — a team (a sensitive service among it), a previous name, a
family, consent to a service, a request to join, an emergency access, an invitation, an alert and an email about
them, and audit events — beside a stranger whose rows must never appear; a privacy officer, a second one, and a
practitioner who is not one. Private files go to a folder of the test's own."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client as Browser
from django.utils import timezone
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.audit.origin import Origin
from core.clients.models import (
    BreakGlassAccess,
    Client,
    ClientAlias,
    Consent,
    Family,
    FamilyMember,
    JoinRequest,
    TeamActivity,
    TeamInvitation,
)
from core.directory.models import Agency, Practitioner
from core.governance.models import Alert, AlertKind
from core.notifications.models import Notification
from core.subject_access.models import SubjectAccessRequest
from core.subject_access.services.requests import subject_access_record
from tenants.models import Council
from tests.conftest import sign_in
from tests.factories import AgencyFactory, ClientFactory, InvolvementFactory, verified_practitioner

UTC = datetime.UTC
ORIGIN = Origin(ip_address="192.0.2.7", user_agent="pytest", path="/test/", base_url="http://alpha.localhost")
RECEIVED = datetime.date(2026, 1, 31)


def at(day: int, hour: int = 9) -> datetime.datetime:
    return datetime.datetime(2026, 1, day, hour, tzinfo=UTC)


def audit(actor: Practitioner, action: str, when: datetime.datetime, **fields: object) -> AuditEvent:
    return AuditEvent.objects.create(
        actor_id=actor.user_id, council="alpha", action=action, outcome=AuditOutcome.SUCCESS, occurred_at=when, **fields
    )


@dataclass
class Held:
    officer: Practitioner
    colleague: Practitioner
    worker: Practitioner
    counsellor: Practitioner
    sensitive: Agency
    client: Client
    sibling: Client
    stranger: Client


@pytest.fixture(autouse=True)
def private_root(settings: object, tmp_path: Path) -> Iterator[Path]:
    """The private storage in a folder of this test's own (so what an export writes and deletes can be seen)."""
    root = tmp_path / "private"
    settings.STORAGES = {  # type: ignore[attr-defined]
        **settings.STORAGES,  # type: ignore[attr-defined]
        "private": {"BACKEND": "core.council.storage.PrivateFileSystemStorage", "OPTIONS": {"location": root}},
    }
    return root


def stored(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def held_rows(council: Council) -> Held:
    """Everything the council holds about Jade Hughes (call in council A's schema)."""
    children = AgencyFactory(name="Alpha Children's Services", email_domains=["children.alpha.example"])
    governance = AgencyFactory(name="Alpha Information Governance", email_domains=["ig.alpha.example"])
    sensitive = AgencyFactory(
        name="Alpha Recovery Service",
        email_domains=["recovery.alpha.example"],
        is_sensitive=True,
        gateway_contact="Duty desk, 01543 000000",
    )
    officer = verified_practitioner(governance, "Olive", "Officer", is_privacy_officer=True)
    colleague = verified_practitioner(governance, "Colm", "Colleague", is_privacy_officer=True)
    worker = verified_practitioner(children, "Wendy", "Worker")
    counsellor = verified_practitioner(sensitive, "Ciaran", "Counsellor")
    asker = verified_practitioner(children, "Asha", "Asker")
    client = ClientFactory(
        first_name="Jade", surname="Hughes", date_of_birth=datetime.date(2014, 6, 2), nhs_number="9434765919"
    )
    sibling = ClientFactory(first_name="Kai", surname="Hughes", date_of_birth=datetime.date(2016, 1, 9))
    stranger = ClientFactory(first_name="Sam", surname="Stranger")
    ClientAlias.objects.create(client=client, first_name="Jade", surname="Evans", kind=ClientAlias.Kind.PREVIOUS)
    ClientAlias.objects.create(client=stranger, surname="Unrelated-alias")
    family = Family.objects.create(name="Hughes household")
    FamilyMember.objects.create(family=family, client=client, relationship="child")
    FamilyMember.objects.create(family=family, client=sibling, relationship="sibling")
    InvolvementFactory(client=client, practitioner=worker, role="Social worker", is_lead=True, join_reason="Allocated")
    InvolvementFactory(client=client, practitioner=counsellor, role="Recovery worker", join_reason="Referral")
    InvolvementFactory(client=stranger, practitioner=worker, role="Stranger's worker")
    TeamActivity.objects.create(client=client, kind=TeamActivity.Kind.JOINED, actor=worker)
    TeamInvitation.objects.create(client=client, invited_by=worker, invitee_email="new.nurse@health.example")
    consent = Consent.objects.create(
        client=client,
        given_by="Mia Hughes",
        relationship=Consent.Relationship.PARENT,
        given_on=datetime.date(2026, 1, 6),
        covers_all_services=False,
        evidence="signed form, on file",
        recorded_by=worker,
    )
    consent.services.add(sensitive)
    JoinRequest.objects.create(client=client, practitioner=asker, role="School nurse", reason="Referral from GP")
    glass = BreakGlassAccess.objects.create(
        client=client,
        practitioner=asker,
        role="Duty team",
        reason="Out-of-hours emergency",
        explanation="Placement needed overnight",
        opened_at=at(20, 22),
        expires_at=at(20, 23),
    )
    Alert.objects.create(
        kind=AlertKind.BREAK_GLASS,
        practitioner=asker,
        period_start=at(20, 22),
        period_end=at(20, 23),
        summary="Opened a team by break-glass",
        evidence={"break_glass_id": str(glass.pk), "client_id": str(client.pk), "reason": "Out-of-hours"},
    )
    Alert.objects.create(
        kind=AlertKind.BURST,
        practitioner=worker,
        period_start=at(21),
        period_end=at(21, 10),
        summary="Stranger-only burst",
        evidence={"client_ids": [str(stranger.pk)]},
    )
    Notification.objects.create(
        to="wendy.worker@children.alpha.example",
        subject="Someone joined a team you are in",
        body=f"A practitioner joined the team. http://alpha.localhost/clients/{client.pk}/",
    )
    Notification.objects.create(
        to="wendy.worker@children.alpha.example",
        subject="Stranger email",
        body=f"http://alpha.localhost/clients/{stranger.pk}/",
    )
    audit(
        worker, AuditAction.CLIENT_SEARCH, at(10), object_type="client", related_ids=[str(client.pk), str(stranger.pk)]
    )
    audit(worker, AuditAction.CLIENT_VIEWED, at(10, 10), object_type="client", object_id=str(client.pk))
    audit(
        worker,
        AuditAction.CLIENT_CORRECTED,
        at(11),
        object_type="client",
        object_id=str(client.pk),
        reason="corrected: surname",
        changes={"surname": {"old": "Evans", "new": "Hughes"}},
    )
    audit(asker, AuditAction.BREAK_GLASS_OPENED, at(20, 22), object_type="client", object_id=str(client.pk))
    audit(worker, AuditAction.CLIENT_VIEWED, at(12), object_type="client", object_id=str(stranger.pk))
    return Held(officer, colleague, worker, counsellor, sensitive, client, sibling, stranger)


@pytest.fixture
def held(council_a: Council) -> Held:
    with schema_context(council_a.schema_name):
        return held_rows(council_a)


def sar_for(held: Held, council: Council, *, received_on: datetime.date = RECEIVED) -> SubjectAccessRequest:
    with schema_context(council.schema_name):
        return subject_access_record(
            actor=held.officer, client=held.client, received_on=received_on, origin=ORIGIN, today=timezone.localdate()
        )


@pytest.fixture
def as_officer(client_a: Browser, council_a: Council, held: Held) -> Browser:
    sign_in(client_a, held.officer.user, council_a)
    return client_a


@pytest.fixture
def as_colleague(client_a: Browser, council_a: Council, held: Held) -> Browser:
    sign_in(client_a, held.colleague.user, council_a)
    return client_a


@pytest.fixture
def as_worker(client_a: Browser, council_a: Council, held: Held) -> Browser:
    sign_in(client_a, held.worker.user, council_a)
    return client_a
