"""The council administration's pages: setting the council up (setup.py), its rulebook (rules.py) and the
break-glass roles given to its practitioners (break_glass.py). Council administrators only."""

from core.council.views.break_glass import break_glass_role, break_glass_roles
from core.council.views.passkeys import passkeys_required
from core.council.views.rules import (
    rules_alerts,
    rules_break_glass,
    rules_family_teams,
    rules_history,
    rules_overview,
    rules_retention,
    rules_search_join,
    rules_sensitive_service,
    rules_still_involved,
    rules_version,
)
from core.council.views.setup import (
    agreement_document,
    agreements,
    go_live,
    governance,
    legal_bases,
    legal_bases_reviewed,
    legal_basis,
    privacy_officer,
    privacy_officers_page,
    profile,
    setup,
)

__all__ = [
    "agreement_document",
    "agreements",
    "break_glass_role",
    "break_glass_roles",
    "go_live",
    "governance",
    "legal_bases",
    "legal_bases_reviewed",
    "legal_basis",
    "passkeys_required",
    "privacy_officer",
    "privacy_officers_page",
    "profile",
    "rules_alerts",
    "rules_break_glass",
    "rules_family_teams",
    "rules_history",
    "rules_overview",
    "rules_retention",
    "rules_search_join",
    "rules_sensitive_service",
    "rules_still_involved",
    "rules_version",
    "setup",
]
