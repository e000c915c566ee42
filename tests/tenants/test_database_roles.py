"""The application's own database connection cannot undo the audit trail (SECURITY.md AUD-2).

Every test here uses the connection the application uses (``DATABASES["default"]``, the role of
``DATABASE_URL``), as an attacker who has taken over the application would. Each attempt must be
refused by PostgreSQL's privileges (SQLSTATE 42501), not merely by the audit trigger, and must leave
the trail, its triggers, its function and the council's schema as they were
(docs/adr/0008-two-database-roles.md).
"""

from collections.abc import Callable

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django_tenants.utils import schema_context
from psycopg import sql

from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.audit.services.events import audit_record
from tenants.models import Council
from tests.conftest import sign_in
from tests.factories import PractitionerFactory

AUDIT_TABLE = "audit_auditevent"
TRIGGERS = ("audit_event_append_only", "audit_event_no_truncate")
TRIGGER_FUNCTION = "audit_event_refuse_change"


@pytest.fixture
def schema(council_a: Council) -> str:
    return council_a.schema_name


@pytest.fixture
def event(schema: str) -> AuditEvent:
    with schema_context(schema):
        return audit_record(action=AuditAction.SIGN_IN, outcome=AuditOutcome.SUCCESS, reason="original")


def run(statement: sql.Composable | str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement)


