"""A bulk import through a real Celery worker and Redis broker: the upload commits, the task is sent with the
council's schema, a worker imports the rows in that council, and a second task delivers the invitations.

The worker has its own database connection, so everything it reads must really be committed: this test uses a
council of its own, made and dropped here (its audit trail, which cannot be deleted, goes with its schema).
"""

import time
from collections.abc import Iterator

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from config.celery import app
from core.accounts.models import User
from core.audit.origin import Origin
from core.directory.models import Agency, ApprovalState, ImportJob, ImportKind, ImportStatus, Invitation, Practitioner
from core.directory.services.imports import import_job_start
from core.notifications.models import Notification
from onboarding.services.provisioning import council_create, council_provision
from tenants.models import Council
from tenants.services.schemas import council_schema_drop

pytestmark = pytest.mark.council_side

ROWS = [
    "first_name,last_name,email,agency,job_title,role",
    "Amy,Collier,amy.collier@worker-import.example,Worker Import Agency,Social worker,",
    "Gareth,Hollis,gareth.hollis@worker-import.example,Worker Import Agency,Manager,agency_manager",
    "Kate,Lowe,kate.lowe@elsewhere.example,Worker Import Agency,Officer,",
]


@pytest.fixture
def committed_council(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[Council]:
    with django_db_blocker.unblock():
        council = council_create(name="Worker Import Council", slug="worker-import", jurisdiction="england")
        council_provision(council_id=council.pk)
        try:
            yield council
        finally:
            connection.set_schema_to_public()
            council_schema_drop(council=council)
            Council.objects.filter(pk=council.pk).delete()


def _administrator() -> Practitioner:
    agency = Agency.objects.create(
        name="Worker Import Agency",
        agency_type="statutory",
        email_domains=["worker-import.example"],
        approval_state=ApprovalState.APPROVED,
    )
    user = User(email="admin@worker-import.example", first_name="Ada", last_name="Admin")
    user.set_unusable_password()
    user.save()
    return Practitioner.objects.create(
        user=user, agency=agency, job_title="Administrator", is_council_admin=True, verified_at=timezone.now()
    )


def _wait_for(condition: object, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError("the worker did not finish in time")


def test_an_uploaded_file_is_imported_by_a_worker_in_its_own_council(
    committed_council: Council, django_db_blocker: pytest.FixtureRequest
) -> None:
    schema = committed_council.schema_name
    with (
        django_db_blocker.unblock(),
        start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"),
        schema_context(schema),
    ):
        admin = _administrator()
        job = import_job_start(
            actor=admin,
            kind=ImportKind.PRACTITIONERS,
            file_name="people.csv",
            data="\n".join(ROWS).encode(),
            origin=Origin(base_url="http://worker-import.localhost"),
        )
        assert job.status == ImportStatus.QUEUED  # it commits, and the worker takes it from there

        _wait_for(lambda: ImportJob.objects.get(pk=job.pk).status == ImportStatus.DONE)
        _wait_for(lambda: not Notification.objects.filter(sent_at__isnull=True).exists())
        job.refresh_from_db()
        assert (job.processed_rows, job.imported_rows, job.skipped_rows, job.failed_rows) == (3, 2, 0, 1)
        assert set(Invitation.objects.values_list("email", flat=True)) == {
            "amy.collier@worker-import.example",
            "gareth.hollis@worker-import.example",
        }
        assert job.problems.get().row_number == 4
    delivered = sorted(address for message in mail.outbox for address in message.to)
    assert delivered == ["amy.collier@worker-import.example", "gareth.hollis@worker-import.example"]
    assert all("http://worker-import.localhost/invitations/" in message.body for message in mail.outbox)
