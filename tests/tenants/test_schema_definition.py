"""A council's schema made from the template's definition is the template again, under its own name.

Compared with a schema built by replaying migrations (triggers, functions, sequences, grants — the
columns, constraints and indexes are compared in test_schemas.py), its rows and sequences are its
own, and making it reads the catalogue a fixed number of times however many schemas exist.
"""

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from psycopg import sql

from onboarding.services.provisioning import council_create
from tenants.services.database_roles import app_role
from tenants.services.schema_definition import (
    TemplateNotReplayable,
    definitions_forget,
    schema_create_from_definition,
    schema_definition,
)
from tenants.services.schemas import SchemaStrategy, council_schema_create, template_schema_ensure

pytestmark = [pytest.mark.platform_side, pytest.mark.database_owner]


@pytest.fixture(autouse=True)
def _cold_definitions() -> None:
    """Each test reads the template's definition itself (the schemas it reads are rolled back after)."""
    definitions_forget()


def _fetch(query: str | sql.Composable, params: list[object] | None = None) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def _objects(schema: str) -> dict[str, list[tuple[object, ...]]]:
    """Triggers, functions, sequences (with their owner column and whose schema it is) and the
    application role's privileges, with the schema's own name taken out."""
    triggers = _fetch(
        "SELECT c.relname, t.tgname, regexp_replace(pg_get_triggerdef(t.oid), %s, 'S', 'g') "
        "FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE c.relnamespace = %s::regnamespace AND NOT t.tgisinternal ORDER BY 1, 2",
        [schema, schema],
    )
    functions = _fetch(
        "SELECT proname, prosrc, prorettype::regtype::text FROM pg_proc WHERE pronamespace = %s::regnamespace "
        "ORDER BY 1",
        [schema],
    )
    sequences = _fetch(
        "SELECT s.relname, q.seqtypid::regtype::text, q.seqstart, q.seqincrement, d.deptype, "
        "owner_table.relname, a.attname, owner_table.relnamespace = s.relnamespace "
        "FROM pg_class s JOIN pg_sequence q ON q.seqrelid = s.oid "
        "LEFT JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') "
        "LEFT JOIN pg_class owner_table ON owner_table.oid = d.refobjid "
        "LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid "
        "WHERE s.relnamespace = %s::regnamespace ORDER BY 1",
        [schema],
    )
    privileges = _fetch(
        "SELECT c.relname, p.privilege FROM pg_class c "
        "CROSS JOIN unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) AS p(privilege) "
        "WHERE c.relnamespace = %s::regnamespace AND c.relkind = 'r' AND has_table_privilege(%s, c.oid, p.privilege) "
        "ORDER BY 1, 2",
        [schema, app_role()],
    )
    usage = _fetch("SELECT has_schema_privilege(%s, %s, 'USAGE')", [app_role(), schema])
    return {"triggers": triggers, "functions": functions, "sequences": sequences, "privileges": privileges + usage}


def _sequence_position(schema: str, sequence: str) -> tuple[object, ...]:
    return _fetch(sql.SQL("SELECT last_value, is_called FROM {}").format(sql.Identifier(schema, sequence)))[0]


def test_a_copied_schema_has_the_triggers_functions_sequences_and_grants_of_a_migrated_one(db: None) -> None:
    copied = council_create(name="Copied Council", slug="copied", jurisdiction="england")
    migrated = council_create(name="Replayed Council", slug="replayed", jurisdiction="england")
    council_schema_create(council=copied, strategy=SchemaStrategy.CLONE)
    council_schema_create(council=migrated, strategy=SchemaStrategy.MIGRATE)

    copied_objects, migrated_objects = _objects(copied.schema_name), _objects(migrated.schema_name)
    assert [name for _table, name, _definition in copied_objects["triggers"]] == [
        "audit_event_append_only",
        "audit_event_no_truncate",
    ]
    assert len(copied_objects["sequences"]) > 20
    # Every sequence belongs to a column of a table in its own schema.
    assert {(kind, same_schema) for *_rest, kind, _table, _column, same_schema in copied_objects["sequences"]} == {
        ("i", True)
    }
    assert ("audit_auditevent", "UPDATE") not in copied_objects["privileges"]
    assert ("audit_auditevent", "INSERT") in copied_objects["privileges"]
    assert copied_objects == migrated_objects


def test_a_copied_schema_has_the_template_rows_and_its_own_sequences(db: None) -> None:
    council = council_create(name="Rows Council", slug="rows", jurisdiction="england")
    council_schema_create(council=council)
    template = template_schema_ensure()
    for table in ("django_migrations", "django_content_type", "auth_permission"):
        query = sql.SQL("SELECT * FROM {} ORDER BY id")
        copied = _fetch(query.format(sql.Identifier(council.schema_name, table)))
        assert copied
        assert copied == _fetch(query.format(sql.Identifier(template, table)))

    template_position = _sequence_position(template, "django_content_type_id_seq")
    assert _sequence_position(council.schema_name, "django_content_type_id_seq") == template_position
    largest = _fetch(sql.SQL("SELECT max(id) FROM {}").format(sql.Identifier(template, "django_content_type")))[0][0]
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("INSERT INTO {} (app_label, model) VALUES ('test', 'added') RETURNING id").format(
                sql.Identifier(council.schema_name, "django_content_type")
            )
        )
        assert cursor.fetchone()[0] == largest + 1  # after the copied rows, from the council's own sequence
        cursor.execute(
            sql.SQL(
                "INSERT INTO {} (council, action, outcome, object_type, object_id, reason, user_agent, path, "
                "related_ids) VALUES ('rows', 'test', 'ok', 'test', '1', '', '', '', '{{}}') RETURNING id"
            ).format(sql.Identifier(council.schema_name, "audit_auditevent"))
        )
        assert cursor.fetchone()[0] == 1
    assert _sequence_position(template, "django_content_type_id_seq") == template_position
    assert _sequence_position(template, "audit_auditevent_id_seq") == (1, False)

    # The append-only trigger guards the council's own audit table.
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(council.schema_name, "audit_auditevent")))


