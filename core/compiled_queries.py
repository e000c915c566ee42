"""Hot reads compiled once and run with fresh values.

Building a queryset and compiling it to SQL costs more Python than the database spends answering it when
the query carries many annotations (the team page's client row: the rules in force, EXISTS subqueries, the
consent summary). A ``CompiledQuery`` builds the queryset once per process, database and *shape* with
stand-in values, keeps Django's SQL and the compiler's description of the columns, and from then on only
binds the real values and turns the rows into the same objects the queryset would have given.

The SQL is exactly the ORM's: the parameters stay parameters (bound by the driver, never formatted into the
text) and the text names no schema (each council's schema is chosen on the connection, by the schema path). Only values
that become a parameter as they are (an exact match, an ``__in`` list, a ``Value``) may be named as
parameters. Whatever changes the SQL is part of the shape: a list's length and whether a value is None (the
builder is then given None and must leave it out) are taken into account here; anything else (a rule that
adds a clause, the kind of search) is given to ``rows`` as ``shape`` and passed to the builder before the
parameters. Compiling refuses a value the query rewrites (a LIKE pattern) and a builder that reads more than
its parameters (the clock): see ADR 0013.
"""

import datetime
import secrets
import uuid
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model, QuerySet
from django.db.models.query import ModelIterable, ValuesIterable, get_related_populators


def _stand_in(field: Field) -> object:
    """A value that no real parameter of the query can equal, of the type ``field`` binds."""
    internal = field.get_internal_type()
    if internal == "UUIDField":
        return uuid.uuid4()
    if internal in {"BigAutoField", "BigIntegerField"}:
        return 2**52 + secrets.randbelow(2**52)
    if internal in {"AutoField", "IntegerField", "PositiveIntegerField"}:  # within a 32-bit column's range
        return 2**30 + secrets.randbelow(2**30)
    if internal == "DateField":
        return datetime.date(1, 1, 1) + datetime.timedelta(days=secrets.randbelow(300_000))
    if internal in {"CharField", "TextField"}:
        return f"stand-in-{uuid.uuid4().hex}"
    raise TypeError(f"No stand-in value for a {internal} parameter.")


@dataclass(frozen=True)
class Many:
    """A parameter that is a list of values of ``field`` (an ``__in`` lookup): without duplicates or None, as the
    lookup itself would bind them."""

    field: Field


def _same(value: object, stand_in: object) -> bool:
    return type(value) is type(stand_in) and value == stand_in


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, str, int], ...]  # (position in params, parameter name, index in a Many parameter)
    converters: tuple[tuple[int, tuple[Callable[..., Any], ...], Any], ...]  # (column, converters, expression)
    # model rows
    model: type[Model] | None
    init_list: tuple[str, ...]
    model_fields: slice
    related_populators: tuple[Any, ...]
    annotation_col_map: tuple[tuple[str, int], ...]
    # dictionaries (``values()``)
    names: tuple[str, ...]
    columns: int | None  # the row's columns to keep, when the compiler selects more (as ``execute_sql`` trims them)


