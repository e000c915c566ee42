"""A council's backup: one archive of its schema and its files, and restoring one (docs/adr/0017).

The archive (``.tar.gz``) is the same for a backup and for the final export a leaving council is
handed:

* ``manifest.json`` — the council (slug, name, jurisdiction), its schema, the migrations applied in
  it, when the archive was made, per table its row count and columns, each sequence's position, each
  file, and every other member's SHA-256;
* ``schema.sql`` — the schema's structure with no schema name in it (tenants/services/schema_definition.py),
  in two parts split by ``ROWS_MARKER``: what comes before the rows (functions, sequences, tables with
  their primary key, unique and check constraints) and after (foreign keys, indexes, triggers, comments);
* ``data/<table>.csv`` — each table through ``COPY … TO STDOUT WITH (FORMAT csv, HEADER)``: what a
  leaving council can open, and what a restore loads;
* ``files/<storage>/<name>`` — every object of the council in the ``default`` and ``private``
  storages: whatever lies under ``<kind>/<schema>/`` (agreements, photos, subject access exports, …),
  except its own backups.

Restoring verifies every SHA-256 before it touches anything, then in ONE transaction, as the owner
role, creates the schema (dropping the old one first for ``replace``), replays the structure's first
part, loads the CSVs, replays the second part, sets the sequences, checks every table's count and
grants the application role (the audit table only INSERT and SELECT). Then the files, and the
council's cache keys (sessions included) are deleted, since they may describe the data as it was.
"""

import csv
import hashlib
import io
import json
import logging
import re
import shutil
import tarfile
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from glob import escape as glob_escape
from pathlib import Path, PurePosixPath
from typing import IO, Any

import dj_database_url
from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.utils import load_backend
from django.utils import timezone
from django.utils.module_loading import import_string
from psycopg import sql

from tenants.models import BackupStatus, Council, CouncilBackup
from tenants.schema_state import schema_exists, schemas_needing_migration
from tenants.services.database_roles import new_schema_privileges_grant, owner_connection
from tenants.services.schema_definition import schema_structure_read, search_path_local

logger = logging.getLogger(__name__)

ARCHIVE_FORMAT = 1
MANIFEST = "manifest.json"
SCHEMA_SQL = "schema.sql"
ROWS_MARKER = "-- patchwork: the rows are loaded here\n"
# The storages a council's files are in, and the folder of each kind of file: <kind>/<schema>/...
FILE_STORAGES = ("default", "private")
BACKUPS_FOLDER = "backups"
PRIVATE_STORAGE = "private"
SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
CHUNK = 1 << 20

Progress = Callable[[str, int], None]


class ArchiveRefused(Exception):
    """The archive is damaged, not a council archive, or not for this restore. Nothing was changed."""


class RestoreRefused(Exception):
    """The restore asked for cannot be done (the target schema exists, another council's archive, …)."""


@dataclass(frozen=True)
class StoredFile:
    storage: str
    name: str
    size: int


@dataclass
class ArchiveSummary:
    sha256: str
    size: int
    table_rows: dict[str, int]
    file_count: int
    file_bytes: int
    manifest: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class RestoreSummary:
    schema: str
    table_rows: dict[str, int]
    files_written: int
    files_removed: int
    cache_keys_deleted: int


def _nothing(step: str, percent: int) -> None:
    return None


# --- Files -------------------------------------------------------------------------------------


def _walk(storage: Storage, folder: str) -> Iterator[str]:
    try:
        folders, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in sorted(files):
        yield f"{folder}/{name}"
    for sub in sorted(folders):
        yield from _walk(storage, f"{folder}/{sub}")


def council_files(
    *, schema: str, include_backups: bool = False, file_storages: Mapping[str, Storage] | None = None
) -> list[StoredFile]:
    """Every object of the council in every storage: whatever is under a ``<kind>/<schema>/`` folder.

    Found by listing each storage's top folders, not from a list of kinds kept here, so that a new
    kind of file (keyed by the schema, as every council's file is: ARCHITECTURE.md, Tenancy) is found
    without this module knowing of it. Its own backups are left out of a backup. ``file_storages``: other
    storages to list by alias (a restored bucket's, ``source_storages``) instead of this installation's.
    """
    found: list[StoredFile] = []
    for alias in FILE_STORAGES:
        storage = (file_storages or storages)[alias]
        try:
            kinds, _loose = storage.listdir("")
        except FileNotFoundError:
            continue
        for kind in sorted(kinds):
            if kind == BACKUPS_FOLDER and not include_backups:
                continue
            for name in _walk(storage, f"{kind}/{schema}"):
                found.append(StoredFile(alias, name, storage.size(name)))
    return found


