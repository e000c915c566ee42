"""Run requests at the same moment, each on its own database connection, and make them really overlap.

A Barrier starts the threads together, but two requests a few milliseconds apart rarely interleave at
the one statement that matters. So the table they are about to write is held in SHARE mode (reads go
on, writes wait) until every thread is waiting on a lock, then released: each thread has done its
reads and stands at its write, which is where a check-then-write race bites. Data used here must be
committed (no ``db`` fixture: the threads' connections cannot see a test's open transaction), in a
council of its own (``council_of_its_own``): the audit trail it leaves cannot be deleted, so the whole
council is dropped afterwards rather than left to other tests.
"""

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.db import connection, connections, transaction
from psycopg import sql

from onboarding.services.provisioning import council_create, council_provision
from tenants.jurisdictions import Jurisdiction
from tenants.models import Council
from tenants.services.schemas import council_schema_drop

T = TypeVar("T")


def _council_remove(council: Council) -> None:
    connection.set_schema_to_public()
    council_schema_drop(council=council)
    Council.objects.filter(pk=council.pk).delete()


@contextmanager
def council_of_its_own(slug: str) -> Iterator[Council]:
    """A committed English council for concurrent tests, dropped afterwards with everything in it."""
    for leftover in Council.objects.filter(slug=slug):  # from a run that was killed
        _council_remove(leftover)
    council = council_create(name=f"{slug.title()} Test Council", slug=slug, jurisdiction=Jurisdiction.ENGLAND)
    council = council_provision(council_id=council.pk)
    try:
        yield council
    finally:
        _council_remove(council)


def _waiting(pids: list[int]) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted AND pid = ANY(%s)", [pids])
        return cursor.fetchone()[0]


def at_the_same_moment(tasks: list[Callable[[], T]], *, hold: str, timeout: float = 30) -> list[T]:
    """Run ``tasks`` in threads, released together once each is blocked writing to the table ``hold``
    (``schema.table``). Returns their results in order; re-raises the first exception of any thread."""
    results: list[T | None] = [None] * len(tasks)
    pids: list[int] = [0] * len(tasks)
    errors: list[BaseException] = []
    ready = threading.Barrier(len(tasks) + 1, timeout=timeout)

    def run(index: int) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pids[index] = cursor.fetchone()[0]
            ready.wait()
            results[index] = tasks[index]()
        except BaseException as error:  # reported to the test, not lost in the thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(tasks))]
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("LOCK TABLE {} IN SHARE MODE").format(sql.Identifier(*hold.split("."))))
        for thread in threads:
            thread.start()
        ready.wait()
        deadline = time.monotonic() + timeout
        while _waiting(pids) < len(tasks) and time.monotonic() < deadline and not errors:
            time.sleep(0.02)
    for thread in threads:
        thread.join(timeout=timeout)
    if errors:
        raise errors[0]
    return results  # type: ignore[return-value]
