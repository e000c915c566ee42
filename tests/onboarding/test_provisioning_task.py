"""Provisioning runs in the background: the Celery task, through a real Redis broker and worker.

The council row must be committed for the worker's own database connection to see it, so this
test commits it (outside the usual rolled-back test transaction) and removes it afterwards.
"""

from collections.abc import Iterator

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection

from config.celery import app
from onboarding.services.provisioning import ProvisioningRefused, council_create
from onboarding.tasks import council_provision_task
from tenants.models import Council, CouncilStatus
from tenants.schema_state import schema_exists
from tenants.services.schemas import council_schema_drop

pytestmark = pytest.mark.platform_side


@pytest.fixture
def committed_council(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[Council]:
    with django_db_blocker.unblock():
        council = council_create(name="Queued Borough Council", slug="queued", jurisdiction="england")
        try:
            yield council
        finally:
            connection.set_schema_to_public()
            council_schema_drop(council=council)
            Council.objects.filter(pk=council.pk).delete()


def test_the_provisioning_task_provisions_the_council_in_a_worker(
    committed_council: Council, django_db_blocker: pytest.FixtureRequest
) -> None:
    with django_db_blocker.unblock(), start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        result = council_provision_task.delay(committed_council.pk)
        assert result.get(timeout=60) == "queued"
        committed_council.refresh_from_db()
        assert committed_council.status == CouncilStatus.LIVE
        assert committed_council.provisioning_progress == 100
        assert schema_exists("council_queued")
        assert committed_council.domains.get().domain == "queued.localhost"


def test_the_provisioning_task_refuses_a_closed_council(db: None) -> None:
    council = council_create(name="Closed Council", slug="closed", jurisdiction="england")
    Council.objects.filter(pk=council.pk).update(status=CouncilStatus.CLOSED)
    with pytest.raises(ProvisioningRefused, match="closed"):
        council_provision_task.apply(args=[council.pk])
    assert not schema_exists("council_closed")
