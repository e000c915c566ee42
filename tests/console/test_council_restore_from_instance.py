"""Restoring one council from a restored instance of the cell (``council_restore --from-database``).

The "restored instance" is a real copy of the test database (``pg_dump`` piped to ``psql`` into a new database on
the same server, dropped at the end) in which council A has rows and files the live council no longer has, as an
RDS recovery point restored into a new instance would; its files are a folder standing in for the restored bucket.
"""

import io
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import boto3
import psycopg
import pytest
from django.conf import LazySettings, settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections
from django.test import override_settings
from django.utils.connection import ConnectionDoesNotExist
from django_tenants.utils import schema_context
from moto import mock_aws
from psycopg import sql

from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.clients.models import Client
from core.governance.models import LegalBasis
from tenants.models import Council
from tenants.services.backups import (
    ArchiveRefused,
    RestoreRefused,
    council_archive_from_instance,
    council_files,
    source_database,
    source_storages,
    table_checksums,
)
from tests.tenants.council_data import council_fill, file_storages, storage_contents

__all__ = ["file_storages"]  # a fixture, used by name

pytestmark = pytest.mark.platform_side

Checksums = dict[str, dict[str, tuple[int, str]]]


class RestoredInstance:
    """A copy of the cell's database as a recovery point would give it back, and of its files."""

    def __init__(self, name: str, files: Path) -> None:
        self.name = name
        self.files = files
        live = settings.DATABASES["default"]
        owner = settings.DATABASE_OWNER
        self.host, self.port = live["HOST"] or "127.0.0.1", str(live["PORT"] or 5432)
        self.user, self.password = owner["USER"], owner["PASSWORD"]

    @property
    def url(self) -> str:
        return self.url_for(self.name, user=self.user, password=self.password)

    def url_for(self, database: str, *, user: str = "", password: str = "") -> str:
        """A URL of ``database`` on this server. A socket folder (the embedded server the tests use without
        DATABASE_URL) goes in libpq's ``host`` parameter: a URL's host part is lower-cased and cannot hold a path."""
        who = f"{user}{':' + password if password else ''}@" if user else ""
        if self.host.startswith("/"):
            return f"postgresql://{who}:{self.port}/{database}?host={quote(self.host, safe='')}"
        return f"postgresql://{who}{self.host}:{self.port}/{database}"

    def connect(self, database: str | None = None) -> psycopg.Connection:
        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            dbname=database or self.name,
            autocommit=True,
        )

    def checksums(self) -> Checksums:
        """Every table of every schema: its row count and an md5 of its rows in order (as ``table_checksums``)."""
        found: Checksums = {}
        with self.connect() as source, source.cursor() as cursor:
            cursor.execute(
                "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                "AND n.nspname NOT LIKE 'pg\\_toast%%' ORDER BY 1, 2"
            )
            for schema, table in cursor.fetchall():
                cursor.execute(
                    sql.SQL(
                        "SELECT count(*), coalesce(md5(string_agg(r::text, E'\\n' ORDER BY r::text)), '') FROM {} AS r"
                    ).format(sql.Identifier(schema, table))
                )
                count, digest = cursor.fetchone()
                found.setdefault(schema, {})[table] = (count, digest)
        return found

    def files_of(self, schema: str) -> dict[str, bytes]:
        return {
            f"{stored.storage}:{stored.name}": (self.files / stored.storage / stored.name).read_bytes()
            for stored in council_files(schema=schema, file_storages=source_storages(folder=self.files))
        }


def _client_tools(server_major: int) -> Path | None:
    """The folder of pg_dump and psql of the server's own major version (pg_dump refuses a newer server): the
    embedded server's (pgserver, when the tests run without DATABASE_URL), the system's for that version, or PATH's."""
    candidates = [Path(f"/usr/lib/postgresql/{server_major}/bin")]
    try:
        from pgserver._commands import POSTGRES_BIN_PATH  # the embedded server dev.py starts
    except ImportError:
        pass
    else:
        candidates.insert(0, Path(POSTGRES_BIN_PATH))
    on_path = shutil.which("pg_dump")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    for folder in candidates:
        pg_dump = folder / "pg_dump"
        if pg_dump.is_file() and (folder / "psql").is_file():
            version = subprocess.run([str(pg_dump), "--version"], capture_output=True, text=True, check=False)  # noqa: S603
            if version.returncode == 0 and f" {server_major}." in version.stdout:
                return folder
    return None


