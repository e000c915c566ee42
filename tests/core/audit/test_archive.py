"""The audit trail copied nightly to the archive storage, one object per schema and UTC day (docs/adr/0031).

The archive storage is a folder of each test's own here (in production an S3 bucket with Object Lock). The days are
fixed dates long past where a test counts events exactly, so that no event the suite's set-up committed is among them.
"""

import datetime
import gzip
import hashlib
import json
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from config.celery import app
from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.audit.services.archive import (
    DAYS_PER_RUN,
    AuditArchiveRefused,
    audit_archive_catch_up,
    audit_archive_names,
    audit_day_archive,
    utc_today,
)
from core.audit.tasks import archive_all, archive_council
from onboarding.services.provisioning import council_create, council_provision
from tenants.models import AuditArchive, Council
from tenants.services.schemas import council_schema_drop

UTC = datetime.UTC
DAY = datetime.date(2020, 3, 2)


@pytest.fixture
def archive_storage(settings: Any, tmp_path: Path) -> Storage:
    settings.STORAGES = {
        **settings.STORAGES,
        "audit_archive": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "audit-archive"},
        },
    }
    return storages["audit_archive"]


def _event(when: datetime.datetime, **values: object) -> AuditEvent:
    """An event that occurred at ``when``, in the schema the connection is in."""
    return AuditEvent.objects.create(
        occurred_at=when,
        council=connection.schema_name,
        action=values.pop("action", AuditAction.CLIENT_VIEWED),
        outcome=values.pop("outcome", AuditOutcome.SUCCESS),
        **values,
    )


def _at(day: datetime.date, hour: int, minute: int = 0, second: int = 0, micro: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, second, micro, tzinfo=UTC)


def _lines(storage: Storage, name: str) -> list[dict[str, object]]:
    with storage.open(name, "rb") as stored:
        return [json.loads(line) for line in gzip.decompress(stored.read()).splitlines()]


def _stored(storage: Storage) -> dict[str, bytes]:
    root = Path(storage.location)  # type: ignore[attr-defined]
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def _table_columns() -> set[str]:
    with connection.cursor() as cursor:
        return {column.name for column in connection.introspection.get_table_description(cursor, "audit_auditevent")}


def _created_on(council: Council, day: datetime.date) -> None:
    Council.objects.filter(pk=council.pk).update(created_at=_at(day, 12))


# --- One day, one object --------------------------------------------------------------------------


@pytest.mark.council_side
def test_a_days_events_land_in_one_object_in_order_with_a_sha256_that_matches_the_stored_file(
    council_a: Council, archive_storage: Storage
) -> None:
    with schema_context(council_a.schema_name):
        _event(_at(DAY - datetime.timedelta(days=1), 23, 59, 59, 999999))  # the day before
        late = _event(_at(DAY, 23, 59, 59, 999999))
        # The same moment: ordered by id, whatever order they were written in.
        second_of_two = _event(_at(DAY, 9), id=10**12 + 2)
        first_of_two = _event(_at(DAY, 9), id=10**12 + 1)
        early = _event(_at(DAY, 0))
        _event(_at(DAY + datetime.timedelta(days=1), 0))  # the day after

        archive = audit_day_archive(council=council_a.schema_name, day=DAY)

    object_name, manifest_name = audit_archive_names(council=council_a.schema_name, day=DAY)
    assert object_name == f"audit/{council_a.schema_name}/2020/03/02.jsonl.gz"
    assert set(_stored(archive_storage)) == {object_name, manifest_name}
    stored = _stored(archive_storage)[object_name]
    assert archive.sha256 == hashlib.sha256(stored).hexdigest()
    assert archive.size == len(stored)
    assert archive.rows == 4
    assert [line["id"] for line in _lines(archive_storage, object_name)] == [
        early.pk,
        first_of_two.pk,
        second_of_two.pk,
        late.pk,
    ]
    assert (archive.first_id, archive.last_id) == (early.pk, late.pk)
    manifest = json.loads(_stored(archive_storage)[manifest_name])
    assert manifest | {"columns": None} == {
        "schema": council_a.schema_name,
        "day": "2020-03-02",
        "object": object_name,
        "rows": 4,
        "first_id": early.pk,
        "last_id": late.pk,
        "sha256": hashlib.sha256(stored).hexdigest(),
        "size": len(stored),
        "columns": None,
    }
    assert AuditArchive.objects.filter(schema=council_a.schema_name).count() == 1


