"""Reads of the council's rulebook."""

from django.db import connection
from django.db.models import JSONField, Subquery

from core.governance.defaults import RETENTION, STILL_INVOLVED
from core.governance.models import RulebookVersion
from core.governance.rules import RetentionPeriods, Rules, StillInvolvedAsking
from tenants.models import Council


def rulebook_version_current() -> RulebookVersion | None:
    """The version in force, or None while the council still runs on the rules Patchwork starts with."""
    return RulebookVersion.objects.order_by("-number").first()


def rules_current() -> Rules:
    """The rules in force: the newest version's, or the defaults (rules.py) before the first change."""
    version = rulebook_version_current()
    return rules_of(None if version is None else version.rules)


def rules_current_annotation() -> Subquery:
    """The rules in force as an annotation of another query's row, read with it (no query of its own): a page
    that reads a row anyway reads the rules with it. ``rules_of`` reads the annotation back."""
    return Subquery(RulebookVersion.objects.order_by("-number").values("rules")[:1], output_field=JSONField())


def rules_of(stored: dict | None) -> Rules:
    """The rules a stored version holds (``RulebookVersion.rules``), or the defaults when there is none."""
    return Rules() if stored is None else Rules.from_json(stored)


def rulebook_history() -> list[RulebookVersion]:
    """Every version, newest first, with who made it."""
    return list(RulebookVersion.objects.select_related("changed_by__user", "changed_by__agency").order_by("-number"))


def retention_in_force(rules: Rules, *, jurisdiction: str) -> RetentionPeriods:
    """The council's retention schedule: its own once reviewed, its jurisdiction's defaults before."""
    return rules.retention or RETENTION[str(jurisdiction)]


def retention_current() -> RetentionPeriods:
    """The retention schedule in force in the council the connection is in."""
    return retention_in_force(rules_current(), jurisdiction=council_jurisdiction())


def still_involved_in_force(rules: Rules, *, jurisdiction: str) -> StillInvolvedAsking:
    """When the council asks members whether they are still involved: its own rule once set, its jurisdiction's
    default before."""
    return rules.still_involved or STILL_INVOLVED[str(jurisdiction)]


def still_involved_current() -> StillInvolvedAsking:
    """The "still involved?" rule in force in the council the connection is in."""
    return still_involved_in_force(rules_current(), jurisdiction=council_jurisdiction())


def council_jurisdiction() -> str:
    """The jurisdiction of the council whose schema the connection is in."""
    jurisdiction = getattr(connection.tenant, "jurisdiction", None)
    if jurisdiction:
        return str(jurisdiction)
    # A schema set by hand (a command, a task) carries no council: look it up.
    found = Council.objects.filter(schema_name=connection.schema_name).values_list("jurisdiction", flat=True).first()
    if found is None:
        raise LookupError(f"No council uses the schema {connection.schema_name!r}.")
    return str(found)
