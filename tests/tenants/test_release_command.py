"""``manage.py release`` migrates one release at a time: a real advisory lock, held by a real second session.

The release's migrations run in worker processes with sessions of their own, which see only committed data,
so the council that is behind is committed (and removed afterwards) rather than made inside a test's
rolled-back transaction.
"""

import threading
import time
from collections.abc import Iterator
from io import StringIO

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from psycopg import sql
from pytest_django import DjangoDbBlocker, Settings

from onboarding.services.provisioning import council_create
from tenants.management.commands.release import LOCK_HELD_MESSAGE, RELEASE_LOCK_KEY
from tenants.models import Council
from tenants.schema_state import schemas_needing_migration
from tenants.services.schemas import council_schema_create, council_schema_drop

# The release migrates as the owner role (docs/adr/0008).
pytestmark = [pytest.mark.platform_side, pytest.mark.database_owner]

BEHIND_SLUG = "releasebehind"


def _other_session() -> psycopg.Connection:
    """A session of its own on the test database, as another deploy's release would have."""
    params = connection.settings_dict
    return psycopg.connect(
        host=params["HOST"],
        port=params["PORT"] or None,
        dbname=params["NAME"],
        user=params["USER"],
        password=params["PASSWORD"] or None,
        autocommit=True,
    )


def _release_locks_held() -> int:
    """Sessions holding the release's advisory lock on this database (pg_locks splits the key in two)."""
    with _other_session() as session:
        return session.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND classid::bigint = %s AND objid::bigint = %s AND objsubid = 1",
            [RELEASE_LOCK_KEY >> 32, RELEASE_LOCK_KEY & 0xFFFFFFFF],
        ).fetchone()[0]


@pytest.fixture
def release_lock_held_elsewhere() -> Iterator[psycopg.Connection]:
    with _other_session() as session:
        assert session.execute("SELECT pg_try_advisory_lock(%s)", [RELEASE_LOCK_KEY]).fetchone()[0]
        yield session


def _make_behind(schema: str) -> None:
    """As if the newest support migration (a leaf) had not reached this council yet."""
    table = sql.Identifier(schema, "django_migrations")
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("DELETE FROM {} WHERE app = %s AND name = (SELECT max(name) FROM {} WHERE app = %s)").format(
                table, table
            ),
            ["support", "support"],
        )
    assert schemas_needing_migration([schema]) == [schema]


def _council_remove(council: Council) -> None:
    connection.set_schema_to_public()
    council_schema_drop(council=council)
    Council.objects.filter(pk=council.pk).delete()


@pytest.fixture
def committed_council_behind(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[Council]:
    with django_db_blocker.unblock():
        for leftover in Council.objects.filter(slug=BEHIND_SLUG):  # from a run that was killed
            _council_remove(leftover)
        council = council_create(name="Release Behind Council", slug=BEHIND_SLUG, jurisdiction="england")
        council_schema_create(council=council)
        _make_behind(council.schema_name)
        try:
            yield council
        finally:
            _council_remove(council)


def test_release_fails_fast_and_migrates_nothing_while_another_release_holds_the_lock(
    db: None, release_lock_held_elsewhere: psycopg.Connection, capsys: pytest.CaptureFixture[str]
) -> None:
    council = council_create(name="Waiting Release Council", slug="waitingrelease", jurisdiction="england")
    council_schema_create(council=council)
    _make_behind(council.schema_name)

    started = time.monotonic()
    with pytest.raises(CommandError, match=LOCK_HELD_MESSAGE):
        call_command("release", wait=1)

    assert time.monotonic() - started < 5
    assert schemas_needing_migration([council.schema_name]) == [council.schema_name]
    assert "migrat" not in capsys.readouterr().out.lower()
    assert _release_locks_held() == 1  # still the other release's


def test_release_stops_before_migrating_when_a_council_does_not_belong_in_this_cell(
    db: None, settings: Settings
) -> None:
    council = council_create(name="Stray Release Council", slug="strayrelease", jurisdiction="england")
    council_schema_create(council=council)
    _make_behind(council.schema_name)
    settings.PATCHWORK_JURISDICTION = "victoria"  # this release is deployed into the Victorian cell
    settings.AWS_REGION = "ap-southeast-4"

    with pytest.raises(CommandError, match="stopped before migrating anything") as refusal:
        call_command("release", wait=1)

    assert "Council strayrelease does not belong in this cell" in str(refusal.value)
    assert schemas_needing_migration([council.schema_name]) == [council.schema_name]
    assert _release_locks_held() == 0


def test_release_migrates_every_schema_and_frees_the_lock(
    committed_council_behind: Council, django_db_blocker: DjangoDbBlocker, capsys: pytest.CaptureFixture[str]
) -> None:
    out = StringIO()
    with django_db_blocker.unblock():
        call_command("release", wait=1, stdout=out)
        assert schemas_needing_migration([committed_council_behind.schema_name]) == []
    assert "already up to date; migrating 1." in capsys.readouterr().out  # the executor's own report
    assert "Release lock taken; migrating." in out.getvalue()
    assert "Release complete." in out.getvalue()
    # This server has no pgaudit: the release says so rather than failing (on RDS it creates the extension).
    assert "pgaudit is not installed on this server" in out.getvalue()
    assert _release_locks_held() == 0
    with _other_session() as session:  # the next release can take it at once
        assert session.execute("SELECT pg_try_advisory_lock(%s)", [RELEASE_LOCK_KEY]).fetchone()[0]


def test_release_waits_for_a_release_that_finishes(db: None, release_lock_held_elsewhere: psycopg.Connection) -> None:
    finished = threading.Timer(1.5, release_lock_held_elsewhere.execute, ["SELECT pg_advisory_unlock_all()"])
    finished.start()
    out = StringIO()
    try:
        call_command("release", wait=30, stdout=out)
    finally:
        finished.cancel()
    assert "Release complete." in out.getvalue()
    assert _release_locks_held() == 0


def test_release_without_the_owner_role_is_refused_with_a_clear_message(settings: Settings) -> None:
    settings.DATABASE_OWNER = None
    with pytest.raises(CommandError, match="needs the database owner role: set DATABASE_OWNER_URL"):
        call_command("release", wait=0)
