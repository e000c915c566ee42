"""A council's backup and its restore (tenants/services/backups.py): round trips compared table by table, row by
row, and restores that touch nothing but what they were asked to.

Each test runs in a transaction rolled back at its end, schemas made or dropped in it included; restoring is the
owner role's work, so those tests run as the owner (``database_owner``).
"""

import io
import json
import tarfile
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django_tenants.utils import schema_context

from core.clients.models import Client
from tenants.models import Council
from tenants.schema_state import schema_exists
from tenants.services.backups import (
    MANIFEST,
    ROWS_MARKER,
    ArchiveRefused,
    RestoreRefused,
    archive_open,
    council_archive_write,
    council_cache_keys,
    council_restore,
    csv_rows,
    table_checksums,
)
from tenants.services.database_roles import app_role
from tests.tenants.council_data import council_fill, file_storages, storage_contents

__all__ = ["file_storages"]  # a fixture, used by name

pytestmark = pytest.mark.platform_side


def _backup(council: Council, path: Path) -> Path:
    with path.open("wb") as target:
        council_archive_write(council=council, target=target)
    return path


def test_the_archive_holds_a_manifest_the_structure_a_csv_per_table_and_the_files(
    council_a: Council, file_storages: dict[str, Path], tmp_path: Path
) -> None:
    council_fill(council_a, marker="a")
    with (tmp_path / "a.tar.gz").open("wb") as target:  # as the application role: a backup needs no owner
        summary = council_archive_write(council=council_a, target=target)
    assert summary.size == (tmp_path / "a.tar.gz").stat().st_size
    with tarfile.open(tmp_path / "a.tar.gz") as archive:
        names = archive.getnames()
        manifest = json.load(archive.extractfile(MANIFEST))  # type: ignore[arg-type]
        structure = archive.extractfile("schema.sql").read().decode()  # type: ignore[union-attr]
    assert names[0] == MANIFEST
    assert manifest["council"] == {
        "slug": "alpha",
        "name": "Alpha District Council",
        "jurisdiction": "england",
        "data_region": council_a.data_region,
    }
    assert manifest["schema"] == "council_alpha"
    assert ["clients", "0001_initial"] in manifest["migrations"]
    checksums = table_checksums("council_alpha")
    assert {table: spec["rows"] for table, spec in manifest["tables"].items()} == {
        table: count for table, (count, _digest) in checksums.items()
    }
    assert manifest["tables"]["clients_client"]["rows"] == 3
    assert {f"data/{table}.csv" for table in checksums} <= set(names)
    assert {
        "files/private/agreements/council_alpha/agreementa.pdf",
        "files/private/subject-access/council_alpha/exporta.zip",
        "files/default/practitioners/council_alpha/photoa.jpg",
    } <= set(names)
    assert set(manifest["members"]) == set(names) - {MANIFEST}
    # The structure names no schema: it can be replayed under any name.
    assert "council_alpha" not in structure
    assert structure.count(ROWS_MARKER) == 1
    assert 'CREATE TABLE "clients_client" (' in structure
    assert summary.table_rows["clients_client"] == 3
    assert summary.file_count == 3


@pytest.mark.database_owner
def test_a_backup_restored_into_a_new_schema_equals_the_council_row_for_row(
    council_a: Council, file_storages: dict[str, Path], tmp_path: Path
) -> None:
    council_fill(council_a, marker="a")
    archive = _backup(council_a, tmp_path / "a.tar.gz")

    summary = council_restore(council=council_a, archive=archive, into_schema="inspect_alpha")

    original, restored = table_checksums("council_alpha"), table_checksums("inspect_alpha")
    assert restored == original  # every table, its count and an md5 of its rows in order
    assert summary.table_rows["clients_client"] == 3
    assert summary.files_written == 0  # a copy for inspection: its files stay in the archive
    with schema_context("inspect_alpha"):
        assert Client.objects.filter(surname__contains='Ó Briain, "the"\na').count() == 3
        client = Client.objects.create(
            first_name="New", surname="Person", legal_basis=Client.objects.first().legal_basis
        )
        assert Client.objects.filter(pk=client.pk).exists()  # sequences and defaults work in the copy
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT has_table_privilege(%s, 'inspect_alpha.audit_auditevent', 'UPDATE'), "
            "has_table_privilege(%s, 'inspect_alpha.audit_auditevent', 'INSERT'), "
            "has_table_privilege(%s, 'inspect_alpha.clients_client', 'UPDATE'), "
            "(SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n "
            "  ON n.oid = c.relnamespace WHERE n.nspname = 'inspect_alpha' AND c.relname = 'audit_auditevent' "
            "  AND NOT t.tgisinternal)",
            [app_role()] * 3,
        )
        update_audit, insert_audit, update_clients, audit_triggers = cursor.fetchone()
    assert (update_audit, insert_audit, update_clients) == (False, True, True)
    assert audit_triggers >= 1


