"""People and agencies the council-administration tests share (directory administration, council set-up):
council A's own agency and its police, a council administrator, and that administrator's signed-in browser.
Imported by the test modules and conftests that use them."""

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from core.directory.models import Agency, Practitioner
from tenants.models import Council
from tests.conftest import sign_in
from tests.factories import AgencyFactory, PractitionerFactory


@pytest.fixture
def home_agency(council_a: Council) -> Agency:
    with schema_context(council_a.schema_name):
        return AgencyFactory(name="Alpha Early Help", email_domains=["earlyhelp.example"])


@pytest.fixture
def police(council_a: Council) -> Agency:
    with schema_context(council_a.schema_name):
        return AgencyFactory(name="Alpha Police", agency_type="police", email_domains=["police.example"])


def person(council: Council, agency: Agency, email: str, **extra: object) -> Practitioner:
    with schema_context(council.schema_name):
        return PractitionerFactory(agency=agency, user__email=email, verified_at=timezone.now(), **extra)


@pytest.fixture
def admin(council_a: Council, home_agency: Agency) -> Practitioner:
    return person(council_a, home_agency, "helen@earlyhelp.example", is_council_admin=True)


@pytest.fixture
def as_admin(client_a: Client, council_a: Council, admin: Practitioner) -> Client:
    sign_in(client_a, admin.user, council_a)
    return client_a
