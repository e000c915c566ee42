"""Restoring a kept backup from the console: "Restore…" on a council's backups page asks where (a new schema, or
over the council's own with its slug typed) and why, records a restore and queues a platform task; the task checks
the archive (its SHA-256 against the backup's, then every member) and calls ``council_restore``; COUNCIL_RESTORED
is recorded in the platform's trail. Every refusal leaves everything as it was.

Restoring is the owner role's work (``owner_connection``, never inside a transaction): the tests that run it in
their own rolled-back transaction run as the owner (``database_owner``); the real worker runs as the application
role and switches to the owner itself, as in production.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context
from psycopg import sql

from config.celery import app
from console.services.backups import council_backup_record, council_backup_request, council_restore_request
from console.services.offboarding import offboarding_start
from console.tasks import council_restore_task
from core.accounts.models import User
from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.clients.models import Client as CouncilClient
from tenants.models import (
    BackupStatus,
    Council,
    CouncilBackup,
    CouncilRestore,
    CouncilStatus,
    Offboarding,
    RestoreMode,
)
from tenants.schema_state import schema_exists
from tenants.services.backups import ArchiveRefused, RestoreRefused, archive_sha256, council_cache_keys, table_checksums
from tenants.services.database_roles import owner_connection
from tenants.services.offboarding import OffboardingRefused
from tests.conftest import sign_in
from tests.factories import PractitionerFactory, UserFactory
from tests.tenants.council_data import council_fill, file_storages, storage_contents
from tests.tenants.test_backups import _tampered

__all__ = ["file_storages"]

pytestmark = pytest.mark.platform_side


@pytest.fixture
def operator(db: None) -> User:
    return UserFactory(email="ops@patchwork.example", is_staff=True)


@pytest.fixture
def console(platform_client: Client, operator: User) -> Client:
    sign_in(platform_client, operator)
    return platform_client


def _kept_backup(council: Council) -> CouncilBackup:
    """A backup made and kept in private storage, as "Back up now" leaves it."""
    return council_backup_record(backup_id=council_backup_request(council=council, actor=None, queue=False).pk)


@pytest.fixture
def backup(council_a: Council, file_storages: dict[str, Path]) -> CouncilBackup:
    council_fill(council_a, marker="a")
    return _kept_backup(council_a)


def _restore_url(backup: CouncilBackup, slug: str = "alpha") -> str:
    return f"/console/councils/{slug}/backups/{backup.pk}/restore/"


def _restored_events(council: Council) -> list[AuditEvent]:
    with schema_context("public"):
        return list(
            AuditEvent.objects.filter(
                action=AuditAction.COUNCIL_RESTORED, object_id=council.slug, path="console.council_restore"
            ).order_by("occurred_at", "id")
        )


def _state(schema: str = "council_alpha") -> tuple[object, ...]:
    """Everything a refused restore must leave as it was: the council's tables, files and cache keys, the
    restores recorded, and which schemas exist."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace ORDER BY nspname")
        schemas = [name for (name,) in cursor.fetchall()]
    return (
        table_checksums(schema),
        storage_contents(schema),
        sorted(council_cache_keys(schema=schema)),
        list(CouncilRestore.objects.values_list("pk", "status")),
        schemas,
    )


# --- The pages --------------------------------------------------------------------------------------------------


def test_the_backups_page_offers_restore_for_a_kept_backup_and_the_page_says_what_will_happen(
    console: Client, backup: CouncilBackup
) -> None:
    listing = console.get("/console/councils/alpha/backups/").content.decode()
    assert f'href="{_restore_url(backup)}"' in listing
    assert "Restore…" in listing

    page = console.get(_restore_url(backup)).content.decode()

    assert "Into a new schema" in page
    assert "keeps running on its own schema" in page
    assert "Over the council&#x27;s own schema" in page
    assert "Everyone signed in to its site is signed out" in page
    assert "type alpha" in page
    assert backup.sha256 in page
    assert 'name="reason"' in page
    assert "Zoëa" not in page  # numbers of the backup, never its content


def test_a_backup_not_kept_in_storage_offers_no_restore(console: Client, council_a: Council) -> None:
    written_elsewhere = council_backup_request(council=council_a, actor=None, queue=False)
    CouncilBackup.objects.filter(pk=written_elsewhere.pk).update(status=BackupStatus.DONE, sha256="0" * 64)
    assert "Restore…" not in console.get("/console/councils/alpha/backups/").content.decode()
    response = console.post(_restore_url(written_elsewhere), {"mode": "new_schema", "into_schema": "x1", "reason": "r"})
    assert response.status_code == 409
    assert "not kept in the platform" in response.content.decode()
    assert not CouncilRestore.objects.exists()


