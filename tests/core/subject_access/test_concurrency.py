"""Two downloads of the same export at the same moment, each on its own connection: exactly one gets the files;
the other is told it was already downloaded, never a server error, and nothing is downloaded twice."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent
from core.audit.origin import NO_ORIGIN
from core.subject_access.models import SubjectAccessRequest
from core.subject_access.services.exports import (
    Download,
    DownloadRefused,
    download_token,
    subject_access_download,
    subject_access_export,
    subject_access_export_start,
)
from core.subject_access.services.requests import subject_access_record
from tenants.models import Council
from tests.concurrency import at_the_same_moment, council_of_its_own
from tests.core.subject_access.conftest import stored
from tests.factories import AgencyFactory, ClientFactory, verified_practitioner

pytestmark = pytest.mark.council_side


@pytest.fixture
def db(django_db_setup: None) -> None:
    """The test database without the usual rolled-back transaction: the threads' connections must see the data."""


@pytest.fixture
def council(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[Council]:
    with django_db_blocker.unblock(), council_of_its_own("sarrace") as council:
        yield council


def test_two_downloads_at_once_give_the_files_once(
    db: None, council: Council, django_db_blocker: pytest.FixtureRequest, private_root: Path
) -> None:
    import datetime

    with django_db_blocker.unblock():
        with schema_context(council.schema_name):
            agency = AgencyFactory(name="Race Governance", email_domains=["sar-race.example"])
            officer = verified_practitioner(agency, "Rae", "Officer", is_privacy_officer=True)
            sar = subject_access_record(
                actor=officer,
                client=ClientFactory(),
                received_on=datetime.date(2026, 1, 31),
                origin=NO_ORIGIN,
                today=datetime.date(2026, 2, 1),
            )
            subject_access_export_start(actor=officer, request_id=sar.pk, origin=NO_ORIGIN)
            token = download_token(subject_access_export(request_id=sar.pk))
        connection.set_schema_to_public()

        def download() -> Download | DownloadRefused:
            with schema_context(council.schema_name):
                try:
                    return subject_access_download(actor=officer, token=token, origin=NO_ORIGIN)
                except DownloadRefused as refusal:
                    return refusal

        results = at_the_same_moment(
            [download, download], hold=f"{council.schema_name}.subject_access_subjectaccessrequest"
        )
        got = [result for result in results if isinstance(result, Download)]
        refused = [result for result in results if isinstance(result, DownloadRefused)]
        assert len(got) == 1
        assert [(refusal.status, refusal.title) for refusal in refused] == [
            (410, "This export has already been downloaded")
        ]
        with schema_context(council.schema_name):
            assert AuditEvent.objects.filter(action=AuditAction.SUBJECT_ACCESS_DOWNLOADED).count() == 1
            assert SubjectAccessRequest.objects.get(pk=sar.pk).state == SubjectAccessRequest.State.DOWNLOADED
        assert stored(private_root) == []
