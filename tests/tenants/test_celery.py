"""Celery tasks carry their council: a real worker, a real Redis broker, real schemas.

The probe task below reports the schema it ran in and the legal bases it can see there, which
differ between an English and a Victorian council.
"""

from collections.abc import Iterator

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from config.celery import app
from core.governance.models import LegalBasis
from tenants.models import Council
from tenants.tasks_base import CouncilContextMissing, CouncilTask

pytestmark = pytest.mark.council_side


@app.task(base=CouncilTask, name="tests.council_probe")
def council_probe() -> dict[str, object]:
    return {
        "schema": connection.schema_name,
        "legal_bases": sorted(LegalBasis.objects.values_list("code", flat=True)),
        "time_zone": timezone.get_current_timezone_name(),
    }


@pytest.fixture(scope="module")
def celery_worker(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[None]:
    with django_db_blocker.unblock(), start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        yield


def test_task_sent_from_council_a_runs_in_council_a(
    celery_worker: None, council_a: Council, council_b: Council
) -> None:
    with schema_context(council_a.schema_name):
        result_a = council_probe.delay()
    with schema_context(council_b.schema_name):
        result_b = council_probe.delay()
    ran_a = result_a.get(timeout=30)
    ran_b = result_b.get(timeout=30)
    assert ran_a["schema"] == council_a.schema_name
    assert "children-act-2004-s10-s11" in ran_a["legal_bases"]
    assert ran_b["schema"] == council_b.schema_name
    assert "cwsa-2005-part-6a" in ran_b["legal_bases"]
    # "Today" in a council's background work is the council's own day.
    assert ran_a["time_zone"] == "Europe/London"
    assert ran_b["time_zone"] == "Australia/Melbourne"


def test_task_sent_without_a_council_refuses_to_run(celery_worker: None, db: None) -> None:
    result = council_probe.apply_async(headers={"_schema_name": None})
    with pytest.raises(CouncilContextMissing):
        result.get(timeout=30)


def test_task_sent_from_the_platform_refuses_to_run(celery_worker: None, db: None) -> None:
    connection.set_schema_to_public()
    result = council_probe.delay()
    with pytest.raises(CouncilContextMissing):
        result.get(timeout=30)
    assert result.state == "FAILURE"