def _copy_database(instance: RestoredInstance, live: str) -> None:
    environment = {"PGPASSWORD": instance.password} if instance.password else {}
    where = ["-h", instance.host, "-p", instance.port, "-U", instance.user]
    with instance.connect(live) as admin:
        server_major = int(admin.execute("SHOW server_version_num").fetchone()[0]) // 10000
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(instance.name)))
    tools = _client_tools(server_major)
    assert tools is not None, f"no pg_dump and psql of PostgreSQL {server_major} to copy the test database with"
    dump = subprocess.Popen(  # noqa: S603
        [str(tools / "pg_dump"), *where, "--no-password", live], stdout=subprocess.PIPE, env=environment
    )
    loaded = subprocess.run(  # noqa: S603
        [str(tools / "psql"), *where, "--no-password", "-q", "-v", "ON_ERROR_STOP=1", "-d", instance.name],
        stdin=dump.stdout,
        stdout=subprocess.DEVNULL,
        env=environment,
        check=False,
    )
    assert dump.wait() == 0, "pg_dump failed"
    assert loaded.returncode == 0, "psql failed"


@pytest.fixture(scope="module")
def restored(
    django_db_setup: None, django_db_blocker: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RestoredInstance]:
    """A copy of the test database in which council A has clients and files (made there, never in the live
    database), and council B's schema is missing; dropped at the end."""
    live = connection.settings_dict["NAME"]
    instance = RestoredInstance(f"{live}_restored_instance", tmp_path_factory.mktemp("restored-bucket"))
    with instance.connect(live) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(instance.name)))
    _copy_database(instance, live)
    bucket = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "private": {"BACKEND": "core.council.storage.PrivateFileSystemStorage"},
    }
    try:
        with django_db_blocker.unblock():
            connection.close()
            connection.settings_dict = {**connection.settings_dict, "NAME": instance.name}
            try:
                with override_settings(
                    STORAGES={
                        **settings.STORAGES,
                        **{
                            alias: spec | {"OPTIONS": {"location": instance.files / alias}}
                            for alias, spec in bucket.items()
                        },
                    }
                ):
                    council_fill(Council.objects.get(slug="alpha"), marker="src")
            finally:
                connection.close()
                connection.settings_dict = {**connection.settings_dict, "NAME": live}
        with instance.connect() as source:
            source.execute("DROP SCHEMA council_beta CASCADE")
        yield instance
    finally:
        with instance.connect(live) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(instance.name)))


def _restored_events(council: Council) -> list[AuditEvent]:
    with schema_context("public"):
        return list(
            AuditEvent.objects.filter(
                action=AuditAction.COUNCIL_RESTORED, object_id=council.slug, path="manage.py council_restore"
            ).order_by("occurred_at", "id")
        )


def _live_files_as_in(instance: RestoredInstance, folders: dict[str, Path]) -> None:
    """The live storages hold the council's files as the restored bucket does (as they were at the recovery point)."""
    for alias, folder in folders.items():
        shutil.copytree(instance.files / alias, folder, dirs_exist_ok=True)