def _extra_schemas(count: int, template: str) -> None:
    with transaction.atomic():
        for index in range(count):
            schema_create_from_definition(template=template, schema=f"extra_{count}_{index}")


def _provisioning_statements(slug: str) -> list[str]:
    council = council_create(name=f"Council {slug}", slug=slug, jurisdiction="england")
    definitions_forget()  # the definition is read from the catalogue in this provisioning
    with CaptureQueriesContext(connection) as queries:
        council_schema_create(council=council)
    return [query["sql"] for query in queries.captured_queries]


def test_provisioning_reads_the_catalogue_the_same_number_of_times_with_more_schemas(db: None) -> None:
    template = template_schema_ensure()
    _extra_schemas(1, template)
    with_one = _provisioning_statements("after-one")
    _extra_schemas(5, template)
    with_five = _provisioning_statements("after-five")

    assert len(with_one) == len(with_five)
    # Nothing joins the catalogue across every schema (what made django-tenants' clone_schema grow).
    for statements in (with_one, with_five):
        assert not [statement for statement in statements if "pg_indexes" in statement or "pg_tables" in statement]
    catalogue_reads = [statement for statement in with_five if re.search(r"\b(FROM|JOIN) pg_", statement)]
    assert 10 <= len(catalogue_reads) <= 20  # the definition's reads among them

    definitions_forget()
    with transaction.atomic():
        schema_definition(template)  # warm: later provisionings do not read the catalogue again
    council = council_create(name="Council warm", slug="warm", jurisdiction="england")
    with CaptureQueriesContext(connection) as warm:
        council_schema_create(council=council)
    assert len(warm) < len(with_five)


SCRATCH_TEMPLATE = """
CREATE SCHEMA scratch_template;
CREATE TABLE scratch_template.django_migrations (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, app varchar(255) NOT NULL, name varchar(255) NOT NULL,
    applied timestamptz NOT NULL
);
INSERT INTO scratch_template.django_migrations (app, name, applied) VALUES ('scratch', '0001_initial', now());
CREATE TABLE scratch_template.node (
    id serial CONSTRAINT node_pk PRIMARY KEY,
    n integer NOT NULL CONSTRAINT node_n_positive CHECK (n > 0),
    doubled integer GENERATED ALWAYS AS (n * 2) STORED,
    parent_id integer CONSTRAINT node_parent_fk REFERENCES scratch_template.node (id) DEFERRABLE INITIALLY DEFERRED,
    serial_number bigint GENERATED ALWAYS AS IDENTITY (START WITH 100),
    label text NOT NULL DEFAULT 'node'
);
COMMENT ON COLUMN scratch_template.node.label IS 'What the node is called';
CREATE INDEX node_label_trgm ON scratch_template.node USING gin (label public.gin_trgm_ops);
INSERT INTO scratch_template.node (n) VALUES (1), (2);
"""


def test_serial_columns_identity_always_and_generated_columns_point_at_their_own_schema(db: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(SCRATCH_TEMPLATE)
    with transaction.atomic():
        schema_create_from_definition(template="scratch_template", schema="scratch_copy")

    default = _fetch(
        "SELECT column_default FROM information_schema.columns "
        "WHERE table_schema = 'scratch_copy' AND table_name = 'node' AND column_name = 'id'"
    )
    assert default == [("nextval('scratch_copy.node_id_seq'::regclass)",)]
    assert _fetch("SELECT pg_get_serial_sequence('scratch_copy.node', 'id')") == [("scratch_copy.node_id_seq",)]
    assert _fetch("SELECT col_description('scratch_copy.node'::regclass, 6)") == [("What the node is called",)]
    assert _fetch("SELECT * FROM scratch_copy.node ORDER BY id") == _fetch(
        "SELECT * FROM scratch_template.node ORDER BY id"
    )
    before = [_sequence_position("scratch_template", name) for name in ("node_id_seq", "node_serial_number_seq")]

    assert _fetch(
        "INSERT INTO scratch_copy.node (n, parent_id) VALUES (3, 1) RETURNING id, doubled, serial_number"
    ) == [(3, 6, 102)]
    assert [
        _sequence_position("scratch_template", name) for name in ("node_id_seq", "node_serial_number_seq")
    ] == before
    with pytest.raises(Exception, match="node_n_positive"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO scratch_copy.node (n) VALUES (0)")
    foreign_key = _fetch(
        "SELECT confrelid::regclass::text FROM pg_constraint WHERE conname = 'node_parent_fk' "
        "AND connamespace = 'scratch_copy'::regnamespace"
    )
    assert foreign_key == [("scratch_copy.node",)]


def test_a_template_holding_what_the_definition_cannot_reproduce_is_refused(db: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(SCRATCH_TEMPLATE)
        cursor.execute("CREATE VIEW scratch_template.big_nodes AS SELECT * FROM scratch_template.node")
    with pytest.raises(TemplateNotReplayable, match="big_nodes"), transaction.atomic():
        schema_definition("scratch_template")
