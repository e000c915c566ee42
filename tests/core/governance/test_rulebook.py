"""Changing the rulebook: only a council administrator, always with a reason, always a new version numbered
without gaps, in force at once, and audited with the old and new rules. Refusals change nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent
from core.audit.origin import NO_ORIGIN
from core.directory.models import Agency, Practitioner
from core.governance.models import RulebookVersion
from core.governance.rules import FamilyTeams, Rules, SensitiveMode, SensitiveService
from core.governance.selectors import rules_current
from core.governance.services.rulebook import rulebook_revise, sensitive_service_set
from tenants.models import Council
from tests.core.administration import person
from tests.factories import AgencyFactory


@pytest.fixture
def refuge(council_a: Council) -> Agency:
    with schema_context(council_a.schema_name):
        return AgencyFactory(name="Alpha Refuge", is_sensitive=True, gateway_contact="the refuge's duty line")


def test_a_change_is_a_new_version_in_force_at_once_and_audited(council_a: Council, admin: Practitioner) -> None:
    with schema_context(council_a.schema_name):
        assert rules_current() == Rules()
        version = rulebook_revise(
            actor=admin,
            rules=Rules(family_teams=FamilyTeams.NONE),
            reason="DPIA review: family teams not shared",
            origin=NO_ORIGIN,
        )
        assert version.number == 1
        assert rules_current().family_teams is FamilyTeams.NONE
        assert version.changes == [
            "The teams around the family: Not at all: the family members are listed without their teams "
            "(was Agencies only: which agencies work with each family member, no names or contacts)"
        ]
        second = rulebook_revise(
            actor=admin, rules=rules_current().with_changes(result_cap=10), reason="Fewer results", origin=NO_ORIGIN
        )
        assert second.number == 2
        assert rules_current() == Rules(family_teams=FamilyTeams.NONE, result_cap=10)
        event = AuditEvent.objects.get(action=AuditAction.RULEBOOK_CHANGED, object_id="2")
        assert event.actor_id == admin.user_id
        assert event.reason == "Fewer results"
        assert event.changes["rules"]["old"]["result_cap"] == 20
        assert event.changes["rules"]["new"]["result_cap"] == 10


def test_the_history_keeps_every_version_as_it_was(council_a: Council, admin: Practitioner) -> None:
    with schema_context(council_a.schema_name):
        rulebook_revise(actor=admin, rules=Rules(result_cap=5), reason="first", origin=NO_ORIGIN)
        rulebook_revise(actor=admin, rules=Rules(result_cap=7), reason="second", origin=NO_ORIGIN)
        stored = {
            version.number: Rules.from_json(version.rules).result_cap for version in RulebookVersion.objects.all()
        }
        assert stored == {1: 5, 2: 7}


def test_a_practitioner_cannot_change_the_rules(council_a: Council, police: Agency) -> None:
    practitioner = person(council_a, police, "pc@police.example")
    with schema_context(council_a.schema_name), pytest.raises(PermissionDenied):
        rulebook_revise(actor=practitioner, rules=Rules(result_cap=5), reason="mine now", origin=NO_ORIGIN)
    with schema_context(council_a.schema_name):
        assert not RulebookVersion.objects.exists()
        assert not AuditEvent.objects.filter(action=AuditAction.RULEBOOK_CHANGED).exists()


@pytest.mark.parametrize("reason", ["", "   ", "x" * 301])
def test_a_change_needs_a_reason_of_sensible_length(council_a: Council, admin: Practitioner, reason: str) -> None:
    with schema_context(council_a.schema_name):
        with pytest.raises(ValidationError) as refused:
            rulebook_revise(actor=admin, rules=Rules(result_cap=5), reason=reason, origin=NO_ORIGIN)
        assert "reason" in refused.value.message_dict
        assert not RulebookVersion.objects.exists()


def test_saving_the_same_rules_again_is_not_a_new_version(council_a: Council, admin: Practitioner) -> None:
    with schema_context(council_a.schema_name):
        with pytest.raises(ValidationError, match="Nothing has changed"):
            rulebook_revise(actor=admin, rules=Rules(), reason="no change", origin=NO_ORIGIN)
        assert not RulebookVersion.objects.exists()


def test_a_sensitive_service_rule_names_the_agency_in_the_change(
    council_a: Council, admin: Practitioner, refuge: Agency, police: Agency
) -> None:
    with schema_context(council_a.schema_name):
        version = sensitive_service_set(
            actor=admin,
            agency=refuge,
            service=SensitiveService(SensitiveMode.HIDDEN, frozenset({str(police.pk)})),
            reason="Refuge addresses must never be inferred",
            origin=NO_ORIGIN,
        )
        assert rules_current().sensitive_service(refuge.pk) == SensitiveService(
            SensitiveMode.HIDDEN, frozenset({str(police.pk)})
        )
        assert version.changes == [
            "Alpha Refuge: shown to others as hidden (was placeholder)",
            "Alpha Refuge: seen in full by Alpha Police",
        ]


def test_an_agency_that_is_not_sensitive_has_no_sensitive_rule(
    council_a: Council, admin: Practitioner, police: Agency
) -> None:
    with schema_context(council_a.schema_name):
        with pytest.raises(ValidationError):
            sensitive_service_set(
                actor=admin,
                agency=police,
                service=SensitiveService(SensitiveMode.HIDDEN),
                reason="why not",
                origin=NO_ORIGIN,
            )
        assert not RulebookVersion.objects.exists()
