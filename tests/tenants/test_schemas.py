"""A cloned council schema is the same as one built by replaying migrations, and stays isolated."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from psycopg import sql

from onboarding.services.provisioning import council_create
from tenants.models import Council
from tenants.schema_state import schema_exists, schemas_needing_migration
from tenants.services.database_roles import app_role, schemas_without_usage
from tenants.services.schemas import SchemaStrategy, council_schema_create

# Provisioning creates and drops schemas: the owner role's work (docs/adr/0008).
pytestmark = [pytest.mark.platform_side, pytest.mark.database_owner]


def _structure(schema: str) -> dict[str, list[tuple[object, ...]]]:
    """Columns, constraints and indexes of a schema, with the schema's own name taken out."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, data_type, is_nullable, is_identity, "
            "regexp_replace(coalesce(column_default, ''), %s, 'S', 'g') "
            "FROM information_schema.columns WHERE table_schema = %s ORDER BY 1, 2",
            [schema, schema],
        )
        columns = cursor.fetchall()
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, contype, "
            "regexp_replace(pg_get_constraintdef(c.oid), %s, 'S', 'g') "
            "FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = %s",
            [schema, schema],
        )
        # Names matter: later migrations drop and alter constraints by name.
        constraints = sorted((rel.split(".")[-1], *rest) for rel, *rest in cursor.fetchall())
        cursor.execute(
            "SELECT tablename, regexp_replace(indexdef, %s, 'S', 'g') FROM pg_indexes WHERE schemaname = %s",
            [schema, schema],
        )
        indexes = sorted(cursor.fetchall())
        cursor.execute(
            "SELECT DISTINCT target_schema.nspname FROM pg_constraint c "
            "JOIN pg_namespace n ON n.oid = c.connamespace JOIN pg_class target ON target.oid = c.confrelid "
            "JOIN pg_namespace target_schema ON target_schema.oid = target.relnamespace "
            "WHERE n.nspname = %s AND c.contype = 'f'",
            [schema],
        )
        foreign_schemas = [row[0].replace(schema, "S") for row in cursor.fetchall()]
    return {"columns": columns, "constraints": constraints, "indexes": indexes, "foreign": foreign_schemas}


def test_cloned_schema_matches_a_migrated_schema(db: None) -> None:
    cloned = council_create(name="Cloned Council", slug="cloned", jurisdiction="england")
    migrated = council_create(name="Migrated Council", slug="migrated", jurisdiction="england")
    assert council_schema_create(council=cloned, strategy=SchemaStrategy.CLONE) is True
    assert council_schema_create(council=migrated, strategy=SchemaStrategy.MIGRATE) is True

    cloned_structure = _structure(cloned.schema_name)
    migrated_structure = _structure(migrated.schema_name)
    assert len(cloned_structure["columns"]) > 50
    assert cloned_structure == migrated_structure
    # Foreign keys of a cloned schema point at its own tables, never at the template's.
    assert cloned_structure["foreign"] == ["S"]
    assert schemas_needing_migration([cloned.schema_name, migrated.schema_name]) == []


def test_creating_a_schema_twice_changes_nothing(db: None) -> None:
    council = council_create(name="Twice Council", slug="twice", jurisdiction="victoria")
    assert council_schema_create(council=council) is True
    before = _structure(council.schema_name)
    assert council_schema_create(council=council) is False
    assert _structure(council.schema_name) == before


def test_a_schema_left_half_made_is_completed(db: None) -> None:
    council = council_create(name="Interrupted Council", slug="interrupted", jurisdiction="england")
    with connection.cursor() as cursor:
        cursor.execute('CREATE SCHEMA "council_interrupted"')  # as if a run stopped right after this
    assert schemas_needing_migration([council.schema_name]) == [council.schema_name]
    council_schema_create(council=council, strategy=SchemaStrategy.MIGRATE)
    assert schemas_needing_migration([council.schema_name]) == []


def test_deploy_migrate_skips_up_to_date_and_unprovisioned_councils(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    council_create(name="Waiting Council", slug="waiting", jurisdiction="england")  # no schema yet
    call_command("migrate_schemas", tenant=True, interactive=False, verbosity=1)
    out = capsys.readouterr().out
    assert "1 council(s) not yet provisioned; skipped." in out
    assert "already up to date; migrating 0." in out
    assert not schema_exists("council_waiting")


def test_deploy_migrate_brings_a_schema_that_is_behind_up_to_date(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    council = council_create(name="Behind Council", slug="behind", jurisdiction="england")
    council_schema_create(council=council)
    with connection.cursor() as cursor:  # as if the newest support migration (a leaf) had not reached this council
        cursor.execute(
            "DELETE FROM council_behind.django_migrations WHERE app = 'support' AND name = "
            "(SELECT max(name) FROM council_behind.django_migrations WHERE app = 'support')"
        )
    assert schemas_needing_migration([council.schema_name]) == [council.schema_name]
    call_command("migrate_schemas", tenant=True, interactive=False, verbosity=1)
    assert "migrating 1." in capsys.readouterr().out
    assert schemas_needing_migration([council.schema_name]) == []


def _app_can_use(schema: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT has_schema_privilege(%s, %s, 'USAGE')", [app_role(), schema])
        return cursor.fetchone()[0]


def test_deploy_migrate_grants_only_where_it_migrated_or_the_application_was_never_granted(
    db: None, council_a: Council, council_b: Council
) -> None:
    """A no-op deploy over hundreds of councils must not re-grant every schema; one never granted is healed."""
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("REVOKE USAGE ON SCHEMA {} FROM {}").format(
                sql.Identifier(council_b.schema_name), sql.Identifier(app_role())
            )
        )
    assert schemas_without_usage([council_a.schema_name, council_b.schema_name]) == [council_b.schema_name]

    with CaptureQueriesContext(connection) as queries:
        call_command("migrate_schemas", tenant=True, interactive=False, verbosity=0)

    granted = [query["sql"] for query in queries.captured_queries if query["sql"].startswith("GRANT USAGE ON SCHEMA")]
    assert any(council_b.schema_name in statement for statement in granted)
    assert not any(council_a.schema_name in statement for statement in granted)  # up to date and usable
    assert _app_can_use(council_b.schema_name)