def council_files_delete(files: list[StoredFile]) -> int:
    """Delete these files; returns how many bytes they held. Deleting one already gone is not an error."""
    removed = 0
    for stored in files:
        storages[stored.storage].delete(stored.name)
        removed += stored.size
    return removed


def council_folders_remove(*, schema: str) -> int:
    """Remove the council's emptied ``<kind>/<schema>/`` folders from storages on a local disk (S3 has no folders:
    a prefix goes with its last object). A folder still holding a file is left. Returns how many were removed."""
    removed = 0
    for alias in FILE_STORAGES:
        storage = storages[alias]
        if not isinstance(storage, FileSystemStorage):
            continue
        root = Path(storage.location)
        for folder in root.glob(f"*/{glob_escape(schema)}"):
            for inner in sorted((path for path in folder.rglob("*") if path.is_dir()), reverse=True):
                with suppress(OSError):
                    inner.rmdir()
                    removed += 1
            with suppress(OSError):
                folder.rmdir()
                removed += 1
    return removed


# --- Cache -------------------------------------------------------------------------------------


def _cache_pattern(schema: str) -> str:
    # django_tenants.cache.make_key: "<schema>:<KEY_PREFIX>:<version>:<key>"; glob characters escaped.
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    return re.sub(r"([*?\[\]\\])", r"\\\1", f"{schema}:{prefix}:") + "*"


def council_cache_keys(*, schema: str) -> list[str]:
    """The council's cache keys (sessions among them), found with SCAN, never KEYS."""
    backend = cache._cache  # type: ignore[attr-defined]
    pattern = _cache_pattern(schema)
    if hasattr(backend, "get_client"):  # django.core.cache.backends.redis.RedisCache
        client = backend.get_client(write=False)
        return sorted(key.decode() for key in client.scan_iter(match=pattern, count=1000))
    prefix = pattern[:-1].replace("\\", "")
    return sorted(key for key in list(backend) if isinstance(key, str) and key.startswith(prefix))  # locmem


def council_cache_keys_delete(*, schema: str) -> tuple[int, int]:
    """Delete the council's cache keys. Returns (keys deleted, of which sessions)."""
    keys = council_cache_keys(schema=schema)
    if not keys:
        return 0, 0
    backend = cache._cache  # type: ignore[attr-defined]
    if hasattr(backend, "get_client"):
        client = backend.get_client(write=True)
        for start in range(0, len(keys), 500):
            client.delete(*keys[start : start + 500])
    else:
        for key in keys:
            with suppress(KeyError):
                del backend[key]
            with suppress(KeyError):
                del cache._expire_info[key]  # type: ignore[attr-defined]
    sessions = sum(":django.contrib.sessions.cache" in key for key in keys)
    return len(keys), sessions


