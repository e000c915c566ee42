"""The two database roles (docs/adr/0008-two-database-roles.md, ARCHITECTURE.md "Two database roles").

The **owner** (``DATABASE_OWNER_URL``) owns every schema, table, sequence and function: it
migrates, provisions councils and grants. The **application** (``DATABASE_URL``) owns nothing, is
not superuser and may only read and write rows: it cannot disable or drop the audit trigger,
replace its function, set ``session_replication_role`` or drop a schema, and on the audit table it
may only INSERT and SELECT (SECURITY.md AUD-2).

``owner_connection()`` runs a block on a session of the owner role; the code that needs it
(migrations, through tenants/migration_executor.py, and tenants/services/schemas.py) calls it
itself, so only a process configured with the owner's credentials can do that work (in production
the release task and the provisioning worker). ``app_role_ensure`` and ``privileges_grant`` are
the bootstrap: idempotent, run by every migration and after every new council schema.
"""

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from psycopg import sql

logger = logging.getLogger(__name__)

AUDIT_TABLE = "audit_auditevent"
ROW_PRIVILEGES = sql.SQL("SELECT, INSERT, UPDATE, DELETE")
SEQUENCE_PRIVILEGES = sql.SQL("USAGE, SELECT")
# Everything but INSERT and SELECT on the audit trail: the application appends and reads, no more.
AUDIT_REFUSED = sql.SQL("UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER")
# (pg_roles column, the attribute that must hold for the application role)
APP_ROLE_ATTRIBUTES = (
    ("rolsuper", "NOSUPERUSER"),
    ("rolcreatedb", "NOCREATEDB"),
    ("rolcreaterole", "NOCREATEROLE"),
    ("rolinherit", "NOINHERIT"),
    ("rolreplication", "NOREPLICATION"),
    ("rolbypassrls", "NOBYPASSRLS"),
)


class AppRoleUnsafe(ImproperlyConfigured):
    """The application's role exists with a power it must not have, and the owner cannot remove it."""


def app_role() -> str:
    """The role the application connects as: the user of ``DATABASE_URL``."""
    return settings.DATABASES["default"]["USER"]


def _owner_credentials() -> dict[str, str]:
    owner = getattr(settings, "DATABASE_OWNER", None)
    if not owner:
        raise ImproperlyConfigured(
            "This needs the database owner role: set DATABASE_OWNER_URL (only for migrations and provisioning)."
        )
    return owner


@contextmanager
def owner_connection() -> Iterator[None]:
    """Run the block on a session of the owner role, then go back to the application's.

    A no-op when the session already is the owner's (nested use, the test suite's setup). Never
    inside a transaction: a transaction cannot move to another session.
    """
    owner = _owner_credentials()
    current = {key: connection.settings_dict.get(key) or "" for key in owner}
    if current["USER"] == owner["USER"]:
        yield
        return
    if connection.in_atomic_block:
        raise RuntimeError("Cannot change to the owner role inside a transaction.")
    _session_switch(owner)
    try:
        yield
    finally:
        _session_switch(current)


def _session_switch(credentials: dict[str, str]) -> None:
    connection.close()
    # A new dict for this thread's connection only: other threads keep the application's role.
    connection.settings_dict = {**connection.settings_dict, **credentials}


def app_role_ensure() -> None:
    """Create the application role if it is missing; make sure it has no power beyond rows. Idempotent.

    Roles belong to the whole PostgreSQL cluster, so another database (another checkout, CI) may
    have created it already, possibly with another password: it is then only corrected where it
    is unsafe, and its password is set only when ``DATABASE_URL`` carries one.
    """
    role = app_role()
    if role == _owner_credentials()["USER"]:
        raise ImproperlyConfigured("DATABASE_URL and DATABASE_OWNER_URL name one role; the application needs its own.")
    wanted = sql.SQL(" ").join(sql.SQL(attribute) for _, attribute in APP_ROLE_ATTRIBUTES)
    columns = sql.SQL(", ").join(sql.Identifier(column) for column, _ in APP_ROLE_ATTRIBUTES)
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("SELECT rolcanlogin, {} FROM pg_roles WHERE rolname = %s").format(columns), [role])
        row = cursor.fetchone()
        if row is None:
            logger.info("Creating the application's database role %s", role)
            # Two databases of one cluster may bootstrap at once: the loser of the race moves on.
            cursor.execute(
                sql.SQL(
                    "DO $$ BEGIN CREATE ROLE {} LOGIN {}; "
                    "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
                ).format(sql.Identifier(role), wanted)
            )
        else:
            can_login, *powers = row
            inherit_index = [column for column, _ in APP_ROLE_ATTRIBUTES].index("rolinherit")
            unsafe = [flag for index, flag in enumerate(powers) if flag and index != inherit_index]
            if not can_login or any(unsafe) or powers[inherit_index]:
                try:
                    cursor.execute(sql.SQL("ALTER ROLE {} LOGIN {}").format(sql.Identifier(role), wanted))
                except Exception as exc:
                    raise AppRoleUnsafe(
                        f"The database role {role} has powers the application must not have, and the owner "
                        "cannot remove them: ALTER ROLE it by hand (docs/adr/0008-two-database-roles.md)."
                    ) from exc
        password = settings.DATABASES["default"].get("PASSWORD")
        if password:
            cursor.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(role), sql.Literal(password)))