@pytest.mark.council_side
def test_each_line_holds_every_column_of_the_table_and_nothing_else(
    council_a: Council, archive_storage: Storage
) -> None:
    actor, client = uuid.uuid4(), uuid.uuid4()
    with schema_context(council_a.schema_name):
        event = _event(
            _at(DAY, 14, 30, 5, 123456),
            actor_id=actor,
            action=AuditAction.CLIENT_CORRECTED,
            object_type="client",
            object_id=str(client),
            related_ids=[str(client), "other"],
            reason="Court order",
            ip_address="203.0.113.9",
            user_agent="Browser/1.0",
            path="/clients/x/",
            changes={"surname": {"old": "Smith", "new": "Smyth"}},
        )
        audit_day_archive(council=council_a.schema_name, day=DAY)
        columns = _table_columns()

    object_name, _ = audit_archive_names(council=council_a.schema_name, day=DAY)
    [line] = _lines(archive_storage, object_name)
    assert set(line) == columns
    assert line == {
        "id": event.pk,
        "occurred_at": "2020-03-02T14:30:05.123456+00:00",
        "actor_id": str(actor),
        "actor_type": "",
        "council": council_a.schema_name,
        "action": "client_corrected",
        "outcome": "success",
        "object_type": "client",
        "object_id": str(client),
        "related_ids": [str(client), "other"],
        "reason": "Court order",
        "ip_address": "203.0.113.9",
        "user_agent": "Browser/1.0",
        "path": "/clients/x/",
        "changes": {"surname": {"old": "Smith", "new": "Smyth"}},
    }


@pytest.mark.council_side
def test_an_empty_day_yields_an_empty_object_so_the_gap_is_visible(
    council_a: Council, archive_storage: Storage
) -> None:
    with schema_context(council_a.schema_name):
        archive = audit_day_archive(council=council_a.schema_name, day=DAY)

    object_name, manifest_name = audit_archive_names(council=council_a.schema_name, day=DAY)
    assert (archive.rows, archive.first_id, archive.last_id) == (0, None, None)
    assert gzip.decompress(_stored(archive_storage)[object_name]) == b""
    assert json.loads(_stored(archive_storage)[manifest_name])["rows"] == 0


@pytest.mark.platform_side
def test_the_platforms_own_trail_is_archived_under_public(db: None, archive_storage: Storage) -> None:
    event = _event(_at(DAY, 11), action=AuditAction.ORDER_APPROVED)

    archive = audit_day_archive(council="public", day=DAY)

    assert archive.object_name == "audit/public/2020/03/02.jsonl.gz"
    assert [line["id"] for line in _lines(archive_storage, archive.object_name)] == [event.pk]


# --- Never twice, and nothing missed --------------------------------------------------------------


@pytest.mark.council_side
def test_the_next_run_writes_nothing_new(council_a: Council, archive_storage: Storage) -> None:
    yesterday = utc_today() - datetime.timedelta(days=1)
    _created_on(council_a, yesterday - datetime.timedelta(days=1))
    with schema_context(council_a.schema_name):
        _event(_at(yesterday, 8))
        first_run = audit_archive_catch_up(council=council_a.schema_name)
        stored = _stored(archive_storage)
        mtimes = {path: path.stat().st_mtime_ns for path in Path(archive_storage.location).rglob("*")}  # type: ignore[attr-defined]
        _event(_at(yesterday, 9))  # late: the day is archived already and is not written again

        second_run = audit_archive_catch_up(council=council_a.schema_name)
        again = audit_day_archive(council=council_a.schema_name, day=yesterday)

    assert [archive.day for archive in first_run] == [yesterday - datetime.timedelta(days=1), yesterday]
    assert second_run == []
    assert again == first_run[-1]
    assert _stored(archive_storage) == stored
    assert {path: path.stat().st_mtime_ns for path in Path(archive_storage.location).rglob("*")} == mtimes  # type: ignore[attr-defined]
    assert AuditArchive.objects.filter(schema=council_a.schema_name).count() == 2