# --- Making an archive -------------------------------------------------------------------------


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for chunk in iter(lambda: source.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


class _HashingWriter(io.RawIOBase):
    def __init__(self, target: IO[bytes]) -> None:
        self.target = target
        self.digest = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.digest.update(data)
        self.size += len(data)
        self.target.write(data)
        return len(data)


@contextmanager
def _snapshot() -> Iterator[None]:
    """One consistent view of every table: a repeatable-read, read-only transaction (unless already in one)."""
    if connection.in_atomic_block:
        with transaction.atomic():
            yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


@contextmanager
def _reading_from(database: str) -> Iterator[None]:
    """For the block, ``database`` is this thread's default connection (then the default is put back).

    What the archive reads with (``schema_structure_read``, ``schema_exists``, the snapshot below) uses
    ``django.db.connection``; a restored instance is read by the same code this way. Only this thread's
    handle is swapped, and the live default's own transaction, if any, is left as it was.
    """
    if database == DEFAULT_DB_ALIAS:
        yield
        return
    live = connections[DEFAULT_DB_ALIAS]
    connections[DEFAULT_DB_ALIAS] = connections[database]
    try:
        yield
    finally:
        connections[DEFAULT_DB_ALIAS] = live


def council_archive_write(
    *,
    council: Council,
    target: IO[bytes],
    progress: Progress = _nothing,
    database: str = DEFAULT_DB_ALIAS,
    file_storages: Mapping[str, Storage] | None = None,
) -> ArchiveSummary:
    """Write the council's archive to ``target`` (a binary file open for writing). Reads as the application role.

    The schema is read in one snapshot; files are copied after (an upload meanwhile may or may not be in).
    ``database`` and ``file_storages`` read another copy of the council instead of this installation's: a
    restored instance's connection alias (``source_database``) and a restored bucket's (``source_storages``).
    """
    schema = council.schema_name
    with _reading_from(database):
        if not schema_exists(schema):
            raise ArchiveRefused(f"{council.name} has no schema ({schema}) to back up.")
    with tempfile.TemporaryDirectory(prefix="patchwork-backup-") as work:
        root = Path(work)
        (root / "data").mkdir()
        members: dict[str, str] = {}
        tables: dict[str, dict[str, Any]] = {}
        progress("Reading the schema's structure", 5)
        with _reading_from(database), _snapshot():
            structure = schema_structure_read(schema)
            (root / SCHEMA_SQL).write_text(structure.before_data + ROWS_MARKER + structure.after_data)
            members[SCHEMA_SQL] = _sha256_file(root / SCHEMA_SQL)
            raw = connection.connection
            with raw.cursor() as cursor:
                # No progress is written meanwhile: this transaction is read-only, and one snapshot.
                for table in structure.tables:
                    columns = structure.columns[table]
                    member = f"data/{table}.csv"
                    cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, table)))
                    rows = cursor.fetchone()[0]
                    with (root / member).open("wb") as out:
                        writer = _HashingWriter(out)
                        statement = sql.SQL("COPY {} ({}) TO STDOUT WITH (FORMAT csv, HEADER)").format(
                            sql.Identifier(schema, table), sql.SQL(", ").join(map(sql.Identifier, columns))
                        )
                        with cursor.copy(statement) as copy:
                            for chunk in copy:
                                writer.write(bytes(chunk))
                    members[member] = writer.digest.hexdigest()
                    tables[table] = {"rows": rows, "columns": list(columns), "member": member}
                sequences: dict[str, list[Any]] = {}
                for name in structure.sequences:
                    cursor.execute(sql.SQL("SELECT last_value, is_called FROM {}").format(sql.Identifier(schema, name)))
                    last_value, is_called = cursor.fetchone()
                    sequences[name] = [last_value, is_called]
                migrations: list[list[str]] = []
                if "django_migrations" in structure.tables:
                    cursor.execute(
                        sql.SQL("SELECT app, name FROM {} ORDER BY id").format(
                            sql.Identifier(schema, "django_migrations")
                        )
                    )
                    migrations = [[app, name] for app, name in cursor.fetchall()]

        progress("Copying the council's files", 60)
        files = []
        for stored in council_files(schema=schema, file_storages=file_storages):
            member = f"files/{stored.storage}/{stored.name}"
            destination = root / member
            destination.parent.mkdir(parents=True, exist_ok=True)
            storage = (file_storages or storages)[stored.storage]
            with storage.open(stored.name, "rb") as source, destination.open("wb") as out:
                shutil.copyfileobj(source, out, CHUNK)
            members[member] = _sha256_file(destination)
            files.append({"storage": stored.storage, "name": stored.name, "size": destination.stat().st_size})

        manifest = {
            "format": ARCHIVE_FORMAT,
            "council": {
                "slug": council.slug,
                "name": council.name,
                "jurisdiction": council.jurisdiction,
                "data_region": council.data_region,
            },
            "schema": schema,
            "created_at": timezone.now().isoformat(),
            "migrations": migrations,
            "tables": tables,
            "sequences": sequences,
            "files": files,
            "members": members,
        }
        (root / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))

        progress("Packing the archive", 90)
        writer = _HashingWriter(target)
        with tarfile.open(fileobj=writer, mode="w:gz") as archive:  # type: ignore[call-overload]
            for member in [MANIFEST, *members]:
                archive.add(root / member, arcname=member, recursive=False)
    return ArchiveSummary(
        sha256=writer.digest.hexdigest(),
        size=writer.size,
        table_rows={table: spec["rows"] for table, spec in tables.items()},
        file_count=len(files),
        file_bytes=sum(spec["size"] for spec in files),
        manifest=manifest,
    )