# --- Restoring --------------------------------------------------------------------------------------------------


@pytest.mark.database_owner
def test_restoring_into_a_new_schema_from_the_console(
    console: Client, council_a: Council, backup: CouncilBackup, operator: User
) -> None:
    response = console.post(
        _restore_url(backup), {"mode": "new_schema", "into_schema": "alpha_inspect", "reason": "Ticket 42: a check"}
    )

    restore = CouncilRestore.objects.get()
    assert response.status_code == 302
    assert response.url == f"/console/councils/alpha/restores/{restore.pk}/"
    assert (restore.status, restore.mode, restore.target_schema) == (
        BackupStatus.QUEUED,
        RestoreMode.NEW_SCHEMA,
        "alpha_inspect",
    )
    assert (restore.requested_by_id, restore.backup_sha256) == (operator.pk, backup.sha256)
    queued = console.get(response.url).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in queued
    assert not schema_exists("alpha_inspect")  # nothing is done in the request

    assert council_restore_task(restore.pk) == "alpha_inspect"

    assert table_checksums("alpha_inspect") == table_checksums("council_alpha")
    restore.refresh_from_db()
    assert (restore.status, restore.progress, restore.attempts) == (BackupStatus.DONE, 100, 1)
    assert restore.table_rows["clients_client"] == 3
    page = console.get(response.url).content.decode()
    assert 'http-equiv="refresh"' not in page
    assert f"{restore.rows} rows in" in page
    assert "Zoëa" not in page  # counts, never content (AZ-4)
    assert "Briain" not in page
    [event] = _restored_events(council_a)
    assert event.outcome == AuditOutcome.SUCCESS
    assert event.actor_id == operator.pk
    assert event.council == "public"
    assert event.reason == f"Ticket 42: a check (restore {restore.pk})"
    assert event.changes["restore"]["sha256"] == backup.sha256
    assert event.changes["restore"]["target"] == "alpha_inspect"
    assert event.changes["restore"]["replace"] is False
    listing = console.get("/console/councils/alpha/backups/").content.decode()
    assert listing.count("Restores</caption>") == 1
    assert "alpha_inspect" in listing
    assert "<table" not in listing.split("<title>")[1].split("</title>")[0]
    # Run again (a redelivered message): a finished restore is left as it is.
    assert council_restore_task(restore.pk) == "alpha_inspect"
    assert len(_restored_events(council_a)) == 1


@pytest.mark.database_owner
def test_restoring_over_the_council_after_a_change_brings_the_change_back_out(
    console: Client, council_a: Council, file_storages: dict[str, Path]
) -> None:
    council_fill(council_a, marker="a")
    before_tables = table_checksums("council_alpha")
    backup = _kept_backup(council_a)
    before_files = storage_contents("council_alpha")  # the backup's own archive among them, kept
    council_fill(council_a, marker="later")  # rows, files, a session and cache keys made after the backup
    with schema_context("council_alpha"):
        CouncilClient.objects.filter(first_name="Zoëa").update(surname="Changed")
    assert table_checksums("council_alpha") != before_tables
    assert council_cache_keys(schema="council_alpha")

    response = console.post(
        _restore_url(backup), {"mode": "replace", "confirm": "alpha", "reason": "The import went wrong"}
    )
    restore = CouncilRestore.objects.get()
    assert response.status_code == 302
    assert (restore.mode, restore.target_schema) == (RestoreMode.REPLACE, "council_alpha")

    council_restore_task(restore.pk)

    assert table_checksums("council_alpha") == before_tables
    assert storage_contents("council_alpha") == before_files
    assert council_cache_keys(schema="council_alpha") == []  # sessions end with the data they described
    with schema_context("council_alpha"):
        assert not CouncilClient.objects.filter(surname="Changed").exists()
        assert cache.get("filleda") is None
    restore.refresh_from_db()
    assert (restore.status, restore.files_removed) == (BackupStatus.DONE, 3)
    assert restore.cache_keys_deleted > 0
    [event] = _restored_events(council_a)
    assert event.outcome == AuditOutcome.SUCCESS
    assert (event.changes["restore"]["target"], event.changes["restore"]["replace"]) == ("council_alpha", True)
    assert event.changes["restore"]["sha256"] == backup.sha256


