"""Council administration of agencies: only administrators, every change audited, rules checked.

Written from both sides: the administrator who adds, changes, approves and suspends agencies and
appoints their managers; and the agency manager or practitioner who tries the same pages and posts,
and the suspended agency's practitioner who tries to sign in or keep using a session.
"""

import re
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context

from core.accounts.models import UserSession
from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.audit.origin import NO_ORIGIN
from core.directory.models import Agency, ApprovalState, Practitioner
from core.directory.services.agencies import AgencyDetails, agency_transition
from tenants.models import Council
from tests.conftest import sign_in
from tests.core.accounts.helpers import GENERIC_SIGN_IN_ERROR, audit_events, password_step, reload
from tests.core.administration import person
from tests.factories import AgencyFactory, ClientFactory, InvolvementFactory, PractitionerFactory

pytestmark = pytest.mark.council_side


def agency_form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Alpha Youth Service",
        "agency_type": "statutory",
        "services": "Youth work",
        "contact_email": "Youth@Youth.example",
        "contact_phone": "01632 960 100",
        "email_domains": "Youth.example\nyouth-service.example",
        "gateway_contact": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def agency_named(council: Council, name: str) -> Agency:
    with schema_context(council.schema_name):
        return Agency.objects.get(name=name)


def text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


# --- The administrator's side ------------------------------------------------------------------------------


def test_the_navigation_offers_council_administration_to_administrators_only(
    client_a: Client, council_a: Council, admin: Practitioner, home_agency: Agency
) -> None:
    manager = person(council_a, home_agency, "mark@earlyhelp.example", is_agency_manager=True)
    sign_in(client_a, manager.user, council_a)
    assert "Council administration" not in text(client_a.get("/"))
    client_a.post("/sign-out/")

    other = Client(HTTP_HOST=client_a.defaults["HTTP_HOST"])
    sign_in(other, admin.user, council_a)
    page = text(other.get("/administration/"))
    assert 'href="/administration/" aria-current="page"' in page
    assert 'href="/administration/agencies/"' in page


def test_an_administrator_adds_an_agency_that_awaits_approval_and_the_audit_says_who_and_what(
    as_admin: Client, council_a: Council, admin: Practitioner
) -> None:
    response = as_admin.post("/administration/agencies/add/", agency_form())
    agency = agency_named(council_a, "Alpha Youth Service")
    assert response.status_code == 302
    assert response.url == f"/administration/agencies/{agency.pk}/"
    assert agency.approval_state == ApprovalState.PENDING
    assert agency.email_domains == ["youth.example", "youth-service.example"]  # lower-cased
    assert agency.contact_email == "youth@youth.example"
    [created] = audit_events(council_a, action=AuditAction.AGENCY_CREATED)
    assert created.actor_id == admin.user.pk
    assert created.object_id == str(agency.pk)
    assert created.changes["email_domains"]["new"] == ["youth.example", "youth-service.example"]
    assert created.path == "/administration/agencies/add/"


