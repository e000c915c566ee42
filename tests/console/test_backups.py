"""Backing a council up from the console: "Back up now" queues a platform task that makes the archive, the page
shows that it exists (size, SHA-256, counts) and nothing of its content, and no one but platform staff on the
platform's own host can ask for one. The archive goes to private storage: S3 with SSE-KMS in production (moto).
"""

import json
import tarfile
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import LazySettings
from django.core.files.storage import storages
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context
from moto import mock_aws

from config.celery import app
from console.services.backups import council_backup_record, council_backup_request
from console.tasks import council_backup_task
from core.accounts.models import User
from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from tenants.models import BackupStatus, Council, CouncilBackup, CouncilStatus
from tests.conftest import sign_in
from tests.factories import PractitionerFactory, UserFactory
from tests.tenants.council_data import council_fill, file_storages

__all__ = ["file_storages"]

pytestmark = pytest.mark.platform_side

BACKUPS = "/console/councils/alpha/backups/"


@pytest.fixture
def operator(db: None) -> User:
    return UserFactory(email="ops@patchwork.example", is_staff=True)


@pytest.fixture
def console(platform_client: Client, operator: User) -> Client:
    sign_in(platform_client, operator)
    return platform_client


def _events(council: Council) -> list[AuditEvent]:
    with schema_context("public"):
        return list(AuditEvent.objects.filter(action=AuditAction.COUNCIL_BACKED_UP, object_id=council.slug))


def test_back_up_now_records_a_backup_and_shows_its_progress_page(
    console: Client, council_a: Council, operator: User
) -> None:
    page = console.get(BACKUPS).content.decode()
    assert "Back up now" in page
    assert "No backups yet." in page

    response = console.post(BACKUPS)

    backup = CouncilBackup.objects.get(council=council_a)
    assert response.status_code == 302
    assert response.url == f"/console/councils/alpha/backups/{backup.pk}/"
    assert (backup.status, backup.requested_by_id) == (BackupStatus.QUEUED, operator.pk)
    progress = console.get(response.url).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in progress
    assert "Queued" in progress


def test_a_second_backup_while_one_is_running_is_refused(console: Client, council_a: Council) -> None:
    console.post(BACKUPS)
    response = console.post(BACKUPS)
    assert response.status_code == 409
    assert "A backup of Alpha District Council is already being made. Nothing was changed." in response.content.decode()
    assert CouncilBackup.objects.filter(council=council_a).count() == 1


def test_a_closed_council_is_not_backed_up(console: Client, council_a: Council) -> None:
    Council.objects.filter(pk=council_a.pk).update(status=CouncilStatus.CLOSED)
    assert "Back up now" not in console.get(BACKUPS).content.decode()
    assert console.post(BACKUPS).status_code == 409
    assert not CouncilBackup.objects.filter(council=council_a).exists()


def test_the_console_shows_numbers_of_a_backup_never_its_content_and_offers_no_download(
    console: Client, council_a: Council, file_storages: dict[str, Path]
) -> None:
    council_fill(council_a, marker="visible")
    backup = council_backup_request(council=council_a, actor=None, queue=False)
    backup = council_backup_record(backup_id=backup.pk)

    page = console.get(f"/console/councils/alpha/backups/{backup.pk}/").content.decode()
    listing = console.get(BACKUPS).content.decode()

    assert backup.sha256 in page
    assert f"{backup.size} bytes" in page
    assert "clients_client" in page  # row counts per table: numbers, not rows
    for text in (page, listing):
        assert "Zoëvisible" not in text
        assert "Briain" not in text
        assert backup.storage_name not in text
        assert ".tar.gz" not in text
    assert 'http-equiv="refresh"' not in page  # finished: no reload (table names may say "refresh")
    [event] = _events(council_a)
    assert event.outcome == AuditOutcome.SUCCESS
    assert event.changes["archive"]["sha256"] == backup.sha256
    assert event.council == "public"


def test_only_platform_staff_on_the_platform_host_can_back_up(
    platform_client: Client, council_a: Council, client_a: Client
) -> None:
    staff_elsewhere = UserFactory(email="not-staff@patchwork.example", is_staff=False)
    sign_in(platform_client, staff_elsewhere)
    assert platform_client.post(BACKUPS).status_code == 403
    assert platform_client.get(BACKUPS).status_code == 403

    with schema_context(council_a.schema_name):
        practitioner = PractitionerFactory(user__is_staff=True)  # "staff" of the council: nothing on the platform
    sign_in(client_a, practitioner.user, council_a)
    assert client_a.post(BACKUPS).status_code == 404  # the console is not on a council's host
    assert client_a.get(BACKUPS).status_code == 404

    assert Client(HTTP_HOST="localhost").post(BACKUPS).status_code == 302  # not signed in: to sign in
    assert not CouncilBackup.objects.filter(council=council_a).exists()


def test_another_councils_backup_is_not_found_under_this_council(console: Client, council_b: Council) -> None:
    backup = council_backup_request(council=council_b, actor=None, queue=False)
    assert console.get(f"/console/councils/alpha/backups/{backup.pk}/").status_code == 404
    assert console.get(f"/console/councils/beta/backups/{backup.pk}/").status_code == 200
    assert console.get("/console/councils/nowhere/backups/").status_code == 404


