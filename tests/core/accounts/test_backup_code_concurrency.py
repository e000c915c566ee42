"""A backup code used by two sign-ins, or checked twice, at the same moment counts exactly once.

Both requests (or checks) really overlap (each its own thread and database connection, held together at the
write: tests/concurrency.py) on committed data, removed afterwards.
"""

from collections.abc import Iterator

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from core.accounts.models import BackupCode, BackupCodeDevice, User
from core.directory.models import Agency, Practitioner
from tenants.models import Council
from tests.concurrency import at_the_same_moment, council_of_its_own
from tests.conftest import host_of
from tests.core.accounts.helpers import code_step, give_backup_code, password_step
from tests.factories import AgencyFactory, PractitionerFactory

pytestmark = pytest.mark.council_side

EMAIL = "sam@code-race.example"
CODE = "race42cd"


@pytest.fixture
def db(django_db_setup: None) -> None:
    """The test database without the usual rolled-back transaction: the threads' connections must see the data."""


@pytest.fixture(scope="module")
def own_council(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[Council]:
    with django_db_blocker.unblock(), council_of_its_own("coderace") as council:
        yield council


@pytest.fixture
def council(db: None, own_council: Council, django_db_blocker: pytest.FixtureRequest) -> Iterator[Council]:
    """A council with a committed practitioner who has one backup code."""
    with django_db_blocker.unblock():
        with schema_context(own_council.schema_name):
            agency = AgencyFactory(name="Code Race Agency", email_domains=["code-race.example"])
            user = PractitionerFactory(agency=agency, user__email=EMAIL).user
        give_backup_code(user, own_council, CODE)
        try:
            yield own_council
        finally:  # the audit trail stays, in a council dropped after these tests
            connection.set_schema_to_public()
            with schema_context(own_council.schema_name):
                Practitioner.objects.filter(agency=agency).delete()
                User.objects.filter(email=EMAIL).delete()  # its devices, codes and sessions go with it
                Agency.objects.filter(pk=agency.pk).delete()
            connection.set_schema_to_public()


def test_one_backup_code_used_twice_at_the_same_moment_signs_in_once(
    council: Council, django_db_blocker: pytest.FixtureRequest
) -> None:
    with django_db_blocker.unblock():
        browsers = [Client(HTTP_HOST=host_of(council), raise_request_exception=False) for _ in range(2)]
        for browser in browsers:
            assert password_step(browser, EMAIL).url == "/sign-in/code/"
        held = f"{council.schema_name}.{BackupCode._meta.db_table}"
        responses = at_the_same_moment([lambda b=b: code_step(b, CODE) for b in browsers], hold=held)
        assert sorted(response.status_code for response in responses) == [200, 302]
        [refused] = [response for response in responses if response.status_code == 200]
        assert "Enter a correct code" in refused.content.decode()
        signed_in = [browser.get("/").status_code for browser in browsers]
        assert sorted(signed_in) == [200, 302]  # one browser is in, the other is back at sign-in
        with schema_context(council.schema_name):
            assert not BackupCode.objects.filter(device__user__email=EMAIL).exists()
        connection.set_schema_to_public()


def test_one_backup_code_checked_twice_at_the_same_moment_is_accepted_once(
    council: Council, django_db_blocker: pytest.FixtureRequest
) -> None:
    """The device itself consumes a code once, whoever calls it and whether or not they lock the device."""

    def check() -> bool:
        with schema_context(council.schema_name):
            return BackupCodeDevice.objects.get(user__email=EMAIL).verify_token(CODE)

    with django_db_blocker.unblock():
        accepted = at_the_same_moment([check, check], hold=f"{council.schema_name}.{BackupCode._meta.db_table}")
        assert sorted(accepted) == [False, True]
        with schema_context(council.schema_name):
            assert not BackupCode.objects.filter(device__user__email=EMAIL).exists()
        connection.set_schema_to_public()
