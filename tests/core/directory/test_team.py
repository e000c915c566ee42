"""Looking after accounts: who may verify, unlock, deactivate or change the role of whom.

Someone the actor may not manage is "not found" (404), never "forbidden", and nothing about them changes.
"""

import datetime

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from core.accounts.models import User
from core.audit.models import AuditAction, AuditOutcome
from core.directory.models import Practitioner
from tenants.models import Council
from tests.conftest import host_of, sign_in
from tests.core.accounts.helpers import audit_events
from tests.factories import AgencyFactory, PractitionerFactory

pytestmark = pytest.mark.council_side

ACTIONS = ["verify", "unlock", "deactivate", "make-manager", "reactivate"]


@pytest.fixture
def agencies(council_a: Council):
    with schema_context(council_a.schema_name):
        return AgencyFactory(name="Alpha Schools"), AgencyFactory(name="Alpha Health")


@pytest.fixture
def manager(council_a: Council, agencies) -> Practitioner:
    with schema_context(council_a.schema_name):
        return PractitionerFactory(user__email="head@agency.example", agency=agencies[0], is_agency_manager=True)


def locked_unverified(agency, email: str) -> Practitioner:
    """A practitioner not yet verified and locked out: every action would change something."""
    practitioner = PractitionerFactory(user__email=email, agency=agency, verified_at=None)
    User.objects.filter(pk=practitioner.user_id).update(
        failed_sign_ins=5, locked_until=timezone.now() + datetime.timedelta(minutes=15)
    )
    return practitioner


def state_of(practitioner: Practitioner, council: Council) -> tuple[object, ...]:
    with schema_context(council.schema_name):
        fresh = Practitioner.objects.select_related("user").get(pk=practitioner.pk)
    user = fresh.user
    return (fresh.verified_at, fresh.is_agency_manager, user.is_active, user.locked_until, user.failed_sign_ins)


@pytest.mark.parametrize("action", ACTIONS)
def test_agency_manager_gets_404_for_another_agencys_practitioner_and_nothing_changes(
    client_a: Client, council_a: Council, agencies, manager, action: str
) -> None:
    with schema_context(council_a.schema_name):
        outsider = locked_unverified(agencies[1], "nurse@agency.example")
    before = state_of(outsider, council_a)
    sign_in(client_a, manager.user, council_a)

    response = client_a.post(f"/team/practitioners/{outsider.pk}/{action}/")
    assert response.status_code == 404
    assert state_of(outsider, council_a) == before
    [denied] = audit_events(council_a, action=AuditAction.ACCESS_DENIED, object_id=str(outsider.pk))
    assert denied.actor_id == manager.user.pk
    assert denied.outcome == AuditOutcome.DENIED


@pytest.mark.parametrize("action", ["verify", "unlock"])
def test_agency_manager_can_verify_and_unlock_in_their_own_agency(
    client_a: Client, council_a: Council, agencies, manager, action: str
) -> None:
    with schema_context(council_a.schema_name):
        colleague = locked_unverified(agencies[0], "teacher@agency.example")
    before = state_of(colleague, council_a)
    sign_in(client_a, manager.user, council_a)
    response = client_a.post(f"/team/practitioners/{colleague.pk}/{action}/")
    assert response.status_code == 302
    assert state_of(colleague, council_a) != before


def test_agency_manager_cannot_change_roles_even_in_their_own_agency(
    client_a: Client, council_a: Council, agencies, manager
) -> None:
    with schema_context(council_a.schema_name):
        colleague = PractitionerFactory(user__email="teacher@agency.example", agency=agencies[0])
    sign_in(client_a, manager.user, council_a)
    assert client_a.post(f"/team/practitioners/{colleague.pk}/make-manager/").status_code == 404
    assert state_of(colleague, council_a)[1] is False


