"""Reads of the council's rulebook."""

from core.governance.models import RulebookVersion
from core.governance.rules import Rules


def rulebook_version_current() -> RulebookVersion | None:
    """The version in force, or None while the council still runs on the rules Patchwork starts with."""
    return RulebookVersion.objects.order_by("-number").first()


def rules_current() -> Rules:
    """The rules in force: the newest version's, or the defaults (rules.py) before the first change."""
    version = rulebook_version_current()
    return Rules() if version is None else Rules.from_json(version.rules)


def rulebook_history() -> list[RulebookVersion]:
    """Every version, newest first, with who made it."""
    return list(RulebookVersion.objects.select_related("changed_by__user", "changed_by__agency").order_by("-number"))