# --- A council as it is in a restored instance of the cell ------------------------------------

SOURCE_ALIAS = "restored_instance"
SOURCE_CONNECT_TIMEOUT = 10  # seconds: a wrong address is refused at once rather than hanging the task


def source_database_where(url: str) -> str:
    """``host:port/database`` of a database URL: a restored instance as messages and the audit trail name it,
    never with its credentials."""
    parsed = dj_database_url.parse(url)
    host = parsed.get("HOST") or parsed.get("OPTIONS", {}).get("host") or "localhost"  # ?host=: a socket folder
    return f"{host}:{parsed.get('PORT') or 5432}/{parsed.get('NAME') or ''}"


@contextmanager
def source_database(url: str) -> Iterator[str]:
    """A connection alias, for the block, to the instance an RDS recovery point was restored into: ``url`` is that
    instance's owner URL, whose user and password may be left out (this installation's owner's are used: a restored
    instance keeps them). Every transaction on it is read-only (``default_transaction_read_only=on``), so it is
    never written to. Refused (``ArchiveRefused``) if the URL is not a PostgreSQL one or the instance cannot be
    reached; the message names the host and database, never the password.
    """
    try:
        parsed = dj_database_url.parse(url)
    except ValueError as error:
        raise ArchiveRefused("The restored database's URL is not a PostgreSQL URL.") from error
    if not parsed.get("NAME") or "postgresql" not in str(parsed.get("ENGINE", "")):
        raise ArchiveRefused("The restored database's URL is not a PostgreSQL URL naming a database.")
    where = source_database_where(url)
    live = connections.settings[DEFAULT_DB_ALIAS]
    # The live connection's TLS settings (the same CA signs a restored RDS instance's certificate), not its pool.
    options = {key: value for key, value in live.get("OPTIONS", {}).items() if key != "pool"}
    options |= parsed.get("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c default_transaction_read_only=on".strip()
    options.setdefault("connect_timeout", SOURCE_CONNECT_TIMEOUT)
    where_and_who = {key: parsed.get(key) or "" for key in ("NAME", "USER", "PASSWORD", "HOST", "PORT")}
    # A restored RDS instance keeps the master user and password of the one backed up: a URL without them (so that
    # no password is typed on a command line, kept in a shell's history or a task's overrides) uses this one's owner.
    owner = getattr(settings, "DATABASE_OWNER", None) or {}
    where_and_who["USER"] = where_and_who["USER"] or owner.get("USER", "")
    if not where_and_who["PASSWORD"] and where_and_who["USER"] == owner.get("USER"):
        where_and_who["PASSWORD"] = owner.get("PASSWORD", "")
    source = {
        **live,
        **where_and_who,
        "OPTIONS": options,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
    }
    # This thread's alone, and not in settings.DATABASES: nothing else (other threads, connection clean-up at the
    # end of a request or task) finds it; it is closed and removed here.
    connections[SOURCE_ALIAS] = load_backend(source["ENGINE"]).DatabaseWrapper(source, SOURCE_ALIAS)
    try:
        try:
            connections[SOURCE_ALIAS].ensure_connection()
        except DatabaseError as error:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise ArchiveRefused(f"The restored database {where} cannot be reached: {reason}.") from error
        yield SOURCE_ALIAS
    finally:
        connections[SOURCE_ALIAS].close()
        del connections[SOURCE_ALIAS]


def source_storages(*, bucket: str = "", folder: Path | None = None) -> dict[str, Storage]:
    """The storages to read a council's files from instead of this installation's, by alias (``FILE_STORAGES``).

    ``bucket``: a bucket an S3 recovery point was restored into — this installation's storages (their prefixes,
    region, encryption) with that bucket instead of the cell's. ``folder``: a copy of the storages on disk, one
    sub-folder a storage (``default/``, ``private/``), for development and tests. Refused (``RestoreRefused``)
    for both at once, a bucket where the storages are not S3, or a folder that is not one.
    """
    if bucket and folder is not None:
        raise RestoreRefused("Read the files either from a restored bucket or from a folder, not both.")
    built: dict[str, Storage] = {}
    for alias in FILE_STORAGES:
        if folder is not None:
            # A wrong folder must not read as "no files": restoring over the council would delete all of its own.
            if not (folder / alias).is_dir():
                raise RestoreRefused(f"There is no folder {folder / alias}: give one holding default/ and private/.")
            built[alias] = FileSystemStorage(location=folder / alias)
            continue
        spec = settings.STORAGES[alias]
        options = spec.get("OPTIONS", {})
        if "bucket_name" not in options:
            raise RestoreRefused(f"The {alias} storage here is not in an S3 bucket: a restored bucket cannot stand in.")
        built[alias] = import_string(spec["BACKEND"])(**{**options, "bucket_name": bucket})
    return built


def _source_council_check(database: str, council: Council) -> None:
    """Refuse (``ArchiveRefused``) an instance without the council, its schema, or with migrations this release
    does not know (made by a later release: its rows may not fit this code's tables, and no migration undoes it).
    Fewer migrations are fine: the restore migrates the schema forward, as it does an older archive."""
    source = connections[database]
    schema = Council.objects.using(database).filter(slug=council.slug).values_list("schema_name", flat=True).first()
    if schema is None:
        raise ArchiveRefused(f"The restored database has no council {council.slug!r}.")
    if schema != council.schema_name:
        raise ArchiveRefused(
            f"In the restored database {council.slug!r} has the schema {schema}, not {council.schema_name}."
        )
    with source.cursor() as cursor:
        cursor.execute("SELECT to_regclass(quote_ident(%s) || '.django_migrations') IS NOT NULL", [schema])
        if not cursor.fetchone()[0]:
            raise ArchiveRefused(
                f"The restored database has no schema {schema} (or not a council's) for {council.name}."
            )
        cursor.execute(sql.SQL("SELECT app, name FROM {}").format(sql.Identifier(schema, "django_migrations")))
        applied = set(cursor.fetchall())
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = sorted(f"{app}.{name}" for app, name in applied - known)
    if unknown:
        raise ArchiveRefused(
            f"The restored schema {schema} has migrations this release does not have ({', '.join(unknown[:5])}): "
            "restore it with the release that made them."
        )


def council_archive_from_instance(
    *,
    council: Council,
    database_url: str,
    target: IO[bytes],
    file_storages: Mapping[str, Storage] | None = None,
    progress: Progress = _nothing,
) -> ArchiveSummary:
    """Write ``council``'s archive as it is in a restored instance of the cell's database (``database_url``, that
    instance's owner URL, opened read-only) and its files as they are in ``file_storages`` (``source_storages``;
    without them, as they are now): an ordinary archive, for ``council_restore``.

    Refused (``ArchiveRefused``, nothing written to ``target``) if the files cannot be read, or the instance cannot
    be reached, has no such council or schema, or has migrations this release does not know.
    """
    for alias, storage in (file_storages or {}).items():
        try:
            storage.listdir("")
        except Exception as error:  # S3's (no such bucket, access denied) are botocore's own
            raise ArchiveRefused(f"The restored {alias} files cannot be read: {error}") from error
    with source_database(database_url) as database:
        _source_council_check(database, council)
        return council_archive_write(
            council=council, target=target, progress=progress, database=database, file_storages=file_storages
        )


# --- Reading and verifying an archive ----------------------------------------------------------


@dataclass(frozen=True)
class VerifiedArchive:
    """An archive unpacked in a temporary folder, every member checked against its manifest."""

    root: Path
    manifest: dict[str, Any]
    sha256: str

    @property
    def structure(self) -> tuple[str, str]:
        text = (self.root / SCHEMA_SQL).read_text()
        if text.count(ROWS_MARKER) != 1:
            raise ArchiveRefused("schema.sql is not a council schema's structure.")
        before, after = text.split(ROWS_MARKER)
        return before, after


def _member_path(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or not path.parts or any(part in ("", ".", "..") for part in path.parts):
        raise ArchiveRefused(f"the archive holds a member with an unsafe name: {name!r}")
    return path


@contextmanager
def archive_open(source: Path) -> Iterator[VerifiedArchive]:
    """Unpack ``source`` into a temporary folder and check it all before anything else is done with it.

    Refused (``ArchiveRefused``) if it is not a gzip'd tar, holds anything but regular files with safe
    names, lacks its manifest, or any member's SHA-256 differs from the manifest's (or is missing from
    it). The manifest protects against damage, not against someone who rewrites it too: the whole
    archive's SHA-256 (recorded with each backup, and in the deletion certificate) is for that.
    """
    with tempfile.TemporaryDirectory(prefix="patchwork-restore-") as work:
        root = Path(work)
        digests: dict[str, str] = {}
        try:
            sha256 = _sha256_file(source)
            with tarfile.open(source, mode="r:gz") as archive:
                for member in archive:
                    path = _member_path(member.name)
                    if not member.isfile():
                        raise ArchiveRefused(f"the archive holds something other than a file: {member.name!r}")
                    if str(path) in digests:
                        raise ArchiveRefused(f"the archive holds {member.name!r} twice")
                    destination = root.joinpath(*path.parts)
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    extracted = archive.extractfile(member)
                    if extracted is None:
                        raise ArchiveRefused(f"{member.name!r} cannot be read")
                    digest = hashlib.sha256()
                    with destination.open("wb") as out:
                        for chunk in iter(lambda: extracted.read(CHUNK), b""):  # noqa: B023 (used at once)
                            digest.update(chunk)
                            out.write(chunk)
                    digests[str(path)] = digest.hexdigest()
            manifest = json.loads((root / MANIFEST).read_text()) if MANIFEST in digests else None
        except ArchiveRefused:
            raise
        except (tarfile.TarError, OSError, EOFError, ValueError) as error:
            raise ArchiveRefused(f"this is not a readable council archive ({type(error).__name__}).") from error
        if not isinstance(manifest, dict) or manifest.get("format") != ARCHIVE_FORMAT:
            raise ArchiveRefused("the archive has no manifest this version can read.")
        listed = manifest.get("members") or {}
        del digests[MANIFEST]
        if set(listed) != set(digests):
            raise ArchiveRefused("the archive's members are not those its manifest lists.")
        damaged = sorted(name for name, digest in digests.items() if listed[name] != digest)
        if damaged:
            raise ArchiveRefused(f"SHA-256 mismatch: {', '.join(damaged[:5])} differ from the manifest.")
        for table, spec in manifest["tables"].items():
            if spec.get("member") not in digests or not SCHEMA_NAME.match(table):
                raise ArchiveRefused(f"the manifest's table {table!r} has no data in the archive.")
        yield VerifiedArchive(root=root, manifest=manifest, sha256=sha256)


def archive_sha256(path: Path) -> str:
    """The whole archive's SHA-256: what a backup row records, to compare before restoring from it."""
    return _sha256_file(path)


# --- Restoring ---------------------------------------------------------------------------------


def restore_target_check(schema: str) -> None:
    """Refuse (``RestoreRefused``) a name a copy cannot be restored into: not a schema name, ``public`` or
    ``pg_*``, the template's or any council's, or a schema that exists. The console asks before queuing."""
    if not SCHEMA_NAME.match(schema) or schema.startswith("pg_") or schema in ("public", "information_schema"):
        raise RestoreRefused(f"{schema!r} is not a name a council schema can have.")
    if schema == settings.TENANT_BASE_SCHEMA or Council.objects.filter(schema_name=schema).exists():
        raise RestoreRefused(f"{schema} belongs to a council or the template: restore into a new name.")
    if schema_exists(schema):
        raise RestoreRefused(f"the schema {schema} exists already: restore into a new name, or use replace.")


def council_restore(
    *,
    council: Council,
    archive: Path,
    into_schema: str | None = None,
    replace: bool = False,
    other_council: bool = False,
    progress: Progress = _nothing,
) -> RestoreSummary:
    """Restore ``archive`` into a new schema (``into_schema``) or over the council's own (``replace``).

    Everything is checked before anything changes; the database part is one transaction as the owner
    role (never inside a request). ``replace`` with another council's archive is refused unless
    ``other_council`` says so. A new schema is a copy for inspection or recovery: no council answers
    from it, and its files stay in the archive (its rows name the original council's files). With
    ``replace`` the council's files become the archive's, and its cache keys (sessions included) go.
    """
    if replace == (into_schema is not None):
        raise RestoreRefused("Restore either into a new schema or over the council's own one, not both or neither.")
    progress("Checking the archive", 5)
    with archive_open(archive) as verified:
        manifest = verified.manifest
        if replace:
            target = council.schema_name
            source = manifest.get("council", {}).get("slug")
            if source != council.slug and not other_council:
                raise RestoreRefused(
                    f"This archive is of the council {source!r}, not {council.slug!r}: it is not restored over "
                    "another council unless you say so explicitly."
                )
        else:
            target = str(into_schema)
            restore_target_check(target)
        before, after = verified.structure
        progress("Restoring the schema", 20)
        with owner_connection():
            with transaction.atomic():
                table_rows = _schema_load(verified, target=target, before=before, after=after, drop_first=replace)
            if schemas_needing_migration([target]):  # an archive made before the code's last migration
                from django.core.management import call_command

                call_command("migrate_schemas", schema_name=target, tenant=True, interactive=False, verbosity=0)
            connection.set_schema_to_public()
        written = removed = deleted = 0
        if replace:
            progress("Restoring the files", 80)
            written, removed = _files_restore(verified, schema=target)
            progress("Clearing the council's cache", 95)
            deleted, _sessions = council_cache_keys_delete(schema=target)
    progress("Restored", 100)
    return RestoreSummary(
        schema=target, table_rows=table_rows, files_written=written, files_removed=removed, cache_keys_deleted=deleted
    )


def _schema_load(
    verified: VerifiedArchive, *, target: str, before: str, after: str, drop_first: bool
) -> dict[str, int]:
    manifest = verified.manifest
    schema = sql.Identifier(target)
    raw = connection.connection
    with connection.cursor() as cursor:
        if drop_first:
            # Checks deferred earlier in this transaction (none but in tests) would block dropping their tables.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(schema))
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(sql.SQL("CREATE SCHEMA {}").format(schema))
    try:
        # The structure names no schema: it is made in the target, alone on the path.
        with raw.cursor() as cursor, search_path_local(cursor, target):
            cursor.execute(before.encode())
            for table, spec in manifest["tables"].items():
                statement = sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv, HEADER MATCH)").format(
                    sql.Identifier(target, table), sql.SQL(", ").join(map(sql.Identifier, spec["columns"]))
                )
                with (verified.root / spec["member"]).open("rb") as source, cursor.copy(statement) as copy:
                    for chunk in iter(lambda: source.read(CHUNK), b""):
                        copy.write(chunk)
            cursor.execute(after.encode())
            for name, (last_value, is_called) in manifest["sequences"].items():
                cursor.execute(
                    "SELECT pg_catalog.setval(%s, %s, %s)",
                    [sql.Identifier(target, name).as_string(raw), last_value, is_called],
                )
            counts: dict[str, int] = {}
            for table in manifest["tables"]:
                cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(target, table)))
                counts[table] = cursor.fetchone()[0]
    finally:
        connection.set_schema_to_public()
    expected = {table: spec["rows"] for table, spec in manifest["tables"].items()}
    if counts != expected:
        wrong = sorted(table for table in expected if counts.get(table) != expected[table])
        raise ArchiveRefused(f"the restored row counts differ from the manifest's: {', '.join(wrong[:5])}")
    new_schema_privileges_grant(schema=target, tables=list(manifest["tables"]), sequences=list(manifest["sequences"]))
    return counts


