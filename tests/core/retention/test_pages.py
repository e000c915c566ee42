"""The privacy officer's pages, from the user's side: restricting a record hides it from search (web and API) for
everyone outside the team; approving a list erases the clients from search, the team page and the FHIR view;
erasure requests are decided; the administrator reviews the retention schedule. Attackers are refused and
nothing changes."""

import datetime

import pytest
from django.test import Client as Browser
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent
from core.audit.origin import NO_ORIGIN
from core.clients.models import Client
from core.council.selectors import council_setup_checklist
from core.governance.selectors import retention_current, rules_current
from core.retention.models import ErasureRequest, RetentionRun
from core.retention.services.holds import legal_hold_place
from core.retention.services.runs import retention_run_execute, retention_run_prepare
from tenants.models import Council
from tests.conftest import host_of, sign_in
from tests.core.clients_api.conftest import Team, care_team_url, team_url
from tests.core.clients_api.conftest import search as api_search
from tests.factories import AgencyFactory, PractitionerFactory, verified_practitioner

pytestmark = pytest.mark.council_side


def browser(council: Council, who: object) -> Browser:
    signed_in = Browser(HTTP_HOST=host_of(council))
    sign_in(signed_in, who.user, council)  # type: ignore[attr-defined]
    return signed_in


def web_finds_jade(signed_in: Browser) -> bool:
    data = {"surname": "Hughes", "first_name": "", "postcode": "", "identifier": ""}
    data |= {"date_of_birth_day": "2", "date_of_birth_month": "6", "date_of_birth_year": "2014"}
    response = signed_in.post("/clients/search/", data)
    assert response.status_code == 200
    return "Jade" in response.content.decode()


def api_finds_jade(signed_in: Browser) -> bool:
    response = api_search(signed_in, surname="Hughes", date_of_birth="2014-06-02")
    assert response.status_code == 200
    return any(hit["first_name"] == "Jade" for hit in response.json()["results"])


@pytest.fixture
def officer(council_a: Council) -> object:
    with schema_context(council_a.schema_name):
        governance = AgencyFactory(name="Alpha Information Governance", email_domains=["ig.alpha.example"])
        return verified_practitioner(governance, "Olga", "Officer", is_privacy_officer=True)


def test_a_restricted_record_is_found_only_by_its_team_until_lifted(
    council_a: Council, team: Team, officer: object
) -> None:
    outsider, member, as_officer = browser(council_a, team.outsider), browser(council_a, team.member), None
    assert web_finds_jade(outsider)
    as_officer = browser(council_a, officer)
    restricted = as_officer.post(
        f"/privacy-officer/clients/{team.client.pk}/restrict/", {"reason": "Accuracy contested by the client"}
    )
    assert restricted.status_code == 302
    assert not web_finds_jade(outsider)
    assert not api_finds_jade(outsider)
    assert web_finds_jade(member)
    assert api_finds_jade(member)
    page = as_officer.get(f"/privacy-officer/clients/{team.client.pk}/").content.decode()
    assert "Accuracy contested by the client" in page
    assert "Lift the restriction" in page
    lifted = as_officer.post(
        f"/privacy-officer/clients/{team.client.pk}/restriction/lift/", {"reason": "Details confirmed"}
    )
    assert lifted.status_code == 302
    assert web_finds_jade(outsider)
    assert api_finds_jade(outsider)
    with schema_context(council_a.schema_name):
        actions = list(
            AuditEvent.objects.filter(object_id=str(team.client.pk), actor_id=officer.user_id)  # type: ignore[attr-defined]
            .filter(action__in=[AuditAction.CLIENT_RESTRICTED, AuditAction.CLIENT_RESTRICTION_LIFTED])
            .order_by("occurred_at", "id")
            .values_list("action", "reason")
        )
    assert actions == [
        (AuditAction.CLIENT_RESTRICTED, "Accuracy contested by the client"),
        (AuditAction.CLIENT_RESTRICTION_LIFTED, "Details confirmed"),
    ]


