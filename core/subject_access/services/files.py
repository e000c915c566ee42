"""The export's files in private storage (core/council/storage.py): where they go, and their removal."""

import logging

from django.db import connection

from core.council.storage import private_storage
from tenants.transactions import on_commit_in_this_schema

logger = logging.getLogger(__name__)


def export_prefix(request_id: object, run: str) -> str:
    """``subject-access/<schema>/<request>/<run>/``: the council's schema keeps councils apart in storage too; a
    run of the export writes under its own name, so two runs never write over each other."""
    return f"subject-access/{connection.schema_name}/{request_id}/{run}/"


def files_delete(files: list[dict[str, object]]) -> None:
    storage = private_storage()
    for entry in files:
        try:
            storage.delete(str(entry["key"]))
        except Exception as error:  # a file left behind is found again by its prefix; the request goes on
            logger.warning("Subject access file not deleted: %s", type(error).__name__)


def files_delete_on_commit(files: list[dict[str, object]]) -> None:
    if files:
        kept = [dict(entry) for entry in files]
        on_commit_in_this_schema(lambda: files_delete(kept))