@pytest.mark.council_side
def test_a_two_day_gap_is_caught_up(council_a: Council, archive_storage: Storage) -> None:
    today = utc_today()
    days = [today - datetime.timedelta(days=n) for n in (3, 2, 1)]
    with schema_context(council_a.schema_name):
        audit_day_archive(council=council_a.schema_name, day=days[0])
        missed = _event(_at(days[1], 13))

        caught_up = audit_archive_catch_up(council=council_a.schema_name)

        expected_rows = [
            AuditEvent.objects.filter(
                occurred_at__gte=_at(day, 0), occurred_at__lt=_at(day, 0) + datetime.timedelta(days=1)
            ).count()
            for day in days[1:]
        ]
    assert [archive.day for archive in caught_up] == days[1:]
    assert [archive.rows for archive in caught_up] == expected_rows
    assert missed.pk in [line["id"] for line in _lines(archive_storage, caught_up[0].object_name)]
    assert list(AuditArchive.objects.filter(schema=council_a.schema_name).values_list("day", flat=True)) == days


@pytest.mark.council_side
def test_a_council_is_archived_from_its_creation_at_most_a_month_a_run(
    council_a: Council, archive_storage: Storage
) -> None:
    _created_on(council_a, datetime.date(2020, 3, 1))
    with schema_context(council_a.schema_name):
        first_run = audit_archive_catch_up(council=council_a.schema_name)
        second_run = audit_archive_catch_up(council=council_a.schema_name)

    assert DAYS_PER_RUN == 31
    assert [archive.day for archive in first_run] == [
        datetime.date(2020, 3, 1) + datetime.timedelta(days=n) for n in range(31)
    ]
    assert second_run[0].day == datetime.date(2020, 4, 1)
    assert len(second_run) == 31


@pytest.mark.council_side
def test_a_day_not_over_yet_is_refused_and_nothing_is_stored(council_a: Council, archive_storage: Storage) -> None:
    with schema_context(council_a.schema_name), pytest.raises(AuditArchiveRefused, match="not over yet"):
        audit_day_archive(council=council_a.schema_name, day=utc_today())

    assert _stored(archive_storage) == {}
    assert not AuditArchive.objects.exists()


@pytest.mark.council_side
def test_an_object_left_by_a_run_that_stopped_is_recorded_as_it_is(
    council_a: Council, archive_storage: Storage
) -> None:
    with schema_context(council_a.schema_name):
        _event(_at(DAY, 10))
        first = audit_day_archive(council=council_a.schema_name, day=DAY)
        AuditArchive.objects.filter(pk=first.pk).delete()  # as if the run had stopped before recording the day
        stored = _stored(archive_storage)

        again = audit_day_archive(council=council_a.schema_name, day=DAY)

    assert (again.sha256, again.rows, again.size) == (first.sha256, first.rows, first.size)
    assert _stored(archive_storage) == stored


@pytest.mark.council_side
def test_a_stored_object_that_differs_from_the_trail_is_never_replaced_and_the_day_not_recorded(
    council_a: Council, archive_storage: Storage
) -> None:
    object_name, _ = audit_archive_names(council=council_a.schema_name, day=DAY)
    archive_storage.save(object_name, ContentFile(gzip.compress(b'{"id": 1}\n')))
    before = _stored(archive_storage)
    with schema_context(council_a.schema_name):
        _event(_at(DAY, 10))
        with pytest.raises(AuditArchiveRefused, match="differs from the audit trail"):
            audit_day_archive(council=council_a.schema_name, day=DAY)

    assert _stored(archive_storage) == before
    assert not AuditArchive.objects.filter(schema=council_a.schema_name).exists()


# --- Each council's own trail only ----------------------------------------------------------------


