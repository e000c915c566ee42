"""Creating a council's schema: a copy of a migrated template, or by replaying migrations.

Copying makes the template schema again under the council's name — tables, columns, sequences,
constraints and indexes under their own names, functions, triggers, and the rows Django writes at
migrate time (``django_migrations``, content types, permissions) — from the template's definition,
read from the catalogue once per migration state and kept in the process
(tenants/services/schema_definition.py), in one transaction: it either happens entirely or not at
all, and its cost does not grow with the number of schemas. The template is kept current by
``manage.py migrate`` (tenants/migration_executor.py) and checked here before use. Measured in
docs/benchmarks.md; copying is the default (docs/adr/0003).

Creating and dropping schemas is the owner role's work (tenants/services/database_roles.py): each
function here moves to an owner session for it, and a new schema is granted to the application
role before it is used.
"""

import logging
from enum import StrEnum

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from psycopg import sql

from tenants.models import Council
from tenants.schema_state import schema_exists, schemas_needing_migration
from tenants.services.database_roles import new_schema_privileges_grant, owner_connection
from tenants.services.schema_definition import TEMPLATE_LOCK_KEY, schema_create_from_definition

logger = logging.getLogger(__name__)


class SchemaStrategy(StrEnum):
    CLONE = "clone"  # a copy of the template schema, made from its definition
    MIGRATE = "migrate"


def template_schema_ensure() -> str:
    """Create the template schema if missing and bring it up to date. Returns its name."""
    template = settings.TENANT_BASE_SCHEMA
    with owner_connection():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [TEMPLATE_LOCK_KEY])
        try:
            if not schema_exists(template):
                _schema_create_empty(template)
            if schemas_needing_migration([template]):
                _schema_migrate(template)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [TEMPLATE_LOCK_KEY])
            connection.set_schema_to_public()
    return template


def council_schema_create(*, council: Council, strategy: SchemaStrategy = SchemaStrategy.CLONE) -> bool:
    """Make sure the council's schema exists and is fully migrated. Idempotent and resumable.

    Returns True if this call created the schema. A schema left half-migrated by an interrupted
    run is completed by migrating it; a copy is atomic, so it is either there or not.
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
                    definition = schema_create_from_definition(template=template, schema=schema)
                    new_schema_privileges_grant(schema=schema, tables=definition.tables, sequences=definition.sequences)
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
    schema_drop(schema=council.schema_name)


def schema_drop(*, schema: str) -> None:
    """Drop a schema and everything in it (a council's, or a copy of one restored beside it)."""
    connection.set_schema_to_public()
    with owner_connection(), connection.cursor() as cursor:
        cursor.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def _fresh_session() -> None:
    """Start the next statement on a new database session.

    A session that has made schemas keeps their catalog entries cached, and each further one in the
    same session gets slower (measured with clone_schema: +0.03 s per schema, so +3 s after a hundred,
    in a worker that provisions many councils). Inside a transaction (tests) the session must stay.
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