@pytest.mark.database_owner
def test_restoring_over_the_council_after_changes_brings_back_the_backup_state(
    council_a: Council, file_storages: dict[str, Path], tmp_path: Path
) -> None:
    council_fill(council_a, marker="a")
    before_tables, before_files = table_checksums("council_alpha"), storage_contents("council_alpha")
    archive = _backup(council_a, tmp_path / "a.tar.gz")
    council_fill(council_a, marker="later")  # rows, files, a session and cache keys made after the backup
    with schema_context("council_alpha"):
        Client.objects.filter(first_name="Zoëa").update(surname="Changed")
    assert table_checksums("council_alpha") != before_tables
    assert council_cache_keys(schema="council_alpha")

    summary = council_restore(council=council_a, archive=archive, replace=True)

    assert table_checksums("council_alpha") == before_tables
    assert storage_contents("council_alpha") == before_files
    assert summary.files_removed == 3  # those uploaded after the backup
    assert council_cache_keys(schema="council_alpha") == []  # sessions and cached values of the newer data
    with schema_context("council_alpha"):
        assert cache.get("filleda") is None


@pytest.mark.database_owner
def test_restoring_one_council_leaves_every_other_schema_and_its_files_byte_identical(
    council_a: Council, council_b: Council, file_storages: dict[str, Path], tmp_path: Path
) -> None:
    council_fill(council_a, marker="a")
    council_fill(council_b, marker="b")
    archive = _backup(council_a, tmp_path / "a.tar.gz")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'council\\_%%' AND nspname <> %s", ["council_alpha"]
        )
        others = sorted(name for (name,) in cursor.fetchall())
    assert {"council_beta", "council_template"} <= set(others)
    before = {schema: table_checksums(schema) for schema in [*others, "public"]}
    files_b = storage_contents("council_beta")
    with schema_context("council_beta"):
        cache.set("beta-key", "kept", 600)
    keys_b = council_cache_keys(schema="council_beta")

    council_restore(council=council_a, archive=archive, replace=True)
    council_restore(council=council_a, archive=archive, into_schema="inspect_alpha")

    public_after = table_checksums("public")
    assert {schema: table_checksums(schema) for schema in others} == {s: before[s] for s in others}
    assert public_after == before["public"]
    assert storage_contents("council_beta") == files_b
    assert council_cache_keys(schema="council_beta") == keys_b
    with schema_context("council_beta"):
        assert cache.get("beta-key") == "kept"


def _tampered(source: Path, target: Path, *, member: str, content: bytes) -> Path:
    """A copy of ``source`` where ``member`` holds ``content`` but the manifest is unchanged."""
    with tarfile.open(source) as original, tarfile.open(target, "w:gz") as copy:
        for info in original:
            data = original.extractfile(info).read()  # type: ignore[union-attr]
            if info.name == member:
                data = content
            info.size = len(data)
            copy.addfile(info, io.BytesIO(data))
    return target


