"""Filling a council with something of everything a backup or an offboarding must carry: rows in several tables
(clients, practitioners, involvements, audit events, outbox rows), files in both storages, cache keys and a session.
"""

from pathlib import Path

import pytest
from django.conf import LazySettings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditOutcome
from core.audit.services.events import audit_record
from core.notifications.models import Notification
from tenants.models import Council
from tests.factories import InvolvementFactory


@pytest.fixture
def file_storages(settings: LazySettings, tmp_path: Path) -> dict[str, Path]:
    """Both storages in folders of this test's own (the test's settings change resets ``storages``)."""
    folders = {"default": tmp_path / "media", "private": tmp_path / "private"}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": folders["default"]},
        },
        "private": {
            "BACKEND": "core.council.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": folders["private"]},
        },
    }
    return folders


def council_fill(council: Council, *, clients: int = 3, marker: str = "") -> dict[str, str]:
    """Rows, files, cache keys and a session for ``council``; returns the files written, by storage:name."""
    schema = council.schema_name
    with schema_context(schema):
        for _ in range(clients):
            InvolvementFactory(client__first_name=f"Zoë{marker}", client__surname=f'Ó Briain, "the"\n{marker}')
        audit_record(action=AuditAction.CLIENT_SEARCH, outcome=AuditOutcome.SUCCESS, reason=f"test {marker}")
        Notification.objects.create(to=f"someone{marker}@agency.example", subject="A change", body="A link")
        cache.set(f"filled{marker}", "yes", 600)
        from importlib import import_module

        from django.conf import settings

        session = import_module(settings.SESSION_ENGINE).SessionStore()
        session["marker"] = marker
        session.create()
    connection.set_schema_to_public()
    files = {
        f"private:agreements/{schema}/agreement{marker}.pdf": b"%PDF-1.4 agreement " + marker.encode(),
        f"private:subject-access/{schema}/export{marker}.zip": b"PK export " + marker.encode(),
        f"default:practitioners/{schema}/photo{marker}.jpg": b"\xff\xd8\xff photo " + marker.encode(),
    }
    for key, content in files.items():
        alias, name = key.split(":", 1)
        saved = storages[alias].save(name, ContentFile(content))
        assert saved == name
    return {key: content.decode("latin-1") for key, content in files.items()}


def storage_contents(schema: str) -> dict[str, bytes]:
    """Every file under a ``<kind>/<schema>/`` folder of both storages, by storage:name, with its bytes."""
    from tenants.services.backups import council_files

    return {
        f"{stored.storage}:{stored.name}": storages[stored.storage].open(stored.name, "rb").read()
        for stored in council_files(schema=schema, include_backups=True)
    }