def owned_schemas() -> list[str]:
    """Every schema the owner role owns (council schemas, the template), and public."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE (nspowner = current_user::regrole "
            "AND nspname NOT LIKE 'pg\\_%%' AND nspname <> 'information_schema') OR nspname = 'public' "
            "ORDER BY nspname"
        )
        return [row[0] for row in cursor.fetchall()]


def privileges_grant(*, schemas: Iterable[str] | None = None) -> list[str]:
    """Grant the application role what it needs in the database and in ``schemas`` (default: all).

    Row privileges on every table and the sequences behind them, but on the audit table only
    INSERT and SELECT. Default privileges cover what the owner creates later, so a migration's new
    table is usable at once. Returns the schemas granted on.
    """
    role = sql.Identifier(app_role())
    names = owned_schemas() if schemas is None else list(dict.fromkeys(["public", *schemas]))
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        database = cursor.fetchone()[0]
        cursor.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), role))
        cursor.execute(sql.SQL("ALTER DEFAULT PRIVILEGES GRANT {} ON TABLES TO {}").format(ROW_PRIVILEGES, role))
        cursor.execute(
            sql.SQL("ALTER DEFAULT PRIVILEGES GRANT {} ON SEQUENCES TO {}").format(SEQUENCE_PRIVILEGES, role)
        )
        for schema in names:
            _schema_privileges_grant(cursor, schema=schema, role=role)
    return names


def new_schema_privileges_grant(*, schema: str, tables: Iterable[str], sequences: Iterable[str]) -> None:
    """What ``privileges_grant`` gives on one schema, for a new schema whose relations are known.

    Names them one by one: ``GRANT … ON ALL TABLES IN SCHEMA`` reads every relation of every schema
    (``pg_class`` has no index by schema alone), 0.15 s a statement with 300 councils and growing.
    The database-wide part (``CONNECT``, default privileges, ``public``) is done when migrating.
    """
    role = sql.Identifier(app_role())
    table_names, sequence_names = list(tables), list(sequences)
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(schema), role))
        if table_names:
            cursor.execute(
                sql.SQL("GRANT {} ON TABLE {} TO {}").format(
                    ROW_PRIVILEGES, sql.SQL(", ").join(sql.Identifier(schema, name) for name in table_names), role
                )
            )
        if sequence_names:
            cursor.execute(
                sql.SQL("GRANT {} ON SEQUENCE {} TO {}").format(
                    SEQUENCE_PRIVILEGES,
                    sql.SQL(", ").join(sql.Identifier(schema, name) for name in sequence_names),
                    role,
                )
            )
        if AUDIT_TABLE in table_names:
            cursor.execute(
                sql.SQL("REVOKE {} ON TABLE {} FROM {}").format(
                    AUDIT_REFUSED, sql.Identifier(schema, AUDIT_TABLE), role
                )
            )


def schemas_without_usage(schemas: Iterable[str]) -> list[str]:
    """Those of ``schemas`` the application role cannot use yet (never granted): one query, any number."""
    names = list(schemas)
    if not names:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s) AND NOT has_schema_privilege(%s, oid, 'USAGE')",
            [names, app_role()],
        )
        missing = {row[0] for row in cursor.fetchall()}
    return [name for name in names if name in missing]


def _schema_privileges_grant(cursor: Any, *, schema: str, role: sql.Identifier) -> None:
    name = sql.Identifier(schema)
    cursor.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(name, role))
    cursor.execute(sql.SQL("GRANT {} ON ALL TABLES IN SCHEMA {} TO {}").format(ROW_PRIVILEGES, name, role))
    cursor.execute(sql.SQL("GRANT {} ON ALL SEQUENCES IN SCHEMA {} TO {}").format(SEQUENCE_PRIVILEGES, name, role))
    cursor.execute("SELECT to_regclass(%s)", [f'"{schema}".{AUDIT_TABLE}'])
    if cursor.fetchone()[0] is not None:
        cursor.execute(
            sql.SQL("REVOKE {} ON TABLE {} FROM {}").format(AUDIT_REFUSED, sql.Identifier(schema, AUDIT_TABLE), role)
        )


def database_roles_bootstrap(*, schemas: Iterable[str] | None = None) -> list[str]:
    """The application role exists, is harmless, and can do its work in ``schemas`` (default: all)."""
    with owner_connection():
        app_role_ensure()
        return privileges_grant(schemas=schemas)
