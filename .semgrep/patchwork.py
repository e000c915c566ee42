# ruff: noqa
# Test cases for patchwork.yml, run by semgrep's test mode in CI (.ci/run): the line after each
# "ruleid" annotation must be flagged by that rule, the line after each "ok" annotation must not.
# Never imported or run; deliberately full of what the rules forbid (ruff and bandit skip it).
import django_tenants.utils
from django.db import connection
from django.db.models.expressions import RawSQL
from django_tenants.utils import schema_context, tenant_context
from django_tenants.utils import schema_context as in_schema
from psycopg import sql

from core.clients.models import Client


def schema_switching(council, schema_name):
    # ruleid: patchwork-schema-switch-outside-allowed-modules
    with schema_context(schema_name):
        pass
    # ruleid: patchwork-schema-switch-outside-allowed-modules
    with in_schema(schema_name):
        pass
    # ruleid: patchwork-schema-switch-outside-allowed-modules
    with django_tenants.utils.schema_context(schema_name):
        pass
    # ruleid: patchwork-schema-switch-outside-allowed-modules
    with tenant_context(council):
        pass
    # ruleid: patchwork-schema-switch-outside-allowed-modules
    connection.set_tenant(council)
    # ruleid: patchwork-schema-switch-outside-allowed-modules
    connection.set_schema(schema_name)
    # ruleid: patchwork-schema-switch-outside-allowed-modules
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        # ruleid: patchwork-schema-switch-outside-allowed-modules
        cursor.execute("SET search_path TO public")
        # ruleid: patchwork-schema-switch-outside-allowed-modules
        cursor.execute("SELECT set_config('SEARCH_PATH', %s, false)", [schema_name])
        # ruleid: patchwork-schema-switch-outside-allowed-modules
        statement = sql.SQL("SET search_path TO {}").format(sql.Identifier(schema_name))
        cursor.execute(statement)
        # ruleid: patchwork-schema-switch-outside-allowed-modules, patchwork-sql-built-from-strings
        cursor.execute(f"SET search_path TO {schema_name}, public")
        # ruleid: patchwork-schema-switch-outside-allowed-modules
        return f"SHOW search_path -- {council}"


def not_schema_switching(council):
    # ok: patchwork-schema-switch-outside-allowed-modules
    council.set_name("Alpha")
    # ok: patchwork-schema-switch-outside-allowed-modules
    connection.schema_name
    with connection.cursor() as cursor:
        # ok: patchwork-schema-switch-outside-allowed-modules
        cursor.execute("SELECT current_schema()")
    # ok: patchwork-schema-switch-outside-allowed-modules
    label = f"council {council}"
    # A comment that mentions search_path is fine.
    # ok: patchwork-schema-switch-outside-allowed-modules
    return label, "the search path"


def raw_querysets(surname):
    # ruleid: patchwork-raw-sql-queryset
    Client.objects.raw("SELECT * FROM clients_client WHERE surname = %s", [surname])
    # ruleid: patchwork-raw-sql-queryset
    Client.objects.extra(where=["surname = %s"], params=[surname])
    # ruleid: patchwork-raw-sql-queryset
    Client.objects.annotate(n=RawSQL("SELECT 1", []))
    # ok: patchwork-raw-sql-queryset
    return Client.objects.filter(surname=surname)


def sql_from_strings(schema_name, surname, table):
    with connection.cursor() as cursor:
        # ruleid: patchwork-sql-built-from-strings
        cursor.execute(f"SELECT * FROM clients_client WHERE surname = '{surname}'")
        # ruleid: patchwork-sql-built-from-strings
        cursor.execute("SELECT * FROM clients_client WHERE surname = '%s'" % surname)
        # ruleid: patchwork-sql-built-from-strings
        cursor.execute("SELECT * FROM clients_client WHERE surname = '{}'".format(surname))
        # ruleid: patchwork-sql-built-from-strings
        cursor.execute("SELECT * FROM " + table)
        # ruleid: patchwork-sql-built-from-strings
        cursor.executemany(f"INSERT INTO {table} VALUES (%s)", [[1], [2]])
        query = f"DROP SCHEMA {schema_name} CASCADE"
        # ruleid: patchwork-sql-built-from-strings
        cursor.execute(query)
        # ruleid: patchwork-sql-built-from-strings
        cursor.execute(sql.SQL(f"SELECT * FROM {table}"))

        # ok: patchwork-sql-built-from-strings
        cursor.execute("SELECT * FROM clients_client WHERE surname = %s", [surname])
        # ok: patchwork-sql-built-from-strings
        cursor.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema_name)))
        # ok: patchwork-sql-built-from-strings
        cursor.execute(
            "SELECT t.relname, c.conname FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
            "JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = %s",
            [schema_name],
        )
        fixed = "SELECT 1"
        # ok: patchwork-sql-built-from-strings
        cursor.execute(fixed)
        composed = sql.SQL("SELECT {} FROM {}").format(sql.Literal(schema_name), sql.Identifier(schema_name, "t"))
        # ok: patchwork-sql-built-from-strings
        cursor.execute(composed)
