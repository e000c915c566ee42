"""Audit expiry and redaction only through the database functions of migration 0013, as the application's role.

The role has no UPDATE or DELETE on the table: a direct attempt is refused by PostgreSQL's privileges. The
functions work, refuse a cutoff less than a year old, act on their own council's table only (whatever the
caller's search_path, whatever temporary table it made), and leave the append-only trigger on for everything
else afterwards, in the same transaction."""

import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django_tenants.utils import schema_context
from psycopg import sql

from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.audit.services.erasure import audit_events_expire, audit_events_redact
from tenants.models import Council

UTC = datetime.UTC


def _event(schema: str, *, days_ago: int, action: str = AuditAction.CLIENT_VIEWED, **fields: object) -> AuditEvent:
    return AuditEvent.objects.create(
        council=schema,
        action=action,
        outcome=AuditOutcome.SUCCESS,
        occurred_at=datetime.datetime.now(UTC) - datetime.timedelta(days=days_ago),
        **fields,
    )


def _sqlstate(error: BaseException) -> str | None:
    return getattr(error.__cause__, "sqlstate", None)


def test_the_application_cannot_delete_or_update_the_trail_directly(council_a: Council) -> None:
    with schema_context(council_a.schema_name):
        old = _event(council_a.schema_name, days_ago=3000)
        for attempt in (
            lambda: AuditEvent.objects.filter(pk=old.pk).delete(),
            lambda: AuditEvent.objects.filter(pk=old.pk).update(changes=None),
        ):
            with pytest.raises(DatabaseError) as refused, transaction.atomic():
                attempt()
            assert _sqlstate(refused.value) == "42501"
        assert AuditEvent.objects.filter(pk=old.pk).exists()


def test_expiry_removes_only_what_is_older_than_the_cutoff(council_a: Council) -> None:
    with schema_context(council_a.schema_name):
        old = _event(council_a.schema_name, days_ago=3000)
        sign_in = _event(council_a.schema_name, days_ago=3000, action=AuditAction.SIGN_IN)
        recent = _event(council_a.schema_name, days_ago=400)
        cutoff = datetime.datetime.now(UTC) - datetime.timedelta(days=2000)
        removed = audit_events_expire(cutoff=cutoff, except_actions=[AuditAction.SIGN_IN])
        assert removed >= 1
        remaining = set(AuditEvent.objects.values_list("pk", flat=True))
        assert old.pk not in remaining
        assert {sign_in.pk, recent.pk} <= remaining
        assert audit_events_expire(cutoff=cutoff, only_actions=[AuditAction.SIGN_IN]) >= 1
        assert not AuditEvent.objects.filter(pk=sign_in.pk).exists()


def test_expiry_keeps_the_events_about_a_held_client(council_a: Council) -> None:
    held = "8a5f5cde-5b1e-4a8b-8d55-2f2b7c0e9a11"
    with schema_context(council_a.schema_name):
        about = _event(council_a.schema_name, days_ago=3000, object_type="client", object_id=held)
        found = _event(council_a.schema_name, days_ago=3000, object_type="client", related_ids=[held])
        other = _event(council_a.schema_name, days_ago=3000, object_type="client", object_id="someone-else")
        audit_events_expire(cutoff=datetime.datetime.now(UTC) - datetime.timedelta(days=2000), keep_client_ids=[held])
        remaining = set(AuditEvent.objects.values_list("pk", flat=True))
        assert {about.pk, found.pk} <= remaining
        assert other.pk not in remaining


@pytest.mark.parametrize("days", [0, 200, 364])
def test_a_cutoff_less_than_a_year_ago_is_refused_and_nothing_goes(council_a: Council, days: int) -> None:
    with schema_context(council_a.schema_name):
        recent = _event(council_a.schema_name, days_ago=days + 1)
        with pytest.raises(DatabaseError) as refused, transaction.atomic():
            audit_events_expire(cutoff=datetime.datetime.now(UTC) - datetime.timedelta(days=days))
        assert _sqlstate(refused.value) == "22023"
        assert AuditEvent.objects.filter(pk=recent.pk).exists()


def test_redaction_clears_only_the_changes_of_events_about_the_client(council_a: Council) -> None:
    client_id = "1b7f2a59-8d0e-4f7e-9a57-0d1f5b3c2e44"
    changes = {"surname": {"old": "Hughes", "new": "Hughes-Smith"}}
    with schema_context(council_a.schema_name):
        corrected = _event(
            council_a.schema_name,
            days_ago=1,
            action=AuditAction.CLIENT_CORRECTED,
            object_type="client",
            object_id=client_id,
            reason="corrected: surname",
            changes=changes,
        )
        other = _event(council_a.schema_name, days_ago=1, object_type="client", object_id="x", changes=changes)
        assert audit_events_redact(client_ids=[client_id]) == 1
        corrected.refresh_from_db()
        other.refresh_from_db()
        assert corrected.changes is None
        assert (corrected.reason, corrected.object_id, corrected.action) == (
            "corrected: surname",
            client_id,
            AuditAction.CLIENT_CORRECTED,
        )
        assert other.changes == changes


def test_after_a_function_returns_the_trigger_refuses_again_in_the_same_transaction(council_a: Council) -> None:
    """The flag the functions set is restored when they return: the owner itself could not change a row next."""
    with schema_context(council_a.schema_name), transaction.atomic():
        audit_events_redact(client_ids=["nobody"])
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('patchwork.audit_erasure', true)")
            assert cursor.fetchone()[0] in (None, "", "off")


def test_each_council_s_function_acts_on_its_own_table_whatever_the_search_path(
    council_a: Council, council_b: Council
) -> None:
    """Council B's function called with council A first on the search_path, and a temporary table named like the
    audit table in the way: it expires B's events, not A's, not the temporary table's."""
    with schema_context(council_a.schema_name):
        in_a = _event(council_a.schema_name, days_ago=3000)
    with schema_context(council_b.schema_name):
        in_b = _event(council_b.schema_name, days_ago=3000)
    with schema_context(council_a.schema_name), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE audit_auditevent (LIKE public.django_migrations)")
        cursor.execute("INSERT INTO pg_temp.audit_auditevent (id, app, name, applied) VALUES (1, 'x', 'y', now())")
        cursor.execute(
            sql.SQL("SELECT {}.audit_events_expire(%s)").format(sql.Identifier(council_b.schema_name)),
            [datetime.datetime.now(UTC) - datetime.timedelta(days=2000)],
        )
        cursor.execute("SELECT count(*) FROM pg_temp.audit_auditevent")
        assert cursor.fetchone()[0] == 1
        cursor.execute("DROP TABLE pg_temp.audit_auditevent")
    with schema_context(council_a.schema_name):
        assert AuditEvent.objects.filter(pk=in_a.pk).exists()
    with schema_context(council_b.schema_name):
        assert not AuditEvent.objects.filter(pk=in_b.pk).exists()


@pytest.mark.database_owner
def test_the_functions_belong_to_the_owner_and_run_with_its_rights(council_a: Council) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.proname, p.prosecdef, pg_get_userbyid(p.proowner), p.proconfig FROM pg_proc p "
            "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = %s "
            "AND p.proname IN ('audit_events_expire', 'audit_events_redact') ORDER BY p.proname",
            [council_a.schema_name],
        )
        rows = cursor.fetchall()
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]
    assert [row[0] for row in rows] == ["audit_events_expire", "audit_events_redact"]
    for _name, security_definer, function_owner, config in rows:
        assert security_definer
        assert function_owner == owner
        assert "search_path=pg_catalog, pg_temp" in config