# --- Refusals: a clear error and nothing changed ------------------------------------------------------------------


@pytest.mark.database_owner
def test_an_archive_whose_checks_fail_is_refused_by_the_task_and_nothing_changes(
    console: Client, council_a: Council, backup: CouncilBackup, tmp_path: Path, operator: User
) -> None:
    council_fill(council_a, marker="later")
    storage = storages["private"]
    good = tmp_path / "good.tar.gz"
    good.write_bytes(storage.open(backup.storage_name, "rb").read())
    damaged = _tampered(good, tmp_path / "bad.tar.gz", member="data/clients_client.csv", content=b"id\n1\n")
    storage.delete(backup.storage_name)
    storage.save(backup.storage_name, ContentFile(damaged.read_bytes()))
    console.post(_restore_url(backup), {"mode": "replace", "confirm": "alpha", "reason": "drill"})
    restore = CouncilRestore.objects.get()
    before = _state()[:3]

    # The archive is not the one the backup recorded: refused before it is even opened.
    with pytest.raises(ArchiveRefused, match="SHA-256"):
        council_restore_task(restore.pk)
    restore.refresh_from_db()
    assert restore.status == BackupStatus.FAILED
    assert f"not the {backup.sha256} recorded" in restore.error
    assert _state()[:3] == before
    page = console.get(f"/console/councils/alpha/restores/{restore.pk}/").content.decode()
    assert "The restore stopped" in page
    assert "Run the restore again" in page

    # Even with the row rewritten to match, a member that differs from the manifest is refused.
    CouncilBackup.objects.filter(pk=backup.pk).update(sha256=archive_sha256(damaged))
    CouncilRestore.objects.filter(pk=restore.pk).update(backup_sha256=archive_sha256(damaged))
    assert console.post(f"/console/councils/alpha/restores/{restore.pk}/").status_code == 302  # run again
    with pytest.raises(ArchiveRefused, match="SHA-256 mismatch"):
        council_restore_task(restore.pk)
    restore.refresh_from_db()
    assert (restore.status, restore.attempts) == (BackupStatus.FAILED, 2)
    assert "SHA-256 mismatch: data/clients_client.csv" in restore.error
    assert _state()[:3] == before
    events = _restored_events(council_a)
    assert [event.outcome for event in events] == [AuditOutcome.FAILURE, AuditOutcome.FAILURE]
    assert all(event.actor_id == operator.pk for event in events)


@pytest.mark.database_owner
def test_a_failed_restore_run_again_once_the_archive_is_sound_is_done(
    console: Client, council_a: Council, backup: CouncilBackup, tmp_path: Path
) -> None:
    storage = storages["private"]
    good = storage.open(backup.storage_name, "rb").read()
    storage.delete(backup.storage_name)  # the archive missing (storage trouble)
    console.post(_restore_url(backup), {"mode": "new_schema", "into_schema": "alpha_again", "reason": "drill"})
    restore = CouncilRestore.objects.get()
    with pytest.raises(ArchiveRefused, match="missing"):
        council_restore_task(restore.pk)
    assert not schema_exists("alpha_again")
    storage.save(backup.storage_name, ContentFile(good))

    assert console.post(f"/console/councils/alpha/restores/{restore.pk}/").status_code == 302
    restore.refresh_from_db()
    assert (restore.status, restore.error) == (BackupStatus.QUEUED, "")
    council_restore_task(restore.pk)

    restore.refresh_from_db()
    assert (restore.status, restore.attempts) == (BackupStatus.DONE, 2)
    assert table_checksums("alpha_again") == table_checksums("council_alpha")
    # A finished restore is not run again.
    assert console.post(f"/console/councils/alpha/restores/{restore.pk}/").status_code == 409


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"mode": "new_schema", "into_schema": "council_beta", "reason": "r"}, "into_schema", "belongs to a council"),
        ({"mode": "new_schema", "into_schema": "public", "reason": "r"}, "into_schema", "not a name a council schema"),
        ({"mode": "new_schema", "into_schema": "Bad-Name", "reason": "r"}, "into_schema", "not a name a council"),
        ({"mode": "new_schema", "into_schema": "", "reason": "r"}, "into_schema", "Enter the name of the new schema"),
        ({"mode": "replace", "confirm": "beta", "reason": "r"}, "confirm", "Type alpha to confirm"),
        ({"mode": "replace", "confirm": "", "reason": "r"}, "confirm", "Type alpha to confirm"),
        ({"mode": "replace", "confirm": "alpha", "reason": ""}, "reason", "Enter why you are restoring"),
        ({"mode": "replace", "confirm": "alpha", "reason": "x" * 301}, "reason", "300 characters or fewer"),
        ({"into_schema": "alpha_x", "reason": "r"}, "mode", "Choose where to restore"),
    ],
)
def test_a_form_that_does_not_say_clearly_what_to_do_is_refused(
    console: Client, backup: CouncilBackup, data: dict[str, str], field: str, message: str
) -> None:
    before = _state()
    response = console.post(_restore_url(backup), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert f'id="id_{field}-error"' in page
    assert message in page.replace("&#x27;", "'")
    assert _state() == before


@pytest.mark.database_owner
def test_a_target_schema_that_exists_is_refused(console: Client, backup: CouncilBackup) -> None:
    with connection.cursor() as cursor:  # rolled back with the test
        cursor.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier("alpha_taken")))
    before = _state()
    response = console.post(_restore_url(backup), {"mode": "new_schema", "into_schema": "alpha_taken", "reason": "r"})
    assert response.status_code == 400
    assert "The schema alpha_taken exists already" in response.content.decode()
    assert _state() == before


