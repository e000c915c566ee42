"""A council's schema made from the template's definition, read once and replayed under a new name.

The template schema (``council_template``, kept migrated by tenants/migration_executor.py) is read
from ``pg_catalog`` — every query names that one schema's oid or its tables' oids, never a join across
every schema — and turned into one SQL script: functions, sequences, tables (columns, types,
defaults, identity), the template's rows, constraints (primary keys, unique, check, then foreign
keys), indexes, triggers, comments and the sequences' positions. Names are kept, so a council's
constraints and indexes are named as if its migrations had run.

The script holds no schema name for the objects it creates: it is deparsed with ``search_path`` set
to the template alone, so PostgreSQL writes the template's own objects unqualified and everything
else qualified (``public.gin_trgm_ops``), and it is run with ``search_path`` set to the new schema
alone. Only its data part names the template, on purpose (``INSERT … SELECT … FROM council_template.t``).
A definition that would still name the template anywhere else is refused.

The same reading serves any one council schema (``schema_structure_read``): a council's backup keeps its
structure in two parts, before and after its rows, to be replayed under any name (tenants/services/backups.py,
docs/adr/0017).

A definition is kept in this process, keyed by the database, the template and a digest of the
template's ``django_migrations`` rows: the template only changes by migrating, which adds rows. So
provisioning reads the catalogue once per migration state and worker process; then it costs a
handful of statements whatever the number of schemas (docs/adr/0003).
"""

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from psycopg import sql

# pg_advisory_lock key serialising work on the template schema across processes (shared: provisioning
# reads the template; exclusive: migrating it). The same key as tenants/services/schemas.py.
TEMPLATE_LOCK_KEY = 0x7A7C_0001


class TemplateNotReplayable(Exception):
    """The template holds something this module does not reproduce; provisioning would be wrong."""


@dataclass(frozen=True)
class SchemaDefinition:
    template: str
    migrations_digest: str
    tables: tuple[str, ...]
    sequences: tuple[str, ...]
    script: str  # run with search_path = the new schema; names the template only where it copies rows


_definitions: dict[tuple[str, str, str], SchemaDefinition] = {}
_definitions_lock = threading.Lock()


def definitions_forget() -> None:
    """Drop every definition this process keeps (tests; a template rebuilt under the same migrations)."""
    with _definitions_lock:
        _definitions.clear()


def template_migrations_digest(template: str) -> str:
    """A digest of the template's applied migrations: what its definition is keyed by. One query."""
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("SELECT app, name FROM {} ORDER BY app, name").format(sql.Identifier(template, "django_migrations"))
        )
        rows = cursor.fetchall()
    return hashlib.sha256("\n".join(f"{app}.{name}" for app, name in rows).encode()).hexdigest()


def schema_definition(template: str) -> SchemaDefinition:
    """The template's definition for its current migrations: kept in this process, read if missing."""
    digest = template_migrations_digest(template)
    key = (connection.settings_dict["NAME"], template, digest)
    with _definitions_lock:
        definition = _definitions.get(key)
    if definition is None:
        definition = _definition_read(template, digest)
        with _definitions_lock:
            _definitions[key] = definition
    return definition


def schema_create_from_definition(*, template: str, schema: str) -> SchemaDefinition:
    """Create ``schema`` as a copy of ``template``: structure, names and rows. Must run in a transaction.

    Takes the template's lock shared (no migration of the template meanwhile); the caller grants
    the application role its privileges in the same transaction.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("A schema is created from the template's definition inside a transaction.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [TEMPLATE_LOCK_KEY])
    definition = schema_definition(template)
    prologue = sql.SQL("CREATE SCHEMA {schema};\nSELECT pg_catalog.set_config('search_path', {path}, true);\n").format(
        schema=sql.Identifier(schema), path=sql.Literal(sql.Identifier(schema).as_string(connection.connection))
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute(prologue + sql.SQL(definition.script))  # one round trip for the whole schema
    finally:
        connection.set_schema_to_public()  # django-tenants sets search_path again on the next cursor
    return definition


# Everything the definition does not reproduce, found in one query over the template's own objects.
_UNSUPPORTED = """
SELECT 'relation ' || relname || ' of kind ' || relkind::text FROM pg_class
 WHERE relnamespace = %(ns)s AND relkind NOT IN ('r', 'i', 'S')
UNION ALL SELECT 'unlogged or temporary table ' || relname FROM pg_class
 WHERE relnamespace = %(ns)s AND relpersistence <> 'p'
UNION ALL SELECT 'row-level security on ' || relname FROM pg_class
 WHERE relnamespace = %(ns)s AND (relrowsecurity OR relforcerowsecurity)
UNION ALL SELECT 'type ' || t.typname FROM pg_type t
 WHERE t.typnamespace = %(ns)s AND t.typrelid = 0
   AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.oid = t.typelem AND e.typrelid <> 0)
UNION ALL SELECT 'collation ' || collname FROM pg_collation WHERE collnamespace = %(ns)s
UNION ALL SELECT 'operator ' || oprname FROM pg_operator WHERE oprnamespace = %(ns)s
UNION ALL SELECT 'operator class ' || opcname FROM pg_opclass WHERE opcnamespace = %(ns)s
UNION ALL SELECT 'statistics object ' || stxname FROM pg_statistic_ext WHERE stxnamespace = %(ns)s
UNION ALL SELECT 'extension ' || extname FROM pg_extension WHERE extnamespace = %(ns)s
UNION ALL SELECT 'rule ' || r.rulename FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
 WHERE c.relnamespace = %(ns)s
UNION ALL SELECT 'inheritance of ' || c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
 WHERE c.relnamespace = %(ns)s
UNION ALL SELECT 'disabled trigger ' || tgname FROM pg_trigger
 WHERE tgrelid IN (SELECT oid FROM pg_class WHERE relnamespace = %(ns)s) AND NOT tgisinternal AND tgenabled <> 'O'
UNION ALL SELECT 'privileges on function ' || proname FROM pg_proc WHERE pronamespace = %(ns)s AND proacl IS NOT NULL
UNION ALL SELECT 'aggregate or procedure ' || proname FROM pg_proc WHERE pronamespace = %(ns)s AND prokind <> 'f'
"""

_SEQUENCES = """
SELECT s.oid, s.relname, format_type(q.seqtypid, NULL), q.seqstart, q.seqincrement, q.seqmin, q.seqmax,
       q.seqcache, q.seqcycle, d.deptype, t.relname, a.attname
  FROM pg_class s JOIN pg_sequence q ON q.seqrelid = s.oid
  LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid
       AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
  LEFT JOIN pg_class t ON t.oid = d.refobjid
  LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
 WHERE s.relnamespace = %s AND s.relkind = 'S'
 ORDER BY s.relname
"""

_COLUMNS = """
SELECT a.attrelid, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity,
       a.attgenerated, pg_get_expr(d.adbin, d.adrelid),
       CASE WHEN a.attcollation <> t.typcollation THEN a.attcollation::regcollation::text END
  FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE a.attrelid = ANY(%s) AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attrelid, a.attnum
"""

# Primary keys, unique and exclusion constraints, checks; foreign keys last (they need the others' indexes).
_CONSTRAINTS = """
SELECT conrelid, conname, pg_get_constraintdef(oid), contype, conindid FROM pg_constraint
 WHERE conrelid = ANY(%s)
 ORDER BY contype = 'f', conrelid, conname
"""

_INDEXES = """
SELECT i.indrelid, i.indexrelid, pg_get_indexdef(i.indexrelid, 0, true) FROM pg_index i
 WHERE i.indrelid = ANY(%s)
 ORDER BY i.indrelid, i.indexrelid
"""

_TRIGGERS = """
SELECT pg_get_triggerdef(oid, true) FROM pg_trigger
 WHERE tgrelid = ANY(%s) AND NOT tgisinternal
 ORDER BY tgrelid, tgname
"""

_FUNCTIONS = """
SELECT p.oid, pg_get_functiondef(p.oid) FROM pg_proc p WHERE p.pronamespace = %s ORDER BY p.proname, p.oid
"""

_COMMENTS = """
SELECT d.objoid, d.objsubid, d.description FROM pg_description d
 WHERE d.classoid = 'pg_class'::regclass AND d.objoid = ANY(%s)
 ORDER BY d.objoid, d.objsubid
"""


@dataclass(frozen=True)
class SchemaStructure:
    """One schema's structure, deparsed with no schema name: replayed with ``search_path`` set to another.

    ``before_data`` makes functions, sequences and tables (with their primary key, unique and check
    constraints); ``after_data`` adds foreign keys, indexes, triggers and comments. Rows go in between
    (copied from the template when provisioning, loaded from a backup's CSVs when restoring), then the
    sequences are set.
    """

    schema: str
    tables: tuple[str, ...]
    columns: dict[str, tuple[str, ...]]  # per table, the columns that hold data (not generated ones), in order
    identity_always: frozenset[str]  # tables with a GENERATED ALWAYS identity column (INSERT needs OVERRIDING)
    sequences: tuple[str, ...]
    before_data: str
    after_data: str

    def data_copy_from(self, source: str) -> str:
        """``INSERT … SELECT`` of every table's rows from the same tables in ``source`` (the template)."""
        ident = sql.Identifier
        raw = connection.connection
        statements = []
        for table in self.tables:
            if self.columns[table]:
                names = sql.SQL(", ").join(map(ident, self.columns[table]))
                statements.append(
                    sql.SQL("INSERT INTO {} ({}) {}SELECT {} FROM {}")
                    .format(
                        ident(table),
                        names,
                        sql.SQL("OVERRIDING SYSTEM VALUE " if table in self.identity_always else ""),
                        names,
                        ident(source, table),
                    )
                    .as_string(raw)
                )
        return "".join(statement + ";\n" for statement in statements)

    def sequences_copy_from(self, source: str) -> str:
        """Each sequence set where the same sequence in ``source`` is."""
        if not self.sequences:
            return ""
        raw = connection.connection
        positions = sql.SQL(", ").join(
            sql.SQL(
                "pg_catalog.setval({name}, (SELECT last_value FROM {source}), (SELECT is_called FROM {source}))"
            ).format(name=sql.Literal(sql.Identifier(name).as_string(raw)), source=sql.Identifier(source, name))
            for name in self.sequences
        )
        return sql.SQL("SELECT {};\n").format(positions).as_string(raw)


@contextmanager
def search_path_local(cursor: Any, schema: str) -> Iterator[None]:
    """``search_path`` set to ``schema`` alone for the block, inside the current transaction, then put back.

    Put back explicitly, not left to the transaction's end: the transaction may go on (a backup's snapshot,
    a test), and the connection remembers the path it last committed (tenants/postgresql_backend), not this one.
    """
    cursor.execute("SELECT pg_catalog.current_setting('search_path')")
    previous = cursor.fetchone()[0]
    cursor.execute("SELECT pg_catalog.set_config('search_path', pg_catalog.quote_ident(%s), true)", [schema])
    try:
        yield
    finally:
        cursor.execute("SELECT pg_catalog.set_config('search_path', %s, true)", [previous])


def _definition_read(template: str, digest: str) -> SchemaDefinition:
    """The template's definition: its structure with its rows and sequence positions copied in between."""
    structure = schema_structure_read(template)
    script = (
        structure.before_data
        + structure.data_copy_from(template)
        + structure.after_data
        + structure.sequences_copy_from(template)
    )
    _refuse_template_references(script, template=template)
    return SchemaDefinition(
        template=template,
        migrations_digest=digest,
        tables=structure.tables,
        sequences=structure.sequences,
        script=script,
    )


def schema_structure_read(schema: str) -> SchemaStructure:
    """Read one schema's structure from the catalogue: a fixed number of queries, each on that schema alone.

    Refuses (``TemplateNotReplayable``) a schema holding what the structure would not reproduce, or whose
    deparsed structure would still name the schema.
    """
    ident = sql.Identifier
    # search_path is set for this transaction only (a savepoint's, inside one: reset on the way out).
    # Deparsed with the schema alone on the path: its objects come out unqualified, others qualified.
    with transaction.atomic(), connection.cursor() as cursor, search_path_local(cursor, schema):
        try:
            cursor.execute("SELECT oid, quote_ident(nspname) FROM pg_namespace WHERE nspname = %s", [schema])
            row = cursor.fetchone()
            if row is None:
                raise TemplateNotReplayable(f"the schema {schema} does not exist")
            namespace, quoted_schema = row
            cursor.execute(_UNSUPPORTED, {"ns": namespace})
            unsupported = [found for (found,) in cursor.fetchall()]
            if unsupported:
                raise TemplateNotReplayable(f"{schema} holds what replaying would miss: {', '.join(unsupported)}")
            cursor.execute(
                "SELECT oid, relname, reloptions FROM pg_class WHERE relnamespace = %s AND relkind = 'r' "
                "ORDER BY relname",
                [namespace],
            )
            tables: dict[int, tuple[str, list[str] | None]] = {oid: (name, opts) for oid, name, opts in cursor}
            oids = list(tables)
            cursor.execute(_SEQUENCES, [namespace])
            sequences = cursor.fetchall()
            cursor.execute(_COLUMNS, [oids])
            columns = cursor.fetchall()
            cursor.execute(_CONSTRAINTS, [oids])
            constraints = cursor.fetchall()
            cursor.execute(_INDEXES, [oids])
            indexes = cursor.fetchall()
            cursor.execute(_TRIGGERS, [oids])
            triggers = [definition for (definition,) in cursor.fetchall()]
            cursor.execute(_FUNCTIONS, [namespace])
            functions = cursor.fetchall()
            cursor.execute(_COMMENTS, [oids])
            comments = cursor.fetchall()
        finally:
            connection.set_schema_to_public()  # django-tenants sets search_path again on the next cursor
    raw = connection.connection

    statements: list[sql.Composable] = [sql.SQL("SET LOCAL check_function_bodies = off")]
    # pg_get_functiondef always qualifies the function's name (as quote_ident does): the one prefix to drop.
    function_header = f"CREATE OR REPLACE FUNCTION {quoted_schema}."
    for _oid, definition in functions:
        if not definition.startswith(function_header):
            raise TemplateNotReplayable(f"unexpected function definition: {definition[:80]}")
        statements.append(sql.SQL(definition.replace(function_header, "CREATE OR REPLACE FUNCTION ", 1).rstrip()))
    statements.append(sql.SQL("RESET check_function_bodies"))

    identity: dict[tuple[str, str], tuple[Any, ...]] = {}
    for _oid, name, type_name, start, increment, minimum, maximum, cache, cycle, deptype, table, column in sequences:
        # An identity sequence takes its column's type; naming it again is refused.
        options = sql.SQL("{}START WITH {} INCREMENT BY {} MINVALUE {} MAXVALUE {} CACHE {} {}").format(
            sql.SQL("") if deptype == "i" else sql.SQL("AS {} ").format(sql.SQL(type_name)),
            sql.Literal(start),
            sql.Literal(increment),
            sql.Literal(minimum),
            sql.Literal(maximum),
            sql.Literal(cache),
            sql.SQL("CYCLE" if cycle else "NO CYCLE"),
        )
        if deptype == "i":
            identity[(table, column)] = (name, options)
        else:
            statements.append(sql.SQL("CREATE SEQUENCE {} {}").format(ident(name), options))

    by_table: dict[int, list[sql.Composable]] = {oid: [] for oid in oids}
    copied: dict[int, list[str]] = {oid: [] for oid in oids}
    identity_always: set[int] = set()
    column_positions = [(relid, name, position) for relid, position, name, *_rest in columns]
    for relid, _position, name, type_name, not_null, attidentity, generated, default, collation in columns:
        table = tables[relid][0]
        parts: list[sql.Composable] = [ident(name), sql.SQL(type_name)]
        if collation:
            parts.append(sql.SQL("COLLATE {}").format(sql.SQL(collation)))
        if generated == "s":
            parts.append(sql.SQL("GENERATED ALWAYS AS ({}) STORED").format(sql.SQL(default)))
        elif default is not None:
            parts.append(sql.SQL("DEFAULT {}").format(sql.SQL(default)))
        if attidentity:
            sequence, options = identity[(table, name)]
            parts.append(
                sql.SQL("GENERATED {} AS IDENTITY (SEQUENCE NAME {} {})").format(
                    sql.SQL("ALWAYS" if attidentity == "a" else "BY DEFAULT"), ident(sequence), options
                )
            )
            identity_always.update([relid] if attidentity == "a" else [])
        if not_null:
            parts.append(sql.SQL("NOT NULL"))
        by_table[relid].append(sql.SQL(" ").join(parts))
        if generated != "s":
            copied[relid].append(name)

    # Primary keys, unique, exclusion and check constraints inside CREATE TABLE (one statement a table,
    # not one a constraint); foreign keys afterwards, all of a table's in one ALTER TABLE.
    inline: dict[int, list[sql.Composable]] = {oid: [] for oid in oids}
    foreign: dict[int, list[sql.Composable]] = {oid: [] for oid in oids}
    constraint_indexes: set[int] = set()
    for relid, name, definition, kind, index in constraints:
        if kind in ("p", "u", "x"):
            constraint_indexes.add(index)
        clause = sql.SQL("CONSTRAINT {} {}").format(ident(name), sql.SQL(definition))
        later = kind == "f" or definition.endswith("NOT VALID")
        (foreign if later else inline)[relid].append(clause)

    for relid, (table, reloptions) in tables.items():
        storage = (
            sql.SQL(" WITH ({})").format(sql.SQL(", ").join(map(sql.SQL, reloptions))) if reloptions else sql.SQL("")
        )
        elements = sql.SQL(", ").join([*by_table[relid], *inline[relid]])
        statements.append(sql.SQL("CREATE TABLE {} ({}){}").format(ident(table), elements, storage))
    for _oid, name, *_rest, deptype, table, column in sequences:
        if deptype == "a":
            statements.append(sql.SQL("ALTER SEQUENCE {} OWNED BY {}").format(ident(name), ident(table, column)))

    # Rows go here: copied from the template, or loaded from a backup.
    later_statements: list[sql.Composable] = []
    for relid, clauses in foreign.items():
        if clauses:
            additions = sql.SQL(", ").join(sql.SQL("ADD {}").format(clause) for clause in clauses)
            later_statements.append(sql.SQL("ALTER TABLE {} {}").format(ident(tables[relid][0]), additions))
    later_statements.extend(
        sql.SQL(definition) for _relid, index, definition in indexes if index not in constraint_indexes
    )
    later_statements.extend(sql.SQL(definition) for definition in triggers)

    names_by_oid = {oid: table for oid, (table, _options) in tables.items()}
    column_names = {(relid, position): name for relid, name, position in column_positions}
    for relid, position, text in comments:
        target = (
            sql.SQL("TABLE {}").format(ident(names_by_oid[relid]))
            if position == 0
            else sql.SQL("COLUMN {}").format(ident(names_by_oid[relid], column_names[(relid, position)]))
        )
        later_statements.append(sql.SQL("COMMENT ON {} IS {}").format(target, sql.Literal(text)))

    before = "".join(statement.as_string(raw) + ";\n" for statement in statements)
    after = "".join(statement.as_string(raw) + ";\n" for statement in later_statements)
    _refuse_template_references(before + after, template=schema)
    return SchemaStructure(
        schema=schema,
        tables=tuple(names_by_oid[oid] for oid in oids),
        columns={names_by_oid[oid]: tuple(copied[oid]) for oid in oids},
        identity_always=frozenset(names_by_oid[oid] for oid in identity_always),
        sequences=tuple(name for _oid, name, *_rest in sequences),
        before_data=before,
        after_data=after,
    )


def _refuse_template_references(script: str, *, template: str) -> None:
    """The script may name the template only to read its rows and sequences from: nowhere else."""
    source = " FROM " + sql.Identifier(template).as_string(connection.connection) + "."
    if template in script.replace(source, " FROM "):
        raise TemplateNotReplayable(f"the template's definition still names {template} outside its data")
