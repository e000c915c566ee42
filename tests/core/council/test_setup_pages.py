"""The administrator's side of each set-up page: good input is saved and audited (old → new); bad
input gets a clear error, keeps what was typed, and changes nothing."""

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from core.audit.models import AuditAction
from core.council.models import CouncilGovernance
from core.directory.models import Agency, Practitioner
from core.governance.models import LegalBasis
from tenants.models import Council
from tests.core.accounts.helpers import audit_events, reload
from tests.core.council.conftest import person, text
from tests.factories import ClientFactory

pytestmark = pytest.mark.council_side


def governance_of(council: Council) -> CouncilGovernance | None:
    with schema_context(council.schema_name):
        return CouncilGovernance.objects.filter(id=1).first()


# --- The checklist -----------------------------------------------------------------------------------------


def test_the_checklist_lists_every_item_not_yet_started_with_a_link(as_admin: Client, configuring: Council) -> None:
    page = text(as_admin.get("/administration/setup/"))
    assert '<ul class="govuk-task-list">' in page
    for link in (
        "/administration/agreements/",
        "/administration/governance/",
        "/administration/privacy-officers/",
        "/administration/agencies/",
        "/administration/legal-bases/",
        "/administration/rules/retention/",
        "/administration/profile/",
    ):
        assert f'href="{link}"' in page
    assert page.count("Not yet started") == 8
    assert "Check the council&#x27;s profile (optional)" in page
    assert 'disabled aria-disabled="true" class="govuk-button"' in page  # Go live is not offered yet


def test_a_configuring_councils_administrator_lands_on_the_checklist(as_admin: Client, configuring: Council) -> None:
    response = as_admin.get("/")
    assert response.status_code == 302
    assert response.url == "/administration/setup/"


def test_a_live_councils_administrator_keeps_their_home_page(as_admin: Client) -> None:
    assert as_admin.get("/").status_code == 200


# --- DPIA and DPO ------------------------------------------------------------------------------------------


def test_the_dpia_and_dpo_are_saved_and_audited(as_admin: Client, council_a: Council, admin: Practitioner) -> None:
    response = as_admin.post(
        "/administration/governance/",
        {
            "dpia_reference": " DPIA-2026-07 ",
            "dpo_name": "Dana Price",
            "dpo_email": "DPO@Alpha.example",
            "dpo_phone": "01632 960 001",
        },
    )
    assert response.status_code == 302
    governance = governance_of(council_a)
    assert governance.dpia_reference == "DPIA-2026-07"
    assert governance.dpo_email == "dpo@alpha.example"
    assert governance.dpo_phone == "+441632960001"
    [event] = audit_events(council_a, action=AuditAction.COUNCIL_GOVERNANCE_CHANGED)
    assert event.actor_id == admin.user.pk
    assert event.changes["dpia_reference"] == {"old": "", "new": "DPIA-2026-07"}
    page = text(as_admin.get("/administration/setup/"))
    assert page.count("Completed") == 2  # the DPIA and the DPO


def test_a_missing_dpia_and_a_bad_dpo_email_are_errors_and_nothing_is_saved(
    as_admin: Client, council_a: Council
) -> None:
    response = as_admin.post(
        "/administration/governance/", {"dpia_reference": "", "dpo_name": "Dana Price", "dpo_email": "not-an-email"}
    )
    page = text(response)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Enter the reference of the council&#x27;s data protection impact assessment" in page
    assert "Enter an email address in the correct format" in page
    assert 'value="Dana Price"' in page  # what was typed is kept
    assert governance_of(council_a) is None
    assert audit_events(council_a, action=AuditAction.COUNCIL_GOVERNANCE_CHANGED) == []


# --- Council profile ---------------------------------------------------------------------------------------