@pytest.mark.council_side
def test_another_councils_events_never_appear_in_a_councils_object(
    council_a: Council, council_b: Council, archive_storage: Storage
) -> None:
    with schema_context(council_b.schema_name):
        theirs = _event(_at(DAY, 10), object_type="client", object_id="beta-only-client")
    with schema_context(council_a.schema_name):
        ours = _event(_at(DAY, 10), object_type="client", object_id="alpha-only-client")
        archive_a = audit_day_archive(council=council_a.schema_name, day=DAY)
    with schema_context(council_b.schema_name):
        archive_b = audit_day_archive(council=council_b.schema_name, day=DAY)

    lines_a = _lines(archive_storage, archive_a.object_name)
    lines_b = _lines(archive_storage, archive_b.object_name)
    assert [(line["council"], line["object_id"]) for line in lines_a] == [(council_a.schema_name, "alpha-only-client")]
    assert [(line["council"], line["object_id"]) for line in lines_b] == [(council_b.schema_name, "beta-only-client")]
    assert (archive_a.first_id, archive_b.first_id) == (ours.pk, theirs.pk)
    assert archive_a.object_name.startswith(f"audit/{council_a.schema_name}/")
    assert archive_b.object_name.startswith(f"audit/{council_b.schema_name}/")


@pytest.mark.council_side
def test_archiving_a_council_while_connected_to_another_is_refused_and_nothing_is_stored(
    council_a: Council, council_b: Council, archive_storage: Storage
) -> None:
    with schema_context(council_b.schema_name):
        _event(_at(DAY, 10), object_id="beta-only-client")
        with pytest.raises(AuditArchiveRefused, match="refused"):
            audit_day_archive(council=council_a.schema_name, day=DAY)

    assert _stored(archive_storage) == {}
    assert not AuditArchive.objects.exists()


# --- The nightly task, through a real worker ------------------------------------------------------


@pytest.fixture
def committed_council(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[Council]:
    """A council of this test's own, committed (the worker has its own connection), created two days ago."""
    with django_db_blocker.unblock():
        already = set(AuditArchive.objects.values_list("pk", flat=True))
        council = council_create(name="Audit Archive Council", slug="audit-archive", jurisdiction="england")
        council_provision(council_id=council.pk)
        _created_on(council, utc_today() - datetime.timedelta(days=2))
        council.refresh_from_db()
        try:
            yield council
        finally:
            connection.set_schema_to_public()
            AuditArchive.objects.exclude(pk__in=already).delete()  # what the worker committed, in every schema
            council_schema_drop(council=council)
            Council.objects.filter(pk=council.pk).delete()


def _wait_for(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("the worker did not finish in time")


@pytest.mark.council_side
def test_the_nightly_task_archives_each_council_in_a_worker_and_a_rerun_writes_nothing_new(
    committed_council: Council, archive_storage: Storage, django_db_blocker: pytest.FixtureRequest
) -> None:
    schema = committed_council.schema_name
    yesterday = utc_today() - datetime.timedelta(days=1)
    with django_db_blocker.unblock(), start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        with schema_context(schema):
            event = _event(_at(yesterday, 12), object_id="archived-by-the-worker")
        archive_all.delay()  # from the platform, as beat sends it
        _wait_for(lambda: AuditArchive.objects.filter(schema=schema).count() == 2)
        stored = _stored(archive_storage)

        assert archive_all.delay().get(timeout=60) >= 1  # the councils in use, this one among them
        with schema_context(schema):
            # Queued after the platform's run and its council tasks, so run after them (one worker, in order).
            assert archive_council.delay().get(timeout=60) == 0
        assert _stored(archive_storage) == stored

        archives = list(AuditArchive.objects.filter(schema=schema).order_by("day"))
    assert [archive.day for archive in archives] == [yesterday - datetime.timedelta(days=1), yesterday]
    assert [line["id"] for line in _lines(archive_storage, archives[1].object_name)] == [event.pk]
    assert archives[1].sha256 == hashlib.sha256(stored[archives[1].object_name]).hexdigest()
    assert timezone.now() - archives[1].made_at < datetime.timedelta(minutes=5)