@pytest.fixture
def committed_backup(
    django_db_setup: None, django_db_blocker: pytest.FixtureRequest, file_storages: dict[str, Path]
) -> Iterator[CouncilBackup]:
    """A backup requested and committed, for a real worker's own connection to see; removed afterwards."""
    with django_db_blocker.unblock():
        council = Council.objects.get(slug="alpha")
        backup = council_backup_request(council=council, actor=None, queue=False)
        try:
            yield backup
        finally:
            connection.set_schema_to_public()
            CouncilBackup.objects.filter(pk=backup.pk).delete()


def test_the_backup_task_makes_the_archive_in_a_real_worker(
    committed_backup: CouncilBackup, django_db_blocker: pytest.FixtureRequest
) -> None:
    with django_db_blocker.unblock(), start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        result = council_backup_task.delay(committed_backup.pk)
        sha256 = result.get(timeout=60)
        backup = CouncilBackup.objects.get(pk=committed_backup.pk)
        assert backup.status == BackupStatus.DONE
        assert backup.sha256 == sha256
        assert backup.progress == 100
        assert backup.storage_name.startswith("backups/council_alpha/")
        assert backup.storage_name.endswith(".tar.gz")
        storage = storages["private"]
        assert storage.size(backup.storage_name) == backup.size
        with storage.open(backup.storage_name, "rb") as archive, tarfile.open(fileobj=archive) as unpacked:
            manifest = json.load(unpacked.extractfile("manifest.json"))  # type: ignore[arg-type]
        assert manifest["council"]["slug"] == "alpha"
        assert {table: spec["rows"] for table, spec in manifest["tables"].items()} == backup.table_rows
        # Run again (a redelivered message): nothing is made twice.
        assert council_backup_task.delay(committed_backup.pk).get(timeout=60) == sha256
        assert storage.listdir("backups/council_alpha")[1] == [backup.storage_name.rsplit("/", 1)[1]]


@pytest.fixture
def s3_storages(settings: LazySettings) -> Iterator[object]:
    """The production storages (settings/production.py): one private bucket, SSE-KMS, through moto."""
    with mock_aws():
        client = boto3.client("s3", region_name="eu-west-2")
        client.create_bucket(Bucket="patchwork-test", CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
        options = {
            "bucket_name": "patchwork-test",
            "region_name": "eu-west-2",
            "default_acl": "private",
            "querystring_auth": True,
            "object_parameters": {"ServerSideEncryption": "aws:kms"},
        }
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
            "private": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {**options, "location": "private", "file_overwrite": False},
            },
        }
        yield client


def test_a_backup_in_s3_is_kept_encrypted_with_kms_under_the_councils_prefix(
    council_a: Council, council_b: Council, s3_storages: object
) -> None:
    client = s3_storages
    council_fill(council_a, marker="s3")
    council_fill(council_b, marker="other")

    backup = council_backup_record(backup_id=council_backup_request(council=council_a, actor=None, queue=False).pk)

    key = f"private/{backup.storage_name}"
    head = client.head_object(Bucket="patchwork-test", Key=key)  # type: ignore[attr-defined]
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["ContentLength"] == backup.size
    assert backup.file_count == 3  # council A's own three files, none of council B's
    body = client.get_object(Bucket="patchwork-test", Key=key)["Body"]  # type: ignore[attr-defined]
    with tarfile.open(fileobj=body, mode="r|gz") as archive:
        names = [member.name for member in archive]
    assert "files/private/agreements/council_alpha/agreements3.pdf" in names
    assert "files/default/practitioners/council_alpha/photos3.jpg" in names
    assert not [name for name in names if "council_beta" in name]


@pytest.mark.database_owner
def test_the_commands_back_up_to_a_file_and_restore_it_into_a_new_schema(
    council_a: Council, file_storages: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tenants.services.backups import table_checksums

    council_fill(council_a, marker="cmd")
    archive = tmp_path / "alpha.tar.gz"
    call_command("council_backup", "alpha", "--output", str(archive))
    printed = capsys.readouterr().out
    backup = CouncilBackup.objects.get(council=council_a)
    assert f"SHA-256: {backup.sha256}" in printed
    assert backup.storage_name == ""  # written where it was asked, not into the storage

    call_command("council_restore", "alpha", str(archive), "--into-schema", "alpha_inspect", "--reason", "drill")
    assert table_checksums("alpha_inspect") == table_checksums("council_alpha")
    with pytest.raises(CommandError, match=r"not 'beta'.*Nothing was changed"):
        call_command("council_restore", "beta", str(archive), "--replace")
    with pytest.raises(CommandError, match="exists already"):
        call_command("council_backup", "alpha", "--output", str(archive))
    with schema_context("public"):
        restored = AuditEvent.objects.filter(
            action=AuditAction.COUNCIL_RESTORED,
            path="manage.py council_restore",  # not a worker test's, committed
        ).order_by("occurred_at", "id")
        assert [(event.object_id, event.outcome) for event in restored] == [
            ("alpha", AuditOutcome.SUCCESS),
            ("beta", AuditOutcome.FAILURE),
        ]
        assert restored[0].reason == "drill"
        assert restored[0].path == "manage.py council_restore"
