"""People of council A for the notification centre's tests: Nell, who is told things, and Carl, a colleague at the
same agency who must never see Nell's notices."""

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client as Browser
from django_tenants.utils import schema_context

from core.audit.origin import Origin
from core.directory.models import Practitioner
from tenants.models import Council
from tests.conftest import sign_in
from tests.factories import AgencyFactory, verified_practitioner

ORIGIN = Origin(ip_address="192.0.2.1", user_agent="pytest", path="/test/", base_url="https://alpha.example")


@dataclass(frozen=True)
class People:
    nell: Practitioner
    carl: Practitioner


@pytest.fixture
def people(council_a: Council) -> People:
    with schema_context(council_a.schema_name):
        agency = AgencyFactory(name="Alpha Early Help", email_domains=["earlyhelp.example"])
        return People(
            nell=verified_practitioner(agency, "Nell", "Notified"),
            carl=verified_practitioner(agency, "Carl", "Colleague"),
        )


@pytest.fixture
def browser_as(council_a: Council, client_a: Browser) -> Any:
    def signed_in(who: Practitioner) -> Browser:
        sign_in(client_a, who.user, council_a)
        return client_a

    return signed_in