@pytest.mark.database_owner
def test_replace_from_a_restored_instance_brings_back_the_councils_rows_and_files_and_records_it(
    council_a: Council, council_b: Council, file_storages: dict[str, Path], restored: RestoredInstance
) -> None:
    source_before = restored.checksums()
    _live_files_as_in(restored, file_storages)
    # Since the recovery point: a mistaken bulk change in council A — a legal basis renamed, another deleted, its
    # clients gone (never in the live database), other clients added — an agreement deleted, a photo overwritten.
    with schema_context("council_alpha"):
        first, second, _last = LegalBasis.objects.order_by("position")
        original_title = first.title
        LegalBasis.objects.filter(pk=first.pk).update(title="Renamed by mistake")
        LegalBasis.objects.filter(pk=second.pk).delete()
    council_fill(council_a, marker="live")
    storages["private"].delete("agreements/council_alpha/agreementsrc.pdf")
    storages["default"].delete("practitioners/council_alpha/photosrc.jpg")
    storages["default"].save("practitioners/council_alpha/photosrc.jpg", ContentFile(b"overwritten"))
    council_fill(council_b, marker="b")
    others = {schema: table_checksums(schema) for schema in ("council_beta", "council_template")}
    files_b = storage_contents("council_beta")
    assert table_checksums("council_alpha") != source_before["council_alpha"]

    call_command(
        "council_restore",
        "alpha",
        "--from-database",
        restored.url,
        "--from-files",
        str(restored.files),
        "--replace",
        "--reason",
        "Undo the bulk change of 3 December",
    )

    assert table_checksums("council_alpha") == source_before["council_alpha"]  # every table, row for row
    with schema_context("council_alpha"):
        assert LegalBasis.objects.count() == 3
        assert LegalBasis.objects.get(pk=first.pk).title == original_title
        assert LegalBasis.objects.filter(pk=second.pk).exists()
        assert Client.objects.filter(first_name="Zoësrc").count() == 3
        assert not Client.objects.filter(first_name="Zoëlive").exists()
    assert storage_contents("council_alpha") == restored.files_of("council_alpha")
    assert storages["private"].open("agreements/council_alpha/agreementsrc.pdf").read() == b"%PDF-1.4 agreement src"
    assert not storages["default"].exists("practitioners/council_alpha/photolive.jpg")
    # Other councils are as they were; the restored instance was only read.
    assert {schema: table_checksums(schema) for schema in others} == others
    assert storage_contents("council_beta") == files_b
    assert restored.checksums() == source_before
    [event] = _restored_events(council_a)
    assert (event.outcome, event.reason, event.path) == (
        AuditOutcome.SUCCESS,
        "Undo the bulk change of 3 December",
        "manage.py council_restore",
    )
    record = event.changes["restore"]
    assert record["replace"] is True
    assert record["source"] == {
        "database": f"{restored.host}:{restored.port}/{restored.name}",
        "files": f"folder {restored.files}",
    }
    assert len(record["sha256"]) == 64
    assert record["rows"] == sum(count for count, _digest in source_before["council_alpha"].values())
    assert restored.url not in str(event.changes)  # the instance is named, its URL (and any password) is not


@pytest.mark.database_owner
def test_into_schema_from_a_restored_instance_makes_a_copy_to_inspect_and_leaves_the_council_alone(
    council_a: Council, file_storages: dict[str, Path], restored: RestoredInstance
) -> None:
    council_fill(council_a, marker="live")
    live_tables, live_files = table_checksums("council_alpha"), storage_contents("council_alpha")

    # No user or password in the URL: a restored instance keeps the owner's, which are used.
    url = restored.url_for(restored.name)
    call_command("council_restore", "alpha", "--from-database", url, "--into-schema", "alpha_inspect")

    assert table_checksums("alpha_inspect") == restored.checksums()["council_alpha"]
    assert table_checksums("council_alpha") == live_tables
    assert storage_contents("council_alpha") == live_files
    assert [event.changes["restore"]["into_schema"] for event in _restored_events(council_a)] == ["alpha_inspect"]


def _nothing_changed(council: Council, before: tuple[dict[str, tuple[int, str]], dict[str, bytes]]) -> None:
    assert (table_checksums(council.schema_name), storage_contents(council.schema_name)) == before
    assert _restored_events(council) == []


@pytest.mark.database_owner
def test_a_council_whose_schema_the_restored_instance_lacks_is_refused_and_nothing_changes(
    council_b: Council, file_storages: dict[str, Path], restored: RestoredInstance
) -> None:
    council_fill(council_b, marker="b")
    before = table_checksums("council_beta"), storage_contents("council_beta")

    with pytest.raises(CommandError, match=r"has no schema council_beta .*Nothing was changed\.$"):
        call_command("council_restore", "beta", "--from-database", restored.url, "--replace")

    _nothing_changed(council_b, before)


@pytest.mark.database_owner
@pytest.mark.parametrize(
    ("where", "reason"),
    [("no_server", "Connection refused"), ("no_database", "does not exist")],
)
def test_a_restored_instance_that_cannot_be_reached_is_refused_and_nothing_changes(
    council_a: Council, file_storages: dict[str, Path], restored: RestoredInstance, where: str, reason: str
) -> None:
    council_fill(council_a, marker="live")
    before = table_checksums("council_alpha"), storage_contents("council_alpha")
    if where == "no_server":
        url = f"postgresql://{restored.user}@127.0.0.1:1/anything"
    else:
        url = restored.url_for("no_such_restored_instance", user=restored.user)

    with pytest.raises(CommandError, match=rf"cannot be reached: .*{reason}.*Nothing was changed\.$"):
        call_command("council_restore", "alpha", "--from-database", url, "--replace")

    _nothing_changed(council_a, before)


