"""Once live, a council administrator sees on every page that the data-sharing agreement is due for
review, from the day after its review date in the council's own time zone; nobody else does."""

import datetime

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.test import Client
from django_tenants.utils import schema_context

from core.audit.origin import NO_ORIGIN
from core.council.services.agreements import agreement_record
from core.directory.models import Agency, Practitioner
from tenants.models import Council
from tests.conftest import sign_in
from tests.core.council.conftest import PDF, person, text
from tests.factories import AgencyFactory

pytestmark = pytest.mark.council_side

BANNER = "The data-sharing agreement was due for review on"


def record(council: Council, admin: Practitioner, agencies: list[Agency], review_on: datetime.date) -> None:
    with schema_context(council.schema_name):
        agreement_record(
            actor=admin,
            party_ids=[agency.pk for agency in agencies],
            signed_on=datetime.date(2025, 1, 10),
            review_on=review_on,
            document=ContentFile(PDF, name="agreement.pdf"),
            origin=NO_ORIGIN,
        )


def test_an_administrator_sees_the_banner_on_every_page_once_the_review_date_has_passed(
    as_admin: Client, council_a: Council, admin: Practitioner, home_agency: Agency
) -> None:
    record(council_a, admin, [home_agency], datetime.date(2026, 1, 10))
    for path in ("/", "/directory/", "/administration/", "/account/sessions/"):
        page = text(as_admin.get(path))
        assert f"{BANNER} 10 January 2026" in page, path
        assert 'href="/administration/agreements/">Record the reviewed agreement' in page


def test_no_banner_before_the_review_date_nor_while_configuring(
    as_admin: Client, council_a: Council, admin: Practitioner, home_agency: Agency
) -> None:
    record(council_a, admin, [home_agency], datetime.date(2999, 1, 10))
    assert BANNER not in text(as_admin.get("/"))
    record(council_a, admin, [home_agency], datetime.date(2026, 1, 10))  # the latest is the one in force
    assert BANNER in text(as_admin.get("/"))
    council_a.status = "configuring"
    council_a.save(update_fields=["status"])
    assert BANNER not in text(as_admin.get("/administration/setup/"))


def test_a_practitioner_never_sees_it(
    as_practitioner: Client, council_a: Council, admin: Practitioner, home_agency: Agency
) -> None:
    record(council_a, admin, [home_agency], datetime.date(2026, 1, 10))
    assert BANNER not in text(as_practitioner.get("/"))


def test_the_day_is_the_councils_own(client_b: Client, council_b: Council) -> None:
    """At 13:05 UTC on 1 March it is already 2 March in Melbourne (UTC+11): a review due on 1 March has passed."""
    with schema_context(council_b.schema_name):
        agency = AgencyFactory(name="Beta Family Services", email_domains=["beta-family.example"])
    admin = person(council_b, agency, "ava@beta-family.example", is_council_admin=True)
    record(council_b, admin, [agency], datetime.date(2026, 3, 1))
    with time_machine.travel(datetime.datetime(2026, 3, 1, 12, 55, tzinfo=datetime.UTC), tick=False):
        sign_in(client_b, admin.user, council_b)
        assert BANNER not in text(client_b.get("/"))  # 23:55 in Melbourne: still 1 March
    with time_machine.travel(datetime.datetime(2026, 3, 1, 13, 5, tzinfo=datetime.UTC), tick=False):
        assert BANNER in text(client_b.get("/"))  # 00:05 on 2 March in Melbourne, still 1 March in UTC
