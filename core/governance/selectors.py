"""Reads of the council's rulebook."""

from django.db.models import JSONField, Subquery

from core.governance.models import RulebookVersion
from core.governance.rules import Rules


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
