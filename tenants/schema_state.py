"""Which schemas exist and which have migrations still to apply — in one query, for any number.

Reads ``django_migrations`` in every schema at once (a UNION of per-schema selects built with
psycopg's identifier quoting, never string formatting), and compares with the leaf migrations on
disk. A schema is up to date when every leaf is recorded as applied in it.
"""

from collections import defaultdict
from functools import cache

from django.db import connection
from django.db.migrations.loader import MigrationLoader
from psycopg import sql


def schema_exists(schema_name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema_name])
        return cursor.fetchone() is not None


def existing_schemas(schema_names: list[str]) -> list[str]:
    """Those of ``schema_names`` that exist, in the order given. One query."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s)", [schema_names])
        found = {row[0] for row in cursor.fetchall()}
    return [name for name in schema_names if name in found]


@cache
def migration_leaves_on_disk() -> frozenset[tuple[str, str]]:
    """The leaf migrations of the code this process runs: read once (0.1 s a time, three times a provisioning)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return frozenset(loader.graph.leaf_nodes())


def applied_migrations(schema_names: list[str]) -> dict[str, set[tuple[str, str]]]:
    """For each schema, the migrations recorded as applied (empty if it has no migrations table)."""
    applied: dict[str, set[tuple[str, str]]] = defaultdict(set)
    if not schema_names:
        return applied
    with connection.cursor() as cursor:
        # One lookup by (schema, name) per schema asked about: not a read of every schema's relations
        # (information_schema.tables), nor of every schema's django_migrations (a join by name alone).
        cursor.execute(
            "SELECT name FROM unnest(%s::text[]) AS s(name) "
            "WHERE to_regclass(quote_ident(name) || '.django_migrations') IS NOT NULL",
            [schema_names],
        )
        with_table = [row[0] for row in cursor.fetchall()]
        if with_table:
            query = sql.SQL(" UNION ALL ").join(
                sql.SQL("SELECT {schema}, app, name FROM {table}").format(
                    schema=sql.Literal(name), table=sql.Identifier(name, "django_migrations")
                )
                for name in with_table
            )
            cursor.execute(query)
            for schema, app, name in cursor.fetchall():
                applied[schema].add((app, name))
    return applied


def schemas_needing_migration(schema_names: list[str]) -> list[str]:
    leaves = migration_leaves_on_disk()
    applied = applied_migrations(schema_names)
    return [name for name in schema_names if not leaves <= applied.get(name, set())]