def test_the_agency_list_shows_type_state_sensitivity_and_practitioners_in_a_constant_number_of_queries(
    as_admin: Client, council_a: Council, home_agency: Agency
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert as_admin.get("/administration/agencies/").status_code == 200
        return len(captured)

    with schema_context(council_a.schema_name):
        AgencyFactory(name="Alpha Recovery", is_sensitive=True, gateway_contact="Duty line", email_domains=[])
    before = queries()
    with schema_context(council_a.schema_name):
        for number in range(6):
            agency = AgencyFactory(
                name=f"Alpha Agency {number}", approval_state=ApprovalState.SUSPENDED, email_domains=[]
            )
            PractitionerFactory(agency=agency, user__email=f"p{number}@agency{number}.example")
    assert queries() == before

    page = text(as_admin.get("/administration/agencies/"))
    row = re.search(r"Alpha Agency 3</a>.*?</tr>", page, re.S).group(0)
    assert "Statutory (council services)" in row
    assert "Suspended" in row
    assert ">1</td>" in row
    recovery = re.search(r"Alpha Recovery</a>.*?</tr>", page, re.S).group(0)
    assert "Sensitive" in recovery
    assert "Approved" in recovery
    assert ">0</td>" in recovery
    early_help = re.search(r"Alpha Early Help</a>.*?</tr>", page, re.S).group(0)
    assert ">1</td>" in early_help  # the administrator herself


def test_an_email_domain_used_by_another_agency_is_refused_with_that_agency_named(
    as_admin: Client, council_a: Council, police: Agency
) -> None:
    response = as_admin.post(
        "/administration/agencies/add/", agency_form(email_domains="youth.example\nPolice.example")
    )
    assert response.status_code == 200
    page = text(response)
    assert "Error: Add an agency" in page
    assert "There is a problem" in page
    assert "police.example is already an email domain of Alpha Police" in page
    assert 'href="#id_email_domains"' in page
    assert "Alpha Youth Service" in page  # what was typed is kept
    with schema_context(council_a.schema_name):
        assert not Agency.objects.filter(name="Alpha Youth Service").exists()
    assert audit_events(council_a, action=AuditAction.AGENCY_CREATED) == []


def test_a_malformed_email_domain_is_refused(as_admin: Client, council_a: Council) -> None:
    response = as_admin.post("/administration/agencies/add/", agency_form(email_domains="youth@example\n-bad-.example"))
    page = text(response)
    assert "youth@example is not a domain name" in page
    assert "-bad-.example is not a domain name" in page
    with schema_context(council_a.schema_name):
        assert not Agency.objects.filter(name="Alpha Youth Service").exists()


def test_a_sensitive_agency_without_a_gateway_contact_is_refused(as_admin: Client, council_a: Council) -> None:
    response = as_admin.post("/administration/agencies/add/", agency_form(is_sensitive="on", gateway_contact="  "))
    assert "Enter a gateway contact: a sensitive agency must have one" in text(response)
    with schema_context(council_a.schema_name):
        assert not Agency.objects.filter(name="Alpha Youth Service").exists()


def test_editing_an_agency_records_only_what_changed_and_keeps_its_own_domains(
    as_admin: Client, council_a: Council, police: Agency, admin: Practitioner
) -> None:
    form = agency_form(
        name="Alpha Police",
        agency_type="police",
        services="",
        contact_email="",
        contact_phone="",
        email_domains="police.example",
        is_sensitive="on",
        gateway_contact="Safeguarding hub, 01632 960 999",
    )
    response = as_admin.post(f"/administration/agencies/{police.pk}/edit/", form)
    assert response.status_code == 302
    police = agency_named(council_a, "Alpha Police")
    assert police.is_sensitive
    assert police.gateway_contact == "Safeguarding hub, 01632 960 999"
    [updated] = audit_events(council_a, action=AuditAction.AGENCY_UPDATED)
    assert updated.actor_id == admin.user.pk
    assert set(updated.changes) == {"is_sensitive", "gateway_contact"}
    assert updated.changes["is_sensitive"] == {"old": False, "new": True}

    as_admin.post(f"/administration/agencies/{police.pk}/edit/", form)  # the same again: nothing to record
    assert len(audit_events(council_a, action=AuditAction.AGENCY_UPDATED)) == 1


def test_only_the_allowed_transitions_are_offered_and_a_disallowed_one_changes_nothing(
    as_admin: Client, council_a: Council, admin: Practitioner
) -> None:
    with schema_context(council_a.schema_name):
        pending = AgencyFactory(name="Alpha New", approval_state=ApprovalState.PENDING, email_domains=[])
    page = text(as_admin.get(f"/administration/agencies/{pending.pk}/"))
    assert f"/administration/agencies/{pending.pk}/approve/" in page
    assert f"/administration/agencies/{pending.pk}/suspend/" not in page

    response = as_admin.post(f"/administration/agencies/{pending.pk}/suspend/", {"reason": "Testing"})
    assert response.status_code == 302
    assert agency_named(council_a, "Alpha New").approval_state == ApprovalState.PENDING
    assert audit_events(council_a, action=AuditAction.AGENCY_SUSPENDED) == []

    with schema_context(council_a.schema_name), pytest.raises(Exception, match="cannot be suspended now"):
        agency_transition(actor=admin, agency=pending, to_state=ApprovalState.SUSPENDED, reason="x", origin=NO_ORIGIN)


def test_a_transition_needs_a_reason(as_admin: Client, council_a: Council, police: Agency) -> None:
    response = as_admin.post(f"/administration/agencies/{police.pk}/suspend/", {"reason": ""})
    assert response.status_code == 200
    assert "Enter the reason" in text(response)
    assert agency_named(council_a, "Alpha Police").approval_state == ApprovalState.APPROVED


def test_suspending_an_agency_ends_its_practitioners_sessions_and_refuses_their_sign_in_until_approved_again(
    as_admin: Client, council_a: Council, police: Agency, admin: Practitioner
) -> None:
    officer = person(council_a, police, "gareth@police.example")
    officer_browser = Client(HTTP_HOST=as_admin.defaults["HTTP_HOST"])
    sign_in(officer_browser, officer.user, council_a)
    assert officer_browser.get("/directory/").status_code == 200

    response = as_admin.post(f"/administration/agencies/{police.pk}/suspend/", {"reason": "Data sharing lapsed"})
    assert response.status_code == 302
    assert agency_named(council_a, "Alpha Police").approval_state == ApprovalState.SUSPENDED
    [suspended] = audit_events(council_a, action=AuditAction.AGENCY_SUSPENDED)
    assert suspended.actor_id == admin.user.pk
    assert suspended.object_id == str(police.pk)
    assert suspended.reason == "Data sharing lapsed (1 sessions ended)"

    # The live session is gone at the very next request.
    again = officer_browser.get("/directory/")
    assert again.status_code == 302
    assert again.url.startswith("/sign-in/")
    with schema_context(council_a.schema_name):
        assert not UserSession.objects.filter(user=officer.user).exists()

    # The password step gives the same answer as a wrong password, and does not count towards a lockout.
    refused = password_step(Client(HTTP_HOST=as_admin.defaults["HTTP_HOST"]), officer.user.email)
    assert refused.status_code == 200
    assert GENERIC_SIGN_IN_ERROR in text(refused)
    denied = audit_events(council_a, action=AuditAction.SIGN_IN_FAILED, actor_id=officer.user.pk)
    assert [(event.outcome, event.reason) for event in denied] == [(AuditOutcome.DENIED, "agency suspended")]
    with schema_context(council_a.schema_name):
        officer.user.refresh_from_db()
    assert officer.user.failed_sign_ins == 0

    as_admin.post(f"/administration/agencies/{police.pk}/approve/", {"reason": "Agreement renewed"})
    assert len(audit_events(council_a, action=AuditAction.AGENCY_APPROVED)) == 1
    sign_in(Client(HTTP_HOST=as_admin.defaults["HTTP_HOST"]), officer.user, council_a)  # asserts it works


def test_a_practitioner_whose_agency_is_suspended_between_the_two_steps_is_refused_the_code(
    client_a: Client, council_a: Council, police: Agency, admin: Practitioner
) -> None:
    officer = person(council_a, police, "gareth@police.example")
    from tests.core.accounts.helpers import code_step, give_backup_code

    code = give_backup_code(officer.user, council_a)
    assert password_step(client_a, officer.user.email).url == "/sign-in/code/"
    with schema_context(council_a.schema_name):
        agency_transition(actor=admin, agency=police, to_state=ApprovalState.SUSPENDED, reason="x", origin=NO_ORIGIN)
    response = code_step(client_a, code)
    assert response.status_code == 200
    assert client_a.get("/directory/").status_code == 302


def test_a_newcomer_whose_agency_is_suspended_before_they_set_up_their_second_factor_is_refused(
    client_a: Client, council_a: Council, police: Agency, admin: Practitioner
) -> None:
    officer = person(council_a, police, "gareth@police.example")  # no second factor yet: a first sign-in
    assert password_step(client_a, officer.user.email).url == "/sign-in/set-up/"
    with schema_context(council_a.schema_name):
        agency_transition(actor=admin, agency=police, to_state=ApprovalState.SUSPENDED, reason="x", origin=NO_ORIGIN)

    response = client_a.get("/sign-in/set-up/")

    assert response.status_code == 302
    assert response.url == "/sign-in/"
    assert client_a.get("/sign-in/set-up/").url == "/sign-in/"  # the half-done sign-in is forgotten
    assert client_a.get("/directory/").status_code == 302
    with schema_context(council_a.schema_name):
        assert not TOTPDevice.objects.filter(user=officer.user).exists()
    [refused] = audit_events(council_a, action=AuditAction.SECOND_FACTOR_FAILED, actor_id=officer.user.pk)
    assert refused.outcome == AuditOutcome.DENIED
    assert refused.reason == "agency suspended"


def test_a_practitioner_of_an_agency_not_yet_approved_cannot_sign_in(council_a: Council, client_a: Client) -> None:
    with schema_context(council_a.schema_name):
        waiting = AgencyFactory(name="Alpha Hospital", approval_state=ApprovalState.PENDING)
    nurse = person(council_a, waiting, "nurse@hospital.example")

    refused = password_step(client_a, nurse.user.email)

    assert refused.status_code == 200
    assert GENERIC_SIGN_IN_ERROR in refused.content.decode()
    assert client_a.get("/directory/").status_code == 302
    [event] = audit_events(council_a, action=AuditAction.SIGN_IN_FAILED, actor_id=nurse.user.pk)
    assert (event.outcome, event.reason) == (AuditOutcome.DENIED, "agency not approved")
    assert reload(nurse.user, council_a).failed_sign_ins == 0


def test_the_team_page_says_a_members_agency_is_suspended(
    client_a: Client, council_a: Council, police: Agency, home_agency: Agency, admin: Practitioner
) -> None:
    worker = person(council_a, home_agency, "amy@earlyhelp.example")
    officer = person(council_a, police, "gareth@police.example")
    with schema_context(council_a.schema_name):
        client = ClientFactory(first_name="Jade", surname="Hughes")
        InvolvementFactory(client=client, practitioner=worker, role="Family worker")
        InvolvementFactory(client=client, practitioner=officer, role="Police liaison")
    sign_in(client_a, worker.user, council_a)
    assert "Agency suspended" not in text(client_a.get(f"/clients/{client.pk}/"))

    with schema_context(council_a.schema_name):
        agency_transition(actor=admin, agency=police, to_state=ApprovalState.SUSPENDED, reason="x", origin=NO_ORIGIN)
    page = text(client_a.get(f"/clients/{client.pk}/"))
    title = f'<h3 class="govuk-summary-card__title">{officer.user.full_name}</h3>'
    [card] = [card for card in page.split('<div class="govuk-summary-card">') if title in card]
    assert '<strong class="govuk-tag govuk-tag--red">Agency suspended</strong>' in card
    assert page.count("Agency suspended") == 1  # not on the worker's own card

    members = client_a.get(f"/api/v1/clients/{client.pk}/team/").json()["current"]
    assert {member["name"]: member["agency_suspended"] for member in members} == {
        worker.user.full_name: False,
        officer.user.full_name: True,
    }


def test_an_administrator_appoints_and_removes_an_agency_manager_with_the_accounts_service(
    as_admin: Client, council_a: Council, police: Agency, admin: Practitioner
) -> None:
    officer = person(council_a, police, "gareth@police.example")
    page = text(as_admin.get(f"/administration/agencies/{police.pk}/"))
    appoint = f"/administration/agencies/{police.pk}/managers/{officer.pk}/appoint/"
    assert appoint in page

    assert as_admin.post(appoint).status_code == 302
    assert reload(officer, council_a).is_agency_manager
    as_admin.post(f"/administration/agencies/{police.pk}/managers/{officer.pk}/remove/")
    assert not reload(officer, council_a).is_agency_manager
    changes = audit_events(council_a, action=AuditAction.ROLE_CHANGED, actor_id=admin.user.pk)
    assert [event.reason for event in changes] == ["made agency manager", "no longer agency manager"]
    assert {event.object_id for event in changes} == {str(officer.pk)}


def test_a_practitioner_of_another_agency_cannot_be_made_manager_through_this_agency(
    as_admin: Client, council_a: Council, police: Agency, home_agency: Agency
) -> None:
    worker = person(council_a, home_agency, "amy@earlyhelp.example")
    response = as_admin.post(f"/administration/agencies/{police.pk}/managers/{worker.pk}/appoint/")
    assert response.status_code == 404
    assert not reload(worker, council_a).is_agency_manager


# --- The other side: managers and practitioners ------------------------------------------------------------


def admin_requests(agency: Agency, practitioner: Practitioner) -> list[tuple[str, str, dict[str, object]]]:
    base = f"/administration/agencies/{agency.pk}/"
    return [
        ("get", "/administration/", {}),
        ("get", "/administration/agencies/", {}),
        ("get", "/administration/agencies/add/", {}),
        ("post", "/administration/agencies/add/", agency_form()),
        ("get", base, {}),
        ("get", f"{base}edit/", {}),
        ("post", f"{base}edit/", agency_form(name="Taken over", email_domains="police.example")),
        ("get", f"{base}suspend/", {}),
        ("post", f"{base}suspend/", {"reason": "Because I can"}),
        ("post", f"{base}managers/{practitioner.pk}/appoint/", {}),
    ]


@pytest.mark.parametrize("role", ["agency manager", "practitioner"])
def test_agency_managers_and_practitioners_are_refused_every_administration_page_and_change_nothing(
    role: str, client_a: Client, council_a: Council, police: Agency, home_agency: Agency
) -> None:
    caller = person(council_a, police, "mark@police.example", is_agency_manager=role == "agency manager")
    target = person(council_a, police, "gareth@police.example")
    sign_in(client_a, caller.user, council_a)
    assert "Council administration" not in text(client_a.get("/"))
    requests: list[tuple[str, str, dict[str, object]]] = admin_requests(police, target)
    for method, path, data in requests:
        response = getattr(client_a, method)(path, data)
        assert response.status_code in (403, 404), f"{method.upper()} {path}: {response.status_code}"
    with schema_context(council_a.schema_name):
        police.refresh_from_db()
        target.refresh_from_db()
        assert police.name == "Alpha Police"
        assert police.approval_state == ApprovalState.APPROVED
        assert not target.is_agency_manager
        assert Agency.objects.count() == 2
        denied = AuditEvent.objects.filter(
            action=AuditAction.ACCESS_DENIED, outcome=AuditOutcome.DENIED, actor_id=caller.user.pk
        )
        assert denied.count() == len(requests)
        assert not AuditEvent.objects.filter(
            action__in=[AuditAction.AGENCY_CREATED, AuditAction.AGENCY_UPDATED, AuditAction.AGENCY_SUSPENDED]
        ).exists()


def test_the_services_refuse_anyone_but_an_administrator(council_a: Council, police: Agency) -> None:
    from django.http import Http404

    from core.directory.services.agencies import agency_create, agency_update

    manager = person(council_a, police, "mark@police.example", is_agency_manager=True)
    attempts: list[Callable[[], object]] = [
        lambda: agency_create(actor=manager, details=AgencyDetails(name="X", agency_type="police"), origin=NO_ORIGIN),
        lambda: agency_update(
            actor=manager, agency=police, details=AgencyDetails(name="X", agency_type="police"), origin=NO_ORIGIN
        ),
        lambda: agency_transition(
            actor=manager, agency=police, to_state=ApprovalState.SUSPENDED, reason="x", origin=NO_ORIGIN
        ),
    ]
    with schema_context(council_a.schema_name):
        for attempt in attempts:
            with pytest.raises(Http404):
                attempt()
        police.refresh_from_db()
        assert police.name == "Alpha Police"
        assert police.approval_state == ApprovalState.APPROVED
        assert AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED, actor_id=manager.user.pk).count() == 3


def test_two_agencies_cannot_claim_one_domain_whatever_its_case(council_a: Council, police: Agency) -> None:
    from django.core.exceptions import ValidationError

    from core.directory.services.agencies import agency_create

    admin = person(council_a, police, "chief@police.example", is_council_admin=True)
    with schema_context(council_a.schema_name), pytest.raises(ValidationError) as refused:
        agency_create(
            actor=admin,
            details=AgencyDetails(name="Alpha Fire", agency_type="fire", email_domains=[" @POLICE.example. "]),
            origin=NO_ORIGIN,
        )
    assert refused.value.message_dict == {
        "email_domains": ["police.example is already an email domain of Alpha Police"]
    }