def test_a_restriction_without_a_reason_is_refused_and_changes_nothing(
    council_a: Council, team: Team, officer: object
) -> None:
    response = browser(council_a, officer).post(f"/privacy-officer/clients/{team.client.pk}/restrict/", {"reason": ""})
    assert response.status_code == 400
    assert "Say why" in response.content.decode()
    with schema_context(council_a.schema_name):
        assert Client.objects.get(pk=team.client.pk).restricted_since is None


def test_a_practitioner_cannot_restrict_a_record(council_a: Council, team: Team) -> None:
    response = browser(council_a, team.member).post(
        f"/privacy-officer/clients/{team.client.pk}/restrict/", {"reason": "Hide it"}
    )
    assert response.status_code == 403
    with schema_context(council_a.schema_name):
        assert Client.objects.get(pk=team.client.pk).restricted_since is None


def test_another_council_s_client_cannot_be_restricted_or_held(
    council_a: Council, council_b: Council, officer: object
) -> None:
    from tests.factories import ClientFactory

    with schema_context(council_b.schema_name):
        theirs = ClientFactory(first_name="Bea", surname="Beta", postcode="3000")
    as_officer = browser(council_a, officer)
    for path in (
        f"/privacy-officer/clients/{theirs.pk}/restrict/",
        f"/privacy-officer/clients/{theirs.pk}/legal-hold/",
        f"/privacy-officer/clients/{theirs.pk}/erasure-requests/",
    ):
        assert as_officer.post(path, {"reason": "x", "grounds": "objection"}).status_code == 404
    with schema_context(council_b.schema_name):
        assert Client.objects.get(pk=theirs.pk).restricted_since is None
        assert not theirs.legal_holds.exists()


def _make_jade_old(council: Council, team: Team) -> None:
    """Jade's team all left on 1 March 2019, and she was added before: England lists her from 1 March 2025."""
    with schema_context(council.schema_name):
        team.client.involvements.update(ended_on=datetime.date(2019, 3, 1), started_on=datetime.date(2019, 1, 1))
        Client.objects.filter(pk=team.client.pk).update(created_at=datetime.datetime(2019, 1, 1, tzinfo=datetime.UTC))


def test_an_approved_list_erases_the_client_from_search_team_and_fhir(
    council_a: Council, team: Team, officer: object
) -> None:
    _make_jade_old(council_a, team)
    with schema_context(council_a.schema_name):
        run = retention_run_prepare()
    as_officer = browser(council_a, officer)
    page = as_officer.get(f"/privacy-officer/retention/{run.pk}/").content.decode()
    assert "Jade Hughes" in page  # listed by name for the officer to check
    assert "Team ended" in page
    assert "1 March 2019" in page  # when her team ended: why she is listed
    assert "Approve and erase these records" in page
    assert as_officer.post(f"/privacy-officer/retention/{run.pk}/approve/").status_code == 302
    with schema_context(council_a.schema_name):
        assert RetentionRun.objects.get(pk=run.pk).state == RetentionRun.State.APPROVED
        retention_run_execute(run_id=run.pk)  # what the worker does (tests/core/retention/test_worker.py)
    report = as_officer.get(f"/privacy-officer/retention/{run.pk}/").content.decode()
    assert "Jade" not in report
    member = browser(council_a, team.member)
    assert not web_finds_jade(member)
    assert not api_finds_jade(member)
    assert member.get(f"/clients/{team.client.pk}/").status_code == 404
    assert member.get(team_url(team.client.pk)).status_code == 404
    assert member.get(care_team_url(team.client.pk)).status_code == 404


def test_a_practitioner_cannot_see_or_approve_a_list(council_a: Council, team: Team) -> None:
    _make_jade_old(council_a, team)
    with schema_context(council_a.schema_name):
        run = retention_run_prepare()
    member = browser(council_a, team.member)
    assert member.get(f"/privacy-officer/retention/{run.pk}/").status_code == 403
    assert member.post(f"/privacy-officer/retention/{run.pk}/approve/").status_code == 403
    with schema_context(council_a.schema_name):
        assert RetentionRun.objects.get(pk=run.pk).state == RetentionRun.State.PENDING