def test_another_councils_backup_is_refused_under_this_council(
    console: Client, council_b: Council, file_storages: dict[str, Path]
) -> None:
    council_fill(council_b, marker="b")
    beta_backup = _kept_backup(council_b)
    before = _state()
    for response in (
        console.get(_restore_url(beta_backup, "alpha")),
        console.post(_restore_url(beta_backup, "alpha"), {"mode": "replace", "confirm": "alpha", "reason": "r"}),
    ):
        assert response.status_code == 409
        assert "This backup is not one of Alpha District Council" in response.content.decode().replace("&#x27;", "'")
        assert "Nothing was changed." in response.content.decode()
    assert _state() == before
    assert console.get(_restore_url(beta_backup, "beta")).status_code == 200
    assert console.get("/console/councils/alpha/backups/99999999/restore/").status_code == 404


@pytest.mark.parametrize("status", [CouncilStatus.OFFBOARDING, CouncilStatus.CLOSED])
def test_a_council_leaving_or_closed_is_not_restored(
    console: Client, council_a: Council, backup: CouncilBackup, status: str
) -> None:
    Council.objects.filter(pk=council_a.pk).update(status=status)
    before = _state()
    assert "Restore…" not in console.get("/console/councils/alpha/backups/").content.decode()
    response = console.post(_restore_url(backup), {"mode": "replace", "confirm": "alpha", "reason": "r"})
    assert response.status_code == 409
    assert "it is not restored" in response.content.decode()
    assert _state() == before


def test_a_restore_while_a_backup_or_another_restore_is_under_way_is_refused(
    console: Client, council_a: Council, backup: CouncilBackup
) -> None:
    running = council_backup_request(council=council_a, actor=None, queue=False)
    before = _state()
    response = console.post(_restore_url(backup), {"mode": "new_schema", "into_schema": "alpha_a", "reason": "r"})
    assert response.status_code == 409
    assert "A backup of Alpha District Council is already being made. Nothing was changed." in response.content.decode()
    assert _state() == before

    CouncilBackup.objects.filter(pk=running.pk).update(status=BackupStatus.FAILED)
    first = console.post(_restore_url(backup), {"mode": "new_schema", "into_schema": "alpha_a", "reason": "r"})
    assert first.status_code == 302
    before = _state()
    second = console.post(_restore_url(backup), {"mode": "replace", "confirm": "alpha", "reason": "r"})
    assert second.status_code == 409
    assert "A restore of Alpha District Council is under way." in second.content.decode()
    # and "Back up now" waits for the restore too
    assert console.post("/console/councils/alpha/backups/").status_code == 409
    assert _state() == before
    assert CouncilBackup.objects.filter(council=council_a, status=BackupStatus.QUEUED).count() == 0