@pytest.mark.database_owner
def test_a_corrupted_archive_is_refused_before_anything_changes(
    council_a: Council, file_storages: dict[str, Path], tmp_path: Path
) -> None:
    council_fill(council_a, marker="a")
    archive = _backup(council_a, tmp_path / "a.tar.gz")
    council_fill(council_a, marker="later")
    tables, files = table_checksums("council_alpha"), storage_contents("council_alpha")
    keys = council_cache_keys(schema="council_alpha")
    damaged = _tampered(archive, tmp_path / "bad.tar.gz", member="data/clients_client.csv", content=b"id\n1\n")
    truncated = tmp_path / "short.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])

    with pytest.raises(ArchiveRefused, match=r"SHA-256 mismatch: data/clients_client\.csv"):
        council_restore(council=council_a, archive=damaged, replace=True)
    with pytest.raises(ArchiveRefused, match="not a readable council archive"):
        council_restore(council=council_a, archive=truncated, replace=True)
    with pytest.raises(ArchiveRefused, match="SHA-256 mismatch"):
        council_restore(council=council_a, archive=damaged, into_schema="inspect_alpha")

    assert table_checksums("council_alpha") == tables
    assert storage_contents("council_alpha") == files
    assert council_cache_keys(schema="council_alpha") == keys
    assert not schema_exists("inspect_alpha")


def test_an_archive_with_an_unsafe_member_name_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tar.gz"
    with tarfile.open(bad, "w:gz") as archive:
        info = tarfile.TarInfo("../outside.txt")
        info.size = 2
        archive.addfile(info, io.BytesIO(b"hi"))
    with pytest.raises(ArchiveRefused, match="unsafe name"), archive_open(bad):
        pass
    assert not (tmp_path.parent / "outside.txt").exists()


@pytest.mark.database_owner
def test_an_archive_of_council_a_is_refused_for_replacing_council_b_unless_asked_explicitly(
    council_a: Council, council_b: Council, file_storages: dict[str, Path], tmp_path: Path
) -> None:
    council_fill(council_a, marker="a")
    council_fill(council_b, marker="b")
    archive = _backup(council_a, tmp_path / "a.tar.gz")
    tables_b, files_a, files_b = (
        table_checksums("council_beta"),
        storage_contents("council_alpha"),
        storage_contents("council_beta"),
    )

    with pytest.raises(RestoreRefused, match="of the council 'alpha', not 'beta'"):
        council_restore(council=council_b, archive=archive, replace=True)
    assert table_checksums("council_beta") == tables_b

    # Asked for explicitly: B's schema holds A's rows, but no file is written into A's folders or B's.
    council_restore(council=council_b, archive=archive, replace=True, other_council=True)
    assert table_checksums("council_beta") == table_checksums("council_alpha")
    assert storage_contents("council_alpha") == files_a
    assert storage_contents("council_beta") == {}  # B's own files were not in the archive: removed
    assert files_b  # (there were some)


@pytest.mark.database_owner
def test_restoring_into_a_schema_that_exists_or_a_councils_name_is_refused(
    council_a: Council, file_storages: dict[str, Path], tmp_path: Path
) -> None:
    archive = _backup(council_a, tmp_path / "a.tar.gz")
    for schema, refusal in [
        ("council_beta", "belongs to a council"),
        ("council_template", "belongs to a council or the template"),
        ("public", "not a name"),
        ("pg_catalog", "not a name"),
        ("Bad-Name", "not a name"),
    ]:
        with pytest.raises(RestoreRefused, match=refusal):
            council_restore(council=council_a, archive=archive, into_schema=schema)
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA scratch_existing")
    with pytest.raises(RestoreRefused, match="exists already"):
        council_restore(council=council_a, archive=archive, into_schema="scratch_existing")
    with pytest.raises(RestoreRefused, match="either"):
        council_restore(council=council_a, archive=archive, into_schema="x_new", replace=True)


def test_a_csv_per_table_counts_its_rows_as_the_manifest_does(
    council_a: Council, file_storages: dict[str, Path], tmp_path: Path
) -> None:
    council_fill(council_a, marker="a")
    archive = _backup(council_a, tmp_path / "a.tar.gz")
    with archive_open(archive) as verified:
        for table, spec in verified.manifest["tables"].items():
            assert csv_rows(verified.root / spec["member"]) == spec["rows"], table