def test_a_refused_role_change_leaves_its_denied_audit_row(council_a: Council, agencies, manager) -> None:
    """Called from anywhere (a page, an import, a task), a refusal is recorded, not rolled back with it."""
    from django.http import Http404

    from core.audit.models import AuditEvent
    from core.audit.origin import NO_ORIGIN
    from core.directory.services.practitioners import practitioner_role_change

    with schema_context(council_a.schema_name):
        colleague = PractitionerFactory(user__email="nurse@agency.example", agency=agencies[0])
        with pytest.raises(Http404):
            practitioner_role_change(actor=manager, practitioner=colleague, is_agency_manager=True, origin=NO_ORIGIN)
        denied = AuditEvent.objects.filter(
            action=AuditAction.ACCESS_DENIED, actor_id=manager.user_id, object_id=str(colleague.pk)
        )
        assert denied.count() == 1
    assert state_of(colleague, council_a)[1] is False


def test_agency_manager_cannot_deactivate_a_council_administrator_of_the_same_agency(
    client_a: Client, council_a: Council, agencies, manager
) -> None:
    """A manager may not invite an administrator nor change roles; taking an administrator out of
    service is beyond them too."""
    with schema_context(council_a.schema_name):
        admin = PractitionerFactory(user__email="admin@agency.example", agency=agencies[0], is_council_admin=True)
    sign_in(client_a, manager.user, council_a)
    response = client_a.post(f"/team/practitioners/{admin.pk}/deactivate/")
    with schema_context(council_a.schema_name):
        assert User.objects.get(pk=admin.user_id).is_active, "an agency manager deactivated a council administrator"
    assert response.status_code == 404


@pytest.mark.parametrize("action", ACTIONS)
def test_council_b_practitioner_id_at_council_a_is_not_found(
    client_a: Client, council_a: Council, council_b: Council, action: str
) -> None:
    with schema_context(council_a.schema_name):
        admin = PractitionerFactory(user__email="admin@agency.example", is_council_admin=True)
    with schema_context(council_b.schema_name):
        elsewhere = locked_unverified(AgencyFactory(name="Beta Health"), "gp@agency.example")
    before = state_of(elsewhere, council_b)
    sign_in(client_a, admin.user, council_a)

    response = client_a.post(f"/team/practitioners/{elsewhere.pk}/{action}/")
    assert response.status_code == 404
    assert state_of(elsewhere, council_b) == before
    assert audit_events(council_a, action=AuditAction.ACCESS_DENIED, object_id=str(elsewhere.pk))
    assert not audit_events(council_b, object_id=str(elsewhere.pk))


def test_a_plain_practitioner_cannot_act_on_anyone(client_a: Client, council_a: Council, agencies) -> None:
    with schema_context(council_a.schema_name):
        plain = PractitionerFactory(user__email="plain@agency.example", agency=agencies[0])
        colleague = locked_unverified(agencies[0], "teacher@agency.example")
    before = state_of(colleague, council_a)
    sign_in(client_a, plain.user, council_a)
    for action in ACTIONS:
        assert client_a.post(f"/team/practitioners/{colleague.pk}/{action}/").status_code == 403
    assert state_of(colleague, council_a) == before


def test_actions_need_a_post(client_a: Client, council_a: Council, agencies, manager) -> None:
    with schema_context(council_a.schema_name):
        colleague = locked_unverified(agencies[0], "teacher@agency.example")
    before = state_of(colleague, council_a)
    sign_in(client_a, manager.user, council_a)
    for action in ACTIONS:
        expected = 200 if action == "deactivate" else 405  # deactivation's GET is its confirmation page
        assert client_a.get(f"/team/practitioners/{colleague.pk}/{action}/").status_code == expected
    assert state_of(colleague, council_a) == before


def test_deactivating_asks_for_confirmation_on_its_own_page_first(
    client_a: Client, council_a: Council, agencies, manager
) -> None:
    with schema_context(council_a.schema_name):
        colleague = PractitionerFactory(
            user__email="teacher@agency.example", user__first_name="Tess", user__last_name="Teacher", agency=agencies[0]
        )
    sign_in(client_a, manager.user, council_a)
    accounts = client_a.get("/team/").content.decode()
    assert f'href="/team/practitioners/{colleague.pk}/deactivate/"' in accounts
    assert f'action="/team/practitioners/{colleague.pk}/deactivate/"' not in accounts  # no one-click deactivation

    confirm = client_a.get(f"/team/practitioners/{colleague.pk}/deactivate/")
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "Are you sure you want to deactivate Tess Teacher's account?" in page
    assert '<form method="post"' in page
    assert 'href="/team/">Cancel</a>' in page
    assert state_of(colleague, council_a)[2] is True  # still active: asking changed nothing
    assert not audit_events(council_a, action=AuditAction.ACCOUNT_DEACTIVATED)

    done = client_a.post(f"/team/practitioners/{colleague.pk}/deactivate/")
    assert done.status_code == 302
    assert done.url == "/team/"
    assert state_of(colleague, council_a)[2] is False