def test_only_platform_staff_on_the_platform_host_can_restore(
    platform_client: Client, council_a: Council, client_a: Client, backup: CouncilBackup
) -> None:
    restore = council_restore_request(
        council=council_a,
        backup=backup,
        actor=None,
        mode=RestoreMode.NEW_SCHEMA,
        into_schema="alpha_x",
        reason="r",
        queue=False,
    )
    CouncilRestore.objects.filter(pk=restore.pk).update(status=BackupStatus.FAILED)
    data = {"mode": "replace", "confirm": "alpha", "reason": "r"}
    progress = f"/console/councils/alpha/restores/{restore.pk}/"
    sign_in(platform_client, UserFactory(email="not-staff@patchwork.example", is_staff=False))
    with schema_context(council_a.schema_name):
        practitioner = PractitionerFactory(user__is_staff=True)  # "staff" of the council: nothing on the platform
    sign_in(client_a, practitioner.user, council_a)
    anonymous = Client(HTTP_HOST="localhost")
    before = _state()

    for url in (_restore_url(backup), progress):
        assert platform_client.get(url).status_code == 403
        assert platform_client.post(url, data).status_code == 403
        assert client_a.get(url).status_code == 404  # the console is not on a council's host
        assert client_a.post(url, data).status_code == 404
        assert anonymous.post(url, data).status_code == 302  # to sign in

    assert _state() == before


@pytest.mark.database_owner
def test_a_restore_queued_before_the_council_started_leaving_is_not_run(
    console: Client, council_a: Council, backup: CouncilBackup
) -> None:
    console.post(_restore_url(backup), {"mode": "replace", "confirm": "alpha", "reason": "r"})
    restore = CouncilRestore.objects.get()
    Council.objects.filter(pk=council_a.pk).update(status=CouncilStatus.OFFBOARDING)
    before = _state()[:3]
    with pytest.raises(RestoreRefused, match="offboarding"):
        council_restore_task(restore.pk)
    restore.refresh_from_db()
    assert restore.status == BackupStatus.FAILED
    assert _state()[:3] == before


def test_offboarding_does_not_start_while_a_restore_is_under_way(
    console: Client, council_a: Council, backup: CouncilBackup
) -> None:
    console.post(_restore_url(backup), {"mode": "replace", "confirm": "alpha", "reason": "r"})
    assert CouncilRestore.objects.get().status == BackupStatus.QUEUED
    with pytest.raises(OffboardingRefused, match="A restore of Alpha District Council is under way"):
        offboarding_start(council=council_a, actor=None, reason="Contract ended", queue=False)
    council_a.refresh_from_db()
    assert council_a.status == CouncilStatus.LIVE
    assert not Offboarding.objects.filter(council=council_a).exists()

    CouncilRestore.objects.update(status=BackupStatus.FAILED)
    offboarding_start(council=council_a, actor=None, reason="Contract ended", queue=False)
    council_a.refresh_from_db()
    assert council_a.status == CouncilStatus.OFFBOARDING


# --- A real worker ------------------------------------------------------------------------------------------------


@pytest.fixture
def committed_restore(
    django_db_setup: None, django_db_blocker: pytest.FixtureRequest, file_storages: dict[str, Path]
) -> Iterator[CouncilRestore]:
    """A kept backup and a restore of it into a new schema, committed for a real worker's own connection to see;
    the rows and the schema restored are removed afterwards."""
    with django_db_blocker.unblock():
        council = Council.objects.get(slug="alpha")
        backup = _kept_backup(council)
        restore = council_restore_request(
            council=council,
            backup=backup,
            actor=None,
            mode=RestoreMode.NEW_SCHEMA,
            into_schema="alpha_worker",
            reason="worker drill",
            queue=False,
        )
        try:
            yield restore
        finally:
            connection.set_schema_to_public()
            CouncilRestore.objects.filter(pk=restore.pk).delete()
            CouncilBackup.objects.filter(pk=backup.pk).delete()
            with owner_connection(), connection.cursor() as cursor:
                cursor.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier("alpha_worker")))


def test_the_restore_task_restores_into_a_new_schema_in_a_real_worker(
    committed_restore: CouncilRestore, django_db_blocker: pytest.FixtureRequest
) -> None:
    with django_db_blocker.unblock(), start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        assert council_restore_task.delay(committed_restore.pk).get(timeout=120) == "alpha_worker"
        restore = CouncilRestore.objects.get(pk=committed_restore.pk)
        assert (restore.status, restore.progress) == (BackupStatus.DONE, 100)
        assert table_checksums("alpha_worker") == table_checksums("council_alpha")
        event = AuditEvent.objects.filter(
            action=AuditAction.COUNCIL_RESTORED, reason=f"worker drill (restore {restore.pk})"
        ).get()
        assert event.outcome == AuditOutcome.SUCCESS
        assert event.changes["restore"]["sha256"] == restore.backup_sha256
