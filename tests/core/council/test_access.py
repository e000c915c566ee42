"""Every set-up page is for council administrators only: a practitioner (or an agency manager) who
tries one is refused with a 403 and the refusal recorded, and what they posted changes nothing;
someone not signed in is sent to sign in."""

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from core.audit.models import AuditAction
from core.council.models import CouncilGovernance, DataSharingAgreement
from core.directory.models import Agency, Practitioner
from core.governance.models import LegalBasis
from tenants.models import Council
from tests.core.accounts.helpers import audit_events
from tests.core.council.conftest import PDF

pytestmark = pytest.mark.council_side

PAGES = [
    "/administration/setup/",
    "/administration/setup/go-live/",
    "/administration/governance/",
    "/administration/agreements/",
    "/administration/privacy-officers/",
    "/administration/legal-bases/",
    "/administration/profile/",
]


def _posts(council: Council, practitioner: Practitioner, agency: Agency) -> list[tuple[str, dict[str, object]]]:
    with schema_context(council.schema_name):
        basis = LegalBasis.objects.order_by("position").first()
    return [
        ("/administration/setup/go-live/", {}),
        ("/administration/governance/", {"dpia_reference": "DPIA-1", "dpo_name": "Dee", "dpo_email": "dpo@x.example"}),
        ("/administration/profile/", {"name": "Taken Over", "brand_colour": "#000000", "time_zone": "Europe/London"}),
        (f"/administration/privacy-officers/{practitioner.pk}/appoint/", {}),
        (f"/administration/legal-bases/{basis.pk}/retire/", {}),
        ("/administration/legal-bases/reviewed/", {}),
        (
            "/administration/agreements/",
            {
                "parties": [str(agency.pk)],
                "signed_on_day": "1",
                "signed_on_month": "1",
                "signed_on_year": "2026",
                "review_on_day": "1",
                "review_on_month": "1",
                "review_on_year": "2027",
            },
        ),
    ]


@pytest.mark.parametrize("path", PAGES)
def test_a_practitioner_is_refused_every_setup_page_and_the_refusal_is_recorded(
    as_practitioner: Client, council_a: Council, practitioner: Practitioner, path: str
) -> None:
    response = as_practitioner.get(path)
    assert response.status_code == 403
    assert "Set up your council" not in response.content.decode()
    [denied] = audit_events(council_a, action=AuditAction.ACCESS_DENIED, path=path)
    assert denied.actor_id == practitioner.user.pk


def test_a_practitioner_posting_to_every_setup_action_changes_nothing(
    as_practitioner: Client, council_a: Council, practitioner: Practitioner, police: Agency
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    for path, data in _posts(council_a, practitioner, police):
        if path.endswith("/agreements/"):
            data = data | {"document": SimpleUploadedFile("agreement.pdf", PDF, content_type="application/pdf")}
        response = as_practitioner.post(path, data)
        assert response.status_code == 403, path
    council_a.refresh_from_db()
    assert council_a.name == "Alpha District Council"
    assert council_a.status == "live"
    with schema_context(council_a.schema_name):
        assert not CouncilGovernance.objects.exists()
        assert not DataSharingAgreement.objects.exists()
        assert not Practitioner.objects.filter(is_privacy_officer=True).exists()
        assert LegalBasis.objects.filter(is_accepted=False).count() == 0
    assert (
        audit_events(
            council_a,
            action__in=[
                AuditAction.COUNCIL_GOVERNANCE_CHANGED,
                AuditAction.COUNCIL_PROFILE_CHANGED,
                AuditAction.PRIVACY_OFFICER_APPOINTED,
                AuditAction.LEGAL_BASIS_CHANGED,
                AuditAction.LEGAL_BASES_REVIEWED,
                AuditAction.AGREEMENT_RECORDED,
                AuditAction.COUNCIL_STATUS_CHANGED,
            ],
        )
        == []
    )


def test_an_agency_manager_is_refused_too(client_a: Client, council_a: Council, police: Agency) -> None:
    from tests.conftest import sign_in
    from tests.core.council.conftest import person

    manager = person(council_a, police, "mark@police.example", is_agency_manager=True)
    sign_in(client_a, manager.user, council_a)
    assert client_a.get("/administration/setup/").status_code == 403
    assert client_a.post("/administration/profile/", {"name": "X"}).status_code == 403


@pytest.mark.parametrize("path", PAGES)
def test_someone_not_signed_in_is_sent_to_sign_in(client_a: Client, path: str) -> None:
    response = client_a.get(path)
    assert response.status_code == 302
    assert response.url.startswith("/sign-in/")


def test_the_council_administration_index_links_to_the_checklist(as_admin: Client) -> None:
    page = as_admin.get("/administration/").content.decode()
    assert 'href="/administration/setup/"' in page
