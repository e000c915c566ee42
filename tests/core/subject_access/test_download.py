"""The export is downloaded once, by the privacy officer who started it, through a signed link that expires; its
files are then deleted. Everyone and everything else is refused clearly, and nothing changes."""

import datetime
import io
import json
import zipfile
from pathlib import Path

import pytest
import time_machine
from django.core import signing
from django.test import Client as Browser
from django.utils import timezone
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent
from core.subject_access.models import SubjectAccessRequest
from core.subject_access.services.exports import LINK_SALT, download_token, subject_access_exports_expire
from tenants.models import Council
from tests.conftest import host_of, sign_in
from tests.core.subject_access.conftest import Held, stored
from tests.core.subject_access.test_export import exported
from tests.factories import AgencyFactory, verified_practitioner

State = SubjectAccessRequest.State


@pytest.fixture
def ready(council_a: Council, held: Held) -> SubjectAccessRequest:
    return exported(held, council_a)


def link_of(council: Council, sar: SubjectAccessRequest) -> str:
    with schema_context(council.schema_name):
        return f"/privacy-officer/subject-access/download/{download_token(sar)}/"


def state_of(council: Council, sar: SubjectAccessRequest) -> SubjectAccessRequest:
    with schema_context(council.schema_name):
        return SubjectAccessRequest.objects.get(pk=sar.pk)


def downloads(council: Council) -> int:
    with schema_context(council.schema_name):
        return AuditEvent.objects.filter(action=AuditAction.SUBJECT_ACCESS_DOWNLOADED).count()


def test_the_officer_who_started_it_downloads_it_once_and_the_files_are_deleted(
    as_officer: Browser,
    council_a: Council,
    held: Held,
    ready: SubjectAccessRequest,
    private_root: Path,
    django_capture_on_commit_callbacks: object,
) -> None:
    page = as_officer.get(f"/privacy-officer/subject-access/{ready.pk}/")
    link = link_of(council_a, ready)
    assert page.status_code == 200
    assert "Download the export" in page.content.decode()
    confirm = as_officer.get(link)
    assert confirm.status_code == 200
    assert "You can download it once" in confirm.content.decode()
    assert state_of(council_a, ready).state == State.READY  # looking at the link changes nothing

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = as_officer.post(link)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="subject-access-{ready.pk}.zip"'
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == [
        "SHA256SUMS.txt",
        "subject-access.html",
        "subject-access.json",
        "subject-access.pdf",
    ]
    assert json.loads(archive.read("subject-access.json"))["client"]["name"] == "Jade Hughes"
    assert stored(private_root) == []
    after = state_of(council_a, ready)
    assert (after.state, after.downloaded_by_id, after.download_nonce) == (State.DOWNLOADED, held.officer.pk, "")
    assert downloads(council_a) == 1

    again = as_officer.post(link)
    assert again.status_code == 410
    assert "This export has already been downloaded" in again.content.decode()
    assert "Start a new export" in again.content.decode()
    assert downloads(council_a) == 1


def test_an_expired_link_is_refused_and_the_sweep_deletes_the_files(
    as_officer: Browser,
    council_a: Council,
    held: Held,
    ready: SubjectAccessRequest,
    private_root: Path,
    django_capture_on_commit_callbacks: object,
) -> None:
    link = link_of(council_a, ready)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=7, seconds=1)):
        browser = Browser(HTTP_HOST=host_of(council_a))
        sign_in(browser, held.officer.user, council_a)  # a week later: signed in afresh
        response = browser.post(link)
        assert response.status_code == 410
        assert "This download link has expired" in response.content.decode()
        assert browser.get(link).status_code == 410
        assert state_of(council_a, ready).state == State.READY
        assert len(stored(private_root)) == 3
        with schema_context(council_a.schema_name), django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            assert subject_access_exports_expire() == 1
    assert state_of(council_a, ready).state == State.EXPIRED
    assert stored(private_root) == []
    assert downloads(council_a) == 0


def test_the_link_works_until_it_expires(
    as_officer: Browser, council_a: Council, held: Held, ready: SubjectAccessRequest
) -> None:
    with time_machine.travel(timezone.now() + datetime.timedelta(days=6, hours=23)):
        browser = Browser(HTTP_HOST=host_of(council_a))
        sign_in(browser, held.officer.user, council_a)
        assert browser.post(link_of(council_a, ready)).status_code == 200


def test_another_privacy_officer_is_refused(
    as_colleague: Browser, council_a: Council, ready: SubjectAccessRequest, private_root: Path
) -> None:
    link = link_of(council_a, ready)
    for method in ("get", "post"):
        response = getattr(as_colleague, method)(link)
        assert response.status_code == 403
        assert "Only the privacy officer who started this export can download it" in response.content.decode()
    assert state_of(council_a, ready).state == State.READY
    assert len(stored(private_root)) == 3
    assert downloads(council_a) == 0
    with schema_context(council_a.schema_name):
        assert AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED, object_id=str(ready.pk)).count() == 1


def test_a_practitioner_is_refused(as_worker: Browser, council_a: Council, ready: SubjectAccessRequest) -> None:
    link = link_of(council_a, ready)
    assert as_worker.get(link).status_code == 403
    assert as_worker.post(link).status_code == 403
    assert state_of(council_a, ready).state == State.READY
    assert downloads(council_a) == 0


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        signing.dumps({"s": "council_alpha", "r": "00000000-0000-4000-8000-000000000000", "n": "x"}, salt=LINK_SALT),
        signing.dumps({"s": "council_alpha", "r": "x", "n": "x"}, salt="another-salt"),
    ],
)
def test_a_link_not_made_here_is_not_found(
    as_officer: Browser, council_a: Council, ready: SubjectAccessRequest, token: str
) -> None:
    response = as_officer.post(f"/privacy-officer/subject-access/download/{token}/")
    assert response.status_code == 404
    assert "This download link does not work" in response.content.decode()
    assert state_of(council_a, ready).state == State.READY


def test_an_altered_link_is_not_found(as_officer: Browser, council_a: Council, ready: SubjectAccessRequest) -> None:
    link = link_of(council_a, ready)
    altered = link[:-3] + ("A" if link[-3] != "A" else "B") + link[-2:]
    assert as_officer.post(altered).status_code == 404
    assert state_of(council_a, ready).state == State.READY


def test_another_councils_site_does_not_know_the_link(
    client_b: Browser, council_a: Council, council_b: Council, ready: SubjectAccessRequest
) -> None:
    with schema_context(council_b.schema_name):
        agency = AgencyFactory(name="Beta Governance", email_domains=["ig.beta.example"])
        beta_officer = verified_practitioner(agency, "Bea", "Officer", is_privacy_officer=True)
    sign_in(client_b, beta_officer.user, council_b)
    link = link_of(council_a, ready)
    assert client_b.get(link).status_code == 404
    assert client_b.post(link).status_code == 404
    assert client_b.get(f"/privacy-officer/subject-access/{ready.pk}/").status_code == 404
    assert state_of(council_a, ready).state == State.READY


def test_a_link_replaced_by_a_newer_export_no_longer_works(
    as_officer: Browser, council_a: Council, held: Held, ready: SubjectAccessRequest
) -> None:
    old = link_of(council_a, ready)
    newer = exported(held, council_a, ready)
    response = as_officer.post(old)
    assert response.status_code == 410
    assert "no longer in use" in response.content.decode()
    assert as_officer.post(link_of(council_a, newer)).status_code == 200
