"""``SET search_path`` is issued only when the path changes, and never trusted after a rollback
(tenants/postgresql_backend/base.py).

Each test opens its own connection, in autocommit as a request's is, outside the test's transaction."""

from collections.abc import Iterator

import pytest
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test.utils import CaptureQueriesContext

from tenants.models import Council


@pytest.fixture
def own_connection(council_a: Council) -> Iterator[BaseDatabaseWrapper]:
    wrapper = connections.create_connection("default")
    try:
        yield wrapper
    finally:
        wrapper.close()


def _path_now(wrapper: BaseDatabaseWrapper) -> tuple[list[str], str]:
    """The statements one query needed, and the search_path the server used for it."""
    with CaptureQueriesContext(wrapper) as queries, wrapper.cursor() as cursor:
        cursor.execute("SELECT current_setting('search_path')")
        (path,) = cursor.fetchone()
    sets = [query["sql"] for query in queries.captured_queries if query["sql"].startswith("SET search_path")]
    return sets, path


def test_the_same_council_again_needs_no_set(own_connection: BaseDatabaseWrapper, council_a: Council) -> None:
    own_connection.set_tenant(council_a)
    sets, path = _path_now(own_connection)
    assert sets == [f'SET search_path = "{council_a.schema_name}","public"']
    assert path == f"{council_a.schema_name}, public"
    own_connection.set_schema_to_public()  # the end of a request…
    own_connection.set_tenant(council_a)  # …and the next one, for the same council
    assert _path_now(own_connection) == ([], path)


def test_another_council_sets_its_own_path(
    own_connection: BaseDatabaseWrapper, council_a: Council, council_b: Council
) -> None:
    own_connection.set_tenant(council_a)
    _path_now(own_connection)
    own_connection.set_tenant(council_b)
    sets, path = _path_now(own_connection)
    assert len(sets) == 1
    assert path == f"{council_b.schema_name}, public"
    own_connection.set_tenant(council_a)
    sets, path = _path_now(own_connection)
    assert len(sets) == 1
    assert path == f"{council_a.schema_name}, public"


def test_a_path_set_in_a_rolled_back_transaction_is_set_again(
    own_connection: BaseDatabaseWrapper, council_a: Council, council_b: Council
) -> None:
    own_connection.set_tenant(council_a)
    _path_now(own_connection)  # council A's path, committed
    own_connection.set_autocommit(False)
    own_connection.set_tenant(council_b)
    assert _path_now(own_connection)[1] == f"{council_b.schema_name}, public"
    own_connection.rollback()  # the server is back on council A's path
    own_connection.set_autocommit(True)
    sets, path = _path_now(own_connection)  # council B is still wanted: the SET is issued again
    assert len(sets) == 1
    assert path == f"{council_b.schema_name}, public"


def test_a_path_set_after_a_savepoint_that_rolled_back_is_set_again(
    own_connection: BaseDatabaseWrapper, council_a: Council, council_b: Council
) -> None:
    own_connection.set_tenant(council_a)
    _path_now(own_connection)  # council A's path, committed
    own_connection.set_autocommit(False)
    savepoint = own_connection.savepoint()
    own_connection.set_tenant(council_b)
    assert _path_now(own_connection)[1] == f"{council_b.schema_name}, public"
    own_connection.savepoint_rollback(savepoint)  # back on council A's path
    sets, path = _path_now(own_connection)
    assert len(sets) == 1
    assert path == f"{council_b.schema_name}, public"
    own_connection.rollback()
    own_connection.set_autocommit(True)


def test_a_path_set_inside_a_transaction_is_not_trusted_later(
    own_connection: BaseDatabaseWrapper, council_a: Council
) -> None:
    """Only a SET that committed on its own is remembered: one inside a transaction is issued again next time."""
    own_connection.set_autocommit(False)
    own_connection.set_tenant(council_a)
    _path_now(own_connection)
    own_connection.commit()
    own_connection.set_autocommit(True)
    own_connection.set_schema_to_public()
    own_connection.set_tenant(council_a)
    sets, path = _path_now(own_connection)
    assert len(sets) == 1
    assert path == f"{council_a.schema_name}, public"


def test_a_new_database_session_sets_its_path(own_connection: BaseDatabaseWrapper, council_a: Council) -> None:
    own_connection.set_tenant(council_a)
    _path_now(own_connection)
    own_connection.close()
    own_connection.set_tenant(council_a)
    sets, path = _path_now(own_connection)
    assert len(sets) == 1
    assert path == f"{council_a.schema_name}, public"
