"""The nightly job through a real Celery worker and Redis: the platform task fans out to each council in use, the
council task lists what is due there; approving the list sends the erasure to the worker, which erases it.

The worker has its own connection, so everything must be committed: this test makes (and drops) its own council."""

import datetime
import time
from collections.abc import Iterator

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from config.celery import app
from core.accounts.models import User
from core.audit.origin import NO_ORIGIN
from core.clients.models import Client
from core.directory.models import Agency, ApprovalState, Practitioner
from core.retention.models import RetentionRun
from core.retention.services.runs import retention_run_approve
from core.retention.tasks import retention_run_prepare_all
from onboarding.services.provisioning import council_create, council_provision
from tenants.models import Council
from tenants.services.schemas import council_schema_drop
from tests.factories import ClientFactory

pytestmark = pytest.mark.council_side


@pytest.fixture
def committed_council(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[Council]:
    with django_db_blocker.unblock():
        council = council_create(name="Retention Worker Council", slug="retention-worker", jurisdiction="england")
        council_provision(council_id=council.pk)
        try:
            yield council
        finally:
            connection.set_schema_to_public()
            council_schema_drop(council=council)
            Council.objects.filter(pk=council.pk).delete()


def _wait_for(condition: object, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError("the worker did not finish in time")


def _officer() -> Practitioner:
    agency = Agency.objects.create(
        name="Worker IG", agency_type="statutory", email_domains=["ig.example"], approval_state=ApprovalState.APPROVED
    )
    user = User(email="officer@ig.example", first_name="Olga", last_name="Officer")
    user.set_unusable_password()
    user.save()
    return Practitioner.objects.create(
        user=user, agency=agency, job_title="DPO", is_privacy_officer=True, verified_at=timezone.now()
    )


def test_the_nightly_job_lists_in_each_council_and_an_approved_list_is_erased_by_the_worker(
    committed_council: Council, django_db_blocker: pytest.FixtureRequest
) -> None:
    schema = committed_council.schema_name
    with django_db_blocker.unblock(), start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        with schema_context(schema):
            officer = _officer()
            old = ClientFactory(first_name="Olive", surname="Oldfield")
            Client.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=365 * 7))
        retention_run_prepare_all.delay()  # from the platform, as beat sends it
        with schema_context(schema):
            _wait_for(lambda: RetentionRun.objects.filter(state=RetentionRun.State.PENDING).exists())
            run = RetentionRun.objects.get(state=RetentionRun.State.PENDING)
            assert run.counts["clients"] == 1
            retention_run_approve(actor=officer, run_id=run.pk, origin=NO_ORIGIN)  # commits, then sends the erasure
            _wait_for(lambda: RetentionRun.objects.get(pk=run.pk).state == RetentionRun.State.FINISHED)
            assert not Client.objects.filter(pk=old.pk).exists()
            assert RetentionRun.objects.get(pk=run.pk).erased["clients"] == 1
