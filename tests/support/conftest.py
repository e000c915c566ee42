"""Support access fixtures: an operator (platform staff, in ``public``) with a signed-in console, and each test
council's administrator; helpers that ask and grant through the services themselves."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from core.accounts.models import User
from core.audit.models import AuditEvent
from core.audit.origin import NO_ORIGIN
from core.directory.models import Practitioner
from support.models import SupportGrant
from support.services.decisions import support_grant
from support.services.requests import support_request
from tenants.models import Council
from tests.conftest import sign_in
from tests.factories import AgencyFactory, PractitionerFactory, UserFactory, verified_practitioner

REASON = "Helen reports the agencies page shows the wrong count"


@pytest.fixture
def operator(db: None) -> User:
    return UserFactory(email="olive@patchwork.example", first_name="Olive", last_name="Okafor", is_staff=True)


@pytest.fixture
def other_operator(db: None) -> User:
    return UserFactory(email="otto@patchwork.example", first_name="Otto", last_name="Ng", is_staff=True)


@pytest.fixture
def console(platform_client: Client, operator: User) -> Client:
    sign_in(platform_client, operator)
    return platform_client


def _administrator(council: Council, email: str) -> Practitioner:
    with schema_context(council.schema_name):
        agency = AgencyFactory(name=f"{council.name} Family Hub", email_domains=[email.split("@")[1]])
        first, last = email.split("@")[0].split(".")
        admin = verified_practitioner(agency, first.title(), last.title(), is_council_admin=True)
        # A second agency with people in it: what the agencies and accounts pages list.
        other = AgencyFactory(name=f"{council.name} Youth Service", email_domains=["youth.example"])
        PractitionerFactory(agency=other, user__email=f"sam@{council.slug}-youth.example")
        return admin


@pytest.fixture
def admin_a(council_a: Council) -> Practitioner:
    return _administrator(council_a, "helen.bradbury@alpha.example")


@pytest.fixture
def admin_b(council_b: Council) -> Practitioner:
    return _administrator(council_b, "kim.lee@beta.example")


@pytest.fixture
def admin_client_a(client_a: Client, council_a: Council, admin_a: Practitioner) -> Client:
    sign_in(client_a, admin_a.user, council_a)
    return client_a


def asked(council: Council, operator: User, *, scopes: list[str], hours: int = 1) -> SupportGrant:
    return support_request(
        operator=operator, council=council, reason=REASON, scopes=scopes, hours=hours, origin=NO_ORIGIN
    )


def granted(
    council: Council,
    operator: User,
    admin: Practitioner,
    *,
    scopes: list[str],
    hours: int = 1,
    now: datetime.datetime | None = None,
) -> SupportGrant:
    grant = asked(council, operator, scopes=scopes, hours=hours)
    with schema_context(council.schema_name):
        return support_grant(actor=admin, grant_id=grant.pk, scopes=scopes, hours=hours, origin=NO_ORIGIN, now=now)


def council_audit(council: Council, **filters: object) -> list[AuditEvent]:
    with schema_context(council.schema_name):
        return list(AuditEvent.objects.filter(action__startswith="support_", **filters).order_by("occurred_at", "id"))


def platform_audit(**filters: object) -> list[AuditEvent]:
    with schema_context("public"):
        return list(AuditEvent.objects.filter(action__startswith="support_", **filters).order_by("occurred_at", "id"))


def ago(**delta: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**delta)
