"""Going live: refused (with what is missing, nothing changed) until every gating item holds; then the
council is live and the move is in both trails. While configuring, the site is closed to everyone but
its administrators — tried here from the side of a practitioner who wants in."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent
from core.audit.origin import NO_ORIGIN
from core.council.services.agreements import agreement_record
from core.council.services.governance import GovernanceDetails, council_governance_update
from core.council.services.legal_bases import legal_bases_review
from core.council.services.privacy_officers import privacy_officer_set
from core.directory.models import Agency, Practitioner
from core.directory.services.invitations import invitation_create
from core.governance.selectors import retention_current, rules_current
from core.governance.services.rulebook import rulebook_revise
from tenants.models import Council, CouncilStatus
from tests.conftest import host_of, sign_in
from tests.core.accounts.helpers import audit_events
from tests.core.council.conftest import PDF, text
from tests.factories import ClientFactory, InvolvementFactory

pytestmark = pytest.mark.council_side

SETTING_UP = "Alpha District Council is setting up Patchwork; you can use it once it goes live."


def _document() -> ContentFile:
    return ContentFile(PDF, name="agreement.pdf")


def everything_done(council: Council, admin: Practitioner, officer: Practitioner, agencies: list[Agency]) -> None:
    with schema_context(council.schema_name):
        council_governance_update(
            actor=admin,
            details=GovernanceDetails(dpia_reference="DPIA-7", dpo_name="Dana Price", dpo_email="dpo@alpha.example"),
            origin=NO_ORIGIN,
        )
        agreement_record(
            actor=admin,
            party_ids=[agency.pk for agency in agencies],
            signed_on=datetime.date(2026, 1, 5),
            review_on=datetime.date(2027, 1, 5),
            document=_document(),
            origin=NO_ORIGIN,
        )
        privacy_officer_set(actor=admin, practitioner=officer, appointed=True, origin=NO_ORIGIN)
        legal_bases_review(actor=admin, origin=NO_ORIGIN)
        rulebook_revise(  # the retention schedule reviewed: the jurisdiction's defaults kept
            actor=admin,
            rules=rules_current().with_changes(retention=retention_current()),
            reason="Retention schedule reviewed with the records manager",
            origin=NO_ORIGIN,
        )


def status_moves(council: Council | None) -> list[AuditEvent]:
    return audit_events(council, action=AuditAction.COUNCIL_STATUS_CHANGED)


def test_going_live_is_refused_with_what_is_missing_and_nothing_changes(
    as_admin: Client, configuring: Council, home_agency: Agency
) -> None:
    public_before = len(status_moves(None))
    page = text(as_admin.get("/administration/setup/go-live/"))
    assert "There is still something to do" in page
    response = as_admin.post("/administration/setup/go-live/")
    page = text(response)
    assert response.status_code == 400
    assert "Alpha District Council cannot go live yet" in page
    for missing in (
        "Record the data-sharing agreement",
        "Give the DPIA reference",
        "Give the Data Protection Officer&#x27;s contact",
        "Appoint a privacy officer",
        "Approve at least 2 agencies",
        "Review the legal bases",
        "Review the retention schedule",
    ):
        assert missing in page
    assert "Check the council&#x27;s profile" not in page  # optional: never in the way
    configuring.refresh_from_db()
    assert configuring.status == CouncilStatus.CONFIGURING
    assert configuring.activated_at is None
    assert status_moves(configuring) == []
    assert len(status_moves(None)) == public_before


def test_one_missing_item_is_enough_to_refuse(
    as_admin: Client,
    configuring: Council,
    admin: Practitioner,
    practitioner: Practitioner,
    home_agency: Agency,
    police: Agency,
) -> None:
    everything_done(configuring, admin, practitioner, [home_agency, police])
    with schema_context(configuring.schema_name):
        Practitioner.objects.filter(pk=practitioner.pk).update(is_privacy_officer=False)
    page = text(as_admin.post("/administration/setup/go-live/"))
    assert "Appoint a privacy officer" in page
    assert "Record the data-sharing agreement" not in page
    configuring.refresh_from_db()
    assert configuring.status == CouncilStatus.CONFIGURING


def test_with_everything_done_the_council_goes_live_and_both_trails_say_so(
    as_admin: Client,
    configuring: Council,
    admin: Practitioner,
    practitioner: Practitioner,
    home_agency: Agency,
    police: Agency,
) -> None:
    everything_done(configuring, admin, practitioner, [home_agency, police])
    page = text(as_admin.get("/administration/setup/"))
    assert page.count("Completed") == 7
    assert 'href="/administration/setup/go-live/" role="button"' in page

    response = as_admin.post("/administration/setup/go-live/")
    assert response.status_code == 302
    configuring.refresh_from_db()
    assert configuring.status == CouncilStatus.LIVE
    assert configuring.activated_at is not None
    [own] = status_moves(configuring)
    assert own.actor_id == admin.user.pk
    assert own.changes == {"status": {"old": "configuring", "new": "live"}}
    platform = [event for event in status_moves(None) if event.object_id == configuring.slug]
    assert platform[-1].changes == {"status": {"old": "configuring", "new": "live"}}
    assert platform[-1].actor_id is None  # not a platform user: the council's own trail names the administrator

    assert as_admin.get("/").status_code == 200  # home is the dashboard again
    again = as_admin.post("/administration/setup/go-live/")
    assert again.status_code == 302
    assert len(status_moves(configuring)) == 1


# --- The gate, from the side of a practitioner who wants in ---------------------------------------------


@pytest.fixture
def a_client_in_their_team(configuring: Council, practitioner: Practitioner) -> object:
    with schema_context(configuring.schema_name):
        client = ClientFactory(first_name="Zebedee", surname="Quillfeather")
        InvolvementFactory(client=client, practitioner=practitioner)
    return client


def test_a_practitioner_of_a_configuring_council_reaches_nothing(
    as_practitioner: Client, configuring: Council, a_client_in_their_team: object
) -> None:
    client_id = a_client_in_their_team.pk  # type: ignore[attr-defined]
    before = {action: len(audit_events(configuring, action=action)) for action in ("client_search", "client_viewed")}
    pages = [
        ("get", "/", {}),
        ("get", "/clients/search/", {}),
        (
            "post",
            "/clients/search/",
            {
                "surname": "Quillfeather",
                "date_of_birth_day": "14",
                "date_of_birth_month": "3",
                "date_of_birth_year": "2015",
            },
        ),
        ("get", f"/clients/{client_id}/", {}),
        ("get", "/directory/", {}),
        ("get", "/administration/setup/", {}),
    ]
    for method, path, data in pages:
        response = getattr(as_practitioner, method)(path, data)
        assert response.status_code == 503, path
        page = text(response)
        assert SETTING_UP in page
        assert "Quillfeather" not in page
        assert "Find a client" not in page  # no navigation
        assert 'action="/sign-out/"' in page  # they can still sign out

    for path in ("/api/v1/me/", f"/api/v1/clients/{client_id}/team/", f"/api/v1/clients/{client_id}/fhir/care-team/"):
        response = as_practitioner.get(path)
        assert response.status_code == 503, path
        assert response.json() == {"detail": SETTING_UP}
    search = as_practitioner.post(
        "/api/v1/clients/search/", {"surname": "Quillfeather"}, content_type="application/json"
    )
    assert search.status_code == 503
    assert "Quillfeather" not in search.content.decode()

    after = {action: len(audit_events(configuring, action=action)) for action in ("client_search", "client_viewed")}
    assert after == before  # nothing was searched or read

    assert as_practitioner.post("/account/keep-alive/").status_code == 204  # "stay signed in" reads nothing
    assert as_practitioner.post("/sign-out/").status_code == 302
    assert as_practitioner.get("/sign-in/").status_code == 200


def test_signing_in_and_accepting_an_invitation_stay_open_while_configuring(
    client_a: Client, configuring: Council, admin: Practitioner, police: Agency
) -> None:
    with schema_context(configuring.schema_name):
        issued = invitation_create(
            inviter=admin, email="newcomer@police.example", agency=police, role="practitioner", origin=NO_ORIGIN
        )
    assert client_a.get("/sign-in/").status_code == 200
    page = client_a.get(f"/invitations/{issued.token}/")
    assert page.status_code == 200
    assert "setting up Patchwork" not in text(page)
    assert client_a.get("/clients/search/").status_code == 302  # not signed in: to sign in, as ever


def test_an_administrator_uses_everything_while_configuring(as_admin: Client, configuring: Council) -> None:
    assert as_admin.get("/clients/search/").status_code == 200
    assert as_admin.get("/api/v1/me/").status_code == 200
    assert as_admin.get("/directory/").status_code == 200


def test_the_gate_opens_when_the_council_goes_live(
    client_a: Client,
    configuring: Council,
    admin: Practitioner,
    practitioner: Practitioner,
    home_agency: Agency,
    police: Agency,
) -> None:
    sign_in(client_a, practitioner.user, configuring)
    assert client_a.get("/clients/search/").status_code == 503
    everything_done(configuring, admin, practitioner, [home_agency, police])
    as_admin = Client(HTTP_HOST=host_of(configuring))
    sign_in(as_admin, admin.user, configuring)
    as_admin.post("/administration/setup/go-live/")
    assert client_a.get("/clients/search/").status_code == 200
