"""The pages of support access as people name them in a sentence ("the accounts and agencies pages")."""

from collections.abc import Iterable

from support.models import SupportScope

SCOPE_NAMES = {
    SupportScope.PEOPLE: "accounts",
    SupportScope.AGENCIES: "agencies",
    SupportScope.SETTINGS: "set-up and rules",
}


def scope_name(scope: str) -> str:
    return SCOPE_NAMES.get(scope, scope)  # type: ignore[call-overload]


def scopes_named(scopes: Iterable[str]) -> str:
    """``["people", "agencies"]`` → "the accounts and agencies pages"."""
    names = [scope_name(scope) for scope in scopes]
    if not names:
        return "no pages"
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return f"the {listed} page{'s' if len(names) > 1 else ''}"