def _files_restore(verified: VerifiedArchive, *, schema: str) -> tuple[int, int]:
    """The council's files become the archive's: those missing written, those not in it deleted.

    Only files under this council's own folders are written: another council's archive (restored
    over this one on purpose) never writes into that other council's folders.
    """
    own = re.compile(rf"^[^/]+/{re.escape(schema)}/")
    wanted: set[tuple[str, str]] = set()
    written = 0
    for spec in verified.manifest["files"]:
        alias, name = spec["storage"], spec["name"]
        if alias not in FILE_STORAGES or not own.match(name) or name.startswith(f"{BACKUPS_FOLDER}/"):
            logger.warning("Not restoring %s:%s, outside the council's own folders", alias, name)
            continue
        wanted.add((alias, name))
        storage = storages[alias]
        if storage.exists(name):
            storage.delete(name)
        with (verified.root / "files" / alias / name).open("rb") as content:
            saved = storage.save(name, File(content, name=name))
        if saved != name:
            raise RestoreRefused(f"the storage saved {name} as {saved}")
        written += 1
    removed = 0
    for stored in council_files(schema=schema):
        if (stored.storage, stored.name) not in wanted:
            storages[stored.storage].delete(stored.name)
            removed += 1
    return written, removed


def table_checksums(schema: str) -> dict[str, tuple[int, str]]:
    """Each table's row count and an md5 of its rows in order: to compare two schemas (tests, after a restore)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind = 'r' ORDER BY c.relname",
            [schema],
        )
        names = [name for (name,) in cursor.fetchall()]
        checksums: dict[str, tuple[int, str]] = {}
        for name in names:
            table = sql.Identifier(schema, name)
            cursor.execute(
                sql.SQL(
                    "SELECT count(*), coalesce(md5(string_agg(r::text, E'\\n' ORDER BY r::text)), '') FROM {} AS r"
                ).format(table)
            )
            count, digest = cursor.fetchone()
            checksums[name] = (count, digest)
    return checksums


def csv_rows(path: Path) -> int:
    """Rows in a CSV member (its header not counted): for people checking an export by hand, and tests."""
    with path.open(newline="") as source:
        return max(sum(1 for _row in csv.reader(source)) - 1, 0)


# --- Recorded backups, kept in private storage -------------------------------------------------


def backup_storage_name(*, council: Council, made_at: Any) -> str:
    return f"{BACKUPS_FOLDER}/{council.schema_name}/{made_at:%Y%m%dT%H%M%S%fZ}.tar.gz"


def backup_progress(backup: CouncilBackup, *, step: str, percent: int, **fields: Any) -> None:
    """Record how far a backup is, committed on its own so the console sees it while it runs."""
    backup.step, backup.progress = step[:80], max(0, min(percent, 100))
    for name, value in fields.items():
        setattr(backup, name, value)
    with transaction.atomic():
        backup.save(update_fields=["step", "progress", *fields])


def council_backup_make(*, backup_id: int, output: Path | None = None) -> CouncilBackup:
    """Make the recorded backup ``backup_id``: its archive kept in private storage under
    ``backups/<schema>/<timestamp>.tar.gz`` (or written to ``output``), its numbers on the row.

    Safe to run twice: a finished backup is left as it is; one interrupted is made again from the start.
    """
    backup = CouncilBackup.objects.select_related("council").get(pk=backup_id)
    if backup.status == BackupStatus.DONE:
        return backup
    council = backup.council
    backup_progress(backup, step="Starting", percent=1, status=BackupStatus.RUNNING, error="")
    try:
        with tempfile.TemporaryDirectory(prefix="patchwork-archive-") as work:
            path = Path(work) / "archive.tar.gz"
            with path.open("wb") as target:
                summary = council_archive_write(
                    council=council,
                    target=target,
                    progress=lambda step, percent: backup_progress(backup, step=step, percent=min(percent, 94)),
                )
            name = ""
            if output is not None:
                shutil.copyfile(path, output)
            else:
                backup_progress(backup, step="Storing the archive", percent=95)
                storage = storages[PRIVATE_STORAGE]
                wanted = backup_storage_name(council=council, made_at=timezone.now())
                with path.open("rb") as content:
                    name = storage.save(wanted, File(content, name=wanted))
    except Exception as error:
        logger.exception("Backup %s of council %s failed", backup.pk, council.slug)
        backup_progress(
            backup,
            step="Failed",
            percent=backup.progress,
            status=BackupStatus.FAILED,
            # Only our own refusals are worded for operators; anything else is named, not quoted (no data in it).
            error=str(error)[:500] if isinstance(error, ArchiveRefused) else type(error).__name__,
        )
        raise
    backup_progress(
        backup,
        step="Done",
        percent=100,
        status=BackupStatus.DONE,
        finished_at=timezone.now(),
        storage_name=name,
        size=summary.size,
        sha256=summary.sha256,
        table_rows=summary.table_rows,
        file_count=summary.file_count,
        file_bytes=summary.file_bytes,
    )
    return backup