def test_an_administrator_reactivates_an_account_and_the_person_signs_in_again_with_both_factors(
    client_a: Client, council_a: Council, agencies
) -> None:
    with schema_context(council_a.schema_name):
        admin = PractitionerFactory(user__email="admin@agency.example", is_council_admin=True)
        colleague = PractitionerFactory(
            user__email="teacher@agency.example", user__first_name="Tess", user__last_name="Teacher", agency=agencies[0]
        )
    theirs = Client(HTTP_HOST=host_of(council_a))
    sign_in(theirs, colleague.user, council_a)
    sign_in(client_a, admin.user, council_a)
    client_a.post(f"/team/practitioners/{colleague.pk}/deactivate/")
    accounts = client_a.get("/team/").content.decode()
    assert f'action="/team/practitioners/{colleague.pk}/reactivate/"' in accounts

    response = client_a.post(f"/team/practitioners/{colleague.pk}/reactivate/")
    assert response.status_code == 302
    assert state_of(colleague, council_a)[2] is True
    [event] = audit_events(council_a, action=AuditAction.ACCOUNT_REACTIVATED)
    assert (event.actor_id, event.object_id, event.outcome) == (
        admin.user.pk,
        str(colleague.user.pk),
        AuditOutcome.SUCCESS,
    )
    # The session they had before stays ended: they sign in afresh, password then code.
    assert theirs.get("/").status_code == 302
    password_only = Client(HTTP_HOST=host_of(council_a))
    from tests.factories import TEST_PASSWORD

    first = password_only.post("/sign-in/", {"email": colleague.user.email, "password": TEST_PASSWORD})
    assert first.url == "/sign-in/code/"
    assert password_only.get("/").status_code == 302
    sign_in(theirs, colleague.user, council_a)
    assert theirs.get("/").status_code == 200


def test_an_agency_manager_cannot_reactivate(client_a: Client, council_a: Council, agencies, manager) -> None:
    with schema_context(council_a.schema_name):
        colleague = PractitionerFactory(user__email="teacher@agency.example", agency=agencies[0])
        User.objects.filter(pk=colleague.user_id).update(is_active=False)
    sign_in(client_a, manager.user, council_a)
    assert "Reactivate" not in client_a.get("/team/").content.decode()
    assert client_a.post(f"/team/practitioners/{colleague.pk}/reactivate/").status_code == 404
    assert state_of(colleague, council_a)[2] is False
    [denied] = audit_events(council_a, action=AuditAction.ACCESS_DENIED, object_id=str(colleague.pk))
    assert denied.actor_id == manager.user.pk


def test_an_administrator_cannot_deactivate_their_own_account(client_a: Client, council_a: Council) -> None:
    with schema_context(council_a.schema_name):
        admin = PractitionerFactory(user__email="admin@agency.example", is_council_admin=True)
    sign_in(client_a, admin.user, council_a)
    assert client_a.post(f"/team/practitioners/{admin.pk}/deactivate/").status_code == 403
    assert client_a.get("/").status_code == 200


def test_signed_out_visitor_cannot_act(council_a: Council, agencies) -> None:
    with schema_context(council_a.schema_name):
        colleague = locked_unverified(agencies[0], "teacher@agency.example")
    before = state_of(colleague, council_a)
    response = Client(HTTP_HOST=host_of(council_a)).post(f"/team/practitioners/{colleague.pk}/unlock/")
    assert response.status_code == 302
    assert response.url.startswith("/sign-in/")
    assert state_of(colleague, council_a) == before