@pytest.mark.database_owner
def test_a_restored_instance_with_migrations_this_release_lacks_is_refused_and_nothing_changes(
    council_a: Council, file_storages: dict[str, Path], restored: RestoredInstance
) -> None:
    before = table_checksums("council_alpha"), storage_contents("council_alpha")
    with restored.connect() as source:
        source.execute(
            "INSERT INTO council_alpha.django_migrations (app, name, applied) VALUES ('clients', '9999_later', now())"
        )
    try:
        with pytest.raises(CommandError, match=r"migrations this release does not have \(clients\.9999_later\)"):
            call_command("council_restore", "alpha", "--from-database", restored.url, "--replace")
    finally:
        with restored.connect() as source:
            source.execute("DELETE FROM council_alpha.django_migrations WHERE name = '9999_later'")

    _nothing_changed(council_a, before)


def test_the_restored_instance_is_opened_read_only(restored: RestoredInstance, db: None) -> None:
    before = restored.checksums()

    with (
        source_database(restored.url) as alias,
        connections[alias].cursor() as cursor,
        pytest.raises(DatabaseError, match="read-only transaction"),
    ):
        cursor.execute("CREATE TABLE public.written_by_a_restore (id int)")

    assert restored.checksums() == before
    with pytest.raises(ConnectionDoesNotExist):  # the alias lasts only as long as the restore
        connections[alias]


def test_files_given_without_a_restored_instance_are_refused(council_a: Council, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="go with --from-database"):
        call_command("council_restore", "alpha", str(tmp_path / "a.tar.gz"), "--from-files", str(tmp_path), "--replace")
    with pytest.raises(CommandError, match="one of the arguments archive --from-database is required"):
        call_command("council_restore", "alpha", "--replace")


@pytest.fixture
def s3_cell(settings: LazySettings) -> Iterator[object]:
    """The production storages (settings/production.py) in the cell's bucket, and a bucket restored from it."""
    with mock_aws():
        client = boto3.client("s3", region_name="eu-west-2")
        for bucket in ("patchwork-cell", "patchwork-cell-restored"):
            client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
        options = {"bucket_name": "patchwork-cell", "region_name": "eu-west-2", "default_acl": "private"}
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
            "private": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**options, "location": "private"}},
        }
        yield client


def test_a_restored_bucket_is_read_under_the_same_prefixes_as_the_cells(s3_cell: object) -> None:
    client = s3_cell
    for key in ("practitioners/council_alpha/photo.jpg", "private/agreements/council_alpha/agreement.pdf"):
        client.put_object(Bucket="patchwork-cell-restored", Key=key, Body=b"as it was")  # type: ignore[attr-defined]
    client.put_object(Bucket="patchwork-cell", Key="private/agreements/council_alpha/now.pdf", Body=b"now")  # type: ignore[attr-defined]

    found = council_files(schema="council_alpha", file_storages=source_storages(bucket="patchwork-cell-restored"))

    assert sorted((stored.storage, stored.name) for stored in found) == [
        ("default", "practitioners/council_alpha/photo.jpg"),
        ("private", "agreements/council_alpha/agreement.pdf"),
    ]


def test_a_restored_bucket_where_the_storages_are_on_disk_is_refused(file_storages: dict[str, Path]) -> None:
    with pytest.raises(RestoreRefused, match="not in an S3 bucket"):
        source_storages(bucket="patchwork-cell-restored")


def test_a_restored_bucket_that_cannot_be_read_is_refused_before_the_database_is_read(
    council_a: Council, s3_cell: object
) -> None:
    with pytest.raises(ArchiveRefused, match=r"The restored default files cannot be read: .*NoSuchBucket"):
        council_archive_from_instance(
            council=council_a,
            database_url="postgresql://nobody@127.0.0.1:1/never_reached",
            target=io.BytesIO(),
            file_storages=source_storages(bucket="patchwork-cell-not-restored"),
        )


def test_a_folder_without_a_folder_per_storage_is_refused(tmp_path: Path) -> None:
    (tmp_path / "default").mkdir()
    with pytest.raises(RestoreRefused, match=r"no folder .*/private: give one holding default/ and private/"):
        source_storages(folder=tmp_path)