def fetch(query: str, params: list[object]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def assert_refused_by_privileges(attempt: Callable[[], object]) -> None:
    """The database refuses for lack of privilege (not the trigger's own refusal, not success)."""
    with pytest.raises(DatabaseError) as refused, transaction.atomic():
        attempt()
    cause = refused.value.__cause__
    assert getattr(cause, "sqlstate", None) == "42501", f"refused for another reason: {refused.value}"
    assert "append-only" not in str(refused.value), "only the trigger refused: the role had the privilege"


def trail_state(schema: str) -> dict[str, object]:
    """What an attack would change: the triggers and whether they fire, the function, the rows."""
    triggers = fetch(
        "SELECT t.tgname, t.tgenabled FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relname = %s "
        "AND NOT t.tgisinternal ORDER BY t.tgname",
        [schema, AUDIT_TABLE],
    )
    function = fetch(
        "SELECT p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = %s AND p.proname = %s",
        [schema, TRIGGER_FUNCTION],
    )
    with schema_context(schema):
        rows = sorted(AuditEvent.objects.values_list("pk", "reason", "outcome"))
    return {"triggers": triggers, "function": function, "rows": rows}


@pytest.fixture
def untouched(schema: str, event: AuditEvent):
    """Yields nothing; after the test, asserts the trail is exactly as it was before the attack."""
    before = trail_state(schema)
    assert before["triggers"] == [(name, "O") for name in TRIGGERS]
    assert before["function"]
    yield
    assert trail_state(schema) == before


def table(schema: str) -> sql.Identifier:
    return sql.Identifier(schema, AUDIT_TABLE)


def test_the_application_connects_as_its_own_role_not_the_owner(db: None) -> None:
    [(user, is_superuser)] = fetch("SELECT current_user, current_setting('is_superuser')", [])
    assert user == settings.DATABASES["default"]["USER"]
    assert user != settings.DATABASE_OWNER["USER"]
    assert is_superuser == "off"


def test_the_application_role_is_not_superuser_and_cannot_create_roles_or_databases(db: None) -> None:
    [row] = fetch(
        "SELECT rolsuper, rolcreatedb, rolcreaterole, rolinherit, rolreplication, rolbypassrls "
        "FROM pg_roles WHERE rolname = current_user",
        [],
    )
    assert row == (False, False, False, False, False, False)


def test_the_application_role_owns_no_schema_table_or_function(db: None) -> None:
    owned = fetch(
        "SELECT 'schema', nspname FROM pg_namespace WHERE nspowner = current_user::regrole "
        "UNION ALL SELECT 'relation', relname FROM pg_class WHERE relowner = current_user::regrole "
        "UNION ALL SELECT 'function', proname FROM pg_proc WHERE proowner = current_user::regrole",
        [],
    )
    assert owned == []


def test_disabling_every_trigger_on_the_audit_table_is_refused(schema: str, untouched: None) -> None:
    assert_refused_by_privileges(lambda: run(sql.SQL("ALTER TABLE {} DISABLE TRIGGER ALL").format(table(schema))))


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_disabling_the_audit_trigger_by_name_is_refused(schema: str, untouched: None, trigger: str) -> None:
    statement = sql.SQL("ALTER TABLE {} DISABLE TRIGGER {}").format(table(schema), sql.Identifier(trigger))
    assert_refused_by_privileges(lambda: run(statement))


def test_replica_mode_that_skips_triggers_is_refused(schema: str, untouched: None) -> None:
    assert_refused_by_privileges(lambda: run("SET session_replication_role = replica"))
    assert fetch("SELECT current_setting('session_replication_role')", []) == [("origin",)]


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_dropping_the_audit_trigger_is_refused(schema: str, untouched: None, trigger: str) -> None:
    statement = sql.SQL("DROP TRIGGER {} ON {}").format(sql.Identifier(trigger), table(schema))
    assert_refused_by_privileges(lambda: run(statement))


def test_replacing_the_trigger_function_is_refused(schema: str, untouched: None) -> None:
    statement = sql.SQL(
        "CREATE OR REPLACE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$"
    ).format(sql.Identifier(schema, TRIGGER_FUNCTION))
    assert_refused_by_privileges(lambda: run(statement))


def test_dropping_the_trigger_function_is_refused(schema: str, untouched: None) -> None:
    statement = sql.SQL("DROP FUNCTION {}() CASCADE").format(sql.Identifier(schema, TRIGGER_FUNCTION))
    assert_refused_by_privileges(lambda: run(statement))


def test_updating_audit_rows_is_refused(schema: str, event: AuditEvent, untouched: None) -> None:
    assert_refused_by_privileges(lambda: run(sql.SQL("UPDATE {} SET reason = 'rewritten'").format(table(schema))))


def test_deleting_audit_rows_is_refused(schema: str, event: AuditEvent, untouched: None) -> None:
    assert_refused_by_privileges(lambda: run(sql.SQL("DELETE FROM {}").format(table(schema))))


def test_truncating_the_audit_table_is_refused(schema: str, untouched: None) -> None:
    assert_refused_by_privileges(lambda: run(sql.SQL("TRUNCATE {}").format(table(schema))))


def test_dropping_the_councils_schema_is_refused(schema: str, untouched: None) -> None:
    assert_refused_by_privileges(lambda: run(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema))))
    assert fetch("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema]) == [(1,)]


def test_the_application_role_can_still_append_and_read_the_trail(schema: str) -> None:
    with schema_context(schema):
        before = AuditEvent.objects.count()
        written = audit_record(action=AuditAction.SIGN_IN, outcome=AuditOutcome.SUCCESS, reason="appended")
        assert AuditEvent.objects.count() == before + 1
        assert AuditEvent.objects.get(pk=written.pk).reason == "appended"


def test_the_application_role_does_the_apps_normal_work(client_a: Client, council_a: Council) -> None:
    """Signing in (session, second factor, audit rows) and a signed-in page, as the application role."""
    with schema_context(council_a.schema_name):
        practitioner = PractitionerFactory(user__email="noa@alpha.example", user__first_name="Noa")
        before = AuditEvent.objects.count()
    sign_in(client_a, practitioner.user, council_a)
    response = client_a.get("/")
    assert response.status_code == 200
    assert "Welcome, Noa" in response.content.decode()
    with schema_context(council_a.schema_name):
        assert AuditEvent.objects.count() > before


@pytest.mark.database_owner
def test_a_council_provisioned_later_is_granted_to_the_application_except_changing_its_trail(db: None) -> None:
    from onboarding.services.provisioning import council_create, council_provision

    council = council_create(name="Later Borough Council", slug="later", jurisdiction="england")
    council_provision(council_id=council.pk)
    role, schema = settings.DATABASES["default"]["USER"], council.schema_name
    audit, clients = f'"{schema}".{AUDIT_TABLE}', f'"{schema}".clients_client'
    checks = {
        "schema usage": ("has_schema_privilege(%s, %s, 'USAGE')", schema),
        "audit insert": ("has_table_privilege(%s, %s, 'INSERT')", audit),
        "audit select": ("has_table_privilege(%s, %s, 'SELECT')", audit),
        "audit update": ("has_table_privilege(%s, %s, 'UPDATE')", audit),
        "audit delete": ("has_table_privilege(%s, %s, 'DELETE')", audit),
        "audit truncate": ("has_table_privilege(%s, %s, 'TRUNCATE')", audit),
        "clients update": ("has_table_privilege(%s, %s, 'UPDATE')", clients),
        "clients delete": ("has_table_privilege(%s, %s, 'DELETE')", clients),
        "create in schema": ("has_schema_privilege(%s, %s, 'CREATE')", schema),
    }
    granted = {name: fetch(f"SELECT {check}", [role, target])[0][0] for name, (check, target) in checks.items()}
    assert granted == {
        "schema usage": True,
        "audit insert": True,
        "audit select": True,
        "audit update": False,
        "audit delete": False,
        "audit truncate": False,
        "clients update": True,
        "clients delete": True,
        "create in schema": False,
    }
