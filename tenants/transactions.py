"""``transaction.on_commit`` that runs the callback in the schema it was registered in.

A callback registered inside a council's request may run after the request has switched the
connection back to ``public`` (in tests, where the outer transaction commits last; in code that
commits after leaving a ``schema_context``). Running it anywhere else would read or write the wrong
schema, so the schema is captured now and restored then.
"""

from collections.abc import Callable

from django.db import connection, transaction
from django_tenants.utils import schema_context


def on_commit_in_this_schema(callback: Callable[[], object]) -> None:
    schema_name = connection.schema_name

    def run() -> None:
        with schema_context(schema_name):
            callback()

    transaction.on_commit(run)
