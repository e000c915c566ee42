"""django-tenants' PostgreSQL backend, setting ``search_path`` only when it changes (docs/adr/0012).

django-tenants issues ``SET search_path`` before the first statement after every ``set_tenant()`` —
once per request at least, since each request selects its council. On a connection that already has
that path (kept from the previous request by a persistent or pooled connection), the statement is a
wasted round trip. This backend remembers, on the database connection itself, the path it last set
*and committed*, and skips the ``SET`` when the path wanted is the same.

It remembers only what cannot be undone: a ``SET`` issued in autocommit mode, outside any transaction.
A ``SET`` issued inside a transaction is reverted if that transaction (or a savepoint before it) rolls
back, so it is not remembered, and any rollback forgets what was remembered. When in doubt the
statement is issued, as django-tenants would: the worst case is a round trip, never a wrong schema.
"""

from django_tenants.postgresql_backend.base import DatabaseWrapper as TenantDatabaseWrapper
from django_tenants.utils import get_limit_set_calls

APPLIED = "_patchwork_search_path"  # attribute on the psycopg connection: the path committed on it


class DatabaseWrapper(TenantDatabaseWrapper):
    def _handle_search_path(self, cursor=None):  # type: ignore[no-untyped-def]
        if self._setting_search_path or (get_limit_set_calls() and self.search_path_set_schemas):
            return
        wanted = self._get_cursor_search_paths()
        raw = self.connection
        if raw is not None and getattr(raw, APPLIED, None) == wanted:
            self.search_path_set_schemas = wanted
            return
        _forget_on(raw)
        super()._handle_search_path(cursor)
        if raw is not None and self.search_path_set_schemas == wanted and self.get_autocommit():
            setattr(raw, APPLIED, wanted)

    def rollback(self) -> None:
        _forget_on(self.connection)
        super().rollback()

    def savepoint_rollback(self, sid):  # type: ignore[no-untyped-def]
        try:
            super().savepoint_rollback(sid)
        finally:
            _forget_on(self.connection)


def _forget_on(raw: object) -> None:
    if raw is not None and hasattr(raw, APPLIED):
        delattr(raw, APPLIED)