def test_the_profile_changes_the_councils_row_and_the_audit_says_old_and_new(
    as_admin: Client, council_a: Council
) -> None:
    response = as_admin.post(
        "/administration/profile/",
        {
            "name": "Alpha  District Council of the Vale",
            "brand_colour": "#0B0C0C",
            "time_zone": "Europe/London",
            "support_contact": "Early Help team, 01632 960 000",
        },
    )
    assert response.status_code == 302
    council_a.refresh_from_db()
    assert council_a.name == "Alpha District Council of the Vale"
    assert council_a.brand_colour == "#0b0c0c"
    [event] = audit_events(council_a, action=AuditAction.COUNCIL_PROFILE_CHANGED)
    assert event.changes["name"] == {"old": "Alpha District Council", "new": "Alpha District Council of the Vale"}
    assert event.changes["brand_colour"]["new"] == "#0b0c0c"
    assert "time_zone" not in event.changes
    assert "Alpha District Council of the Vale" in text(as_admin.get("/directory/"))  # the header, at once
    assert "Help with Patchwork: Early Help team, 01632 960 000" in text(as_admin.get("/"))  # the home page


def test_a_colour_the_header_text_cannot_be_read_on_is_refused_and_nothing_changes(
    as_admin: Client, council_a: Council
) -> None:
    before = (council_a.name, council_a.brand_colour)
    response = as_admin.post(
        "/administration/profile/", {"name": "Renamed", "brand_colour": "#ffdd00", "time_zone": "Europe/London"}
    )
    page = text(response)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "White text on #ffdd00 has a contrast of" in page
    assert "would not be readable" in page
    assert 'value="#ffdd00"' in page
    council_a.refresh_from_db()
    assert (council_a.name, council_a.brand_colour) == before
    assert audit_events(council_a, action=AuditAction.COUNCIL_PROFILE_CHANGED) == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_zone", "Australia/Melbourne", "Select the council&#x27;s time zone from the list"),  # not England's
        ("brand_colour", "blue", "Enter a colour as # followed by six hexadecimal digits"),
        ("name", "   ", "Enter the council&#x27;s name"),
    ],
)
def test_other_bad_profile_input_is_refused(
    as_admin: Client, council_a: Council, field: str, value: str, message: str
) -> None:
    data = {"name": "Alpha District Council", "brand_colour": "#1d70b8", "time_zone": "Europe/London"} | {field: value}
    page = text(as_admin.post("/administration/profile/", data))
    assert message in page
    council_a.refresh_from_db()
    assert council_a.time_zone == "Europe/London"
    assert audit_events(council_a, action=AuditAction.COUNCIL_PROFILE_CHANGED) == []


def test_a_victorian_council_chooses_melbourne_time(client_b: Client, council_b: Council) -> None:
    from tests.conftest import sign_in
    from tests.factories import AgencyFactory

    with schema_context(council_b.schema_name):
        agency = AgencyFactory(name="Beta Family Services", email_domains=["beta-family.example"])
    admin = person(council_b, agency, "ava@beta-family.example", is_council_admin=True)
    sign_in(client_b, admin.user, council_b)
    page = text(client_b.get("/administration/profile/"))
    assert '<option value="Australia/Melbourne" selected>Australia/Melbourne</option>' in page
    assert "Europe/London" not in page


# --- Privacy officers --------------------------------------------------------------------------------------


def test_an_administrator_finds_a_practitioner_appoints_them_and_removes_them(
    as_admin: Client, council_a: Council, practitioner: Practitioner
) -> None:
    page = text(as_admin.get("/administration/privacy-officers/", {"q": "holl"}))
    assert "Gareth Hollis" in page
    assert f"/administration/privacy-officers/{practitioner.pk}/appoint/" in page

    response = as_admin.post(f"/administration/privacy-officers/{practitioner.pk}/appoint/")
    assert response.status_code == 302
    assert reload(practitioner, council_a).is_privacy_officer
    [appointed] = audit_events(council_a, action=AuditAction.PRIVACY_OFFICER_APPOINTED)
    assert appointed.object_id == str(practitioner.pk)
    assert "Gareth Hollis" in text(as_admin.get("/administration/privacy-officers/"))

    as_admin.post(f"/administration/privacy-officers/{practitioner.pk}/remove/")
    assert not reload(practitioner, council_a).is_privacy_officer
    assert len(audit_events(council_a, action=AuditAction.PRIVACY_OFFICER_REMOVED)) == 1


