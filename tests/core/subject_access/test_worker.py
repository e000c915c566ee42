"""The export through a real Celery worker and Redis broker: starting it commits, the task is sent with the
council's schema, a worker exports the client in that council with its progress saved, and the officer downloads
it once.

The worker has its own database connection, so everything it reads must really be committed: this test uses a
council of its own, made and dropped here (its audit trail, which cannot be deleted, goes with its schema).
"""

import datetime
import io
import json
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django_tenants.utils import schema_context

from config.celery import app
from core.audit.models import AuditAction, AuditEvent
from core.audit.origin import NO_ORIGIN
from core.subject_access.models import SubjectAccessRequest
from core.subject_access.services.exports import (
    download_token,
    subject_access_download,
    subject_access_export_start,
)
from core.subject_access.services.requests import subject_access_record
from tenants.models import Council
from tests.concurrency import council_of_its_own
from tests.core.subject_access.conftest import stored
from tests.factories import AgencyFactory, ClientFactory, InvolvementFactory, verified_practitioner

pytestmark = pytest.mark.council_side
State = SubjectAccessRequest.State


@pytest.fixture
def committed_council(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[Council]:
    with django_db_blocker.unblock(), council_of_its_own("sarworker") as council:
        yield council


def _wait_for(condition: object, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError("the worker did not finish in time")


def test_a_worker_exports_the_client_in_its_own_council_and_it_is_downloaded_once(
    committed_council: Council, django_db_blocker: pytest.FixtureRequest, private_root: Path
) -> None:
    with (
        django_db_blocker.unblock(),
        start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"),
        schema_context(committed_council.schema_name),
    ):
        agency = AgencyFactory(name="Worker SAR Agency", email_domains=["sar-worker.example"])
        officer = verified_practitioner(agency, "Orla", "Officer", is_privacy_officer=True)
        worker = verified_practitioner(agency, "Wyn", "Worker")
        client = ClientFactory(first_name="Nguyễn", surname="Thảo")
        InvolvementFactory(client=client, practitioner=worker, role="Family support")
        sar = subject_access_record(
            actor=officer,
            client=client,
            received_on=datetime.date(2026, 1, 31),
            origin=NO_ORIGIN,
            today=datetime.date(2026, 2, 2),
        )
        started = subject_access_export_start(actor=officer, request_id=sar.pk, origin=NO_ORIGIN)
        assert started.state == State.EXPORTING  # it commits, and the worker takes it from there

        _wait_for(lambda: SubjectAccessRequest.objects.get(pk=sar.pk).state != State.EXPORTING)
        ready = SubjectAccessRequest.objects.get(pk=sar.pk)
        assert (ready.state, ready.error) == (State.READY, "")
        assert ready.steps_done == ready.steps_total > 0
        assert all(
            entry["key"].startswith(f"subject-access/{committed_council.schema_name}/{sar.pk}/")
            for entry in ready.files
        )
        assert len(stored(private_root)) == 3
        assert AuditEvent.objects.filter(action=AuditAction.SUBJECT_ACCESS_EXPORTED, object_id=str(sar.pk)).count() == 1

        download = subject_access_download(actor=officer, token=download_token(ready), origin=NO_ORIGIN)
        document = json.loads(zipfile.ZipFile(io.BytesIO(download.content)).read("subject-access.json"))
        assert document["client"]["name"] == "Nguyễn Thảo"
        assert document["council"]["schema"] == committed_council.schema_name
        team = next(section for section in document["sections"] if section["key"] == "clients.Involvement")
        assert [row["practitioner"] for row in team["rows"]] == ["Wyn Worker (Worker SAR Agency)"]
        assert stored(private_root) == []  # deleted once the download committed
        assert SubjectAccessRequest.objects.get(pk=sar.pk).state == State.DOWNLOADED
