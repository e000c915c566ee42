"""What the council set-up tests share: a council administrator, a practitioner, approved agencies,
a council made *configuring* for the test (rolled back with it), and a small PDF."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.storage import storages
from django.test import Client

from core.directory.models import Agency, Practitioner
from tenants.models import Council, CouncilStatus
from tests.conftest import sign_in
from tests.core.administration import person

PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _private_files_removed() -> Iterator[None]:
    """Documents a test stores in the private storage are removed after it (the database is rolled back)."""
    root = Path(storages["private"].location)
    before = set(root.rglob("*.pdf")) if root.exists() else set()
    yield
    if root.exists():
        for path in set(root.rglob("*.pdf")) - before:
            path.unlink()


@pytest.fixture
def practitioner(council_a: Council, police: Agency) -> Practitioner:
    return person(
        council_a, police, "gareth@police.example", user__first_name="Gareth", user__last_name="Hollis", job_title="PC"
    )


@pytest.fixture
def as_practitioner(client_a: Client, council_a: Council, practitioner: Practitioner) -> Client:
    sign_in(client_a, practitioner.user, council_a)
    return client_a


@pytest.fixture
def configuring(council_a: Council) -> Council:
    """Council A as a newly provisioned council: configuring (only for this test)."""
    council_a.status, council_a.activated_at = CouncilStatus.CONFIGURING, None
    council_a.save(update_fields=["status", "activated_at"])  # saved, so every process forgets it as it was
    return council_a


def text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]