def test_the_search_needs_two_letters_and_shows_at_most_twenty(
    as_admin: Client, council_a: Council, police: Agency
) -> None:
    for number in range(25):
        person(council_a, police, f"officer{number}@police.example", user__last_name=f"Constable{number}")
    assert "Constable" not in text(as_admin.get("/administration/privacy-officers/", {"q": "c"}))
    page = text(as_admin.get("/administration/privacy-officers/", {"q": "constable"}))
    assert "20 practitioners found" in page


def test_a_deactivated_practitioner_cannot_be_appointed_and_an_unknown_id_is_not_found(
    as_admin: Client, council_a: Council, police: Agency
) -> None:
    gone = person(council_a, police, "gone@police.example", user__is_active=False)
    as_admin.post(f"/administration/privacy-officers/{gone.pk}/appoint/")
    assert not reload(gone, council_a).is_privacy_officer
    response = as_admin.post("/administration/privacy-officers/00000000-0000-4000-8000-000000000000/appoint/")
    assert response.status_code == 404
    assert audit_events(council_a, action=AuditAction.PRIVACY_OFFICER_APPOINTED) == []


# --- Legal bases -------------------------------------------------------------------------------------------


def test_retiring_a_basis_in_use_keeps_it_on_its_records_and_accepting_it_again_works(
    as_admin: Client, council_a: Council
) -> None:
    with schema_context(council_a.schema_name):
        basis = LegalBasis.objects.get(code="consent")
        held = ClientFactory(legal_basis=basis)
    page = text(as_admin.get("/administration/legal-bases/"))
    assert "If retired, its 1 record keeps it." in page

    response = as_admin.post(f"/administration/legal-bases/{basis.pk}/retire/", follow=True)
    assert "The 1 client record already held on it keeps it." in text(response)
    with schema_context(council_a.schema_name):
        assert LegalBasis.objects.get(pk=basis.pk).is_accepted is False
        held.refresh_from_db()
        assert held.legal_basis_id == basis.pk
    [event] = audit_events(council_a, action=AuditAction.LEGAL_BASIS_CHANGED)
    assert event.changes == {"is_accepted": {"old": True, "new": False}}

    as_admin.post(f"/administration/legal-bases/{basis.pk}/accept/")
    with schema_context(council_a.schema_name):
        assert LegalBasis.objects.get(pk=basis.pk).is_accepted is True


def test_reviewing_the_legal_bases_records_who_and_when(
    as_admin: Client, council_a: Council, admin: Practitioner
) -> None:
    response = as_admin.post("/administration/legal-bases/reviewed/")
    assert response.status_code == 302
    governance = governance_of(council_a)
    assert governance.legal_bases_reviewed_by_id == admin.pk
    assert governance.legal_bases_reviewed_at is not None
    [event] = audit_events(council_a, action=AuditAction.LEGAL_BASES_REVIEWED)
    assert event.actor_id == admin.user.pk
    assert "consent" in event.reason


def test_a_review_with_no_basis_accepted_is_refused(as_admin: Client, council_a: Council) -> None:
    with schema_context(council_a.schema_name):
        LegalBasis.objects.update(is_accepted=False)
    response = as_admin.post("/administration/legal-bases/reviewed/", follow=True)
    assert "Accept at least one legal basis" in text(response)
    assert governance_of(council_a) is None
    assert audit_events(council_a, action=AuditAction.LEGAL_BASES_REVIEWED) == []


def test_an_unknown_basis_or_action_is_not_found(as_admin: Client, council_a: Council) -> None:
    with schema_context(council_a.schema_name):
        basis = LegalBasis.objects.first()
    assert as_admin.post("/administration/legal-bases/999999/retire/").status_code == 404
    assert as_admin.post(f"/administration/legal-bases/{basis.pk}/delete/").status_code == 404
    with schema_context(council_a.schema_name):
        assert LegalBasis.objects.filter(pk=basis.pk, is_accepted=True).exists()
