"""Break-glass roles given to practitioners: the administrator finds a practitioner, gives them one of the
rulebook's roles and takes it away, audited. Only a role of the rules in force can be given; a role later
removed from the rulebook stays on the practitioner but matches nothing, and the page says so."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django_tenants.utils import schema_context

from core.audit.models import AuditAction
from core.audit.origin import Origin
from core.council.services.break_glass_roles import break_glass_role_set
from core.directory.models import Practitioner
from core.governance.rules import BreakGlassRole, Rules
from tenants.models import Council
from tests.core.accounts.helpers import audit_events
from tests.core.council.conftest import person, text
from tests.core.governance.rulebook import council_rules_in_force

pytestmark = pytest.mark.council_side

MASH = BreakGlassRole(key="mash", name="MASH")


def role_of(council: Council, practitioner: Practitioner) -> str:
    with schema_context(council.schema_name):
        practitioner.refresh_from_db()
    return practitioner.break_glass_role


def test_a_role_is_given_to_a_practitioner_found_by_name_and_taken_away(
    as_admin: Client, council_a: Council, practitioner: Practitioner, admin: Practitioner
) -> None:
    council_rules_in_force(council_a, Rules(break_glass_roles=(MASH,)))
    page = text(as_admin.get("/administration/break-glass-roles/", {"q": "Hollis"}))
    assert "Gareth Hollis" in page
    assert f"/administration/break-glass-roles/{practitioner.pk}/give/" in page
    response = as_admin.post(f"/administration/break-glass-roles/{practitioner.pk}/give/", {"role": "mash"})
    assert response.status_code == 302
    assert role_of(council_a, practitioner) == "mash"
    [given] = audit_events(council_a, action=AuditAction.BREAK_GLASS_ROLE_CHANGED)
    assert given.actor_id == admin.user_id
    assert given.changes == {"break_glass_role": {"old": "", "new": "mash"}}
    page = text(as_admin.get("/administration/break-glass-roles/"))
    assert "Gareth Hollis" in page
    assert f"/administration/break-glass-roles/{practitioner.pk}/take-away/" in page

    assert as_admin.post(f"/administration/break-glass-roles/{practitioner.pk}/take-away/").status_code == 302
    assert role_of(council_a, practitioner) == ""
    assert len(audit_events(council_a, action=AuditAction.BREAK_GLASS_ROLE_CHANGED)) == 2


def test_a_role_not_in_the_rules_in_force_is_refused_and_nothing_changes(
    as_admin: Client, council_a: Council, practitioner: Practitioner
) -> None:
    council_rules_in_force(council_a, Rules(break_glass_roles=(MASH,)))
    response = as_admin.post(f"/administration/break-glass-roles/{practitioner.pk}/give/", {"role": "police-ppu"})
    assert response.status_code == 302
    assert role_of(council_a, practitioner) == ""
    assert "Choose one of the council" in text(as_admin.get(response.url))
    assert audit_events(council_a, action=AuditAction.BREAK_GLASS_ROLE_CHANGED) == []


def test_the_service_refuses_an_unknown_key_and_anyone_but_an_administrator(
    council_a: Council, practitioner: Practitioner, admin: Practitioner
) -> None:
    council_rules_in_force(council_a, Rules(break_glass_roles=(MASH,)))
    with schema_context(council_a.schema_name):
        with pytest.raises(ValidationError):
            break_glass_role_set(actor=admin, practitioner=practitioner, role_key="nope", origin=Origin())
        with pytest.raises(PermissionDenied):
            break_glass_role_set(actor=practitioner, practitioner=practitioner, role_key="mash", origin=Origin())
    assert role_of(council_a, practitioner) == ""
    [denied] = audit_events(council_a, action=AuditAction.ACCESS_DENIED)
    assert denied.actor_id == practitioner.user_id


def test_an_unverified_practitioner_is_not_given_a_role(as_admin: Client, council_a: Council, police: object) -> None:
    council_rules_in_force(council_a, Rules(break_glass_roles=(MASH,)))
    unverified = person(council_a, police, "new@police.example")  # type: ignore[arg-type]
    with schema_context(council_a.schema_name):
        Practitioner.objects.filter(pk=unverified.pk).update(verified_at=None)
    as_admin.post(f"/administration/break-glass-roles/{unverified.pk}/give/", {"role": "mash"})
    assert role_of(council_a, unverified) == ""


def test_a_role_removed_from_the_rulebook_stays_on_the_practitioner_and_the_page_says_it_opens_nothing(
    as_admin: Client, council_a: Council, practitioner: Practitioner
) -> None:
    council_rules_in_force(council_a, Rules(break_glass_roles=(MASH,)))
    as_admin.post(f"/administration/break-glass-roles/{practitioner.pk}/give/", {"role": "mash"})
    council_rules_in_force(council_a, Rules())
    assert role_of(council_a, practitioner) == "mash"
    page = text(as_admin.get("/administration/break-glass-roles/"))
    assert "Roles no longer in the rules" in page
    assert "It opens nothing" in page
    assert "Gareth Hollis" in page


def test_another_councils_practitioner_is_not_found(as_admin: Client, council_a: Council, council_b: Council) -> None:
    from tests.factories import AgencyFactory

    council_rules_in_force(council_a, Rules(break_glass_roles=(MASH,)))
    with schema_context(council_b.schema_name):
        agency = AgencyFactory(name="Beta Police")
    elsewhere = person(council_b, agency, "bob@beta.example")
    response = as_admin.post(f"/administration/break-glass-roles/{elsewhere.pk}/give/", {"role": "mash"})
    assert response.status_code == 404
    assert role_of(council_b, elsewhere) == ""
