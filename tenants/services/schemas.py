"""Creating a council's schema: cloned from a migrated template, or by replaying migrations.

Cloning copies the template schema (tables, indexes, constraints, sequences and the rows Django
writes at migrate time: ``django_migrations``, content types, permissions) with django-tenants'
``clone_schema`` function, then gives constraints back the names Django chose (the function
renames UNIQUE constraints), all in one transaction: it either happens entirely or not at all. The template
is kept current by ``manage.py migrate`` (tenants/migration_executor.py) and checked here before use.
Measured in docs/benchmarks.md; cloning is the default.

Creating and dropping schemas is the owner role's work (tenants/services/database_roles.py): each
function here moves to an owner session for it, and a new schema is granted to the application
role before it is used.
"""

import logging
from enum import StrEnum

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django_tenants.clone import CLONE_SCHEMA_FUNCTION, CloneSchema
from psycopg import sql

from tenants.models import Council
from tenants.schema_state import schema_exists, schemas_needing_migration
from tenants.services.database_roles import owner_connection, privileges_grant

logger = logging.getLogger(__name__)

# pg_advisory_lock key serialising work on the template schema across processes.
_TEMPLATE_LOCK_KEY = 0x7A7C_0001


class OwnedCloneSchema(CloneSchema):
    """django-tenants' cloning, with its ``clone_schema`` function owned by the session's role.

    django-tenants gives the function to ``DATABASES["default"]["USER"]``: the application role,
    which must own nothing (it could then replace the function the owner runs). Cloning runs as
    the owner (``owner_connection``), so the owner keeps it.
    """

    def _create_clone_schema_function(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(CLONE_SCHEMA_FUNCTION.format(db_user=connection.settings_dict["USER"]))


class SchemaStrategy(StrEnum):
    CLONE = "clone"
    MIGRATE = "migrate"


def template_schema_ensure() -> str:
    """Create the template schema if missing and bring it up to date. Returns its name."""
    template = settings.TENANT_BASE_SCHEMA
    with owner_connection():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [_TEMPLATE_LOCK_KEY])
        try:
            if not schema_exists(template):
                _schema_create_empty(template)
            if schemas_needing_migration([template]):
                _schema_migrate(template)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [_TEMPLATE_LOCK_KEY])
            connection.set_schema_to_public()
    return template


def council_schema_create(*, council: Council, strategy: SchemaStrategy = SchemaStrategy.CLONE) -> bool:
    """Make sure the council's schema exists and is fully migrated. Idempotent and resumable.

    Returns True if this call created the schema. A schema left half-migrated by an interrupted
    run is completed by migrating it; a clone is atomic, so it is either there or not.
    """
    schema = council.schema_name
    created = False
    if schema_exists(schema) and not schemas_needing_migration([schema]):
        return created  # nothing to do, and no need for the owner role to find that out
    with owner_connection():
        if not schema_exists(schema):
            if strategy is SchemaStrategy.CLONE:
                template = template_schema_ensure()
                with transaction.atomic():
                    OwnedCloneSchema().clone_schema(template, schema, "DATA")
                    _constraint_names_align(template=template, schema=schema)
                    privileges_grant(schemas=[schema])
                _fresh_session()
            else:
                _schema_create_empty(schema)
            created = True
        if schemas_needing_migration([schema]):
            _schema_migrate(schema)  # grants when it is done (tenants/migration_executor.py)
        connection.set_schema_to_public()
    return created


def council_schema_drop(*, council: Council) -> None:
    """Drop a council's schema and everything in it. Used by offboarding and tests."""
    connection.set_schema_to_public()
    with owner_connection(), connection.cursor() as cursor:
        cursor.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(council.schema_name)))


def _fresh_session() -> None:
    """Start the next statement on a new database session.

    A session that has cloned schemas keeps their catalog entries cached, and each further clone in
    the same session gets slower (measured: +0.03 s per clone, so +3 s after a hundred, in a worker
    that provisions many councils). Inside a transaction (tests) the session must stay.
    """
    if not connection.in_atomic_block:
        connection.close()


def _schema_create_empty(schema: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))


def _schema_migrate(schema: str) -> None:
    logger.info("Migrating schema %s", schema)
    call_command("migrate_schemas", schema_name=schema, tenant=True, interactive=False, verbosity=0)
    connection.set_schema_to_public()


def _constraint_names_align(*, template: str, schema: str) -> int:
    """Give the clone's constraints the template's names. Returns how many were renamed.

    ``clone_schema`` recreates UNIQUE constraints under PostgreSQL's default names
    (``<table>_<columns>_key``) rather than the names Django gave them; a later migration that
    removes or alters such a constraint by name would then fail on cloned councils only. Matched
    on (table, kind, definition with the schema name taken out).
    """
    query = (
        "SELECT t.relname, c.contype, replace(pg_get_constraintdef(c.oid), %s, '$schema$'), c.conname "
        "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
        "JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = %s ORDER BY c.conname"
    )
    names: dict[str, dict[tuple[str, str, str], list[str]]] = {}
    with connection.cursor() as cursor:
        for name in (template, schema):
            cursor.execute(query, [name + ".", name])
            found: dict[tuple[str, str, str], list[str]] = {}
            for table, kind, definition, constraint in cursor.fetchall():
                found.setdefault((table, kind, definition), []).append(constraint)
            names[name] = found
        renamed = 0
        for key, wanted in names[template].items():
            have = names[schema].get(key, [])
            for old, new in zip(sorted(set(have) - set(wanted)), sorted(set(wanted) - set(have)), strict=False):
                cursor.execute(
                    sql.SQL("ALTER TABLE {} RENAME CONSTRAINT {} TO {}").format(
                        sql.Identifier(schema, key[0]), sql.Identifier(old), sql.Identifier(new)
                    )
                )
                renamed += 1
    return renamed
