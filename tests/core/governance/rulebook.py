"""Putting a rule set in force in a test, as a new rulebook version (the way the council's changes land)."""

import datetime

from django.db.models import Max
from django_tenants.utils import schema_context

from core.clients.models import Client, Consent
from core.directory.models import Agency, Practitioner
from core.governance.models import RulebookVersion
from core.governance.rules import FamilyTeams, Rules, SensitiveMode, SensitiveService
from tenants.models import Council


def rules_in_force(rules: Rules) -> RulebookVersion:
    """Call inside the council's schema."""
    number = (RulebookVersion.objects.aggregate(top=Max("number"))["top"] or 0) + 1
    return RulebookVersion.objects.create(number=number, rules=rules.to_json(), reason="Set by a test")


def council_rules_in_force(council: Council, rules: Rules) -> Rules:
    """``rules_in_force`` from outside the council's schema."""
    with schema_context(council.schema_name):
        rules_in_force(rules)
    return rules


def sensitive_rules(
    agency: Agency,
    mode: SensitiveMode,
    *,
    seen_in_full_by: tuple[Agency, ...] = (),
    family_teams: FamilyTeams = FamilyTeams.AGENCIES,
) -> Rules:
    service = SensitiveService(mode=mode, seen_in_full_by=frozenset(str(other.pk) for other in seen_in_full_by))
    return Rules(sensitive_services={str(agency.pk): service}, family_teams=family_teams)


def consent_given(client: Client, recorded_by: Practitioner, services: tuple[Agency, ...] = ()) -> Consent:
    """The client's current consent: to every service shown with consent, or only to ``services``."""
    consent = Consent.objects.create(
        client=client,
        given_by=f"{client.first_name} {client.surname}",
        relationship=Consent.Relationship.CLIENT,
        given_on=datetime.date(2026, 1, 10),
        covers_all_services=not services,
        evidence="Signed form, on file",
        recorded_by=recorded_by,
    )
    consent.services.set(services)
    return consent
