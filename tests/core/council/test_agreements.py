"""Data-sharing agreements: recorded with a signed PDF kept in private storage, the history kept, the
document read only through its view (administrators and privacy officers, each reading audited) and
never at any address under /media/. Every bad input is refused with nothing stored."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tenants.utils import schema_context

from core.audit.models import AuditAction
from core.council.models import DataSharingAgreement
from core.directory.models import Agency, Practitioner
from tenants.models import Council
from tests.conftest import host_of, sign_in
from tests.core.accounts.helpers import audit_events
from tests.core.council.conftest import PDF, text
from tests.factories import AgencyFactory

pytestmark = pytest.mark.council_side


def pdf(content: bytes = PDF, name: str = "agreement.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def agreement_form(parties: list[object], /, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "parties": [str(party) for party in parties],
        "signed_on_day": "3",
        "signed_on_month": "2",
        "signed_on_year": "2026",
        "review_on_day": "3",
        "review_on_month": "2",
        "review_on_year": "2027",
        "document": pdf(),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def agreements_in(council: Council) -> list[DataSharingAgreement]:
    with schema_context(council.schema_name):
        return list(DataSharingAgreement.objects.prefetch_related("parties").order_by("recorded_at"))


def private_files() -> set[Path]:
    root = Path(storages["private"].location)
    return set(root.rglob("*.pdf")) if root.exists() else set()


def test_an_agreement_is_recorded_with_its_pdf_in_private_storage_and_audited(
    as_admin: Client, council_a: Council, admin: Practitioner, home_agency: Agency, police: Agency
) -> None:
    response = as_admin.post("/administration/agreements/", agreement_form([home_agency.pk, police.pk]))
    assert response.status_code == 302
    [agreement] = agreements_in(council_a)
    assert {agency.name for agency in agreement.parties.all()} == {"Alpha Early Help", "Alpha Police"}
    assert agreement.signed_on == datetime.date(2026, 2, 3)
    assert agreement.review_on == datetime.date(2027, 2, 3)
    assert agreement.document.name.startswith(f"agreements/{council_a.schema_name}/")
    stored = Path(storages["private"].location) / agreement.document.name
    assert stored.read_bytes() == PDF
    assert Path(settings.MEDIA_ROOT).resolve() not in stored.resolve().parents  # outside anything served
    [event] = audit_events(council_a, action=AuditAction.AGREEMENT_RECORDED)
    assert event.actor_id == admin.user.pk
    assert set(event.related_ids) == {str(home_agency.pk), str(police.pk)}
    assert event.changes["review_on"] == {"old": None, "new": "2027-02-03"}


def test_a_new_agreement_becomes_the_one_in_force_and_the_earlier_one_is_kept(
    as_admin: Client, council_a: Council, home_agency: Agency, police: Agency
) -> None:
    as_admin.post("/administration/agreements/", agreement_form([home_agency.pk]))
    as_admin.post(
        "/administration/agreements/",
        agreement_form([home_agency.pk, police.pk], signed_on_year="2026", signed_on_month="3", review_on_year="2028"),
    )
    first, second = agreements_in(council_a)
    page = text(as_admin.get("/administration/agreements/"))
    assert page.index("3 March 2026") < page.index("In force") < page.index("3 February 2026")
    assert page.count("Download PDF") == 2
    assert first.document.name != second.document.name


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"review_on_year": "2025"}, "review_on", "The review date must be after the date the agreement was signed"),
        ({"review_on_year": "2026"}, "review_on", "The review date must be after the date the agreement was signed"),
        ({"signed_on_day": "31", "signed_on_month": "2"}, "signed_on", "Date signed must be a real date"),
        ({"signed_on_year": "2999"}, "signed_on", "must be today or in the past"),
        ({"document": None}, "document", "Select the signed agreement, as a PDF"),
        ({"document": pdf(b"<html>not a pdf</html>")}, "document", "The selected file must be a PDF"),
        (
            {"document": pdf(b"MZ\x90\x00 pretending", name="agreement.pdf")},
            "document",
            "The selected file must be a PDF",
        ),
        ({"parties": []}, "parties", "Select the agencies that are parties to the agreement"),
        (
            {"parties": ["00000000-0000-4000-8000-000000000000"]},
            "parties",
            "Select only approved agencies of the council",
        ),
        ({"parties": ["not-a-uuid"]}, "parties", "Select only approved agencies of the council"),
    ],
)
def test_bad_input_is_a_clear_error_and_nothing_is_stored(
    as_admin: Client, council_a: Council, home_agency: Agency, changes: dict[str, object], field: str, message: str
) -> None:
    before = private_files()
    response = as_admin.post("/administration/agreements/", agreement_form([home_agency.pk], **changes))
    page = text(response)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert message in page
    assert f'<a href="#id_{field}' in page  # the error summary links to the field
    assert agreements_in(council_a) == []
    assert private_files() == before
    assert audit_events(council_a, action=AuditAction.AGREEMENT_RECORDED) == []


def test_an_oversize_document_is_refused(as_admin: Client, council_a: Council, home_agency: Agency) -> None:
    big = PDF + b"0" * (10 * 1024 * 1024 + 1 - len(PDF))
    page = text(as_admin.post("/administration/agreements/", agreement_form([home_agency.pk], document=pdf(big))))
    assert "The selected file must be smaller than 10 MB" in page
    assert agreements_in(council_a) == []


def test_an_agency_awaiting_approval_or_of_another_council_cannot_be_a_party(
    as_admin: Client, council_a: Council, council_b: Council, home_agency: Agency
) -> None:
    with schema_context(council_b.schema_name):
        theirs = AgencyFactory(name="Beta Police", email_domains=["beta-police.example"])
    with schema_context(council_a.schema_name):
        pending = AgencyFactory(name="Alpha Pending", approval_state="pending", email_domains=["pending.example"])
    for party in (theirs.pk, pending.pk):
        page = text(as_admin.post("/administration/agreements/", agreement_form([home_agency.pk, party])))
        assert "Select only approved agencies of the council" in page
        assert "Beta Police" not in page
    assert agreements_in(council_a) == []


def _recorded(client: Client, council: Council, agency: Agency) -> DataSharingAgreement:
    client.post("/administration/agreements/", agreement_form([agency.pk]))
    [agreement] = agreements_in(council)
    return agreement


def test_the_document_downloads_as_an_attachment_and_each_download_is_audited(
    as_admin: Client, council_a: Council, admin: Practitioner, home_agency: Agency
) -> None:
    agreement = _recorded(as_admin, council_a, home_agency)
    response = as_admin.get(f"/administration/agreements/{agreement.pk}/document/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="data-sharing-agreement-2026-02-03.pdf"'
    assert b"".join(response.streaming_content) == PDF
    [event] = audit_events(council_a, action=AuditAction.AGREEMENT_DOWNLOADED)
    assert event.actor_id == admin.user.pk
    assert event.object_id == str(agreement.pk)


def test_a_privacy_officer_downloads_it_and_a_practitioner_is_refused(
    as_admin: Client, council_a: Council, home_agency: Agency, police: Agency
) -> None:
    from tests.core.council.conftest import person

    agreement = _recorded(as_admin, council_a, home_agency)
    officer = person(council_a, police, "priya@police.example", is_privacy_officer=True)
    someone = person(council_a, police, "sam@police.example")
    path = f"/administration/agreements/{agreement.pk}/document/"

    as_officer = Client(HTTP_HOST=host_of(council_a))
    sign_in(as_officer, officer.user, council_a)
    assert as_officer.get(path).status_code == 200
    assert as_officer.get("/administration/agreements/").status_code == 403  # the document only

    as_someone = Client(HTTP_HOST=host_of(council_a))
    sign_in(as_someone, someone.user, council_a)
    refused = as_someone.get(path)
    assert refused.status_code == 403
    assert PDF not in refused.content
    downloads = audit_events(council_a, action=AuditAction.AGREEMENT_DOWNLOADED)
    assert [event.actor_id for event in downloads] == [officer.user.pk]
    denied = audit_events(council_a, action=AuditAction.ACCESS_DENIED, actor_id=someone.user.pk)
    assert [event.path for event in denied] == [path]  # one refusal, recorded once


def test_an_unknown_or_another_councils_agreement_is_not_found(
    as_admin: Client, council_a: Council, home_agency: Agency
) -> None:
    assert as_admin.get("/administration/agreements/00000000-0000-4000-8000-000000000000/document/").status_code == 404
    assert audit_events(council_a, action=AuditAction.AGREEMENT_DOWNLOADED) == []


def test_no_address_under_media_reaches_the_document(
    as_admin: Client, council_a: Council, home_agency: Agency, platform_client: Client
) -> None:
    agreement = _recorded(as_admin, council_a, home_agency)
    name = agreement.document.name
    candidates = [
        f"/media/{name}",
        f"/media/private/{name}",
        f"/media/../private/{name}",
        f"/media/%2e%2e/private/{name}",
        f"/private/{name}",
        f"/{name}",
    ]
    for path in candidates:
        for client in (as_admin, platform_client):
            response = client.get(path)
            assert response.status_code in (302, 400, 404), (path, response.status_code)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert PDF not in body
    with pytest.raises(ValueError, match="no web address"):
        storages["private"].url(name)


def test_the_agreements_page_costs_the_same_queries_for_one_agreement_or_many(
    as_admin: Client, council_a: Council, home_agency: Agency, police: Agency
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert as_admin.get("/administration/agreements/").status_code == 200
        return len(captured)

    as_admin.post("/administration/agreements/", agreement_form([home_agency.pk]))
    one = queries()
    for _ in range(4):
        as_admin.post("/administration/agreements/", agreement_form([home_agency.pk, police.pk]))
    assert len(agreements_in(council_a)) == 5
    assert queries() == one