def test_an_accepted_erasure_request_erases_the_record(council_a: Council, team: Team, officer: object) -> None:
    as_officer = browser(council_a, officer)
    recorded = as_officer.post(
        f"/privacy-officer/clients/{team.client.pk}/erasure-requests/",
        {"received_on_day": "1", "received_on_month": "11", "received_on_year": "2026", "grounds": "no_longer_needed"},
    )
    assert recorded.status_code == 302, recorded.content.decode()[:2000]
    with schema_context(council_a.schema_name):
        request = ErasureRequest.objects.get(client_reference=team.client.pk)
    refused = as_officer.post(f"/privacy-officer/erasure-requests/{request.pk}/decide/", {"decision": "refuse"})
    assert refused.status_code == 400  # a refusal needs its reason
    erased = as_officer.post(f"/privacy-officer/erasure-requests/{request.pk}/decide/", {"decision": "erase"})
    assert erased.status_code == 302
    with schema_context(council_a.schema_name):
        assert not Client.objects.filter(pk=team.client.pk).exists()
        request.refresh_from_db()
        assert request.decision == ErasureRequest.Decision.ERASED
        assert request.client_id is None
        assert request.client_reference == team.client.pk
    listing = as_officer.get("/privacy-officer/erasure-requests/").content.decode()
    assert "Jade" not in listing
    assert f"Erased ({team.client.pk})" in listing


def test_an_erasure_request_for_a_held_record_is_refused_and_nothing_changes(
    council_a: Council, team: Team, officer: object
) -> None:
    with schema_context(council_a.schema_name):
        legal_hold_place(actor=officer, client_id=team.client.pk, reason="Care proceedings", origin=NO_ORIGIN)  # type: ignore[arg-type]
        request = ErasureRequest.objects.create(
            client=team.client,
            client_reference=team.client.pk,
            received_on=datetime.date(2026, 11, 1),
            grounds=ErasureRequest.Grounds.OBJECTION,
            recorded_by=officer,
        )
    response = browser(council_a, officer).post(
        f"/privacy-officer/erasure-requests/{request.pk}/decide/", {"decision": "erase"}
    )
    assert response.status_code == 400
    assert "on legal hold" in response.content.decode()
    with schema_context(council_a.schema_name):
        assert Client.objects.filter(pk=team.client.pk).exists()
        request.refresh_from_db()
        assert request.decision == ErasureRequest.Decision.PENDING


def test_the_administrator_reviews_the_retention_schedule_for_go_live(council_a: Council) -> None:
    with schema_context(council_a.schema_name):
        admin = PractitionerFactory(is_council_admin=True, user__email="admin@agency.example")
        assert retention_current().audit == 7  # England's defaults, not yet reviewed
        assert "Review the retention schedule" in council_setup_checklist().missing
    as_admin = browser(council_a, admin)
    page = as_admin.get("/administration/rules/retention/").content.decode()
    assert 'value="6"' in page
    fields = {"clients": "6", "involvements": "6", "team_activity": "3", "audit": "7", "sign_in": "2"}
    too_short = as_admin.post("/administration/rules/retention/", fields | {"audit": "0", "reason": "Review"})
    assert too_short.status_code == 400
    assert "between 1 and 50" in too_short.content.decode()
    saved = as_admin.post("/administration/rules/retention/", fields | {"reason": "Reviewed with records manager"})
    assert saved.status_code == 302
    with schema_context(council_a.schema_name):
        assert rules_current().retention.team_activity == 3  # type: ignore[union-attr]
        assert "Review the retention schedule" not in council_setup_checklist().missing
        assert AuditEvent.objects.filter(action=AuditAction.RULEBOOK_CHANGED, actor_id=admin.user_id).exists()


def test_a_victorian_council_starts_from_victoria_s_schedule(council_b: Council) -> None:
    with schema_context(council_b.schema_name):
        assert retention_current().clients == 7
