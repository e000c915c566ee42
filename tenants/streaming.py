"""Rows a streamed response reads after its view has returned, read in the council the request was for.

A streamed response (a CSV export) is read while it is sent, after the middleware that chose the council from the
host has finished; by then nothing guarantees the connection's schema. ``rows_in_schema`` reads the rows inside
that council's schema, whatever the connection was doing in between.
"""

from collections.abc import Iterable, Iterator
from typing import TypeVar

from django_tenants.utils import schema_context

T = TypeVar("T")


def rows_in_schema(schema_name: str, rows: Iterable[T]) -> Iterator[T]:
    """Iterate ``rows`` (a lazy query, or anything that reads the database) inside ``schema_name``."""
    with schema_context(schema_name):
        yield from rows