class CompiledQuery:
    """``build(*shape, **parameters)`` returns the queryset; ``parameters`` names each parameter and the field
    that binds it (``client_id=Client._meta.pk``). ``rows(shape=..., **values)`` runs it: model instances as
    the queryset would give (its ``select_related`` and annotations included), or dictionaries for a
    ``values()`` queryset. No prefetching, no ``values_list``."""

    def __init__(self, build: Callable[..., QuerySet[Any]], **parameters: Field | Many) -> None:
        self._build = build
        self._parameters = parameters
        self._compiled: dict[Hashable, _Compiled] = {}

    def _attempt(
        self, connection: BaseDatabaseWrapper, shape: tuple[Hashable, ...], lengths: dict[str, int | None]
    ) -> tuple[QuerySet[Any], Any, str, tuple[Any, ...], list[tuple[int, str, int]]]:
        """The queryset built with fresh stand-ins, its compiler, SQL and parameters, and where each stand-in is."""
        stand_ins: dict[str, tuple[object, ...]] = {}
        given: dict[str, object] = {}
        for name, spec in self._parameters.items():
            length = lengths[name]
            if length is None:
                given[name] = None
            elif isinstance(spec, Many):
                stand_ins[name] = tuple(_stand_in(spec.field) for _ in range(length))
                given[name] = list(stand_ins[name])
            else:
                stand_ins[name] = (_stand_in(spec),)
                given[name] = stand_ins[name][0]
        queryset = self._build(*shape, **given)
        if queryset._prefetch_related_lookups or queryset._iterable_class not in (ModelIterable, ValuesIterable):
            raise TypeError("A compiled query gives model instances or values() dictionaries, without prefetching.")
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        slots = []
        found = set()
        for position, value in enumerate(params):
            for name, values in stand_ins.items():
                for index, stand_in in enumerate(values):
                    if _same(value, stand_in):
                        slots.append((position, name, index))
                        found.add((name, index))
                    elif isinstance(value, str) and str(stand_in) in value:
                        raise ValueError(f"The parameter {name!r} is transformed by the query: it cannot be bound.")
        for name, values in stand_ins.items():
            for index, stand_in in enumerate(values):
                if (name, index) not in found:
                    raise ValueError(f"The parameter {name!r} is not a parameter of the query's SQL.")
                if str(stand_in) in sql:
                    raise ValueError(f"The parameter {name!r} is written into the query's SQL.")
        return queryset, compiler, sql, tuple(params), slots

    def _compile(
        self, connection: BaseDatabaseWrapper, shape: tuple[Hashable, ...], lengths: dict[str, int | None]
    ) -> _Compiled:
        """``lengths``: for each parameter, None when its value is None, the length of a Many parameter's list,
        otherwise 1. Built twice, with different stand-ins: the SQL and every other parameter must come out the
        same, or the builder reads something besides its parameters (the time, the rules) that the compiled
        query would keep for ever."""
        queryset, compiler, sql, params, slots = self._attempt(connection, shape, lengths)
        _, _, again, params_again, slots_again = self._attempt(connection, shape, lengths)
        bound = {position for position, _, _ in slots}
        if (again, slots_again) != (sql, slots) or any(
            params[position] != params_again[position] for position in range(len(params)) if position not in bound
        ):
            raise ValueError("The query depends on more than its parameters: it cannot be compiled once.")
        columns = [column[0] for column in compiler.select[0 : compiler.col_count]]
        converters = tuple(
            (position, tuple(functions), expression)
            for position, (functions, expression) in compiler.get_converters(columns).items()
        )
        model = None
        init_list: tuple[str, ...] = ()
        model_fields = slice(0, 0)
        related: tuple[Any, ...] = ()
        annotation_col_map: tuple[tuple[str, int], ...] = ()
        names: tuple[str, ...] = ()
        if queryset._iterable_class is ModelIterable:
            klass_info = compiler.klass_info
            model = klass_info["model"]
            select_fields = klass_info["select_fields"]
            model_fields = slice(select_fields[0], select_fields[-1] + 1)
            init_list = tuple(column[0].target.attname for column in compiler.select[model_fields])
            related = tuple(get_related_populators(klass_info, compiler.select, connection.alias))
            annotation_col_map = tuple((compiler.annotation_col_map or {}).items())
        else:
            query = queryset.query
            names = (*query.extra_select, *query.values_select, *query.annotation_select)
        return _Compiled(
            sql=sql,
            params=tuple(params),
            slots=tuple(slots),
            converters=converters,
            model=model,
            init_list=init_list,
            model_fields=model_fields,
            related_populators=related,
            annotation_col_map=annotation_col_map,
            names=names,
            columns=compiler.col_count if compiler.has_extra_select else None,
        )

    def rows(self, *, using: str = "default", shape: tuple[Hashable, ...] = (), **values: Any) -> list[Any]:
        """Run the query with these values (one for each parameter; a list for a Many parameter)."""
        connection = connections[using]
        prepared: dict[str, list[Any]] = {}
        for name, spec in self._parameters.items():
            value = values[name]
            if value is None:
                continue
            if isinstance(spec, Many):  # as the lookup binds them: once each, without None
                prepared[name] = [
                    spec.field.get_db_prep_value(item, connection, prepared=False)
                    for item in dict.fromkeys(value)
                    if item is not None
                ]
            else:
                prepared[name] = [spec.get_db_prep_value(value, connection, prepared=False)]
        lengths = {
            name: None if name not in prepared else len(prepared[name]) if isinstance(spec, Many) else 1
            for name, spec in self._parameters.items()
        }
        key = (connection.alias, shape, tuple(lengths.values()))
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile(connection, shape, lengths)
        params = list(compiled.params)
        for position, name, index in compiled.slots:
            params[position] = prepared[name][index]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            fetched = cursor.fetchall()
        if compiled.columns is not None:
            fetched = [row[: compiled.columns] for row in fetched]
        if compiled.converters:
            fetched = [list(row) for row in fetched]
            for row in fetched:
                for position, found, expression in compiled.converters:
                    value = row[position]
                    for converter in found:
                        value = converter(value, expression, connection)
                    row[position] = value
        if compiled.model is None:
            names = compiled.names
            return [dict(zip(names, row, strict=False)) for row in fetched]
        objects = []
        for row in fetched:
            obj = compiled.model.from_db(using, compiled.init_list, row[compiled.model_fields])
            for populator in compiled.related_populators:
                populator.populate(row, obj)
            for name, position in compiled.annotation_col_map:
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects
